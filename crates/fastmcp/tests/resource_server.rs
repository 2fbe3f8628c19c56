//! The protected resource (`HttpOptions::auth`) on a real socket: RFC 9728 metadata, 401
//! and 403 challenges, the audience check, tokens refused in the URL, the caller's
//! identity and HTTP parts on `Context`, sessions bound to their owner, the step-up 403 of
//! a component refusal, and every HTTP transport protected (tokens never in the logs:
//! `resource_server_logs.rs`, a process of its own).

use std::net::SocketAddr;

use fastmcp::auth::{ResourceServer, StaticTokens};
use fastmcp::client::Client;
use fastmcp::client::Mode;
use fastmcp::core::{Context, Error, ErrorKind, FnResource, FnTool};
use fastmcp::protocol::{ProtocolVersion, Resource};
use fastmcp::server::HttpOptions;
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::transport::sse_client::LegacySse;
use fastmcp::transport::ws_client::WebSocket;
use fastmcp::{AuthInfo, Server};
use serde_json::{json, Value};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

const ALICE: &str = "alice-secret-token-1";
const BOB: &str = "bob-secret-token-2";
const READER: &str = "reader-without-required-scope-3";
const ELSEWHERE: &str = "token-for-another-resource-4";

/// A server that requires `notes:read` on every request, at a fresh port.
async fn start() -> (SocketAddr, String) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let resource = format!("http://{addr}/mcp");
    let tokens = StaticTokens::new()
        .token(
            ALICE,
            AuthInfo::new()
                .with_subject("alice")
                .with_scopes(["notes:read", "notes:write"])
                .with_audience([resource.clone()]),
        )
        .token(
            BOB,
            AuthInfo::new()
                .with_subject("bob")
                .with_scopes(["notes:read"]),
        )
        .token(
            READER,
            AuthInfo::new().with_subject("carol").with_scopes(["other"]),
        )
        .token(
            ELSEWHERE,
            AuthInfo::new()
                .with_subject("alice")
                .with_scopes(["notes:read"])
                .with_audience(["https://other.example.com/mcp"]),
        );
    let rs = ResourceServer::new(resource.clone(), tokens)
        .authorization_server("https://auth.example.com")
        .scopes_supported(["notes:read", "notes:write", "notes:admin"])
        .required_scopes(["notes:read"]);
    let running = Server::new("protected", "1.0.0")
        .tool(FnTool::typed("whoami", "", |ctx: Context, _: Empty| async move {
            let who = ctx.auth().cloned().unwrap_or_default();
            let http = ctx.http().cloned().unwrap_or_default();
            fastmcp::Json(json!({
                "subject": who.subject,
                "scopes": who.scopes,
                "tenant": http.header("x-tenant"),
                "authorization": http.header("authorization"),
                "method": http.method.as_str(),
                "peer": http.remote_addr.map(|a| a.ip().to_string()),
            }))
        }))
        .resource(FnResource::new(
            Resource::new("notes://admin", "admin"),
            |_, _| async {
                // What a component's authorization refusal looks like on the wire.
                Err::<String, _>(
                    Error::new(ErrorKind::Remote(-32003), "needs notes:admin").with_data(
                        json!({"requiredScopes": ["notes:admin"], "missingScopes": ["notes:admin"]}),
                    ),
                )
            },
        ))
        .start()
        .await
        .unwrap();
    let opts = HttpOptions::default().auth(rs);
    tokio::spawn(async move { running.serve_http(l, opts).await });
    (addr, resource)
}

fn init_body() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"}}})
}

async fn post(
    addr: SocketAddr,
    token: Option<&str>,
    query: &str,
    body: &Value,
) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("http://{addr}/mcp{query}"))
        .header("accept", "application/json, text/event-stream")
        .json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

fn challenge(r: &reqwest::Response) -> String {
    r.headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn metadata_is_served_at_both_well_known_paths() {
    let (addr, resource) = start().await;
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let r = reqwest::get(format!("http://{addr}{path}")).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let m: Value = r.json().await.unwrap();
        assert_eq!(m["resource"], resource.as_str(), "{path}");
        assert_eq!(
            m["authorization_servers"],
            json!(["https://auth.example.com"])
        );
        assert_eq!(
            m["scopes_supported"],
            json!(["notes:read", "notes:write", "notes:admin"])
        );
    }
}

