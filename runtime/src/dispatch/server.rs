//! The server side: a generated `router` lists its operations in [`Routes`] with a handler
//! that reads the arguments through [`Args`] and answers with [`answer`]. The same handlers
//! serve the REST mapping of each operation and vAPI JSON-RPC (see [`crate::jsonrpc`]): a
//! handler never knows which protocol it answers, its [`Reply`] is written by the caller.

// The error of these reads is the answer itself, as axum's rejections are: built at most once
// per call, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{MethodFilter, MethodRouter, on, post};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Argument, CheckFailed, OperationError};
use crate::jsonrpc::{self, Invocation};
use crate::server::{
    Call, Fields, Response, error, invalid_argument, no_content, operation_not_found, unhandled,
};
use crate::{HttpMethod, OperationDescriptor, RestBody, RestMapping, Unhandled};

/// What a handler returns: the call of the operation on the service it borrows (made by
/// [`answer`] from the service trait's future), or the reply to input it could not read.
/// Handlers are plain closures, not `async` blocks: the one state machine that awaits the
/// call is [`answer`]'s, written once here, so a crate of bindings type-checks no coroutine
/// per operation.
pub type Served<'a> = Result<Pin<Box<dyn Future<Output = Reply> + Send + 'a>>, Reply>;

type Handler<S> = Arc<dyn for<'a> Fn(&'a S, Args) -> Served<'a> + Send + Sync>;

struct Route<S: ?Sized> {
    op: &'static OperationDescriptor,
    required: &'static [&'static str],
    handler: Handler<S>,
}

impl<S: ?Sized> Clone for Route<S> {
    fn clone(&self) -> Self {
        Route {
            op: self.op,
            required: self.required,
            handler: Arc::clone(&self.handler),
        }
    }
}

/// The operations of a service a generated `router` serves, each with its handler; the
/// axum routes are made from their REST mappings by [`Routes::into_router`].
pub struct Routes<S: ?Sized> {
    service: Arc<S>,
    routes: Vec<Route<S>>,
}

impl<S: ?Sized + Send + Sync + 'static> Routes<S> {
    /// No operations yet, served by `service`.
    pub fn new(service: Arc<S>) -> Self {
        Routes {
            service,
            routes: Vec::new(),
        }
    }

    /// Serves `op` with `handler`. `required` are the query parameters every request of
    /// the operation carries (bound to required parameters): operations that share a
    /// path, method and action are told apart by them. An operation without a REST
    /// mapping is served by JSON-RPC only.
    pub fn op<F>(
        mut self,
        op: &'static OperationDescriptor,
        required: &'static [&'static str],
        handler: F,
    ) -> Self
    where
        F: for<'a> Fn(&'a S, Args) -> Served<'a> + Send + Sync + 'static,
    {
        let handler: Handler<S> = Arc::new(handler);
        self.routes.push(Route {
            op,
            required,
            handler,
        });
        self
    }

    /// The axum routes: one per path and method, choosing the operation by `action` and
    /// by the required query parameters (most first; a GET may carry them in a JSON body
    /// instead, as VMware's SDKs send them); and the service's operations for the JSON-RPC
    /// endpoint of [`crate::jsonrpc`], on a route only that endpoint reaches.
    pub fn into_router(self) -> Router {
        type ByMethod<S> = BTreeMap<&'static str, Vec<(&'static RestMapping, Route<S>)>>;
        let mut by_path: BTreeMap<String, ByMethod<S>> = BTreeMap::new();
        for route in &self.routes {
            if let Some(rest) = &route.op.rest {
                by_path
                    .entry(format!("/api{}", route_pattern(rest.path)))
                    .or_default()
                    .entry(rest.method.as_str())
                    .or_default()
                    .push((rest, route.clone()));
            }
        }
        let mut router = Router::new();
        for (pattern, methods) in by_path {
            let mut method_router: MethodRouter = MethodRouter::new();
            for (method, mut routes) in methods {
                routes.sort_by_key(|(_, r)| std::cmp::Reverse(r.required.len()));
                let what = format!("{method} {pattern}");
                let service = Arc::clone(&self.service);
                let filter = method_filter(routes[0].0.method);
                let routes: Arc<[(&'static RestMapping, Route<S>)]> = routes.into();
                method_router = method_router.merge(on(filter, move |call: Call| {
                    let service = Arc::clone(&service);
                    let routes = Arc::clone(&routes);
                    let what = what.clone();
                    async move { dispatch(service, &routes, call, &what).await }
                }));
            }
            router = router.route(&pattern, method_router);
        }
        if let Some(path) = self
            .routes
            .first()
            .map(|r| jsonrpc::service_path(r.op.service))
        {
            let service = self.service;
            let routes: Arc<[Route<S>]> = self.routes.into();
            router = router.route(
                &path,
                post(move |request: Request| {
                    let service = Arc::clone(&service);
                    let routes = Arc::clone(&routes);
                    async move { invoke(service, &routes, request).await }
                }),
            );
        }
        router
    }
}

