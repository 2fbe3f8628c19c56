//! The protected example (`src/bin/protected.rs`) as a child process: a request without a
//! token is refused with the challenge, each token sees the tools its scopes allow, and a
//! writer's write is attributed to its subject.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fastmcp::client::Client;
use fastmcp::transport::http_client::StreamableHttp;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_protected");

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn client(url: &str, token: &str) -> Client {
    Client::connect(StreamableHttp::new(url).header("Authorization", format!("Bearer {token}")))
        .await
        .unwrap()
}

#[tokio::test]
async fn tokens_decide_what_each_client_sees() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let _server = Running(
        Command::new(BIN)
            .env("ADDR", &addr)
            .env("FASTMCP_NO_BANNER", "1")
            .env_remove("ISSUER")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let url = format!("http://{addr}/mcp");
    let http = reqwest::Client::new();
    let mut refused = None;
    for _ in 0..100 {
        if let Ok(r) = http
            .get(format!(
                "http://{addr}/.well-known/oauth-protected-resource/mcp"
            ))
            .send()
            .await
        {
            assert_eq!(
                r.json::<serde_json::Value>().await.unwrap()["resource"],
                url.as_str()
            );
            let r = http.post(&url).json(&json!({})).send().await.unwrap();
            refused = Some((
                r.status().as_u16(),
                r.headers().get("www-authenticate").is_some(),
            ));
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(refused, Some((401, true)));

    let reader = client(&url, "reader-token").await;
    let names: Vec<String> = reader
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["read"]);
    let writer = client(&url, "writer-token").await;
    let mut names: Vec<String> = writer
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    names.sort();
    assert_eq!(names, ["read", "write"]);
    let r = writer
        .call_tool("write", json!({"title": "t", "body": "b"}))
        .await
        .unwrap();
    assert_eq!(r.content[0].as_text(), Some("will wrote t"));
    let r = reader
        .call_tool("read", json!({"title": "t"}))
        .await
        .unwrap();
    assert_eq!(r.content[0].as_text(), Some("b"));
    assert!(reader
        .call_tool("write", json!({"title": "x", "body": "y"}))
        .await
        .is_err());
}
