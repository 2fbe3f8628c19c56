//! A deliberately broken MCP server, the tests' fixture: on stdio (default) or HTTP
//! (`--http`, prints `listening on http://127.0.0.1:PORT/mcp`). Its defects:
//! - a line that is not JSON before the `initialize` response (stdio);
//! - `ping` answered with another id;
//! - `tools/list` lists a tool without `inputSchema`;
//! - unknown methods answered with error -32000 instead of -32601;
//! - (HTTP) a notification answered 200 with a body instead of 202.
//!
//! Hostile modes (stdio): `--silent` reads and never answers; `--exit-after-init` exits
//! once it has answered `initialize`.
#![forbid(unsafe_code)]

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The broken answer to a message (none for notifications).
fn answer(msg: &Value) -> Option<Value> {
    let id = msg.get("id")?.clone();
    let method = msg.get("method").and_then(Value::as_str).unwrap_or("");
    let (id, body) = match method {
        "initialize" => (
            id,
            json!({"result": {
                "protocolVersion": "2025-11-25",
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "broken-server", "version": "0.0.0"}
            }}),
        ),
        "ping" => {
            let wrong = match &id {
                Value::Number(n) => json!(n.as_i64().unwrap_or(0) + 1000),
                other => json!(format!("{}-wrong", other.as_str().unwrap_or("x"))),
            };
            (wrong, json!({"result": {}}))
        }
        "tools/list" => (
            id,
            json!({"result": {"tools": [{"name": "no_schema", "description": "no inputSchema"}]}}),
        ),
        "tools/call" => (
            id,
            json!({"result": {"content": [{"type": "text", "text": "ok"}]}}),
        ),
        _ => (id, json!({"error": {"code": -32000, "message": "nope"}})),
    };
    let mut out = json!({"jsonrpc": "2.0", "id": id});
    if let (Some(o), Some(b)) = (out.as_object_mut(), body.as_object()) {
        o.extend(b.clone());
    }
    Some(out)
}

async fn stdio(silent: bool, exit_after_init: bool) -> std::io::Result<()> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut out = tokio::io::stdout();
    while let Some(line) = lines.next_line().await? {
        let Ok(msg) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if silent {
            continue;
        }
        let init = msg.get("method") == Some(&json!("initialize"));
        if init {
            out.write_all(b"this line is not JSON\n").await?;
        }
        if let Some(a) = answer(&msg) {
            out.write_all(format!("{a}\n").as_bytes()).await?;
            out.flush().await?;
        }
        if init && exit_after_init {
            return Ok(());
        }
    }
    Ok(())
}

/// One HTTP/1.1 request per connection (`Connection: close`).
async fn serve_one(mut sock: TcpStream) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 || buf.len() > 65536 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = &buf[head_end..buf.len().min(head_end + len)];
    let (status, text) = if !head.starts_with("POST ") {
        ("405 Method Not Allowed", String::new())
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(msg) => match answer(&msg) {
                Some(a) => ("200 OK", a.to_string()),
                None => ("200 OK", "{}".to_owned()),
            },
            Err(_) => ("400 Bad Request", String::new()),
        }
    };
    let resp = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    sock.write_all(resp.as_bytes()).await?;
    sock.shutdown().await
}

async fn http() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let mut out = tokio::io::stdout();
    out.write_all(format!("listening on http://127.0.0.1:{port}/mcp\n").as_bytes())
        .await?;
    out.flush().await?;
    loop {
        let (sock, _) = listener.accept().await?;
        tokio::spawn(serve_one(sock));
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let flag = |f: &str| std::env::args().any(|a| a == f);
    if flag("--http") {
        http().await
    } else {
        stdio(flag("--silent"), flag("--exit-after-init")).await
    }
}
