//! Emitters for services: the trait, and the service module with its resource type, operation
//! descriptors and per-operation error types.

use proc_macro2::{Delimiter, Group, TokenStream};
use quote::quote;

use super::data::{doc_of, lit, type_note};
use super::types::{braced, ident, rust_type, type_ref_path};
use crate::docs::Doc;
use crate::ir::{Body, Condition, HttpMethod, Operation, Package, PrivilegeScope, Rest, Service};

/// The vAPI service identifier: `com.vmware.content.library.item.download_session`.
fn service_id(package: &Package, service: &Service) -> String {
    crate::naming::service_id(&package.name, &service.name.wire)
}

fn rest_line(rest: &Rest) -> String {
    let action = rest
        .action
        .as_ref()
        .map(|a| format!("?action={a}"))
        .unwrap_or_default();
    format!("`{} /api{}{action}`", rest.method.as_str(), rest.path)
}

/// An error condition with the version that added it.
fn condition(c: &Condition) -> String {
    match &c.since {
        Some(v) => format!("{} (Added in vSphere API {v}.)", c.text),
        None => c.text.to_string(),
    }
}

fn operation_doc(service: &Service, op: &Operation) -> Doc {
    let mut doc = doc_of(&op.docs);
    if !op.params.is_empty() {
        doc.section("Parameters");
        for p in &op.params {
            let mut text = p.docs.text.to_string();
            if let Some(v) = &p.docs.since {
                text.push_str(&format!(" Added in vSphere API {v}."));
            }
            doc.bullet(
                &format!("`{}` ({}): ", p.name.wire, type_note(&p.ty)),
                &text,
            );
        }
    }
    if let Some(result) = &op.result {
        doc.section("Returns");
        doc.bullet(&format!("{}: ", type_note(&result.ty)), &result.doc);
    }
    // The conditions are documented once, on the error enum's variants.
    doc.section("Errors");
    let path = format!("{}::{}", service.module, op.error_type);
    let label = format!(
        "{}::{}",
        crate::naming::unraw(&service.module),
        op.error_type
    );
    let link = doc_link(&label, &path);
    doc.markdown(format!(
        "{link}: the errors the operation documents, with when each occurs."
    ));
    if !op.privileges.is_empty() {
        doc.section("Privileges");
        for p in &op.privileges {
            let list = p
                .privileges
                .iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", ");
            match &p.scope {
                PrivilegeScope::Operation => {
                    doc.markdown(format!("- Method execution requires {list}."));
                }
                PrivilegeScope::Resource {
                    resource_type,
                    path,
                } => {
                    doc.markdown(format!(
                        "- The resource `{resource_type}` referenced by `{}` requires {list}.",
                        path.join(".")
                    ));
                }
            }
        }
    }
    if let Some(rest) = &op.rest {
        doc.section("REST");
        doc.markdown(rest_line(rest));
    }
    doc
}

