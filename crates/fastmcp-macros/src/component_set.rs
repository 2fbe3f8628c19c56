//! `#[tools]` (also `#[resources]`, `#[prompts]`) on an impl block: the methods marked
//! `#[tool]`, `#[resource]` or `#[prompt]` become components sharing the value, through
//! `IntoComponents`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::visit_mut::VisitMut;
use syn::{Attribute, ImplItem, ItemImpl, Type};

use crate::args::{strip_param_attrs, Callee, Handler, Kind, ReplaceSelf};
use crate::attrs::{unreachable_body, Errors};
use crate::component::{components_field, convert, quiet, Spec};

/// The component attribute on a method, if it has one: `#[tool]`, `#[fastmcp::tool(...)]`...
fn component_kind(attr: &Attribute) -> Option<Kind> {
    let last = attr.path().segments.last()?;
    match last.ident.to_string().as_str() {
        "tool" => Some(Kind::Tool),
        "resource" => Some(Kind::Resource),
        "prompt" => Some(Kind::Prompt),
        _ => None,
    }
}

/// The arguments of a component attribute (`#[tool]` alone has none).
fn attr_tokens(attr: &Attribute) -> syn::Result<TokenStream> {
    match &attr.meta {
        syn::Meta::Path(_) => Ok(TokenStream::new()),
        syn::Meta::List(l) => Ok(l.tokens.clone()),
        syn::Meta::NameValue(nv) => Err(syn::Error::new(
            nv.eq_token.span,
            "expected `#[tool(...)]`, not `#[tool = ...]`",
        )),
    }
}

pub(crate) fn expand(macro_name: &str, attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    if !attr.is_empty() {
        errors.covering(
            &attr,
            format!("#[{macro_name}] takes no arguments; put them on the methods' #[tool], #[resource] or #[prompt]"),
        );
    }
    let mut block: ItemImpl = match syn::parse2(item.clone()) {
        Ok(b) => b,
        Err(_) => {
            let e = syn::Error::new(
                Span::call_site(),
                format!("#[{macro_name}] goes on an impl block: `#[{macro_name}] impl MyServer {{ ... }}`"),
            );
            let e = e.to_compile_error();
            return quote!(#e #item);
        }
    };
    if let Some((_, path, _)) = &block.trait_ {
        errors.covering(
            path,
            format!("#[{macro_name}] goes on an inherent impl block (`impl MyServer`), not a trait impl"),
        );
    }
    let generic = !block.generics.params.is_empty() || block.generics.where_clause.is_some();
    if generic {
        errors.covering(
            &block.generics,
            format!("#[{macro_name}] does not support generic impl blocks: implement it for a concrete type"),
        );
    }
    let self_ty: Type = (*block.self_ty).clone();

    let mut items = Vec::new();
    let mut pushes = Vec::new();
    for impl_item in &mut block.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        if let Some((item, push)) = expand_method(method, &self_ty, &mut errors) {
            items.push(item);
            pushes.push(push);
        }
    }

    let compile_errors = errors.to_compile_errors();
    if generic {
        return quote!(#block #compile_errors);
    }
    let body = if errors.is_empty() {
        quote! {
            let __fastmcp_this = ::fastmcp::__private::Arc::new(self);
            let mut __fastmcp_components = ::fastmcp::__private::Components::default();
            #(#pushes)*
            __fastmcp_components
        }
    } else {
        unreachable_body(Span::call_site())
    };
    let items = errors.is_empty().then(|| quote!(#(#items)*));
    let quiet = quiet();
    let self_ty = self_ty.to_token_stream();
    quote! {
        #block

        #quiet
        const _: () = {
            #items
            impl ::fastmcp::__private::IntoComponents for #self_ty {
                fn into_components(self) -> ::fastmcp::__private::Components {
                    #body
                }
            }
        };

        #compile_errors
    }
}

/// One method of the block: its component attribute removed, the component's generated
/// items and the statement that adds it to the set (`None` for a plain method).
fn expand_method(
    method: &mut syn::ImplItemFn,
    self_ty: &Type,
    errors: &mut Errors,
) -> Option<(TokenStream, TokenStream)> {
    let mut marked: Vec<(Kind, Attribute)> = Vec::new();
    method.attrs.retain(|a| match component_kind(a) {
        Some(k) => {
            marked.push((k, a.clone()));
            false
        }
        None => true,
    });
    let (kind, attr) = marked.first().cloned()?;
    for (_, extra) in marked.iter().skip(1) {
        errors.covering(
            extra,
            "a method can be only one component: one of #[tool], #[resource] or #[prompt]",
        );
    }
    let tokens = errors.ok(attr_tokens(&attr)).unwrap_or_default();
    let spec = Spec::parse(kind, tokens, errors);

    // Generated items live outside the impl block, where `Self` means nothing.
    let mut sig = method.sig.clone();
    for input in &mut sig.inputs {
        if let syn::FnArg::Typed(pt) = input {
            ReplaceSelf(self_ty).visit_type_mut(&mut pt.ty);
        }
    }
    if let syn::ReturnType::Type(_, ty) = &mut sig.output {
        ReplaceSelf(self_ty).visit_type_mut(ty);
    }
    let handler = Handler::analyze(kind, &method.attrs, &sig, errors);
    strip_param_attrs(&mut method.sig);
    crate::forward::bind_method_params(method);

    let receiver = match &handler.receiver {
        None => false,
        Some(r) if r.reference.is_some() && r.mutability.is_none() => true,
        Some(r) => {
            errors.covering(
                r,
                format!(
                    "a {} method takes `&self`: the value is shared between calls",
                    kind.noun()
                ),
            );
            true
        }
    };
    let callee = Callee::Method {
        self_ty,
        ident: &method.sig.ident,
        receiver,
    };
    let expansion = spec.expand(&handler, &callee, errors);
    let field = components_field(kind);
    let value = convert(kind, &expansion.build);
    Some((
        expansion.items,
        quote!(__fastmcp_components.#field.push(#value);),
    ))
}
