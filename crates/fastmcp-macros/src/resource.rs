//! `#[resource("uri", ...)]`: a static resource (`FnResource`) when the URI has no
//! variables, a resource template (`FnResourceTemplate`) when it has.

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use syn::ext::IdentExt;
use syn::{Expr, ExprLit, ExprUnary, Lit, LitStr, UnOp};

use crate::args::{find_impl_trait, Callee, Handler};
use crate::attrs::{unknown_key, AttrArgs, AttrItem, Common, Errors, Seen};
use crate::completion::{with_completion, Completer};
use crate::component::Expansion;
use crate::uri_template;

/// The arguments of `#[resource(...)]`.
#[derive(Default)]
pub(crate) struct ResourceAttr {
    uri: Option<LitStr>,
    common: Common,
    mime_type: Option<LitStr>,
    annotations: Option<TokenStream>,
    complete: Vec<Completer>,
}

const KEYS: &[&str] = &[
    "uri",
    "name",
    "title",
    "description",
    "mime_type",
    "tags",
    "version",
    "meta",
    "icons",
    "auth",
    "annotations",
    "complete",
];

const ANNOTATION_KEYS: &[&str] = &["audience", "priority", "last_modified"];

impl ResourceAttr {
    pub(crate) fn parse(args: AttrArgs, errors: &mut Errors) -> ResourceAttr {
        let mut out = ResourceAttr::default();
        let mut positional = args.positional.into_iter();
        out.uri = positional.next();
        if let Some(extra) = positional.next() {
            errors.spanned(extra.span(), "a resource has one URI");
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
                "uri" => match item.non_empty_str() {
                    Ok(u) if out.uri.is_some() => {
                        errors.spanned(u.span(), "the URI is given twice");
                    }
                    Ok(u) => out.uri = Some(u),
                    Err(e) => errors.push(e),
                },
                "mime_type" => out.mime_type = errors.ok(item.non_empty_str()),
                "annotations" => out.annotations = parse_annotations(item, errors),
                "complete" => {
                    if let Some(nested) = errors.ok(item.nested()) {
                        for it in &nested.items {
                            if let Some(func) = errors.ok(it.expr()) {
                                out.complete.push(Completer {
                                    name: it.name(),
                                    span: it.span(),
                                    func,
                                });
                            }
                        }
                    }
                }
                _ => errors.push(unknown_key(item, "#[resource]", KEYS)),
            }
        }
        out
    }

    pub(crate) fn expand(&self, h: &Handler, callee: &Callee, errors: &mut Errors) -> Expansion {
        let Some(uri) = &self.uri else {
            errors.spanned(
                Span::call_site(),
                "#[resource] needs a URI: `#[resource(\"scheme://path\")]`",
            );
            return Expansion::default();
        };
        let uri_value = uri.value();
        if !uri_template::has_scheme(&uri_value) {
            errors.spanned(
                uri.span(),
                format!("the resource URI `{uri_value}` has no scheme (such as `file://` or `config://`)"),
            );
        }
        let vars = match uri_template::parse(&uri_value) {
            Ok(vars) => vars,
            Err(msg) => {
                errors.spanned(uri.span(), msg);
                return Expansion::default();
            }
        };

        let name = match &self.common.name {
            Some(n) => n.value(),
            None => h.ident.unraw().to_string(),
        };
        let title = self.common.title_tokens();
        let description = self.common.description_tokens(h.docs.as_deref());
        let mime_type =
            crate::attrs::opt_string(self.mime_type.as_ref().map(LitStr::value).as_deref());
        let annotations = self
            .annotations
            .clone()
            .unwrap_or_else(|| quote!(::std::option::Option::None));
        let icons = self.common.icons_tokens();
        let meta = self.common.meta_tokens();
        let capture = callee.capture();

        if vars.is_empty() {
            for v in h.values() {
                errors.spanned(
                    v.span(),
                    format!(
                        "a static resource takes no arguments: its URI `{uri_value}` has no `{{variables}}` (only a `Context` parameter is allowed)"
                    ),
                );
            }
            for c in &self.complete {
                errors.spanned(c.span, "completion needs a URI template variable");
            }
            let convert = convert_output(h, h.call(callee, Vec::new()), self.mime_type.as_ref());
            let build = quote! {{
                #capture
                ::fastmcp::__private::FnResource::new(
                    ::fastmcp::__private::protocol::Resource {
                        uri: ::std::string::String::from(#uri),
                        name: ::std::string::String::from(#name),
                        title: #title,
                        description: #description,
                        mime_type: #mime_type,
                        annotations: #annotations,
                        icons: #icons,
                        meta: #meta,
                        ..::std::default::Default::default()
                    },
                    move |__fastmcp_ctx: ::fastmcp::__private::Context,
                          __fastmcp_uri: ::std::string::String| {
                        #capture
                        async move { #convert }
                    },
                )
            }};
            return Expansion {
                items: TokenStream::new(),
                build: self.common.with_auth(build),
            };
        }

        // A template: parameters and variables must match one to one.
        let values = template_values(h, &vars, uri, errors);
        let completers = self.completers(h, &vars, errors);
        let completion = with_completion(&completers);

        let bindings: Vec<_> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (quote::format_ident!("__fastmcp_v{i}"), v))
            .collect();
        let lets = bindings.iter().map(|(id, v)| quote!(let #id = #v;));
        let values = bindings.iter().map(|(id, _)| quote!(#id)).collect();
        let convert = convert_output(h, h.call(callee, values), self.mime_type.as_ref());
        let build = quote! {{
            #capture
            ::fastmcp::__private::FnResourceTemplate::new(
                ::fastmcp::__private::protocol::ResourceTemplate {
                    uri_template: ::std::string::String::from(#uri),
                    name: ::std::string::String::from(#name),
                    title: #title,
                    description: #description,
                    mime_type: #mime_type,
                    annotations: #annotations,
                    icons: #icons,
                    meta: #meta,
                    ..::std::default::Default::default()
                },
                move |__fastmcp_ctx: ::fastmcp::__private::Context,
                      __fastmcp_uri: ::std::string::String,
                      __fastmcp_vars: ::fastmcp::__private::TemplateVars| {
                    #capture
                    async move {
                        #(#lets)*
                        #convert
                    }
                },
            )
            #completion
        }};
        Expansion {
            items: TokenStream::new(),
            build: self.common.with_auth(build),
        }
    }

    /// The completions of the template's variables (from `complete(...)` and the
    /// parameters' `#[arg(complete = ...)]`), each checked against the variables.
    fn completers(
        &self,
        h: &Handler,
        vars: &[uri_template::Var],
        errors: &mut Errors,
    ) -> Vec<Completer> {
        let mut completers: Vec<Completer> = self.complete.clone();
        completers.extend(h.values().filter_map(|v| {
            v.arg.complete.as_ref().map(|f| Completer {
                name: v.wire_name(),
                span: v.span(),
                func: f.clone(),
            })
        }));
        let mut names: Vec<&str> = Vec::new();
        for c in &completers {
            if !vars.iter().any(|v| v.name == c.name) {
                errors.spanned(
                    c.span,
                    format!("`{}` is not a variable of the URI template", c.name),
                );
            } else if names.contains(&c.name.as_str()) {
                errors.spanned(c.span, format!("`{}` has two completions", c.name));
            }
            names.push(&c.name);
        }
        completers
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
            "audience" => it.str_list().and_then(|roles| {
                let roles = roles
                    .iter()
                    .map(|r| match r.value().as_str() {
                        "user" => Ok(quote!(::fastmcp::__private::protocol::Role::User)),
                        "assistant" => {
                            Ok(quote!(::fastmcp::__private::protocol::Role::Assistant))
                        }
                        other => Err(syn::Error::new(
                            r.span(),
                            format!("unknown role `{other}`: expected \"user\" or \"assistant\""),
                        )),
                    })
                    .collect::<syn::Result<Vec<_>>>()?;
                Ok(quote!(audience: ::std::option::Option::Some(::std::vec![#(#roles),*])))
            }),
            "priority" => priority(it).map(|p| {
                let p = Literal::f64_suffixed(p);
                quote!(priority: ::std::option::Option::Some(#p))
            }),
            "last_modified" => it.non_empty_str().map(|s| {
                quote!(last_modified: ::std::option::Option::Some(::std::string::String::from(#s)))
            }),
            _ => Err(unknown_key(it, "annotations(...)", ANNOTATION_KEYS)),
        };
        if let Some(f) = errors.ok(field) {
            fields.push(f);
        }
    }
    Some(quote! {
        ::std::option::Option::Some(::fastmcp::__private::protocol::Annotations {
            #(#fields,)*
            ..::std::default::Default::default()
        })
    })
}

/// `priority = 0.5`: a number from 0 to 1.
fn priority(item: &AttrItem) -> syn::Result<f64> {
    let e = item.expr()?;
    let (value, span) = match &e {
        Expr::Lit(ExprLit {
            lit: Lit::Float(f), ..
        }) => (f.base10_parse::<f64>()?, f.span()),
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => (i.base10_parse::<f64>()?, i.span()),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(n), ..
        }) => (-1.0, n.span),
        _ => (f64::NAN, item.span()),
    };
    if !(0.0..=1.0).contains(&value) {
        return Err(syn::Error::new(span, "`priority` is a number from 0 to 1"));
    }
    Ok(value)
}

/// The value of each parameter, read from the matched template variables; a parameter that
/// is not a variable, or a variable without a parameter, is an error.
fn template_values(
    h: &Handler,
    vars: &[uri_template::Var],
    uri: &LitStr,
    errors: &mut Errors,
) -> Vec<TokenStream> {
    let uri_value = uri.value();
    let mut values = Vec::new();
    for v in h.values() {
        let wire = v.wire_name();
        if !vars.iter().any(|var| var.name == wire) {
            let names = vars
                .iter()
                .map(|v| format!("`{}`", v.name))
                .collect::<Vec<_>>()
                .join(", ");
            errors.spanned(
                v.span(),
                format!(
                    "parameter `{wire}` is not a variable of the URI template `{uri_value}` (its variables: {names})"
                ),
            );
            continue;
        }
        let ty = &v.ty;
        values.push(match &v.option_inner {
            Some(inner) => quote! {
                match __fastmcp_vars.get(#wire) {
                    ::std::option::Option::Some(_) => ::std::option::Option::Some(
                        ::fastmcp::__private::template_var::<#inner>(&__fastmcp_vars, #wire)?,
                    ),
                    ::std::option::Option::None => ::std::option::Option::None,
                }
            },
            None => quote!(::fastmcp::__private::template_var::<#ty>(&__fastmcp_vars, #wire)?),
        });
    }
    for var in vars {
        if !h.values().any(|v| v.wire_name() == var.name) {
            errors.spanned(
                uri.span(),
                format!(
                    "the URI template variable `{}` has no parameter: add a parameter `{}`",
                    var.name, var.name
                ),
            );
        }
    }
    values
}

/// The handler's value converted in the generated closure, through the declared return
/// type: a type that is not `IntoResourceResult` gets one error, on that type.
fn convert_output(h: &Handler, call: TokenStream, mime: Option<&LitStr>) -> TokenStream {
    let output = &h.output;
    if find_impl_trait(output).is_some() {
        // `<impl Trait as ..>` is not allowed: `FnResource::new` checks the bound.
        return quote!(::std::result::Result::Ok::<_, ::fastmcp::__private::Error>(#call));
    }
    let mime = match mime {
        Some(m) => quote!(::std::option::Option::Some(#m)),
        None => quote!(::std::option::Option::None),
    };
    quote! {
        <#output as ::fastmcp::__private::IntoResourceResult>::into_resource_result(
            #call,
            &__fastmcp_uri,
            #mime,
        )
    }
}
