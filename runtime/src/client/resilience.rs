//! The send path of a [`Connection`]: retries with exponential backoff and jitter for the calls
//! that are safe to repeat, one new login when the server answers that the session expired,
//! timeouts per call, and a `tracing` span per call.
//!
//! What is safe to repeat is decided per request, never guessed from the answer:
//!
//! - a `GET`, which changes nothing;
//! - a request with a `Client-Token` header: vAPI documents that the server performs an
//!   operation once per client token, so a repeat returns the first call's result (a request
//!   that names its [`Request::operation`] gets a random one when the operation takes it and
//!   none is set);
//! - a request the caller marked with [`Request::idempotent`];
//! - any request that never reached the server: the connection could not be made.
//!
//! Everything else (a `create` without a client token, `delete`, an `action`) is sent once: a
//! connection dropped after the request was written may still have done the work.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tracing::Instrument;
use tracing::field::Empty;

use super::retry::{RetryConfig, is_transient_status, jitter_fraction};
use super::{ClientBuilder, ClientError, Connection, Request, Response};
use crate::{HttpMethod, OperationDescriptor, Secret, Unhandled};

/// The operation a request performs, as its span names it, and whether the operation takes a
/// `Client-Token` header.
#[derive(Debug, Clone, Copy)]
pub(super) struct Named {
    service: &'static str,
    name: &'static str,
    takes_client_token: bool,
}

/// The header by which vAPI makes a creation idempotent.
const CLIENT_TOKEN: &str = "Client-Token";

/// A random version-4 UUID, the form vCenter documents for client tokens.
fn random_uuid() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // No operating-system randomness: std's randomly keyed hasher still makes tokens that
        // differ per call and per process.
        use std::hash::BuildHasher;
        let state = std::hash::RandomState::new();
        b[..8].copy_from_slice(&state.hash_one((Instant::now(), 0u8)).to_le_bytes());
        b[8..].copy_from_slice(&state.hash_one((Instant::now(), 1u8)).to_le_bytes());
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The user and password of the last [`Connection::login`], kept to log in again when the
/// session expires. The password is a [`Secret`]: it never appears in `Debug` output or logs.
#[derive(Clone)]
struct Credentials {
    user: String,
    password: Secret,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &self.password)
            .finish()
    }
}

/// The resilience settings and state of a connection: the retry policy of this handle, and,
/// shared by every clone, the credentials and the gate that lets one call at
/// a time log in again.
#[derive(Debug, Clone)]
pub(super) struct Resilience {
    retry: RetryConfig,
    relogin: bool,
    credentials: Arc<Mutex<Option<Credentials>>>,
    login_gate: Arc<tokio::sync::Mutex<()>>,
}

impl Default for Resilience {
    fn default() -> Self {
        Resilience {
            retry: RetryConfig::standard(),
            relogin: true,
            credentials: Arc::new(Mutex::new(None)),
            login_gate: Arc::new(tokio::sync::Mutex::new(())),
        }
    }
}

impl Resilience {
    /// Keeps the credentials of a successful login for a later new login.
    pub(super) fn remember(&self, user: &str, password: &str) {
        if !self.relogin {
            return;
        }
        if let Ok(mut c) = self.credentials.lock() {
            *c = Some(Credentials {
                user: user.to_owned(),
                password: Secret::new(password),
            });
        }
    }

    /// Forgets the credentials (at logout).
    pub(super) fn forget(&self) {
        if let Ok(mut c) = self.credentials.lock() {
            *c = None;
        }
    }

    fn credentials(&self) -> Option<Credentials> {
        self.credentials.lock().ok().and_then(|c| c.clone())
    }
}

/// Why one attempt got no answer, and whether it may have reached the server.
#[derive(Debug)]
pub(super) struct Failure {
    error: Unhandled,
    kind: FailureKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailureKind {
    /// No connection could be made: the request never left, any call may be repeated.
    Connect,
    /// The connection failed, dropped or timed out after the request may have been sent.
    Transport,
    /// Repeating cannot help (a request that cannot be built, an answer over the size limit).
    Final,
}

impl Failure {
    /// A failure to send the request or to receive the answer's head.
    pub(super) fn transport(error: reqwest::Error) -> Self {
        let kind = if error.is_connect() {
            FailureKind::Connect
        } else if error.is_builder() {
            FailureKind::Final
        } else {
            FailureKind::Transport
        };
        Failure {
            error: Unhandled::new(error),
            kind,
        }
    }

    /// A failure to read the answer's body: a transport error, or the size limit.
    pub(super) fn body(error: Box<dyn std::error::Error + Send + Sync>) -> Self {
        let kind = if error.is::<reqwest::Error>() {
            FailureKind::Transport
        } else {
            FailureKind::Final
        };
        Failure {
            error: Unhandled::new(error),
            kind,
        }
    }
}

impl ClientBuilder {
    /// How calls that are safe to repeat are retried ([`RetryConfig::standard`] unless set);
    /// [`RetryConfig::disabled`] sends every call once.
    ///
    /// ```
    /// use vapi_runtime::client::{ClientBuilder, RetryConfig};
    ///
    /// let builder = ClientBuilder::new("https://vc.example.com")
    ///     .retry(RetryConfig::standard().max_attempts(5));
    /// # drop(builder);
    /// ```
    pub fn retry(mut self, config: RetryConfig) -> Self {
        self.resilience.retry = config;
        self
    }