async fn dispatch<S: ?Sized>(
    service: Arc<S>,
    routes: &[(&'static RestMapping, Route<S>)],
    call: Call,
    what: &str,
) -> Response {
    let action = call.action().map(str::to_owned);
    let chosen = routes.iter().find(|(rest, r)| {
        rest.action == action.as_deref() && r.required.iter().all(|name| carries(&call, rest, name))
    });
    let Some((_, route)) = chosen else {
        return operation_not_found(format!("{what} action={action:?}"));
    };
    let answer = match Args::new(call, route.op) {
        Ok(args) => serve(&route.handler, &service, args).await,
        Err(response) => Err(Reply::from(response)),
    };
    answer.unwrap_or_else(|reply| reply).into_response()
}

/// A JSON-RPC call of one of the service's operations, handed over by the endpoint in the
/// request's extensions: answered with the method result (`{"output": …}` or `{"error":
/// …}`) in the response's extensions. A request from outside carries none: 404
/// `OPERATION_NOT_FOUND`, as for any path no operation has.
async fn invoke<S: ?Sized>(service: Arc<S>, routes: &[Route<S>], mut request: Request) -> Response {
    let Some(invocation) = request.extensions_mut().remove::<Invocation>() else {
        return operation_not_found(format!("POST {}", request.uri().path()));
    };
    let result = match routes.iter().find(|r| r.op.name == invocation.operation) {
        Some(route) => {
            let args = Args {
                source: Source::Input(invocation.input),
                op: route.op,
                next: 0,
            };
            let reply = serve(&route.handler, &service, args).await;
            reply
                .unwrap_or_else(|reply| reply)
                .into_method_result()
                .await
        }
        None => jsonrpc::operation_not_found(&invocation.service, &invocation.operation),
    };
    jsonrpc::method_result_response(result)
}

/// Whether a request carries the query parameter `name`: in the query, or, for a GET, in a
/// JSON object body under the parameter's name.
fn carries(call: &Call, rest: &RestMapping, name: &str) -> bool {
    if call.has_query(name) {
        return true;
    }
    if rest.method != HttpMethod::Get {
        return false;
    }
    let wire = rest
        .query
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, w)| *w);
    call.fields().is_ok_and(|mut fields| {
        [wire, name]
            .iter()
            .any(|key| fields.take::<Option<Value>>(key).is_ok_and(|v| v.is_some()))
    })
}

fn method_filter(method: HttpMethod) -> MethodFilter {
    match method {
        HttpMethod::Get => MethodFilter::GET,
        HttpMethod::Post => MethodFilter::POST,
        HttpMethod::Put => MethodFilter::PUT,
        HttpMethod::Patch => MethodFilter::PATCH,
        HttpMethod::Delete => MethodFilter::DELETE,
    }
}

/// The route pattern of a URL template, its variables renamed by position (`{v0}`,
/// `{v1}`, …): routers refuse two routes that name the variable of one segment
/// differently, as `/item/{item}/changes` and `/item/{libraryItemId}/file` do.
pub(crate) fn route_pattern(template: &str) -> String {
    let mut pattern = String::new();
    let mut rest = template;
    let mut n = 0;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        pattern.push_str(&rest[..open]);
        pattern.push_str(&format!("{{v{n}}}"));
        n += 1;
        rest = &rest[open + close + 1..];
    }
    pattern.push_str(rest);
    pattern
}

/// The position (`v0`, `v1`, …) of the path variable `var` in `template`.
fn path_position(template: &str, var: &str) -> Option<String> {
    let mut rest = template;
    let mut n = 0;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')?;
        if &rest[open + 1..open + close] == var {
            return Some(format!("v{n}"));
        }
        n += 1;
        rest = &rest[open + close + 1..];
    }
    None
}

/// The arguments of one call, read in the order of the operation's parameters with
/// [`next`](Args::next): each from where its REST mapping puts it, or from the input
/// structure of a JSON-RPC call.
#[derive(Debug)]
pub struct Args {
    source: Source,
    op: &'static OperationDescriptor,
    next: usize,
}

#[derive(Debug)]
enum Source {
    /// A REST request, and its body's fields when its mapping has some.
    // Boxed: a request's parts are large beside a JSON-RPC input.
    Rest {
        call: Box<Call>,
        fields: Option<Fields>,
    },
    /// The input of a JSON-RPC call, as `/api` JSON: parameter → value.
    Input(serde_json::Map<String, Value>),
}

