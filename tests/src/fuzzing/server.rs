//! `server_request`: HTTP requests into the service `vapi-sim` serves (the generated routers
//! of the item API inside `ApiServer`, plus the transfer endpoints), sent with
//! `tower::ServiceExt::oneshot`, without sockets.
//!
//! The input decodes (with `arbitrary`) to up to [`MAX_REQUESTS`] requests, sent in order to
//! one fresh simulator after a real login, so that later requests can use the session and the
//! ids earlier ones created. Paths come from the operations' REST mappings (with the variables
//! filled by ids, known values or any text) or are any text; bodies are any bytes or JSON built
//! from the field and parameter names of the IDL.
//!
//! Invariants: no panic and no 500; below `/api`, every error answer is a vAPI error body
//! (`{"error_type": "...", "messages": [...]}`) and every success body is JSON.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use arbitrary::{Arbitrary, Unstructured};
use serde_json::Value;
use tower::ServiceExt;
use vapi_bindings::content::library::item::{self as item, downloadsession as dls};
use vapi_bindings::content::library::item::{download_session, updatesession as ups};
use vapi_runtime::OperationDescriptor;
use vapi_runtime::rest::{SESSION_HEADER, encode_path_segment};
use vapi_runtime::server::axum::body::{Body, to_bytes};
use vapi_runtime::server::axum::http::{self, HeaderName, HeaderValue, StatusCode};
use vapi_sim::{DEFAULT_ITEM, SimConfig, Simulator};

/// Requests beyond this many are ignored.
pub const MAX_REQUESTS: usize = 6;

/// Every operation the simulator serves on `/api`.
fn operations() -> impl Iterator<Item = &'static OperationDescriptor> {
    [
        download_session::OPERATIONS,
        item::update_session::OPERATIONS,
        item::file::OPERATIONS,
        item::storage::OPERATIONS,
        dls::file::OPERATIONS,
        ups::file::OPERATIONS,
    ]
    .into_iter()
    .flatten()
}

/// Names worth trying as JSON keys, query parameters and values: the wire names of every
/// field, parameter and enumeration value of the IDL, the REST names of the operations, and
/// the seeded item.
fn names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = BTreeSet::new();
        let sources: Vec<_> = crate::fuzzing::idl::IDL
            .iter()
            .map(|(path, text)| vapi_codegen::load::Source {
                path: (*path).to_owned(),
                text: (*text).to_owned(),
            })
            .collect();
        if let Ok(model) = vapi_codegen::load::load_sources(&sources) {
            for p in &model.packages {
                for s in p.structures.iter().chain(&p.errors) {
                    names.extend(s.fields.iter().map(|f| f.name.wire.clone()));
                }
                for e in &p.enumerations {
                    names.extend(e.values.iter().map(|v| v.name.wire.clone()));
                }
                for s in &p.services {
                    for o in &s.operations {
                        names.extend(o.params.iter().map(|p| p.name.wire.clone()));
                    }
                }
            }
        }
        for op in operations() {
            if let Some(rest) = op.rest {
                names.extend(rest.query.iter().map(|(q, _)| (*q).to_owned()));
                names.extend(rest.headers.iter().map(|(h, _)| (*h).to_owned()));
                names.extend(rest.action.map(str::to_owned));
            }
        }
        names.insert(DEFAULT_ITEM.to_owned());
        names.insert("action".to_owned());
        names.insert("authorization".to_owned());
        names.insert("content-type".to_owned());
        names.into_iter().collect()
    })
}

fn name(i: u16) -> &'static str {
    let names = names();
    names
        .get(usize::from(i) % names.len().max(1))
        .map_or("", String::as_str)
}

/// Text for a path variable, a query value or a JSON string.
#[derive(Debug, Clone, Arbitrary)]
pub enum Text {
    /// An id a previous response returned (the latest when there are fewer).
    Id(u8),
    /// One of the names of the IDL.
    Name(u16),
    /// Any text.
    Any(String),
}

