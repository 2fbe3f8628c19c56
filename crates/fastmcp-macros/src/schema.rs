//! `#[schema]`: a type made usable as a tool's arguments or structured output through the
//! `fastmcp` crate alone: the derives of serde and schemars, pointed at `fastmcp`'s
//! re-exports so the user's crate needs neither dependency (nor matching versions).

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Ident, Token};

/// The derives `#[schema(..)]` may name, and what each expands to.
const DERIVES: [(&str, &str); 3] = [
    ("Serialize", "serde"),
    ("Deserialize", "serde"),
    ("JsonSchema", "schemars"),
];

pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let names = match Punctuated::<Ident, Token![,]>::parse_terminated.parse2(attr) {
        Ok(n) => n,
        Err(e) => return with_item(e.to_compile_error(), item),
    };
    let mut chosen: Vec<Ident> = names.into_iter().collect();
    if chosen.is_empty() {
        chosen = DERIVES
            .iter()
            .map(|(d, _)| Ident::new(d, Span::call_site()))
            .collect();
    }
    let mut derives = vec![];
    let mut serde = false;
    for name in &chosen {
        let Some((_, krate)) = DERIVES.iter().find(|(d, _)| name == d) else {
            let e = syn::Error::new(
                name.span(),
                format!(
                    "unknown derive `{name}`: `#[schema]` takes `Serialize`, `Deserialize` \
                     and `JsonSchema` (all three when empty)"
                ),
            );
            return with_item(e.to_compile_error(), item);
        };
        let krate = Ident::new(krate, Span::call_site());
        serde |= krate == "serde";
        derives.push(quote!(::fastmcp::__private::#krate::#name));
    }
    let serde_crate = serde.then(|| quote!(#[serde(crate = "::fastmcp::__private::serde")]));
    let schemars_crate = chosen
        .iter()
        .any(|n| n == "JsonSchema")
        .then(|| quote!(#[schemars(crate = "::fastmcp::__private::schemars")]));
    quote! {
        #[derive(#(#derives),*)]
        #serde_crate
        #schemars_crate
        #item
    }
}

fn with_item(error: TokenStream, item: TokenStream) -> TokenStream {
    quote!(#error #item)
}
