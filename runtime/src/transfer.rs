//! Moving file contents to and from the transfer endpoints of update and download sessions
//! (feature `transfer`): streaming `PUT` from any [`AsyncRead`] or file and streaming `GET` to
//! any [`AsyncWrite`] or file, in constant memory whatever the size, with the checksum computed
//! while the bytes flow and progress reported as they do.
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
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sha1::Digest;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use crate::client::{Connection, server_message};
use crate::rest::SESSION_HEADER;

/// The checksum algorithms of `FileChecksumInfo.algorithm`, as the IDL documents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// SHA-1 (`SHA1`).
    Sha1,
    /// MD5 (`MD5`).
    Md5,
    /// SHA-256 (`SHA256`), what vCenter reports by default.
    Sha256,
    /// SHA-512 (`SHA512`).
    Sha512,
}

impl ChecksumAlgorithm {
    /// Every algorithm, in the IDL's order.
    pub const ALL: [ChecksumAlgorithm; 4] = [Self::Sha1, Self::Md5, Self::Sha256, Self::Sha512];

    /// The name on the wire: `SHA1`, `MD5`, `SHA256`, `SHA512`.
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Md5 => "MD5",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }

    /// The algorithm of a wire name, in any case; `None` for one this crate cannot compute.
    ///
    /// ```
    /// use vapi_runtime::transfer::ChecksumAlgorithm;
    /// assert_eq!(ChecksumAlgorithm::from_wire("sha256"), Some(ChecksumAlgorithm::Sha256));
    /// assert_eq!(ChecksumAlgorithm::from_wire("CRC32"), None);
    /// ```
    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.wire_name().eq_ignore_ascii_case(name))
    }

    /// A hasher for this algorithm.
    pub fn hasher(self) -> Hasher {
        Hasher(match self {
            Self::Sha1 => HasherState::Sha1(sha1::Sha1::new()),
            Self::Md5 => HasherState::Md5(md5::Md5::new()),
            Self::Sha256 => HasherState::Sha256(sha2::Sha256::new()),
            Self::Sha512 => HasherState::Sha512(sha2::Sha512::new()),
        })
    }
}

impl fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

/// A checksum being computed; [`ChecksumAlgorithm::hasher`] makes one.
///
/// ```
/// use vapi_runtime::transfer::ChecksumAlgorithm;
///
/// let mut h = ChecksumAlgorithm::Md5.hasher();
/// h.update(b"a");
/// h.update(b"bc");
/// assert_eq!(h.finish().hex(), "900150983cd24fb0d6963f7d28e17f72");
/// ```
#[derive(Clone)]
pub struct Hasher(HasherState);

#[derive(Clone)]
enum HasherState {
    Sha1(sha1::Sha1),
    Md5(md5::Md5),
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hasher({})", self.algorithm())
    }
}

impl Hasher {
    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        match self.0 {
            HasherState::Sha1(_) => ChecksumAlgorithm::Sha1,
            HasherState::Md5(_) => ChecksumAlgorithm::Md5,
            HasherState::Sha256(_) => ChecksumAlgorithm::Sha256,
            HasherState::Sha512(_) => ChecksumAlgorithm::Sha512,
        }
    }

    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.0 {
            HasherState::Sha1(h) => h.update(bytes),
            HasherState::Md5(h) => h.update(bytes),
            HasherState::Sha256(h) => h.update(bytes),
            HasherState::Sha512(h) => h.update(bytes),
        }
    }

    /// The checksum of every byte added.
    pub fn finish(self) -> Checksum {
        let algorithm = self.algorithm();
        let digest: Vec<u8> = match self.0 {
            HasherState::Sha1(h) => h.finalize().to_vec(),
            HasherState::Md5(h) => h.finalize().to_vec(),
            HasherState::Sha256(h) => h.finalize().to_vec(),
            HasherState::Sha512(h) => h.finalize().to_vec(),
        };
        let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
        Checksum { algorithm, hex }
    }
}

