//! Moving file contents to and from the transfer endpoints of update and download sessions
//! (feature `transfer`): streaming `PUT` from any [`AsyncRead`](tokio::io::AsyncRead) or file
//! and streaming `GET` to any [`AsyncWrite`](tokio::io::AsyncWrite) or file, in constant
//! memory whatever the size, with the checksum computed while the bytes flow and progress
//! reported as they do.
//!
//! A [`Transfer`] comes from [`Connection::transfer`], so it uses the connection's HTTP client:
//! its TLS settings (added roots, the platform's store, accept-invalid for labs), its connect
//! timeout and, for URLs on the connection's own server, its session.
//!
//! ```no_run
//! # async fn run(connection: vapi_runtime::client::Connection, url: &str)
//! # -> Result<(), vapi_runtime::transfer::TransferError> {
//! use vapi_runtime::transfer::ChecksumAlgorithm;
//!
//! let done = connection
//!     .transfer(url)?
//!     .checksum(ChecksumAlgorithm::Sha256)
//!     .progress(|done, total| eprintln!("{done} of {total:?} bytes"))
//!     .download_file("disk.vmdk")
//!     .await?;
//! println!("{} bytes, {}", done.bytes, done.checksum.map(|c| c.to_string()).unwrap_or_default());
//! # Ok(()) }
//! ```
//!
//! The flows that create the sessions and call these are hand-written on the generated
//! bindings in the `vapi-cl` crate (`vapi_cl::upload`, `vapi_cl::download`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::client::{Connection, server_message};
use crate::rest::SESSION_HEADER;

mod checksum;
mod download;
mod progress;
#[cfg(test)]
mod tests;
mod upload;

pub use checksum::{Checksum, ChecksumAlgorithm, Hasher};

/// Why a transfer failed. [`Display`](fmt::Display) says what failed; the cause (the HTTP or
/// file-system error) is [`source()`](std::error::Error::source), named once.
#[derive(Debug)]
#[non_exhaustive]
pub enum TransferError {
    /// The URL cannot be used: not `http://` or `https://`, or not a URL.
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No answer, or the bytes stopped on the way: connection, TLS, timeout.
    Http {
        /// What was being done (`PUT https://…`).
        context: String,
        /// The cause.
        source: reqwest::Error,
    },
    /// The transfer endpoint answered with an error status.
    Refused {
        /// `PUT` or `GET`, and the URL.
        context: String,
        /// The HTTP status.
        status: u16,
        /// What the answer said (its vAPI messages, or its text, cut short).
        message: String,
    },
    /// No byte moved for longer than the stall timeout.
    Stalled {
        /// `PUT` or `GET`, and the URL.
        context: String,
        /// How long nothing moved.
        after: Duration,
    },
    /// Reading the source or writing the destination failed.
    Io {
        /// What was being done (`write /tmp/disk.vmdk`).
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Fewer or more bytes than announced.
    SizeMismatch {
        /// The size announced (the file's length, the server's `size`).
        expected: u64,
        /// The bytes that moved.
        actual: u64,
    },
    /// The bytes that moved do not have the expected checksum; nothing was kept.
    ChecksumMismatch {
        /// The checksum expected (the server's, or the caller's).
        expected: Checksum,
        /// The checksum of the bytes that moved.
        actual: Checksum,
    },
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::BadUrl { url, reason } => {
                write!(f, "cannot transfer with the URL {url:?}: {reason}")
            }
            TransferError::Http { context, .. } => write!(f, "{context} failed"),
            TransferError::Refused {
                context,
                status,
                message,
            } => {
                write!(f, "{context} refused (HTTP {status})")?;
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            TransferError::Stalled { context, after } => write!(
                f,
                "{context} stalled: no byte moved for {} s",
                after.as_secs()
            ),
            TransferError::Io { context, .. } => write!(f, "cannot {context}"),
            TransferError::SizeMismatch { expected, actual } => {
                write!(f, "{actual} bytes moved where {expected} were announced")
            }
            TransferError::ChecksumMismatch { expected, actual } => write!(
                f,
                "checksum mismatch: expected {expected}, the bytes have {}",
                actual.hex()
            ),
        }
    }
}

impl TransferError {
    /// The transfer endpoint answered `status` with `body`.
    fn refused(context: String, status: u16, body: &[u8]) -> Self {
        TransferError::Refused {
            context,
            status,
            message: server_message(body),
        }
    }
}

impl std::error::Error for TransferError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TransferError::Http { source, .. } => Some(source),
            TransferError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What a finished transfer moved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferOutcome {
    /// The bytes that moved.
    pub bytes: u64,
    /// Their checksum, when one was asked for with [`Transfer::checksum`] or
    /// [`Transfer::expect_checksum`].
    pub checksum: Option<Checksum>,
}

