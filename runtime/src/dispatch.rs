//! Calling and serving operations from their descriptors: the REST client call and the router
//! dispatch, written once for every operation. A generated `Client` method hands its arguments
//! to `call` (feature `client`) with the operation's
//! [`OperationDescriptor`](crate::OperationDescriptor); a generated `router` lists its
//! operations in `Routes` (feature `server`) with a handler that reads the arguments through
//! `Args` and answers with `answer`. Which argument travels where (path, query, header, body) is read from the
//! descriptor's [`RestMapping`](crate::RestMapping); the generated code keeps only what differs
//! per operation: the names, the types and the input checks.

use serde::Serialize;
use serde_json::Value;

use crate::{Unhandled, ValidationError};

/// An argument of an operation, as JSON: object-safe, so that the arguments of one call, each
/// of its own type, travel together. Every `Serialize` type is one.
pub trait Argument: Send + Sync {
    /// The value as JSON.
    ///
    /// # Errors
    ///
    /// If it cannot be written as JSON.
    fn to_json(&self) -> Result<Value, serde_json::Error>;
}

impl<T: Serialize + Send + Sync> Argument for T {
    fn to_json(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}

/// The error type of an operation (the generated `…Error` enums): its declared errors, each
/// travelling as the standard error body with an `error_type`, and the catch-all
/// [`Unhandled`].
pub trait OperationError: From<Unhandled> + Sized {
    /// Reads the declared error whose `error_type` (`NOT_FOUND`) is `error_type` from `body`;
    /// `None` if the operation does not declare one of that type.
    fn declared(error_type: &str, body: &[u8]) -> Option<Result<Self, serde_json::Error>>;

