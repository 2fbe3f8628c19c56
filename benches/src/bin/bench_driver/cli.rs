//! The driver's command line.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{anyhow, bail};

use crate::http::Target;
use crate::scenario::SCENARIOS;

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
}

const USAGE: &str = "bench-driver [--quick] --impl NAME=COMMAND... [--path NAME=/p] [--header 'NAME=K: V'] [--skipped NAME=why] [--only S,...] [--json FILE] [--log-dir DIR] [--driver-threads N]";

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
            "-h" | "--help" => {
                let ids: Vec<&str> = SCENARIOS.iter().map(|s| s.id).collect();
                println!("{USAGE}\nscenarios: {}", ids.join(","));
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}"),
        }
    }
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
    Ok(o)
}
