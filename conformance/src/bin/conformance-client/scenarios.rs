//! What `conformance-client` does in each client scenario of the official suite
//! (`@modelcontextprotocol/conformance`, 0.1.16 and 0.2.0-alpha.12). Each scenario starts
//! a mock server and checks what the client sends it; conformance/CLIENT_SUITE_STATUS.md
//! lists them with what they check.

use fastmcp::client::Client;
use fastmcp::core::Error;
use fastmcp::protocol::CallToolResult;
use serde_json::{json, Value};

use crate::handler::fill_form;

/// Whether the client has a behaviour for `scenario` (others get the generic one).
pub fn known(scenario: &str) -> bool {
    scenario.starts_with("auth/")
        || matches!(
            scenario,
            "initialize"
                | "tools_call"
                | "elicitation-sep1034-client-defaults"
                | "sse-retry"
                | "request-metadata"
                | "sep-2322-client-request-state"
                | "http-standard-headers"
                | "http-custom-headers"
                | "http-invalid-tool-headers"
                | "json-schema-ref-no-deref"
                | "json-schema-2020-12-preservation"
                | "sep-2640-client-no-prefetch"
                | "sep-2640-client-verify-digest"
                | "sep-2640-client-verify-size"
                | "sep-2640-client-verify-frontmatter"
        )
}

/// Run `scenario` on a connected client. `context` is the suite's
/// `MCP_CONFORMANCE_CONTEXT` (an object, `{}` when absent).
pub async fn run(scenario: &str, context: &Value, client: &Client) -> Result<(), Error> {
    match scenario {
        // What the suite's own example client does: list the tools, call `test-tool`.
        s if s.starts_with("auth/") => {
            client.list_tools().await?;
            let r = client.call_tool("test-tool", json!({})).await?;
            expect_ok("test-tool", &r)?;
        }
        // The handshake itself is checked; list the tools as a first request after it.
        "initialize" | "json-schema-ref-no-deref" => {
            client.list_tools().await?;
        }
        s if s.starts_with("sep-2640-client-") => skills(s, client).await?,
        "tools_call" | "elicitation-sep1034-client-defaults" => {
            let (name, args) = match scenario {
                "tools_call" => ("add_numbers", json!({"a": 5, "b": 3})),
                _ => ("test_client_elicitation_defaults", json!({})),
            };
            client.list_tools().await?;
            let r = client.call_tool(name, args).await?;
            expect_ok(name, &r)?;
        }
        // The tool's response stream closes before the result: the transport resumes it
        // with GET and Last-Event-ID after the event stream's `retry`.
        "sse-retry" => {
            client.list_tools().await?;
            let r = client.call_tool("test_reconnection", json!({})).await?;
            expect_ok("test_reconnection", &r)?;
        }
        // The first request is refused with -32022 (unsupported version); the client
        // retries with a version from the error's `supported` list.
        "request-metadata" => {
            client.discover().await?;
            client.list_tools().await?;
        }
        // MRTR (input_required rounds) with and without requestState, an unrelated call
        // in between, and a result without resultType.
        "sep-2322-client-request-state" => request_state(client).await?,
        // Mcp-Method on every POST, Mcp-Name on tools/call, resources/read, prompts/get.
        "http-standard-headers" => {
            call_every_tool(client).await?;
            for r in client.list_resources().await? {
                client.read_resource(&r.uri).await?;
            }
            for p in client.list_prompts().await? {
                client.get_prompt(&p.name, json!({})).await?;
            }
        }
        // Arguments of x-mcp-header parameters mirrored into Mcp-Param-* headers.
        "http-custom-headers" => {
            client.list_tools().await?;
            for (name, args) in tool_calls(context) {
                client.call_tool(&name, args).await?;
            }
        }
        // Tools with invalid x-mcp-header annotations are left out of the tool list; every
        // tool that remains is called.
        "http-invalid-tool-headers" => call_every_tool(client).await?,
        // The focal tool's inputSchema, as the client parsed it, sent back verbatim.
        "json-schema-2020-12-preservation" => schema_preservation(client).await?,
        // Anything else: list the tools and call each, with the arguments the context names
        // or ones made from the tool's input schema.
        _ => {
            let calls = tool_calls(context);
            if calls.is_empty() {
                call_every_tool(client).await?;
            } else {
                client.list_tools().await?;
                for (name, args) in calls {
                    client.call_tool(&name, args).await?;
                }
            }
        }
    }
    Ok(())
}

