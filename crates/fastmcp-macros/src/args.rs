//! Analysis of a handler's signature: which parameters are the injected `Context` and
//! which are arguments, with their `#[arg(...)]` options.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, Expr, FnArg, GenericArgument, Ident, LitStr, Pat, PathArguments, Receiver,
    ReturnType, Signature, Type,
};

use crate::attrs::{doc_string, is_doc, unknown_key, AttrArgs, Errors, Seen};

/// The kind of component a handler becomes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Tool,
    Resource,
    Prompt,
}

impl Kind {
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Kind::Tool => "tool",
            Kind::Resource => "resource",
            Kind::Prompt => "prompt",
        }
    }

    /// The `#[arg(...)]` keys this kind accepts.
    fn arg_keys(self) -> &'static [&'static str] {
        match self {
            Kind::Tool => &["description", "title", "rename", "default"],
            Kind::Resource => &["rename", "complete"],
            Kind::Prompt => &["description", "title", "rename", "default", "complete"],
        }
    }
}

/// The options of `#[arg(...)]` on a parameter.
#[derive(Default)]
pub(crate) struct ArgAttr {
    pub(crate) description: Option<String>,
    pub(crate) title: Option<LitStr>,
    pub(crate) rename: Option<LitStr>,
    pub(crate) default: Option<Expr>,
    pub(crate) complete: Option<Expr>,
}

const ARG_KEYS: &[&str] = &["description", "title", "rename", "default", "complete"];

