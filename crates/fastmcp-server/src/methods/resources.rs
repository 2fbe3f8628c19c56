//! `resources/list`, `resources/templates/list` and `resources/read`.

use fastmcp_core::Error;
use fastmcp_protocol::{
    ListResourceTemplatesResult, ListResourcesResult, ReadResourceRequestParams,
};
use futures::future::Either;
use serde_json::value::RawValue;

use super::stamp::stamp;
use crate::access;
use crate::call::{parse, raw, Call};
use crate::invoke::{run, Rounds};
use crate::pagination::requested;
use crate::provider::{Provider, ResourceTarget};
use crate::runtime::Runtime;
use crate::visibility::{resource_hidden, target_hidden, template_hidden, SessionHidden};

pub(crate) async fn list(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let mut all = rt.catalog.list_resources(None).await?.items;
    if call.session.has_disabled() {
        all.retain(|r| !resource_hidden(&SessionHidden(&call.session), &**r));
    }
    all.retain(|r| access::decide(rt, call, r.auth()).allowed());
    let (items, next) = requested(all, params, rt.config.page_size)?;
    let mut r = ListResourcesResult {
        resources: items.iter().map(|h| h.resource().clone()).collect(),
        next_cursor: next,
        ..Default::default()
    };
    stamp!(rt, call, r, list);
    raw(&r)
}

pub(crate) async fn list_templates(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let mut all = rt.catalog.list_templates(None).await?.items;
    if call.session.has_disabled() {
        all.retain(|t| !template_hidden(&SessionHidden(&call.session), t));
    }
    all.retain(|t| access::decide(rt, call, t.handler().auth()).allowed());
    let (items, next) = requested(all, params, rt.config.page_size)?;
    let mut r = ListResourceTemplatesResult {
        resource_templates: items
            .iter()
            .map(|t| t.handler().template().clone())
            .collect(),
        next_cursor: next,
        ..Default::default()
    };
    stamp!(rt, call, r, list);
    raw(&r)
}

/// Its body an `async` block, as [`crate::service::Pipeline::call`]'s is; what only leads
/// to the handler's future is made in a block, so that none of it is kept beside that
/// future while it runs.
#[allow(clippy::manual_async_fn)] // an `async fn` keeps its arguments twice
pub(crate) fn read<'a>(
    rt: &'a Runtime,
    call: &'a Call,
    params: Option<&'a RawValue>,
) -> impl std::future::Future<Output = Result<Box<RawValue>, Error>> + Send + 'a {
    async move {
        let ran = {
            let p: ReadResourceRequestParams = parse(params)?;
            let uri = p.uri;
            let target = rt
                .catalog
                .resolve_resource(&uri)
                .await?
                .filter(|t| !target_hidden(&SessionHidden(&call.session), t, &uri))
                .ok_or_else(|| Error::resource_not_found(&uri))?;
            let own = match &target {
                ResourceTarget::Static(h) => h.auth(),
                ResourceTarget::Template(t, _) => t.handler().auth(),
            };
            access::admit(rt, call, own, &format_args!("resource {uri}"))?;
            let rounds = Some(Rounds::of(
                call,
                "resources/read",
                &uri,
                p.input_responses,
                p.request_state,
            ));
            match target {
                ResourceTarget::Static(h) => {
                    Either::Left(run(rt, call, None, rounds, |ctx| h.read(ctx, uri)))
                }
                ResourceTarget::Template(t, vars) => {
                    let h = t.handler().clone();
                    Either::Right(run(rt, call, None, rounds, |ctx| h.read(ctx, uri, vars)))
                }
            }
        }
        .await?;
        let (mut r, input_required) = ran.finish()?;
        if let Some(ir) = input_required {
            return raw(&ir);
        }
        stamp!(rt, call, r, list);
        raw(&r)
    }
}
