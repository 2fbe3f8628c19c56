//! `fastmcp new`: a server project (stdio or Streamable HTTP) with a tool, a resource, a
//! prompt and a test that drives it in memory; it builds and passes its test as made.

mod files;

use std::path::{Path, PathBuf};

use crate::args::NewArgs;
use crate::error::{CliError, CliResult};

/// `fastmcp new`.
pub fn new(a: NewArgs) -> CliResult {
    let name = crate_name(&a.path)?;
    if a.path.exists()
        && std::fs::read_dir(&a.path)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(
            CliError::usage(format!("{} exists and is not empty", a.path.display()))
                .hint("pick a new directory"),
        );
    }
    let dependency = dependency(a.fastmcp_path.as_deref())?;
    let project = files::Project {
        name: &name,
        http: a.http,
        fastmcp: &dependency,
    };
    std::fs::create_dir_all(a.path.join("src"))?;
    for (file, text) in project.files() {
        std::fs::write(a.path.join(file), text)?;
    }
    let dir = a.path.display();
    println!(
        "created {dir} ({} server)",
        if a.http { "Streamable HTTP" } else { "stdio" }
    );
    println!("  cd {dir} && cargo test            # its test, in memory");
    println!("  fastmcp dev {dir}                 # serve on http://127.0.0.1:8000/mcp, rebuilt on change");
    println!("  fastmcp call http://127.0.0.1:8000/mcp greet name=Ada");
    Ok(())
}

/// The crate name of the directory's last part: letters, digits, `-` and `_`.
fn crate_name(path: &Path) -> CliResult<String> {
    let last = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ok = !last.is_empty()
        && last
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && last.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if !ok {
        return Err(CliError::usage(format!("{last:?} cannot name a crate"))
            .hint("use letters, digits, - and _, starting with a letter: fastmcp new my-server"));
    }
    Ok(last)
}

/// The `fastmcp = ...` dependency line: the path given, else the fastmcp checkout this
/// command was built from (while it is there), else the registry's version.
fn dependency(given: Option<&Path>) -> CliResult<String> {
    let path: Option<PathBuf> = match given {
        Some(p) => {
            let p = std::fs::canonicalize(p)
                .map_err(|e| CliError::usage(format!("--fastmcp-path {}: {e}", p.display())))?;
            if !p.join("Cargo.toml").is_file() {
                return Err(CliError::usage(format!(
                    "--fastmcp-path {}: no Cargo.toml there",
                    p.display()
                ))
                .hint("give the crates/fastmcp directory of a fastmcp checkout"));
            }
            Some(p)
        }
        None => {
            let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fastmcp");
            std::fs::canonicalize(built_from).ok()
        }
    };
    Ok(match path {
        Some(p) => format!("fastmcp = {{ path = {:?} }}", p.display().to_string()),
        None => format!("fastmcp = \"{}\"", env!("CARGO_PKG_VERSION")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_are_checked() {
        assert_eq!(crate_name(Path::new("a/my-server")).unwrap(), "my-server");
        assert!(crate_name(Path::new("a/1x")).is_err());
        assert!(crate_name(Path::new("a/my server")).is_err());
    }
}