/// A path variable: encoded as clients encode it, or put in as is.
#[derive(Debug, Clone, Arbitrary)]
pub enum Segment {
    /// Percent-encoded.
    Encoded(Text),
    /// Unencoded, so it can add segments, a query or bad escapes.
    Raw(String),
}

/// The path and query.
#[derive(Debug, Clone, Arbitrary)]
pub enum Target {
    /// The URL of an operation (one of the simulator's, in order), its variables filled in.
    Operation {
        /// Which operation.
        op: u8,
        /// The variables, in order; missing ones are the latest id.
        vars: Vec<Segment>,
    },
    /// A transfer endpoint of the simulator.
    Transfer {
        /// `PUT /sim-transfer/upload/...` rather than `GET /sim-transfer/download/...`.
        upload: bool,
        /// The session.
        session: Segment,
        /// The file.
        file: Segment,
    },
    /// Any text.
    Raw(String),
}

/// The HTTP method.
#[derive(Debug, Clone, Arbitrary)]
pub enum Method {
    /// The operation's own (the method of its REST mapping), or `GET`.
    Own,
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
    /// `HEAD`.
    Head,
    /// `OPTIONS`.
    Options,
    /// Any token.
    Other(String),
}

/// The session header.
#[derive(Debug, Clone, Arbitrary)]
pub enum Session {
    /// The session of the login.
    Valid,
    /// None.
    Missing,
    /// Any bytes.
    Raw(Vec<u8>),
}

/// A JSON value built from the names of the IDL.
#[derive(Debug, Clone, Arbitrary)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number (not finite ones become `null`).
    Float(f64),
    /// A string.
    Str(Text),
    /// An array.
    Array(Vec<Json>),
    /// An object; keys are names of the IDL or any text.
    Object(Vec<(Key, Json)>),
}

/// A JSON object key.
#[derive(Debug, Clone, Arbitrary)]
pub enum Key {
    /// One of the names of the IDL.
    Name(u16),
    /// Any text.
    Any(String),
}

/// The request body.
#[derive(Debug, Clone, Arbitrary)]
pub enum RequestBody {
    /// Empty.
    Empty,
    /// JSON.
    Json(Json),
    /// Any bytes.
    Raw(Vec<u8>),
}

/// One request.
#[derive(Debug, Clone, Arbitrary)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The path.
    pub target: Target,
    /// Query parameters added to the path's, name (of the IDL, or any text) and value.
    pub query: Vec<(Key, Text)>,
    /// Query text added unencoded.
    pub raw_query: Option<String>,
    /// The session header.
    pub session: Session,
    /// Other headers, name and value (ones that are not valid HTTP are left out).
    pub headers: Vec<(Key, Vec<u8>)>,
    /// The body.
    pub body: RequestBody,
}

struct State {
    ids: Vec<String>,
}

impl State {
    fn text(&self, t: &Text) -> String {
        match t {
            Text::Id(i) => self.id(*i),
            Text::Name(i) => name(*i).to_owned(),
            Text::Any(s) => s.clone(),
        }
    }

    fn id(&self, i: u8) -> String {
        let n = self.ids.len();
        if n == 0 {
            return DEFAULT_ITEM.to_owned();
        }
        self.ids[n - 1 - usize::from(i) % n].clone()
    }

    fn segment(&self, s: &Segment) -> String {
        match s {
            Segment::Encoded(t) => encode_path_segment(&self.text(t)),
            Segment::Raw(s) => s.clone(),
        }
    }

