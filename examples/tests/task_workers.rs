//! Tasks through worker processes (the `task_workers` example: one binary, `serve` and
//! `work`), with a real `redis-server` started by each test on 127.0.0.1:
//! - 10,000 tasks through 4 worker processes, one worker killed (SIGKILL) and Redis
//!   restarted (from its append-only file) during the run: every task ends once,
//!   completed (or failed with its reason), none lost, none run to its end twice;
//! - cancellation of a queued and of a running task reaches the worker; an expired task
//!   leaves nothing in Redis;
//! - a 2025-11-25 task's progress flows from the worker through Redis to the client
//!   waiting in `tasks/result`.

mod procs;
#[path = "../../crates/fastmcp/tests/support/redis.rs"]
mod redis_support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fastmcp::client::tasks::{Submitted, TaskInfo};
use fastmcp::client::{Client, Mode};
use fastmcp::protocol::{ClientCapabilities, ProtocolVersion, TaskStatus, TASKS_EXTENSION};
use fastmcp::transport::http_client::StreamableHttp;
use futures::StreamExt;
use procs::{free_port, temp_dir, wait_port, Proc};
use redis_support::RedisServer;
use serde_json::json;

/// What every process of one test shares.
struct Setup {
    redis_url: String,
    prefix: String,
    log: PathBuf,
    env: Vec<(&'static str, String)>,
}

impl Setup {
    fn new(redis: &RedisServer, dir: &Path, prefix: &str) -> Setup {
        Setup {
            redis_url: redis.url(),
            prefix: prefix.to_owned(),
            log: dir.join("runs.log"),
            env: vec![],
        }
    }

    fn spawn(&self, args: &[&str]) -> Proc {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_task_workers"));
        cmd.args(args)
            .env("REDIS_URL", &self.redis_url)
            .env("PREFIX", &self.prefix)
            .env("TASK_LOG", &self.log)
            .env("FASTMCP_NO_BANNER", "1")
            .env("RUST_LOG", "error")
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        Proc(cmd.spawn().expect("start the task_workers example"))
    }

    /// A serving replica on a free port, once it accepts connections: its URL.
    fn serve(&self) -> (Proc, String) {
        let port = free_port();
        let p = self.spawn(&["serve", &format!("127.0.0.1:{port}")]);
        wait_port(port, "the server");
        (p, format!("http://127.0.0.1:{port}/mcp"))
    }

    /// The log's lines: what happened, to which `n`, in which process, in which task.
    fn runs(&self) -> Vec<(String, u64, u32, String)> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let mut w = l.split(' ');
                let what = w.next()?.to_owned();
                let (n, pid) = (w.next()?.parse().ok()?, w.next()?.parse().ok()?);
                Some((what, n, pid, w.next()?.to_owned()))
            })
            .collect()
    }

    fn count(&self, what: &str, n: u64) -> usize {
        self.runs()
            .iter()
            .filter(|(w, m, ..)| w == what && *m == n)
            .count()
    }
}

async fn stateless_client(url: &str) -> Client {
    let caps = ClientCapabilities {
        extensions: Some([(TASKS_EXTENSION.to_owned(), Default::default())].into()),
        ..Default::default()
    };
    Client::builder()
        .mode(Mode::Stateless(ProtocolVersion::V2026_07_28))
        .capabilities(caps)
        .connect(StreamableHttp::new(url.to_owned()))
        .await
        .unwrap()
}

