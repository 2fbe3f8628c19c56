//! What a merge did, and the error for a name already taken (shared by JSON and YAML).

use std::path::Path;

use crate::error::CliError;

/// The outcome of adding one server to a configuration text.
#[derive(Debug)]
pub struct Merged {
    /// The new text of the file.
    pub text: String,
    /// Whether an entry of the same name was replaced (with `--force`).
    pub replaced: bool,
}

/// The server name is taken and `--force` was not given.
pub fn name_taken(path: &Path, key: &str, name: &str) -> CliError {
    CliError::usage(format!(
        "{} already has a server named {name:?} (under {key:?})",
        path.display()
    ))
    .hint("add --force to replace it, or choose another NAME")
}

/// The file could not be parsed: it is left alone.
pub fn unparsable(path: &Path, format: &str, why: impl std::fmt::Display) -> CliError {
    CliError::usage(format!(
        "{} is not valid {format} ({why}); it was left untouched",
        path.display()
    ))
    .hint(
        "fix the file (comments and trailing commas are not JSON), \
         or write to another file with --config-path FILE",
    )
}

/// The file parses but has the wrong shape (e.g. the servers key is not a map).
pub fn bad_shape(path: &Path, what: &str) -> CliError {
    CliError::usage(format!("{}: {what}; it was left untouched", path.display()))
        .hint("fix the file by hand, or write to another file with --config-path FILE")
}
