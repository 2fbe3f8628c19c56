//! The arguments of a `#[tool]`: a struct deriving `Deserialize` and `JsonSchema`, with
//! the function that gives its schema and parses it.
//!
//! Each argument's type is a type parameter of the struct, bound by `ToolArgument` in that
//! one function, which the tool calls with the real types: a type that is not
//! `Deserialize` + `JsonSchema` gets one error, ours (saying what to derive), instead of
//! several from serde's and schemars' derived code. A defaulted argument keeps its type
//! (its default function returns it).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::{Ident, LitStr, Type};

use crate::args::Handler;

pub(crate) struct ToolArgs {
    args_ty: Ident,
    args_fn: Ident,
    fields: Vec<TokenStream>,
    default_fns: Vec<TokenStream>,
    generics: Vec<Ident>,
    /// The expressions passed to the handler, one per argument.
    pub(crate) values: Vec<TokenStream>,
    /// The call of the generated function: `(schema, parse)`.
    pub(crate) call: TokenStream,
}

impl ToolArgs {
    pub(crate) fn new(h: &Handler, prefix: &str) -> ToolArgs {
        let mut fields = Vec::new();
        let mut default_fns = Vec::new();
        let mut values = Vec::new();
        let mut generics = Vec::new();
        let mut generic_tys: Vec<&Type> = Vec::new();
        for (i, v) in h.values().enumerate() {
            let ident = &v.ident;
            let ty = &v.ty;
            let doc = v
                .arg
                .description
                .as_deref()
                .filter(|d| !d.is_empty())
                .map(|d| quote!(#[doc = #d]));
            let rename = v.arg.rename.as_ref().map(|r| quote!(#[serde(rename = #r)]));
            let title = v
                .arg
                .title
                .as_ref()
                .map(|t| quote!(#[schemars(title = #t)]));
            let default = v.arg.default.as_ref().map(|e| {
                let f = format_ident!("{prefix}_default_{}", ident.unraw());
                let f_str = LitStr::new(&f.to_string(), ident.span());
                default_fns.push(quote!(fn #f() -> #ty { #e }));
                quote!(#[serde(default = #f_str)])
            });
            let field_ty = if default.is_some() {
                quote!(#ty)
            } else {
                let g = format_ident!("__FastmcpT{i}");
                generics.push(g.clone());
                generic_tys.push(ty);
                quote!(#g)
            };
            fields.push(quote!(#doc #rename #title #default #ident: #field_ty));
            values.push(quote!(__fastmcp_a.#ident));
        }
        let args_fn = format_ident!("{prefix}_args");
        let turbofish = (!generics.is_empty()).then(|| quote!(::<#(#generic_tys),*>));
        ToolArgs {
            args_ty: format_ident!("{prefix}_Args"),
            call: quote!(#args_fn #turbofish()),
            args_fn,
            fields,
            default_fns,
            generics,
            values,
        }
    }

    /// The struct, the default functions and the `(schema, parse)` function.
    pub(crate) fn items(&self) -> TokenStream {
        let ToolArgs {
            args_ty,
            args_fn,
            fields,
            default_fns,
            generics,
            ..
        } = self;
        let (params, bounded) = if generics.is_empty() {
            (quote!(), quote!())
        } else {
            (
                quote!(<#(#generics),*>),
                quote!(<#(#generics: ::fastmcp::__private::ToolArgument),*>),
            )
        };
        quote! {
            #[derive(
                ::fastmcp::__private::serde::Deserialize,
                ::fastmcp::__private::schemars::JsonSchema
            )]
            #[serde(crate = "::fastmcp::__private::serde")]
            #[schemars(crate = "::fastmcp::__private::schemars")]
            struct #args_ty #params {
                #(#fields,)*
            }
            #(#default_fns)*
            fn #args_fn #bounded() -> (
                ::fastmcp::__private::serde_json::Value,
                fn(
                    ::fastmcp::__private::ToolArguments,
                ) -> ::std::result::Result<#args_ty #params, ::fastmcp::__private::Error>,
            ) {
                (
                    ::fastmcp::__private::schema_for::<#args_ty #params>(),
                    |__fastmcp_args| __fastmcp_args.parse(),
                )
            }
        }
    }
}
