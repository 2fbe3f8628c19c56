//! What the command line shows while it works: the server's log messages and a progress
//! bar on stderr (a bar on a terminal, plain lines otherwise), results on stdout.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex, PoisonError};

use fastmcp::client::ClientHandler;
use fastmcp::protocol::{LoggingMessageNotificationParams, ProgressNotificationParams};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::error::{CliError, CliResult};

/// The stderr side of a command: logs and progress.
#[derive(Clone, Default)]
pub struct Console {
    bar: Arc<Mutex<Option<ProgressBar>>>,
}

impl Console {
    /// The client handler that prints the server's log messages.
    pub fn handler(&self) -> Logs {
        Logs {
            console: self.clone(),
        }
    }

    /// Print one line on stderr, above the bar if one is drawn.
    pub fn note(&self, line: &str) {
        let bar = self.bar.lock().unwrap_or_else(PoisonError::into_inner);
        match bar.as_ref() {
            Some(b) => b.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Show a progress notification: a bar on a terminal, a line otherwise.
    pub fn progress(&self, p: &ProgressNotificationParams) {
        let message = p.message.clone().unwrap_or_default();
        if !std::io::stderr().is_terminal() {
            let of = p.total.map(|t| format!("/{t}")).unwrap_or_default();
            self.note(format!("progress {}{of} {message}", p.progress).trim_end());
            return;
        }
        let mut slot = self.bar.lock().unwrap_or_else(PoisonError::into_inner);
        let bar = slot.get_or_insert_with(|| {
            let b = ProgressBar::new(0);
            b.set_style(
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b
        });
        // Progress values may be fractional: the bar counts in hundredths.
        if let Some(t) = p.total {
            bar.set_length((t * 100.0) as u64);
        }
        bar.set_position((p.progress * 100.0) as u64);
        bar.set_message(message);
    }

    /// Take the bar off the screen.
    pub fn done(&self) {
        if let Some(b) = self
            .bar
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            b.finish_and_clear();
        }
    }
}

/// Prints the server's log messages on stderr.
pub struct Logs {
    console: Console,
}

impl ClientHandler for Logs {
    fn on_log(&self, p: LoggingMessageNotificationParams) {
        let level = serde_json::to_value(p.level)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let data = match &p.data {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let logger = p.logger.map(|l| format!(" {l}:")).unwrap_or_default();
        self.console.note(&format!("[{level}]{logger} {data}"));
    }
}

/// Print `value` as pretty JSON on stdout.
pub fn json(value: &impl Serialize) -> CliResult {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::failed(format!("cannot print the result as JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

/// The first line of `s`, cut to `max` characters.
pub fn short(s: &str, max: usize) -> String {
    let line = s.lines().next().unwrap_or_default();
    if line.chars().count() > max {
        format!("{}…", line.chars().take(max).collect::<String>())
    } else {
        line.to_owned()
    }
}
