//! Per-component authorization: `auth = …` on tools, resources, templates and prompts (and
//! in `#[tools]` impl blocks), `with_auth` on dynamic components, the server-wide policy.
//! Over HTTP with real tokens: what a caller may not use is absent from its lists; using
//! it anyway is a 403 `insufficient_scope` naming the scopes when scopes would help, and a
//! -32003 error otherwise. In memory, a middleware gives callers their identity.

mod support;

use std::net::SocketAddr;
use support::tool_names;

use fastmcp::auth::{ResourceServer, StaticTokens};
use fastmcp::client::Client;
use fastmcp::core::{Context, FnTool, Require};
use fastmcp::prelude::*;
use fastmcp::server::middleware::{CallNext, Middleware};
use fastmcp::server::{HttpOptions, McpRequest};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::{AuthInfo, Server};
use serde_json::{json, Map, Value};

/// Write a note.
#[tool(auth = scopes("notes:write"))]
async fn write_note(text: String) -> String {
    format!("wrote {text}")
}

/// Purge everything.
#[tool(auth = roles("admin"))]
async fn purge() -> String {
    "purged".into()
}

fn is_bob(who: &AuthInfo) -> bool {
    who.subject.as_deref() == Some("bob")
}

/// Bob, or whoever holds `notes:special`.
#[tool(auth = any(scopes("notes:special"), with(is_bob)))]
async fn special() -> String {
    "special".into()
}

/// Anyone.
#[tool]
async fn open() -> String {
    "open".into()
}

/// A nested call of `write_note` on behalf of the caller.
#[tool]
async fn relay(ctx: &Context) -> Result<String, Error> {
    let r = ctx
        .call_tool("write_note", json!({"text": "relayed"}))
        .await?;
    Ok(format!("{r:?}"))
}

/// The admins' notes.
#[resource("notes://secret", auth = scopes("notes:admin"))]
async fn secret() -> String {
    "secret".into()
}

/// One note.
#[resource("notes://n/{id}", auth = scopes("notes:read"))]
async fn note(id: String) -> String {
    format!("note {id}")
}

/// A prompt for editors.
#[prompt(auth = roles(claim = "groups", "editors"))]
async fn edit(topic: String) -> String {
    format!("Edit {topic}")
}

struct Desk;

#[tools]
impl Desk {
    /// Stamp a note (admins of the desk).
    #[tool(auth = all(scopes("notes:write"), roles("admin")))]
    async fn stamp(&self) -> String {
        "stamped".into()
    }
}

fn claims(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn server() -> Server {
    let dynamic = FnTool::typed(
        "dynamic_admin",
        "",
        |_: Context, _: Map<String, Value>| async { "dynamic" },
    )
    .with_auth(Require::scopes(["notes:admin"]));
    Server::new("component-auth", "1.0.0")
        .components((write_note, purge, special, open, relay))
        .resource(secret)
        .resource(note)
        .prompt(edit)
        .components(Desk)
        .tool(dynamic)
}

const READER: &str = "reader-token";
const WRITER: &str = "writer-token";
const ADMIN: &str = "admin-token";
const BOB: &str = "bob-token";

async fn serve_http(server: Server, policy: Option<Require>) -> SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let tokens = StaticTokens::new()
        .token(
            READER,
            AuthInfo::new()
                .with_subject("rita")
                .with_scopes(["notes:read"]),
        )
        .token(
            WRITER,
            AuthInfo::new()
                .with_subject("will")
                .with_scopes(["notes:read", "notes:write"])
                .with_claims(claims(json!({"groups": "editors staff"}))),
        )
        .token(
            ADMIN,
            AuthInfo::new()
                .with_subject("ada")
                .with_scopes(["notes:read", "notes:write", "notes:admin"])
                .with_claims(claims(json!({"roles": ["admin"]}))),
        )
        .token(
            BOB,
            AuthInfo::new()
                .with_subject("bob")
                .with_scopes(["notes:read"]),
        );
    let server = match policy {
        Some(p) => server.auth_policy(p),
        None => server,
    };
    let running = server.start().await.unwrap();
    let rs = ResourceServer::new(format!("http://{addr}/mcp"), tokens);
    tokio::spawn(async move { running.serve_http(l, HttpOptions::default().auth(rs)).await });
    addr
}

async fn client(addr: SocketAddr, token: &str) -> Client {
    Client::connect(
        StreamableHttp::new(format!("http://{addr}/mcp"))
            .header("Authorization", format!("Bearer {token}")),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn each_caller_lists_what_it_may_use() {
    let addr = serve_http(server(), None).await;
    let reader = client(addr, READER).await;
    assert_eq!(tool_names(&reader).await, ["open", "relay"]);
    let bob = client(addr, BOB).await;
    assert_eq!(tool_names(&bob).await, ["open", "relay", "special"]);
    let writer = client(addr, WRITER).await;
    assert_eq!(tool_names(&writer).await, ["open", "relay", "write_note"]);
    let admin = client(addr, ADMIN).await;
    assert_eq!(
        tool_names(&admin).await,
        [
            "dynamic_admin",
            "open",
            "purge",
            "relay",
            "stamp",
            "write_note"
        ]
    );

    let uris = |c: Client| async move {
        let r: Vec<String> = c
            .list_resources()
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.uri)
            .collect();
        let t: Vec<String> = c
            .list_resource_templates()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.uri_template)
            .collect();
        let p: Vec<String> = c
            .list_prompts()
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        (r, t, p)
    };
    assert_eq!(
        uris(reader).await,
        (vec![], vec!["notes://n/{id}".to_owned()], vec![])
    );
    assert_eq!(
        uris(writer).await,
        (
            vec![],
            vec!["notes://n/{id}".to_owned()],
            vec!["edit".to_owned()]
        )
    );
    assert_eq!(
        uris(admin).await,
        (
            vec!["notes://secret".to_owned()],
            vec!["notes://n/{id}".to_owned()],
            vec![]
        )
    );
}