/// Submit `crunch(n, ms)` as a task (retrying while Redis restarts): its id.
async fn submit(c: &Client, n: u64, ms: u64) -> String {
    for _ in 0..50 {
        let args = json!({"n": n, "ms": ms});
        match c
            .call_tool_as_task("crunch", args, Some(Duration::from_secs(600)), |_| {})
            .await
        {
            Ok(Submitted::Task(t)) => return t.id().to_owned(),
            Ok(Submitted::Done(r)) => panic!("crunch ran at once: {r:?}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("task {n} was never accepted");
}

/// Poll until the task has ended (retrying while Redis restarts).
async fn ended(c: &Client, id: &str, within: Duration) -> TaskInfo {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(t) = c.get_task(id).await {
            if t.is_terminal() {
                return t;
            }
        }
        assert!(Instant::now() < deadline, "task {id} did not end in time");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Wait until `check` holds (polling every 20 ms), at most `within`.
fn until(within: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

const TASKS: u64 = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_tasks_survive_a_killed_worker_and_a_redis_restart() {
    let dir = temp_dir("task-workers");
    let redis = tokio::task::spawn_blocking({
        let d = dir.join("redis");
        move || {
            std::fs::create_dir_all(&d).unwrap();
            RedisServer::start_durable(&d)
        }
    })
    .await
    .unwrap();
    let mut setup = Setup::new(&redis, &dir, "scale:");
    setup.env = vec![
        ("VISIBILITY_MS", "2000".into()),
        ("MAX_ATTEMPTS", "5".into()),
        ("CONCURRENCY", "16".into()),
    ];
    let setup = Arc::new(setup);
    let (_server, url) = setup.serve();
    let workers: Vec<Proc> = (0..4).map(|_| setup.spawn(&["work"])).collect();
    // The chaos: worker 0 killed after 2,000 tasks ended, Redis killed and restarted
    // from its append-only file after 5,000.
    let chaos = tokio::task::spawn_blocking({
        let setup = setup.clone();
        move || {
            let mut workers = workers;
            let mut redis = redis;
            let ends = || setup.runs().iter().filter(|(w, ..)| w == "end").count() as u64;
            until(Duration::from_secs(300), "2,000 ends", || ends() >= 2_000);
            let killed = workers[0].0.id();
            drop(workers.remove(0));
            eprintln!("killed a worker after {} ends", ends());
            until(Duration::from_secs(300), "5,000 ends", || ends() >= 5_000);
            redis.stop();
            std::thread::sleep(Duration::from_millis(500));
            redis.restart();
            eprintln!("restarted Redis after {} ends", ends());
            (workers, redis, killed)
        }
    });
    let client = stateless_client(&url).await;
    let started = Instant::now();
    let ids: Vec<(u64, String)> = futures::stream::iter(0..TASKS)
        .map(|n| {
            let c = client.clone();
            async move { (n, submit(&c, n, 40).await) }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    eprintln!("{TASKS} tasks submitted in {:?}", started.elapsed());
    let outcomes: Vec<(u64, TaskInfo)> = futures::stream::iter(ids)
        .map(|(n, id)| {
            let c = client.clone();
            async move { (n, ended(&c, &id, Duration::from_secs(300)).await) }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    eprintln!("every task ended after {:?}", started.elapsed());
    let (_workers, redis, killed) = chaos.await.unwrap();

    // Runs to the end, by task: by the workers that lived, and by the one killed (whose
    // outcome may have died with it: the task is then run again, at least once). A
    // submission answered with an error while Redis restarted may still have queued its
    // task (the reply was lost, not the command): the client submitted again, and both
    // tasks run; they are told apart by their ids.
    let runs = setup.runs();
    let mut ends: HashMap<&str, usize> = HashMap::new();
    let mut killed_ends: HashMap<&str, usize> = HashMap::new();
    let mut starts: HashMap<&str, usize> = HashMap::new();
    for (what, _, pid, task) in &runs {
        let task = task.as_str();
        match what.as_str() {
            "end" if *pid == killed => *killed_ends.entry(task).or_default() += 1,
            "end" => *ends.entry(task).or_default() += 1,
            "start" => *starts.entry(task).or_default() += 1,
            _ => {}
        }
    }
    let (mut completed, mut failed) = (0, 0);
    for (n, t) in &outcomes {
        let id = t.task_id.as_str();
        match t.status {
            TaskStatus::Completed => {
                completed += 1;
                let r = serde_json::to_value(t.result.as_ref().unwrap()).unwrap();
                assert_eq!(r["content"][0]["text"], format!("crunched {n}"));
                let (lived, died) = (ends.get(id).copied(), killed_ends.get(id).copied());
                assert!(
                    matches!((lived, died), (Some(1), None | Some(1)) | (None, Some(1))),
                    "task {n} ({id}) ran to its end once, or again after its worker died: \
                     {lived:?} {died:?}"
                );
            }
            TaskStatus::Failed => {
                failed += 1;
                let reason = t.status_message.clone().unwrap_or_default();
                eprintln!("task {n} failed: {reason}");
                assert!(reason.contains("started"), "task {n} failed: {reason}");
            }
            other => panic!("task {n} ended {other:?}"),
        }
    }
    let known: std::collections::HashSet<&str> =
        outcomes.iter().map(|(_, t)| t.task_id.as_str()).collect();
    let unknown = starts.keys().filter(|t| !known.contains(*t)).count();
    eprintln!("tasks queued although their submission was answered with an error: {unknown}");
    let retried = starts.values().filter(|s| **s > 1).count();
    eprintln!(
        "completed {completed}, failed {failed}, runs started {}, tasks started more than once {retried}",
        starts.values().sum::<usize>()
    );
    assert_eq!(completed + failed, TASKS as usize, "every task ended");
    assert!(
        ends.values().chain(killed_ends.values()).all(|e| *e == 1),
        "no worker ran a task to its end twice"
    );
    assert!(retried > 0, "the killed worker's tasks were run again");
    assert_eq!(
        redis.command("XLEN scale:queue:stream"),
        ":0",
        "queue empty"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_reaches_the_worker_and_expired_tasks_leave_redis() {
    let dir = temp_dir("task-cancel");
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let mut setup = Setup::new(&redis, &dir, "cancel:");
    setup.env = vec![("TASK_TTL_MS", "5000".into())];
    let (_server, url) = setup.serve();
    let c = stateless_client(&url).await;
    // Queued: cancelled before any worker runs.
    let queued = submit(&c, 1, 10).await;
    let t = c.cancel_task(&queued).await.unwrap();
    assert_eq!(t.status, TaskStatus::Cancelled);
    let _worker = setup.spawn(&["work"]);
    // Running: cancelled while its handler sleeps on the worker.
    let running = submit(&c, 2, 60_000).await;
    until(Duration::from_secs(30), "task 2 to start", || {
        setup.count("start", 2) == 1
    });
    c.cancel_task(&running).await.unwrap();
    until(Duration::from_secs(10), "task 2 to see it", || {
        setup.count("cancelled", 2) == 1
    });
    assert_eq!(
        ended(&c, &running, Duration::from_secs(5)).await.status,
        TaskStatus::Cancelled
    );
    // A quick one, so that the worker has certainly gone past the queued task.
    let quick = submit(&c, 3, 10).await;
    assert_eq!(
        ended(&c, &quick, Duration::from_secs(10)).await.status,
        TaskStatus::Completed
    );
    assert_eq!(setup.count("start", 1), 0, "the queued task never ran");
    until(Duration::from_secs(5), "an empty queue", || {
        redis.command("XLEN cancel:queue:stream") == ":0"
    });
    // Retention (5 s from creation): then nothing of the task is left.
    tokio::time::sleep(Duration::from_millis(5_500)).await;
    for id in [&queued, &running, &quick] {
        assert_eq!(
            redis.command(&format!("EXISTS cancel:tasks:task:{id}")),
            ":0",
            "task {id} expired"
        );
        assert!(c.get_task(id).await.is_err(), "task {id} is unknown now");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_flows_from_the_worker_to_tasks_result() {
    let dir = temp_dir("task-progress");
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let setup = Setup::new(&redis, &dir, "progress:");
    let (_server, url) = setup.serve();
    let _worker = setup.spawn(&["work"]);
    let c = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .connect(StreamableHttp::new(url))
        .await
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let args = json!({"n": 7, "ms": 800});
    let handle = match c
        .call_tool_as_task("crunch", args, Some(Duration::from_secs(60)), move |p| {
            sink.lock().unwrap().push(p.progress)
        })
        .await
        .unwrap()
    {
        Submitted::Task(t) => t,
        Submitted::Done(r) => panic!("not a task: {r:?}"),
    };
    let r = c
        .request_value("tasks/result", json!({"taskId": handle.id()}), None)
        .await
        .unwrap();
    assert_eq!(r["content"][0]["text"], "crunched 7");
    assert_eq!(*seen.lock().unwrap(), vec![1.0, 2.0, 3.0, 4.0]);
}
