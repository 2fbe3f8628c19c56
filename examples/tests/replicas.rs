//! Three processes of the `replicas` example behind nginx (from Debian) in round-robin,
//! without session affinity, sharing one real `redis-server`: every request of a
//! handshake-era session may land on another replica. 200 handshake sessions (a streaming
//! call with progress, an elicitation round trip whose answer lands on another replica
//! than the one that asked) and 200 stateless clients all complete with nothing lost.
//! Then one replica is killed (SIGKILL) while 200 sessions stream: the streams it was
//! writing are resumed on the others through `Last-Event-ID` (every event it wrote arrives
//! once, then a clear error: the request died with it; the events received are counted
//! against those kept in Redis), the other streams complete, every session then makes an
//! elicitation round trip on the survivors, and 200 stateless clients started as the
//! replica dies are all served. The stateless era needs no shared state: 200
//! stateless clients complete against replicas that share nothing but the key sealing
//! `requestState`. `scripts/setup-nginx.sh` installs nginx.

mod procs;
#[path = "../../crates/fastmcp/tests/support/redis.rs"]
#[allow(dead_code)]
mod redis_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fastmcp::client::{Client, ClientHandler, Mode};
use fastmcp::core::{BoxFuture, Error};
use fastmcp::protocol::{
    ElicitAction, ElicitRequestParams, ElicitResult, ProgressNotificationParams, ProtocolVersion,
};
use fastmcp::transport::http_client::StreamableHttp;
use procs::{free_port, temp_dir, wait_port, Proc};
use redis_support::RedisServer;
use serde_json::json;

/// nginx's master process, stopped with SIGTERM on drop (a SIGKILL would leave its worker
/// behind).
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// A replica on `port`: sessions in the Redis at `redis`, or (`None`) in its memory.
fn replica(redis: Option<&str>, name: &str, port: u16) -> Proc {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_replicas"));
    if let Some(url) = redis {
        cmd.env("REDIS_URL", url);
    }
    let child = cmd
        .arg(format!("127.0.0.1:{port}"))
        .env("PREFIX", "lb:")
        .env("STATE_KEY", "the replicas' shared secret, 32 bytes or more")
        .env("REPLICA", name)
        .env("FASTMCP_NO_BANNER", "1")
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .spawn()
        .expect("start the replicas example");
    wait_port(port, name);
    Proc(child)
}

/// nginx in front of `ports`, round-robin, streaming answers as they come.
fn nginx(dir: &Path, ports: &[u16]) -> (Nginx, u16) {
    let port = free_port();
    let servers: String = ports
        .iter()
        .map(|p| format!("server 127.0.0.1:{p} max_fails=0;\n"))
        .collect();
    let d = dir.display();
    let conf = format!(
        r#"worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  upstream mcp {{
    {servers}
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://mcp;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 300s;
    }}
  }}
}}
"#
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let child = Command::new(nginx_binary())
        .args(["-e", "stderr", "-g", "daemon off;", "-p"])
        .arg(dir)
        .arg("-c")
        .arg(&path)
        .stdin(Stdio::null())
        .spawn()
        .expect("start nginx: install it with scripts/setup-nginx.sh");
    wait_port(port, "nginx");
    (Nginx(child), port)
}

fn nginx_binary() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("nginx"))
}

/// Answers every elicitation with `name`.
#[derive(Clone)]
struct User {
    name: String,
    asked: Arc<Mutex<usize>>,
}

impl ClientHandler for User {
    fn capabilities(&self) -> fastmcp::protocol::ClientCapabilities {
        fastmcp::client::Supports {
            elicitation: true,
            ..Default::default()
        }
        .capabilities()
    }

    fn elicit(&self, _: ElicitRequestParams) -> BoxFuture<'_, Result<ElicitResult, Error>> {
        *self.asked.lock().unwrap() += 1;
        let content = json!({"name": self.name}).as_object().cloned();
        Box::pin(async move {
            Ok(ElicitResult {
                action: ElicitAction::Accept,
                content,
                ..Default::default()
            })
        })
    }
}