/// A checksum: its algorithm and its value in lowercase hexadecimal, as
/// `FileChecksumInfo` carries it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Checksum {
    algorithm: ChecksumAlgorithm,
    hex: String,
}

impl Checksum {
    /// A checksum received from elsewhere (a server's `checksum_info`), kept in lowercase.
    pub fn new(algorithm: ChecksumAlgorithm, hex: impl Into<String>) -> Self {
        Checksum {
            algorithm,
            hex: hex.into().trim().to_ascii_lowercase(),
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// The value, lowercase hexadecimal.
    pub fn hex(&self) -> &str {
        &self.hex
    }
}

/// `SHA256:9f86d0…`
impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

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
                actual.hex
            ),
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
        self.algorithm = Some(expected.algorithm);
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

    /// Uploads everything `source` yields with `PUT`, streaming it: `size` is sent as
    /// `Content-Length` when known (and then checked), else the body is chunked.
    ///
    /// # Errors
    ///
    /// If reading fails, the endpoint cannot be reached or refuses, the bytes stall, or they
    /// do not match [`expect_size`](Self::expect_size) or
    /// [`expect_checksum`](Self::expect_checksum).
    pub async fn upload<R>(
        self,
        source: R,
        size: Option<u64>,
    ) -> Result<TransferOutcome, TransferError>
    where
        R: AsyncRead + Send + 'static,
    {
        let context = self.context("PUT");
        let size = size.or(self.expected_size);
        let meter = Arc::new(Meter::new(self.algorithm, self.progress.clone(), size));
        let read_error: Arc<Mutex<Option<std::io::Error>>> = Arc::default();
        let stream = {
            let meter = Arc::clone(&meter);
            let read_error = Arc::clone(&read_error);
            tokio_util::io::ReaderStream::with_capacity(source, CHUNK_BYTES).map(move |chunk| {
                match &chunk {
                    Ok(bytes) => meter.add(bytes),
                    Err(e) => {
                        if let Ok(mut slot) = read_error.lock() {
                            *slot = Some(std::io::Error::new(e.kind(), e.to_string()));
                        }
                    }
                }
                chunk
            })
        };
        let mut request = self
            .request(reqwest::Method::PUT)
            .header("content-type", "application/octet-stream")
            .body(reqwest::Body::wrap_stream(stream));
        if let Some(size) = size {
            request = request.header("content-length", size);
        }
        let sent = watch(&meter, self.stall_timeout, &context, async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            // The answer of a PUT is small; read at most 64 KiB of it for the message.
            let mut body = Vec::new();
            let mut response = response;
            while let Some(chunk) = response.chunk().await? {
                if body.len() < 64 << 10 {
                    body.extend_from_slice(&chunk);
                }
            }
            Ok((status, body))
        })
        .await;
        let taken_read_error = read_error.lock().ok().and_then(|mut e| e.take());
        if let Some(e) = taken_read_error {
            return Err(TransferError::Io {
                context: "read the upload's source".to_owned(),
                source: e,
            });
        }
        let (status, body) = sent?;
        if !(200..300).contains(&status) {
            return Err(TransferError::Refused {
                context,
                status,
                message: server_message(&body),
            });
        }
        meter.finish(self.expected.as_ref(), size)
    }

    /// Uploads the file at `path`, streaming it, with its length as `Content-Length`.
    ///
    /// # Errors
    ///
    /// As [`upload`](Self::upload), and if the file cannot be opened.
    pub async fn upload_file(
        self,
        path: impl AsRef<Path>,
    ) -> Result<TransferOutcome, TransferError> {
        let path = path.as_ref();
        let io = |source| TransferError::Io {
            context: format!("read {}", path.display()),
            source,
        };
        let file = tokio::fs::File::open(path).await.map_err(io)?;
        let size = file.metadata().await.map_err(io)?.len();
        self.upload(file, Some(size)).await
    }

    /// Downloads with `GET` into `sink`, streaming it, and flushes it. On an error `sink` may
    /// hold part of the bytes: [`download_file`](Self::download_file) keeps no such part.
    ///
    /// # Errors
    ///
    /// If the endpoint cannot be reached or refuses, writing fails, the bytes stall, or they
    /// do not match [`expect_size`](Self::expect_size) or
    /// [`expect_checksum`](Self::expect_checksum).
    pub async fn download<W>(self, sink: &mut W) -> Result<TransferOutcome, TransferError>
    where
        W: AsyncWrite + Unpin + Send + ?Sized,
    {
        let context = self.context("GET");
        let meter = Arc::new(Meter::new(
            self.algorithm,
            self.progress.clone(),
            self.expected_size,
        ));
        let write_error: Mutex<Option<std::io::Error>> = Mutex::default();
        let result = watch(&meter, self.stall_timeout, &context, async {
            let mut response = self.request(reqwest::Method::GET).send().await?;
            let status = response.status().as_u16();
            if !(200..300).contains(&status) {
                let mut body = Vec::new();
                while let Some(chunk) = response.chunk().await? {
                    if body.len() < 64 << 10 {
                        body.extend_from_slice(&chunk);
                    }
                }
                return Ok(Err((status, body)));
            }
            if meter.total().is_none()
                && let Some(length) = response.content_length()
            {
                meter.set_total(length);
            }
            while let Some(chunk) = response.chunk().await? {
                if let Err(e) = sink.write_all(&chunk).await {
                    if let Ok(mut slot) = write_error.lock() {
                        *slot = Some(e);
                    }
                    return Ok(Ok(()));
                }
                meter.add(&chunk);
            }
            if let Err(e) = sink.flush().await
                && let Ok(mut slot) = write_error.lock()
            {
                *slot = Some(e);
            }
            Ok(Ok(()))
        })
        .await?;
        if let Some(e) = write_error.lock().ok().and_then(|mut e| e.take()) {
            return Err(TransferError::Io {
                context: "write the download".to_owned(),
                source: e,
            });
        }
        if let Err((status, body)) = result {
            return Err(TransferError::Refused {
                context,
                status,
                message: server_message(&body),
            });
        }
        meter.finish(self.expected.as_ref(), self.expected_size)
    }

    /// Downloads into the file at `path`: the bytes go to a new file beside it, which is
    /// synced and renamed over `path` only when every byte arrived and matched; on any error,
    /// and when the future is dropped, the partial file is removed and `path` is untouched.
    ///
    /// # Errors
    ///
    /// As [`download`](Self::download), and if the file cannot be created, synced or renamed.
    pub async fn download_file(
        self,
        path: impl AsRef<Path>,
    ) -> Result<TransferOutcome, TransferError> {
        let path = path.as_ref();
        let (partial, file) = PartialFile::create(path).await?;
        let mut writer = tokio::io::BufWriter::with_capacity(CHUNK_BYTES, file);
        let outcome = self.download(&mut writer).await?;
        let file = writer.into_inner();
        let io = |what: &str, source| TransferError::Io {
            context: format!("{what} {}", partial.path.display()),
            source,
        };
        file.sync_all().await.map_err(|e| io("sync", e))?;
        drop(file);
        partial.commit(path).await?;
        Ok(outcome)
    }
}