#[tokio::test]
async fn refusals_carry_the_right_status_and_challenge() {
    let (addr, _) = start().await;
    let metadata =
        format!("resource_metadata=\"http://{addr}/.well-known/oauth-protected-resource/mcp\"");

    let r = post(addr, None, "", &init_body()).await;
    assert_eq!(r.status(), 401);
    let c = challenge(&r);
    assert!(c.starts_with("Bearer ") && c.contains(&metadata), "{c}");
    assert!(!c.contains("error="), "no token sent, no error code: {c}");
    assert!(!r.text().await.unwrap().contains("result"));

    let r = post(addr, Some("not-a-token"), "", &init_body()).await;
    assert_eq!(r.status(), 401);
    let c = challenge(&r);
    assert!(
        c.contains("error=\"invalid_token\"") && c.contains(&metadata),
        "{c}"
    );

    // A token minted for another resource.
    let r = post(addr, Some(ELSEWHERE), "", &init_body()).await;
    assert_eq!(r.status(), 401);
    assert!(challenge(&r).contains("invalid_token"));

    // A token in the URL is refused even with a good one in the header.
    let q = format!("?access_token={ALICE}");
    let r = post(addr, Some(ALICE), &q, &init_body()).await;
    assert_eq!(r.status(), 400);
    assert!(challenge(&r).contains("error=\"invalid_request\""));

    // Short of the server-wide scope: 403 naming it.
    let r = post(addr, Some(READER), "", &init_body()).await;
    assert_eq!(r.status(), 403);
    let c = challenge(&r);
    assert!(c.contains("error=\"insufficient_scope\""), "{c}");
    assert!(c.contains("scope=\"other notes:read\""), "{c}");

    // The same server still serves a good token.
    let r = post(addr, Some(ALICE), "", &init_body()).await;
    assert_eq!(r.status(), 200);
}

async fn client_with(addr: SocketAddr, token: &str, mode: Mode) -> Client {
    Client::builder()
        .mode(mode)
        .connect(
            StreamableHttp::new(format!("http://{addr}/mcp"))
                .header("Authorization", format!("Bearer {token}"))
                .header("X-Tenant", "acme"),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn handlers_see_who_called_and_the_request_without_its_token() {
    let (addr, _) = start().await;
    for mode in [
        Mode::Handshake(ProtocolVersion::V2025_11_25),
        Mode::Stateless(ProtocolVersion::V2026_07_28),
    ] {
        let c = client_with(addr, ALICE, mode).await;
        let r = c.call_tool("whoami", json!({})).await.unwrap();
        // A `serde_json::Value` that is an object comes as it is.
        let v = r.structured_content.unwrap();
        assert_eq!(v["subject"], "alice", "{mode:?} {v}");
        assert_eq!(v["scopes"], json!(["notes:read", "notes:write"]));
        assert_eq!(v["tenant"], "acme");
        assert_eq!(v["method"], "POST");
        assert_eq!(v["peer"], "127.0.0.1");
        assert_eq!(
            v["authorization"],
            Value::Null,
            "the token never reaches a handler"
        );
    }
}

#[tokio::test]
async fn a_session_belongs_to_the_identity_that_opened_it() {
    let (addr, _) = start().await;
    let r = post(addr, Some(ALICE), "", &init_body()).await;
    assert_eq!(r.status(), 200);
    let sid = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let send = |token: &'static str| {
        reqwest::Client::new()
            .post(format!("http://{addr}/mcp"))
            .header("accept", "application/json, text/event-stream")
            .header("mcp-session-id", sid.clone())
            .header("mcp-protocol-version", "2025-11-25")
            .bearer_auth(token)
            .json(&list)
            .send()
    };
    let r = send(BOB).await.unwrap();
    assert_eq!(r.status(), 403, "another user cannot use alice's session");
    assert!(!r.text().await.unwrap().contains("whoami"));
    let r = send(ALICE).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("whoami"));
    // Nor close it.
    let r = reqwest::Client::new()
        .delete(format!("http://{addr}/mcp"))
        .header("mcp-session-id", sid.clone())
        .bearer_auth(BOB)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_component_refusal_for_scopes_becomes_a_step_up_403() {
    let (addr, _) = start().await;
    let read = json!({"jsonrpc": "2.0", "id": 3, "method": "resources/read",
        "params": {"uri": "notes://admin", "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
            "io.modelcontextprotocol/clientCapabilities": {}}}});
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "resources/read")
        .header("mcp-name", "notes://admin")
        .bearer_auth(BOB)
        .json(&read)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let c = challenge(&r);
    assert!(c.contains("error=\"insufficient_scope\""), "{c}");
    // What it had plus what it lacks: a step-up keeps its scopes.
    assert!(c.contains("scope=\"notes:read notes:admin\""), "{c}");
}

#[tokio::test]
async fn legacy_sse_and_websocket_are_protected_too() {
    let (addr, _) = start().await;
    let r = reqwest::get(format!("http://{addr}/sse")).await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(challenge(&r).contains("resource_metadata="));
    let r = reqwest::Client::new()
        .get(format!("http://{addr}/ws"))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let sse = Client::builder()
        .connect(
            LegacySse::new(format!("http://{addr}/sse"))
                .header("Authorization", format!("Bearer {BOB}")),
        )
        .await
        .unwrap();
    let v = sse
        .call_tool("whoami", json!({}))
        .await
        .unwrap()
        .structured_content
        .unwrap();
    assert_eq!(v["subject"], "bob");
    assert_eq!(v["method"], "GET", "the request that opened the stream");

    let ws = Client::builder()
        .connect(
            WebSocket::new(format!("ws://{addr}/ws"))
                .header("Authorization", format!("Bearer {ALICE}")),
        )
        .await
        .unwrap();
    let v = ws
        .call_tool("whoami", json!({}))
        .await
        .unwrap()
        .structured_content
        .unwrap();
    assert_eq!(v["subject"], "alice");
    assert!(Client::builder()
        .connect(WebSocket::new(format!("ws://{addr}/ws")))
        .await
        .is_err());
}