impl Args {
    fn new(call: Call, op: &'static OperationDescriptor) -> Result<Self, Response> {
        // The body's fields are read once, before any parameter.
        let fields = match op.rest.as_ref().map(|r| r.body) {
            Some(RestBody::Fields(f)) if !f.is_empty() => Some(call.fields()?),
            _ => None,
        };
        Ok(Args {
            source: Source::Rest {
                call: Box::new(call),
                fields,
            },
            op,
            next: 0,
        })
    }

    /// The next parameter, as the type the operation takes. A required parameter that is
    /// absent is `INVALID_ARGUMENT` naming it.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (400 over REST) if it is absent and required, or not of its type.
    #[allow(clippy::should_implement_trait)]
    pub fn next<T: DeserializeOwned>(&mut self) -> Result<T, Reply> {
        let Some(wire) = self.op.params.get(self.next).copied() else {
            return Err(Reply::invalid(
                "the operation has no more parameters".into(),
            ));
        };
        self.next += 1;
        match &mut self.source {
            Source::Input(input) => {
                let value = input.remove(wire).unwrap_or(Value::Null);
                let absent = value.is_null();
                serde_json::from_value(value).map_err(|e| {
                    Reply::invalid(if absent {
                        format!("`{wire}` is required")
                    } else {
                        format!("`{wire}`: {e}")
                    })
                })
            }
            Source::Rest { call, fields } => {
                rest_arg(call, fields.as_mut(), self.op, wire).map_err(Reply::from)
            }
        }
    }
}

/// The parameter `wire` of a REST request.
fn rest_arg<T: DeserializeOwned>(
    call: &Call,
    fields: Option<&mut Fields>,
    op: &OperationDescriptor,
    wire: &str,
) -> Result<T, Response> {
    let Some(rest) = &op.rest else {
        return Err(invalid_argument("the operation has no REST mapping"));
    };
    if let Some((var, _)) = rest.path_params.iter().find(|(_, w)| *w == wire) {
        let position = path_position(rest.path, var).unwrap_or_default();
        return call.path(&position);
    }
    let found = if let Some((name, _)) = rest.query.iter().find(|(_, w)| *w == wire) {
        match call.query::<T>(name)? {
            Some(value) => Some(value),
            // VMware's SDKs send a GET's query parameters in a JSON body.
            None if rest.method == HttpMethod::Get => in_body(call, &[wire, name])?,
            None => None,
        }
    } else if let Some((name, _)) = rest.headers.iter().find(|(_, w)| *w == wire) {
        call.header::<T>(name)?
    } else if matches!(rest.body, RestBody::Param(w) if w == wire) {
        return call.body(wire);
    } else {
        match fields {
            Some(fields) => return fields.take(wire),
            None => None,
        }
    };
    match found {
        Some(value) => Ok(value),
        // Absent: unset if the parameter is optional.
        None => serde_json::from_value(Value::Null)
            .map_err(|_| invalid_argument(format!("`{wire}` is required"))),
    }
}

fn in_body<T: DeserializeOwned>(call: &Call, keys: &[&str]) -> Result<Option<T>, Response> {
    let Ok(mut fields) = call.fields() else {
        return Ok(None);
    };
    for key in keys {
        if let Some(value) = fields.take::<Option<Value>>(key)? {
            return serde_json::from_value(value)
                .map(Some)
                .map_err(|e| invalid_argument(format!("`{key}`: {e}")));
        }
    }
    Ok(None)
}

/// What a handler answers, in no protocol yet: the REST router writes it as an HTTP
/// answer, the JSON-RPC endpoint as a method result.
pub struct Reply(Outcome);

enum Outcome {
    /// The result.
    Output(Box<dyn Argument>),
    /// Success without a result.
    Unit,
    /// The operation's error.
    Failed(Box<dyn Failure>),
    /// Input that breaks a rule or cannot be read: `INVALID_ARGUMENT` with this message.
    Invalid(String),
    /// An HTTP answer made while reading a REST request (boxed: a reply is small, so that
    /// the generated handlers' `Result`s are).
    Http(Box<Response>),
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match &self.0 {
            Outcome::Output(_) => "Output",
            Outcome::Unit => "Unit",
            Outcome::Failed(_) => "Failed",
            Outcome::Invalid(_) => "Invalid",
            Outcome::Http(_) => "Http",
        };
        f.debug_tuple("Reply").field(&what).finish()
    }
}