/// A download's file beside its destination, removed when dropped unless committed.
struct PartialFile {
    path: PathBuf,
    committed: bool,
}

impl PartialFile {
    async fn create(dest: &Path) -> Result<(PartialFile, tokio::fs::File), TransferError> {
        let name = dest
            .file_name()
            .ok_or_else(|| TransferError::Io {
                context: format!("download to {}", dest.display()),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the destination has no file name",
                ),
            })?
            .to_string_lossy()
            .chars()
            // Room for the suffix within the usual 255-byte limit of a file name.
            .scan(0, |bytes, c| {
                *bytes += c.len_utf8();
                (*bytes <= 100).then_some(c)
            })
            .collect::<String>();
        let dir = dest.parent().unwrap_or(Path::new(""));
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let mut last = None;
        for attempt in 0..16u32 {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let candidate = dir.join(format!(
                ".{name}.{}-{stamp:08x}-{n}-{attempt}.partial",
                std::process::id()
            ));
            match tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&candidate)
                .await
            {
                Ok(file) => {
                    return Ok((
                        PartialFile {
                            path: candidate,
                            committed: false,
                        },
                        file,
                    ));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => {
                    return Err(TransferError::Io {
                        context: format!("create {}", candidate.display()),
                        source: e,
                    });
                }
            }
        }
        Err(TransferError::Io {
            context: format!("create a file beside {}", dest.display()),
            source: last.unwrap_or_else(|| std::io::Error::other("no free name")),
        })
    }

    async fn commit(mut self, dest: &Path) -> Result<(), TransferError> {
        tokio::fs::rename(&self.path, dest)
            .await
            .map_err(|source| TransferError::Io {
                context: format!("rename {} to {}", self.path.display(), dest.display()),
                source,
            })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            // Synchronous on purpose: a drop may happen while the runtime shuts down.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Counts, hashes and reports the bytes of one transfer; shared with the body stream.
struct Meter {
    done: AtomicU64,
    total: Mutex<Option<u64>>,
    hasher: Mutex<Option<Hasher>>,
    progress: Option<ProgressFn>,
    started: Instant,
    /// Milliseconds after `started` when the last byte moved.
    last_activity: AtomicU64,
}

impl Meter {
    fn new(
        algorithm: Option<ChecksumAlgorithm>,
        progress: Option<ProgressFn>,
        total: Option<u64>,
    ) -> Self {
        Meter {
            done: AtomicU64::new(0),
            total: Mutex::new(total),
            hasher: Mutex::new(algorithm.map(ChecksumAlgorithm::hasher)),
            progress,
            started: Instant::now(),
            last_activity: AtomicU64::new(0),
        }
    }

    fn total(&self) -> Option<u64> {
        self.total.lock().ok().and_then(|t| *t)
    }

    fn set_total(&self, total: u64) {
        if let Ok(mut t) = self.total.lock() {
            *t = Some(total);
        }
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn add(&self, bytes: &[u8]) {
        if let Ok(mut h) = self.hasher.lock()
            && let Some(h) = h.as_mut()
        {
            h.update(bytes);
        }
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let done = self
            .done
            .fetch_add(len, Ordering::Relaxed)
            .saturating_add(len);
        self.last_activity
            .store(self.elapsed_ms(), Ordering::Relaxed);
        if let Some(report) = &self.progress {
            report(done, self.total());
        }
    }

    fn idle(&self) -> Duration {
        let last = self.last_activity.load(Ordering::Relaxed);
        Duration::from_millis(self.elapsed_ms().saturating_sub(last))
    }

    fn finish(
        &self,
        expected: Option<&Checksum>,
        size: Option<u64>,
    ) -> Result<TransferOutcome, TransferError> {
        let bytes = self.done.load(Ordering::Relaxed);
        if let Some(expected) = size
            && expected != bytes
        {
            return Err(TransferError::SizeMismatch {
                expected,
                actual: bytes,
            });
        }
        let checksum = self
            .hasher
            .lock()
            .ok()
            .and_then(|mut h| h.take())
            .map(Hasher::finish);
        if let (Some(expected), Some(actual)) = (expected, &checksum)
            && expected != actual
        {
            return Err(TransferError::ChecksumMismatch {
                expected: expected.clone(),
                actual: actual.clone(),
            });
        }
        if let Some(report) = &self.progress {
            report(bytes, Some(bytes));
        }
        Ok(TransferOutcome { bytes, checksum })
    }
}

/// Runs `work`, failing with [`TransferError::Stalled`] when no byte moved through `meter`
/// for `stall`.
async fn watch<T>(
    meter: &Meter,
    stall: Duration,
    context: &str,
    work: impl Future<Output = Result<T, reqwest::Error>>,
) -> Result<T, TransferError> {
    let mut work: Pin<&mut _> = std::pin::pin!(work);
    loop {
        let left = stall.saturating_sub(meter.idle());
        if left.is_zero() {
            return Err(TransferError::Stalled {
                context: context.to_owned(),
                after: stall,
            });
        }
        if let Ok(result) = tokio::time::timeout(left, work.as_mut()).await {
            return result.map_err(|source| TransferError::Http {
                context: context.to_owned(),
                source,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex_of(algorithm: ChecksumAlgorithm, parts: &[&[u8]]) -> String {
        let mut h = algorithm.hasher();
        for p in parts {
            h.update(p);
        }
        h.finish().hex().to_owned()
    }

    #[test]
    fn checksums_match_the_published_vectors() {
        // FIPS 180 and RFC 1321 vectors for "abc", fed in two pieces.
        let abc: &[&[u8]] = &[b"a", b"bc"];
        assert_eq!(
            hex_of(ChecksumAlgorithm::Sha1, abc),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex_of(ChecksumAlgorithm::Md5, abc),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert_eq!(
            hex_of(ChecksumAlgorithm::Sha256, abc),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex_of(ChecksumAlgorithm::Sha512, abc),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
    }

    #[test]
    fn wire_names_round_trip_in_any_case() {
        for a in ChecksumAlgorithm::ALL {
            assert_eq!(ChecksumAlgorithm::from_wire(a.wire_name()), Some(a));
            assert_eq!(
                ChecksumAlgorithm::from_wire(&a.wire_name().to_lowercase()),
                Some(a)
            );
        }
        assert_eq!(ChecksumAlgorithm::from_wire("SHA-256"), None);
    }

    #[test]
    fn a_received_checksum_compares_without_case() {
        let ours = Checksum::new(ChecksumAlgorithm::Sha256, "ABCDEF");
        assert_eq!(ours, Checksum::new(ChecksumAlgorithm::Sha256, " abcdef"));
        assert_ne!(ours, Checksum::new(ChecksumAlgorithm::Sha512, "abcdef"));
        assert_eq!(ours.to_string(), "SHA256:abcdef");
    }

    #[tokio::test]
    async fn a_partial_file_is_removed_unless_committed() {
        let dir = tempfile::tempdir().unwrap();
        let long = "é".repeat(120); // 240 bytes: the partial file's name must stay short
        let dest = dir.path().join(format!("a b#%{long}.bin"));
        let (partial, file) = PartialFile::create(&dest).await.unwrap();
        let path = partial.path.clone();
        assert!(path.exists());
        drop(file);
        drop(partial);
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let (partial, mut file) = PartialFile::create(&dest).await.unwrap();
        file.write_all(b"x").await.unwrap();
        drop(file);
        partial.commit(&dest).await.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"x");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_transfer_needs_an_http_url_and_sends_the_session_only_home() {
        let c = crate::client::ClientBuilder::new("https://vc.example.com/api")
            .session_id("s-1")
            .build()
            .unwrap();
        assert!(matches!(
            c.transfer("ds:///vmfs/volumes/x"),
            Err(TransferError::BadUrl { .. })
        ));
        assert!(c.transfer("not a url").is_err());
        let home = c.transfer("https://vc.example.com/x/y").unwrap();
        assert_eq!(home.session.as_deref(), Some("s-1"));
        assert!(home.with_session(false).session.is_none());
        let away = c.transfer("https://esx.example.com/x").unwrap();
        assert!(away.session.is_none());
        let other_port = c.transfer("https://vc.example.com:8443/x").unwrap();
        assert!(other_port.session.is_none());
    }
}
