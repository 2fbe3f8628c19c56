//! What the three component attributes share: dispatch on the kind, and the expansion of
//! a free function into a struct with a `run` function and a conversion trait impl, and a
//! constant of that struct (`registration`).

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Attribute, ItemFn};

use crate::args::{strip_param_attrs, Callee, Handler, Kind};
use crate::attrs::{is_doc, AttrArgs, Errors};
use crate::prompt::PromptAttr;
use crate::resource::ResourceAttr;
use crate::tool::ToolAttr;

/// The generated items (in an anonymous `const _` block) and the expression that builds the
/// `FnTool` / `FnResource` / `FnResourceTemplate` / `FnPrompt`.
#[derive(Default)]
pub(crate) struct Expansion {
    pub(crate) items: TokenStream,
    pub(crate) build: TokenStream,
}

/// The parsed attribute of one component.
pub(crate) enum Spec {
    Tool(ToolAttr),
    Resource(ResourceAttr),
    Prompt(PromptAttr),
}

impl Spec {
    pub(crate) fn parse(kind: Kind, tokens: TokenStream, errors: &mut Errors) -> Spec {
        let args = errors.ok(AttrArgs::from_tokens(tokens)).unwrap_or_default();
        match kind {
            Kind::Tool => Spec::Tool(ToolAttr::parse(args, errors)),
            Kind::Resource => Spec::Resource(ResourceAttr::parse(args, errors)),
            Kind::Prompt => Spec::Prompt(PromptAttr::parse(args, errors)),
        }
    }

    pub(crate) fn expand(&self, h: &Handler, callee: &Callee, errors: &mut Errors) -> Expansion {
        match self {
            Spec::Tool(t) => t.expand(h, callee, errors),
            Spec::Resource(r) => r.expand(h, callee, errors),
            Spec::Prompt(p) => p.expand(h, callee, errors),
        }
    }
}

/// `Type::into_xxx(build)` and the return type of the conversion, per kind.
fn conversion(kind: Kind) -> (TokenStream, TokenStream, TokenStream) {
    match kind {
        Kind::Tool => (
            quote!(::fastmcp::__private::IntoTool),
            quote!(into_tool),
            quote!(::fastmcp::__private::Arc<dyn ::fastmcp::core::ToolHandler>),
        ),
        Kind::Resource => (
            quote!(::fastmcp::__private::IntoResource),
            quote!(into_resource),
            quote!(::fastmcp::__private::AnyResource),
        ),
        Kind::Prompt => (
            quote!(::fastmcp::__private::IntoPrompt),
            quote!(into_prompt),
            quote!(::fastmcp::__private::Arc<dyn ::fastmcp::core::PromptHandler>),
        ),
    }
}

/// The expression converting `build` into what `Components` holds for this kind.
pub(crate) fn convert(kind: Kind, build: &TokenStream) -> TokenStream {
    let (tr, method, _) = conversion(kind);
    quote!(#tr::#method(#build))
}

/// The field of `Components` holding this kind.
pub(crate) fn components_field(kind: Kind) -> TokenStream {
    match kind {
        Kind::Tool => quote!(tools),
        Kind::Resource => quote!(resources),
        Kind::Prompt => quote!(prompts),
    }
}

/// The attributes that keep the generated items quiet.
pub(crate) fn quiet() -> TokenStream {
    quote! {
        #[allow(
            non_camel_case_types,
            non_snake_case,
            unused_mut,
            unused_variables,
            clippy::all,
            clippy::pedantic
        )]
    }
}

/// `#[tool]`, `#[resource]` or `#[prompt]` on a free function.
pub(crate) fn free_fn(kind: Kind, attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let mut func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let e = syn::Error::new(
                Span::call_site(),
                format!("#[{}] goes on a function", kind.noun()),
            );
            let e = e.to_compile_error();
            return quote!(#e #item);
        }
    };
    let spec = Spec::parse(kind, attr, &mut errors);
    let handler = Handler::analyze(kind, &func.attrs, &func.sig, &mut errors);
    strip_param_attrs(&mut func.sig);

    // A method can't become a struct: keep it as it is. A generic function, or one
    // with a parameter named like itself, can't become `run`: emit the struct alone.
    if let Some(r) = &handler.receiver {
        errors.covering(
            r,
            format!(
                "#[{0}] on a method needs the impl block's help: put #[tools] on the impl block (it turns the methods marked #[{0}] into components)",
                kind.noun()
            ),
        );
        let compile_errors = errors.to_compile_errors();
        return quote!(#compile_errors #func);
    }
    let ident = func.sig.ident.clone();
    let names_ok = check_param_names(&func, kind, &mut errors);
    let emit_run =
        names_ok && func.sig.generics.params.is_empty() && func.sig.generics.where_clause.is_none();
    let callee = Callee::Free { ident: &ident };
    let expansion = spec.expand(&handler, &callee, &mut errors);
    let compile_errors = errors.to_compile_errors();

    let vis = &func.vis;
    let (docs, cfgs, others) = split_attrs(&func.attrs);
    let forward = crate::forward::Forward::new(&func.sig, &func.block, &others);
    let (tr, method, ret) = conversion(kind);
    let field = components_field(kind);
    let body = if errors.is_empty() {
        let build = &expansion.build;
        quote!(#tr::#method(#build))
    } else {
        crate::attrs::unreachable_body(Span::call_site())
    };
    let items = errors.is_empty().then_some(&expansion.items);
    let run = emit_run.then(|| {
        quote! {
            #(#cfgs)*
            impl #ident {
                #(#docs)*
                #vis #forward
            }
        }
    });
    let quiet = quiet();
    let value = crate::registration::value(kind, vis, &ident, &cfgs, &others);
    quote! {
        #(#cfgs)*
        #(#docs)*
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, Default)]
        #vis struct #ident {}

        #value

        #run

        #(#cfgs)*
        #quiet
        const _: () = {
            #items
            impl #tr for #ident {
                fn #method(self) -> #ret {
                    #body
                }
            }
            impl ::fastmcp::__private::IntoComponents for #ident {
                fn into_components(self) -> ::fastmcp::__private::Components {
                    let mut __fastmcp_set = ::fastmcp::__private::Components::default();
                    __fastmcp_set.#field.push(#tr::#method(self));
                    __fastmcp_set
                }
            }
        };

        #compile_errors
    }
}

/// Doc comments, `#[cfg]`s and the rest.
fn split_attrs(attrs: &[Attribute]) -> (Vec<&Attribute>, Vec<&Attribute>, Vec<&Attribute>) {
    let mut docs = Vec::new();
    let mut cfgs = Vec::new();
    let mut others = Vec::new();
    for a in attrs {
        if is_doc(a) {
            docs.push(a);
        } else if a.path().is_ident("cfg") {
            cfgs.push(a);
        } else {
            others.push(a);
        }
    }
    (docs, cfgs, others)
}

/// A parameter named like its function would match the constant the function becomes;
/// `false` if there is one.
fn check_param_names(func: &ItemFn, kind: Kind, errors: &mut Errors) -> bool {
    let mut ok = true;
    for input in &func.sig.inputs {
        if let syn::FnArg::Typed(pt) = input {
            if let syn::Pat::Ident(pi) = &*pt.pat {
                if pi.ident == func.sig.ident {
                    errors.spanned(
                        pi.ident.span(),
                        format!(
                            "a parameter can't be named like its function: #[{0}] turns `{1}` into a constant; rename the parameter (`#[arg(rename = \"{1}\")]` keeps the argument's name)",
                            kind.noun(),
                            pi.ident
                        ),
                    );
                    ok = false;
                }
            }
        }
    }
    ok
}
