//! The HTTP side of the generated `Client`s: a [`Connection`] to a vCenter (or anything that
//! serves its `/api`), vCenter's session login, and the request and response shapes the
//! generated code fills and reads. Enabled by the `client` feature.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::rest::{SESSION_HEADER, error_type_of_status};
use crate::{HttpMethod, Unhandled};

mod resilience;
mod retry;
use resilience::{Failure, Resilience};
pub use retry::RetryConfig;

/// Why a [`Connection`] could not be built, or a login or logout failed.
///
/// [`Display`](std::fmt::Display) says what failed in this crate's words (`login: cannot reach
/// https://vc.example.com/api/session`); the cause, when there is one (the transport error,
/// the TLS or I/O error), is [`source()`](std::error::Error::source), not repeated in the
/// message, so an error reporter that walks the chain names it once.
#[derive(Debug)]
pub struct ClientError {
    message: String,
    refused: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ClientError {
    /// An error with this message and no underlying cause.
    pub fn new(message: impl Into<String>) -> Self {
        ClientError {
            message: message.into(),
            refused: false,
            source: None,
        }
    }

    /// An error with this message caused by `source`.
    pub fn with_source(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        ClientError {
            message: message.into(),
            refused: false,
            source: Some(source.into()),
        }
    }

    /// An error the server answered with (a login refused, a logout answered with an error),
    /// as opposed to one that happened before an answer came.
    fn refused(message: impl Into<String>) -> Self {
        ClientError {
            refused: true,
            ..ClientError::new(message)
        }
    }

    /// Whether the server answered and refused (wrong credentials, an error status), rather
    /// than the call failing before an answer (bad settings, no connection, TLS).
    pub fn is_refused(&self) -> bool {
        self.refused
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// Settings of a [`Connection`], in the style of `reqwest::ClientBuilder`.
///
/// ```no_run
/// # async fn run() -> Result<(), vapi_runtime::client::ClientError> {
/// use std::time::Duration;
/// use vapi_runtime::client::ClientBuilder;
///
/// let pem = std::fs::read("vcenter-ca.pem").map_err(|e| {
///     vapi_runtime::client::ClientError::with_source("cannot read vcenter-ca.pem", e)
/// })?;
/// let connection = ClientBuilder::new("https://vc.example.com")
///     .add_root_certificate_pem(&pem)?
///     .timeout(Duration::from_secs(30))
///     .build()?;
/// connection.login("administrator@vsphere.local", "secret").await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ClientBuilder {
    base: String,
    roots: Vec<reqwest::Certificate>,
    accept_invalid_certificates: bool,
    timeout: Duration,
    connect_timeout: Duration,
    session_id: Option<String>,
    max_response_bytes: usize,
    resilience: Resilience,
}

impl From<String> for ClientError {
    fn from(message: String) -> Self {
        ClientError::new(message)
    }
}

impl ClientBuilder {
    /// A connection to the server at `base_url` (`https://vc.example.com`, or with the API
    /// path, `https://vc.example.com/api`; calls go to `https://vc.example.com/api/...`),
    /// trusting the web PKI roots and the platform's certificate store, with a 60 s timeout
    /// per call, 10 s to connect, and answers of at most [`DEFAULT_MAX_RESPONSE_BYTES`].
    ///
    /// ```
    /// use vapi_runtime::client::ClientBuilder;
    ///
    /// let a = ClientBuilder::new("https://vc.example.com/api/").build()?;
    /// let b = ClientBuilder::new("https://vc.example.com").build()?;
    /// assert_eq!(a.base_url(), b.base_url());
    /// # Ok::<(), vapi_runtime::client::ClientError>(())
    /// ```
    pub fn new(base_url: impl Into<String>) -> Self {
        let base = base_url.into();
        let base = base.trim_end_matches('/');
        let base = base.strip_suffix("/api").unwrap_or(base).to_owned();
        ClientBuilder {
            base,
            roots: Vec::new(),
            accept_invalid_certificates: false,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            session_id: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            resilience: Resilience::default(),
        }
    }

    /// Also trusts the CA certificate(s) of a PEM file, such as a vCenter's VMCA root.
    ///
    /// # Errors
    ///
    /// If the PEM holds no certificate.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, ClientError> {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| ClientError::with_source("not a PEM certificate bundle", e))?;
        if certs.is_empty() {
            return Err(ClientError::new("the PEM holds no certificate"));
        }
        self.roots.extend(certs);
        Ok(self)
    }

    /// Accepts ANY certificate, including self-signed and expired ones, for any host name:
    /// for a lab whose vCenter has a self-signed certificate. Anyone on the network path can
    /// then read and change every call, credentials included. Prefer
    /// [`add_root_certificate_pem`](Self::add_root_certificate_pem).
    pub fn danger_accept_invalid_certificates(mut self) -> Self {
        self.accept_invalid_certificates = true;
        self
    }

    /// The longest a whole call may take.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest connecting may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The largest answer body a call accepts; a larger one fails the call with
    /// [`Unhandled`] instead of being read into memory. Answers of `/api` are JSON documents of
    /// kilobytes; file contents travel over the transfer endpoints, not through this client.
    ///
    /// ```
    /// let builder = vapi_runtime::client::ClientBuilder::new("https://vc.example.com")
    ///     .max_response_bytes(1 << 20);
    /// # drop(builder);
    /// ```
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Uses a session id obtained elsewhere instead of [`Connection::login`].
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.session_id = Some(id.into());
        self
    }

