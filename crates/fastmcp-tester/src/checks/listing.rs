//! The `*/list` checks: every page validated, `nextCursor` followed to the end, cursor
//! loops detected, the number of pages bounded.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::{Ctx, Findings, Verdict};
use crate::text::show;

/// One listing method.
struct Listing {
    method: &'static str,
    /// The array in each page.
    key: &'static str,
    /// The member naming an item (duplicates are a warning).
    name: &'static str,
    /// The result's schema definition.
    def: &'static str,
    capability: &'static str,
}

/// Walk every page of `l`: the verdict and the items.
async fn paginate(ctx: &mut Ctx<'_>, l: &Listing) -> (Verdict, Vec<Value>) {
    if !ctx.cap(l.capability) {
        return (Ctx::undeclared(l.capability), Vec::new());
    }
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut f = Findings::default();
    for page in 1..=ctx.opts.max_pages {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let a = ctx.s.request(l.method, params).await;
        let r = match ctx.expect(&a, l.def) {
            Ok(r) => r,
            Err(v) => return (v, items),
        };
        if let Some(list) = r.get(l.key).and_then(Value::as_array) {
            items.extend(list.iter().cloned());
        }
        match r.get("nextCursor") {
            None | Some(Value::Null) => return (names_once(l, &items, f), items),
            Some(Value::String(c)) if !seen.insert(c.clone()) => {
                f.fail(format!(
                    "cursor loop: {} page {page} gave nextCursor {c:?} again; the spec: a \
                     cursor leads to the next page, and the last page has no nextCursor",
                    l.method
                ));
                return (f.verdict(), items);
            }
            Some(Value::String(c)) => cursor = Some(c.clone()),
            Some(other) => {
                f.fail(format!(
                    "{}: nextCursor is not a string: {}",
                    l.method,
                    show(other)
                ));
                return (f.verdict(), items);
            }
        }
    }
    f.warn(format!(
        "{} still had a nextCursor after {} pages; the tester stopped there",
        l.method, ctx.opts.max_pages
    ));
    (f.verdict(), items)
}

/// Warn of items listed twice under the same name.
fn names_once(l: &Listing, items: &[Value], mut f: Findings) -> Verdict {
    let mut seen = HashSet::new();
    for i in items {
        if let Some(n) = i.get(l.name).and_then(Value::as_str) {
            if !seen.insert(n) {
                f.warn(format!(
                    "{} lists {} {n:?} more than once",
                    l.method, l.name
                ));
            }
        }
    }
    f.verdict()
}

/// `tools.list`.
pub(crate) async fn tools(ctx: &mut Ctx<'_>) -> Verdict {
    let l = Listing {
        method: "tools/list",
        key: "tools",
        name: "name",
        def: "ListToolsResult",
        capability: "tools",
    };
    let (v, items) = paginate(ctx, &l).await;
    ctx.tools = items;
    v
}

/// `resources.list`.
pub(crate) async fn resources(ctx: &mut Ctx<'_>) -> Verdict {
    let l = Listing {
        method: "resources/list",
        key: "resources",
        name: "uri",
        def: "ListResourcesResult",
        capability: "resources",
    };
    let (v, items) = paginate(ctx, &l).await;
    ctx.resources = items;
    v
}

/// `resources.templates.list`.
pub(crate) async fn templates(ctx: &mut Ctx<'_>) -> Verdict {
    let l = Listing {
        method: "resources/templates/list",
        key: "resourceTemplates",
        name: "uriTemplate",
        def: "ListResourceTemplatesResult",
        capability: "resources",
    };
    let (v, items) = paginate(ctx, &l).await;
    ctx.templates = items;
    v
}

/// `prompts.list`.
pub(crate) async fn prompts(ctx: &mut Ctx<'_>) -> Verdict {
    let l = Listing {
        method: "prompts/list",
        key: "prompts",
        name: "name",
        def: "ListPromptsResult",
        capability: "prompts",
    };
    let (v, items) = paginate(ctx, &l).await;
    ctx.prompts = items;
    v
}
