//! `completion/complete`: values for a prompt's or a template's argument.

use fastmcp_core::Error;
use fastmcp_protocol::{CompleteRequestParams, CompleteResult, Reference};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::stamp::stamp;
use crate::access;
use crate::call::{parse, raw, Call};
use crate::invoke::run;
use crate::provider::Provider;
use crate::runtime::Runtime;

/// At most this many values in one answer (the protocol's limit).
const MAX_VALUES: usize = 100;

pub(crate) async fn complete(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let p: CompleteRequestParams = parse(params)?;
    let context: Map<String, Value> = p
        .context
        .and_then(|c| c.arguments)
        .map(|a| a.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
        .unwrap_or_default();
    let (name, value) = (p.argument.name, p.argument.value);
    let ran = match p.r#ref {
        Reference::Prompt(r) => {
            let h = rt
                .catalog
                .get_prompt(&r.name)
                .await?
                .ok_or_else(|| Error::invalid_params(format!("Unknown prompt: {}", r.name)))?;
            access::admit(rt, call, h.auth(), &format_args!("prompt {}", r.name))?;
            run(rt, call, None, None, |ctx| {
                h.complete(ctx, name, value, context)
            })
            .await?
        }
        Reference::Resource(r) => {
            let t = rt.catalog.get_template(&r.uri).await?.ok_or_else(|| {
                Error::invalid_params(format!("Unknown resource template: {}", r.uri))
            })?;
            let h = t.handler().clone();
            access::admit(
                rt,
                call,
                h.auth(),
                &format_args!("resource template {}", r.uri),
            )?;
            run(rt, call, None, None, |ctx| {
                h.complete(ctx, name, value, context)
            })
            .await?
        }
    };
    let mut r: CompleteResult = ran.outcome.into_result()?;
    r.completion.values.truncate(MAX_VALUES);
    stamp!(call, r);
    raw(&r)
}