    /// The connection.
    ///
    /// # Errors
    ///
    /// If the base URL is not `http://` or `https://`, or the TLS settings cannot be used.
    pub fn build(self) -> Result<Connection, ClientError> {
        if !(self.base.starts_with("https://") || self.base.starts_with("http://")) {
            return Err(ClientError::new(format!(
                "the base URL {:?} is not http:// or https://",
                self.base
            )));
        }
        let mut http = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .danger_accept_invalid_certs(self.accept_invalid_certificates);
        for root in self.roots {
            http = http.add_root_certificate(root);
        }
        let http = http
            .build()
            .map_err(|e| ClientError::with_source("cannot set up HTTP", e))?;
        Ok(Connection {
            http,
            base: self.base,
            timeout: self.timeout,
            session: Arc::new(Mutex::new(self.session_id)),
            max_response_bytes: self.max_response_bytes,
            resilience: self.resilience,
        })
    }
}

/// A connection to one server's `/api`, with its session; cheap to clone, and every clone
/// shares the session. Give it to each service's generated `Client`.
#[derive(Debug, Clone)]
pub struct Connection {
    http: reqwest::Client,
    base: String,
    timeout: Duration,
    session: Arc<Mutex<Option<String>>>,
    max_response_bytes: usize,
    resilience: Resilience,
}

impl Connection {
    /// A connection with the default settings of [`ClientBuilder::new`].
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`].
    pub fn new(base_url: impl Into<String>) -> Result<Self, ClientError> {
        ClientBuilder::new(base_url).build()
    }

    /// The server's URL, without `/api` (`https://vc.example.com`).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The longest one call may take ([`ClientBuilder::timeout`]); transfers use it as the
    /// longest time without a byte moving instead.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The HTTP client, with the connection's TLS settings, for the transfer module.
    #[cfg(feature = "transfer")]
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The session id in use, if any.
    pub fn session_id(&self) -> Option<String> {
        self.session.lock().ok().and_then(|s| s.clone())
    }

    fn set_session(&self, id: Option<String>) {
        if let Ok(mut s) = self.session.lock() {
            *s = id;
        }
    }

    /// Logs in as vCenter does: `POST /api/session` with basic credentials; the session id it
    /// returns is sent as `vmware-api-session-id` on every later call.
    ///
    /// # Errors
    ///
    /// If the server cannot be reached or refuses the credentials.
    pub async fn login(&self, user: &str, password: &str) -> Result<(), ClientError> {
        let response = self
            .http
            .post(format!("{}/api/session", self.base))
            .basic_auth(user, Some(password))
            .send()
            .await
            .map_err(|e| {
                ClientError::with_source(format!("login: cannot reach {}", self.base), e)
            })?;
        let status = response.status();
        let body = read_body(response, self.max_response_bytes)
            .await
            .map_err(|e| ClientError::with_source("login: the answer could not be read", e))?;
        if !status.is_success() {
            return Err(ClientError::refused(format!(
                "login refused (HTTP {}): {}",
                status.as_u16(),
                server_message(&body)
            )));
        }
        let id: String = serde_json::from_slice(&body).map_err(|e| {
            ClientError::with_source("login: the session id is not a JSON string", e)
        })?;
        self.set_session(Some(id));
        self.resilience.remember(user, password);
        Ok(())
    }

