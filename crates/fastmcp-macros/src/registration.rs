//! The value a component function becomes, and the warning when it is never registered.
//!
//! `#[tool] fn add` makes a struct `add {}` (a type: `add::run`, the trait impl) and a
//! constant `add` of it (the value passed to `Server::tool(add)`). rustc never calls the
//! struct dead (its trait impl uses it), but the constant is used only where the component
//! is registered: an unregistered component gets exactly one dead-code warning, on the
//! function's name, "constant `add` is never used", at the user's lint level.
//! (A unit struct would be the value itself, and nothing would warn.)

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::ext::IdentExt;
use syn::{Attribute, Ident, Visibility};

use crate::args::Kind;

/// The constant `ident` (`cfgs` and `attrs` are the function's).
pub(crate) fn value(
    kind: Kind,
    vis: &Visibility,
    ident: &Ident,
    cfgs: &[&Attribute],
    attrs: &[&Attribute],
) -> TokenStream {
    // The function's `#[allow(..)]`s hold for its constant (`#[allow(dead_code)]` keeps an
    // unregistered component quiet).
    let allows = attrs.iter().filter(|a| a.path().is_ident("allow"));
    let doc = format!(
        "The {0} `{1}`: register it with `Server::{0}({1})`.",
        kind.noun(),
        ident.unraw()
    );
    // Spanned on the name: rustc does not report dead items that come from a macro.
    quote_spanned! {ident.span()=>
        #(#cfgs)*
        #[doc = #doc]
        #(#allows)*
        #[allow(non_upper_case_globals)]
        #vis const #ident: #ident = #ident {};
    }
}
