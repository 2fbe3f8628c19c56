//! A small real OAuth world on 127.0.0.1 for the client's OAuth tests: an authorization
//! server (metadata, auto-approving `/authorize`, `/token`, `/register`) and one of our
//! own MCP servers (Streamable HTTP and legacy SSE) behind an axum middleware that checks
//! the bearer token against the tokens the authorization server issued.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use fastmcp_core::FnTool;
use fastmcp_protocol::{CallToolResult, Tool};
use fastmcp_server::{HttpOptions, Server};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// How the authorization server behaves (tests change it between steps).
#[derive(Debug, Clone)]
pub struct Knobs {
    /// The `issuer` its metadata claims (default: its real one).
    pub issuer_override: Option<String>,
    /// Whether `S256` is listed in `code_challenge_methods_supported`.
    pub s256: bool,
    /// The `iss` of the redirect: `None` = the right one, `Some("")` = none.
    pub iss: Option<String>,
    /// `expires_in` of access tokens.
    pub expires_in: u64,
    /// The resource server's metadata names this resource (default: its real URL).
    pub resource_override: Option<String>,
    /// `tools/call` needs the scope `mcp:write` (403 `insufficient_scope` otherwise).
    pub step_up: bool,
    /// The authorization server never grants `mcp:write`.
    pub withhold_write: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            issuer_override: None,
            s256: true,
            iss: None,
            expires_in: 3600,
            resource_override: None,
            step_up: false,
            withhold_write: false,
        }
    }
}

/// What the authorization server saw.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    pub registrations: Vec<Value>,
    /// The query of each authorization request.
    pub authorizations: Vec<HashMap<String, String>>,
    /// The form of each token request.
    pub token_requests: Vec<HashMap<String, String>>,
    /// Every `Authorization` header the resource server received.
    pub bearer_headers: Vec<String>,
}

#[derive(Default)]
pub struct Shared {
    pub knobs: Knobs,
    pub seen: Seen,
    /// Valid access tokens and their scopes.
    pub tokens: HashMap<String, Vec<String>>,
    pub refresh: HashMap<String, Vec<String>>,
    /// code -> (challenge, scopes, resource)
    codes: HashMap<String, (String, Vec<String>, String)>,
    counter: u64,
}

/// The running world.
#[derive(Clone)]
pub struct World {
    pub shared: Arc<Mutex<Shared>>,
    pub as_addr: SocketAddr,
    pub rs_addr: SocketAddr,
}

impl World {
    pub fn issuer(&self) -> String {
        format!("http://{}", self.as_addr)
    }
    pub fn mcp_url(&self) -> String {
        format!("http://{}/mcp", self.rs_addr)
    }
    pub fn sse_url(&self) -> String {
        format!("http://{}/sse", self.rs_addr)
    }
    pub fn knobs(&self, f: impl FnOnce(&mut Knobs)) {
        f(&mut self.shared.lock().unwrap().knobs)
    }
    pub fn seen(&self) -> Seen {
        self.shared.lock().unwrap().seen.clone()
    }
    /// Every access token stops being accepted (as if expired).
    pub fn revoke_access_tokens(&self) {
        self.shared.lock().unwrap().tokens.clear();
    }
}

/// Start the authorization server and the resource server.
pub async fn start() -> World {
    let shared = Arc::new(Mutex::new(Shared::default()));
    let as_l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let rs_l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let world = World {
        shared: shared.clone(),
        as_addr: as_l.local_addr().unwrap(),
        rs_addr: rs_l.local_addr().unwrap(),
    };
    let as_app = Router::new()
        .route("/.well-known/oauth-authorization-server", get(as_metadata))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/register", post(register))
        .with_state(world.clone());
    tokio::spawn(async move { axum::serve(as_l, as_app).await });

    let running = Server::new("protected", "1.0.0")
        .tool(FnTool::new(
            Tool::new("whoami", json!({"type": "object"})),
            |_ctx, _args| async { Ok(CallToolResult::text("a protected answer")) },
        ))
        .start()
        .await
        .unwrap();
    let opts = HttpOptions::default().allow_any_host();
    let mcp = running
        .streamable_http(opts.clone())
        .merge(running.legacy_sse(opts));
    let rs_app = Router::new()
        .route("/.well-known/oauth-protected-resource", get(prm))
        .with_state(world.clone())
        .merge(mcp.layer(axum::middleware::from_fn_with_state(world.clone(), guard)));
    tokio::spawn(async move {
        let _keep = running;
        axum::serve(rs_l, rs_app).await
    });
    world
}

