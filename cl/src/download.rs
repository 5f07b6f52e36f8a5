use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::downloadsession::{self as dls, File as _};
use vapi_bindings::content::library::item::{
    self as item, DownloadSession as _, DownloadSessionId, DownloadSessionModel,
    DownloadSessionModelState, File as _, FileChecksumInfo, download_session,
};
use vapi_runtime::client::Connection;
use vapi_runtime::transfer::{Checksum, ChecksumAlgorithm};

use crate::session::{KeepAlive, Progress, SessionGuard, messages_text, stopped_session};
use crate::{Error, ProgressFn, TransferredFile};

/// Settings of [`download()`].
#[derive(Clone)]
#[non_exhaustive]
pub struct DownloadOptions {
    /// The files to download, by name; `None` (the default) downloads every file of the item.
    pub files: Option<Vec<String>>,
    /// The longest time between two keep-alive calls (default 60 s); the session's
    /// `expiration_time` makes it shorter when it has to be.
    pub keep_alive: Duration,
    /// Give up when no byte moved for this long (default: the connection's timeout).
    pub stall_timeout: Option<Duration>,
    /// How long a file may take to become `PREPARED` (default 30 minutes); polled from
    /// 100 ms, doubling up to 5 s between polls.
    pub prepare_timeout: Duration,
    /// Called as bytes move.
    pub progress: Option<ProgressFn>,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            files: None,
            keep_alive: Duration::from_secs(60),
            stall_timeout: None,
            prepare_timeout: Duration::from_secs(30 * 60),
            progress: None,
        }
    }
}

impl std::fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("files", &self.files)
            .field("keep_alive", &self.keep_alive)
            .field("stall_timeout", &self.stall_timeout)
            .field("prepare_timeout", &self.prepare_timeout)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl DownloadOptions {
    /// Downloads only these files.
    pub fn files<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.files = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Calls `report(file, done, total)` as bytes move.
    pub fn progress(
        mut self,
        report: impl Fn(&str, u64, Option<u64>) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(report));
        self
    }
}

/// What [`download()`] did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DownloadReport {
    /// The download session it used (deleted at the end).
    pub session: DownloadSessionId,
    /// The files, in the item's order (or the order asked for).
    pub files: Vec<TransferredFile>,
}

/// The files of a library item (`File.list`): name, size, checksum.
///
/// # Errors
///
/// [`Error::Api`] if the server refuses (no such item) or cannot be reached.
pub async fn list_files(
    connection: &Connection,
    item: &ItemId,
) -> Result<Vec<item::FileInfo>, Error> {
    item::file::Client::new(connection.clone())
        .list(item.clone())
        .await
        .map_err(|e| Error::api(format!("list the files of item {item}"), e))
}

/// Downloads the files of library item `item` into the directory `dir` through one download
/// session: create → list → for each file prepare, poll with backoff until `PREPARED`, `GET`
/// (streaming, into a file beside the destination, verified against the server's checksum
/// and size, then renamed into place) → delete the session. The session is kept alive with
/// `client_progress` while bytes move.
///
/// A file whose bytes fail keeps no partial file and leaves an existing file of that name
/// untouched; files downloaded before it stay. If the returned future is dropped, the
/// session is deleted (on the tokio runtime) and the file being written is removed.
///
/// # Errors
///
/// [`Error::Api`] if a call is refused, [`Error::NoSuchFile`] if a file asked for is not in
/// the item or an item's file name cannot be a local name (`..`, a `/`),
/// [`Error::Session`] if a file cannot be prepared or the session expired,
/// [`Error::Transfer`] if the bytes fail (checksum mismatch included), [`Error::Io`] if
/// `dir` cannot be written.
pub async fn download(
    connection: &Connection,
    item: &ItemId,
    dir: &Path,
    options: &DownloadOptions,
) -> Result<DownloadReport, Error> {
    let sessions = download_session::Client::new(connection.clone());
    let spec = DownloadSessionModel {
        library_item_id: Some(item.clone()),
        ..Default::default()
    };
    let id = sessions
        .create(None, spec)
        .await
        .map_err(|e| Error::api(format!("create a download session for item {item}"), e))?;
    let mut guard = {
        let sessions = sessions.clone();
        let id = id.clone();
        SessionGuard::new(async move {
            let _ = sessions.cancel(id.clone()).await;
            let _ = sessions.delete(id).await;
        })
    };
    let result = download_in(&sessions, connection, &id, dir, options).await;
    guard.disarm();
    let result = match result {
        Ok(files) => Ok(DownloadReport {
            session: id.clone(),
            files,
        }),
        Err(error) => {
            let error = session_state_error(&sessions, &id).await.unwrap_or(error);
            let _ = sessions.fail(id.clone(), error.to_string()).await;
            Err(error)
        }
    };
    let _ = sessions.delete(id).await;
    result
}

