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
    /// The bounds of the derived `JsonSchema` impl: each argument's type, and the default
    /// of each defaulted one.
    schema_bound: LitStr,
    /// `Marker: ArgDefault<T>` for each defaulted argument.
    default_bounds: Vec<TokenStream>,
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
        let mut schema_bounds: Vec<String> = Vec::new();
        let mut default_bounds = Vec::new();
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
            let g = format_ident!("__FastmcpT{i}");
            let default = v.arg.default.as_ref().map(|e| {
                // A marker type per defaulted argument carries its default (`ArgDefault`),
                // so the field stays generic like the others; the bounds name it for the
                // derived impls, which are generic over the field's type.
                let d = format_ident!("{prefix}_default_{}", ident.unraw());
                default_fns.push(quote! {
                    #[allow(non_camel_case_types)]
                    struct #d;
                    impl ::fastmcp::__private::ArgDefault<#ty> for #d {
                        fn value() -> #ty { #e }
                    }
                    impl #d {
                        fn schema(schema: &mut ::fastmcp::__private::schemars::Schema) {
                            #[allow(unused_imports)]
                            use ::fastmcp::__private::NoSerialize as _;
                            ::fastmcp::__private::MaybeSerialize(
                                <#d as ::fastmcp::__private::ArgDefault<#ty>>::value(),
                            )
                            .insert_default(schema);
                        }
                    }
                });
                schema_bounds.push(format!("{d}: ::fastmcp::__private::ArgDefault<{g}>"));
                default_bounds.push(quote!(#d: ::fastmcp::__private::ArgDefault<#g>));
                let f = LitStr::new(
                    &format!("::fastmcp::__private::arg_default::<{d}, {g}>"),
                    ident.span(),
                );
                let de = LitStr::new(
                    &format!(
                        "{g}: ::fastmcp::__private::serde::de::DeserializeOwned, \
                         {d}: ::fastmcp::__private::ArgDefault<{g}>"
                    ),
                    ident.span(),
                );
                quote! {
                    #[serde(default = #f, bound(deserialize = #de))]
                    #[schemars(transform = #d::schema)]
                }
            });
            schema_bounds.push(format!("{g}: ::fastmcp::__private::schemars::JsonSchema"));
            generics.push(g.clone());
            generic_tys.push(ty);
            fields.push(quote!(#doc #rename #title #default #ident: #g));
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
            default_bounds,
            schema_bound: LitStr::new(&schema_bounds.join(", "), proc_macro2::Span::call_site()),
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
            schema_bound,
            default_bounds,
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
            #[schemars(crate = "::fastmcp::__private::schemars", bound = #schema_bound)]
            struct #args_ty #params {
                #(#fields,)*
            }
            #(#default_fns)*
            fn #args_fn #bounded() -> (
                ::fastmcp::__private::serde_json::Value,
                fn(
                    ::fastmcp::__private::ToolArguments,
                ) -> ::std::result::Result<#args_ty #params, ::fastmcp::__private::Error>,
            ) where #(#default_bounds,)* {
                (
                    ::fastmcp::__private::schema_for::<#args_ty #params>(),
                    |__fastmcp_args| __fastmcp_args.parse(),
                )
            }
        }
    }
}
