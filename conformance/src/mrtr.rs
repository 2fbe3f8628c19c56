//! The fixtures of the `input-required-result-*` scenarios (SEP-2322, 2026-07-28).
//!
//! They are ordinary handlers: in the stateless era every `ctx.elicit_raw`,
//! `ctx.sample` or `ctx.list_roots` whose answer is not known yet ends the round with
//! an `InputRequiredResult` (the framework seals the answers so far into `requestState`),
//! and the handler is replayed when the client retries. In the handshake era the same
//! calls are real requests to the client. Each input request is asked under the key the
//! suite documents (`ctx.keyed("user_name")`…): the suite answers by those keys, sometimes
//! without a `requestState`.

use fastmcp::core::Keyed;
use fastmcp::prelude::*;
use fastmcp::protocol::{CreateMessageRequestParams, ElicitResult};
use serde_json::{json, Value};

/// A one-field form: `{name: type}`, required.
fn form(field: &str, ty: &str) -> Value {
    json!({
        "type": "object",
        "properties": { field: { "type": ty } },
        "required": [field]
    })
}

/// The value of a field the user submitted, as text.
fn field(r: &ElicitResult, name: &str) -> String {
    match r.content.as_ref().and_then(|c| c.get(name)) {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => format!("<no {name}>"),
    }
}

/// Ask the client's model `prompt` under the key of `ask`; the text of its reply.
async fn sample_text(ask: Keyed<'_>, prompt: &str, max_tokens: u32) -> Result<String, Error> {
    let params: CreateMessageRequestParams = serde_json::from_value(json!({
        "messages": [{ "role": "user", "content": { "type": "text", "text": prompt } }],
        "maxTokens": max_tokens
    }))
    .map_err(|e| Error::internal(e.to_string()))?;
    let result = serde_json::to_value(ask.sample(params).await?)
        .map_err(|e| Error::internal(e.to_string()))?;
    let content = &result["content"];
    let text = if content.is_array() {
        &content[0]["text"]
    } else {
        &content["text"]
    };
    Ok(text.as_str().unwrap_or_default().to_owned())
}

/// Greets the user after asking their name (input key `user_name`).
#[tool]
async fn test_input_required_result_elicitation(ctx: &Context) -> Result<String, Error> {
    let r = ctx
        .keyed("user_name")
        .elicit_raw("What is your name?", form("name", "string"))
        .await?;
    Ok(format!("Hello, {}!", field(&r, "name")))
}

/// Asks the client's model a question (input key `capital_question`).
#[tool]
async fn test_input_required_result_sampling(ctx: &Context) -> Result<String, Error> {
    let answer = sample_text(
        ctx.keyed("capital_question"),
        "What is the capital of France?",
        100,
    )
    .await?;
    Ok(format!("Sampling response: {answer}"))
}

/// Lists the client's roots (input key `client_roots`).
#[tool]
async fn test_input_required_result_list_roots(ctx: &Context) -> Result<String, Error> {
    let roots = ctx.keyed("client_roots").list_roots().await?;
    let uris: Vec<&str> = roots.iter().map(|r| r.uri.as_str()).collect();
    Ok(format!("Client roots: {}", uris.join(", ")))
}

/// Asks for a confirmation; the answer comes back with the sealed `requestState`, which the
/// framework verifies before the handler is replayed (input key `confirm`).
#[tool]
async fn test_input_required_result_request_state(ctx: &Context) -> Result<String, Error> {
    let r = ctx
        .keyed("confirm")
        .elicit_raw("Please confirm", form("ok", "boolean"))
        .await?;
    Ok(format!("state-ok: confirmed={}", field(&r, "ok")))
}