fn text(r: &fastmcp::protocol::CallToolResult) -> String {
    serde_json::to_value(&r.content).unwrap()[0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// `count(n, ms)`: the progress it reported, in the order it came, and its outcome.
/// `streaming` counts the calls that have received their first event.
async fn count(
    c: &Client,
    n: u64,
    ms: u64,
    streaming: Arc<AtomicUsize>,
) -> (Vec<f64>, Result<fastmcp::protocol::CallToolResult, Error>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let on_progress = move |p: ProgressNotificationParams| {
        let mut seen = sink.lock().unwrap();
        if seen.is_empty() {
            streaming.fetch_add(1, Ordering::SeqCst);
        }
        seen.push(p.progress)
    };
    let r = c
        .call_tool_with_progress("count", json!({"n": n, "ms": ms}), on_progress)
        .await;
    let progress = seen.lock().unwrap().clone();
    (progress, r)
}

/// Every other client in each era.
fn era_of(i: usize) -> Mode {
    if i.is_multiple_of(2) {
        Mode::Handshake(ProtocolVersion::V2025_11_25)
    } else {
        Mode::Stateless(ProtocolVersion::V2026_07_28)
    }
}

/// One client's work: a streaming call with its progress, an elicitation round trip.
async fn one_client(url: String, mode: Mode, i: usize) -> Result<(), String> {
    let user = User {
        name: format!("client {i}"),
        asked: Arc::default(),
    };
    let c = Client::builder()
        .mode(mode)
        .handler(user.clone())
        .connect(StreamableHttp::new(url))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (progress, r) = count(&c, 5, 10, Arc::default()).await;
    let r = r.map_err(|e| format!("count: {e}"))?;
    if text(&r) != "counted to 5" {
        return Err(format!("count answered {r:?}"));
    }
    if matches!(mode, Mode::Handshake(_)) && progress != [1.0, 2.0, 3.0, 4.0, 5.0] {
        return Err(format!("progress {progress:?}"));
    }
    let r = c
        .call_tool("greet", json!({}))
        .await
        .map_err(|e| format!("greet: {e}"))?;
    if text(&r) != format!("Hello, client {i}!") || *user.asked.lock().unwrap() != 1 {
        return Err(format!("greet answered {r:?}"));
    }
    Ok(())
}

/// Redis, three replicas, nginx in front: the URL clients use.
struct Cluster {
    replicas: Vec<Proc>,
    _nginx: Nginx,
    redis: RedisServer,
    url: String,
}

async fn cluster(name: &str, shared: bool) -> Cluster {
    let dir = temp_dir(name);
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let url = redis.url();
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let replicas: Vec<Proc> = ports
        .iter()
        .enumerate()
        .map(|(i, p)| replica(shared.then_some(url.as_str()), &format!("r{i}"), *p))
        .collect();
    let (nginx, lb) = nginx(&dir, &ports);
    Cluster {
        replicas,
        _nginx: nginx,
        redis,
        url: format!("http://127.0.0.1:{lb}/mcp"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_behind_nginx_serve_every_session_without_affinity() {
    let cluster = cluster("replicas", true).await;
    let url = cluster.url.clone();

    // One session, its requests spread over every replica.
    let c = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .connect(StreamableHttp::new(url.clone()))
        .await
        .unwrap();
    let mut answered = BTreeSet::new();
    for _ in 0..9 {
        answered.insert(text(&c.call_tool("whoami", json!({})).await.unwrap()));
    }
    assert_eq!(answered.len(), 3, "one session served by {answered:?}");

    let started = Instant::now();
    let mut runs = Vec::new();
    for i in 0..400 {
        let mode = era_of(i);
        runs.push(tokio::spawn(one_client(url.clone(), mode, i)));
    }
    let mut failures = Vec::new();
    for (i, r) in runs.into_iter().enumerate() {
        if let Err(e) = r.await.unwrap() {
            failures.push(format!("client {i}: {e}"));
        }
    }
    eprintln!("400 clients done in {:?}", started.elapsed());
    assert!(
        failures.is_empty(),
        "{} failed: {failures:#?}",
        failures.len()
    );
}

/// What a streaming session saw: its call's progress in order, how the call ended, then
/// how an elicitation round trip in the same session ended.
struct Streamed {
    progress: Vec<f64>,
    end: Result<String, String>,
    greeted: Result<String, String>,
}

/// A handshake session: a streaming call of 20 steps, then an elicitation round trip.
async fn long_stream(
    url: String,
    i: usize,
    streaming: Arc<AtomicUsize>,
) -> Result<Streamed, String> {
    let user = User {
        name: format!("streamer {i}"),
        asked: Arc::default(),
    };
    let c = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .handler(user)
        .connect(StreamableHttp::new(url))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (progress, r) = count(&c, 20, 100, streaming).await;
    let greeted = c.call_tool("greet", json!({})).await;
    Ok(Streamed {
        progress,
        end: r.map(|r| text(&r)).map_err(|e| e.to_string()),
        greeted: greeted.map(|r| text(&r)).map_err(|e| e.to_string()),
    })
}

/// The progress notifications of 20-step calls that the replicas kept in Redis (events of
/// every stream under the prefix `lb:events:stream:`).
fn progress_kept_in_redis(url: &str) -> usize {
    let mut conn = redis::Client::open(url).unwrap().get_connection().unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("lb:events:stream:*")
        .query(&mut conn)
        .unwrap();
    let mut n = 0;
    for k in keys {
        let members: Vec<Vec<u8>> = redis::cmd("ZRANGE")
            .arg(&k)
            .arg(0)
            .arg(-1)
            .query(&mut conn)
            .unwrap();
        for m in members {
            // The sequence number (8 bytes), then the event: a JSON-RPC message, or nothing
            // (the event that opens a stream, so that it can be resumed before the first).
            if m.len() == 8 {
                continue;
            }
            let v: serde_json::Value = serde_json::from_slice(&m[8..])
                .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&m[8..])));
            if v["method"] == "notifications/progress" && v["params"]["total"] == 20.0 {
                n += 1;
            }
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_replica_s_streams_resume_on_the_others() {
    const STREAMS: usize = 200;
    let mut cluster = cluster("replicas-kill", true).await;
    let url = cluster.url.clone();
    let streaming = Arc::new(AtomicUsize::new(0));
    let runs: Vec<_> = (0..STREAMS)
        .map(|i| tokio::spawn(long_stream(url.clone(), i, streaming.clone())))
        .collect();
    // Once every call streams (each for about two seconds): one replica dies. (A request
    // sent to it as it dies, on a connection nginx kept open, is answered 502 by nginx,
    // which does not resend a POST: so the stateless clients start just after.)
    let deadline = Instant::now() + Duration::from_secs(60);
    while streaming.load(Ordering::SeqCst) < STREAMS {
        assert!(Instant::now() < deadline, "the calls did not all start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(cluster.replicas.remove(0));
    // While the streams resume: 200 stateless clients, on the two replicas left.
    let stateless: Vec<_> = (0..200)
        .map(|i| {
            let mode = Mode::Stateless(ProtocolVersion::V2026_07_28);
            tokio::spawn(one_client(url.clone(), mode, i))
        })
        .collect();
    let (mut completed, mut cut, mut received) = (0, 0, 0);
    for (i, r) in runs.into_iter().enumerate() {
        let s = r.await.unwrap().unwrap();
        let (progress, end) = (&s.progress, &s.end);
        let expected: Vec<f64> = (1..=progress.len()).map(|i| i as f64).collect();
        assert_eq!(progress, &expected, "every event once, in order ({end:?})");
        received += progress.len();
        match end {
            Ok(t) => {
                assert_eq!(t, "counted to 20");
                assert_eq!(progress.len(), 20);
                completed += 1;
            }
            Err(e) => {
                assert!(e.contains("replica that ran this request stopped"), "{e}");
                assert!(!progress.is_empty() && progress.len() < 20, "{progress:?}");
                cut += 1;
            }
        }
        // The session outlives the replica: an elicitation round trip on the survivors.
        assert_eq!(
            s.greeted.as_deref(),
            Ok(format!("Hello, streamer {i}!").as_str()),
            "session {i} after the kill"
        );
    }
    for (i, r) in stateless.into_iter().enumerate() {
        r.await
            .unwrap()
            .unwrap_or_else(|e| panic!("stateless client {i}: {e}"));
    }
    // Every event the replicas kept (the killed one's too) reached its client, once.
    let url_redis = cluster.redis.url();
    let kept = tokio::task::spawn_blocking(move || progress_kept_in_redis(&url_redis))
        .await
        .unwrap();
    eprintln!(
        "{completed} streams completed, {cut} cut by the killed replica and resumed \
         elsewhere; {received} progress events received, {kept} kept in Redis; 200 \
         stateless clients served meanwhile"
    );
    assert!(cut > 0, "some streams were on the killed replica");
    assert!(completed > 0);
    assert_eq!(received, kept, "each event kept was delivered exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stateless_era_needs_no_shared_state() {
    // No session store, no shared event store: sessions in each replica's memory.
    let cluster = cluster("replicas-stateless", false).await;
    let mut runs = Vec::new();
    for i in 0..200 {
        let mode = Mode::Stateless(ProtocolVersion::V2026_07_28);
        runs.push(tokio::spawn(one_client(cluster.url.clone(), mode, i)));
    }
    for (i, r) in runs.into_iter().enumerate() {
        r.await
            .unwrap()
            .unwrap_or_else(|e| panic!("client {i}: {e}"));
    }
    // A handshake session, by contrast, is only known to the replica that made it.
    let c = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .connect(StreamableHttp::new(cluster.url.clone()))
        .await;
    let lost = match c {
        Err(_) => true,
        Ok(c) => {
            let mut failed = false;
            for _ in 0..3 {
                failed |= c.call_tool("whoami", json!({})).await.is_err();
            }
            failed
        }
    };
    assert!(
        lost,
        "without a session store, other replicas do not know the session"
    );
}