async fn as_metadata(State(w): State<World>) -> Json<Value> {
    let s = w.shared.lock().unwrap();
    let issuer = w.issuer();
    Json(json!({
        "issuer": s.knobs.issuer_override.clone().unwrap_or(issuer.clone()),
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "registration_endpoint": format!("{issuer}/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": if s.knobs.s256 { json!(["S256"]) } else { json!(["plain"]) },
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": ["mcp:read", "mcp:write", "offline_access"],
        "authorization_response_iss_parameter_supported": true,
    }))
}

async fn authorize(State(w): State<World>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut s = w.shared.lock().unwrap();
    s.seen.authorizations.push(q.clone());
    if q.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return (StatusCode::BAD_REQUEST, "S256 only").into_response();
    }
    s.counter += 1;
    let code = format!("code-{}", s.counter);
    let withhold = s.knobs.withhold_write;
    let scopes = q
        .get("scope")
        .map(|x| {
            x.split(' ')
                .filter(|x| !(withhold && *x == "mcp:write"))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    s.codes.insert(
        code.clone(),
        (
            q.get("code_challenge").cloned().unwrap_or_default(),
            scopes,
            q.get("resource").cloned().unwrap_or_default(),
        ),
    );
    let mut to = reqwest::Url::parse(&q["redirect_uri"]).unwrap();
    to.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", q.get("state").map(String::as_str).unwrap_or(""));
    match s.knobs.iss.as_deref() {
        None => {
            to.query_pairs_mut().append_pair("iss", &w.issuer());
        }
        Some("") => {}
        Some(other) => {
            to.query_pairs_mut().append_pair("iss", other);
        }
    }
    Redirect::to(to.as_str()).into_response()
}

fn issue(s: &mut Shared, scopes: Vec<String>) -> Value {
    s.counter += 1;
    let at = format!("secret-access-token-{}", s.counter);
    let rt = format!("secret-refresh-token-{}", s.counter);
    s.tokens.insert(at.clone(), scopes.clone());
    s.refresh.insert(rt.clone(), scopes.clone());
    json!({
        "access_token": at,
        "token_type": "Bearer",
        "expires_in": s.knobs.expires_in,
        "refresh_token": rt,
        "scope": scopes.join(" "),
    })
}

async fn token(State(w): State<World>, Form(f): Form<HashMap<String, String>>) -> Response {
    let mut s = w.shared.lock().unwrap();
    s.seen.token_requests.push(f.clone());
    let bad = |e: &str| (StatusCode::BAD_REQUEST, Json(json!({"error": e}))).into_response();
    match f.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let Some((challenge, scopes, resource)) = f.get("code").and_then(|c| s.codes.remove(c))
            else {
                return bad("invalid_grant");
            };
            let verifier = f.get("code_verifier").cloned().unwrap_or_default();
            if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != challenge {
                return bad("invalid_grant");
            }
            if f.get("resource") != Some(&resource) {
                return bad("invalid_target");
            }
            Json(issue(&mut s, scopes)).into_response()
        }
        Some("refresh_token") => {
            let Some(scopes) = f.get("refresh_token").and_then(|r| s.refresh.remove(r)) else {
                return bad("invalid_grant");
            };
            Json(issue(&mut s, scopes)).into_response()
        }
        _ => bad("unsupported_grant_type"),
    }
}

async fn register(State(w): State<World>, Json(body): Json<Value>) -> Response {
    let mut s = w.shared.lock().unwrap();
    s.seen.registrations.push(body);
    s.counter += 1;
    let id = format!("dyn-client-{}", s.counter);
    (
        StatusCode::CREATED,
        Json(json!({"client_id": id, "token_endpoint_auth_method": "none"})),
    )
        .into_response()
}

async fn prm(State(w): State<World>) -> Json<Value> {
    let s = w.shared.lock().unwrap();
    Json(json!({
        "resource": s.knobs.resource_override.clone().unwrap_or(format!("http://{}", w.rs_addr)),
        "authorization_servers": [w.issuer()],
        "scopes_supported": ["mcp:read", "mcp:write"],
    }))
}

/// The resource server's check: a bearer token the authorization server issued, with
/// `mcp:write` for `tools/call` when step-up is on.
async fn guard(State(w): State<World>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let is_call = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("method").and_then(Value::as_str).map(str::to_owned))
        .as_deref()
        == Some("tools/call");
    let header = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let prm_url = format!("http://{}/.well-known/oauth-protected-resource", w.rs_addr);
    let verdict = {
        let mut s = w.shared.lock().unwrap();
        if let Some(h) = &header {
            s.seen.bearer_headers.push(h.clone());
        }
        let scopes = header
            .as_deref()
            .and_then(|h| h.strip_prefix("Bearer "))
            .and_then(|t| s.tokens.get(t).cloned());
        match scopes {
            None => Some((
                StatusCode::UNAUTHORIZED,
                format!(
                    r#"Bearer error="invalid_token", scope="mcp:read", resource_metadata="{prm_url}""#
                ),
            )),
            Some(sc) if s.knobs.step_up && is_call && !sc.iter().any(|x| x == "mcp:write") => {
                Some((
                    StatusCode::FORBIDDEN,
                    format!(
                        r#"Bearer error="insufficient_scope", scope="mcp:write", resource_metadata="{prm_url}""#
                    ),
                ))
            }
            Some(_) => None,
        }
    };
    if let Some((status, www)) = verdict {
        return (status, [(header::WWW_AUTHENTICATE, www)]).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
