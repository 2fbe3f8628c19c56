//! Client-side OAuth against a real (small) authorization server and one of our own MCP
//! servers protected by a bearer-token check, all on 127.0.0.1 (see `oauth_support`).

mod oauth_support;

use std::sync::{Arc, Mutex};

use fastmcp_client::oauth::{FileStore, OAuth, OAuthError, Redirect};
use fastmcp_client::{Client, McpConfig};
use fastmcp_transport::http_client::StreamableHttp;
use fastmcp_transport::sse_client::LegacySse;
use serde_json::json;

use oauth_support::{start, World};

fn oauth(_w: &World, url: &str) -> OAuth {
    OAuth::builder(url)
        .client_name("oauth-test")
        .redirect(Redirect::Headless)
        .build()
        .unwrap()
}

async fn connect(w: &World, o: &OAuth) -> Client {
    let _ = w;
    Client::connect(StreamableHttp::new(w.mcp_url()).auth(Arc::new(o.clone())))
        .await
        .expect("connect")
}

/// Connect and call: the `initialize` itself is the first request that needs a token.
async fn connect_and_call(w: &World, o: &OAuth) -> Result<String, fastmcp_core::Error> {
    let c = Client::connect(StreamableHttp::new(w.mcp_url()).auth(Arc::new(o.clone()))).await?;
    call(&c).await
}

async fn call(c: &Client) -> Result<String, fastmcp_core::Error> {
    let r = c.call_tool("whoami", json!({})).await?;
    Ok(serde_json::to_string(&r).unwrap())
}

#[tokio::test]
async fn the_authorization_code_flow_with_pkce_runs_headless() {
    let w = start().await;
    let o = oauth(&w, &w.mcp_url());
    let c = connect(&w, &o).await;
    assert!(call(&c).await.unwrap().contains("a protected answer"));
    let seen = w.seen();
    // Dynamic registration, as a native app with a loopback redirect.
    assert_eq!(seen.registrations.len(), 1);
    let reg = &seen.registrations[0];
    assert_eq!(reg["application_type"], "native");
    assert!(reg["redirect_uris"][0]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    // One authorization: S256, the scope of the challenge, offline_access (listed by the
    // AS), the resource exactly as published.
    assert_eq!(seen.authorizations.len(), 1);
    let a = &seen.authorizations[0];
    assert_eq!(a["code_challenge_method"], "S256");
    assert_eq!(a["scope"], "mcp:read offline_access");
    assert_eq!(a["resource"], format!("http://{}", w.rs_addr));
    assert!(a["client_id"].starts_with("dyn-client-"));
    // One code exchange (the AS checked the verifier and the resource).
    let t = &seen.token_requests[0];
    assert_eq!(t["grant_type"], "authorization_code");
    assert_eq!(t["resource"], a["resource"]);
    assert!(o.tokens().await.unwrap().refresh_token.is_some());
    assert!(o.last_error().is_none());
    c.close().await.unwrap();
}

#[tokio::test]
async fn the_browser_hook_gets_the_url_and_the_loopback_callback_the_redirect() {
    let w = start().await;
    let opened = Arc::new(Mutex::new(vec![]));
    let seen = opened.clone();
    let o = OAuth::builder(w.mcp_url())
        .redirect(Redirect::Browser(Arc::new(move |url: &str| {
            seen.lock().unwrap().push(url.to_owned());
            // The "browser": follows the authorization server's redirect to the callback.
            let url = url.to_owned();
            tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status()) });
        })))
        .build()
        .unwrap();
    let c = connect(&w, &o).await;
    assert!(call(&c).await.unwrap().contains("a protected answer"));
    let opened = opened.lock().unwrap().clone();
    assert_eq!(opened.len(), 1);
    assert!(opened[0].starts_with(&format!("{}/authorize?", w.issuer())));
    assert!(opened[0].contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"));
}

