//! A whole run: the server, the clients, the chaos, the samples and the verdict.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use super::procs::{fds, mib, rss_kib};
use super::proxy::{relay, Cuts};
use super::server::ServerProc;
use super::tally::Tally;
use super::workload::Worker;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long the workload runs.
    pub duration: Duration,
    /// Clients of the handshake era.
    pub handshake: usize,
    /// Clients of the stateless era.
    pub stateless: usize,
    /// Kill connections and the server at random.
    pub chaos: bool,
    /// The `soak-server` binary.
    pub server: PathBuf,
    /// How often memory is sampled.
    pub sample: Duration,
    /// How long the calm phase after chaos lasts, in which every call must succeed.
    pub recovery: Duration,
    /// How often (on average; from half to one and a half times) the chaos kills the server.
    pub restart_every: Duration,
    /// The mean life of a connection through the chaos relay (zero: never cut).
    pub cut_life: Duration,
}

/// One memory sample of the server.
struct Sample {
    at: Duration,
    rss: u64,
}

/// Everything the phases share.
struct Run {
    opts: Options,
    server: Mutex<ServerProc>,
    tally: Tally,
    cuts: Arc<Cuts>,
    phase: std::sync::Mutex<&'static str>,
    stop: AtomicBool,
    restarts: AtomicU64,
}

/// Run the soak (or chaos) run; whether it passed.
pub async fn run(opts: Options) -> anyhow::Result<bool> {
    let port = free_port()?;
    let server = ServerProc::start(opts.server.clone(), port).await?;
    let baseline = settled(&server, None, Duration::from_secs(20)).await;
    let pid = server.pid().unwrap_or(0);
    let base_fds = fds(pid).unwrap_or(0);
    println!(
        "soak-server pid {pid} on 127.0.0.1:{port}: {} live tasks, {base_fds} fds, {} at rest",
        baseline,
        mib(rss_kib(pid).unwrap_or(0))
    );
    let mut url_port = port;
    let cuts = Arc::new(Cuts::default());
    if opts.chaos {
        let front = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        url_port = front.local_addr()?.port();
        cuts.on.store(!opts.cut_life.is_zero(), Relaxed);
        let upstream = ([127, 0, 0, 1], port).into();
        tokio::spawn(relay(front, upstream, opts.cut_life, cuts.clone()));
    }
    let run = Arc::new(Run {
        opts: opts.clone(),
        server: Mutex::new(server),
        tally: Tally::new(),
        cuts,
        phase: std::sync::Mutex::new("workload"),
        stop: AtomicBool::new(false),
        restarts: AtomicU64::new(0),
    });
    let url = format!("http://127.0.0.1:{url_port}/mcp");
    let workers: Vec<_> = (0..opts.handshake + opts.stateless)
        .map(|i| {
            let w = Worker::new(i, url.clone(), i < opts.handshake);
            tokio::spawn(drive(w, run.clone()))
        })
        .collect();
    let chaos = opts.chaos.then(|| tokio::spawn(chaos(run.clone())));
    let samples = sample_until(&run, opts.duration).await;
    if let Some(c) = chaos {
        calm(&run, c).await?;
    }
    run.stop.store(true, Relaxed);
    let mut connections = 0;
    for w in workers {
        let w = w.await?;
        connections += w.connections();
        w.close().await;
    }
    let server = run.server.lock().await;
    // Sessions of clients that vanished (chaos) end when idle for a minute (soak-server).
    let left = Instant::now();
    let end_tasks = settled(&server, Some(baseline), Duration::from_secs(100)).await;
    println!(
        "the clients closed; the server's live tasks were {end_tasks} after {:.0} s",
        left.elapsed().as_secs_f64()
    );
    let pid = server.pid().unwrap_or(0);
    let end_fds = fds(pid).unwrap_or(0);
    super::verdict::judge(&super::verdict::Ending {
        opts: &opts,
        tally: &run.tally,
        samples: samples.iter().map(|s| (s.at, s.rss)).collect(),
        baseline,
        end_tasks,
        base_fds,
        end_fds,
        connections,
        restarts: run.restarts.load(Relaxed),
        cuts: run.cuts.cut.load(Relaxed),
        slow: [
            server.stat("slow_started").unwrap_or(0),
            server.stat("slow_cancelled").unwrap_or(0),
            server.stat("slow_done").unwrap_or(0),
        ],
        running_tasks: server.stat("running_tasks").unwrap_or(0),
    })
}

