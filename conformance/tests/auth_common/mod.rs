//! What the end-to-end OAuth tests share: the protected notes server, the user's browser,
//! the Python SDK's OAuth client.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::auth::ResourceServer;
use fastmcp::client::oauth::Redirect;
use fastmcp::core::{Context, FnTool, Require};
use fastmcp::server::HttpOptions;
use fastmcp::Server;
use serde_json::{json, Value};

use crate::interop::{repo_root, run_with_timeout};

const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

/// The notes server on `listener` at `resource`, protected by tokens of `issuer` checked by
/// `verifier` (`whoami` for any token with `notes:read`, `admin` only with
/// `notes:admin`), serving `opts`' other routes too.
pub async fn notes_server(
    listener: tokio::net::TcpListener,
    resource: &str,
    issuer: &str,
    verifier: impl fastmcp::auth::TokenVerifier,
    opts: HttpOptions,
) {
    let rs = ResourceServer::new(resource, verifier)
        .authorization_server(issuer)
        .scopes_supported(["notes:read", "notes:write", "notes:admin"])
        .required_scopes(["notes:read"]);
    let running = Server::new("notes-e2e", "1.0.0")
        .tool(FnTool::typed(
            "whoami",
            "Who am I?",
            |ctx: Context, _: Empty| async move {
                let who = ctx.auth().cloned().unwrap_or_default();
                fastmcp::Json(json!({"subject": who.subject, "scopes": who.scopes}))
            },
        ))
        .tool(
            FnTool::typed("admin", "Admins only.", |_: Context, _: Empty| async move {
                fastmcp::Json(json!({"admin": true}))
            })
            .with_auth(Require::scopes(["notes:admin"])),
        )
        .start()
        .await
        .expect("start");
    let opts = opts.auth(rs);
    tokio::spawn(async move { running.serve_http(listener, opts).await });
}

/// The value of the input `name` of an HTML form.
fn input(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].replace("&amp;", "&"))
}

/// The form a page posts: its action and fields, with the user's part filled in (user
/// name `alice`, password `pw`, and "allow" on a consent page).
fn fill(html: &str) -> Option<(String, Vec<(String, String)>)> {
    let at = html.find("<form method=\"post\" action=\"")?;
    let rest = &html[at + 28..];
    let action = rest[..rest.find('"')?].replace("&amp;", "&");
    let mut fields = vec![];
    for name in ["return_to", "csrf", "txn"] {
        if let Some(v) = input(html, name) {
            fields.push((name.to_owned(), v));
        }
    }
    if html.contains("name=\"password\"") {
        fields.push(("username".into(), "alice".into()));
        fields.push(("password".into(), "pw".into()));
    }
    if html.contains("name=\"decision\"") {
        fields.push(("decision".into(), "allow".into()));
    }
    Some((action, fields))
}

/// The user's browser: follows the authorization server's redirects with a cookie jar,
/// fills its forms (sign-in as alice, allow on consent), until the client's loopback
/// callback, and opens that.
pub fn browser(issuer: String) -> Redirect {
    browser_through(vec![issuer])
}

fn origin_of(url: &str) -> String {
    let after = url.split_once("://").map(|(_, a)| a).unwrap_or_default();
    format!("http://{}", after.split('/').next().unwrap_or_default())
}

/// [`browser`] through several authorization servers (an OAuth proxy and its upstream
/// provider): it stops at the first URL of none of them, the client's callback.
pub fn browser_through(servers: Vec<String>) -> Redirect {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let origins: Vec<String> = servers.iter().map(|s| origin_of(s)).collect();
    Redirect::Browser(Arc::new(move |url: &str| {
        let (http, origins, mut url) = (http.clone(), origins.clone(), url.to_owned());
        tokio::spawn(async move {
            let mut form: Option<Vec<(String, String)>> = None;
            for _ in 0..30 {
                let r = match form.take() {
                    Some(f) => http.post(&url).form(&f).send().await,
                    None => http.get(&url).send().await,
                }
                .expect("the browser's request");
                if !origins.iter().any(|o| url.starts_with(o.as_str())) {
                    return; // the callback: the client has the code
                }
                let next = match r.headers().get("location") {
                    Some(loc) => loc.to_str().unwrap().to_owned(),
                    None => {
                        let status = r.status();
                        let page = r.text().await.unwrap_or_default();
                        let Some((action, fields)) = fill(&page) else {
                            panic!("the authorization server stopped at {status}: {page}");
                        };
                        form = Some(fields);
                        action
                    }
                };
                url = if next.starts_with('/') {
                    format!("{}{next}", origin_of(&url))
                } else {
                    next
                };
            }
            panic!("too many redirects");
        });
    }))
}

/// The structured result of a tool call.
pub fn tool_json(r: &fastmcp::protocol::CallToolResult) -> Value {
    assert_ne!(r.is_error, Some(true), "tool error: {r:?}");
    r.structured_content.clone().expect("structured content")
}

/// The Python SDK's OAuth client (`conformance/tests/auth/python_oauth_client.py`) logs in
/// to `resource`, steps up and refreshes, in `mode`.
pub fn python_client(resource: &str, mode: &str) {
    let python = {
        let out = Command::new("bash")
            .arg(repo_root().join("scripts/setup-interop.sh"))
            .output()
            .expect("run setup-interop.sh");
        assert!(out.status.success(), "setup-interop.sh failed: {out:?}");
        repo_root().join("target/interop-venv/bin/python")
    };
    let out = run_with_timeout(
        Command::new(python)
            .arg(repo_root().join("conformance/tests/auth/python_oauth_client.py"))
            .args([resource, mode]),
        SCRIPT_TIMEOUT,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let seen: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("OK "))
        .collect();
    assert!(
        out.status.success() && seen == ["connected", "login", "step-up", "refresh"],
        "the Python SDK's OAuth client ({mode}) failed: {}\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// oidc-provider on a free port of 127.0.0.1, killed on drop; its log lines kept.
pub struct Provider {
    child: Child,
    pub issuer: String,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Provider {
    /// Started for `resource`, its access tokens living `access_ttl` seconds.
    pub fn start(resource: &str, access_ttl: u64) -> Provider {
        let bin = node_bin();
        let cache = bin
            .parent()
            .and_then(|p| p.parent())
            .expect("the bin dir is <cache>/node_modules/.bin")
            .to_path_buf();
        let mut child = Command::new(bin.join("node"))
            .arg(repo_root().join("conformance/tests/auth/oidc_server.mjs"))
            .arg(resource)
            .env("NODE_CACHE", &cache)
            .env("ACCESS_TOKEN_TTL", access_ttl.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start node");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut first)
            .expect("read the issuer line");
        let issuer = first
            .trim()
            .strip_prefix("ISSUER ")
            .unwrap_or_else(|| panic!("oidc_server.mjs did not start: {first:?}"))
            .to_owned();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (sink, stderr) = (log.clone(), child.stderr.take().expect("piped"));
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Provider { child, issuer, log }
    }

    /// How many tokens were issued with `grant_type` (the provider's `GRANT` lines).
    pub fn grants(&self, grant_type: &str) -> usize {
        let prefix = format!("GRANT {grant_type} ");
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with(&prefix))
            .count()
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

pub fn node_bin() -> std::path::PathBuf {
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/setup-node.sh"))
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/setup-node.sh");
    assert!(out.status.success(), "setup-node.sh failed: {out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    std::path::PathBuf::from(stdout.lines().last().unwrap_or_default().trim())
}
