//! Emitters for the one handle of the bindings: `Api`, in the root module, made from one
//! `Connection` and handing out every service (`api.download_session()`), and, in each service's
//! module, the `Fluent` it hands out: one `__rt::fluent!` listing the operations, from which the
//! runtime writes a method per operation and a request builder per operation with optional
//! parameters. The per-service `Client`s stay as they are.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::rest::Options;
use super::types::{ident, rust_type};
use crate::ir::{Model, Package, Service};
use crate::naming;

fn gate(options: &Options) -> TokenStream {
    if options.feature_gates {
        quote!(#[cfg(feature = "client")])
    } else {
        quote!()
    }
}

/// `__rt::fluent!(File { get(…) -> …, GetError; … })`: the service's `Fluent`, in its module
/// (where `from` points), beside its `Client`.
pub fn service(from: &[String], service: &Service, options: &Options) -> TokenStream {
    if !options.client {
        return quote!();
    }
    let gate = gate(options);
    let name = ident(&service.name.rust);
    let ops = service.operations.iter().map(|op| {
        let method = ident(&op.name.rust);
        let optional = |p: &&crate::ir::Param| p.ty.is_optional();
        // Optional parameters are set on a request, whose setters are named after them; one
        // named `send` would meet the request's `send`, so such an operation takes them in
        // place, as `impl Into<Option<T>>`.
        let request = op.params.iter().any(|p| optional(&p))
            && !op
                .params
                .iter()
                .any(|p| optional(&p) && p.name.rust == "send");
        let param = |p: &crate::ir::Param| {
            let n = ident(&p.name.rust);
            let t = rust_type(from, if request { p.ty.required() } else { &p.ty });
            quote!(#n: #t)
        };
        let positional = op
            .params
            .iter()
            .filter(|p| !request || !optional(p))
            .map(param);
        let result = op
            .result
            .as_ref()
            .map(|r| rust_type(from, &r.ty))
            .unwrap_or_else(|| quote!(()));
        let error = ident(&op.error_type);
        let request = request.then(|| {
            let b = ident(&naming::request_type_name(&op.name.wire));
            let set = op.params.iter().filter(optional).map(param);
            let order = op.params.iter().map(|p| ident(&p.name.rust));
            quote!([#b #(#set),*] (#(#order),*))
        });
        quote!(#method(#(#positional),*) -> #result, #error #request;)
    });
    quote! {
        #gate
        __rt::fluent!(#name { #(#ops)* });
    }
}

/// `Api`, for the root module: `new`, `connection` and one method per service of the `wanted`
/// packages, in IR order, each handing out the service's `Fluent` on a clone of the connection;
/// and the runtime's `Connection` and `ClientBuilder` re-exported beside it, so that a program
/// needs no other import to connect.
pub fn api(model: &Model, wanted: &BTreeSet<&str>, options: &Options) -> TokenStream {
    if !options.client {
        return quote!();
    }
    let methods: Vec<TokenStream> = api_methods(model, wanted).collect();
    api_of(options, &methods, true)
}

/// The methods of [`api`] that hand out the services, each made when asked for: the root
/// module renders `Api` piece by piece (see [`api_of`]), as it names every service of the IDL.
pub fn api_methods<'m>(
    model: &'m Model,
    wanted: &'m BTreeSet<&str>,
) -> impl Iterator<Item = TokenStream> + 'm {
    let services: Vec<(&Package, &Service)> = model
        .packages
        .iter()
        .filter(|p| wanted.contains(p.name.as_str()))
        .flat_map(|p| p.services.iter().map(move |s| (p, s)))
        .collect();
    let keys: Vec<(&str, &str)> = services
        .iter()
        .map(|(p, s)| (p.name.as_str(), s.name.wire.as_str()))
        .collect();
    let names = naming::handle_method_names(&keys);
    services.into_iter().zip(names).map(|((p, s), name)| {
        let method = ident(&name);
        let mut path: Vec<syn::Ident> = p.module_path.iter().map(|m| ident(m)).collect();
        let trait_name = ident(&s.name.rust);
        let link = path
            .iter()
            .chain([&trait_name])
            .map(|i| naming::unraw(&i.to_string()).to_owned())
            .collect::<Vec<_>>()
            .join("::");
        let doc = format!(
            " The `{}.{}` service ([`{}`]({link})).",
            p.name, s.name.wire, s.name.rust
        );
        let doc = crate::docs::doc_literal(&doc);
        path.push(ident(&s.module));
        quote! {
            #[doc = #doc]
            #[inline]
            pub fn #method(&self) -> #(#path::)* Fluent {
                self.connection.clone().into()
            }
        }
    })
}

/// [`api`] with these of its [`api_methods`], and its head (the re-exports, the struct and the
/// methods that are not services) only when `head`: without it, what is printed between its
/// `impl Api {` and `}` holds just those methods, a piece of the whole.
pub fn api_of(options: &Options, methods: &[TokenStream], head: bool) -> TokenStream {
    if !options.client {
        return quote!();
    }
    let gate = gate(options);
    if !head {
        return quote! {
            #gate
            #[rustfmt::skip]
            impl Api {
                #(#methods)*
            }
        };
    }
    quote! {
        #gate
        pub use ::vapi_runtime::client::{ClientBuilder, Connection};

        /// One handle for every service of these bindings, from one [`Connection`] (and its
        /// session): `Api::new(connection).download_session().get(id).await`. Each method hands
        /// out a service's operations as methods (documented on the service's trait); cloning it
        /// is cheap and shares the connection. The per-service `Client`s, which implement the
        /// service traits, work on their own too.
        #gate
        #[derive(__rt::Debug, __rt::Clone)]
        pub struct Api {
            connection: __rt::Connection,
        }

        // The root module is `lib.rs`, which `cargo fmt` formats (module files are skipped where
        // they are declared): its long method signatures must stay as prettyplease wrote them.
        // Every method is inline, as everything the bindings write: a crate of bindings then
        // codegens none of them, nor the debug info of the connection's types, which is most of
        // the cost of codegen here; a crate that calls them codegens what it calls.
        #gate
        #[rustfmt::skip]
        impl Api {
            /// A handle calling through `connection`.
            #[inline]
            pub fn new(connection: __rt::Connection) -> Self {
                Self { connection }
            }

            /// The connection every service's calls go through.
            #[inline]
            pub fn connection(&self) -> &__rt::Connection {
                &self.connection
            }

            #(#methods)*
        }
    }
}
