//! vAPI JSON-RPC 2.0 on `POST /api`, the protocol VMware's SDKs speak by default (the Python
//! SDK's `create_vsphere_client`, the Java and .NET SDKs), served from the same generated
//! routers and trait implementations as the REST mapping.
//!
//! A call is one `invoke`:
//!
//! ```json
//! {"jsonrpc": "2.0", "id": "1", "method": "invoke", "params": {
//!   "serviceId": "com.vmware.content.library.item.file", "operationId": "get",
//!   "input": {"STRUCTURE": {"operation-input": {"library_item_id": "…", "name": "disk.vmdk"}}},
//!   "ctx": {"appCtx": {"opId": "…"}, "securityCtx": {
//!     "schemeId": "com.vmware.vapi.std.security.session_id", "sessionId": "…"}}}}
//! ```
//!
//! answered `{"jsonrpc": "2.0", "id": "1", "result": {"output": …}}` or `{"result": {"error":
//! {"ERROR": {"com.vmware.vapi.std.errors.not_found": {…}}}}}`, values in the vAPI data
//! encoding (see the `data` module: structures named, optionals tagged, maps as entries).
//! A request that is not such a call is answered with a JSON-RPC error (`-32700` parse error,
//! `-32600` invalid request, `-32601` method not found, `-32602` invalid params).
//!
//! [`endpoint`] adds the route to an [`ApiServer`](crate::server::ApiServer)'s router. Each
//! call goes through that router as an internal request, so sessions, limits and handlers are
//! those of the REST side: the security context's session id becomes the
//! `vmware-api-session-id` header; `com.vmware.cis.session` `create` (with the
//! `user_pass` security context the SDK logs in with), `get` and `delete` are `POST`, `GET`
//! and `DELETE /api/session`; any other service's operation goes to the route its generated
//! router keeps for JSON-RPC, whose handler reads the input instead of the REST request and
//! hands back the typed result to be written here.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use base64::Engine as _;
use serde_json::{Map, Value, json};
use tower::ServiceExt as _;

use crate::Unhandled;
use crate::rest::SESSION_HEADER;
use crate::server::Response;

pub(crate) mod data;

pub use data::EncodeError;

/// The service of the login sessions.
const SESSION_SERVICE: &str = "com.vmware.cis.session";
const USER_PASS: &str = "com.vmware.vapi.std.security.user_pass";
const SESSION_ID: &str = "com.vmware.vapi.std.security.session_id";

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
/// The `vapi-service` or `vapi-operation` header names another operation than the body.
const INVALID_OPERATION: i64 = -31001;

/// The largest answer of an internal request that is read back (an error body).
const MAX_INTERNAL_BODY: usize = 1 << 20;

/// A JSON-RPC call handed to a service's route in the request's extensions.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    pub(crate) service: String,
    pub(crate) operation: String,
    /// The input structure's fields, as `/api` JSON.
    pub(crate) input: Map<String, Value>,
}

/// The service and operation (`("com.vmware.content.library.item.file", "get")`) of a
/// JSON-RPC call on its way through the API router, for middleware that acts per operation
/// (a privilege check, a log line): every call of the endpoint reaches the service's router as
/// an internal `POST` carrying it; `None` for any other request.
pub fn invoked(request: &axum::extract::Request) -> Option<(&str, &str)> {
    let invocation = request.extensions().get::<Invocation>()?;
    Some((&invocation.service, &invocation.operation))
}

/// The method result a service's route hands back in the response's extensions.
#[derive(Debug, Clone)]
struct MethodResult(Value);

/// The path of the route on which a generated router takes the JSON-RPC calls of `service`:
/// reachable only through [`endpoint`] (a request from outside gets `OPERATION_NOT_FOUND`).
pub(crate) fn service_path(service: &str) -> String {
    format!("/api/__jsonrpc/{service}")
}

