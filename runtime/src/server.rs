//! The HTTP side of the generated `router`s: reading a call's path, query, headers and body,
//! answering in the `/api` shapes, and an [`ApiServer`] that adds vCenter's session login
//! around them. Enabled by the `server` feature.

// The error of these reads is the HTTP answer itself, as axum's rejections are: built at most
// once per call, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

pub use axum;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::rest::{SESSION_HEADER, status_of};
use crate::{DateTime, Unhandled, ValidationError};

/// How long an API session lives without a call unless [`Sessions::new`] is given another
/// time: vCenter's default, 30 minutes.
pub const DEFAULT_SESSION_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// An HTTP answer.
pub type Response = axum::response::Response;

/// The standard error body: `{"error_type": ..., "messages": [{"id", "default_message", "args"}]}`.
fn error_body(error_type: &str, id: &str, message: &str) -> Response {
    let status =
        StatusCode::from_u16(status_of(error_type)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({
        "error_type": error_type,
        "messages": [{"id": id, "default_message": message, "args": []}],
    });
    (status, Json(body)).into_response()
}

/// 400 `INVALID_ARGUMENT`, for input that cannot be read or breaks a rule.
pub fn invalid_argument(message: impl fmt::Display) -> Response {
    error_body(
        "INVALID_ARGUMENT",
        "vapi.server.invalid_argument",
        &message.to_string(),
    )
}

/// 400 `INVALID_ARGUMENT` for a value that breaks a documented rule, naming the parameter.
pub fn validation_failed(parameter: &str, error: ValidationError) -> Response {
    invalid_argument(error.within(parameter))
}

/// 404 `OPERATION_NOT_FOUND`, for a path, method or `action` no operation has.
pub fn operation_not_found(what: impl fmt::Display) -> Response {
    error_body(
        "OPERATION_NOT_FOUND",
        "vapi.server.operation_not_found",
        &format!("no operation for {what}"),
    )
}

/// 401 `UNAUTHENTICATED`, as vCenter answers a call without a valid session.
pub fn unauthenticated() -> Response {
    let mut r = error_body(
        "UNAUTHENTICATED",
        "vapi.server.unauthenticated",
        "This call needs a session: POST /api/session first.",
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Basic realm=\"vapi\""),
    );
    r
}

/// A declared error of an operation: its fields as the body, with `error_type` set, and the
/// status the error type travels with.
pub fn error<E: Serialize>(error_type: &str, error: &E) -> Response {
    let mut body = serde_json::to_value(error).unwrap_or_else(|_| json!({"messages": []}));
    if let Value::Object(fields) = &mut body {
        fields.insert("error_type".to_owned(), Value::from(error_type));
    }
    let status =
        StatusCode::from_u16(status_of(error_type)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

/// The catch-all of an operation: an undeclared vAPI error with its own type and payload, or a
/// 500 `INTERNAL_SERVER_ERROR` that says what went wrong.
pub fn unhandled(u: &Unhandled) -> Response {
    match (u.error_type(), u.payload()) {
        (Some(t), Some(payload)) => {
            let short = t.rsplit('.').next().unwrap_or(t);
            error(short, payload)
        }
        _ => error_body(
            "INTERNAL_SERVER_ERROR",
            "vapi.server.internal",
            &u.to_string(),
        ),
    }
}

/// 200 with the result as JSON.
pub fn ok<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        Err(e) => unhandled(&Unhandled::new(e)),
    }
}

/// 204, for an operation without a result.
pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// The parts of a request the generated handlers read: path variables (decoded), query
/// parameters (decoded), headers and the body (within the [`ApiServer`]'s limit).
#[derive(Debug)]
pub struct Call {
    path: BTreeMap<String, String>,
    query: Vec<(String, String)>,
    // Keys written without `=` (`…/file?name`): VMware's SDKs mark an operation that way and
    // send the value in the body, so they carry no value.
    bare: Vec<String>,
    headers: HeaderMap,
    body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for Call {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let path = Path::<BTreeMap<String, String>>::from_request_parts(&mut parts, state)
            .await
            .map(|Path(p)| p)
            .unwrap_or_default();
        let query = Query::<Vec<(String, String)>>::from_request_parts(&mut parts, state)
            .await
            .map(|Query(q)| q)
            .map_err(|e| invalid_argument(format!("the query cannot be read: {e}")))?;
        let bare = parts
            .uri
            .query()
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty() && !p.contains('='))
            .map(str::to_owned)
            .collect();
        let headers = parts.headers.clone();
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| {
                let mut r = error_body(
                    "INVALID_REQUEST",
                    "vapi.server.body",
                    &format!("the body cannot be read: {}", e.body_text()),
                );
                *r.status_mut() = e.status();
                r
            })?;
        Ok(Call {
            path,
            query,
            bare,
            headers,
            body,
        })
    }
}

