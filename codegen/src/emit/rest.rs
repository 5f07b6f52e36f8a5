//! Emitters for the two ends of a service's REST mapping: a `Client` that implements the
//! service trait over HTTP, and a `router` that serves `/api` from any implementation of it.
//! Both follow each operation's mapping in the IR, and both check inputs with the generated
//! validators before anything is sent or dispatched.

use proc_macro2::TokenStream;
use quote::quote;

use super::data::holds_structure;
use super::types::{braced, ident, rust_type};
use crate::ir::{Model, Operation, OperationKind, Param, Service, Type};

/// Where generated client and server code goes, and what gates it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Emit a `Client` per service.
    pub client: bool,
    /// Emit a `router` per service.
    pub server: bool,
    /// Wrap them in `#[cfg(feature = "client")]` / `#[cfg(feature = "server")]`.
    pub feature_gates: bool,
}

fn gate(options: &Options, feature: &str) -> TokenStream {
    if options.feature_gates {
        quote!(#[cfg(feature = #feature)])
    } else {
        quote!()
    }
}

/// Whether the structure a parameter names has `validate_for_<op>`.
fn has_presence(model: &Model, ty: &Type) -> bool {
    let Type::Structure(r) = ty.required() else {
        return false;
    };
    model
        .packages
        .iter()
        .filter(|p| *p.name == *r.package)
        .flat_map(|p| &p.structures)
        .any(|s| s.name.wire == r.name.wire && s.fields.iter().any(|f| f.presence.is_some()))
}

/// The check of one input: `validate_for_create`/`_update` for the spec of those operations,
/// `validate` for anything else holding structures. An expression of
/// `Result<(), ValidationError>`, or `None` when the parameter has no rules.
fn input_check(model: &Model, op: &Operation, p: &Param) -> Option<TokenStream> {
    if !holds_structure(&p.ty) {
        return None;
    }
    let n = ident(&p.name.rust);
    let kind = op
        .kind
        .filter(|k| matches!(k, OperationKind::Create | OperationKind::Update));
    let presence = kind.is_some() && has_presence(model, &p.ty);
    let call = if let Some(kind) = kind.filter(|_| presence) {
        let m = ident(&format!("validate_for_{}", kind.as_str()));
        quote!(.#m())
    } else {
        quote!(.validate())
    };
    Some(if presence && p.ty.is_optional() {
        quote!(match &#n { __rt::Some(v) => v #call, __rt::None => __rt::Ok(()) })
    } else if presence {
        quote!(#n #call)
    } else {
        quote!(__rt::Validate::validate(&#n))
    })
}

/// The parameters of an operation's method: `name: Type, …`.
fn params(from: &[String], op: &Operation) -> Vec<TokenStream> {
    op.params
        .iter()
        .map(|p| {
            let n = ident(&p.name.rust);
            let t = rust_type(from, &p.ty);
            quote!(#n: #t)
        })
        .collect()
}

/// The `Client` of a service, in its module: each method checks its inputs and hands its
/// arguments to `vapi_runtime::dispatch::call` with the operation's descriptor, which builds
/// the request from the REST mapping and reads the answer as the result or the declared error.
pub fn client(model: &Model, from: &[String], service: &Service, options: &Options) -> TokenStream {
    let gate = gate(options, "client");
    let trait_name = ident(&service.name.rust);
    let doc = format!(
        " A client of the `{}` service over the `/api` REST mapping of its operations: share one \
         [`Connection`](::vapi_runtime::client::Connection) (and its session) among the clients \
         of all services.",
        service.name.wire
    );
    let methods = service.operations.iter().map(|op| {
        let method = ident(&op.name.rust);
        let error = ident(&op.error_type);
        let params = params(from, op);
        let result = op
            .result
            .as_ref()
            .map(|r| rust_type(from, &r.ty))
            .unwrap_or_else(|| quote!(()));
        // A broken rule is a refused call: nothing is sent. The checks are one expression (the
        // first broken rule), so that unformatted output has no `} if` clippy would flag.
        let checks = op.params.iter().filter_map(|p| {
            let check = input_check(model, op, p)?;
            let wire = &p.name.wire;
            Some(quote!(__rt::check(#wire, #check)))
        });
        let checks = checks
            .reduce(|all, next| quote!(#all.and_then(|()| #next)))
            .map(|all| {
                quote! {
                    if let __rt::Err(failed) = #all {
                        return __rt::refused(failed);
                    }
                }
            });
        let descriptor = ident(&op.descriptor);
        let args = op.params.iter().map(|p| ident(&p.name.rust));
        let call = if op.result.is_some() {
            quote!(call)
        } else {
            quote!(call_unit)
        };
        // Inline, so that a crate of bindings compiles no call it does not make.
        quote! {
            #[inline]
            fn #method(&self, #(#params),*) -> __rt::Call<#result, #error> {
                #checks
                __rt::#call(&self.connection, &#descriptor, &[#(&#args),*])
            }
        }
    });
    let methods = braced(methods);
    let doc = crate::docs::doc_literal(&doc);
    // A service without operations never calls through its connection.
    let unread = service
        .operations
        .is_empty()
        .then(|| quote!(#[allow(dead_code)]));
    quote! {
        #gate
        #[doc = #doc]
        #[derive(__rt::Debug, __rt::Clone)]
        pub struct Client {
            #unread
            connection: __rt::Connection,
        }

        #gate
        impl Client {
            /// A client that calls through `connection`.
            #[inline]
            pub fn new(connection: __rt::Connection) -> Self {
                Self { connection }
            }
        }

        // Each method returns the runtime's boxed call, not `impl Future`: the `Fluent` of the
        // service hands it out as it is.
        #gate
        #[allow(refining_impl_trait)]
        impl super::#trait_name for Client #methods
    }
}

/// The `router` of a service, in its module: one handler per operation with a REST mapping,
/// which reads the arguments (`vapi_runtime::dispatch::Args`), checks them and calls the
/// trait; the runtime makes the routes from the descriptors and chooses the operation of a
/// request.
pub fn server(model: &Model, from: &[String], service: &Service, options: &Options) -> TokenStream {
    let gate = gate(options, "server");
    let trait_name = ident(&service.name.rust);
    let ops = service
        .operations
        .iter()
        .filter(|op| op.rest.is_some())
        .map(|op| handler(model, from, &trait_name, op));
    let doc = format!(
        " The `/api` routes of the `{}` service, answered by `service`: paths, query, headers and \
         bodies are read per each operation's REST mapping, inputs are validated (400 \
         `INVALID_ARGUMENT`), results come back as JSON and errors as the standard error body \
         with the status vCenter uses. Add it to a \
         [`ApiServer`](::vapi_runtime::server::ApiServer) for sessions and limits.",
        service.name.wire
    );
    let doc = crate::docs::doc_literal(&doc);
    quote! {
        #gate
        #[doc = #doc]
        pub fn router<S: super::#trait_name + 'static>(service: __rt::Arc<S>) -> __rt::Router {
            __rt::Routes::new(service) #(#ops)* .into_router()
        }
    }
}

/// `.op(&GET, &["name"], |__s, mut __a| __rt::answer(…))`: the handler of one operation, a
/// plain closure that reads the arguments, checks them and hands the trait's future to
/// `answer` (no `async` block: the runtime awaits the call, so the bindings type-check no
/// state machine per operation). The locals start with `__`, which no IDL name can, so
/// parameters shadow nothing.
fn handler(
    model: &Model,
    from: &[String],
    trait_name: &proc_macro2::Ident,
    op: &Operation,
) -> TokenStream {
    let descriptor = ident(&op.descriptor);
    let method = ident(&op.name.rust);
    let required = op.required_query();
    let checks: Vec<(&Param, TokenStream)> = op
        .params
        .iter()
        .filter_map(|p| Some((p, input_check(model, op, p)?)))
        .collect();
    let answer = if op.result.is_some() {
        quote!(answer)
    } else {
        quote!(answer_unit)
    };
    let args = if op.params.is_empty() {
        quote!(_)
    } else {
        quote!(mut __a)
    };
    // Without checks the arguments are read in the call itself (in order: Rust evaluates
    // arguments left to right); a check needs the value, and its type, first.
    let body = if checks.is_empty() {
        let reads = op.params.iter().map(|_| quote!(__a.next()?));
        quote! {
            __rt::#answer(<S as super::#trait_name>::#method(__s, #(#reads),*))
        }
    } else {
        let reads = op.params.iter().map(|p| {
            let n = ident(&p.name.rust);
            let t = rust_type(from, &p.ty);
            quote!(let #n: #t = __a.next()?;)
        });
        let checks = checks.iter().map(|(p, check)| {
            let wire = &p.name.wire;
            quote!(__rt::check(#wire, #check)?;)
        });
        let names = op.params.iter().map(|p| ident(&p.name.rust));
        quote! {{
            #(#reads)*
            #(#checks)*
            __rt::#answer(<S as super::#trait_name>::#method(__s, #(#names),*))
        }}
    };
    quote! {
        .op(&#descriptor, &[#(#required),*], |__s, #args| #body)
    }
}