/// Stop the chaos, make sure the server is up, and let the workload run calmly.
async fn calm(run: &Run, chaos: tokio::task::JoinHandle<()>) -> anyhow::Result<()> {
    chaos.abort();
    let _ = chaos.await;
    run.cuts.on.store(false, Relaxed);
    let mut s = run.server.lock().await;
    if s.pid().is_none() {
        s.restart().await?;
    }
    drop(s);
    *run.phase.lock().expect("phase lock") = "recovery";
    println!("chaos stopped; {} s of calm", run.opts.recovery.as_secs());
    tokio::time::sleep(run.opts.recovery).await;
    Ok(())
}

/// A worker's loop: operations until the run stops.
async fn drive(mut w: Worker, run: Arc<Run>) -> Worker {
    while !run.stop.load(Relaxed) {
        // An operation belongs to the phase it started in.
        let phase = *run.phase.lock().expect("phase lock");
        let (kind, outcome) = w.step().await;
        run.tally.record(phase, kind, outcome);
    }
    w
}

/// Sample the server's memory every `opts.sample` until `duration` has passed.
async fn sample_until(run: &Run, duration: Duration) -> Vec<Sample> {
    let start = Instant::now();
    let mut samples = Vec::new();
    let mut next = start + run.opts.sample;
    while start.elapsed() < duration {
        tokio::time::sleep_until(next.min(start + duration).into()).await;
        next += run.opts.sample;
        let server = run.server.lock().await;
        let pid = server.pid().unwrap_or(0);
        let (rss, fd) = (rss_kib(pid).unwrap_or(0), fds(pid).unwrap_or(0));
        let live = server.stat("live_tasks").unwrap_or(0);
        drop(server);
        let all = run.tally.sum();
        let me = rss_kib(std::process::id()).unwrap_or(0);
        let tasks = tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks();
        println!(
            "{:>5.0} s  server {:>10} {fd:>4} fds {live:>4} live tasks | driver {:>10} {tasks:>4} tasks | ops {:>8} failed {:>5} wrong {} hung {} | restarts {} cuts {}",
            start.elapsed().as_secs_f64(),
            mib(rss),
            mib(me),
            all.total(),
            all.failed,
            all.wrong,
            all.hung,
            run.restarts.load(Relaxed),
            run.cuts.cut.load(Relaxed),
        );
        samples.push(Sample {
            at: start.elapsed(),
            rss,
        });
    }
    samples
}

/// Kill the server now and then and start it again; report how long clients took to
/// get a good answer after it was back.
async fn chaos(run: Arc<Run>) {
    let mut rng = fastrand::Rng::with_seed(7);
    loop {
        tokio::time::sleep(run.opts.restart_every.mul_f64(0.5 + rng.f64())).await;
        let mut server = run.server.lock().await;
        server.kill().await;
        let down = Duration::from_millis(rng.u64(200..2000));
        tokio::time::sleep(down).await;
        if let Err(e) = server.restart().await {
            println!("restart failed: {e}");
            continue;
        }
        drop(server);
        let back = Instant::now();
        let n = run.restarts.fetch_add(1, Relaxed) + 1;
        while run.tally.last_ok().is_none_or(|t| t < back) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        println!(
            "restart {n}: down {:.1} s; first good answer {:.2} s after it was back",
            down.as_secs_f64(),
            back.elapsed().as_secs_f64()
        );
    }
}

/// The server's live tasks once they stop changing (or reach `target`), within `limit`.
async fn settled(server: &ServerProc, target: Option<u64>, limit: Duration) -> u64 {
    let deadline = Instant::now() + limit;
    let mut last = None;
    loop {
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let now = server.stat("live_tasks").unwrap_or(0);
        let done = match target {
            Some(t) => now <= t,
            None => last == Some(now),
        };
        if done || Instant::now() > deadline {
            return now;
        }
        last = Some(now);
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
