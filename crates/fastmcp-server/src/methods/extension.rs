//! A method an extension adds: run like any handler (in the request's scope, with its
//! budget, in a fresh context; in the stateless era, input requests replayed).

use std::sync::Arc;

use fastmcp_core::Error;
use serde_json::value::RawValue;

use crate::call::{raw, Call};
use crate::invoke::{run, Rounds};
use crate::runtime::Runtime;
use crate::Extension;

pub(super) async fn handle(
    rt: &Runtime,
    call: &Call,
    ext: Arc<dyn Extension>,
    method: &str,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let owned = params.map(|p| p.to_owned());
    // The stateless era's earlier input rounds, as for a tool call.
    #[derive(serde::Deserialize, Default)]
    #[serde(rename_all = "camelCase")]
    struct RoundParams {
        input_responses: Option<fastmcp_protocol::InputResponses>,
        request_state: Option<String>,
    }
    let r: RoundParams = params
        .and_then(|p| serde_json::from_str(p.get()).ok())
        .unwrap_or_default();
    let rounds = Rounds::of(call, method, &ext.id(), r.input_responses, r.request_state);
    let m = method.to_owned();
    let ran = run(rt, call, None, Some(rounds), move |ctx| {
        ext.handle(ctx, m, owned)
    })
    .await?;
    if let Some(ir) = ran.input_required {
        return raw(&ir);
    }
    let mut result = ran.outcome.into_result()?;
    // Every result of the stateless era says what it is.
    if let (true, Some(o)) = (call.stateless(), result.as_object_mut()) {
        o.entry("resultType").or_insert_with(|| "complete".into());
    }
    raw(&result)
}