    /// The `error_type` and the value of a declared error, or the catch-all.
    ///
    /// # Errors
    ///
    /// The catch-all, when the error is not a declared one.
    fn parts(&self) -> Result<(&'static str, &dyn Argument), &Unhandled>;

    /// The error `error` of type `error_type` (`NOT_FOUND`), as this operation reports it: its
    /// declared variant, or the catch-all holding it when the operation does not declare it
    /// (a server answers both with the error's own type and body).
    fn from_error<E: Serialize>(error_type: &str, error: &E) -> Self {
        let value = match serde_json::to_value(error) {
            Ok(value) => value,
            Err(e) => return Self::from(Unhandled::new(e)),
        };
        let declared = serde_json::to_vec(&value)
            .ok()
            .and_then(|body| Self::declared(error_type, &body));
        match declared {
            Some(Ok(error)) => error,
            _ => Self::from(Unhandled::undeclared(error_type, value)),
        }
    }
}

/// Reads a declared error from an answer body (for the generated [`OperationError::declared`]).
///
/// # Errors
///
/// If the body is not the JSON of `T`.
pub fn read<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(body)
}

/// The result of an input check, the parameter named: a broken rule is an [`Unhandled`] error
/// on the client (nothing is sent) and 400 `INVALID_ARGUMENT` on the server.
#[derive(Debug)]
pub struct CheckFailed {
    parameter: &'static str,
    error: ValidationError,
}

/// Names the parameter of a failed input check.
///
/// # Errors
///
/// When `result` is one.
pub fn check(
    parameter: &'static str,
    result: Result<(), ValidationError>,
) -> Result<(), CheckFailed> {
    result.map_err(|error| CheckFailed { parameter, error })
}

impl From<CheckFailed> for Unhandled {
    fn from(failed: CheckFailed) -> Self {
        Unhandled::new(failed.error.within(failed.parameter))
    }
}

/// The text of a path variable, query parameter or header: a string as is, a number or
/// boolean as its JSON text; `None` when unset.
fn plain_text(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

#[cfg(feature = "client")]
pub use client_side::{call, call_unit};

#[cfg(feature = "client")]
mod client_side {
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use super::{Argument, OperationError, plain_text};
    use crate::client::{Connection, Request, Response};
    use crate::rest::expand_path;
    use crate::{OperationDescriptor, RestBody, Unhandled};

    /// Calls `op` through `connection` with `args` (the operation's parameters, in order) and
    /// reads its result.
    ///
    /// # Errors
    ///
    /// The declared error the server answered, or the catch-all for anything else (an
    /// undeclared error, no answer, an answer that is not the result's JSON).
    pub async fn call<T: DeserializeOwned, E: OperationError>(
        connection: &Connection,
        op: &OperationDescriptor,
        args: &[&dyn Argument],
    ) -> Result<T, E> {
        let response = send(connection, op, args).await?;
        if response.is_success() {
            response.result().map_err(E::from)
        } else {
            Err(failure(response))
        }
    }

    /// Calls `op` as [`call`] does, for an operation without a result: the answer's body is
    /// not read.
    ///
    /// # Errors
    ///
    /// As [`call`].
    pub async fn call_unit<E: OperationError>(
        connection: &Connection,
        op: &OperationDescriptor,
        args: &[&dyn Argument],
    ) -> Result<(), E> {
        let response = send(connection, op, args).await?;
        if response.is_success() {
            Ok(())
        } else {
            Err(failure(response))
        }
    }

    async fn send(
        connection: &Connection,
        op: &OperationDescriptor,
        args: &[&dyn Argument],
    ) -> Result<Response, Unhandled> {
        let request = request(op, args)?;
        connection.send(request).await
    }

    /// The request of a call: the path variables, query parameters, headers and body of the
    /// REST mapping, each from the parameter it names.
    fn request(op: &OperationDescriptor, args: &[&dyn Argument]) -> Result<Request, Unhandled> {
        let Some(rest) = &op.rest else {
            return Err(Unhandled::new("the operation has no REST mapping"));
        };
        let arg = |wire: &str| -> Result<Value, Unhandled> {
            let index = op.params.iter().position(|p| *p == wire);
            match index.and_then(|i| args.get(i)) {
                Some(a) => a.to_json().map_err(Unhandled::new),
                None => Ok(Value::Null),
            }
        };
        let mut vars = Vec::with_capacity(rest.path_params.len());
        for (var, wire) in rest.path_params {
            let text = plain_text(arg(wire)?).unwrap_or_default();
            // URL parsers resolve these segments away even percent-encoded: the call would
            // reach another resource.
            if text == "." || text == ".." {
                return Err(Unhandled::new(format!(
                    "the id {text:?} cannot be sent in a URL path: URLs resolve it away"
                )));
            }
            vars.push((*var, text));
        }
        let vars: Vec<(&str, &str)> = vars.iter().map(|(v, t)| (*v, t.as_str())).collect();
        let mut request = Request::new(rest.method, expand_path(rest.path, &vars));
        request.operation(op);
        if let Some(action) = rest.action {
            request.query("action", action);
        }
        for (name, wire) in rest.query {
            request.query_value(name, &arg(wire)?)?;
        }
        for (name, wire) in rest.headers {
            request.header_value(name, &arg(wire)?)?;
        }
        match rest.body {
            RestBody::None => {}
            RestBody::Param(wire) => {
                request.json(&arg(wire)?)?;
            }
            RestBody::Fields(wires) => {
                let mut object = serde_json::Map::new();
                for wire in wires {
                    let value = arg(wire)?;
                    if !value.is_null() {
                        object.insert((*wire).to_owned(), value);
                    }
                }
                request.json(&object)?;
            }
        }
        Ok(request)
    }

    /// The error of a failed call: the declared error of the answer's `error_type`, or the
    /// catch-all keeping status and body.
    fn failure<E: OperationError>(response: Response) -> E {
        if let Some(error_type) = response.error_type()
            && let Some(read) = E::declared(&error_type, &response.body)
        {
            return read.unwrap_or_else(|e| {
                E::from(Unhandled::response(response.status, response.body, e))
            });
        }
        E::from(response.unhandled())
    }
}

#[cfg(feature = "server")]
pub use server_side::{Args, Routes, answer, answer_unit};

#[cfg(feature = "server")]
// The error of these reads is the HTTP answer itself, as axum's rejections are: built at most
// once per call, so its size does not matter.
#[allow(clippy::result_large_err)]
mod server_side {
    use std::collections::BTreeMap;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    use axum::Router;
    use axum::routing::{MethodFilter, MethodRouter, on};
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use super::{CheckFailed, OperationError};
    use crate::server::{
        Call, Fields, Response, error, invalid_argument, no_content, ok, operation_not_found,
        unhandled, validation_failed,
    };
    use crate::{HttpMethod, OperationDescriptor, RestBody, RestMapping};

    /// What a handler returns: the answer, or the answer to input it could not read.
    type Answer = Result<Response, Response>;

    type Handler<S> =
        Arc<dyn Fn(Arc<S>, Args) -> Pin<Box<dyn Future<Output = Answer> + Send>> + Send + Sync>;

    struct Route<S: ?Sized> {
        op: &'static OperationDescriptor,
        rest: &'static RestMapping,
        required: &'static [&'static str],
        handler: Handler<S>,
    }

    impl<S: ?Sized> Clone for Route<S> {
        fn clone(&self) -> Self {
            Route {
                op: self.op,
                rest: self.rest,
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
        /// mapping is not served.
        pub fn op<F, Fut>(
            mut self,
            op: &'static OperationDescriptor,
            required: &'static [&'static str],
            handler: F,
        ) -> Self
        where
            F: Fn(Arc<S>, Args) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = Answer> + Send + 'static,
        {
            if let Some(rest) = &op.rest {
                let handler: Handler<S> = Arc::new(move |service, args| {
                    Box::pin(handler(service, args)) as Pin<Box<dyn Future<Output = _> + Send>>
                });
                self.routes.push(Route {
                    op,
                    rest,
                    required,
                    handler,
                });
            }
            self
        }

        /// The axum routes: one per path and method, choosing the operation by `action` and
        /// by the required query parameters (most first; a GET may carry them in a JSON body
        /// instead, as VMware's SDKs send them).
        pub fn into_router(self) -> Router {
            let mut by_path: BTreeMap<String, BTreeMap<&'static str, Vec<Route<S>>>> =
                BTreeMap::new();
            for route in self.routes {
                by_path
                    .entry(format!("/api{}", route_pattern(route.rest.path)))
                    .or_default()
                    .entry(route.rest.method.as_str())
                    .or_default()
                    .push(route);
            }
            let mut router = Router::new();
            for (pattern, methods) in by_path {
                let mut method_router: MethodRouter = MethodRouter::new();
                for (method, mut routes) in methods {
                    routes.sort_by_key(|r| std::cmp::Reverse(r.required.len()));
                    let what = format!("{method} {pattern}");
                    let service = Arc::clone(&self.service);
                    let routes: Arc<[Route<S>]> = routes.into();
                    let filter = method_filter(routes[0].rest.method);
                    method_router = method_router.merge(on(filter, move |call: Call| {
                        let service = Arc::clone(&service);
                        let routes = Arc::clone(&routes);
                        let what = what.clone();
                        async move { dispatch(service, &routes, call, &what).await }
                    }));
                }
                router = router.route(&pattern, method_router);
            }
            router
        }
    }

    async fn dispatch<S: ?Sized>(
        service: Arc<S>,
        routes: &[Route<S>],
        call: Call,
        what: &str,
    ) -> Response {
        let action = call.action().map(str::to_owned);
        let chosen = routes.iter().find(|r| {
            r.rest.action == action.as_deref()
                && r.required.iter().all(|name| carries(&call, r.rest, name))
        });
        let Some(route) = chosen else {
            return operation_not_found(format!("{what} action={action:?}"));
        };
        let answer = match Args::new(call, route.op) {
            Ok(args) => (route.handler)(service, args).await,
            Err(response) => Err(response),
        };
        answer.unwrap_or_else(|response| response)
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

    /// The arguments of one request, read in the order of the operation's parameters with
    /// [`next`](Args::next), each from where its REST mapping puts it.
    #[derive(Debug)]
    pub struct Args {
        call: Call,
        op: &'static OperationDescriptor,
        next: usize,
        fields: Option<Fields>,
    }

    impl Args {
        fn new(call: Call, op: &'static OperationDescriptor) -> Result<Self, Response> {
            // The body's fields are read once, before any parameter.
            let fields = match op.rest.as_ref().map(|r| r.body) {
                Some(RestBody::Fields(f)) if !f.is_empty() => Some(call.fields()?),
                _ => None,
            };
            Ok(Args {
                call,
                op,
                next: 0,
                fields,
            })
        }

        /// The next parameter, as the type the operation takes. A required parameter that is
        /// absent is 400 `INVALID_ARGUMENT` naming it.
        ///
        /// # Errors
        ///
        /// 400 `INVALID_ARGUMENT` if it is absent and required, or not of its type.
        #[allow(clippy::should_implement_trait)]
        pub fn next<T: DeserializeOwned>(&mut self) -> Result<T, Response> {
            let Some(wire) = self.op.params.get(self.next).copied() else {
                return Err(invalid_argument("the operation has no more parameters"));
            };
            self.next += 1;
            let Some(rest) = &self.op.rest else {
                return Err(invalid_argument("the operation has no REST mapping"));
            };
            if let Some((var, _)) = rest.path_params.iter().find(|(_, w)| *w == wire) {
                let position = path_position(rest.path, var).unwrap_or_default();
                return self.call.path(&position);
            }
            let found = if let Some((name, _)) = rest.query.iter().find(|(_, w)| *w == wire) {
                match self.call.query::<T>(name)? {
                    Some(value) => Some(value),
                    // VMware's SDKs send a GET's query parameters in a JSON body.
                    None if rest.method == HttpMethod::Get => self.in_body(&[wire, name])?,
                    None => None,
                }
            } else if let Some((name, _)) = rest.headers.iter().find(|(_, w)| *w == wire) {
                self.call.header::<T>(name)?
            } else if matches!(rest.body, RestBody::Param(w) if w == wire) {
                return self.call.body(wire);
            } else {
                match &mut self.fields {
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

        fn in_body<T: DeserializeOwned>(&self, keys: &[&str]) -> Result<Option<T>, Response> {
            let Ok(mut fields) = self.call.fields() else {
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
    }

    impl From<CheckFailed> for Response {
        fn from(failed: CheckFailed) -> Self {
            validation_failed(failed.parameter, failed.error)
        }
    }

    /// The answer to an operation's outcome: 200 with the result as JSON, a declared error as
    /// the standard error body with the status its type travels with, or the catch-all.
    ///
    /// # Errors
    ///
    /// Never: the `Result` is the handler's.
    pub fn answer<T: Serialize, E: OperationError>(
        result: Result<T, E>,
    ) -> Result<Response, Response> {
        Ok(match result {
            Ok(value) => ok(&value),
            Err(e) => failure(&e),
        })
    }

    /// The answer to the outcome of an operation without a result: 204, or as [`answer`].
    ///
    /// # Errors
    ///
    /// Never: the `Result` is the handler's.
    pub fn answer_unit<E: OperationError>(result: Result<(), E>) -> Result<Response, Response> {
        Ok(match result {
            Ok(()) => no_content(),
            Err(e) => failure(&e),
        })
    }

    fn failure<E: OperationError>(e: &E) -> Response {
        match e.parts() {
            Ok((error_type, value)) => match value.to_json() {
                Ok(value) => error(error_type, &value),
                Err(e) => unhandled(&crate::Unhandled::new(e)),
            },
            Err(u) => unhandled(u),
        }
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
}

/// A service of two operations on one path, told apart by a required query parameter, served
/// by [`Routes`] and called through [`call`] over HTTP on 127.0.0.1.
#[cfg(test)]
#[cfg(all(feature = "client", feature = "server"))]
mod loopback {
    use std::sync::Arc;

    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::client::{Connection, Request};
    use crate::{HttpMethod, OperationDescriptor, RestBody, RestMapping};

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct NotFound {
        messages: Vec<String>,
    }

    impl std::fmt::Display for NotFound {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.messages.join("; "))
        }
    }

    impl std::error::Error for NotFound {}

    #[derive(Debug)]
    enum GetError {
        NotFound(NotFound),
        Unhandled(Unhandled),
    }
    crate::codegen::error_enum!(GetError { NotFound(NotFound) = "NOT_FOUND" } Unhandled);

    const MAPPING: RestMapping = RestMapping {
        method: HttpMethod::Get,
        path: "/things/{thing}/file",
        action: None,
        path_params: &[("thing", "thing")],
        query: &[("name", "name")],
        headers: &[],
        body: RestBody::None,
    };
    static GET: OperationDescriptor = OperationDescriptor {
        service: "test.things",
        name: "get",
        params: &["thing", "name"],
        privileges: &[],
        errors: &[],
        rest: Some(MAPPING),
    };
    static LIST: OperationDescriptor = OperationDescriptor {
        service: "test.things",
        name: "list",
        params: &["thing"],
        privileges: &[],
        errors: &[],
        rest: Some(RestMapping {
            query: &[],
            ..MAPPING
        }),
    };

    struct Things;

    impl Things {
        async fn get(&self, thing: String, name: String) -> Result<String, GetError> {
            if name == "missing" {
                return Err(GetError::from(NotFound {
                    messages: vec![format!("no {name} in {thing}")],
                }));
            }
            Ok(format!("{thing}/{name}"))
        }
    }

    async fn serve() -> Connection {
        let router = Routes::new(Arc::new(Things))
            .op(&GET, &["name"], |s, mut a| async move {
                answer(s.get(a.next()?, a.next()?).await)
            })
            .op(&LIST, &[], |_, mut a| async move {
                let thing: String = a.next()?;
                answer::<_, GetError>(Ok(vec![thing]))
            })
            .into_router();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Connection::new(format!("http://{address}")).unwrap()
    }

    #[tokio::test]
    async fn operations_are_called_and_served_from_their_descriptors() {
        let connection = serve().await;
        let got: Result<String, GetError> = call(&connection, &GET, &[&"a/b", &"disk"]).await;
        assert_eq!(got.unwrap(), "a/b/disk");
        let list: Result<Vec<String>, GetError> = call(&connection, &LIST, &[&"a"]).await;
        assert_eq!(list.unwrap(), ["a"]);
        let missing: Result<String, GetError> = call(&connection, &GET, &[&"a", &"missing"]).await;
        match missing {
            Err(GetError::NotFound(e)) => assert_eq!(e.messages, ["no missing in a"]),
            other => panic!("{other:?}"),
        }
    }

    /// VMware's SDKs send a GET's query parameters as a JSON body: `GET …/file` with
    /// `{"name": "disk-0.vmdk"}` is `get`, not `list`.
    #[tokio::test]
    async fn a_get_takes_its_query_parameters_from_a_json_body() {
        let connection = serve().await;
        let mut request = Request::new(HttpMethod::Get, "/things/a/file");
        request
            .json(&serde_json::json!({"name": "disk-0.vmdk"}))
            .unwrap();
        let response = connection.send(request).await.unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.result::<String>().unwrap(), "a/disk-0.vmdk");
        // The query wins over the body; without either it is `list`.
        let mut request = Request::new(HttpMethod::Get, "/things/a/file");
        request.query("name", "q");
        request.json(&serde_json::json!({"name": "b"})).unwrap();
        let response = connection.send(request).await.unwrap();
        assert_eq!(response.result::<String>().unwrap(), "a/q");
        let response = connection
            .send(Request::new(HttpMethod::Get, "/things/a/file"))
            .await
            .unwrap();
        assert_eq!(response.result::<Vec<String>>().unwrap(), ["a"]);
    }

    #[test]
    fn standard_errors_convert_into_an_operation_error() {
        let declared = GetError::from_error("NOT_FOUND", &NotFound { messages: vec![] });
        assert!(matches!(declared, GetError::NotFound(_)), "{declared:?}");
        let undeclared = GetError::from_error("RESOURCE_BUSY", &NotFound { messages: vec![] });
        match undeclared {
            GetError::Unhandled(u) => assert_eq!(u.error_type(), Some("RESOURCE_BUSY")),
            other => panic!("{other:?}"),
        }
    }
}
