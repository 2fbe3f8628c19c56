//! The catalogue of checks: each is an async function of the [`Ctx`] that returns a
//! [`Verdict`]; `run.rs` runs them in order, per era.

pub(crate) mod http;
pub(crate) mod jsonrpc;
pub(crate) mod lifecycle;
pub(crate) mod listing;
pub(crate) mod prompts;
pub(crate) mod resources;
pub(crate) mod tools;

use std::time::Instant;

use serde_json::Value;

use crate::conn::Reply;
use crate::report::{CheckResult, Status};
use crate::schema;
use crate::session::{Answer, Outcome, Session};
use crate::target::{Era, Options, Target};

/// A check's verdict.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    pub status: Status,
    pub diagnostic: Option<String>,
}

impl Verdict {
    pub fn pass() -> Self {
        Verdict {
            status: Status::Pass,
            diagnostic: None,
        }
    }
    pub fn fail(d: impl Into<String>) -> Self {
        Verdict {
            status: Status::Fail,
            diagnostic: Some(d.into()),
        }
    }
    pub fn warn(d: impl Into<String>) -> Self {
        Verdict {
            status: Status::Warn,
            diagnostic: Some(d.into()),
        }
    }
    pub fn skip(d: impl Into<String>) -> Self {
        Verdict {
            status: Status::Skip,
            diagnostic: Some(d.into()),
        }
    }
}

/// Findings of a check over many items (tools, resources…): any failure fails it, any
/// warning warns.
#[derive(Default)]
pub(crate) struct Findings {
    fails: Vec<String>,
    warns: Vec<String>,
}

impl Findings {
    pub fn fail(&mut self, d: impl Into<String>) {
        self.fails.push(d.into());
    }
    pub fn warn(&mut self, d: impl Into<String>) {
        self.warns.push(d.into());
    }
    pub fn verdict(self) -> Verdict {
        let all: Vec<String> = self.fails.iter().chain(&self.warns).cloned().collect();
        if !self.fails.is_empty() {
            Verdict::fail(all.join("\n"))
        } else if !self.warns.is_empty() {
            Verdict::warn(all.join("\n"))
        } else {
            Verdict::pass()
        }
    }
}

/// The state of one era's run.
pub(crate) struct Ctx<'a> {
    pub s: Session,
    pub opts: &'a Options,
    pub target: &'a Target,
    pub tools: Vec<Value>,
    pub resources: Vec<Value>,
    pub templates: Vec<Value>,
    pub prompts: Vec<Value>,
    /// What the POST of `notifications/initialized` came to (HTTP).
    pub initialized: Option<Result<Reply, String>>,
    pub results: Vec<CheckResult>,
}

impl<'a> Ctx<'a> {
    pub fn new(s: Session, opts: &'a Options, target: &'a Target) -> Self {
        Ctx {
            s,
            opts,
            target,
            tools: Vec::new(),
            resources: Vec::new(),
            templates: Vec::new(),
            prompts: Vec::new(),
            initialized: None,
            results: Vec::new(),
        }
    }

    /// Add a check's result.
    pub fn record(&mut self, id: &str, v: Verdict, started: Instant) {
        self.results.push(CheckResult {
            id: id.to_owned(),
            status: v.status,
            diagnostic: v.diagnostic,
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        });
    }

    /// Whether the server declared capability `name` (e.g. `tools`).
    pub fn cap(&self, name: &str) -> bool {
        self.s.caps.get(name).is_some_and(|c| !c.is_null())
    }

    /// A skip for an undeclared capability.
    pub fn undeclared(name: &str) -> Verdict {
        Verdict::skip(format!(
            "the server does not declare the `{name}` capability"
        ))
    }

    /// The era.
    pub fn era(&self) -> Era {
        self.s.era
    }

    /// The result of `a`, validated against `$defs/<def>`; a failing verdict otherwise.
    pub fn expect(&self, a: &Answer, def: &str) -> Result<Value, Verdict> {
        match &a.outcome {
            Outcome::Ok(v) => match schema::validate(&self.s.version, def, v) {
                Ok(()) => Ok(v.clone()),
                Err(e) => Err(Verdict::fail(format!(
                    "{}\n{e}",
                    a.diag(&format!("a valid {def}"))
                ))),
            },
            _ => Err(Verdict::fail(a.diag(&format!("a result ({def})")))),
        }
    }
}