type ProgressFn = Arc<dyn Fn(u64, Option<u64>) + Send + Sync>;

/// One `PUT` or `GET` of a transfer endpoint; made by [`Connection::transfer`], set up in the
/// builder style, used up by one of [`upload`](Self::upload),
/// [`upload_file`](Self::upload_file), [`download`](Self::download) or
/// [`download_file`](Self::download_file).
#[derive(Clone)]
pub struct Transfer {
    http: reqwest::Client,
    url: reqwest::Url,
    session: Option<String>,
    algorithm: Option<ChecksumAlgorithm>,
    expected: Option<Checksum>,
    expected_size: Option<u64>,
    progress: Option<ProgressFn>,
    stall_timeout: Duration,
}

impl fmt::Debug for Transfer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transfer")
            .field("url", &self.url.as_str())
            .field("with_session", &self.session.is_some())
            .field("algorithm", &self.algorithm)
            .field("expected", &self.expected)
            .field("expected_size", &self.expected_size)
            .field("stall_timeout", &self.stall_timeout)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A transfer of `url` (an `upload_endpoint` or `download_endpoint` of a session, or a
    /// `file_download_endpoint`) through this connection's HTTP client and TLS settings.
    ///
    /// The session header goes along only when `url` is on this connection's server (same
    /// scheme, host and port), so that a session id never leaks to another host; the
    /// transfer endpoints of sessions are capability URLs that need none, while
    /// `file_download_endpoint` requires it. A transfer gives up when no byte moved for
    /// [`Connection::timeout`]; [`Transfer::stall_timeout`] changes that.
    ///
    /// # Errors
    ///
    /// If `url` is not an `http://` or `https://` URL.
    pub fn transfer(&self, url: &str) -> Result<Transfer, TransferError> {
        let bad = |reason: String| TransferError::BadUrl {
            url: url.to_owned(),
            reason,
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| bad(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad(format!(
                "the scheme {} is not http or https",
                parsed.scheme()
            )));
        }
        let same_origin =
            reqwest::Url::parse(self.base_url()).is_ok_and(|base| base.origin() == parsed.origin());
        Ok(Transfer {
            http: self.http().clone(),
            url: parsed,
            session: if same_origin { self.session_id() } else { None },
            algorithm: None,
            expected: None,
            expected_size: None,
            progress: None,
            stall_timeout: self.timeout(),
        })
    }
}

/// Files are read and written in pieces of this size (and downloads arrive in pieces of at
/// most the HTTP stack's buffer), so a transfer holds a few of them whatever the file's size.
pub const CHUNK_BYTES: usize = 256 << 10;

/// How long a whole transfer may take: unbounded in practice; stalls are caught by the stall
/// timeout instead, since a large file may rightly take hours.
const WHOLE_TRANSFER_LIMIT: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

impl Transfer {
    /// Computes this checksum of the bytes as they move (reported in
    /// [`TransferOutcome::checksum`]).
    pub fn checksum(mut self, algorithm: ChecksumAlgorithm) -> Self {
        self.algorithm = Some(algorithm);
        self
    }

    /// Fails the transfer with [`TransferError::ChecksumMismatch`] unless the bytes have this
    /// checksum (typically the server's `checksum_info`); a download to a file then leaves no
    /// file. Implies [`checksum`](Self::checksum) of its algorithm.
    pub fn expect_checksum(mut self, expected: Checksum) -> Self {
        self.algorithm = Some(expected.algorithm());
        self.expected = Some(expected);
        self
    }

    /// Fails the transfer with [`TransferError::SizeMismatch`] unless exactly this many bytes
    /// move; also the total given to [`progress`](Self::progress) when the answer has no
    /// length.
    pub fn expect_size(mut self, bytes: u64) -> Self {
        self.expected_size = Some(bytes);
        self
    }

    /// Calls `report(done, total)` as bytes move (at most once per piece, and once at the
    /// end); `total` is `None` when unknown.
    pub fn progress(mut self, report: impl Fn(u64, Option<u64>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(report));
        self
    }

    /// Gives up when no byte moved for this long (default: the connection's
    /// [`timeout`](Connection::timeout)).
    pub fn stall_timeout(mut self, timeout: Duration) -> Self {
        self.stall_timeout = timeout;
        self
    }

    /// Whether the session header goes along (by default only to the connection's own
    /// server); `false` never sends it.
    pub fn with_session(mut self, send: bool) -> Self {
        if !send {
            self.session = None;
        }
        self
    }

    /// The URL.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    fn request(&self, method: reqwest::Method) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(method, self.url.clone())
            .timeout(WHOLE_TRANSFER_LIMIT);
        if let Some(id) = &self.session {
            request = request.header(SESSION_HEADER, id);
        }
        request
    }

    fn context(&self, method: &str) -> String {
        format!("{method} {}", self.url)
    }
}