/// `api` (the router of an [`ApiServer`](crate::server::ApiServer), or of any generated
/// routers) with vAPI JSON-RPC 2.0 on `POST /api` beside its routes. Every answer of `POST
/// /api` is a JSON-RPC response with status 200, as vAPI servers answer, also for a request
/// body larger than `body_limit` bytes (refused unread, `-32600`); other methods on `/api`
/// get 404 `OPERATION_NOT_FOUND`, as any path no operation has.
///
/// ```no_run
/// # fn service_router() -> vapi_runtime::server::axum::Router { Default::default() }
/// use vapi_runtime::server::{ApiServer, Credentials};
///
/// let api = ApiServer::new(Credentials::new("administrator@vsphere.local", "vmware"))
///     .service(service_router())
///     .into_router();
/// let app = vapi_runtime::jsonrpc::endpoint(api, 1 << 20);
/// ```
pub fn endpoint(api: Router, body_limit: usize) -> Router {
    let state = Arc::new(Endpoint {
        api: api.clone(),
        body_limit,
    });
    let other = |request: Request| async move {
        crate::server::operation_not_found(format!("{} /api", request.method()))
    };
    api.merge(
        Router::new()
            .route("/api", post(handle).fallback(other))
            .with_state(state),
    )
}

struct Endpoint {
    api: Router,
    body_limit: usize,
}

/// A JSON-RPC error: code, message, and the request's id where it could be read.
struct RpcError {
    id: Value,
    code: i64,
    message: String,
}

impl RpcError {
    fn new(id: &Value, code: i64, message: impl Into<String>) -> Self {
        RpcError {
            id: id.clone(),
            code,
            message: message.into(),
        }
    }
}

fn reply(status: StatusCode, body: &Value) -> Response {
    let body = serde_json::to_vec(body).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn rpc_error(status: StatusCode, e: RpcError) -> Response {
    reply(
        status,
        &json!({
            "jsonrpc": "2.0",
            "id": e.id,
            "error": {"code": e.code, "message": e.message},
        }),
    )
}

async fn handle(State(endpoint): State<Arc<Endpoint>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, endpoint.body_limit).await else {
        let message = format!(
            "Invalid Request: the body is larger than {} bytes or could not be read.",
            endpoint.body_limit
        );
        let e = RpcError::new(&Value::Null, INVALID_REQUEST, message);
        return rpc_error(StatusCode::OK, e);
    };
    let envelope: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => {
            let e = RpcError::new(&Value::Null, PARSE_ERROR, format!("Parse error: {e}"));
            return rpc_error(StatusCode::OK, e);
        }
    };
    let call = match Call::read(envelope, &parts.headers) {
        Ok(call) => call,
        Err(e) => return rpc_error(StatusCode::OK, e),
    };
    let id = call.id.clone();
    let result = call.run(&endpoint.api, &parts.headers).await;
    reply(
        StatusCode::OK,
        &json!({"jsonrpc": "2.0", "id": id, "result": result}),
    )
}

/// One `invoke` call, read from its envelope.
struct Call {
    id: Value,
    service: String,
    operation: String,
    input: Map<String, Value>,
    security: Option<Map<String, Value>>,
}