    /// Whether a call answered `UNAUTHENTICATED` while it carried a session logs in again with
    /// the credentials of the last [`Connection::login`] and is sent once more (on unless set).
    /// vCenter ends sessions after some idle time; with this on, a long-lived program does not
    /// see it. Off, the connection does not keep the password after logging in.
    ///
    /// ```
    /// let builder = vapi_runtime::client::ClientBuilder::new("https://vc.example.com")
    ///     .relogin(false);
    /// # drop(builder);
    /// ```
    pub fn relogin(mut self, relogin: bool) -> Self {
        self.resilience.relogin = relogin;
        self
    }
}

impl Request {
    /// Names the operation this call performs, for its `tracing` span.
    ///
    /// ```
    /// use vapi_runtime::{HttpMethod, OperationDescriptor};
    /// use vapi_runtime::client::Request;
    ///
    /// const LIST: OperationDescriptor = OperationDescriptor {
    ///     service: "com.vmware.content.library.item",
    ///     name: "list",
    ///     params: &[],
    ///     privileges: &[],
    ///     errors: &[],
    ///     rest: None,
    /// };
    /// let mut request = Request::new(HttpMethod::Get, "/content/library/item");
    /// request.operation(&LIST);
    /// ```
    ///
    /// When the operation takes a `Client-Token` header (its REST mapping says so) and the
    /// request has none, [`Connection::send`] fills in a random one, as the AWS SDKs do with
    /// idempotency tokens: the server then performs the operation once however often the call
    /// is retried, so a `create` becomes safe to retry.
    pub fn operation(&mut self, operation: &OperationDescriptor) -> &mut Self {
        let takes_client_token = operation.rest.is_some_and(|rest| {
            rest.headers
                .iter()
                .any(|(header, _)| header.eq_ignore_ascii_case(CLIENT_TOKEN))
        });
        self.operation = Some(Named {
            service: operation.service,
            name: operation.name,
            takes_client_token,
        });
        self
    }

    fn has_client_token(&self) -> bool {
        self.headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(CLIENT_TOKEN))
    }

    /// Adds a random client token when the operation takes one and none is set.
    fn fill_client_token(&mut self) {
        if self.operation.is_some_and(|o| o.takes_client_token) && !self.has_client_token() {
            self.headers.push((CLIENT_TOKEN.to_owned(), random_uuid()));
        }
    }

    /// Declares that sending this call twice has the effect of sending it once, so that it may
    /// be retried whatever its method (`GET`s and calls with a `Client-Token` header are
    /// already).
    ///
    /// ```
    /// use vapi_runtime::HttpMethod;
    /// use vapi_runtime::client::Request;
    ///
    /// // Setting a tag is idempotent: a repeat leaves the same state.
    /// let mut request = Request::new(HttpMethod::Put, "/content/library/item/item-1/tag");
    /// request.idempotent(true);
    /// ```
    pub fn idempotent(&mut self, idempotent: bool) -> &mut Self {
        self.idempotent = idempotent;
        self
    }

    /// The longest this call may take, per attempt, instead of the connection's timeout.
    ///
    /// ```
    /// use std::time::Duration;
    /// use vapi_runtime::HttpMethod;
    /// use vapi_runtime::client::Request;
    ///
    /// let mut request = Request::new(HttpMethod::Get, "/content/library/item");
    /// request.timeout(Duration::from_secs(5));
    /// ```
    pub fn timeout(&mut self, timeout: Duration) -> &mut Self {
        self.timeout = Some(timeout);
        self
    }

    /// Whether the call may be sent again after it may have reached the server.
    fn may_repeat(&self) -> bool {
        self.idempotent || self.method == HttpMethod::Get || self.has_client_token()
    }
}

impl Connection {
    /// A handle on the same connection and session whose calls time out after `timeout` (per
    /// attempt) instead of [`ClientBuilder::timeout`]: give it to a generated `Client` for
    /// calls that need more or less time than the others. [`timeout`](Self::timeout) says it,
    /// and transfers through this handle use it as their stall timeout.
    ///
    /// ```
    /// use std::time::Duration;
    /// use vapi_runtime::client::Connection;
    ///
    /// let connection = Connection::new("https://vc.example.com")?;
    /// let patient = connection.with_timeout(Duration::from_secs(600));
    /// assert_eq!(patient.timeout(), Duration::from_secs(600));
    /// assert_eq!(connection.timeout(), Duration::from_secs(60));
    /// # Ok::<(), vapi_runtime::client::ClientError>(())
    /// ```
    pub fn with_timeout(&self, timeout: Duration) -> Connection {
        let mut c = self.clone();
        c.timeout = timeout;
        c
    }