/// A raw `tools/call` (stateless era) with `token`: the status, the challenge, the body.
async fn raw_call(addr: SocketAddr, token: &str, tool: &str) -> (u16, String, Value) {
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
        "name": tool, "arguments": {"text": "x"}, "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
            "io.modelcontextprotocol/clientCapabilities": {}}}});
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", tool)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let challenge = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, challenge, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_hidden_component_called_by_name_is_refused() {
    let addr = serve_http(server(), None).await;
    // Scopes would fix it: 403 with the scopes to ask for.
    let (status, challenge, body) = raw_call(addr, READER, "write_note").await;
    assert_eq!(status, 403, "{body}");
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(
        challenge.contains("scope=\"notes:read notes:write\""),
        "{challenge}"
    );
    assert!(!body.to_string().contains("wrote"));
    // No scope would: a JSON-RPC error, -32003.
    let (status, _, body) = raw_call(addr, WRITER, "purge").await;
    assert_eq!(status, 200);
    assert_eq!(body["error"]["code"], -32003, "{body}");
    assert!(body["error"].get("data").is_none(), "{body}");
    // Allowed.
    let (status, _, body) = raw_call(addr, WRITER, "write_note").await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["content"][0]["text"], "wrote x");
    // Our client sees the JSON-RPC refusal as an error, and the resource read too.
    let reader = client(addr, READER).await;
    let e = reader.call_tool("purge", json!({})).await.unwrap_err();
    assert_eq!(e.code(), -32003, "{e}");
    let bob = client(addr, BOB).await;
    assert!(bob.call_tool("special", json!({})).await.is_ok());
}

#[tokio::test]
async fn a_nested_call_cannot_reach_what_its_caller_may_not_use() {
    let addr = serve_http(server(), None).await;
    let reader = client(addr, READER).await;
    let r = reader.call_tool("relay", json!({})).await.unwrap();
    assert_eq!(r.is_error, Some(true), "{r:?}");
    let writer = client(addr, WRITER).await;
    let r = writer.call_tool("relay", json!({})).await.unwrap();
    assert_ne!(r.is_error, Some(true), "{r:?}");
}

#[tokio::test]
async fn the_server_policy_adds_to_each_components_own() {
    let addr = serve_http(server(), Some(Require::scopes(["notes:write"]))).await;
    let reader = client(addr, READER).await;
    assert!(tool_names(&reader).await.is_empty());
    let (status, challenge, _) = raw_call(addr, READER, "open").await;
    assert_eq!(status, 403);
    assert!(challenge.contains("notes:write"), "{challenge}");
    let writer = client(addr, WRITER).await;
    assert_eq!(tool_names(&writer).await, ["open", "relay", "write_note"]);
}

/// Gives every request the identity named by its session's client name: how a server
/// authenticates stdio or in-memory callers its own way.
struct ByClientName;

impl Middleware for ByClientName {
    fn on_message(
        &self,
        mut req: McpRequest,
        next: CallNext,
    ) -> fastmcp::core::BoxFuture<'_, Result<Box<serde_json::value::RawValue>, Error>> {
        if let Some(info) = req.session().client_info() {
            if info.name == "trusted" {
                req.set_auth(
                    AuthInfo::new()
                        .with_subject("local")
                        .with_scopes(["notes:write"]),
                );
            }
        }
        next.run(req)
    }
}

#[tokio::test]
async fn without_an_identity_nothing_that_requires_one_is_usable() {
    let running = server().start().await.unwrap();
    // In memory, nobody proved anything: only the open tools.
    let anon = Client::connect(running.connect_in_memory()).await.unwrap();
    assert_eq!(tool_names(&anon).await, ["open", "relay"]);
    let e = anon
        .call_tool("write_note", json!({"text": "x"}))
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32003);
    assert!(e.message().contains("authenticated"), "{}", e.message());

    // A middleware can give callers an identity.
    let running = server().middleware(ByClientName).start().await.unwrap();
    let trusted = Client::builder()
        .info("trusted", "1")
        .connect(running.connect_in_memory())
        .await
        .unwrap();
    assert_eq!(tool_names(&trusted).await, ["open", "relay", "write_note"]);
    let r = trusted
        .call_tool("write_note", json!({"text": "y"}))
        .await
        .unwrap();
    assert_eq!(r.content[0].as_text(), Some("wrote y"));
}