impl Call {
    fn read(envelope: Value, headers: &HeaderMap) -> Result<Call, RpcError> {
        let null = Value::Null;
        let Value::Object(mut envelope) = envelope else {
            let what = "Invalid Request: a JSON-RPC request is an object (batches are not served).";
            return Err(RpcError::new(&null, INVALID_REQUEST, what));
        };
        let id = match envelope.remove("id") {
            Some(id @ (Value::String(_) | Value::Number(_))) => id,
            _ => {
                let what = "Invalid Request: `id` must be a string or a number (an `invoke` \
                            without an id could not be answered).";
                return Err(RpcError::new(&null, INVALID_REQUEST, what));
            }
        };
        if envelope.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            let what = "Invalid Request: `jsonrpc` must be \"2.0\".";
            return Err(RpcError::new(&null, INVALID_REQUEST, what));
        }
        match envelope.get("method").and_then(Value::as_str) {
            Some("invoke") => {}
            Some(other) => {
                let what = format!("Method not found: `{other}` (vAPI has `invoke` only).");
                return Err(RpcError::new(&id, METHOD_NOT_FOUND, what));
            }
            None => {
                let what = "Invalid Request: `method` must be a string.";
                return Err(RpcError::new(&null, INVALID_REQUEST, what));
            }
        }
        let invalid =
            |what: &str| RpcError::new(&id, INVALID_PARAMS, format!("Invalid params: {what}"));
        let Some(Value::Object(mut params)) = envelope.remove("params") else {
            return Err(invalid("`params` must be an object"));
        };
        let mut text = |key: &str| match params.remove(key) {
            Some(Value::String(s)) => Ok(s),
            _ => Err(invalid(&format!("`{key}` must be a string"))),
        };
        let service = text("serviceId")?;
        let operation = text("operationId")?;
        for (name, value) in [("vapi-service", &service), ("vapi-operation", &operation)] {
            if let Some(sent) = headers.get(name)
                && sent.as_bytes() != value.as_bytes()
            {
                let what = format!(
                    "Mismatching operation identifier in HTTP header and payload: {name} \
                     is not `{value}`."
                );
                return Err(RpcError::new(&id, INVALID_OPERATION, what));
            }
        }
        let input = match params.remove("input").map(data::to_rest) {
            Some(Ok(Value::Object(input))) => input,
            Some(Err(e)) => return Err(invalid(&format!("`input`: {e}"))),
            _ => return Err(invalid("`input` must be the STRUCTURE `operation-input`")),
        };
        let security = match params.remove("ctx") {
            None | Some(Value::Null) => None,
            Some(Value::Object(mut ctx)) => match ctx.remove("securityCtx") {
                None | Some(Value::Null) => None,
                Some(Value::Object(security)) => Some(security),
                Some(_) => return Err(invalid("`ctx.securityCtx` must be an object")),
            },
            Some(_) => return Err(invalid("`ctx` must be an object")),
        };
        Ok(Call {
            id,
            service,
            operation,
            input,
            security,
        })
    }

    /// The headers that carry the call's security context to the REST side: the session id
    /// (from the context, else the request's own header), or basic credentials.
    fn credentials(&self, outer: &HeaderMap) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let field = |key: &str| {
            let value = self.security.as_ref()?.get(key)?;
            match value {
                Value::String(s) => Some(s.clone()),
                secret => match data::to_rest(secret.clone()) {
                    Ok(Value::String(s)) => Some(s),
                    _ => None,
                },
            }
        };
        match field("schemeId").as_deref() {
            Some(SESSION_ID) => {
                if let Some(value) = field("sessionId").and_then(|s| HeaderValue::try_from(s).ok())
                {
                    headers.insert(SESSION_HEADER, value);
                }
            }
            Some(USER_PASS) => {
                let user = field("userName").unwrap_or_default();
                let password = field("password").unwrap_or_default();
                let basic =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                if let Ok(value) = HeaderValue::try_from(format!("Basic {basic}")) {
                    headers.insert(header::AUTHORIZATION, value);
                }
            }
            _ => {
                if let Some(value) = outer.get(SESSION_HEADER) {
                    headers.insert(SESSION_HEADER, value.clone());
                }
            }
        }
        headers
    }

    /// Runs the call: the method result.
    async fn run(self, api: &Router, outer: &HeaderMap) -> Value {
        let headers = self.credentials(outer);
        if self.service == SESSION_SERVICE {
            let method = match self.operation.as_str() {
                "create" => Method::POST,
                "get" => Method::GET,
                "delete" => Method::DELETE,
                _ => return operation_not_found(&self.service, &self.operation),
            };
            let response = internal(api, method, "/api/session", headers, None).await;
            if !response.status().is_success() {
                return from_rest_response(response).await;
            }
            return match self.operation.as_str() {
                "create" => match read_json(response).await {
                    Some(Value::String(id)) => json!({"output": {"SECRET": id}}),
                    _ => json!({"error": internal_error(&"the login answered no session id")}),
                },
                "get" => match read_json(response).await {
                    Some(Value::Object(info)) => {
                        let field = |k: &str| info.get(k).cloned().unwrap_or(Value::Null);
                        json!({"output": {"STRUCTURE": {"com.vmware.cis.session.info": {
                            "user": field("user"),
                            "created_time": field("created_time"),
                            "last_accessed_time": field("last_accessed_time"),
                        }}}})
                    }
                    _ => json!({"error": internal_error(&"the session answered no Session.Info")}),
                },
                _ => json!({"output": null}),
            };
        }
        let invocation = Invocation {
            service: self.service.clone(),
            operation: self.operation.clone(),
            input: self.input,
        };
        let path = service_path(&self.service);
        let mut response = internal(api, Method::POST, &path, headers, Some(invocation)).await;
        if let Some(MethodResult(result)) = response.extensions_mut().remove::<MethodResult>() {
            return result;
        }
        if response.status() == StatusCode::NOT_FOUND {
            // No route: the service is not served.
            return operation_not_found(&self.service, &self.operation);
        }
        from_rest_response(response).await
    }
}