/// Asks for an elicitation, a sampling and the roots in one round (input keys
/// `user_name`, `greeting`, `client_roots`).
#[tool]
async fn test_input_required_result_multiple_inputs(ctx: &Context) -> Result<String, Error> {
    let (user_name, client_roots) = (ctx.keyed("user_name"), ctx.keyed("client_roots"));
    // Concurrent, so that every input request is collected before the round ends.
    let (name, greeting, roots) = tokio::join!(
        user_name.elicit_raw("What is your name?", form("name", "string")),
        sample_text(ctx.keyed("greeting"), "Generate a greeting", 50),
        client_roots.list_roots(),
    );
    let (name, greeting, roots) = (name?, greeting?, roots?);
    Ok(format!(
        "name={}, greeting={greeting}, roots={}",
        field(&name, "name"),
        roots.len()
    ))
}

/// Asks two questions, one round after the other (input keys `step1`, `step2`).
#[tool]
async fn test_input_required_result_multi_round(ctx: &Context) -> Result<String, Error> {
    let name = ctx
        .keyed("step1")
        .elicit_raw("Step 1: What is your name?", form("name", "string"))
        .await?;
    let color = ctx
        .keyed("step2")
        .elicit_raw(
            "Step 2: What is your favorite color?",
            form("color", "string"),
        )
        .await?;
    Ok(format!(
        "Completed: name={}, color={}",
        field(&name, "name"),
        field(&color, "color")
    ))
}

/// Asks for a confirmation; a tampered `requestState` is refused by the framework's seal.
#[tool]
async fn test_input_required_result_tampered_state(ctx: &Context) -> Result<String, Error> {
    let r = ctx
        .elicit_raw("Please confirm", form("ok", "boolean"))
        .await?;
    Ok(format!("Confirmed: {}", field(&r, "ok")))
}

/// Asks only for what the client declared: sampling, elicitation and roots each when
/// the client has the capability.
#[tool]
async fn test_input_required_result_capabilities(ctx: &Context) -> Result<String, Error> {
    let caps = ctx.client_capabilities();
    let sampling = async {
        match caps.sampling {
            Some(_) => Some(ctx.sample_text("Say hello", 20).await),
            None => None,
        }
    };
    let elicitation = async {
        match caps.elicitation {
            Some(_) => Some(
                ctx.elicit_raw("What is your name?", form("name", "string"))
                    .await,
            ),
            None => None,
        }
    };
    let roots = async {
        match caps.roots {
            Some(_) => Some(ctx.list_roots().await),
            None => None,
        }
    };
    let (s, e, r) = tokio::join!(sampling, elicitation, roots);
    let mut parts = vec![];
    if let Some(s) = s {
        parts.push(format!("sampling={}", s?));
    }
    if let Some(e) = e {
        parts.push(format!("elicitation={}", field(&e?, "name")));
    }
    if let Some(r) = r {
        parts.push(format!("roots={}", r?.len()));
    }
    if parts.is_empty() {
        return Ok("The client declared no capability to ask with".to_owned());
    }
    Ok(parts.join(", "))
}

/// A prompt that asks the user for its context first (InputRequiredResult on
/// `prompts/get`, input key `user_context`).
#[prompt]
async fn test_input_required_result_prompt(ctx: &Context) -> Result<Vec<PromptMessage>, Error> {
    let r = ctx
        .keyed("user_context")
        .elicit_raw(
            "What context should the prompt use?",
            form("context", "string"),
        )
        .await?;
    Ok(vec![PromptMessage::user_text(format!(
        "Answer using this context: {}",
        field(&r, "context")
    ))])
}

/// Register the fixtures of this module.
pub fn register(server: Server) -> Server {
    server
        .tool(test_input_required_result_elicitation)
        .tool(test_input_required_result_sampling)
        .tool(test_input_required_result_list_roots)
        .tool(test_input_required_result_request_state)
        .tool(test_input_required_result_multiple_inputs)
        .tool(test_input_required_result_multi_round)
        .tool(test_input_required_result_tampered_state)
        .tool(test_input_required_result_capabilities)
        .prompt(test_input_required_result_prompt)
}
