//! `auth = …` on `#[tool]`, `#[resource]` and `#[prompt]`: who may use the component, as a
//! `fastmcp::core::Require`.
//!
//! ```text
//! auth = scopes("notes:read", "notes:write")   every scope
//! auth = roles("admin", "ops")                 one of the roles in the `roles` claim
//! auth = roles(claim = "groups", "admin")      ... in another claim
//! auth = with(path::to::predicate)             fn(&AuthInfo) -> bool
//! auth = all(scopes("a"), roles("b"))          every one
//! auth = any(scopes("a"), roles("b"))          one of them
//! ```

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Expr, ExprAssign, ExprCall, ExprLit, Lit, LitStr};

const FORMS: &str = "`scopes(\"a\", ..)`, `roles(\"r\", ..)`, `roles(claim = \"c\", \"r\", ..)`, `with(predicate)`, `all(..)` or `any(..)`";

/// The `Require` expression of an `auth = …` value.
pub(crate) fn parse(e: &Expr) -> syn::Result<TokenStream> {
    let req = quote!(::fastmcp::__private::Require);
    let Expr::Call(ExprCall { func, args, .. }) = e else {
        return Err(syn::Error::new(e.span(), format!("`auth` expects {FORMS}")));
    };
    let name = match &**func {
        Expr::Path(p) if p.path.segments.len() == 1 => p.path.segments[0].ident.to_string(),
        other => {
            return Err(syn::Error::new(
                other.span(),
                format!("`auth` expects {FORMS}"),
            ));
        }
    };
    let args: Vec<&Expr> = args.iter().collect();
    match name.as_str() {
        "scopes" => {
            let s = strings(&args, "scopes", func.span())?;
            Ok(quote!(#req::scopes([#(#s),*])))
        }
        "roles" => {
            let (claim, rest) = match args.first() {
                Some(Expr::Assign(ExprAssign { left, right, .. })) if matches!(&**left, Expr::Path(p) if p.path.is_ident("claim")) => {
                    (Some(string(right, "claim")?), &args[1..])
                }
                _ => (None, &args[..]),
            };
            let r = strings(rest, "roles", func.span())?;
            Ok(match claim {
                Some(c) => quote!(#req::roles_in(#c, [#(#r),*])),
                None => quote!(#req::roles([#(#r),*])),
            })
        }
        "with" => match args.as_slice() {
            [f] => Ok(quote!(#req::predicate(#f))),
            _ => Err(syn::Error::new(
                func.span(),
                "`with` takes one predicate: `with(path::to::fn)`, a `fn(&AuthInfo) -> bool`",
            )),
        },
        "all" | "any" => {
            if args.is_empty() {
                return Err(syn::Error::new(
                    func.span(),
                    format!("`{name}(..)` needs at least one rule"),
                ));
            }
            let parts = args
                .iter()
                .map(|a| parse(a))
                .collect::<syn::Result<Vec<_>>>()?;
            let ctor = quote::format_ident!("{name}");
            Ok(quote!(#req::#ctor([#(#parts),*])))
        }
        _ => Err(syn::Error::new(
            func.span(),
            format!("unknown `auth` rule `{name}`; expected {FORMS}"),
        )),
    }
}

fn string(e: &Expr, what: &str) -> syn::Result<LitStr> {
    match e {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) if !s.value().is_empty() => Ok(s.clone()),
        _ => Err(syn::Error::new(
            e.span(),
            format!("`{what}` takes non-empty string literals"),
        )),
    }
}

fn strings(args: &[&Expr], what: &str, span: proc_macro2::Span) -> syn::Result<Vec<LitStr>> {
    if args.is_empty() {
        return Err(syn::Error::new(
            span,
            format!("`{what}(..)` needs at least one name"),
        ));
    }
    args.iter().map(|a| string(a, what)).collect()
}