#[tokio::test]
async fn a_401_is_answered_with_the_refresh_token() {
    let w = start().await;
    let o = oauth(&w, &w.mcp_url());
    let c = connect(&w, &o).await;
    call(&c).await.unwrap();
    let first = o.tokens().await.unwrap().access_token;
    w.revoke_access_tokens();
    call(&c).await.unwrap();
    let seen = w.seen();
    assert_eq!(seen.authorizations.len(), 1, "no new authorization");
    let grants: Vec<&str> = seen
        .token_requests
        .iter()
        .map(|t| t["grant_type"].as_str())
        .collect();
    assert_eq!(grants, ["authorization_code", "refresh_token"]);
    assert_ne!(o.tokens().await.unwrap().access_token, first);
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_before_it_is_sent() {
    let w = start().await;
    w.knobs(|k| k.expires_in = 10); // within the 60 s refresh margin
    let o = oauth(&w, &w.mcp_url());
    let c = connect(&w, &o).await;
    call(&c).await.unwrap();
    let before = w.seen().token_requests.len();
    c.list_tools().await.unwrap();
    let seen = w.seen();
    assert!(seen.token_requests.len() > before);
    assert_eq!(
        seen.token_requests.last().unwrap()["grant_type"],
        "refresh_token"
    );
    assert_eq!(seen.authorizations.len(), 1);
}

#[tokio::test]
async fn a_403_insufficient_scope_steps_up_with_the_union_of_scopes() {
    let w = start().await;
    w.knobs(|k| k.step_up = true);
    let o = oauth(&w, &w.mcp_url());
    let c = connect(&w, &o).await;
    c.list_tools().await.unwrap();
    assert!(call(&c).await.unwrap().contains("a protected answer"));
    let seen = w.seen();
    assert_eq!(seen.authorizations.len(), 2);
    let scopes: Vec<&str> = seen.authorizations[1]["scope"].split(' ').collect();
    for s in ["mcp:read", "mcp:write", "offline_access"] {
        assert!(scopes.contains(&s), "{scopes:?}");
    }
    // The registration of the same AS is reused.
    assert_eq!(seen.registrations.len(), 1);
}

#[tokio::test]
async fn step_up_that_is_never_granted_stops_at_the_retry_limit() {
    let w = start().await;
    w.knobs(|k| {
        k.step_up = true;
        k.withhold_write = true;
    });
    let o = oauth(&w, &w.mcp_url());
    let c = connect(&w, &o).await;
    for _ in 0..6 {
        assert!(call(&c).await.is_err());
        // Other requests go on with the token they have.
        c.list_tools().await.unwrap();
    }
    // One login, then at most 3 step-ups to the same scopes (the default max_attempts).
    assert_eq!(w.seen().authorizations.len(), 4);
    assert_eq!(o.last_error(), Some(OAuthError::RetryLimit(3)));
}

#[tokio::test]
async fn resource_metadata_for_another_resource_is_refused() {
    let w = start().await;
    w.knobs(|k| k.resource_override = Some("https://evil.example.com/mcp".into()));
    let o = oauth(&w, &w.mcp_url());
    assert!(connect_and_call(&w, &o).await.is_err());
    assert!(
        matches!(o.last_error(), Some(OAuthError::ResourceMismatch { .. })),
        "{:?}",
        o.last_error()
    );
    assert!(w.seen().authorizations.is_empty());
}

#[tokio::test]
async fn metadata_of_another_issuer_is_refused() {
    let w = start().await;
    w.knobs(|k| k.issuer_override = Some("https://attacker.example.com".into()));
    let o = oauth(&w, &w.mcp_url());
    assert!(connect_and_call(&w, &o).await.is_err());
    assert!(matches!(
        o.last_error(),
        Some(OAuthError::IssuerMismatch { .. })
    ));
    let seen = w.seen();
    assert!(seen.registrations.is_empty() && seen.authorizations.is_empty());
}

#[tokio::test]
async fn an_authorization_response_with_another_iss_is_refused() {
    let w = start().await;
    // A trailing slash is enough: the comparison is character for character.
    let wrong = format!("{}/", w.issuer());
    w.knobs(|k| k.iss = Some(wrong));
    let o = oauth(&w, &w.mcp_url());
    assert!(connect_and_call(&w, &o).await.is_err());
    assert!(matches!(
        o.last_error(),
        Some(OAuthError::AuthorizationResponse(_))
    ));
    let seen = w.seen();
    assert!(!seen.authorizations.is_empty());
    assert!(seen.token_requests.is_empty(), "the code was not exchanged");
    // Advertised but missing is refused too.
    w.knobs(|k| k.iss = Some(String::new()));
    assert!(connect_and_call(&w, &o).await.is_err());
    assert!(w.seen().token_requests.is_empty());
}

#[tokio::test]
async fn an_authorization_server_without_s256_is_refused() {
    let w = start().await;
    w.knobs(|k| k.s256 = false);
    let o = oauth(&w, &w.mcp_url());
    assert!(connect_and_call(&w, &o).await.is_err());
    assert_eq!(o.last_error(), Some(OAuthError::PkceUnsupported));
    let seen = w.seen();
    assert!(seen.authorizations.is_empty() && seen.registrations.is_empty());
}

#[cfg(unix)]
#[tokio::test]
async fn the_file_store_is_private_and_reused_by_the_next_run() {
    use std::os::unix::fs::PermissionsExt;
    let w = start().await;
    let dir = std::env::temp_dir().join(format!("fastmcp-oauth-{}", std::process::id()));
    let path = dir.join("sub").join("tokens.json");
    let build = || {
        OAuth::builder(w.mcp_url())
            .redirect(Redirect::Headless)
            .store(FileStore::new(&path))
            .build()
            .unwrap()
    };
    let o = build();
    let c = connect(&w, &o).await;
    call(&c).await.unwrap();
    c.close().await.unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(path.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
    // A new process (a new OAuth) on the same file sends the stored token at once.
    let o2 = build();
    let c2 = connect(&w, &o2).await;
    call(&c2).await.unwrap();
    assert_eq!(w.seen().authorizations.len(), 1);
    assert_eq!(w.seen().registrations.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn legacy_sse_is_authorized_too() {
    let w = start().await;
    let o = oauth(&w, &w.sse_url());
    let c = Client::connect(LegacySse::new(w.sse_url()).auth(Arc::new(o.clone())))
        .await
        .expect("connect over legacy SSE");
    assert!(call(&c).await.unwrap().contains("a protected answer"));
    assert_eq!(w.seen().authorizations.len(), 1);
}

#[tokio::test]
async fn an_mcp_config_entry_logs_in_with_oauth() {
    let w = start().await;
    let cfg = McpConfig::from_json(
        &json!({"mcpServers": {"p": {
            "url": w.mcp_url(),
            "auth": {"type": "oauth", "headless": true, "client_name": "from-config"}
        }}})
        .to_string(),
    )
    .unwrap();
    let c = cfg.servers["p"].connect(Client::builder()).await.unwrap();
    assert!(call(&c).await.unwrap().contains("a protected answer"));
    assert_eq!(w.seen().registrations[0]["client_name"], "from-config");
}

/// A writer that keeps everything logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// The subscriber is the process's global one: under `cargo test` the other tests of this
// binary run on other threads at the same time, and a thread's own subscriber
// (`set_default`) misses events whose callsites they registered first. What they log lands
// here too, and must hold no secret either.
#[tokio::test(flavor = "current_thread")]
async fn tokens_codes_and_secrets_are_never_logged() {
    let log = Captured::default();
    let sink = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    let w = start().await;
    w.knobs(|k| k.step_up = true);
    let o = oauth(&w, &w.mcp_url());
    let c = connect(&w, &o).await;
    call(&c).await.unwrap();
    w.revoke_access_tokens();
    call(&c).await.unwrap();
    // A failure too: its error is logged.
    w.knobs(|k| k.iss = Some("https://evil.example.com".into()));
    w.revoke_access_tokens();
    w.shared.lock().unwrap().refresh.clear();
    let _ = call(&c).await;
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("OAuth: authorized with"),
        "the log was captured"
    );
    assert!(text.contains("authorization response refused"));
    let seen = w.seen();
    assert!(seen.bearer_headers.len() >= 3);
    for h in &seen.bearer_headers {
        let t = h.strip_prefix("Bearer ").unwrap();
        assert!(!text.contains(t), "an access token was logged");
    }
    assert!(!text.contains("secret-refresh-token"));
    assert!(!text.contains("secret-access-token"));
    for t in &seen.token_requests {
        if let Some(code) = t.get("code") {
            assert!(!text.contains(&format!("code={code}")));
            assert!(!text.contains(&format!("\"{code}\"")));
        }
        if let Some(v) = t.get("code_verifier") {
            assert!(!text.contains(v.as_str()));
        }
    }
    // Neither do the Debug forms of what holds them.
    let dbg = format!("{:?}", o.tokens().await);
    assert!(!dbg.contains("secret-"), "{dbg}");
}
