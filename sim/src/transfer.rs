//! The transfer endpoints, served beside `/api`:
//!
//! - `PUT /sim-transfer/upload/{capability}/{file}`: a PUSH file of an update session;
//! - `GET /sim-transfer/download/{capability}/{file}`: a prepared file of a download session;
//! - `GET /sim-files/{item}/{file}`: the 9.0 `file_download_endpoint` of `File.Info`.
//!
//! The first two are capability URLs, as vCenter's are (its samples send no session header):
//! the 128-bit random capability names one session and dies with it. The third asks for
//! `vmware-api-session-id`, as its documentation says. Uploads stream to a file in the data
//! directory, hashed on the way, and become part of the item only when the session completes;
//! downloads stream from disk and answer `Range`.

use std::io::SeekFrom;
use std::path::Path as FsPath;
use std::time::Instant;

use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;
use vapi_bindings::content::library::item::updatesession as ups;
use vapi_runtime::server::Response;
use vapi_runtime::server::axum::body::Body;
use vapi_runtime::server::axum::extract::{Path, Query, Request, State};
use vapi_runtime::server::axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use vapi_runtime::server::axum::response::IntoResponse;

use crate::state::{Phase, Received, Simulator};

fn text(status: StatusCode, text: &str) -> Response {
    (status, text.to_owned()).into_response()
}

/// Why receiving stopped.
pub(crate) enum Stop {
    TooLarge(u64),
    Stalled,
    Client(String),
    Disk(std::io::Error),
}

/// Writes `chunks` to `path`, hashing them, counting them in `progress`; syncs the file.
/// Returns the size and SHA-256. Stops when a chunk takes longer than the stall timeout or
/// the file passes `max_file_bytes`.
pub(crate) async fn receive<S, B, E>(
    sim: &Simulator,
    mut chunks: S,
    path: &FsPath,
    progress: Option<&std::sync::atomic::AtomicU64>,
) -> Result<(u64, String), Stop>
where
    S: futures_util::Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    let file = tokio::fs::File::create(path).await.map_err(Stop::Disk)?;
    let mut out = tokio::io::BufWriter::with_capacity(256 << 10, file);
    let mut hash = Sha256::new();
    let mut size: u64 = 0;
    loop {
        let next = tokio::time::timeout(sim.config.stall_timeout, chunks.next()).await;
        let chunk = match next {
            Err(_) => return Err(Stop::Stalled),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(Stop::Client(e.to_string())),
            Ok(Some(Ok(chunk))) => chunk,
        };
        let chunk = chunk.as_ref();
        size += chunk.len() as u64;
        if let Some(p) = progress {
            p.store(size, std::sync::atomic::Ordering::Relaxed);
        }
        if let Some(max) = sim.config.max_file_bytes
            && size > max
        {
            return Err(Stop::TooLarge(max));
        }
        hash.update(chunk);
        out.write_all(chunk).await.map_err(Stop::Disk)?;
    }
    out.flush().await.map_err(Stop::Disk)?;
    out.get_ref().sync_all().await.map_err(Stop::Disk)?;
    let hex = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((size, hex))
}

