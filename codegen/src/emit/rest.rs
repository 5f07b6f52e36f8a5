//! Emitters for the two ends of a service's REST mapping: a `Client` that implements the
//! service trait over HTTP, and a `router` that serves `/api` from any implementation of it.
//! Both follow each operation's mapping in the IR, and both check inputs with the generated
//! validators before anything is sent or dispatched.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::data::holds_structure;
use super::types::{braced, ident, rust_type};
use crate::ir::{Body, HttpMethod, Model, Operation, OperationKind, Param, Service, Type};
use crate::naming;

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

fn method_tokens(m: HttpMethod) -> TokenStream {
    match m {
        HttpMethod::Get => quote!(::vapi_runtime::HttpMethod::Get),
        HttpMethod::Post => quote!(::vapi_runtime::HttpMethod::Post),
        HttpMethod::Put => quote!(::vapi_runtime::HttpMethod::Put),
        HttpMethod::Patch => quote!(::vapi_runtime::HttpMethod::Patch),
        HttpMethod::Delete => quote!(::vapi_runtime::HttpMethod::Delete),
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
        .filter(|p| p.name == r.package)
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
    let presence = matches!(op.kind, Some(OperationKind::Create | OperationKind::Update))
        && has_presence(model, &p.ty);
    let call = if presence {
        let m = ident(&format!("validate_for_{}", op.name.wire));
        quote!(.#m())
    } else {
        quote!(.validate())
    };
    Some(if presence && p.ty.is_optional() {
        quote!(match &#n { ::std::option::Option::Some(v) => v #call, ::std::option::Option::None => ::std::result::Result::Ok(()) })
    } else if presence {
        quote!(#n #call)
    } else {
        quote!(::vapi_runtime::Validate::validate(&#n))
    })
}

/// The `Client` of a service, in its module.
pub fn client(model: &Model, from: &[String], service: &Service, options: &Options) -> TokenStream {
    let gate = gate(options, "client");
    let trait_name = ident(&service.name.rust);
    let doc = format!(
        " A client of the `{}` service over the `/api` REST mapping of its operations: share one \
         [`Connection`](::vapi_runtime::client::Connection) (and its session) among the clients \
         of all services.",
        service.name.wire
    );
    let methods = service
        .operations
        .iter()
        .map(|op| client_method(model, from, op));
    let methods = braced(methods);
    // A service with no REST mapping at all never calls through its connection.
    let unread = service
        .operations
        .iter()
        .all(|op| op.rest.is_none())
        .then(|| quote!(#[allow(dead_code)]));
    let doc = crate::docs::doc_literal(&doc);
    quote! {
        #gate
        #[doc = #doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone)]
        pub struct Client {
            #unread
            connection: ::vapi_runtime::client::Connection,
        }

        #gate
        impl Client {
            /// A client that calls through `connection`.
            pub fn new(connection: ::vapi_runtime::client::Connection) -> Self {
                Self { connection }
            }
        }

        #gate
        impl super::#trait_name for Client #methods
    }
}

fn client_method(model: &Model, from: &[String], op: &Operation) -> TokenStream {
    let method = ident(&op.name.rust);
    let error = ident(&op.error_type);
    let params: Vec<TokenStream> = op
        .params
        .iter()
        .map(|p| {
            let n = ident(&p.name.rust);
            let t = rust_type(from, &p.ty);
            quote!(#n: #t)
        })
        .collect();
    let result = op
        .result
        .as_ref()
        .map(|r| rust_type(from, &r.ty))
        .unwrap_or_else(|| quote!(()));
    let param = |wire: &str| op.params.iter().find(|p| p.name.wire == wire);
    let checks = op.params.iter().filter_map(|p| {
        let check = input_check(model, op, p)?;
        let wire = &p.name.wire;
        Some(quote! {
            #check.map_err(|e| ::vapi_runtime::Unhandled::new(e.within(#wire)))?;
        })
    });
    let Some(rest) = &op.rest else {
        // Nothing to call: the parameters go unused, so they are not bound.
        let params = op.params.iter().map(|p| {
            let t = rust_type(from, &p.ty);
            quote!(_: #t)
        });
        return quote! {
            async fn #method(&self, #(#params),*) -> ::std::result::Result<#result, #error> {
                ::std::result::Result::Err(#error::from(::vapi_runtime::Unhandled::new(
                    "the operation has no REST mapping",
                )))
            }
        };
    };
    let m = method_tokens(rest.method);
    let template = &rest.path;
    // The generated locals start with `__`, which no IDL name can: a parameter named
    // `request` or `response` must not be shadowed by them.
    let vars = rest.path_params.iter().filter_map(|(var, wire)| {
        let n = ident(&param(wire)?.name.rust);
        Some(quote!((#var, ::vapi_runtime::client::text(&#n)?.as_str())))
    });
    let action = rest
        .action
        .as_ref()
        .map(|a| quote!(__request.query("action", #a);));
    let query: Vec<TokenStream> = rest
        .query
        .iter()
        .filter_map(|(name, wire)| {
            let n = ident(&param(wire)?.name.rust);
            Some(quote!(__request.query_value(#name, &#n)?;))
        })
        .collect();
    let headers: Vec<TokenStream> = rest
        .headers
        .iter()
        .filter_map(|(name, wire)| {
            let n = ident(&param(wire)?.name.rust);
            Some(quote!(__request.header_value(#name, &#n)?;))
        })
        .collect();
    let body = match &rest.body {
        Body::None => quote!(),
        Body::Param(wire) => match param(wire) {
            Some(p) => {
                let n = ident(&p.name.rust);
                quote!(__request.json(&#n)?;)
            }
            None => quote!(),
        },
        Body::Fields(wires) => {
            let fields = wires.iter().filter_map(|w| {
                let n = ident(&param(w)?.name.rust);
                Some(quote!((#w, &#n as &dyn ::vapi_runtime::client::ErasedSerialize)))
            });
            quote!(__request.fields(&[#(#fields),*])?;)
        }
    };
    let adds = action.is_some() || !query.is_empty() || !headers.is_empty() || !body.is_empty();
    let request = if adds {
        quote!(mut __request)
    } else {
        quote!(__request)
    };
    let success = if op.result.is_some() {
        quote!(return __response.result().map_err(#error::from);)
    } else {
        quote!(return ::std::result::Result::Ok(());)
    };
    let arms: Vec<TokenStream> = op
        .errors
        .iter()
        .map(|e| {
            let t = naming::error_type_value(&e.error.name.wire);
            let v = ident(&e.variant);
            quote! {
                ::std::option::Option::Some(#t) => match __response.error() {
                    ::std::result::Result::Ok(e) => #error::#v(e),
                    ::std::result::Result::Err(u) => #error::from(u),
                },
            }
        })
        .collect();
    // Without documented errors every failure is unhandled: no `match` of one arm.
    let failure = if arms.is_empty() {
        quote!(#error::from(__response.unhandled()))
    } else {
        quote! {
            match __response.error_type().as_deref() {
                #(#arms)*
                _ => #error::from(__response.unhandled()),
            }
        }
    };
    quote! {
        async fn #method(&self, #(#params),*) -> ::std::result::Result<#result, #error> {
            #(#checks)*
            let #request = ::vapi_runtime::client::Request::new(
                #m,
                ::vapi_runtime::rest::expand_path(#template, &[#(#vars),*]),
            );
            #action
            #(#query)*
            #(#headers)*
            #body
            let __response = self.connection.send(__request).await?;
            if __response.is_success() {
                #success
            }
            ::std::result::Result::Err(#failure)
        }
    }
}

/// The `router` of a service, in its module.
pub fn server(model: &Model, from: &[String], service: &Service, options: &Options) -> TokenStream {
    let gate = gate(options, "server");
    let trait_name = ident(&service.name.rust);
    // Operations by route pattern, then method, in IR order within each.
    let mut routes: BTreeMap<String, BTreeMap<&'static str, Vec<&Operation>>> = BTreeMap::new();
    for op in &service.operations {
        if let Some(rest) = &op.rest {
            let (pattern, _) = naming::route_pattern(&rest.path);
            routes
                .entry(format!("/api{pattern}"))
                .or_default()
                .entry(rest.method.as_str())
                .or_default()
                .push(op);
        }
    }
    let route_calls = routes.iter().map(|(pattern, methods)| {
        let handlers = methods.iter().enumerate().map(|(i, (method, ops))| {
            let m = ident(&method.to_ascii_lowercase());
            // Operations that share a path and action are told apart by their required
            // query parameters (`File.get` has `?name=`, `File.list` none): most first.
            let mut ops = ops.clone();
            ops.sort_by_key(|op| std::cmp::Reverse(op.required_query().len()));
            let arms = ops.iter().map(|op| {
                let serve = ident(&naming::serve_fn_name(&op.name.rust));
                let action = match op.rest.as_ref().and_then(|r| r.action.as_ref()) {
                    Some(a) => quote!(::std::option::Option::Some(#a)),
                    None => quote!(::std::option::Option::None),
                };
                let names = op.required_query();
                let guard = (!names.is_empty()).then(|| quote!(if #(call.has_query(#names))&&*));
                quote!(#action #guard => #serve(&*service, call).await,)
            });
            let what = format!("{method} {pattern}");
            let chain = if i == 0 {
                quote!(::vapi_runtime::server::axum::routing::#m)
            } else {
                quote!(.#m)
            };
            quote! {
                #chain({
                    let service = ::std::sync::Arc::clone(&service);
                    move |call: ::vapi_runtime::server::Call| async move {
                        let answer = match call.action() {
                            #(#arms)*
                            other => ::std::result::Result::Err(
                                ::vapi_runtime::server::operation_not_found(
                                    ::std::format!("{} action={:?}", #what, other),
                                ),
                            ),
                        };
                        answer.unwrap_or_else(|response| response)
                    }
                })
            }
        });
        quote!(.route(#pattern, #(#handlers)*))
    });
    let serves = service
        .operations
        .iter()
        .filter(|op| op.rest.is_some())
        .map(|op| serve_fn(model, from, &trait_name, op, &gate));
    let doc = format!(
        " The `/api` routes of the `{}` service, answered by `service`: paths, query, headers and \
         bodies are read per each operation's REST mapping, inputs are validated (400 \
         `INVALID_ARGUMENT`), results come back as JSON and errors as the standard error body \
         with the status vCenter uses. Add it to a \
         [`ApiServer`](::vapi_runtime::server::ApiServer) for sessions and limits.",
        service.name.wire
    );
    // A service with no REST mapping at all serves nothing.
    let service_arg = if routes.is_empty() {
        quote!(_service)
    } else {
        quote!(service)
    };
    let doc = crate::docs::doc_literal(&doc);
    let mut out = quote! {
        #gate
        #[doc = #doc]
        pub fn router<S: super::#trait_name + 'static>(
            #service_arg: ::std::sync::Arc<S>,
        ) -> ::vapi_runtime::server::axum::Router {
            ::vapi_runtime::server::axum::Router::new()
                #(#route_calls)*
        }
    };
    // Moved in, not interpolated: `quote!` would copy their tokens.
    out.extend(serves);
    out
}

fn serve_fn(
    model: &Model,
    from: &[String],
    trait_name: &proc_macro2::Ident,
    op: &Operation,
    gate: &TokenStream,
) -> TokenStream {
    let serve = ident(&naming::serve_fn_name(&op.name.rust));
    let method = ident(&op.name.rust);
    let error = ident(&op.error_type);
    let Some(rest) = &op.rest else {
        return quote!();
    };
    let (_, positions) = naming::route_pattern(&rest.path);
    let mut reads = Vec::new();
    if matches!(&rest.body, Body::Fields(f) if !f.is_empty()) {
        reads.push(quote!(let mut __fields = __call.fields()?;));
    }
    for p in &op.params {
        let n = ident(&p.name.rust);
        let wire = &p.name.wire;
        let ty = rust_type(from, &p.ty);
        let inner = rust_type(from, p.ty.required());
        let missing = format!("`{wire}` is required");
        let required = |source: TokenStream| {
            if p.ty.is_optional() {
                quote!(let #n: #ty = #source;)
            } else {
                quote! {
                    let #n: #ty = #source.ok_or_else(|| {
                        ::vapi_runtime::server::invalid_argument(#missing)
                    })?;
                }
            }
        };
        let read = if let Some((var, _)) = rest.path_params.iter().find(|(_, w)| w == wire) {
            let position = positions
                .iter()
                .find(|(v, _)| v == var)
                .map(|(_, pos)| pos.clone())
                .unwrap_or_default();
            quote!(let #n: #ty = __call.path(#position)?;)
        } else if let Some((name, _)) = rest.query.iter().find(|(_, w)| w == wire) {
            required(quote!(__call.query::<#inner>(#name)?))
        } else if let Some((name, _)) = rest.headers.iter().find(|(_, w)| w == wire) {
            required(quote!(__call.header::<#inner>(#name)?))
        } else if matches!(&rest.body, Body::Param(w) if w == wire) {
            quote!(let #n: #ty = __call.body(#wire)?;)
        } else {
            quote!(let #n: #ty = __fields.take(#wire)?;)
        };
        reads.push(read);
        if let Some(check) = input_check(model, op, p) {
            reads.push(quote! {
                #check.map_err(|e| ::vapi_runtime::server::validation_failed(#wire, e))?;
            });
        }
    }
    let args = op.params.iter().map(|p| ident(&p.name.rust));
    let ok = if op.result.is_some() {
        quote!(::vapi_runtime::server::ok(&value))
    } else {
        quote!(::vapi_runtime::server::no_content())
    };
    let value = if op.result.is_some() {
        quote!(value)
    } else {
        quote!(())
    };
    let arms = op.errors.iter().map(|e| {
        let t = naming::error_type_value(&e.error.name.wire);
        let v = ident(&e.variant);
        quote!(::std::result::Result::Err(#error::#v(e)) => ::vapi_runtime::server::error(#t, &e),)
    });
    let unhandled = ident(&op.unhandled_variant);
    let doc = format!(" Serves `{}`.", op.name.wire);
    // An operation without parameters reads nothing of its call. The locals start with `__`,
    // which no IDL name can, so that parameters named `call` or `service` shadow nothing.
    let call = if op.params.is_empty() {
        quote!(_call)
    } else {
        quote!(__call)
    };
    let doc = crate::docs::doc_literal(&doc);
    quote! {
        #gate
        #[doc = #doc]
        // The error is the HTTP answer itself, built at most once per call.
        #[allow(clippy::result_large_err)]
        async fn #serve<S: super::#trait_name + ?::std::marker::Sized>(
            __service: &S,
            #call: ::vapi_runtime::server::Call,
        ) -> ::std::result::Result<::vapi_runtime::server::Response, ::vapi_runtime::server::Response> {
            #(#reads)*
            ::std::result::Result::Ok(match <S as super::#trait_name>::#method(__service, #(#args),*).await {
                ::std::result::Result::Ok(#value) => #ok,
                #(#arms)*
                ::std::result::Result::Err(#error::#unhandled(u)) => ::vapi_runtime::server::unhandled(&u),
            })
        }
    }
}
