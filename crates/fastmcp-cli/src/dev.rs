//! `fastmcp dev`: a cargo project's server behind an HTTP endpoint that stays up; every
//! source change rebuilds it, and a good build replaces the running server.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use fastmcp::client::Client;
use fastmcp::proxy::Proxy;
use fastmcp::transport::ChildTransport;
use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;

use crate::args::{DevArgs, Serve, Transport};
use crate::cargo;
use crate::error::{CliError, CliResult, Exit};

/// Changes that arrive within this time of the first are one rebuild.
const SETTLE: Duration = Duration::from_millis(300);

/// The connections to the current build, closed when a new build replaces it.
#[derive(Clone, Default)]
struct Children(Arc<Mutex<Vec<Client>>>);

impl Children {
    fn keep(&self, c: &Client) {
        let mut all = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        all.retain(|c| !c.is_closed());
        all.push(c.clone());
    }

    async fn close_all(&self) {
        let all = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        for c in all {
            let _ = c.close().await;
        }
    }
}

/// `fastmcp dev`.
pub async fn dev(a: DevArgs) -> CliResult {
    let Some(manifest) = cargo::manifest(&a.project) else {
        return Err(
            CliError::usage(format!("{} is not a cargo project", a.project.display()))
                .hint("give the directory of a Cargo.toml (fastmcp new makes one)"),
        );
    };
    let root = manifest.parent().unwrap_or(Path::new(".")).to_path_buf();
    // File events name absolute paths: so does the root they are shown relative to.
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let bin = a.bin.clone();
    let (exe, took) = build(&manifest, bin.clone()).await?;
    eprintln!("built in {:.1}s", took.as_secs_f64());
    let children = Children::default();
    let kept = children.clone();
    let proxy = Proxy::new(move |builder| {
        let (exe, kept) = (exe.clone(), kept.clone());
        async move {
            let c = builder.connect(ChildTransport::new(exe)).await?;
            kept.keep(&c);
            Ok(c)
        }
    });
    let handle = proxy.clone();
    let serve = Serve {
        transport: Transport::Http,
        host: a.host.clone(),
        port: a.port,
        path: a.path.clone(),
        stateless: false,
    };
    let server = proxy.into_server("fastmcp-dev");
    let addr = format!("{}:{}", serve.host, serve.port);
    let opts = crate::run::http_options(&serve);
    let serving = tokio::spawn(async move { server.run_http_with(&addr, opts).await });
    let (tx, mut changes) = mpsc::unbounded_channel::<PathBuf>();
    let _watcher = watch(&root, tx)?;
    eprintln!("watching {} for changes", root.display());
    tokio::pin!(serving);
    loop {
        tokio::select! {
            done = &mut serving => {
                return match done {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => Err(CliError::new(Exit::Failed, format!("serving: {}", e.message()))
                        .hint("is the port in use? pick another with --port, or 0 for a free one")),
                    Err(e) => Err(CliError::failed(format!("the server stopped: {e}"))),
                };
            }
            Some(first) = changes.recv() => {
                let mut changed = vec![first];
                let settle = tokio::time::sleep(SETTLE);
                tokio::pin!(settle);
                loop {
                    tokio::select! {
                        Some(p) = changes.recv() => changed.push(p),
                        _ = &mut settle => break,
                    }
                }
                let changed = sources(&root, changed);
                if !changed.is_empty() {
                    eprintln!("changed: {}", changed.join(", "));
                    rebuild(&manifest, bin.clone(), &children, &handle).await;
                }
            }
        }
    }
}

/// Send every changed path under `root` to `tx` (access events left out).
fn watch(root: &Path, tx: mpsc::UnboundedSender<PathBuf>) -> CliResult<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
        if let Ok(ev) = ev {
            if ev.kind.is_access() {
                return;
            }
            for p in ev.paths {
                let _ = tx.send(p);
            }
        }
    })
    .map_err(|e| CliError::failed(format!("cannot watch {}: {e}", root.display())))?;
    watcher
        .watch(root, RecursiveMode::Recursive)
        .map_err(|e| CliError::failed(format!("cannot watch {}: {e}", root.display())))?;
    Ok(watcher)
}

/// Rebuild; a good build replaces the running server (its connections are closed, and
/// every session hears that the lists changed), a bad one leaves it serving.
async fn rebuild(manifest: &Path, bin: Option<String>, children: &Children, proxy: &Proxy) {
    match build(manifest, bin).await {
        Ok((_, took)) => {
            children.close_all().await;
            proxy.upstream_changed();
            eprintln!("rebuilt in {:.1}s; restarted", took.as_secs_f64());
        }
        Err(e) => eprintln!("{e}\n  still serving the last good build"),
    }
}

/// Build on a blocking thread (cargo's progress goes to stderr).
async fn build(manifest: &Path, bin: Option<String>) -> CliResult<(PathBuf, Duration)> {
    let m = manifest.to_path_buf();
    tokio::task::spawn_blocking(move || cargo::build(&m, bin.as_deref()))
        .await
        .map_err(|e| CliError::failed(format!("the build thread failed: {e}")))?
}

/// The changed paths that are sources (not build output, hidden files or an editor's
/// temporary files, which are gone by now), relative to the project, sorted and without
/// repeats.
fn sources(root: &Path, paths: Vec<PathBuf>) -> Vec<String> {
    let mut out: Vec<String> = paths
        .iter()
        .filter(|p| p.exists() || p.extension().is_some_and(|e| e == "rs" || e == "toml"))
        .filter_map(|p| p.strip_prefix(root).ok().or(Some(p.as_path())))
        .filter(|rel| {
            !rel.components().any(|c| {
                let s = c.as_os_str().to_string_lossy();
                s == "target" || s.starts_with('.')
            })
        })
        .filter(|rel| !rel.to_string_lossy().ends_with('~'))
        .map(|rel| rel.display().to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_output_and_hidden_files_are_not_changes() {
        let root = Path::new("/p");
        let got = sources(
            root,
            vec![
                "/p/src/main.rs".into(),
                "/p/src/sedX1y2z3".into(),
                "/p/target/debug/x".into(),
                "/p/.git/index".into(),
                "/p/src/main.rs".into(),
                "/p/Cargo.toml".into(),
            ],
        );
        assert_eq!(got, vec!["Cargo.toml", "src/main.rs"]);
    }
}
