//! `#[prompt(...)]`: every argument is a prompt argument; builds an `FnPrompt`.

use quote::{format_ident, quote};
use syn::ext::IdentExt;

use crate::args::{find_impl_trait, Callee, Handler};
use crate::attrs::{opt_string, unknown_key, AttrArgs, Common, Errors, Seen};
use crate::completion::{with_completion, Completer};
use crate::component::Expansion;

/// The arguments of `#[prompt(...)]`.
#[derive(Default)]
pub(crate) struct PromptAttr {
    common: Common,
}

impl PromptAttr {
    pub(crate) fn parse(args: AttrArgs, errors: &mut Errors) -> PromptAttr {
        let mut out = PromptAttr::default();
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
                Ok(true) => {}
                Ok(false) => errors.push(unknown_key(item, "#[prompt]", Common::KEYS)),
                Err(e) => errors.push(e),
            }
        }
        out
    }

    /// The default-value functions and the `FnPrompt` expression (a prompt has nothing
    /// more to validate than its arguments, done by [`Handler::analyze`]).
    pub(crate) fn expand(&self, h: &Handler, callee: &Callee, _errors: &mut Errors) -> Expansion {
        let name = match &self.common.name {
            Some(n) => n.value(),
            None => h.ident.unraw().to_string(),
        };
        let prefix = callee.item_prefix();
        let mut arguments = Vec::new();
        let mut lets = Vec::new();
        let mut bindings = Vec::new();
        let mut default_fns = Vec::new();
        let mut completers = Vec::new();
        for (i, v) in h.values().enumerate() {
            let wire = v.wire_name();
            let ty = &v.ty;
            let title = opt_string(v.arg.title.as_ref().map(|t| t.value()).as_deref());
            let description = opt_string(v.arg.description.as_deref().filter(|d| !d.is_empty()));
            let required = !v.optional();
            arguments.push(quote! {
                ::fastmcp::__private::protocol::PromptArgument {
                    name: ::std::string::String::from(#wire),
                    title: #title,
                    description: #description,
                    required: ::std::option::Option::Some(#required),
                    ..::std::default::Default::default()
                }
            });
            let read = match (&v.arg.default, &v.option_inner) {
                (Some(e), _) => {
                    let f = format_ident!("{prefix}_default_{}", v.ident.unraw());
                    default_fns.push(quote!(fn #f() -> #ty { #e }));
                    quote! {
                        ::fastmcp::__private::prompt_arg::<#ty>(&__fastmcp_args, #wire)?
                            .unwrap_or_else(#f)
                    }
                }
                (None, Some(inner)) => {
                    quote!(::fastmcp::__private::prompt_arg::<#inner>(&__fastmcp_args, #wire)?)
                }
                (None, None) => {
                    let missing = format!("Missing required argument `{wire}`");
                    quote! {
                        ::fastmcp::__private::prompt_arg::<#ty>(&__fastmcp_args, #wire)?
                            .ok_or_else(|| ::fastmcp::__private::Error::invalid_params(#missing))?
                    }
                }
            };
            let id = format_ident!("__fastmcp_v{i}");
            lets.push(quote!(let #id: #ty = #read;));
            bindings.push(quote!(#id));
            if let Some(f) = &v.arg.complete {
                completers.push(Completer {
                    name: wire,
                    span: v.span(),
                    func: f.clone(),
                });
            }
        }
        let arguments = if arguments.is_empty() {
            quote!(::std::option::Option::None)
        } else {
            quote!(::std::option::Option::Some(::std::vec![#(#arguments),*]))
        };
        let call = h.call(callee, bindings);
        // The conversion through the declared type (one error, on it), unless that type is
        // `impl Trait` (not allowed in `<.. as ..>`): then `FnPrompt::new` checks the bound.
        let output = &h.output;
        let result = if find_impl_trait(output).is_some() {
            quote!(::std::result::Result::Ok::<_, ::fastmcp::__private::Error>(#call))
        } else {
            quote!(<#output as ::fastmcp::__private::IntoPromptResult>::into_prompt_result(#call))
        };
        let capture = callee.capture();
        let title = self.common.title_tokens();
        let description = self.common.description_tokens(h.docs.as_deref());
        let icons = self.common.icons_tokens();
        let meta = self.common.meta_tokens();
        let completion = with_completion(&completers);
        let json = quote!(::fastmcp::__private::serde_json);
        let build = quote! {{
            #capture
            ::fastmcp::__private::FnPrompt::new(
                ::fastmcp::__private::protocol::Prompt {
                    name: ::std::string::String::from(#name),
                    title: #title,
                    description: #description,
                    arguments: #arguments,
                    icons: #icons,
                    meta: #meta,
                    ..::std::default::Default::default()
                },
                move |__fastmcp_ctx: ::fastmcp::__private::Context,
                      __fastmcp_args: #json::Map<::std::string::String, #json::Value>| {
                    #capture
                    async move {
                        #(#lets)*
                        #result
                    }
                },
            )
            #completion
        }};
        Expansion {
            items: quote!(#(#default_fns)*),
            build: self.common.with_auth(build),
        }
    }
}
