//! The `run` function of a free function component: the user's function, kept whole as a
//! function nested in `run`, which forwards its arguments to it.
//!
//! Nesting keeps rustc's own diagnostics about the function: a free function (unlike an
//! associated one) gets the "this is not `async`" label when it uses `.await` without being
//! `async`. Each parameter named `x` is bound as `x @ _`, which is a new binding for sure:
//! a parameter named like a unit struct or a constant in scope (such as the constant that
//! `#[tool]` makes of another function) then gets rustc's one clear error, "function
//! parameters cannot shadow constants" (or unit structs), instead of being read as a
//! pattern of that value and failing to type-check twice.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use syn::{Attribute, Block, FnArg, Ident, Pat, PatIdent, Signature};

/// `fn run(params) -> R { #[attrs] fn name(params) -> R { body } name(args) }`.
pub(crate) struct Forward<'a> {
    outer: Signature,
    inner: Signature,
    args: Vec<Ident>,
    block: &'a Block,
    attrs: &'a [&'a Attribute],
}

impl<'a> Forward<'a> {
    pub(crate) fn new(sig: &Signature, block: &'a Block, attrs: &'a [&'a Attribute]) -> Self {
        let mut outer = sig.clone();
        outer.ident = format_ident!("run", span = sig.ident.span());
        let mut inner = sig.clone();
        let mut args = Vec::new();
        for (i, (o, n)) in outer
            .inputs
            .iter_mut()
            .zip(inner.inputs.iter_mut())
            .enumerate()
        {
            let (FnArg::Typed(o), FnArg::Typed(n)) = (o, n) else {
                continue;
            };
            let arg = match bind(&mut n.pat) {
                Some(ident) => ident,
                None => format_ident!("__fastmcp_p{i}"),
            };
            *o.pat = Pat::Ident(PatIdent {
                attrs: Vec::new(),
                by_ref: None,
                mutability: None,
                ident: arg.clone(),
                subpat: Some((Default::default(), Box::new(syn::parse_quote!(_)))),
            });
            args.push(arg);
        }
        Forward {
            outer,
            inner,
            args,
            block,
            attrs,
        }
    }
}

/// `x` becomes `x @ _` (a new binding even where `x` names a unit struct or a constant);
/// the name, if the pattern is a plain name (possibly `mut`).
fn bind(pat: &mut Pat) -> Option<Ident> {
    match pat {
        Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
            if pi.mutability.is_none() {
                pi.subpat = Some((Default::default(), Box::new(syn::parse_quote!(_))));
            }
            Some(pi.ident.clone())
        }
        _ => None,
    }
}

/// The same for the parameters of a method marked in a `#[tools]` block.
pub(crate) fn bind_method_params(method: &mut syn::ImplItemFn) {
    for input in &mut method.sig.inputs {
        if let FnArg::Typed(pt) = input {
            bind(&mut pt.pat);
        }
    }
    method
        .attrs
        .push(syn::parse_quote!(#[allow(clippy::redundant_pattern)]));
}

impl ToTokens for Forward<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let Forward {
            outer,
            inner,
            args,
            block,
            attrs,
        } = self;
        let name = &inner.ident;
        let awaited = outer.asyncness.map(|_| quote!(.await));
        tokens.extend(quote! {
            // The user's function below gets the user's lint attributes.
            #[allow(clippy::redundant_pattern, clippy::too_many_arguments)]
            #outer {
                #[allow(clippy::redundant_pattern)]
                #(#attrs)*
                #inner #block
                #name(#(#args),*) #awaited
            }
        });
    }
}
