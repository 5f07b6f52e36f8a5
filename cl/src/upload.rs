use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::updatesession::{self as ups, File as _};
use vapi_bindings::content::library::item::{
    FileChecksumAlgorithm, FileChecksumInfo, UpdateSession as _, UpdateSessionId,
    UpdateSessionModel, UpdateSessionModelState, update_session,
};
use vapi_runtime::client::Connection;
use vapi_runtime::transfer::{CHUNK_BYTES, Checksum, ChecksumAlgorithm};

use crate::session::{KeepAlive, Progress, SessionGuard, messages_text, stopped_session};
use crate::{Error, ProgressFn, TransferredFile};

/// Where a file's bytes come from.
enum Source {
    Path(PathBuf),
    Reader(Box<dyn AsyncRead + Send + Unpin>),
}

/// One file to upload: its name in the item and where its bytes come from.
pub struct UploadFile {
    name: String,
    source: Source,
    size: Option<u64>,
    checksum: Option<Checksum>,
}

impl std::fmt::Debug for UploadFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadFile")
            .field("name", &self.name)
            .field(
                "source",
                &match &self.source {
                    Source::Path(p) => p.display().to_string(),
                    Source::Reader(_) => "a reader".to_owned(),
                },
            )
            .field("size", &self.size)
            .field("checksum", &self.checksum)
            .finish()
    }
}

impl UploadFile {
    /// The file at `path`, named in the item as its last component (change it with
    /// [`named`](Self::named)).
    pub fn path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        UploadFile {
            name,
            source: Source::Path(path),
            size: None,
            checksum: None,
        }
    }

    /// The bytes `reader` yields, named `name` in the item; `size` is announced to the
    /// server when known (vCenter checks it) and the upload fails if the reader yields
    /// another count.
    pub fn reader(
        name: impl Into<String>,
        reader: impl AsyncRead + Send + Unpin + 'static,
        size: Option<u64>,
    ) -> Self {
        UploadFile {
            name: name.into(),
            source: Source::Reader(Box::new(reader)),
            size,
            checksum: None,
        }
    }

    /// The name in the item.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The bytes' checksum, known beforehand: the server verifies the file against it, and
    /// the upload fails if the bytes that moved have another.
    pub fn checksum(mut self, checksum: Checksum) -> Self {
        self.checksum = Some(checksum);
        self
    }

    /// The name in the item.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Settings of [`upload()`].
#[derive(Clone)]
#[non_exhaustive]
pub struct UploadOptions {
    /// Before uploading a file from a path, read it once to compute its SHA-256 and give it to
    /// the server in `checksum_info`, so that the server verifies what it received (default
    /// `true`). Costs one more read of the file.
    pub verify_with_server: bool,
    /// The longest time between two keep-alive calls (default 60 s); the session's
    /// `expiration_time` makes it shorter when it has to be.
    pub keep_alive: Duration,
    /// Give up when no byte moved for this long (default: the connection's timeout).
    pub stall_timeout: Option<Duration>,
    /// Called as bytes move.
    pub progress: Option<ProgressFn>,
    /// The `Client-Token` of the session's creation, so that a retried creation does not
    /// make a second session.
    pub client_token: Option<String>,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            verify_with_server: true,
            keep_alive: Duration::from_secs(60),
            stall_timeout: None,
            progress: None,
            client_token: None,
        }
    }
}

impl std::fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadOptions")
            .field("verify_with_server", &self.verify_with_server)
            .field("keep_alive", &self.keep_alive)
            .field("stall_timeout", &self.stall_timeout)
            .field("progress", &self.progress.is_some())
            .field("client_token", &self.client_token)
            .finish()
    }
}

impl UploadOptions {
    /// Calls `report(file, done, total)` as bytes move.
    pub fn progress(
        mut self,
        report: impl Fn(&str, u64, Option<u64>) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(report));
        self
    }
}

/// What [`upload()`] did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UploadReport {
    /// The update session it used (deleted at the end).
    pub session: UpdateSessionId,
    /// The files, in the order given.
    pub files: Vec<TransferredFile>,
}

/// Uploads `files` into the library item `item` through one update session: create → add
/// each file → `PUT` its bytes (streaming, SHA-256 computed on the way) → validate →
/// complete → delete. The session is kept alive with `client_progress` while bytes move.
///
/// On any failure the session is failed with the reason and deleted, so the item keeps its
/// files and is not left locked; if the returned future is dropped, the session is canceled
/// (on the tokio runtime) instead.
///
/// # Errors
///
/// [`Error::Api`] if a call is refused (the item does not exist, another session is active,
/// ...), [`Error::Transfer`] if the bytes of a file could not be moved, [`Error::Invalid`] if
/// the server finds the files invalid, [`Error::Session`] if the session expired or failed,
/// [`Error::Io`] if a file cannot be read.
pub async fn upload(
    connection: &Connection,
    item: &ItemId,
    files: Vec<UploadFile>,
    options: &UploadOptions,
) -> Result<UploadReport, Error> {
    let sessions = update_session::Client::new(connection.clone());
    let session_files = ups::file::Client::new(connection.clone());
    let spec = UpdateSessionModel {
        library_item_id: Some(item.clone()),
        ..Default::default()
    };
    let id = sessions
        .create(options.client_token.clone(), spec)
        .await
        .map_err(|e| Error::api(format!("create an update session for item {item}"), e))?;

    // Dropped half way: cancel, then delete, so that the item is not left locked.
    let mut guard = {
        let sessions = update_session::Client::new(connection.clone());
        let id = id.clone();
        SessionGuard::new(async move {
            let _ = sessions.cancel(id.clone()).await;
            let _ = sessions.delete(id).await;
        })
    };
    let result = upload_in(&sessions, &session_files, connection, &id, files, options).await;
    guard.disarm();
    match result {
        Ok(files) => {
            // The item has its files now; a failed delete only leaves a finished session
            // for the server to expire.
            let _ = sessions.delete(id.clone()).await;
            Ok(UploadReport { session: id, files })
        }
        Err(error) => {
            let error = session_state_error(&sessions, &id).await.unwrap_or(error);
            let _ = sessions.fail(id.clone(), error.to_string()).await;
            let _ = sessions.delete(id).await;
            Err(error)
        }
    }
}