fn read_text<T: DeserializeOwned>(what: &str, text: &str) -> Result<T, Response> {
    // Strings, ids and enumerations read from the text itself; numbers and booleans from it
    // as JSON.
    serde_json::from_value(Value::from(text))
        .or_else(|_| serde_json::from_str(text))
        .map_err(|e| invalid_argument(format!("{what}: {e}")))
}

impl Call {
    /// The `action` query parameter that selects among operations on one path.
    pub fn action(&self) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == "action")
            .map(|(_, v)| v.as_str())
    }

    /// Whether the query has the parameter `name`.
    pub fn has_query(&self, name: &str) -> bool {
        self.query.iter().any(|(k, _)| k == name)
    }

    /// A path variable, read as a parameter of type `T`.
    ///
    /// # Errors
    ///
    /// 400 `INVALID_ARGUMENT` if it is missing or not a `T`.
    pub fn path<T: DeserializeOwned>(&self, name: &str) -> Result<T, Response> {
        match self.path.get(name) {
            Some(text) => read_text(&format!("path variable `{name}`"), text),
            None => Err(invalid_argument(format!(
                "path variable `{name}` is missing"
            ))),
        }
    }

    /// A query parameter, read as `T`; `None` when absent or written without a value
    /// (`?name`, as VMware's SDKs mark an operation whose `name` travels in the body).
    ///
    /// # Errors
    ///
    /// 400 `INVALID_ARGUMENT` if it is not a `T`.
    pub fn query<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, Response> {
        if self.bare.iter().any(|k| k == name) {
            return Ok(None);
        }
        match self.query.iter().find(|(k, _)| k == name) {
            Some((_, text)) => read_text(&format!("query parameter `{name}`"), text).map(Some),
            None => Ok(None),
        }
    }

    /// A header, read as `T`; `None` when absent.
    ///
    /// # Errors
    ///
    /// 400 `INVALID_ARGUMENT` if it is not text or not a `T`.
    pub fn header<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, Response> {
        match self.headers.get(name) {
            Some(value) => {
                let text = value
                    .to_str()
                    .map_err(|_| invalid_argument(format!("header `{name}` is not text")))?;
                read_text(&format!("header `{name}`"), text).map(Some)
            }
            None => Ok(None),
        }
    }

    /// The whole body as the JSON of `T`; an empty body reads as `null`.
    ///
    /// # Errors
    ///
    /// 400 `INVALID_ARGUMENT` naming what is wrong.
    pub fn body<T: DeserializeOwned>(&self, parameter: &str) -> Result<T, Response> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|e| invalid_argument(format!("`{parameter}`: {e}")))
    }

    /// The body as a JSON object of parameters (an empty body is `{}`).
    ///
    /// # Errors
    ///
    /// 400 `INVALID_ARGUMENT` if the body is not a JSON object.
    pub fn fields(&self) -> Result<Fields, Response> {
        let fields: Option<serde_json::Map<String, Value>> = self.body("body")?;
        Ok(Fields(fields.unwrap_or_default()))
    }
}

/// The parameters of a body object.
#[derive(Debug)]
pub struct Fields(serde_json::Map<String, Value>);

impl Fields {
    /// The parameter `name` as `T` (absent reads as `null`, that is unset for optionals).
    ///
    /// # Errors
    ///
    /// 400 `INVALID_ARGUMENT` naming the parameter.
    pub fn take<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, Response> {
        let value = self.0.remove(name).unwrap_or(Value::Null);
        serde_json::from_value(value).map_err(|e| invalid_argument(format!("`{name}`: {e}")))
    }
}