    fn json(&self, j: &Json) -> Value {
        match j {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Int(i) => Value::from(*i),
            Json::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Json::Str(t) => Value::String(self.text(t)),
            Json::Array(a) => Value::Array(a.iter().map(|j| self.json(j)).collect()),
            Json::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (key(k).to_owned(), self.json(v)))
                    .collect(),
            ),
        }
    }

    /// The method and URI of `r`.
    fn target(&self, r: &Request) -> (String, String) {
        let (own, mut uri) = match &r.target {
            Target::Operation { op, vars } => {
                let ops: Vec<_> = operations().filter_map(|o| o.rest).collect();
                match ops.get(usize::from(*op) % ops.len().max(1)) {
                    Some(rest) => {
                        let mut uri = rest.url_template();
                        let mut vars = vars.iter();
                        for (var, _) in rest.path_params {
                            let value = match vars.next() {
                                Some(s) => self.segment(s),
                                None => encode_path_segment(&self.id(0)),
                            };
                            uri = uri.replace(&format!("{{{var}}}"), &value);
                        }
                        (rest.method.as_str(), uri)
                    }
                    None => ("GET", "/api".to_owned()),
                }
            }
            Target::Transfer {
                upload,
                session,
                file,
            } => {
                let (method, kind) = if *upload {
                    ("PUT", "upload")
                } else {
                    ("GET", "download")
                };
                let uri = format!(
                    "/sim-transfer/{kind}/{}/{}",
                    self.segment(session),
                    self.segment(file)
                );
                (method, uri)
            }
            Target::Raw(s) => ("GET", s.clone()),
        };
        if !uri.starts_with('/') {
            uri.insert(0, '/');
        }
        for (k, v) in &r.query {
            let sep = if uri.contains('?') { '&' } else { '?' };
            let _ = write!(
                uri,
                "{sep}{}={}",
                encode_path_segment(key(k)),
                encode_path_segment(&self.text(v))
            );
        }
        if let Some(q) = &r.raw_query {
            let sep = if uri.contains('?') { '&' } else { '?' };
            let _ = write!(uri, "{sep}{q}");
        }
        let method = match &r.method {
            Method::Own => own.to_owned(),
            Method::Get => "GET".to_owned(),
            Method::Post => "POST".to_owned(),
            Method::Put => "PUT".to_owned(),
            Method::Patch => "PATCH".to_owned(),
            Method::Delete => "DELETE".to_owned(),
            Method::Head => "HEAD".to_owned(),
            Method::Options => "OPTIONS".to_owned(),
            Method::Other(m) => m.clone(),
        };
        (method, uri)
    }
}

fn key(k: &Key) -> &str {
    match k {
        Key::Name(i) => name(*i),
        Key::Any(s) => s,
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => panic!("no tokio runtime: {e}"),
        }
    })
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The body.
    pub body: Vec<u8>,
}

async fn send(app: &vapi_runtime::server::axum::Router, req: http::Request<Body>) -> Answer {
    let response = match app.clone().oneshot(req).await {
        Ok(r) => r,
        Err(e) => match e {},
    };
    let status = response.status();
    let body = match to_bytes(response.into_body(), usize::MAX).await {
        Ok(b) => b.to_vec(),
        Err(e) => panic!("the response body cannot be read: {e}"),
    };
    Answer { status, body }
}

/// Checks the answer to one request: `what` names it (method and URI) in the message, `path`
/// is its path, `head` whether it was a `HEAD` (whose answers have no body).
///
/// # Panics
///
/// When the answer breaks an invariant (see the module docs).
pub fn check_answer(what: &str, path: &str, head: bool, answer: &Answer) {
    let body = String::from_utf8_lossy(&answer.body);
    assert!(
        answer.status != StatusCode::INTERNAL_SERVER_ERROR,
        "{what} answered 500: {body}"
    );
    if !path.starts_with("/api") || head {
        return;
    }
    if answer.status.is_client_error() || answer.status.is_server_error() {
        let error: Result<Value, _> = serde_json::from_slice(&answer.body);
        let well_formed = matches!(&error, Ok(Value::Object(o))
            if o.get("error_type").is_some_and(Value::is_string)
                && o.get("messages").is_some_and(Value::is_array));
        assert!(
            well_formed,
            "{what} answered {} without a vAPI error body: {body:?}",
            answer.status
        );
    } else if !answer.body.is_empty() {
        assert!(
            serde_json::from_slice::<Value>(&answer.body).is_ok(),
            "{what} answered {} with a body that is not JSON: {body:?}",
            answer.status
        );
    }
}