/// An operation's error, its type erased.
trait Failure: Send + Sync {
    fn failure(&self) -> Result<(&'static str, &dyn Argument), &Unhandled>;
}

impl<E: OperationError + Send + Sync> Failure for E {
    fn failure(&self) -> Result<(&'static str, &dyn Argument), &Unhandled> {
        self.parts()
    }
}

impl Reply {
    fn invalid(message: String) -> Self {
        Reply(Outcome::Invalid(message))
    }

    /// The HTTP answer: 200 with the result as JSON, 204, a declared error as the standard
    /// error body with the status its type travels with, or the catch-all.
    fn into_response(self) -> Response {
        match self.0 {
            Outcome::Output(value) => match value.to_json_vec() {
                Ok(body) => (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    body,
                )
                    .into_response(),
                Err(e) => unhandled(&Unhandled::new(e)),
            },
            Outcome::Unit => no_content(),
            Outcome::Failed(e) => match e.failure() {
                Ok((error_type, value)) => match value.to_json() {
                    Ok(value) => error(error_type, &value),
                    Err(e) => unhandled(&Unhandled::new(e)),
                },
                Err(u) => unhandled(u),
            },
            Outcome::Invalid(message) => invalid_argument(message),
            Outcome::Http(response) => *response,
        }
    }

    /// The JSON-RPC method result: `{"output": value}` or `{"error": ERROR}`.
    async fn into_method_result(self) -> Value {
        let output = |value| serde_json::json!({ "output": value });
        let error = |value| serde_json::json!({ "error": value });
        match self.0 {
            Outcome::Output(value) => match value.to_data_value() {
                Ok(value) => output(value),
                Err(e) => error(jsonrpc::internal_error(&e)),
            },
            Outcome::Unit => output(Value::Null),
            Outcome::Failed(e) => error(match e.failure() {
                Ok((error_type, value)) => match value.to_data_value() {
                    Ok(value) => jsonrpc::data::as_error(value, error_type),
                    Err(e) => jsonrpc::internal_error(&e),
                },
                Err(u) => jsonrpc::unhandled(u),
            }),
            Outcome::Invalid(message) => error(jsonrpc::data::std_error(
                "INVALID_ARGUMENT",
                "vapi.server.invalid_argument",
                &message,
            )),
            Outcome::Http(response) => jsonrpc::from_rest_response(*response).await,
        }
    }
}

impl From<Response> for Reply {
    fn from(response: Response) -> Self {
        Reply(Outcome::Http(Box::new(response)))
    }
}

impl From<CheckFailed> for Reply {
    fn from(failed: CheckFailed) -> Self {
        Reply::invalid(failed.error.within(failed.parameter).to_string())
    }
}

impl From<CheckFailed> for Response {
    fn from(failed: CheckFailed) -> Self {
        crate::server::validation_failed(failed.parameter, failed.error)
    }
}

/// Runs a handler on `service`: the reply of the call it made, or its reply to the input.
async fn serve<S: ?Sized>(handler: &Handler<S>, service: &S, args: Args) -> Answer {
    match handler(service, args) {
        Ok(call) => Ok(call.await),
        Err(reply) => Err(reply),
    }
}

/// What a handler ends with, its reply or the reply to input it could not read.
type Answer = Result<Reply, Reply>;

/// The call `call` of an operation (the service trait's future) as a handler serves it: its
/// outcome, the result or the error, is the reply.
///
/// # Errors
///
/// Never: the `Result` is the handler's, whose reads of the input may fail first.
pub fn answer<'a, T, E>(call: impl Future<Output = Result<T, E>> + Send + 'a) -> Served<'a>
where
    T: Serialize + Send + Sync + 'static,
    E: OperationError + Send + Sync + 'static,
{
    Ok(Box::pin(async move {
        Reply(match call.await {
            Ok(value) => Outcome::Output(Box::new(value)),
            Err(e) => Outcome::Failed(Box::new(e)),
        })
    }))
}

/// The call of an operation without a result (204 over REST), as [`answer`].
///
/// # Errors
///
/// Never: the `Result` is the handler's.
pub fn answer_unit<'a, E>(call: impl Future<Output = Result<(), E>> + Send + 'a) -> Served<'a>
where
    E: OperationError + Send + Sync + 'static,
{
    Ok(Box::pin(async move {
        Reply(match call.await {
            Ok(()) => Outcome::Unit,
            Err(e) => Outcome::Failed(Box::new(e)),
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_patterns_number_variables() {
        assert_eq!(
            route_pattern("/a/{item}/b/{file}"),
            "/a/{v0}/b/{v1}".to_owned()
        );
        assert_eq!(route_pattern("/a"), "/a");
        assert_eq!(
            path_position("/a/{item}/b/{file}", "file").as_deref(),
            Some("v1")
        );
        assert_eq!(path_position("/a/{item}", "file"), None);
    }
}