/// The user names and passwords [`ApiServer`] accepts at `POST /api/session`.
#[derive(Clone)]
pub struct Credentials {
    // User → password, in the order given.
    users: Vec<(String, String)>,
}

impl Credentials {
    /// One user the server accepts.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            users: vec![(user.into(), password.into())],
        }
    }

    /// Accepts another user too (a later entry for the same name replaces the password).
    ///
    /// ```
    /// use vapi_runtime::server::Credentials;
    ///
    /// let credentials = Credentials::new("administrator@vsphere.local", "vmware")
    ///     .with_user("reader@vsphere.local", "s3cret");
    /// # let _ = credentials;
    /// ```
    pub fn with_user(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        let user = user.into();
        self.users.retain(|(u, _)| *u != user);
        self.users.push((user, password.into()));
        self
    }

    fn accepts(&self, user: &str, password: &str) -> bool {
        self.users.iter().any(|(u, p)| u == user && p == password)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let users: Vec<&str> = self.users.iter().map(|(u, _)| u.as_str()).collect();
        f.debug_struct("Credentials")
            .field("users", &users)
            .field("passwords", &"<redacted>")
            .finish()
    }
}

/// One login: who, since when, last used when.
struct Login {
    user: String,
    created: SystemTime,
    last_accessed: SystemTime,
    last_call: Instant,
}

/// The API sessions of an [`ApiServer`]: who may log in, how long a session lives idle, and
/// the live ones. Shared with other routes served beside the API (transfer endpoints that, as
/// vCenter's do, ask for `vmware-api-session-id`) by cloning: every clone is the same table.
#[derive(Clone)]
pub struct Sessions {
    credentials: Arc<Credentials>,
    idle_timeout: Duration,
    // Session id → login.
    active: Arc<Mutex<BTreeMap<String, Login>>>,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("credentials", &self.credentials)
            .field("idle_timeout", &self.idle_timeout)
            .finish_non_exhaustive()
    }
}

impl Sessions {
    /// No sessions yet; `credentials` log in; a session lives `idle_timeout` without a call
    /// (vCenter's default is [`DEFAULT_SESSION_IDLE_TIMEOUT`]).
    pub fn new(credentials: Credentials, idle_timeout: Duration) -> Self {
        Sessions {
            credentials: Arc::new(credentials),
            idle_timeout,
            active: Arc::new(Mutex::new(BTreeMap::new())),
        }
    }

    /// The table, with every login idle longer than the timeout dropped.
    fn table(&self) -> MutexGuard<'_, BTreeMap<String, Login>> {
        // Every change to the table is one insert or remove: a panic elsewhere cannot leave
        // it half changed.
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        let timeout = self.idle_timeout;
        active.retain(|_, login| login.last_call.elapsed() <= timeout);
        active
    }

    /// The user of the live session named by the request's `vmware-api-session-id`, if any;
    /// the session counts as used.
    pub fn user_of(&self, headers: &HeaderMap) -> Option<String> {
        let id = headers.get(SESSION_HEADER)?.to_str().ok()?;
        let mut active = self.table();
        let login = active.get_mut(id)?;
        login.last_call = Instant::now();
        login.last_accessed = SystemTime::now();
        Some(login.user.clone())
    }

    /// The documented `Session.Info` of the request's session: `user`, `created_time`,
    /// `last_accessed_time` (this call is an access).
    fn info_of(&self, headers: &HeaderMap) -> Option<Value> {
        let id = headers.get(SESSION_HEADER)?.to_str().ok()?;
        let mut active = self.table();
        let login = active.get_mut(id)?;
        login.last_call = Instant::now();
        login.last_accessed = SystemTime::now();
        let time = |t: SystemTime| DateTime::from_system_time(t).map(|d| d.to_string());
        Some(json!({
            "user": login.user,
            "created_time": time(login.created),
            "last_accessed_time": time(login.last_accessed),
        }))
    }
}

