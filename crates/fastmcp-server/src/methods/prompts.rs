//! `prompts/list` and `prompts/get`.

use fastmcp_core::Error;
use fastmcp_protocol::{GetPromptRequestParams, ListPromptsResult};
use serde_json::value::RawValue;
use serde_json::Value;

use super::stamp::stamp;
use crate::access;
use crate::call::{parse, raw, Call};
use crate::invoke::{run, Rounds};
use crate::pagination::requested;
use crate::provider::Provider;
use crate::runtime::Runtime;
use crate::visibility::{prompt_hidden, SessionHidden};

pub(crate) async fn list(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let mut all = rt.catalog.list_prompts(None).await?.items;
    if call.session.has_disabled() {
        all.retain(|p| !prompt_hidden(&SessionHidden(&call.session), &**p));
    }
    all.retain(|p| access::decide(rt, call, p.auth()).allowed());
    let (items, next) = requested(all, params, rt.config.page_size)?;
    let mut r = ListPromptsResult {
        prompts: items.iter().map(|h| h.prompt().clone()).collect(),
        next_cursor: next,
        ..Default::default()
    };
    stamp!(rt, call, r, list);
    raw(&r)
}

/// Made as [`super::resources::read`] is (for the size of its future).
#[allow(clippy::manual_async_fn)] // an `async fn` keeps its arguments twice
pub(crate) fn get<'a>(
    rt: &'a Runtime,
    call: &'a Call,
    params: Option<&'a RawValue>,
) -> impl std::future::Future<Output = Result<Box<RawValue>, Error>> + Send + 'a {
    async move {
        let ran = {
            let p: GetPromptRequestParams = parse(params)?;
            let h = rt
                .catalog
                .get_prompt(&p.name)
                .await?
                .filter(|h| !prompt_hidden(&SessionHidden(&call.session), &**h))
                .ok_or_else(|| Error::invalid_params(format!("Unknown prompt: {}", p.name)))?;
            access::admit(rt, call, h.auth(), &format_args!("prompt {}", p.name))?;
            if let Some(defs) = &h.prompt().arguments {
                let given = p.arguments.as_ref();
                for a in defs.iter().filter(|a| a.required == Some(true)) {
                    if given.is_none_or(|g| g.get(&a.name).is_none_or(Value::is_null)) {
                        return Err(Error::invalid_params(format!(
                            "Missing required argument `{}`",
                            a.name
                        )));
                    }
                }
            }
            let args = p.arguments.unwrap_or_default();
            let rounds = Some(Rounds::of(
                call,
                "prompts/get",
                &p.name,
                p.input_responses,
                p.request_state,
            ));
            run(rt, call, None, rounds, |ctx| h.get(ctx, args))
        }
        .await?;
        let (mut r, input_required) = ran.finish()?;
        if let Some(ir) = input_required {
            return raw(&ir);
        }
        stamp!(call, r);
        raw(&r)
    }
}