/// List the tools and call each with arguments made from its input schema.
async fn call_every_tool(client: &Client) -> Result<(), Error> {
    for t in client.list_tools().await? {
        client
            .call_tool(&t.name, fill_form(&t.input_schema))
            .await?;
    }
    Ok(())
}

/// `sep-2322-client-request-state`: two MRTR calls at once, then the ones without state or
/// result type.
async fn request_state(client: &Client) -> Result<(), Error> {
    client.list_tools().await?;
    let echo = client.call_tool("test_mrtr_echo_state", json!({}));
    let unrelated = client.call_tool("test_mrtr_unrelated", json!({}));
    let (echo, unrelated) = futures_join(echo, unrelated).await;
    expect_ok("test_mrtr_echo_state", &echo?)?;
    expect_ok("test_mrtr_unrelated", &unrelated?)?;
    for tool in ["test_mrtr_no_state", "test_mrtr_no_result_type"] {
        expect_ok(tool, &client.call_tool(tool, json!({})).await?)?;
    }
    Ok(())
}

/// `json-schema-2020-12-preservation`: the focal tool's schema, as parsed, sent back.
async fn schema_preservation(client: &Client) -> Result<(), Error> {
    let tools = client.list_tools().await?;
    let focal = tools
        .iter()
        .find(|t| t.name == "json_schema_2020_12_tool")
        .ok_or_else(|| Error::internal("no json_schema_2020_12_tool in tools/list"))?;
    let r = client
        .call_tool(
            "json_schema_echo",
            json!({"schema": focal.input_schema.clone()}),
        )
        .await?;
    expect_ok("json_schema_echo", &r)
}

/// The `toolCalls` of a scenario's context: `[{"name": ..., "arguments": {...}}]`.
fn tool_calls(context: &Value) -> Vec<(String, Value)> {
    context
        .get("toolCalls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let name = c.get("name")?.as_str()?.to_owned();
            Some((name, c.get("arguments").cloned().unwrap_or(json!({}))))
        })
        .collect()
}

fn expect_ok(tool: &str, r: &CallToolResult) -> Result<(), Error> {
    if r.is_error() {
        return Err(Error::tool(format!(
            "{tool} returned an error: {}",
            serde_json::to_string(&r.content).unwrap_or_default()
        )));
    }
    Ok(())
}

/// Both futures, concurrently.
async fn futures_join<A, B>(a: A, b: B) -> (A::Output, B::Output)
where
    A: std::future::Future,
    B: std::future::Future,
{
    tokio::join!(a, b)
}

/// The skills extension: listing reads nothing ahead (`no-prefetch`); in the `verify-*`
/// scenarios the first skill is loaded, and only a SKILL.md that checks out leads to its
/// other files.
async fn skills(scenario: &str, client: &Client) -> Result<(), Error> {
    let entries = client.list_skills().await?;
    if scenario == "sep-2640-client-no-prefetch" {
        return Ok(());
    }
    let entry = entries
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal("no skill listed"))?;
    match client.load_skill(&entry).await {
        Ok(_) => {
            if let fastmcp::client::skills::SkillResources::Files(files) = &entry.resources {
                for f in files.iter().filter(|f| f.uri != entry.uri) {
                    client.read_skill_file(&entry, &f.uri).await?;
                }
            }
        }
        Err(e) => eprintln!("conformance-client: skill refused: {e}"),
    }
    Ok(())
}