    /// Logs out: `DELETE /api/session`, and forgets the session id.
    ///
    /// # Errors
    ///
    /// If the server cannot be reached or answers with an error.
    pub async fn logout(&self) -> Result<(), ClientError> {
        // A logout must not log in again when the session has already expired.
        self.resilience.forget();
        let response = self
            .send(Request::new(HttpMethod::Delete, "/session"))
            .await
            .map_err(|e| ClientError::with_source("logout failed", e))?;
        self.set_session(None);
        if response.is_success() {
            Ok(())
        } else {
            Err(ClientError::refused(format!(
                "logout refused (HTTP {}): {}",
                response.status,
                server_message(&response.body)
            )))
        }
    }

    /// Sends `request` once, with the session header and the call's timeout; the resilient
    /// [`send`](Self::send) around it decides on retries and a new login. Also gives how long
    /// the server asked to wait before another try (`Retry-After`), if it did.
    async fn send_once(&self, request: &Request) -> Result<(Response, Option<Duration>), Failure> {
        let method = match request.method {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
            HttpMethod::Patch => reqwest::Method::PATCH,
            HttpMethod::Delete => reqwest::Method::DELETE,
        };
        let mut url = format!("{}/api{}", self.base, request.path);
        if !request.query.is_empty() {
            url.push('?');
            url.push_str(&encode_query(&request.query));
        }
        let mut builder = self.http.request(method, url);
        builder = builder.timeout(request.timeout.unwrap_or(self.timeout));
        if let Some(id) = self.session_id() {
            builder = builder.header(SESSION_HEADER, id);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let response = builder.send().await.map_err(Failure::transport)?;
        let status = response.status().as_u16();
        let retry_after = retry::retry_after(response.headers());
        let body = read_body(response, self.max_response_bytes)
            .await
            .map_err(Failure::body)?;
        Ok((Response { status, body }, retry_after))
    }
}

/// What a refusal says: the `default_message`s of a vAPI error body, else the body as text
/// (cut short), else nothing.
pub(crate) fn server_message(body: &[u8]) -> String {
    let from_vapi = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let messages = v.get("messages")?.as_array()?;
            let texts: Vec<&str> = messages
                .iter()
                .filter_map(|m| m.get("default_message")?.as_str())
                .collect();
            let kind = v.get("error_type").and_then(|t| t.as_str());
            match (kind, texts.is_empty()) {
                (_, false) => Some(texts.join(" ")),
                (Some(kind), true) => Some(kind.to_owned()),
                (None, true) => None,
            }
        });
    from_vapi.unwrap_or_else(|| {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        match text.char_indices().nth(500) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.to_owned(),
        }
    })
}

/// The answer size [`ClientBuilder::new`] accepts: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 << 20;

