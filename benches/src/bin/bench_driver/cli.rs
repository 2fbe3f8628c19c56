//! The driver's command line.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{anyhow, bail};

use crate::http::Target;
use crate::scenario::{OPT_IN, SCENARIOS};

/// One implementation under test: its name, the command that starts it, and the HTTP path it
/// serves the MCP endpoint at.
pub struct Impl {
    pub name: String,
    pub cmd: Vec<String>,
    pub path: String,
    /// Extra header lines every HTTP request carries (`Authorization: Bearer …`).
    pub headers: Vec<String>,
}

impl Impl {
    /// Where and how its HTTP requests go.
    pub fn target(&self) -> Target {
        Target {
            path: self.path.clone(),
            headers: self.headers.clone(),
        }
    }
}

pub struct Opts {
    pub quick: bool,
    pub impls: Vec<Impl>,
    pub skipped: Vec<(String, String)>,
    pub only: Option<Vec<String>>,
    pub json: Option<PathBuf>,
    pub log_dir: PathBuf,
    pub threads: usize,
    /// Each cell runs this many times; the table shows the median and the spread.
    pub rounds: usize,
    /// The idle sessions of the `scale-sessions` scenarios, one scenario per count.
    pub idle_sessions: Vec<usize>,
    /// Show no ratio in the cells but a last column `ours / NAME`.
    pub vs: Option<String>,
    /// A line about the run (how it was pinned) for under the table and the JSON.
    pub context: Option<String>,
}

const USAGE: &str = "bench-driver [--quick] --impl NAME=COMMAND... [--path NAME=/p] [--header 'NAME=K: V'] [--skipped NAME=why] [--only S,...] [--json FILE] [--log-dir DIR] [--driver-threads N] [--rounds R] [--idle-sessions N,...] [--vs NAME] [--context TEXT]";

fn split(v: String) -> anyhow::Result<(String, String)> {
    let (a, b) = v
        .split_once('=')
        .ok_or_else(|| anyhow!("expected NAME=VALUE: {v}"))?;
    Ok((a.to_owned(), b.to_owned()))
}

fn new_impl(v: String) -> anyhow::Result<Impl> {
    let (name, cmd) = split(v)?;
    let cmd: Vec<String> = cmd.split_whitespace().map(str::to_owned).collect();
    if cmd.is_empty() {
        bail!("empty command for {name}");
    }
    Ok(Impl {
        name,
        cmd,
        path: "/mcp".into(),
        headers: vec![],
    })
}

pub fn parse_opts() -> anyhow::Result<Opts> {
    let mut o = Opts {
        quick: false,
        impls: vec![],
        skipped: vec![],
        only: None,
        json: None,
        log_dir: PathBuf::from("target/bench-results/logs"),
        threads: 1,
        rounds: 1,
        idle_sessions: vec![],
        vs: None,
        context: None,
    };
    let mut paths = BTreeMap::new();
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().ok_or_else(|| anyhow!("{a} needs a value"));
        match a.as_str() {
            "--quick" => o.quick = true,
            "--impl" => o.impls.push(new_impl(val()?)?),
            "--path" => {
                let (name, p) = split(val()?)?;
                paths.insert(name, p);
            }
            "--header" => {
                let (name, h) = split(val()?)?;
                if !h.contains(':') || h.contains(['\r', '\n']) {
                    bail!("--header wants NAME=Header-Name: value, got {h}");
                }
                headers.entry(name).or_default().push(h);
            }
            "--skipped" => o.skipped.push(split(val()?)?),
            "--only" => o.only = Some(val()?.split(',').map(str::to_owned).collect()),
            "--json" => o.json = Some(PathBuf::from(val()?)),
            "--log-dir" => o.log_dir = PathBuf::from(val()?),
            "--driver-threads" => o.threads = val()?.parse()?,
            "--rounds" => o.rounds = val()?.parse::<usize>()?.max(1),
            "--idle-sessions" => {
                o.idle_sessions = val()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
            }
            "--vs" => o.vs = Some(val()?),
            "--context" => o.context = Some(val()?),
            "-h" | "--help" => {
                let ids: Vec<&str> = SCENARIOS.iter().map(|s| s.id).collect();
                println!(
                    "{USAGE}\nscenarios: {}\n(run only when --only names them: {})",
                    ids.join(","),
                    OPT_IN.join(",")
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}"),
        }
    }
    finish(o, &paths, &headers)
}

/// Give the implementations their paths and headers, fill the defaults and check the rest.
fn finish(
    mut o: Opts,
    paths: &BTreeMap<String, String>,
    headers: &BTreeMap<String, Vec<String>>,
) -> anyhow::Result<Opts> {
    for i in &mut o.impls {
        if let Some(p) = paths.get(&i.name) {
            i.path = p.clone();
        }
        if let Some(h) = headers.get(&i.name) {
            i.headers = h.clone();
        }
    }
    if o.impls.is_empty() {
        bail!("no --impl given");
    }
    if o.idle_sessions.is_empty() {
        o.idle_sessions = if o.quick {
            vec![1, 100, 1_000]
        } else {
            vec![1, 10_000, 100_000]
        };
    }
    if let Some(v) = &o.vs {
        if !o.impls.iter().any(|i| &i.name == v) {
            bail!("--vs {v}: no such --impl");
        }
    }
    Ok(o)
}
