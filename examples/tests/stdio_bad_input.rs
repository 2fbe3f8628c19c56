//! Bad input on a real stdio server process: each gets the right JSON-RPC error (or is
//! dropped where the specification says so), nothing panics, and the next valid request
//! is answered.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{ChildStdin, ChildStdout, Command};

struct Proc {
    child: tokio::process::Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Proc {
    fn start() -> Proc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_quickstart"))
            .env("FASTMCP_MAX_MESSAGE_SIZE", "4096")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn quickstart");
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Proc {
            child,
            stdin,
            lines,
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).await.unwrap();
        self.stdin.write_all(b"\n").await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    async fn recv(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(10), self.lines.next_line())
            .await
            .expect("a reply within 10 s")
            .unwrap()
            .expect("the server is still running");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"))
    }

    /// Send, then expect an error response with `code` and `id`.
    async fn expect_error(&mut self, bytes: &[u8], code: i64, id: Value) {
        self.send(bytes).await;
        let r = self.recv().await;
        assert_eq!(
            r["error"]["code"],
            json!(code),
            "for {}: {r}",
            String::from_utf8_lossy(bytes)
        );
        assert_eq!(r["id"], id, "for {}: {r}", String::from_utf8_lossy(bytes));
        assert_eq!(r["jsonrpc"], "2.0");
    }

    async fn ping(&mut self, id: i64) {
        self.send(
            json!({"jsonrpc": "2.0", "id": id, "method": "ping"})
                .to_string()
                .as_bytes(),
        )
        .await;
        let r = self.recv().await;
        assert_eq!(r["id"], json!(id), "{r}");
        assert_eq!(r["result"], json!({}), "{r}");
    }
}

#[tokio::test]
async fn every_bad_input_gets_its_error_and_the_server_keeps_serving() {
    let mut p = Proc::start();
    p.send(br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#).await;
    assert_eq!(p.recv().await["result"]["protocolVersion"], "2025-06-18");
    p.send(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;

    // Not JSON at all.
    p.expect_error(b"{not json", -32700, Value::Null).await;
    // Invalid UTF-8.
    p.expect_error(
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\"}",
        -32700,
        Value::Null,
    )
    .await;
    // JSON, but not JSON-RPC.
    p.expect_error(br#"{"hello":"world"}"#, -32600, Value::Null)
        .await;
    p.expect_error(b"42", -32600, Value::Null).await;
    p.expect_error(
        br#"{"jsonrpc":"1.0","id":2,"method":"ping"}"#,
        -32600,
        json!(2),
    )
    .await;
    p.expect_error(
        br#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#,
        -32600,
        Value::Null,
    )
    .await;
    // Batches are not part of 2025-06-18.
    p.expect_error(
        br#"[{"jsonrpc":"2.0","id":3,"method":"ping"}]"#,
        -32600,
        Value::Null,
    )
    .await;
    // Unknown method.
    p.expect_error(
        br#"{"jsonrpc":"2.0","id":4,"method":"no/such/method"}"#,
        -32601,
        json!(4),
    )
    .await;
    // Params of the wrong type.
    p.expect_error(
        br#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":5}}"#,
        -32602,
        json!(5),
    )
    .await;
    p.expect_error(
        br#"{"jsonrpc":"2.0","id":"six","method":"tools/call","params":[1]}"#,
        -32602,
        json!("six"),
    )
    .await;
    p.expect_error(
        br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":"x"}"#,
        -32600,
        json!(7),
    )
    .await;
    // Over the size limit (4096 bytes here).
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":8,"method":"ping","params":{{"pad":"{}"}}}}"#,
        "x".repeat(10_000)
    );
    p.expect_error(big.as_bytes(), -32600, Value::Null).await;
    // Dropped without a reply: an unknown notification, a stray response, an empty line.
    p.send(br#"{"jsonrpc":"2.0","method":"notifications/whatever"}"#)
        .await;
    p.send(br#"{"jsonrpc":"2.0","id":99,"result":{}}"#).await;
    p.send(b"   ").await;
    // A tool's own argument errors are tool results, not protocol errors.
    p.send(br#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"divide","arguments":{"a":1,"b":0}}}"#).await;
    let r = p.recv().await;
    assert_eq!(r["id"], 9);
    assert_eq!(r["result"]["isError"], true);
    assert_eq!(r["result"]["content"][0]["text"], "division by zero");
    // Still serving.
    p.ping(10).await;
    // End of input: the server exits cleanly.
    drop(p.stdin);
    let status = tokio::time::timeout(Duration::from_secs(10), p.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn requests_before_initialize_are_refused_but_ping_works() {
    let mut p = Proc::start();
    p.ping(1).await;
    p.expect_error(
        br#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
        -32600,
        json!(2),
    )
    .await;
    // A stateless-era request needs no handshake.
    p.send(br#"{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#).await;
    let r = p.recv().await;
    assert_eq!(r["result"]["resultType"], "complete", "{r}");
    assert_eq!(r["result"]["tools"].as_array().unwrap().len(), 2);
    assert!(r["result"]["ttlMs"].is_u64());
}

#[tokio::test]
async fn requests_piped_before_eof_are_all_answered() {
    // A client that writes its requests and closes stdin at once (`printf ... | server`):
    // every answer is still written and flushed before the process exits.
    for _ in 0..5 {
        let mut p = Proc::start();
        p.send(br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#).await;
        p.send(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            .await;
        p.send(br#"{"jsonrpc":"2.0","id":3,"method":"ping"}"#).await;
        drop(p.stdin);
        let mut ids = vec![];
        while let Ok(Some(line)) = p.lines.next_line().await {
            let v: Value = serde_json::from_str(&line).unwrap();
            assert!(v.get("result").is_some(), "{v}");
            ids.push(v["id"].as_i64().unwrap());
        }
        ids.sort();
        assert_eq!(ids, [1, 3]);
        assert!(p.child.wait().await.unwrap().success());
    }
}
