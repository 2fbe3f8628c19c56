//! Completion of prompt arguments and template variables: `#[arg(complete = f)]` and
//! `#[resource("x://{id}", complete(id = f))]`, where `f: fn(&str) -> Vec<String>`.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Expr;

/// One completed argument: its wire name and the function giving candidates for a prefix.
#[derive(Clone)]
pub(crate) struct Completer {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) func: Expr,
}

/// At most this many values go in one completion result (the MCP limit).
const MAX_VALUES: usize = 100;

/// `.with_completion(...)` on an `FnPrompt` or `FnResourceTemplate`, or nothing.
pub(crate) fn with_completion(completers: &[Completer]) -> TokenStream {
    if completers.is_empty() {
        return TokenStream::new();
    }
    let json = quote!(::fastmcp::__private::serde_json);
    let arms = completers.iter().map(|c| {
        let name = &c.name;
        let func = &c.func;
        quote! {
            #name => ::std::iter::IntoIterator::into_iter((#func)(__fastmcp_value.as_str()))
                .map(::std::convert::Into::<::std::string::String>::into)
                .collect(),
        }
    });
    quote! {
        .with_completion(
            move |_: ::fastmcp::__private::Context,
                  __fastmcp_argument: ::std::string::String,
                  __fastmcp_value: ::std::string::String,
                  _: #json::Map<::std::string::String, #json::Value>| async move {
                let __fastmcp_all: ::std::vec::Vec<::std::string::String> =
                    match __fastmcp_argument.as_str() {
                        #(#arms)*
                        _ => ::std::vec::Vec::new(),
                    };
                let __fastmcp_total = __fastmcp_all.len();
                let __fastmcp_values: ::std::vec::Vec<::std::string::String> =
                    __fastmcp_all.into_iter().take(#MAX_VALUES).collect();
                #json::from_value::<::fastmcp::__private::protocol::CompleteResult>(#json::json!({
                    "completion": {
                        "values": __fastmcp_values,
                        "total": __fastmcp_total,
                        "hasMore": __fastmcp_total > #MAX_VALUES,
                    }
                }))
                .map_err(|e| ::fastmcp::__private::Error::internal(e.to_string()))
            },
        )
    }
}
