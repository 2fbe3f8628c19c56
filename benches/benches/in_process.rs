//! The request path of FastMCP for Rust in one process, without sockets or pipes: what a
//! `tools/call` of the echo tool costs in the framework itself (parsing, routing, the
//! handler, serialization), through the Streamable HTTP router (stateless, JSON answers)
//! and through a byte-stream session (stdio's path) over an in-memory pipe.
//!
//! `cargo bench -p fastmcp-bench --bench in_process`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fastmcp::prelude::*;
use fastmcp::server::HttpOptions;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tower::ServiceExt;

/// Echo the message back.
#[tool]
async fn echo(message: String) -> String {
    message
}

const CALL: &str = r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}"#;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `tools/call` of echo through the Streamable HTTP router (stateless, JSON answers),
/// without middleware and with the usual middleware of `echo-fastmcp-mw`.
fn http(c: &mut Criterion) {
    let rt = runtime();
    fastmcp_bench::quiet_logs();
    let mut g = c.benchmark_group("http");
    g.throughput(Throughput::Elements(1));
    let plain = || Server::new("echo", "1").tool(echo);
    let cases = [
        ("tools_call_stateless_json", plain()),
        (
            "tools_call_stateless_json_mw",
            fastmcp_bench::echo::with_middleware(plain()),
        ),
    ];
    for (name, server) in cases {
        let router = rt.block_on(async {
            let running = server.start().await.unwrap();
            running.http_router(HttpOptions::default().stateless(true).json_response(true))
        });
        g.bench_function(name, |b| {
            b.to_async(&rt).iter(|| async {
                let req = axum::http::Request::post("/mcp")
                    .header("host", "127.0.0.1")
                    .header("content-type", "application/json")
                    .header("accept", "application/json, text/event-stream")
                    .header("mcp-protocol-version", "2025-06-18")
                    .body(axum::body::Body::from(CALL))
                    .unwrap();
                let resp = router.clone().oneshot(req).await.unwrap();
                assert_eq!(resp.status(), 200);
                axum::body::to_bytes(resp.into_body(), usize::MAX)
                    .await
                    .unwrap()
            })
        });
    }
    g.finish();
}

/// A byte-stream session of `server` on an in-memory pipe, initialized: its writer and
/// the lines it answers.
type Session = (
    tokio::io::WriteHalf<tokio::io::DuplexStream>,
    tokio::io::Lines<BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>>,
);

async fn session(server: Server) -> Session {
    let (client, server_side) = tokio::io::duplex(1 << 20);
    let running = server.start().await.unwrap();
    let (r, sw) = tokio::io::split(server_side);
    tokio::spawn(async move { running.serve_stream(r, sw, 1 << 20).await });
    let (cr, mut cw) = tokio::io::split(client);
    let init = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"b","version":"0"}}}"#;
    cw.write_all(format!("{init}\n").as_bytes()).await.unwrap();
    let mut lines = BufReader::new(cr).lines();
    lines.next_line().await.unwrap().unwrap();
    (cw, lines)
}

/// `tools/call` of echo over a stream session, without middleware and with the usual
/// middleware of `echo-fastmcp-mw` (logging, timing, caching, rate limiting).
fn stream(c: &mut Criterion) {
    let rt = runtime();
    let line = format!("{CALL}\n");
    let mut g = c.benchmark_group("stream");
    g.throughput(Throughput::Elements(1));
    let plain = || Server::new("echo", "1").tool(echo);
    let cases = [
        ("tools_call", plain()),
        (
            "tools_call_mw",
            fastmcp_bench::echo::with_middleware(plain()),
        ),
    ];
    for (name, server) in cases {
        let (mut w, mut lines) = rt.block_on(session(server));
        g.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    w.write_all(line.as_bytes()).await.unwrap();
                    lines.next_line().await.unwrap().unwrap()
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, http, stream);
criterion_main!(benches);
