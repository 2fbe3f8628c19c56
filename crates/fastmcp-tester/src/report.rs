//! The outcome of a run: per era, per check, a [`Status`] with a diagnostic.

use std::fmt::Write as _;

use serde::Serialize;

use crate::target::Era;

/// The verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The server did what the spec requires.
    Pass,
    /// The server broke a requirement.
    Fail,
    /// The server did something allowed but doubtful (a SHOULD, a different error code).
    Warn,
    /// Not applicable (capability not declared, not HTTP, an earlier step failed).
    Skip,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Skip => "SKIP",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The check's id, e.g. `tools.list`.
    pub id: String,
    /// Its verdict.
    pub status: Status,
    /// What was sent, what came back, what the spec requires (failures, warnings), or
    /// why the check was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostic: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: f64,
}

/// The checks of one era.
#[derive(Debug, Clone, Serialize)]
pub struct EraReport {
    /// The era.
    pub era: Era,
    /// The protocol version the server agreed to (none when the era was not offered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
    /// The checks, in catalogue order.
    pub checks: Vec<CheckResult>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The target, as a command line or URL.
    pub target: String,
    /// One entry per era tried.
    pub eras: Vec<EraReport>,
}

/// Counts of each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Passed checks.
    pub passed: usize,
    /// Failed checks.
    pub failed: usize,
    /// Warnings.
    pub warnings: usize,
    /// Skipped checks.
    pub skipped: usize,
}

impl Report {
    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.all().any(|c| c.status == Status::Fail)
    }

    /// Every check of every era.
    pub fn all(&self) -> impl Iterator<Item = &CheckResult> {
        self.eras.iter().flat_map(|e| e.checks.iter())
    }

    /// The result of check `id` in `era`, when it ran.
    pub fn check(&self, era: Era, id: &str) -> Option<&CheckResult> {
        self.eras
            .iter()
            .filter(|e| e.era == era)
            .flat_map(|e| e.checks.iter())
            .find(|c| c.id == id)
    }

    /// How many checks ended in each status.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in self.all() {
            match c.status {
                Status::Pass => s.passed += 1,
                Status::Fail => s.failed += 1,
                Status::Warn => s.warnings += 1,
                Status::Skip => s.skipped += 1,
            }
        }
        s
    }

    /// An aligned table, one row per check, the diagnostic under each row that has one,
    /// and a summary line.
    pub fn render_table(&self) -> String {
        let width = self.all().map(|c| c.id.len()).max().unwrap_or(10).max(10);
        let mut out = format!("MCP compliance of {}\n", self.target);
        for era in &self.eras {
            let version = era.protocol_version.as_deref().unwrap_or("not offered");
            let _ = writeln!(out, "\n== {} — negotiated: {version}", era.era.label());
            for c in &era.checks {
                let _ = writeln!(
                    out,
                    "  {:<width$}  {}  {:>8.1} ms",
                    c.id,
                    c.status.label(),
                    c.duration_ms
                );
                if let Some(d) = &c.diagnostic {
                    for line in d.lines() {
                        let _ = writeln!(out, "      {line}");
                    }
                }
            }
        }
        let s = self.summary();
        let _ = writeln!(
            out,
            "\n{} passed, {} failed, {} warnings, {} skipped",
            s.passed, s.failed, s.warnings, s.skipped
        );
        out
    }
}
