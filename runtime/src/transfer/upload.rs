//! `PUT` of a transfer endpoint from any reader or file.

use std::path::Path;
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use tokio::io::AsyncRead;

use super::progress::{Meter, read_capped, watch};
use super::{CHUNK_BYTES, Transfer, TransferError, TransferOutcome};

impl Transfer {
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
            Ok((status, read_capped(response).await?))
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
            return Err(TransferError::refused(context, status, &body));
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
}