impl ArgAttr {
    fn parse(kind: Kind, attrs: &[Attribute], errors: &mut Errors) -> ArgAttr {
        let mut out = ArgAttr {
            description: doc_string(attrs),
            ..ArgAttr::default()
        };
        let mut seen = Seen::default();
        for attr in attrs.iter().filter(|a| is_arg_attr(a)) {
            let Some(args) = errors.ok(AttrArgs::from_attribute(attr)) else {
                continue;
            };
            if let Some(p) = args.positional.first() {
                errors.spanned(p.span(), "expected `key = value` in #[arg]");
            }
            for item in &args.items {
                if let Err(e) = seen.check(item) {
                    errors.push(e);
                    continue;
                }
                let name = item.name();
                if !ARG_KEYS.contains(&name.as_str()) {
                    errors.push(unknown_key(item, "#[arg]", kind.arg_keys()));
                    continue;
                }
                if !kind.arg_keys().contains(&name.as_str()) {
                    errors.spanned(
                        item.span(),
                        format!(
                            "`{name}` is not supported on {} parameters; expected one of: {}",
                            kind.noun(),
                            kind.arg_keys()
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                    continue;
                }
                let r = match name.as_str() {
                    "description" => item.lit_str().map(|s| out.description = Some(s.value())),
                    "title" => item.non_empty_str().map(|s| out.title = Some(s)),
                    "rename" => item.non_empty_str().map(|s| out.rename = Some(s)),
                    "default" => item.expr().map(|e| out.default = Some(e)),
                    "complete" => item.expr().map(|e| out.complete = Some(e)),
                    _ => Ok(()),
                };
                errors.ok(r);
            }
        }
        out
    }
}

/// Whether `attr` is `#[arg(...)]`.
pub(crate) fn is_arg_attr(attr: &Attribute) -> bool {
    attr.path().is_ident("arg")
}

/// Remove `#[arg]` attributes and doc comments from the parameters (doc comments are
/// not allowed there once the macro is done).
pub(crate) fn strip_param_attrs(sig: &mut Signature) {
    for input in &mut sig.inputs {
        if let FnArg::Typed(pt) = input {
            pt.attrs.retain(|a| !is_arg_attr(a) && !is_doc(a));
        }
    }
}

/// An argument (a parameter that is not the `Context`).
pub(crate) struct ValueParam {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    /// `T` when the type is `Option<T>`.
    pub(crate) option_inner: Option<Type>,
    pub(crate) arg: ArgAttr,
}

impl ValueParam {
    /// The argument's name on the wire: `rename`, else the parameter's name.
    pub(crate) fn wire_name(&self) -> String {
        match &self.arg.rename {
            Some(r) => r.value(),
            None => self.ident.unraw().to_string(),
        }
    }

    pub(crate) fn span(&self) -> Span {
        self.ident.span()
    }

    /// Whether the argument may be omitted.
    pub(crate) fn optional(&self) -> bool {
        self.option_inner.is_some() || self.arg.default.is_some()
    }
}

/// A parameter of a handler.
pub(crate) enum Param {
    /// The injected `Context`, by reference or by value.
    Context { by_ref: bool },
    /// A value taken from the context (`State<T>`, `SessionState<T>`): not an argument.
    Extract(Box<Type>),
    /// An argument.
    Value(Box<ValueParam>),
}

/// A function (or method) that becomes a component.
pub(crate) struct Handler {
    pub(crate) ident: Ident,
    pub(crate) is_async: bool,
    pub(crate) receiver: Option<Receiver>,
    pub(crate) params: Vec<Param>,
    /// The declared return type (`()` when there is none).
    pub(crate) output: Type,
    pub(crate) docs: Option<String>,
}

impl Handler {
    /// Analyse `sig` (errors are recorded; the handler is returned regardless, without
    /// the parameters that failed).
    pub(crate) fn analyze(
        kind: Kind,
        attrs: &[Attribute],
        sig: &Signature,
        errors: &mut Errors,
    ) -> Handler {
        let generic = format!("generic {}s are not supported", kind.noun());
        if !sig.generics.params.is_empty() {
            errors.covering(&sig.generics, &generic);
        } else if let Some(w) = &sig.generics.where_clause {
            errors.covering(w, &generic);
        }
        if let Some(v) = &sig.variadic {
            errors.spanned(v.span(), "variadic functions are not supported");
        }
        let mut receiver = None;
        let mut params = Vec::new();
        for input in &sig.inputs {
            match input {
                FnArg::Receiver(r) => receiver = Some(r.clone()),
                FnArg::Typed(pt) => {
                    if let Some(p) = analyze_param(kind, &pt.attrs, &pt.pat, &pt.ty, errors) {
                        params.push(p);
                    }
                }
            }
        }
        let output = match &sig.output {
            ReturnType::Default => syn::parse_quote!(()),
            ReturnType::Type(_, ty) => (**ty).clone(),
        };
        let handler = Handler {
            ident: sig.ident.clone(),
            is_async: sig.asyncness.is_some(),
            receiver,
            params,
            output,
            docs: doc_string(attrs),
        };
        handler.check_duplicate_names(errors);
        handler
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &ValueParam> {
        self.params.iter().filter_map(|p| match p {
            Param::Value(v) => Some(&**v),
            Param::Context { .. } | Param::Extract(_) => None,
        })
    }

    fn check_duplicate_names(&self, errors: &mut Errors) {
        let mut names: Vec<String> = Vec::new();
        for v in self.values() {
            let n = v.wire_name();
            if names.contains(&n) {
                errors.spanned(v.span(), format!("two arguments are named `{n}`"));
            }
            names.push(n);
        }
    }

    /// The call of the handler with `values` (one expression per argument, in order):
    /// `callee(a, b, &ctx)` (awaited when async).
    pub(crate) fn call(&self, callee: &Callee, values: Vec<TokenStream>) -> TokenStream {
        let mut values = values.into_iter();
        let args: Vec<TokenStream> = self
            .params
            .iter()
            .map(|p| match p {
                Param::Context { by_ref: true } => quote!(&__fastmcp_ctx),
                Param::Context { by_ref: false } => {
                    quote!(::std::clone::Clone::clone(&__fastmcp_ctx))
                }
                Param::Extract(ty) => quote!(<#ty>::from_context(&__fastmcp_ctx)?),
                Param::Value(_) => values.next().unwrap_or_default(),
            })
            .collect();
        let path = callee.path();
        let awaited = self.is_async.then(|| quote!(.await));
        quote!(#path(#(#args),*) #awaited)
    }
}

fn analyze_param(
    kind: Kind,
    attrs: &[Attribute],
    pat: &Pat,
    ty: &Type,
    errors: &mut Errors,
) -> Option<Param> {
    if let Some(ctx) = context_param(ty) {
        match ctx {
            Ok(p) => {
                for a in attrs.iter().filter(|a| is_arg_attr(a)) {
                    errors.covering(a, "#[arg] does not apply to the `Context` parameter");
                }
                return Some(p);
            }
            Err(e) => {
                errors.push(e);
                return None;
            }
        }
    }
    if is_extractor(ty) {
        for a in attrs.iter().filter(|a| is_arg_attr(a)) {
            errors.covering(
                a,
                "#[arg] does not apply to a `State` or `SessionState` parameter",
            );
        }
        return Some(Param::Extract(Box::new(ty.clone())));
    }
    let arg = ArgAttr::parse(kind, attrs, errors);
    let ident = match pat {
        Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => pi.ident.clone(),
        _ => {
            errors.covering(
                pat,
                format!(
                    "{} parameters must be plain names (`name: Type`)",
                    kind.noun()
                ),
            );
            return None;
        }
    };
    if ident == "_" {
        errors.spanned(ident.span(), "name the parameter: it is an argument");
        return None;
    }
    if let Some(e) = check_owned(kind, ty) {
        errors.push(e);
        return None;
    }
    Some(Param::Value(Box::new(ValueParam {
        ident,
        ty: ty.clone(),
        option_inner: option_inner(ty),
        arg,
    })))
}

/// `Some(Ok(..))` when `ty` is `Context`, `&Context`; `Some(Err)` for `&mut Context`.
fn context_param(ty: &Type) -> Option<syn::Result<Param>> {
    match ty {
        Type::Reference(r) if is_context(&r.elem) => Some(match r.mutability {
            Some(_) => Err(syn::Error::new_spanned(
                r,
                "take the context as `&Context` or `Context`, not `&mut Context`",
            )),
            None => Ok(Param::Context { by_ref: true }),
        }),
        Type::Paren(p) => context_param(&p.elem),
        ty if is_context(ty) => Some(Ok(Param::Context { by_ref: false })),
        _ => None,
    }
}

/// Whether `ty` is `State<..>` or `SessionState<..>` (by its last path segment): a value
/// the handler takes from its context, not an argument.
fn is_extractor(ty: &Type) -> bool {
    match ty {
        Type::Path(tp) if tp.qself.is_none() => tp.path.segments.last().is_some_and(|s| {
            (s.ident == "State" || s.ident == "SessionState")
                && matches!(s.arguments, syn::PathArguments::AngleBracketed(_))
        }),
        Type::Paren(p) => is_extractor(&p.elem),
        _ => false,
    }
}

fn is_context(ty: &Type) -> bool {
    match ty {
        Type::Path(tp) if tp.qself.is_none() => tp
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Context" && s.arguments.is_none()),
        Type::Paren(p) => is_context(&p.elem),
        _ => false,
    }
}

/// `T` when `ty` is `Option<T>` (by its last path segment).
pub(crate) fn option_inner(ty: &Type) -> Option<Type> {
    let Type::Path(tp) = ty else { return None };
    if tp.qself.is_some() {
        return None;
    }
    let seg = tp.path.segments.last()?;
    if seg.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(ab) = &seg.arguments else {
        return None;
    };
    match ab.args.iter().collect::<Vec<_>>().as_slice() {
        [GenericArgument::Type(t)] => Some(t.clone()),
        _ => None,
    }
}

fn check_owned(kind: Kind, ty: &Type) -> Option<syn::Error> {
    let mut finder = Finder::default();
    finder.visit_type_mut(&mut ty.clone());
    if let Some(tokens) = finder.impl_trait {
        return Some(syn::Error::new_spanned(
            tokens,
            format!(
                "generic {}s are not supported (an `impl Trait` parameter is generic)",
                kind.noun()
            ),
        ));
    }
    if finder.reference.is_some() {
        let hint = if ty.to_token_stream().to_string().contains("str") {
            "use `String` instead of `&str`"
        } else {
            "take an owned type"
        };
        let what = match kind {
            Kind::Resource => "are parsed from the URI",
            Kind::Tool | Kind::Prompt => "are deserialized",
        };
        return Some(syn::Error::new_spanned(
            ty,
            format!("{} arguments {what} and can't borrow: {hint}", kind.noun()),
        ));
    }
    None
}

/// Finds `impl Trait` and references in a type.
#[derive(Default)]
struct Finder {
    impl_trait: Option<TokenStream>,
    reference: Option<TokenStream>,
}

impl VisitMut for Finder {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        match ty {
            Type::ImplTrait(i) => {
                self.impl_trait.get_or_insert_with(|| i.to_token_stream());
            }
            Type::Reference(r) => {
                self.reference.get_or_insert_with(|| r.to_token_stream());
            }
            _ => {}
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

/// The `impl Trait` in `ty`, if any.
pub(crate) fn find_impl_trait(ty: &Type) -> Option<TokenStream> {
    let mut finder = Finder::default();
    finder.visit_type_mut(&mut ty.clone());
    finder.impl_trait
}

/// Replaces `Self` in types with the impl's type (generated items outside the impl block
/// can't name `Self`).
pub(crate) struct ReplaceSelf<'a>(pub(crate) &'a Type);

impl VisitMut for ReplaceSelf<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(tp) = ty {
            if tp.qself.is_none()
                && tp
                    .path
                    .segments
                    .first()
                    .is_some_and(|s| s.ident == "Self" && s.arguments.is_none())
            {
                let self_ty = self.0;
                let rest: Vec<_> = tp.path.segments.iter().skip(1).collect();
                *ty = if rest.is_empty() {
                    self_ty.clone()
                } else {
                    syn::parse_quote!(<#self_ty>::#(#rest)::*)
                };
                return;
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

/// What the generated code calls.
pub(crate) enum Callee<'a> {
    /// A free function turned into `ident::run`.
    Free { ident: &'a Ident },
    /// A method of an impl block with `#[tools]`.
    Method {
        self_ty: &'a Type,
        ident: &'a Ident,
        receiver: bool,
    },
}

impl Callee<'_> {
    fn path(&self) -> TokenStream {
        match self {
            Callee::Free { ident } => quote!(#ident::run),
            Callee::Method {
                ident,
                receiver: true,
                ..
            } => quote!(__fastmcp_this.#ident),
            Callee::Method {
                self_ty,
                ident,
                receiver: false,
            } => quote!(<#self_ty>::#ident),
        }
    }

    /// What clones the shared value into a closure (before building it, and inside it
    /// before each call).
    pub(crate) fn capture(&self) -> TokenStream {
        match self {
            Callee::Method { receiver: true, .. } => quote! {
                let __fastmcp_this = ::fastmcp::__private::Arc::clone(&__fastmcp_this);
            },
            _ => TokenStream::new(),
        }
    }

    /// A prefix for the names of generated items, unique within one expansion.
    pub(crate) fn item_prefix(&self) -> String {
        let ident = match self {
            Callee::Free { ident } | Callee::Method { ident, .. } => ident,
        };
        format!("__fastmcp_{}", ident.unraw())
    }
}