/// The reason a session stopped, when it is no longer ACTIVE: a truer error than what
/// failed because of it.
async fn session_state_error(
    sessions: &update_session::Client,
    id: &UpdateSessionId,
) -> Option<Error> {
    let model = sessions.get(id.clone()).await.ok()?;
    let state = model.state?;
    if state == UpdateSessionModelState::Active {
        return None;
    }
    Some(stopped_session("update", id, &state, model.error_message))
}

async fn upload_in(
    sessions: &update_session::Client,
    session_files: &ups::file::Client,
    connection: &Connection,
    id: &UpdateSessionId,
    files: Vec<UploadFile>,
    options: &UploadOptions,
) -> Result<Vec<TransferredFile>, Error> {
    let expiration = sessions
        .get(id.clone())
        .await
        .ok()
        .and_then(|m| m.expiration_time);
    let progress = Arc::new(Progress::new(0));
    let _keep_alive = KeepAlive::session(
        sessions.clone(),
        id.clone(),
        expiration.as_ref(),
        options.keep_alive,
        &progress,
        |sessions, id, percent| async move { sessions.keep_alive(id, percent).await },
    );

    // Sizes first, so that `client_progress` is a share of everything.
    let mut planned = Vec::with_capacity(files.len());
    for mut file in files {
        if let Source::Path(path) = &file.source {
            let meta = tokio::fs::metadata(path)
                .await
                .map_err(|source| Error::Io {
                    context: format!("read {}", path.display()),
                    source,
                })?;
            file.size = Some(meta.len());
        }
        progress.add_total(file.size.unwrap_or(0));
        planned.push(file);
    }

    let mut done = Vec::with_capacity(planned.len());
    for mut file in planned {
        if options.verify_with_server
            && file.checksum.is_none()
            && let Source::Path(path) = &file.source
        {
            file.checksum = Some(sha256_of(path).await?);
        }
        let mut spec = ups::FileAddSpec::new(file.name.clone(), ups::FileSourceType::Push);
        spec.size = file.size.and_then(|s| i64::try_from(s).ok());
        spec.checksum_info = file.checksum.as_ref().map(|c| {
            let mut info = FileChecksumInfo::new(c.hex().to_owned());
            info.algorithm = Some(FileChecksumAlgorithm::from(c.algorithm().wire_name()));
            info
        });
        let added = session_files.add(id.clone(), spec).await.map_err(|e| {
            Error::api(format!("add {:?} to the update session {id}", file.name), e)
        })?;
        let endpoint = added.upload_endpoint.ok_or_else(|| Error::Session {
            message: format!("the server gave no upload endpoint for {:?}", file.name),
        })?;

        let base = progress.done();
        let mut transfer = connection
            .transfer(endpoint.uri.as_str())
            .map_err(|source| Error::Transfer {
                file: file.name.clone(),
                source,
            })?
            .checksum(ChecksumAlgorithm::Sha256);
        if let Some(expected) = file.checksum.clone() {
            transfer = transfer.expect_checksum(expected);
        }
        if let Some(stall) = options.stall_timeout {
            transfer = transfer.stall_timeout(stall);
        }
        {
            let progress = Arc::clone(&progress);
            let report = options.progress.clone();
            let name = file.name.clone();
            transfer = transfer.progress(move |bytes, total| {
                progress.set_done(base, bytes);
                if let Some(report) = &report {
                    report(&name, bytes, total);
                }
            });
        }
        let moved = match file.source {
            Source::Path(path) => transfer.upload_file(path).await,
            Source::Reader(reader) => transfer.upload(reader, file.size).await,
        };
        let moved = moved.map_err(|source| Error::Transfer {
            file: file.name.clone(),
            source,
        })?;
        done.push(TransferredFile {
            name: file.name,
            bytes: moved.bytes,
            checksum: moved.checksum,
            path: None,
        });
    }

    let validation = session_files
        .validate(id.clone())
        .await
        .map_err(|e| Error::api(format!("validate the files of the update session {id}"), e))?;
    if validation.has_errors {
        let mut problems: Vec<String> = validation
            .missing_files
            .iter()
            .map(|name| format!("{name:?} was not received"))
            .collect();
        problems.extend(validation.invalid_files.iter().map(|f| {
            format!(
                "{:?}: {}",
                f.name,
                messages_text(std::slice::from_ref(&f.error_message)).unwrap_or_default()
            )
        }));
        return Err(Error::Invalid { problems });
    }
    sessions
        .complete(id.clone())
        .await
        .map_err(|e| Error::api(format!("complete the update session {id}"), e))?;
    Ok(done)
}

/// The SHA-256 of a file, read in pieces.
async fn sha256_of(path: &std::path::Path) -> Result<Checksum, Error> {
    let io = |source| Error::Io {
        context: format!("read {}", path.display()),
        source,
    };
    let mut file = tokio::fs::File::open(path).await.map_err(io)?;
    let mut hasher = ChecksumAlgorithm::Sha256.hasher();
    let mut buffer = vec![0; CHUNK_BYTES];
    loop {
        let n = file.read(&mut buffer).await.map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher.finish())
}
