//! `#[tool(...)]`: parse the attribute, validate, and build an `FnTool`.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::{Expr, ExprLit, Lit, LitStr};

use crate::args::{find_impl_trait, Callee, Handler};
use crate::attrs::{unknown_key, AttrArgs, AttrItem, Common, Errors, Seen};
use crate::component::Expansion;
use crate::tool_args::ToolArgs;

/// The arguments of `#[tool(...)]`.
#[derive(Default)]
pub(crate) struct ToolAttr {
    common: Common,
    annotations: Option<TokenStream>,
    timeout_ms: Option<Expr>,
    task: Option<(LitStr, &'static str)>,
    task_start: Option<(LitStr, &'static str)>,
}

const KEYS: &[&str] = &[
    "name",
    "title",
    "description",
    "tags",
    "version",
    "meta",
    "icons",
    "auth",
    "annotations",
    "timeout_ms",
    "task",
    "task_start",
];

/// `task = "..."`: the `TaskSupport` variant of each value.
const TASK_VALUES: &[(&str, &str)] = &[
    ("forbidden", "Forbidden"),
    ("optional", "Optional"),
    ("required", "Required"),
];

/// `task_start = "..."`: the `TaskStart` variant of each value.
const TASK_START_VALUES: &[(&str, &str)] = &[("immediate", "Immediate"), ("detach", "OnDetach")];

const ANNOTATION_KEYS: &[&str] = &[
    "title",
    "read_only",
    "destructive",
    "idempotent",
    "open_world",
];

impl ToolAttr {
    pub(crate) fn parse(args: AttrArgs, errors: &mut Errors) -> ToolAttr {
        let mut out = ToolAttr::default();
        if let Some(p) = args.positional.first() {
            errors.spanned(
                p.span(),
                "unexpected string; did you mean `name = \"...\"`?",
            );
        }
        let mut seen = Seen::default();
        for item in &args.items {
            if let Err(e) = seen.check(item) {
                errors.push(e);
                continue;
            }
            match out.common.accept(item) {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            }
            match item.name().as_str() {
                "annotations" => out.annotations = parse_annotations(item, errors),
                "timeout_ms" => out.timeout_ms = errors.ok(parse_timeout(item)),
                "task" => out.task = errors.ok(parse_choice(item, TASK_VALUES)),
                "task_start" => out.task_start = errors.ok(parse_choice(item, TASK_START_VALUES)),
                _ => errors.push(unknown_key(item, "#[tool]", KEYS)),
            }
        }
        if let Some((lit, variant)) = &out.task_start {
            let supports = matches!(&out.task, Some((_, v)) if *v != "Forbidden");
            if *variant == "OnDetach" && !supports {
                errors.spanned(
                    lit.span(),
                    "`task_start = \"detach\"` needs `task = \"optional\"` or `task = \"required\"`",
                );
            }
        }
        out
    }

    /// The items (the arguments struct, default functions) and the `FnTool` expression.
    pub(crate) fn expand(&self, h: &Handler, callee: &Callee, errors: &mut Errors) -> Expansion {
        let (name, name_span) = match &self.common.name {
            Some(n) => (n.value(), n.span()),
            None => (h.ident.unraw().to_string(), h.ident.span()),
        };
        if let Err(msg) = check_tool_name(&name) {
            errors.spanned(name_span, msg);
        }
        if let Some(tokens) = find_impl_trait(&h.output) {
            errors.covering(
                &tokens,
                "a tool can't return `impl Trait`: its output schema needs a named type",
            );
        }

        let args = ToolArgs::new(h, &callee.item_prefix());
        let (items, values, args_call) = (args.items(), args.values, args.call);
        let output = &h.output;
        let call = h.call(callee, values);
        let capture = callee.capture();
        let title = self.common.title_tokens();
        let description = self.common.description_tokens(h.docs.as_deref());
        let icons = self.common.icons_tokens();
        let meta = self.common.meta_tokens();
        let annotations = self
            .annotations
            .clone()
            .unwrap_or_else(|| quote!(::std::option::Option::None));
        let timeout = self.timeout_ms.as_ref().map(|t| {
            quote! {
                let __fastmcp_tool =
                    __fastmcp_tool.with_timeout(::std::time::Duration::from_millis(#t));
            }
        });
        let task = self.task.as_ref().map(|(_, v)| {
            let v = format_ident!("{v}");
            quote! {
                let __fastmcp_tool = __fastmcp_tool
                    .with_task_support(::fastmcp::__private::protocol::TaskSupport::#v);
            }
        });
        let task_start = self.task_start.as_ref().map(|(_, v)| {
            let v = format_ident!("{v}");
            quote! {
                let __fastmcp_tool =
                    __fastmcp_tool.with_task_start(::fastmcp::__private::TaskStart::#v);
            }
        });
        let build = quote! {{
            #capture
            let (__fastmcp_schema, __fastmcp_parse) = #args_call;
            let __fastmcp_def = ::fastmcp::__private::protocol::Tool {
                name: ::std::string::String::from(#name),
                title: #title,
                description: #description,
                input_schema: __fastmcp_schema,
                output_schema:
                    <#output as ::fastmcp::__private::IntoToolResult>::output_schema(),
                annotations: #annotations,
                icons: #icons,
                meta: #meta,
                ..::std::default::Default::default()
            };
            let __fastmcp_tool = ::fastmcp::__private::FnTool::new(
                __fastmcp_def,
                move |__fastmcp_ctx: ::fastmcp::__private::Context,
                      __fastmcp_args: ::fastmcp::__private::ToolArguments| {
                    #capture
                    async move {
                        let __fastmcp_a = __fastmcp_parse(__fastmcp_args)?;
                        <#output as ::fastmcp::__private::IntoToolResult>::into_tool_result(#call)
                    }
                },
            );
            #timeout
            #task
            #task_start
            __fastmcp_tool
        }};
        let build = self.common.with_auth(build);
        Expansion { items, build }
    }
}

fn parse_annotations(item: &AttrItem, errors: &mut Errors) -> Option<TokenStream> {
    let nested = errors.ok(item.nested())?;
    let mut seen = Seen::default();
    let mut fields = Vec::new();
    for it in &nested.items {
        if let Err(e) = seen.check(it) {
            errors.push(e);
            continue;
        }
        let field = match it.name().as_str() {
            "title" => it.non_empty_str().map(
                |s| quote!(title: ::std::option::Option::Some(::std::string::String::from(#s))),
            ),
            key @ ("read_only" | "destructive" | "idempotent" | "open_world") => {
                let field = format_ident!("{key}_hint");
                it.bool()
                    .map(|b| quote!(#field: ::std::option::Option::Some(#b)))
            }
            _ => Err(unknown_key(it, "annotations(...)", ANNOTATION_KEYS)),
        };
        if let Some(f) = errors.ok(field) {
            fields.push(f);
        }
    }
    Some(quote! {
        ::std::option::Option::Some(::fastmcp::__private::protocol::ToolAnnotations {
            #(#fields,)*
            ..::std::default::Default::default()
        })
    })
}

/// `key = "one of the values"`: the value's literal and what it maps to.
fn parse_choice(
    item: &AttrItem,
    values: &[(&str, &'static str)],
) -> syn::Result<(LitStr, &'static str)> {
    let lit = item.lit_str()?;
    let v = lit.value();
    match values.iter().find(|(k, _)| *k == v) {
        Some((_, mapped)) => Ok((lit, mapped)),
        None => {
            let expected: Vec<String> = values.iter().map(|(k, _)| format!("\"{k}\"")).collect();
            Err(syn::Error::new(
                lit.span(),
                format!(
                    "unknown value {v:?} for `{}`: expected one of {}",
                    item.name(),
                    expected.join(", ")
                ),
            ))
        }
    }
}

fn parse_timeout(item: &AttrItem) -> syn::Result<Expr> {
    let e = item.expr()?;
    if let Expr::Lit(ExprLit {
        lit: Lit::Int(i), ..
    }) = &e
    {
        let ms: u64 = i.base10_parse()?;
        if ms == 0 {
            return Err(syn::Error::new(i.span(), "`timeout_ms` must be positive"));
        }
        let lit = Literal::u64_suffixed(ms);
        return Ok(syn::parse_quote!(#lit));
    }
    if let Expr::Lit(ExprLit { lit, .. }) = &e {
        return Err(syn::Error::new(
            lit.span(),
            "`timeout_ms` is a number of milliseconds",
        ));
    }
    Ok(e)
}

/// MCP tool names: 1 to 128 characters among `A-Z a-z 0-9 _ - .`.
pub(crate) fn check_tool_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().count() > 128 {
        return Err(format!(
            "invalid tool name `{name}`: a tool name has 1 to 128 characters"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(format!(
            "invalid tool name `{name}`: {c:?} is not allowed (use letters, digits, `_`, `-` and `.`)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_tool_name;

    #[test]
    fn tool_names() {
        assert!(check_tool_name("add").is_ok());
        assert!(check_tool_name("db.query-v2_x").is_ok());
        assert!(check_tool_name(&"a".repeat(128)).is_ok());
        assert!(check_tool_name(&"a".repeat(129)).is_err());
        assert!(check_tool_name("").is_err());
        assert!(check_tool_name("add numbers").is_err());
        assert!(check_tool_name("add/x").is_err());
        assert!(check_tool_name("é").is_err());
    }
}
