//! The client and the server under injected faults (`fastmcp::transport::faults`), over
//! the in-memory channel, stdio (the conformance server as a child) and Streamable HTTP
//! (the conformance server on 127.0.0.1): duplicated, reordered, dropped, truncated and
//! corrupted messages and closed connections. No call gets another call's answer or two
//! answers, a call whose connection dies ends with an error (never hangs), and the server
//! keeps serving: the faulty session's later calls and everyone else's.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fastmcp::client::{Client, FaultyTransport, Transport};
use fastmcp::transport::faults::{Fault, Faults, When};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::transport::ChildTransport;
use serde_json::json;

/// Where the conformance server runs for one test.
enum Wire {
    Memory(fastmcp::server::RunningServer),
    Stdio,
    Http {
        /// Kept for its `Drop`.
        _server: HttpServer,
        url: String,
    },
}

/// A conformance server on HTTP, killed with the test.
struct HttpServer(Child);

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wire(kind: &str) -> Wire {
    match kind {
        "memory" => Wire::Memory(conformance::build_server().start().await.unwrap()),
        "stdio" => Wire::Stdio,
        _ => {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let child = Command::new(env!("CARGO_BIN_EXE_conformance-server"))
                .args(["--port", &port.to_string()])
                .env("FASTMCP_NO_BANNER", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(20);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(Instant::now() < deadline, "the server did not start");
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
            Wire::Http {
                _server: HttpServer(child),
                url: format!("http://127.0.0.1:{port}/mcp"),
            }
        }
    }
}

impl Wire {
    /// A client over this wire with `faults`, whose requests time out after `timeout`.
    async fn client(&self, faults: Faults, timeout: Duration) -> Client {
        self.try_client(faults, timeout).await.unwrap()
    }

    /// [`Wire::client`], when the faults may hit the handshake.
    async fn try_client(
        &self,
        faults: Faults,
        timeout: Duration,
    ) -> Result<Client, fastmcp::Error> {
        let b = Client::builder().timeout(timeout);
        match self {
            Wire::Memory(r) => b.connect(faulty(r.connect_in_memory(), faults)).await,
            Wire::Stdio => {
                let child = ChildTransport::new(env!("CARGO_BIN_EXE_conformance-server"))
                    .arg("--stdio")
                    .env("FASTMCP_NO_BANNER", "1");
                b.connect(faulty(child, faults)).await
            }
            Wire::Http { url, .. } => b.connect(faulty(StreamableHttp::new(url), faults)).await,
        }
    }
}

fn faulty<T: Transport>(t: T, faults: Faults) -> FaultyTransport<T> {
    FaultyTransport::new(t, faults)
}

/// `greet` answers with the name it was given: each call can tell its own answer.
async fn greet(c: &Client, name: &str) -> Result<String, fastmcp::Error> {
    let r = c.call_tool("greet", json!({ "name": name })).await?;
    let v = serde_json::to_value(&r.content).unwrap();
    Ok(v[0]["text"].as_str().unwrap_or_default().to_owned())
}

const WIRES: [&str; 3] = ["memory", "stdio", "http"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicated_and_reordered_messages_never_answer_the_wrong_call() {
    for kind in WIRES {
        let w = wire(kind).await;
        // Faults start after the handshake (2 messages out, 1 in).
        let faults = Faults::new()
            .inbound(When::Every(3), Fault::Duplicate)
            .inbound(When::Every(4), Fault::Reorder)
            .outbound(When::Every(7), Fault::Duplicate);
        let log = faults.log();
        let c = w.client(faults, Duration::from_secs(10)).await;
        let mut calls = tokio::task::JoinSet::new();
        for i in 0..40 {
            let c = c.clone();
            calls.spawn(async move { (i, greet(&c, &format!("n{i}")).await) });
        }
        while let Some(done) = calls.join_next().await {
            let (i, got) = done.unwrap();
            assert_eq!(got.unwrap(), format!("Hello, n{i}!"), "{kind}: call {i}");
        }
        assert!(
            log.count(&Fault::Duplicate) >= 10,
            "{kind}: {:?}",
            log.entries().len()
        );
        assert!(log.count(&Fault::Reorder) >= 5, "{kind}");
        // Still one connection that works.
        assert_eq!(greet(&c, "after").await.unwrap(), "Hello, after!", "{kind}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_whose_connection_dies_ends_with_an_error_not_a_hang() {
    for kind in WIRES {
        let w = wire(kind).await;
        // The connection closes as the slow call goes out; no timeout would save a hang.
        let faults = Faults::new().outbound(When::Contains("slow_compute".into()), Fault::Close);
        let c = w.client(faults, Duration::from_secs(3600)).await;
        let started = Instant::now();
        let r = tokio::time::timeout(
            Duration::from_secs(10),
            c.call_tool("slow_compute", json!({ "seconds": 30 })),
        )
        .await
        .unwrap_or_else(|_| panic!("{kind}: the call hung"));
        let e = r.expect_err("the connection closed");
        assert!(started.elapsed() < Duration::from_secs(5), "{kind}");
        assert!(
            e.message().to_lowercase().contains("clos"),
            "{kind}: a clear error: {}",
            e.message()
        );
        // And once closed, the next call fails at once too.
        assert!(greet(&c, "x").await.is_err(), "{kind}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_or_mangled_message_costs_one_call_and_the_session_goes_on() {
    for kind in WIRES {
        let w = wire(kind).await;
        let faults = Faults::new()
            .inbound(When::Contains("Hello, lost".into()), Fault::Drop)
            .outbound(When::Contains("truncated".into()), Fault::Truncate(20))
            .outbound(When::Contains("corrupted".into()), Fault::Corrupt);
        let log = faults.log();
        let c = w.client(faults, Duration::from_millis(700)).await;
        for name in ["lost", "truncated", "corrupted"] {
            let e = greet(&c, name).await.expect_err(name);
            assert!(!e.message().is_empty(), "{kind}: {name}");
            // The same session answers the next call.
            assert_eq!(
                greet(&c, "next").await.unwrap(),
                "Hello, next!",
                "{kind} after {name}"
            );
        }
        assert_eq!(log.entries().len(), 3, "{kind}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_survives_random_faults_and_serves_the_other_sessions() {
    for kind in ["memory", "http"] {
        let w = wire(kind).await;
        let clean = w.client(Faults::new(), Duration::from_secs(10)).await;
        for seed in 1..=5 {
            let faults = Faults::new()
                .seed(seed)
                .outbound(When::Chance(0.15), Fault::Corrupt)
                .outbound(When::Chance(0.15), Fault::Truncate(9))
                .outbound(When::Chance(0.1), Fault::Duplicate)
                .inbound(When::Chance(0.1), Fault::Drop)
                .outbound(When::Nth(40), Fault::Close);
            // The handshake itself may be hit: then there is no client, and that is fine.
            let b = tokio::time::timeout(
                Duration::from_secs(10),
                w.try_client(faults, Duration::from_millis(500)),
            );
            let Ok(Ok(c)) = b.await else { continue };
            let mine = async {
                for i in 0..40 {
                    let _ = greet(&c, &format!("f{i}")).await;
                }
            };
            let theirs = async {
                for i in 0..40 {
                    assert_eq!(
                        greet(&clean, &format!("c{i}")).await.unwrap(),
                        format!("Hello, c{i}!")
                    );
                }
            };
            tokio::join!(mine, theirs);
        }
        // A new session after all that.
        let fresh = w.client(Faults::new(), Duration::from_secs(10)).await;
        assert_eq!(
            greet(&fresh, "fresh").await.unwrap(),
            "Hello, fresh!",
            "{kind}"
        );
    }
}
