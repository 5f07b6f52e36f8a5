//! `GET` of a transfer endpoint into any writer, or into a file that appears only when every
//! byte arrived and matched.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::progress::{Meter, read_capped, watch};
use super::{CHUNK_BYTES, Transfer, TransferError, TransferOutcome};

impl Transfer {
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
                return Ok(Err((status, read_capped(response).await?)));
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
            return Err(TransferError::refused(context, status, &body));
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
pub(super) struct PartialFile {
    pub(super) path: PathBuf,
    committed: bool,
}

impl PartialFile {
    pub(super) async fn create(
        dest: &Path,
    ) -> Result<(PartialFile, tokio::fs::File), TransferError> {
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

    pub(super) async fn commit(mut self, dest: &Path) -> Result<(), TransferError> {
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