/// Sends a request through `api` (its sessions and limits apply).
async fn internal(
    api: &Router,
    method: Method,
    path: &str,
    headers: HeaderMap,
    invocation: Option<Invocation>,
) -> Response {
    let mut request = Request::new(Body::empty());
    *request.method_mut() = method;
    *request.headers_mut() = headers;
    match path.parse() {
        Ok(uri) => *request.uri_mut() = uri,
        Err(_) => return crate::server::operation_not_found(path),
    }
    if let Some(invocation) = invocation {
        request.extensions_mut().insert(invocation);
    }
    match api.clone().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

async fn read_json(response: Response) -> Option<Value> {
    let body = to_bytes(response.into_body(), MAX_INTERNAL_BODY)
        .await
        .ok()?;
    serde_json::from_slice(&body).ok()
}

/// The answer of a service's route to a JSON-RPC call: `result` for the endpoint.
pub(crate) fn method_result_response(result: Value) -> Response {
    let mut response = StatusCode::OK.into_response();
    response.extensions_mut().insert(MethodResult(result));
    response
}

/// An error answer of the REST side (a standard error body, as `/api` writes it) as the
/// method result `{"error": …}`.
pub(crate) async fn from_rest_response(response: Response) -> Value {
    let status = response.status();
    let body = read_json(response).await.unwrap_or(Value::Null);
    let error_type = match body.get("error_type").and_then(Value::as_str) {
        Some(t) => t.to_owned(),
        None => match status {
            StatusCode::UNAUTHORIZED => "UNAUTHENTICATED".to_owned(),
            StatusCode::NOT_FOUND => "NOT_FOUND".to_owned(),
            StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE => {
                "INVALID_ARGUMENT".to_owned()
            }
            StatusCode::SERVICE_UNAVAILABLE => "SERVICE_UNAVAILABLE".to_owned(),
            _ => "ERROR".to_owned(),
        },
    };
    if body.get("messages").is_none() {
        let message = format!("The server answered HTTP {status}.");
        return json!({"error": data::std_error(&error_type, "vapi.server.http", &message)});
    }
    json!({"error": data::std_error_from_rest(&error_type, &body)})
}

/// `OPERATION_NOT_FOUND` for an operation no served service has.
pub(crate) fn operation_not_found(service: &str, operation: &str) -> Value {
    let message = format!("No operation `{operation}` of service `{service}` is served.");
    json!({"error": data::std_error(
        "OPERATION_NOT_FOUND",
        "vapi.server.operation_not_found",
        &message,
    )})
}

/// `INTERNAL_SERVER_ERROR` saying what went wrong (a result that could not be written).
pub(crate) fn internal_error(what: &dyn std::fmt::Display) -> Value {
    data::std_error(
        "INTERNAL_SERVER_ERROR",
        "vapi.server.internal",
        &what.to_string(),
    )
}

/// The catch-all of an operation: an undeclared vAPI error with its own type and payload, or
/// `INTERNAL_SERVER_ERROR`.
pub(crate) fn unhandled(u: &Unhandled) -> Value {
    match (u.error_type(), u.payload()) {
        (Some(t), Some(payload)) => {
            let short = t.rsplit('.').next().unwrap_or(t);
            data::std_error_from_rest(short, payload)
        }
        _ => internal_error(u),
    }
}

#[cfg(test)]
mod tests;