    /// A handle on the same connection and session with another retry policy: give it to a
    /// generated `Client` whose calls need other retries than the others.
    ///
    /// ```
    /// use vapi_runtime::client::{Connection, RetryConfig};
    ///
    /// let connection = Connection::new("https://vc.example.com")?;
    /// let persistent = connection.with_retry(RetryConfig::standard().max_attempts(10));
    /// # drop(persistent);
    /// # Ok::<(), vapi_runtime::client::ClientError>(())
    /// ```
    pub fn with_retry(&self, config: RetryConfig) -> Connection {
        let mut c = self.clone();
        c.resilience.retry = config;
        c
    }

    /// Sends a request below `/api` with the session header; any answer is a [`Response`].
    ///
    /// Resilience, in the order it applies:
    ///
    /// - **timeout**: each attempt may take [`Request::timeout`], else the timeout of
    ///   [`with_timeout`](Self::with_timeout), else [`ClientBuilder::timeout`];
    /// - **new login**: an answer `UNAUTHENTICATED` to a call that carried a session, on a
    ///   connection that logged in with [`login`](Self::login), means the session expired: the
    ///   connection logs in again (one call at a time; the others wait and use the new
    ///   session) and sends the call once more. This happens once per call; if the login
    ///   fails, the call's answer is the `UNAUTHENTICATED` one;
    /// - **retries**: per the [`RetryConfig`], for a `GET`, a call with a `Client-Token`
    ///   header (filled in when the request names an [`operation`](Request::operation) that
    ///   takes one), a call marked [`idempotent`](Request::idempotent), and any call whose
    ///   connection could not be made.
    ///
    /// Each call runs in a `tracing` span `vapi.call` at INFO level with the fields
    /// `rpc.service` and `rpc.method` (when the request names its [`operation`](Request::operation)),
    /// `http.request.method`, `url.path`, and, when it ends, `http.response.status_code`,
    /// `vapi.attempts` and `duration_ms`; an `error` field when no answer came. A retry is a
    /// DEBUG event and a new login an INFO event inside it. Neither ever holds a header, a
    /// body, a session id or a password.
    ///
    /// # Errors
    ///
    /// If no answer came (connection, TLS, timeout) after the attempts allowed.
    pub async fn send(&self, mut request: Request) -> Result<Response, Unhandled> {
        request.fill_client_token();
        let span = tracing::info_span!(
            "vapi.call",
            rpc.service = request.operation.map(|o| o.service),
            rpc.method = request.operation.map(|o| o.name),
            http.request.method = request.method.as_str(),
            url.path = request.path.as_str(),
            http.response.status_code = Empty,
            vapi.attempts = Empty,
            duration_ms = Empty,
            error = Empty,
        );
        let started = Instant::now();
        let (outcome, attempts) = self.send_resilient(&request).instrument(span.clone()).await;
        span.record("vapi.attempts", attempts);
        span.record(
            "duration_ms",
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        );
        match &outcome {
            Ok(response) => {
                span.record("http.response.status_code", response.status);
            }
            Err(error) => {
                span.record("error", tracing::field::display(error));
            }
        }
        outcome
    }

    /// The attempts of one call; also gives how many were made.
    async fn send_resilient(&self, request: &Request) -> (Result<Response, Unhandled>, u32) {
        let may_repeat = request.may_repeat();
        let mut attempt = 1;
        let mut logged_in_again = false;
        loop {
            let session = self.session_id();
            let outcome = self.send_once(request).await;
            if let (Ok((response, _)), Some(stale)) = (&outcome, &session)
                && !logged_in_again
                && response.status == 401
                && response.error_type().as_deref() == Some("UNAUTHENTICATED")
            {
                logged_in_again = true;
                match self.login_again(stale).await {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "vapi.relogin_failed"),
                }
            }
            let (retry, retry_after, reason) = match &outcome {
                Ok((response, retry_after)) => (
                    may_repeat && is_transient_status(response.status),
                    *retry_after,
                    format!("HTTP status {}", response.status),
                ),
                Err(failure) => (
                    failure.kind == FailureKind::Connect
                        || (may_repeat && failure.kind == FailureKind::Transport),
                    None,
                    failure.error.to_string(),
                ),
            };
            if !retry || attempt >= self.resilience.retry.max_attempts {
                return (outcome.map(|(r, _)| r).map_err(|f| f.error), attempt);
            }
            let wait = self
                .resilience
                .retry
                .backoff(attempt, jitter_fraction(), retry_after);
            tracing::debug!(
                attempt,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                reason,
                "vapi.retry"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Logs in again with the remembered credentials after the session `stale` expired.
    /// `Ok(false)`: no credentials to do it with; `Ok(true)`: there is a new session (made
    /// here, or by another call meanwhile).
    async fn login_again(&self, stale: &str) -> Result<bool, ClientError> {
        let Some(credentials) = self.resilience.credentials() else {
            return Ok(false);
        };
        let _one_at_a_time = self.resilience.login_gate.lock().await;
        if self.session_id().is_some_and(|current| current != stale) {
            return Ok(true);
        }
        tracing::info!(user = %credentials.user, "vapi.relogin");
        self.login(&credentials.user, credentials.password.expose())
            .await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests;
