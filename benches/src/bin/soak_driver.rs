//! The driver of the soak and chaos runs: see `benches/soak.sh` and
//! `fastmcp_bench::soak`.
//!
//! ```text
//! soak-driver [--minutes M] [--handshake N] [--stateless N] [--chaos]
//!             [--sample-secs S] [--recovery-secs S] [--restart-secs S] [--cut-secs S]
//!             [--server PATH]
//! ```
//!
//! Exits 0 when every check passed, 1 when one failed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use fastmcp_bench::soak::{run, Options};

fn parse() -> anyhow::Result<Options> {
    let exe = std::env::current_exe()?;
    let mut o = Options {
        duration: Duration::from_secs(30 * 60),
        handshake: 12,
        stateless: 4,
        chaos: false,
        server: exe.with_file_name("soak-server"),
        sample: Duration::from_secs(60),
        recovery: Duration::from_secs(30),
        restart_every: Duration::from_secs(60),
        cut_life: Duration::from_secs(8),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| anyhow::anyhow!("{a} needs a value"))
        };
        match a.as_str() {
            "--minutes" => o.duration = Duration::from_secs_f64(value()?.parse::<f64>()? * 60.0),
            "--handshake" => o.handshake = value()?.parse()?,
            "--stateless" => o.stateless = value()?.parse()?,
            "--sample-secs" => o.sample = Duration::from_secs_f64(value()?.parse()?),
            "--recovery-secs" => o.recovery = Duration::from_secs_f64(value()?.parse()?),
            "--restart-secs" => o.restart_every = Duration::from_secs_f64(value()?.parse()?),
            "--cut-secs" => o.cut_life = Duration::from_secs_f64(value()?.parse()?),
            "--server" => o.server = PathBuf::from(value()?),
            "--chaos" => o.chaos = true,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    Ok(o)
}

#[tokio::main]
async fn main() -> ExitCode {
    fastmcp_bench::quiet_logs();
    let opts = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("soak-driver: {e}");
            return ExitCode::from(2);
        }
    };
    match run(opts).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("soak-driver: {e:#}");
            ExitCode::FAILURE
        }
    }
}