/// The trait of a service, with its blanket implementation for `Arc`.
pub fn service_trait(package: &Package, service: &Service) -> TokenStream {
    let from = &package.module_path;
    let name = ident(&service.name.rust);
    let module = ident(&service.module);
    let mut doc = doc_of(&service.docs);
    if let Some(rt) = &service.resource_type {
        doc.paragraph(format!("Resource type: `{rt}`."));
    }
    doc.paragraph(format!(
        "Implement this trait to serve the API or to fake it in tests; the metadata of its \
         operations is in the `{}` module. Every method's future is `Send`.",
        service.module
    ));
    let mut decls = Vec::new();
    let mut forwards = Vec::new();
    for op in &service.operations {
        let odoc = operation_doc(service, op);
        let method = ident(&op.name.rust);
        let params: Vec<TokenStream> = op
            .params
            .iter()
            .map(|p| {
                let n = ident(&p.name.rust);
                let t = rust_type(from, &p.ty);
                quote!(#n: #t)
            })
            .collect();
        let args = op.params.iter().map(|p| ident(&p.name.rust));
        let result = op
            .result
            .as_ref()
            .map(|r| rust_type(from, &r.ty))
            .unwrap_or_else(|| quote!(()));
        let error = ident(&op.error_type);
        let ret = quote! {
            impl __rt::Future<Output = __rt::Result<#result, #module::#error>> + __rt::Send
        };
        // The lints a method name or a long parameter list of the IDL would trip, where they
        // fire: on the trait's declaration.
        let mut allows = Vec::new();
        if op.params.len() + 1 > 7 {
            allows.push(quote!(clippy::too_many_arguments));
        }
        let wire = op.name.wire.as_str();
        if wire == "new" || wire.starts_with("from_") || wire.starts_with("into_") {
            allows.push(quote!(clippy::wrong_self_convention));
        }
        let allow = (!allows.is_empty()).then(|| quote!(#[allow(#(#allows),*)]));
        decls.push(quote! {
            #odoc
            #allow
            fn #method(&self, #(#params),*) -> #ret;
        });
        // Called by path: an operation named `clone` or `into` must not reach another trait.
        forwards.push(quote! {
            fn #method(&self, #(#params),*) -> #ret {
                <__T as #name>::#method(&**self, #(#args),*)
            }
        });
    }
    let (decls, forwards) = (braced(decls), braced(forwards));
    quote! {
        #doc
        pub trait #name: __rt::Send + __rt::Sync #decls

        // The generic is not `T`: an IDL type of that name would be shadowed in the methods.
        impl<__T: #name + ?__rt::Sized> #name for __rt::Arc<__T> #forwards
    }
}

/// The module of a service: `RESOURCE_TYPE`, `SERVICE_ID`, one descriptor per operation,
/// `OPERATIONS`, and one error enum per operation.
/// `ends` are its client and server, and `ends_root` whether they name `__root`.
pub fn service_module(
    package: &Package,
    service: &Service,
    ends: TokenStream,
    ends_root: bool,
) -> TokenStream {
    let mut from = package.module_path.clone();
    from.push(service.module.clone());
    let module = ident(&service.module);
    let mdoc = Doc::from_text(&format!(
        "Metadata and error types of the `{}` service.",
        service.name.wire
    ));
    let id = service_id(package, service);
    let resource_type = service.resource_type.as_ref().map(|rt| {
        quote! {
            /// The resource type of the service.
            pub const RESOURCE_TYPE: &str = #rt;
        }
    });
    let descriptors: Vec<TokenStream> = service.operations.iter().map(descriptor).collect();
    let all = service.operations.iter().map(|op| ident(&op.descriptor));
    let (errors, errors_root) = super::types::track_root(|| {
        let errors: Vec<TokenStream> = service
            .operations
            .iter()
            .map(|op| error_enum(&from, service, op))
            .collect();
        errors
    });
    // The service `Type` of the package `…type` has the module `r#type::r#type`.
    let unraw = crate::naming::unraw;
    let inception = package
        .module_path
        .last()
        .is_some_and(|m| unraw(m) == unraw(&service.module))
        .then(|| quote!(#[allow(clippy::module_inception)]));
    // The body's parts are moved in, not interpolated: `quote!` would copy their tokens.
    let mut body = quote! {
        /// The vAPI identifier of the service.
        pub const SERVICE_ID: &str = #id;
        #resource_type
    };
    body.extend(descriptors);
    body.extend(quote! {
        /// Every operation of the service, in IDL order.
        pub const OPERATIONS: &[__rt::OperationDescriptor] = &[#(#all),*];
    });
    body.extend(errors);
    body.extend(ends);
    let mut inner = super::types::imports(&from, true, errors_root || ends_root);
    inner.extend(body);
    let body = Group::new(Delimiter::Brace, inner);
    quote! {
        #mdoc
        #inception
        pub mod #module #body
    }
}

fn descriptor(op: &Operation) -> TokenStream {
    let name = ident(&op.descriptor);
    let wire = lit(&op.name.wire);
    let params = op.params.iter().map(|p| lit(&p.name.wire));
    let doc = format!(" The metadata of the `{}` operation.", op.name.wire);
    let privileges = op.privileges.iter().map(|p| {
        let list = p.privileges.iter().map(|x| lit(x));
        match &p.scope {
            PrivilegeScope::Operation => quote!(__rt::requires(&[#(#list),*])),
            PrivilegeScope::Resource {
                resource_type,
                path,
            } => {
                let path = path.iter().map(|x| lit(x));
                quote!(__rt::requires_on(#resource_type, &[#(#path),*], &[#(#list),*]))
            }
        }
    });
    let errors = op.errors.iter().map(|e| {
        let q = e.error.qualified();
        let conditions = e
            .conditions
            .iter()
            .map(|c| lit(&crate::docs::plain(&c.text)));
        quote!(__rt::error(#q, &[#(#conditions),*]))
    });
    let rest = match &op.rest {
        None => quote!(__rt::None),
        Some(r) => {
            let method = match r.method {
                HttpMethod::Get => quote!(Get),
                HttpMethod::Post => quote!(Post),
                HttpMethod::Put => quote!(Put),
                HttpMethod::Patch => quote!(Patch),
                HttpMethod::Delete => quote!(Delete),
            };
            let path = lit(&r.path);
            // Only the parts that are set; `rest` gives the others.
            let mut parts = Vec::new();
            if let Some(a) = &r.action {
                parts.push(quote!(action: __rt::Some(#a),));
            }
            let pairs = |v: &Vec<(String, String)>| {
                let items = v.iter().map(|(a, b)| quote!((#a, #b)));
                quote!(&[#(#items),*])
            };
            for (field, list) in [
                (quote!(path_params), &r.path_params),
                (quote!(query), &r.query),
                (quote!(headers), &r.headers),
            ] {
                if !list.is_empty() {
                    let list = pairs(list);
                    parts.push(quote!(#field: #list,));
                }
            }
            match &r.body {
                Body::None => {}
                Body::Param(p) => parts.push(quote!(body: __rt::RestBody::Param(#p),)),
                Body::Fields(f) => parts.push(quote!(body: __rt::RestBody::Fields(&[#(#f),*]),)),
            }
            let base = quote!(__rt::rest(__rt::HttpMethod::#method, #path));
            if parts.is_empty() {
                quote!(__rt::Some(#base))
            } else {
                quote!(__rt::Some(__rt::RestMapping { #(#parts)* ..#base }))
            }
        }
    };
    let doc = crate::docs::doc_literal(&doc);
    quote! {
        #[doc = #doc]
        pub const #name: __rt::OperationDescriptor = __rt::OperationDescriptor {
            service: SERVICE_ID,
            name: #wire,
            params: &[#(#params),*],
            privileges: &[#(#privileges),*],
            errors: &[#(#errors),*],
            rest: #rest,
        };
    }
}

/// An intra-doc link to `path` shown as `label`; code without a link where the path has a raw
/// identifier, as rustdoc reads the `#` of `r#` as the start of a fragment.
fn doc_link(label: &str, path: &str) -> String {
    if path.contains("r#") {
        format!("`{label}`")
    } else if label == path {
        format!("[`{path}`]")
    } else {
        format!("[`{label}`]({path})")
    }
}

fn error_enum(from: &[String], service: &Service, op: &Operation) -> TokenStream {
    let name = ident(&op.error_type);
    // The runtime's name for the catch-all is `Unhandled`; only another one is spelled out.
    let unhandled = (op.unhandled_variant != "Unhandled").then(|| {
        let u = ident(&op.unhandled_variant);
        quote!(#[unhandled(#u)])
    });
    let (trait_name, method) = (&service.name.rust, &op.name.rust);
    let unraw = crate::naming::unraw;
    let label = format!("{}::{}", unraw(trait_name), unraw(method));
    let mut doc = Doc::new();
    doc.markdown(format!(
        "The errors of {}.",
        doc_link(&label, &format!("super::{trait_name}::{method}"))
    ));
    let variants = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let ty = type_ref_path(from, &e.error);
        let wire = crate::naming::error_type_value(&e.error.name.wire);
        let mut vdoc = Doc::new();
        for c in &e.conditions {
            vdoc.bullet("", &condition(c));
        }
        quote! { #vdoc #v(#ty) = #wire, }
    });
    quote! {
        __rt::error_enum! {
            #unhandled
            #doc
            pub enum #name {
                #(#variants)*
            }
        }
    }
}
