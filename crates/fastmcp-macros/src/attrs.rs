//! Parsing of attribute arguments: `#[tool(name = "x", tags("a"), meta = {...})]`.
//!
//! Arguments are parsed into a flat list of [`AttrItem`]s first; each macro then walks the
//! list, accepting the keys it knows and rejecting the others with a span on the key.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitStr, Token};

/// Accumulates errors so that one macro invocation reports all its mistakes at once.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    pub(crate) fn spanned(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }

    /// An error covering all of `tokens` (a `Span` can't be joined on stable).
    pub(crate) fn covering(&mut self, tokens: &dyn quote::ToTokens, msg: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, msg));
    }

    /// Keep the value of a result, recording its error.
    pub(crate) fn ok<T>(&mut self, r: syn::Result<T>) -> Option<T> {
        match r {
            Ok(t) => Some(t),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub(crate) fn to_compile_errors(&self) -> TokenStream {
        self.0
            .as_ref()
            .map(syn::Error::to_compile_error)
            .unwrap_or_default()
    }
}

/// The value of one key.
pub(crate) enum AttrValue {
    /// `key`
    Flag,
    /// `key = expr`
    Expr(Expr),
    /// `key = { ... }` (the tokens inside the braces)
    Braced(TokenStream),
    /// `key(...)` (the tokens inside the parentheses)
    List(TokenStream),
}

/// One `key`, `key = value` or `key(...)`.
pub(crate) struct AttrItem {
    pub(crate) key: Ident,
    pub(crate) value: AttrValue,
}

/// The arguments of an attribute: leading string literals, then keys.
#[derive(Default)]
pub(crate) struct AttrArgs {
    pub(crate) positional: Vec<LitStr>,
    pub(crate) items: Vec<AttrItem>,
}

impl Parse for AttrArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = AttrArgs::default();
        while !input.is_empty() {
            if input.peek(LitStr) {
                let lit: LitStr = input.parse()?;
                if !args.items.is_empty() {
                    return Err(syn::Error::new(
                        lit.span(),
                        "a string without a key must come first",
                    ));
                }
                args.positional.push(lit);
            } else {
                let key = input.call(Ident::parse_any).map_err(|e| {
                    syn::Error::new(e.span(), "expected `key`, `key = value` or `key(...)`")
                })?;
                let value = if input.peek(Token![=]) {
                    input.parse::<Token![=]>()?;
                    if input.peek(syn::token::Brace) {
                        let content;
                        syn::braced!(content in input);
                        AttrValue::Braced(content.parse()?)
                    } else {
                        AttrValue::Expr(input.parse()?)
                    }
                } else if input.peek(syn::token::Paren) {
                    let content;
                    syn::parenthesized!(content in input);
                    AttrValue::List(content.parse()?)
                } else {
                    AttrValue::Flag
                };
                args.items.push(AttrItem { key, value });
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(args)
    }
}

impl AttrArgs {
    /// Parse attribute arguments; an empty stream gives no arguments.
    pub(crate) fn from_tokens(tokens: TokenStream) -> syn::Result<Self> {
        Parser::parse2(AttrArgs::parse, tokens)
    }

    /// Parse the arguments of an attribute such as `#[arg(...)]` (`#[arg]` alone is empty).
    pub(crate) fn from_attribute(attr: &Attribute) -> syn::Result<Self> {
        match &attr.meta {
            syn::Meta::Path(_) => Ok(AttrArgs::default()),
            syn::Meta::List(list) => Self::from_tokens(list.tokens.clone()),
            syn::Meta::NameValue(nv) => Err(syn::Error::new(
                nv.eq_token.span,
                "expected parentheses: `#[name(key = value, ...)]`",
            )),
        }
    }
}

impl AttrItem {
    pub(crate) fn name(&self) -> String {
        self.key.unraw().to_string()
    }

    pub(crate) fn span(&self) -> Span {
        self.key.span()
    }

    fn value_span(&self) -> Span {
        match &self.value {
            AttrValue::Expr(e) => e.span(),
            _ => self.key.span(),
        }
    }

    /// `key = "string"`.
    pub(crate) fn lit_str(&self) -> syn::Result<LitStr> {
        match &self.value {
            AttrValue::Expr(Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            })) => Ok(s.clone()),
            _ => Err(syn::Error::new(
                self.value_span(),
                format!("expected a string: `{} = \"...\"`", self.name()),
            )),
        }
    }

    /// `key = "non-empty string"`.
    pub(crate) fn non_empty_str(&self) -> syn::Result<LitStr> {
        let s = self.lit_str()?;
        if s.value().trim().is_empty() {
            return Err(syn::Error::new(
                s.span(),
                format!("`{}` must not be empty", self.name()),
            ));
        }
        Ok(s)
    }

    /// `key` (true), `key = true` or `key = false`.
    pub(crate) fn bool(&self) -> syn::Result<bool> {
        match &self.value {
            AttrValue::Flag => Ok(true),
            AttrValue::Expr(Expr::Lit(ExprLit {
                lit: Lit::Bool(b), ..
            })) => Ok(b.value),
            _ => Err(syn::Error::new(
                self.value_span(),
                format!("expected `{0}`, `{0} = true` or `{0} = false`", self.name()),
            )),
        }
    }

    /// `key = expr` or `key = { block }`.
    pub(crate) fn expr(&self) -> syn::Result<Expr> {
        match &self.value {
            AttrValue::Expr(e) => Ok(e.clone()),
            AttrValue::Braced(ts) => syn::parse2(quote!({ #ts })),
            _ => Err(syn::Error::new(
                self.span(),
                format!("expected a value: `{} = ...`", self.name()),
            )),
        }
    }

    /// `key("a", "b")` or `key = ["a", "b"]` (or `key = "a"`): non-empty strings.
    pub(crate) fn str_list(&self) -> syn::Result<Vec<LitStr>> {
        let err = || {
            syn::Error::new(
                self.value_span(),
                format!(
                    "expected strings: `{0} = [\"a\", \"b\"]` or `{0}(\"a\", \"b\")`",
                    self.name()
                ),
            )
        };
        let exprs: Vec<Expr> = match &self.value {
            AttrValue::List(ts) => Punctuated::<Expr, Token![,]>::parse_terminated
                .parse2(ts.clone())?
                .into_iter()
                .collect(),
            AttrValue::Expr(Expr::Array(a)) => a.elems.iter().cloned().collect(),
            AttrValue::Expr(e @ Expr::Lit(_)) => vec![e.clone()],
            _ => return Err(err()),
        };
        let mut out = Vec::new();
        for e in exprs {
            match e {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => {
                    if s.value().trim().is_empty() {
                        return Err(syn::Error::new(s.span(), "expected a non-empty string"));
                    }
                    out.push(s)
                }
                other => return Err(syn::Error::new(other.span(), "expected a string literal")),
            }
        }
        Ok(out)
    }

    /// The inner items of `key(a = 1, b)`.
    pub(crate) fn nested(&self) -> syn::Result<AttrArgs> {
        match &self.value {
            AttrValue::List(ts) => {
                let args = AttrArgs::from_tokens(ts.clone())?;
                if let Some(p) = args.positional.first() {
                    return Err(syn::Error::new(p.span(), "expected `key = value`"));
                }
                Ok(args)
            }
            _ => Err(syn::Error::new(
                self.value_span(),
                format!("expected `{}(key = value, ...)`", self.name()),
            )),
        }
    }

    /// `meta = { "json": "object" }` or `meta(key = expr, ...)`: a `serde_json::Value`
    /// expression (an object).
    pub(crate) fn json_object(&self) -> syn::Result<TokenStream> {
        match &self.value {
            AttrValue::Braced(ts) => Ok(quote!(::fastmcp::__private::serde_json::json!({ #ts }))),
            AttrValue::List(ts) => {
                let pairs =
                    Punctuated::<JsonPair, Token![,]>::parse_terminated.parse2(ts.clone())?;
                let entries = pairs.iter().map(|p| {
                    let k = &p.key;
                    let v = &p.value;
                    quote!(#k: #v)
                });
                Ok(quote!(
                    ::fastmcp::__private::serde_json::json!({ #(#entries),* })
                ))
            }
            _ => Err(syn::Error::new(
                self.value_span(),
                format!(
                    "expected a JSON object: `{0} = {{\"key\": value}}` or `{0}(key = value)`",
                    self.name()
                ),
            )),
        }
    }
}

/// `key = expr` inside `meta(...)`; the key is an identifier or a string.
struct JsonPair {
    key: LitStr,
    value: Expr,
}

impl Parse for JsonPair {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key = if input.peek(LitStr) {
            input.parse()?
        } else {
            let id = input.call(Ident::parse_any)?;
            LitStr::new(&id.unraw().to_string(), id.span())
        };
        input.parse::<Token![=]>()?;
        Ok(JsonPair {
            key,
            value: input.parse()?,
        })
    }
}

/// Tracks keys already given, to reject duplicates.
#[derive(Default)]
pub(crate) struct Seen(Vec<String>);

impl Seen {
    /// Record `item`; an error if its key was already given.
    pub(crate) fn check(&mut self, item: &AttrItem) -> syn::Result<()> {
        let name = item.name();
        if self.0.contains(&name) {
            return Err(syn::Error::new(
                item.span(),
                format!("duplicate key `{name}`"),
            ));
        }
        self.0.push(name);
        Ok(())
    }
}

/// The error for a key the attribute does not know.
pub(crate) fn unknown_key(item: &AttrItem, attr: &str, expected: &[&str]) -> syn::Error {
    let list = expected
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    syn::Error::new(
        item.span(),
        format!(
            "unknown key `{}` in {attr}; expected one of: {list}",
            item.name()
        ),
    )
}

/// What tools, resources and prompts share: names, display data, tags, icons and `_meta`.
#[derive(Default)]
pub(crate) struct Common {
    pub(crate) name: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) tags: Vec<LitStr>,
    pub(crate) version: Option<LitStr>,
    pub(crate) meta: Option<TokenStream>,
    pub(crate) icons: Vec<LitStr>,
    /// `auth = …`: the `Require` expression.
    pub(crate) auth: Option<TokenStream>,
}

impl Common {
    /// The keys [`Common::accept`] handles.
    pub(crate) const KEYS: &'static [&'static str] = &[
        "name",
        "title",
        "description",
        "tags",
        "version",
        "meta",
        "icons",
        "auth",
    ];

    /// Take `item` if it is a common key; `Ok(false)` if it is not.
    pub(crate) fn accept(&mut self, item: &AttrItem) -> syn::Result<bool> {
        match item.name().as_str() {
            "name" => self.name = Some(item.non_empty_str()?),
            "title" => self.title = Some(item.non_empty_str()?),
            "description" => self.description = Some(item.lit_str()?),
            "tags" => self.tags = item.str_list()?,
            "version" => self.version = Some(item.non_empty_str()?),
            "meta" => self.meta = Some(item.json_object()?),
            "icons" => self.icons = item.str_list()?,
            "auth" => self.auth = Some(crate::auth::parse(&item.expr()?)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// `build` (an `FnTool`, `FnResource`, ... expression) with its `auth` requirement.
    pub(crate) fn with_auth(&self, build: TokenStream) -> TokenStream {
        match &self.auth {
            Some(req) => quote!((#build).with_auth(#req)),
            None => build,
        }
    }

    /// The component's description: the `description` key, else the doc comment.
    pub(crate) fn description_tokens(&self, docs: Option<&str>) -> TokenStream {
        match (&self.description, docs) {
            (Some(d), _) => opt_string(Some(&d.value())),
            (None, d) => opt_string(d),
        }
    }

    pub(crate) fn title_tokens(&self) -> TokenStream {
        opt_string(self.title.as_ref().map(LitStr::value).as_deref())
    }

    /// `Option<Vec<Icon>>`.
    pub(crate) fn icons_tokens(&self) -> TokenStream {
        if self.icons.is_empty() {
            return quote!(::std::option::Option::None);
        }
        let icons = &self.icons;
        quote! {
            ::std::option::Option::Some(::std::vec![
                #(::fastmcp::__private::protocol::Icon::new(#icons)),*
            ])
        }
    }

    /// `Option<Map<String, Value>>`: the user's `meta`, plus `"fastmcp/tags"` and
    /// `"fastmcp/version"` (the keys of `fastmcp_core::component_meta`).
    pub(crate) fn meta_tokens(&self) -> TokenStream {
        if self.meta.is_none() && self.tags.is_empty() && self.version.is_none() {
            return quote!(::std::option::Option::None);
        }
        let json = quote!(::fastmcp::__private::serde_json);
        let user = self.meta.as_ref().map(|m| {
            quote! {
                if let #json::Value::Object(__fastmcp_user) = #m {
                    __fastmcp_meta.extend(__fastmcp_user);
                }
            }
        });
        let mut tags: Vec<String> = self.tags.iter().map(LitStr::value).collect();
        tags.sort();
        tags.dedup();
        let tags = (!tags.is_empty()).then(|| {
            quote! {
                __fastmcp_meta.insert(
                    ::std::string::String::from("fastmcp/tags"),
                    #json::json!([#(#tags),*]),
                );
            }
        });
        let version = self.version.as_ref().map(|v| {
            quote! {
                __fastmcp_meta.insert(
                    ::std::string::String::from("fastmcp/version"),
                    #json::Value::String(::std::string::String::from(#v)),
                );
            }
        });
        let fastmcp = quote!(#tags #version);
        quote! {{
            let mut __fastmcp_meta = #json::Map::new();
            #user
            #fastmcp
            ::std::option::Option::Some(__fastmcp_meta)
        }}
    }
}

/// `Some(String::from("..."))` or `None`.
pub(crate) fn opt_string(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(::std::option::Option::Some(::std::string::String::from(#s))),
        None => quote!(::std::option::Option::None),
    }
}

/// The doc comment of an item: its lines joined, the common indentation removed, trimmed.
pub(crate) fn doc_string(attrs: &[Attribute]) -> Option<String> {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta {
            if let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &nv.value
            {
                lines.extend(
                    s.value()
                        .split('\n')
                        .map(|l| l.trim_end_matches('\r').to_owned()),
                );
            }
        }
    }
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let text = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Whether `attr` is a doc comment.
pub(crate) fn is_doc(attr: &Attribute) -> bool {
    attr.path().is_ident("doc")
}

/// The body of a conversion stub emitted next to a compile error, so that uses of the
/// component do not add errors of their own; it can never run.
pub(crate) fn unreachable_body(span: Span) -> TokenStream {
    quote_spanned!(span=> ::std::unreachable!("this component failed to compile"))
}
