//! The command line's errors: one line saying what went wrong, one with a hint, and an exit
//! code that says which kind of failure it was.

use std::fmt;

/// The exit codes of `fastmcp` (also in `fastmcp --help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The server answered with an error (a JSON-RPC error, a tool result with `isError`),
    /// or `fastmcp test` found a failing check.
    Failed = 1,
    /// The command line or a configuration file is wrong.
    Usage = 2,
    /// The server could not be reached: the command did not start, the connection was
    /// refused, the handshake failed.
    Unreachable = 3,
    /// `--timeout` passed before the server answered.
    Timeout = 4,
    /// A cargo build (of `run`, `dev` or `new`) failed.
    Build = 5,
}

/// A failure of one command.
#[derive(Debug)]
pub struct CliError {
    /// Which kind: the process exits with this code.
    pub exit: Exit,
    /// What went wrong, in one line.
    pub message: String,
    /// What to try, in one line.
    pub hint: Option<String>,
}

impl CliError {
    /// A failure of kind `exit`.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: one_line(&message.into()),
            hint: None,
        }
    }

    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// The server answered with an error.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(Exit::Failed, message)
    }

    /// Add what to try.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(one_line(&hint.into()));
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::failed(e.to_string())
    }
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;

/// Text on one line: line breaks become `; `, and a long text is cut.
pub fn one_line(s: &str) -> String {
    let joined = s
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if joined.chars().count() > 400 {
        let cut: String = joined.chars().take(400).collect();
        format!("{cut}…")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_one_line_and_the_hint_the_next() {
        let e = CliError::usage("bad\n\n  thing").hint("try\nthis");
        assert_eq!(e.to_string(), "error: bad; thing\n  hint: try; this");
        assert_eq!(e.exit as i32, 2);
    }
}