async fn session_state_error(
    sessions: &download_session::Client,
    id: &DownloadSessionId,
) -> Option<Error> {
    let model = sessions.get(id.clone()).await.ok()?;
    let state = model.state?;
    if state == DownloadSessionModelState::Active {
        return None;
    }
    Some(stopped_session("download", id, &state, model.error_message))
}

/// Whether an item's file name can be written into a directory as one file: no separator,
/// not `.` or `..`, no NUL. Spaces, `#`, `%` and any script are fine.
fn local_name(name: &str) -> Result<&str, Error> {
    let bad = |reason: &str| Error::NoSuchFile {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    if name.is_empty() || name == "." || name == ".." {
        return Err(bad("the name cannot be a local file name"));
    }
    if name.contains(['/', '\\', '\0']) {
        return Err(bad(
            "the name holds a path separator or NUL; it is not written outside the directory",
        ));
    }
    Ok(name)
}

async fn download_in(
    sessions: &download_session::Client,
    connection: &Connection,
    id: &DownloadSessionId,
    dir: &Path,
    options: &DownloadOptions,
) -> Result<Vec<TransferredFile>, Error> {
    let files = dls::file::Client::new(connection.clone());
    let listed = files
        .list(id.clone())
        .await
        .map_err(|e| Error::api(format!("list the files of the download session {id}"), e))?;
    let wanted: Vec<dls::FileInfo> =
        match &options.files {
            None => listed,
            Some(names) => {
                let mut wanted = Vec::with_capacity(names.len());
                for name in names {
                    let found = listed.iter().find(|f| &f.name == name).ok_or_else(|| {
                        Error::NoSuchFile {
                            name: name.clone(),
                            reason: "the item has no such file".to_owned(),
                        }
                    })?;
                    wanted.push(found.clone());
                }
                wanted
            }
        };
    for f in &wanted {
        local_name(&f.name)?;
    }
    let dir_meta = tokio::fs::metadata(dir).await.map_err(|source| Error::Io {
        context: format!("write into {}", dir.display()),
        source,
    })?;
    if !dir_meta.is_dir() {
        return Err(Error::Io {
            context: format!("write into {}", dir.display()),
            source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
        });
    }

    let expiration = sessions
        .get(id.clone())
        .await
        .ok()
        .and_then(|m| m.expiration_time);
    let total = wanted
        .iter()
        .filter_map(|f| f.size.and_then(|s| u64::try_from(s).ok()))
        .sum();
    let progress = Arc::new(Progress::new(total));
    let _keep_alive = KeepAlive::session(
        sessions.clone(),
        id.clone(),
        expiration.as_ref(),
        options.keep_alive,
        &progress,
        |sessions, id, percent| async move { sessions.keep_alive(id, percent).await },
    );

    let mut done = Vec::with_capacity(wanted.len());
    for wanted in wanted {
        let name = wanted.name.clone();
        let file = prepare(&files, id, &name, options.prepare_timeout).await?;
        let endpoint = file
            .download_endpoint
            .clone()
            .ok_or_else(|| Error::Session {
                message: format!("the server gave no download endpoint for {name:?}"),
            })?;
        let mut transfer = connection
            .transfer(endpoint.uri.as_str())
            .map_err(|source| Error::Transfer {
                file: name.clone(),
                source,
            })?;
        transfer = match file.checksum_info.as_ref().and_then(expected_checksum) {
            Some(expected) => transfer.expect_checksum(expected),
            None => transfer.checksum(ChecksumAlgorithm::Sha256),
        };
        if let Some(size) = file.size.and_then(|s| u64::try_from(s).ok()) {
            transfer = transfer.expect_size(size);
        }
        if let Some(stall) = options.stall_timeout {
            transfer = transfer.stall_timeout(stall);
        }
        let base = progress.done();
        {
            let progress = Arc::clone(&progress);
            let report = options.progress.clone();
            let name = name.clone();
            transfer = transfer.progress(move |bytes, total| {
                progress.set_done(base, bytes);
                if let Some(report) = &report {
                    report(&name, bytes, total);
                }
            });
        }
        let path = dir.join(local_name(&name)?);
        let moved = transfer
            .download_file(&path)
            .await
            .map_err(|source| Error::Transfer {
                file: name.clone(),
                source,
            })?;
        done.push(TransferredFile {
            name,
            bytes: moved.bytes,
            checksum: moved.checksum,
            path: Some(path),
        });
    }
    Ok(done)
}

/// The server's checksum, when its algorithm is one this crate computes (SHA-1 when unset,
/// as the documentation says).
fn expected_checksum(info: &FileChecksumInfo) -> Option<Checksum> {
    let algorithm = match &info.algorithm {
        None => ChecksumAlgorithm::Sha1,
        Some(a) => ChecksumAlgorithm::from_wire(a.as_str())?,
    };
    Some(Checksum::new(algorithm, info.checksum.clone()))
}

/// Prepares a file and polls until it is `PREPARED`: from 100 ms, doubling up to 5 s.
async fn prepare(
    files: &dls::file::Client,
    id: &DownloadSessionId,
    name: &str,
    timeout: Duration,
) -> Result<dls::FileInfo, Error> {
    let mut info = files
        .prepare(id.clone(), name.to_owned(), None)
        .await
        .map_err(|e| Error::api(format!("prepare {name:?} in the download session {id}"), e))?;
    let started = Instant::now();
    let mut pause = Duration::from_millis(100);
    loop {
        match &info.status {
            dls::FilePrepareStatus::Prepared => return Ok(info),
            dls::FilePrepareStatus::Error => {
                let why = info
                    .error_message
                    .as_ref()
                    .and_then(|m| messages_text(std::slice::from_ref(m)))
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default();
                return Err(Error::Session {
                    message: format!("the server could not prepare {name:?}{why}"),
                });
            }
            _ => {}
        }
        if started.elapsed() >= timeout {
            return Err(Error::Session {
                message: format!(
                    "{name:?} was not prepared within {} s (status {})",
                    timeout.as_secs(),
                    info.status
                ),
            });
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(5));
        info = files
            .get(id.clone(), name.to_owned())
            .await
            .map_err(|e| Error::api(format!("get {name:?} in the download session {id}"), e))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_that_stay_in_the_directory_are_written() {
        for good in [
            "disk.vmdk",
            "a b",
            "#1",
            "100%",
            "ディスク.iso",
            "..x",
            "x..",
        ] {
            assert!(local_name(good).is_ok(), "{good}");
        }
        for bad in ["", ".", "..", "../x", "a/b", "a\\b", "/etc/passwd", "a\0b"] {
            assert!(
                matches!(local_name(bad), Err(Error::NoSuchFile { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_server_checksum_defaults_to_sha1_and_unknown_algorithms_are_skipped() {
        let mut info = FileChecksumInfo::new("ABC".into());
        assert_eq!(
            expected_checksum(&info),
            Some(Checksum::new(ChecksumAlgorithm::Sha1, "abc"))
        );
        info.algorithm = Some("SHA512".into());
        assert_eq!(
            expected_checksum(&info).map(|c| c.algorithm()),
            Some(ChecksumAlgorithm::Sha512)
        );
        info.algorithm = Some("CRC32".into());
        assert_eq!(expected_checksum(&info), None);
    }
}