/// Reads an answer body chunk by chunk, refusing it as soon as it passes `limit`, so that a
/// broken or hostile server cannot make the client hold an unbounded body.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    let too_large = || format!("the answer is larger than the limit of {limit} bytes");
    if response
        .content_length()
        .is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX))
    {
        return Err(too_large().into());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(too_large().into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `application/x-www-form-urlencoded` without `+` for spaces, which some servers read
/// literally: every byte but the unreserved ones is percent-encoded.
fn encode_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                crate::rest::encode_path_segment(k),
                crate::rest::encode_path_segment(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// One call, as the generated code builds it.
#[derive(Debug, Clone)]
pub struct Request {
    method: HttpMethod,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    operation: Option<resilience::Named>,
    idempotent: bool,
    timeout: Option<Duration>,
}

impl Request {
    /// A call of `method` on `path` below `/api`, already encoded
    /// ([`expand_path`](crate::rest::expand_path) does that).
    pub fn new(method: HttpMethod, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            operation: None,
            idempotent: false,
            timeout: None,
        }
    }

    /// Adds a query parameter, encoded when sent.
    pub fn query(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.query.push((name.to_owned(), value.into()));
        self
    }

    /// Adds a query parameter from a parameter value: a string as is, a number or boolean as
    /// its JSON text; nothing when it is unset.
    ///
    /// # Errors
    ///
    /// If the value cannot be written as JSON.
    pub fn query_value<T: Serialize>(&mut self, name: &str, value: &T) -> Result<(), Unhandled> {
        if let Some(text) = plain_text(value)? {
            self.query(name, text);
        }
        Ok(())
    }

    /// Adds a header from a parameter value, as [`query_value`](Self::query_value) does.
    ///
    /// # Errors
    ///
    /// If the value cannot be written as JSON.
    pub fn header_value<T: Serialize>(&mut self, name: &str, value: &T) -> Result<(), Unhandled> {
        if let Some(text) = plain_text(value)? {
            self.headers.push((name.to_owned(), text));
        }
        Ok(())
    }

    /// Sends `value` as the JSON body.
    ///
    /// # Errors
    ///
    /// If the value cannot be written as JSON.
    pub fn json<T: Serialize>(&mut self, value: &T) -> Result<&mut Self, Unhandled> {
        self.body = Some(serde_json::to_vec(value).map_err(Unhandled::new)?);
        Ok(self)
    }

    /// Sends a JSON object of the given fields, leaving out unset ones (`{}` when all are).
    ///
    /// # Errors
    ///
    /// If a value cannot be written as JSON.
    pub fn fields(
        &mut self,
        fields: &[(&str, &dyn ErasedSerialize)],
    ) -> Result<&mut Self, Unhandled> {
        let mut object = serde_json::Map::new();
        for (name, value) in fields {
            let value = value.to_json()?;
            if !value.is_null() {
                object.insert((*name).to_owned(), value);
            }
        }
        self.json(&object)
    }
}

/// A value that can be written as JSON, object-safe so that the fields of a body can be listed
/// together; every `Serialize` type is one.
pub trait ErasedSerialize {
    /// The value as JSON.
    ///
    /// # Errors
    ///
    /// If it cannot be written as JSON.
    fn to_json(&self) -> Result<serde_json::Value, Unhandled>;
}

impl<T: Serialize> ErasedSerialize for T {
    fn to_json(&self) -> Result<serde_json::Value, Unhandled> {
        serde_json::to_value(self).map_err(Unhandled::new)
    }
}

/// A parameter as the text of a path variable: a string as is, a number or boolean as its
/// JSON text.
///
/// # Errors
///
/// If the value cannot be written as JSON, or is `.` or `..`: URL parsers (the WHATWG URL
/// standard that HTTP clients follow) resolve those segments away even percent-encoded, so the
/// call would reach another resource.
pub fn text<T: Serialize>(value: &T) -> Result<String, Unhandled> {
    let text = plain_text(value)?.unwrap_or_default();
    if text == "." || text == ".." {
        return Err(Unhandled::new(format!(
            "the id {text:?} cannot be sent in a URL path: URLs resolve it away"
        )));
    }
    Ok(text)
}

fn plain_text<T: Serialize>(value: &T) -> Result<Option<String>, Unhandled> {
    Ok(match serde_json::to_value(value).map_err(Unhandled::new)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

/// An answer: its status and body.
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The body, as received.
    pub body: Vec<u8>,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The result, read from the body; an empty body reads as JSON `null` (for `optional`
    /// results).
    ///
    /// # Errors
    ///
    /// If the body is not the JSON of `T`: the catch-all, keeping status and body.
    pub fn result<T: DeserializeOwned>(self) -> Result<T, Unhandled> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        serde_json::from_slice(body)
            .map_err(|e| Unhandled::response(self.status, self.body.clone(), e))
    }

    /// The standard error type of a failed call: the body's `error_type`, or, when the body
    /// has none, the one the status stands for.
    pub fn error_type(&self) -> Option<String> {
        let from_body = serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v.get("error_type")?.as_str().map(str::to_owned));
        from_body.or_else(|| error_type_of_status(self.status).map(str::to_owned))
    }

    /// The error, read from the body as the declared error type `T`.
    ///
    /// # Errors
    ///
    /// If the body is not that error (not JSON, empty, missing `messages`): the catch-all,
    /// keeping status and body.
    pub fn error<T: DeserializeOwned>(self) -> Result<T, Unhandled> {
        serde_json::from_slice(&self.body)
            .map_err(|e| Unhandled::response(self.status, self.body.clone(), e))
    }

    /// The catch-all for an error the operation does not declare, keeping status and body.
    pub fn unhandled(self) -> Unhandled {
        let error_type = self.error_type();
        let mut u = Unhandled::response(
            self.status,
            self.body,
            format!("HTTP status {} with an undeclared error", self.status),
        );
        u.set_error_type(error_type);
        u
    }
}