/// The data directory of one simulator, removed when dropped (also after a finding's panic):
/// on tmpfs (`/dev/shm`) where the machine has one, as the simulator syncs its state to disk at
/// every change and a disk's fsyncs would be most of the time of each input.
struct Scratch(Option<PathBuf>);

impl Scratch {
    fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let shm = std::path::Path::new("/dev/shm");
        let dir = shm.is_dir().then(|| {
            shm.join(format!(
                "vapi-fuzz-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ))
        });
        // Where it cannot be made, the simulator makes its own temporary directory.
        Scratch(dir.filter(|d| std::fs::create_dir(d).is_ok()))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(dir) = &self.0 {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Sends `requests`, after a login, to a fresh simulator, checking every answer.
///
/// # Panics
///
/// When an answer breaks an invariant (see the module docs).
pub fn exchange(requests: &[Request]) {
    let mut config = SimConfig::new("http://127.0.0.1:1");
    config.user = "u".to_owned();
    config.password = "p".to_owned();
    let scratch = Scratch::new();
    config.data_dir.clone_from(&scratch.0);
    let sim = match Simulator::new(config) {
        Ok(sim) => sim,
        Err(e) => panic!("the simulator's data directory: {e}"),
    };
    let app = sim.router();
    runtime().block_on(async {
        let login = http::Request::post("/api/session")
            .header(
                http::header::AUTHORIZATION,
                // `u:p` in base64.
                "Basic dTpw",
            )
            .body(Body::empty());
        let login = match login {
            Ok(r) => send(&app, r).await,
            Err(e) => panic!("the login request: {e}"),
        };
        let session = match serde_json::from_slice::<String>(&login.body) {
            Ok(s) if login.status == StatusCode::CREATED => s,
            _ => panic!("the login failed: {}", login.status),
        };
        let mut state = State { ids: Vec::new() };
        for r in requests.iter().take(MAX_REQUESTS) {
            let (method, uri) = state.target(r);
            let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
                continue;
            };
            let Ok(uri) = http::Uri::try_from(uri) else {
                continue;
            };
            let mut builder = http::Request::builder().method(method.clone()).uri(&uri);
            match &r.session {
                Session::Valid => builder = builder.header(SESSION_HEADER, session.as_str()),
                Session::Missing => {}
                Session::Raw(bytes) => {
                    if let Ok(v) = HeaderValue::from_bytes(bytes) {
                        builder = builder.header(SESSION_HEADER, v);
                    }
                }
            }
            for (k, v) in &r.headers {
                if let (Ok(k), Ok(v)) = (
                    HeaderName::from_bytes(key(k).as_bytes()),
                    HeaderValue::from_bytes(v),
                ) {
                    builder = builder.header(k, v);
                }
            }
            let body = match &r.body {
                RequestBody::Empty => Vec::new(),
                RequestBody::Json(j) => state.json(j).to_string().into_bytes(),
                RequestBody::Raw(b) => b.clone(),
            };
            let Ok(req) = builder.body(Body::from(body)) else {
                continue;
            };
            let what = format!("{method} {uri}");
            let answer = send(&app, req).await;
            check_answer(&what, uri.path(), method == http::Method::HEAD, &answer);
            if let Ok(id) = serde_json::from_slice::<String>(&answer.body) {
                state.ids.push(id);
            }
        }
    });
}

/// `server_request`: `data` decodes (with `arbitrary`) to a list of [`Request`]s.
pub fn server_request(data: &[u8]) {
    let Ok(requests) = Vec::<Request>::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    exchange(&requests);
}