/// `PUT /sim-transfer/upload/{capability}/{file}`.
pub(crate) async fn upload(
    State(sim): State<Simulator>,
    Path((token, name)): Path<(String, String)>,
    request: Request,
) -> Response {
    {
        let mut world = sim.world().await;
        let Some(update) = world.update_by_token(&token) else {
            return text(StatusCode::NOT_FOUND, "no such update session");
        };
        if update.session.phase != Phase::Active {
            return text(
                StatusCode::NOT_FOUND,
                "the update session is no longer active",
            );
        }
        let Some(file) = update.files.get(&name) else {
            return text(StatusCode::NOT_FOUND, "no such file in the session");
        };
        if file.source_type != ups::FileSourceType::Push {
            return text(
                StatusCode::CONFLICT,
                "the file is not uploaded by the client",
            );
        }
        update.session.last_call = Instant::now();
    }
    if let (Some(max), Some(length)) =
        (sim.config.max_file_bytes, content_length(request.headers()))
        && length > max
    {
        return text(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the simulator takes files up to {max} bytes"),
        );
    }
    let path = match sim.store.incoming() {
        Ok(p) => p,
        Err(e) => return text(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let body = request.into_body().into_data_stream();
    let received = receive(&sim, body, &path, None).await;
    let (size, sha256) = match received {
        Ok(r) => r,
        Err(stop) => {
            let _ = tokio::fs::remove_file(&path).await;
            return match stop {
                Stop::TooLarge(max) => text(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!("the simulator takes files up to {max} bytes"),
                ),
                Stop::Stalled => text(StatusCode::REQUEST_TIMEOUT, "the upload stalled"),
                Stop::Client(e) => {
                    tracing::debug!("upload interrupted: {e}");
                    text(StatusCode::BAD_REQUEST, "the upload was interrupted")
                }
                Stop::Disk(e) => text(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            };
        }
    };
    // From here the file is owned by `received`: dropped, it is removed.
    let received = Received {
        path: Some(path),
        size,
        sha256,
    };
    let mut world = sim.world().await;
    let Some(update) = world.update_by_token(&token) else {
        return text(StatusCode::NOT_FOUND, "the update session is gone");
    };
    if update.session.phase != Phase::Active {
        return text(
            StatusCode::NOT_FOUND,
            "the update session ended during the upload",
        );
    }
    let Some(file) = update.files.get_mut(&name) else {
        return text(
            StatusCode::NOT_FOUND,
            "the file left the session during the upload",
        );
    };
    update.session.last_call = Instant::now();
    file.received = Some(received);
    StatusCode::OK.into_response()
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// A byte range of a `size`-byte file asked for by `Range`: `Ok(None)` for the whole file
/// (no header, or one the simulator does not narrow: several ranges, other units).
fn range(headers: &HeaderMap, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(value) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Err(());
    };
    let (first, last) = (first.trim(), last.trim());
    let (start, end) = if first.is_empty() {
        // The last N bytes.
        let n: u64 = last.parse().map_err(|_| ())?;
        if n == 0 {
            return Err(());
        }
        (size.saturating_sub(n), size.checked_sub(1).ok_or(())?)
    } else {
        let start: u64 = first.parse().map_err(|_| ())?;
        let end = if last.is_empty() {
            size.checked_sub(1).ok_or(())?
        } else {
            let end: u64 = last.parse().map_err(|_| ())?;
            if end < start {
                return Err(());
            }
            end.min(size.checked_sub(1).ok_or(())?)
        };
        (start, end)
    };
    if start >= size {
        return Err(());
    }
    Ok(Some((start, end)))
}

/// Streams `file` (`size` bytes), or the part `Range` asks for.
async fn send(mut file: tokio::fs::File, size: u64, headers: &HeaderMap) -> Response {
    let (status, start, len) = match range(headers, size) {
        Ok(None) => (StatusCode::OK, 0, size),
        Ok(Some((start, end))) => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        Err(()) => {
            let mut r = text(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "the range is not in the file",
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
    };
    if start > 0
        && let Err(e) = file.seek(SeekFrom::Start(start)).await
    {
        return text(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
    }
    let body = Body::from_stream(ReaderStream::with_capacity(file.take(len), 256 << 10));
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{size}", start + len - 1))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    response
}

/// `GET /sim-transfer/download/{capability}/{file}`.
pub(crate) async fn download(
    State(sim): State<Simulator>,
    Path((token, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut world = sim.world().await;
    let crate::state::World {
        downloads, items, ..
    } = &mut *world;
    let Some(d) = downloads.values_mut().find(|d| d.session.token == token) else {
        return text(StatusCode::NOT_FOUND, "no such download session");
    };
    if d.session.phase != Phase::Active {
        return text(
            StatusCode::NOT_FOUND,
            "the download session is no longer active",
        );
    }
    if !d.prepared.contains(&name) {
        return text(StatusCode::CONFLICT, "the file is not prepared");
    }
    d.session.last_call = Instant::now();
    let Some(f) = items.get(&d.session.item).and_then(|i| i.files.get(&name)) else {
        return text(StatusCode::NOT_FOUND, "no such file");
    };
    // Opened under the lock: a completing update may remove the blob it replaces, and an
    // open file stays readable.
    let (size, opened) = (f.size, tokio::fs::File::open(sim.store.blob(&f.blob)).await);
    drop(world);
    match opened {
        Ok(file) => send(file, size, &headers).await,
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct VersionQuery {
    version: Option<String>,
}

/// `GET /sim-files/{item}/{file}[?version=N]`, for a caller with `vmware-api-session-id`.
pub(crate) async fn file_download(
    State(sim): State<Simulator>,
    Path((item, name)): Path<(String, String)>,
    Query(query): Query<VersionQuery>,
    headers: HeaderMap,
) -> Response {
    if sim.sessions.user_of(&headers).is_none() {
        return vapi_runtime::server::unauthenticated();
    }
    let world = sim.world().await;
    let Some(f) = world.items.get(&item).and_then(|i| i.files.get(&name)) else {
        return text(StatusCode::NOT_FOUND, "no such file");
    };
    if query
        .version
        .as_ref()
        .is_some_and(|v| *v != f.version.to_string())
    {
        return text(
            StatusCode::NOT_FOUND,
            "that version of the file is no longer stored",
        );
    }
    let (size, opened) = (f.size, tokio::fs::File::open(sim.store.blob(&f.blob)).await);
    drop(world);
    match opened {
        Ok(file) => send(file, size, &headers).await,
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranged(value: &str, size: u64) -> Result<Option<(u64, u64)>, ()> {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(value).map_err(|_| ())?);
        range(&h, size)
    }

    #[test]
    fn ranges_as_rfc_9110_reads_them() {
        assert_eq!(range(&HeaderMap::new(), 10), Ok(None));
        assert_eq!(ranged("bytes=0-3", 10), Ok(Some((0, 3))));
        assert_eq!(ranged("bytes=4-", 10), Ok(Some((4, 9))));
        assert_eq!(ranged("bytes=-3", 10), Ok(Some((7, 9))));
        assert_eq!(ranged("bytes=-30", 10), Ok(Some((0, 9))));
        assert_eq!(ranged("bytes=5-100", 10), Ok(Some((5, 9))));
        assert_eq!(ranged("bytes=0-1,4-5", 10), Ok(None));
        assert_eq!(ranged("items=0-1", 10), Ok(None));
        assert_eq!(ranged("bytes=10-", 10), Err(()));
        assert_eq!(ranged("bytes=5-4", 10), Err(()));
        assert_eq!(ranged("bytes=-0", 10), Err(()));
        assert_eq!(ranged("bytes=x-1", 10), Err(()));
        assert_eq!(ranged("bytes=0-", 0), Err(()));
    }
}