/// The `/api` of one or more generated service routers, as vCenter serves it: `POST
/// /api/session` (basic credentials → a session id), `GET` and `DELETE /api/session`, every
/// other call refused with 401 `UNAUTHENTICATED` unless it carries a live
/// `vmware-api-session-id`, request bodies limited in size (1 MiB unless set), and JSON
/// `OPERATION_NOT_FOUND` for paths, and methods of a path, that no operation has.
///
/// ```no_run
/// # fn service_router() -> vapi_runtime::server::axum::Router { Default::default() }
/// use vapi_runtime::server::{ApiServer, Credentials};
///
/// let app = ApiServer::new(Credentials::new("administrator@vsphere.local", "vmware"))
///     .service(service_router())
///     .into_router();
/// ```
#[derive(Debug)]
pub struct ApiServer {
    routes: Router,
    sessions: Sessions,
    body_limit: usize,
}

impl ApiServer {
    /// A server accepting `credentials`, its sessions living [`DEFAULT_SESSION_IDLE_TIMEOUT`]
    /// without a call, with no services yet.
    pub fn new(credentials: Credentials) -> Self {
        ApiServer::with_sessions(Sessions::new(credentials, DEFAULT_SESSION_IDLE_TIMEOUT))
    }

    /// A server keeping its logins in `sessions` (a clone of which other routes can use to
    /// check `vmware-api-session-id`), with no services yet. After its idle timeout a session
    /// gets 401 as an unknown one does.
    pub fn with_sessions(sessions: Sessions) -> Self {
        ApiServer {
            routes: Router::new(),
            sessions,
            body_limit: 1 << 20,
        }
    }

    /// Adds the routes of a service (a generated `router(...)`).
    pub fn service(mut self, router: Router) -> Self {
        self.routes = self.routes.merge(router);
        self
    }

    /// The largest request body accepted, in bytes; larger ones get 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The router to serve.
    pub fn into_router(self) -> Router {
        let sessions = self.sessions;
        // A path no operation has, or a method none of its operations has: JSON
        // `OPERATION_NOT_FOUND`, not axum's empty 404 or 405.
        let not_found = |req: Request| async move {
            operation_not_found(format!("{} {}", req.method(), req.uri().path()))
        };
        let protected = self
            .routes
            .fallback(not_found)
            .method_not_allowed_fallback(not_found)
            .layer(axum::middleware::from_fn_with_state(
                (sessions.clone(), self.body_limit),
                require_session,
            ));
        Router::new()
            .route("/api/session", post(login).get(current_user).delete(logout))
            .method_not_allowed_fallback(not_found)
            .with_state(sessions)
            .merge(protected)
            .layer(DefaultBodyLimit::max(self.body_limit))
    }
}

async fn require_session(
    State((sessions, body_limit)): State<(Sessions, usize)>,
    req: Request,
    next: Next,
) -> Response {
    if sessions.user_of(req.headers()).is_some() {
        next.run(req).await
    } else {
        refuse(req, body_limit, unauthenticated()).await
    }
}

/// Answers `req` with `answer` without running it, after reading its body (up to `limit`
/// bytes): an answer sent before the body is read makes the server close the connection,
/// which a client that pools connections then finds dead on its next call.
pub async fn refuse(req: Request, limit: usize, answer: Response) -> Response {
    let _ = axum::body::to_bytes(req.into_body(), limit).await;
    answer
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(crate::values::decode(encoded.trim())?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn new_session_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

async fn login(State(sessions): State<Sessions>, headers: HeaderMap) -> Response {
    let Some((user, password)) = basic_credentials(&headers) else {
        return unauthenticated();
    };
    if !sessions.credentials.accepts(&user, &password) {
        return unauthenticated();
    }
    let Some(id) = new_session_id() else {
        return unhandled(&Unhandled::new("no randomness for a session id"));
    };
    let now = SystemTime::now();
    sessions.table().insert(
        id.clone(),
        Login {
            user,
            created: now,
            last_accessed: now,
            last_call: Instant::now(),
        },
    );
    (StatusCode::CREATED, Json(id)).into_response()
}

async fn current_user(State(sessions): State<Sessions>, headers: HeaderMap) -> Response {
    match sessions.info_of(&headers) {
        Some(info) => ok(&info),
        None => unauthenticated(),
    }
}

async fn logout(State(sessions): State<Sessions>, headers: HeaderMap) -> Response {
    let id = headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let removed = id.is_some_and(|id| sessions.table().remove(&id).is_some());
    if removed {
        no_content()
    } else {
        unauthenticated()
    }
}
