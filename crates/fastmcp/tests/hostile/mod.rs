//! Fake, misbehaving MCP servers for `hostile_server.rs`: newline-delimited JSON over TCP,
//! a bare HTTP/1.1 server, and the resident memory of this process.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use fastmcp::transport::{line_channel, Channel, LineOptions};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

/// The `initialize` result of a fake server, choosing `version`.
pub fn init_result(version: &str) -> Value {
    json!({
        "protocolVersion": version,
        "capabilities": {"tools": {}},
        "serverInfo": {"name": "hostile", "version": "0"}
    })
}

/// The server's end of a line connection.
pub struct LinePeer {
    pub r: Lines<BufReader<OwnedReadHalf>>,
    pub w: OwnedWriteHalf,
}

impl LinePeer {
    /// The next message; `None` at end of stream.
    pub async fn recv(&mut self) -> Option<Value> {
        let l = self.r.next_line().await.ok()??;
        Some(serde_json::from_str(&l).expect("the client sends JSON"))
    }

    pub async fn send(&mut self, v: Value) {
        let mut b = serde_json::to_vec(&v).unwrap();
        b.push(b'\n');
        let _ = self.w.write_all(&b).await;
    }

    /// Answer `initialize` choosing `version`; wait for `notifications/initialized`.
    pub async fn handshake(&mut self, version: &str) {
        let init = self.recv().await.expect("initialize");
        assert_eq!(init["method"], "initialize");
        self.send(json!({"jsonrpc": "2.0", "id": init["id"], "result": init_result(version)}))
            .await;
        let n = self.recv().await.expect("initialized");
        assert_eq!(n["method"], "notifications/initialized");
    }
}

/// A TCP server on 127.0.0.1 that runs `f` on its one connection.
pub async fn line_server<F, Fut>(f: F) -> SocketAddr
where
    F: FnOnce(LinePeer) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let (s, _) = l.accept().await.unwrap();
        let (r, w) = s.into_split();
        f(LinePeer {
            r: BufReader::new(r).lines(),
            w,
        })
        .await;
    });
    addr
}

/// The client's channel to a line server.
pub async fn line_client(addr: SocketAddr) -> Channel {
    let s = TcpStream::connect(addr).await.unwrap();
    let (r, w) = s.into_split();
    line_channel(r, w, LineOptions::default())
}

/// One HTTP request as the fake HTTP server saw it.
#[derive(Debug, Clone)]
pub struct HttpReq {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpReq {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The JSON-RPC body.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Every request a fake HTTP server got.
pub type Seen = Arc<Mutex<Vec<HttpReq>>>;

/// A bare HTTP/1.1 server on 127.0.0.1: one request per connection, answered with the
/// raw bytes `answer` makes of it (see [`response`]).
pub async fn http_server<F>(answer: F) -> (SocketAddr, Seen)
where
    F: Fn(&HttpReq) -> Vec<u8> + Send + Sync + 'static,
{
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let seen = Seen::default();
    let (s2, answer) = (seen.clone(), Arc::new(answer));
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let (seen, answer) = (s2.clone(), answer.clone());
            tokio::spawn(async move {
                let Some(req) = read_request(&mut s).await else {
                    return;
                };
                seen.lock().unwrap().push(req.clone());
                let _ = s.write_all(&answer(&req)).await;
                let _ = s.shutdown().await;
            });
        }
    });
    (addr, seen)
}

async fn read_request(s: &mut TcpStream) -> Option<HttpReq> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[end + 4..].to_vec();
    while body.len() < len {
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(HttpReq {
        method,
        path,
        headers,
        body,
    })
}

/// An HTTP response: status line text (`200 OK`), extra header lines (raw bytes, so a
/// test can send bytes a well-behaved server would not), body.
pub fn response(status: &str, headers: &[&[u8]], body: &[u8]) -> Vec<u8> {
    let mut r = format!("HTTP/1.1 {status}\r\nconnection: close\r\n").into_bytes();
    for h in headers {
        r.extend_from_slice(h);
        r.extend_from_slice(b"\r\n");
    }
    r.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    r.extend_from_slice(body);
    r
}

/// A JSON-RPC answer to `req` with `result`, as an HTTP 200 JSON response.
pub fn json_result(req: &HttpReq, result: Value, extra: &[&[u8]]) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": req.json()["id"], "result": result}).to_string();
    let mut headers: Vec<&[u8]> = vec![b"content-type: application/json"];
    headers.extend_from_slice(extra);
    response("200 OK", &headers, body.as_bytes())
}

/// What a plain handshake-era server answers to anything but the requests a test cares
/// about: `initialize`, 202 for notifications, 405 for the GET stream, 200 for DELETE.
pub fn plain(req: &HttpReq, session: &[u8]) -> Vec<u8> {
    match (req.method.as_str(), req.json()["method"].as_str()) {
        ("POST", Some("initialize")) => json_result(req, init_result("2025-11-25"), &[session]),
        ("POST", _) if req.json().get("id").is_none() => response("202 Accepted", &[], b""),
        ("GET", _) => response("405 Method Not Allowed", &[], b""),
        _ => response("200 OK", &[], b""),
    }
}

/// This process's resident memory in KiB (`VmRSS`), and its peak so far (`VmHWM`).
pub fn rss_kib() -> (u64, u64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
