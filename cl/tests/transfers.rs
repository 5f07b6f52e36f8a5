//! The upload and download flows and the transfer primitives, over HTTP on 127.0.0.1 against
//! the simulator (and, where a misbehaving server is needed, a small axum one).

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use sha2::Digest;
use tokio::io::{AsyncRead, ReadBuf};
use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::{UpdateSession as _, update_session};
use vapi_cl::{DownloadOptions, Error, UploadFile, UploadOptions};
use vapi_runtime::client::Connection;
use vapi_runtime::transfer::{Checksum, ChecksumAlgorithm, TransferError};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// A simulator on 127.0.0.1 and a logged-in connection to it; the server stops when the
/// handle is dropped.
struct Sim {
    connection: Connection,
    item: ItemId,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn sim(
    configure: impl FnOnce(&mut vapi_sim::SimConfig),
) -> Result<Sim, Box<dyn std::error::Error + Send + Sync>> {
    let (addr, _, task) = vapi_sim::spawn("127.0.0.1:0", configure).await?;
    let connection = Connection::new(format!("http://{addr}/api"))?;
    connection
        .login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await?;
    Ok(Sim {
        connection,
        item: ItemId::new(vapi_sim::DEFAULT_ITEM),
        task,
    })
}

/// Deterministic bytes, different for every `seed`.
fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| {
            (i as u64)
                .wrapping_mul(2654435761)
                .wrapping_add(u64::from(seed)) as u8
                ^ (i >> 13) as u8
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A reader yielding `total` pseudo-random bytes `piece` at a time, pausing `pause` before
/// each piece: a source larger than any buffer on the way, arriving slowly. Never holds more
/// than one piece.
struct SlowReader {
    left: usize,
    piece: usize,
    pause: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    offset: usize,
    hasher: Arc<Mutex<sha2::Sha256>>,
}

impl SlowReader {
    fn new(total: usize, piece: usize, pause: Duration) -> (Self, Arc<Mutex<sha2::Sha256>>) {
        let hasher = Arc::new(Mutex::new(sha2::Sha256::new()));
        (
            SlowReader {
                left: total,
                piece,
                pause,
                sleep: None,
                offset: 0,
                hasher: Arc::clone(&hasher),
            },
            hasher,
        )
    }
}

impl AsyncRead for SlowReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.left == 0 {
            return Poll::Ready(Ok(()));
        }
        let pause = self.pause;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(pause)));
        if sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.sleep = None;
        let n = self.piece.min(self.left).min(buf.remaining());
        let offset = self.offset;
        let chunk: Vec<u8> = (offset..offset + n)
            .map(|i| (i % 251) as u8 ^ (i >> 16) as u8)
            .collect();
        if let Ok(mut h) = self.hasher.lock() {
            h.update(&chunk);
        }
        buf.put_slice(&chunk);
        self.left -= n;
        self.offset += n;
        Poll::Ready(Ok(()))
    }
}

use std::future::Future as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_source_larger_than_any_buffer_streams_up_and_back() -> TestResult {
    let s = sim(|_| {}).await?;
    let total = 12 << 20; // 12 MiB: 48 pieces of the transfer's 256 KiB, in 96 slow reads.
    let (reader, hasher) = SlowReader::new(total, 128 << 10, Duration::from_millis(5));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let options = {
        let seen = Arc::clone(&seen);
        UploadOptions::default().progress(move |name, done, size| {
            if let Ok(mut s) = seen.lock() {
                s.push((name.to_owned(), done, size));
            }
        })
    };
    let report = vapi_cl::upload(
        &s.connection,
        &s.item,
        vec![UploadFile::reader("slow.bin", reader, Some(total as u64))],
        &options,
    )
    .await?;
    let expected = format!(
        "{:x}",
        hasher.lock().map_err(|_| "poisoned")?.clone().finalize()
    );
    assert_eq!(report.files.len(), 1);
    assert_eq!(report.files[0].bytes, total as u64);
    assert_eq!(
        report.files[0].checksum,
        Some(Checksum::new(ChecksumAlgorithm::Sha256, expected.clone()))
    );
    let seen = seen.lock().map_err(|_| "poisoned")?.clone();
    assert!(
        seen.len() > 10,
        "progress was reported {} times",
        seen.len()
    );
    assert!(
        seen.windows(2).all(|w| w[0].1 <= w[1].1),
        "progress only grows"
    );
    assert_eq!(
        seen.last(),
        Some(&("slow.bin".to_owned(), total as u64, Some(total as u64)))
    );

    // And back, through the download flow, into a file whose checksum the server gave.
    let dir = tempfile::tempdir()?;
    let got = vapi_cl::download(
        &s.connection,
        &s.item,
        dir.path(),
        &DownloadOptions::default(),
    )
    .await?;
    assert_eq!(got.files.len(), 1);
    let written = std::fs::read(dir.path().join("slow.bin"))?;
    assert_eq!(written.len(), total);
    assert_eq!(sha256_hex(&written), expected);
    assert_eq!(
        std::fs::read_dir(dir.path())?.count(),
        1,
        "no partial file left"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_file_names_round_trip() -> TestResult {
    let s = sim(|_| {}).await?;
    let names = [
        "a b.bin",
        "#frag",
        "100%20.txt",
        "ディスク イメージ.iso",
        "ü%#?&=+;.ovf",
    ];
    let files = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let body = bytes(1000 + i * 7919, i as u8);
            UploadFile::reader(
                *name,
                std::io::Cursor::new(body.clone()),
                Some(body.len() as u64),
            )
        })
        .collect();
    vapi_cl::upload(&s.connection, &s.item, files, &UploadOptions::default()).await?;
    let listed: Vec<String> = vapi_cl::list_files(&s.connection, &s.item)
        .await?
        .into_iter()
        .map(|f| f.name)
        .collect();
    let mut sorted = names.map(str::to_owned).to_vec();
    sorted.sort();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(listed_sorted, sorted);

    let dir = tempfile::tempdir()?;
    vapi_cl::download(
        &s.connection,
        &s.item,
        dir.path(),
        &DownloadOptions::default(),
    )
    .await?;
    for (i, name) in names.iter().enumerate() {
        assert_eq!(
            std::fs::read(dir.path().join(name))?,
            bytes(1000 + i * 7919, i as u8),
            "{name}"
        );
    }
    // Only the named one, when asked.
    let one = tempfile::tempdir()?;
    let report = vapi_cl::download(
        &s.connection,
        &s.item,
        one.path(),
        &DownloadOptions::default().files(["#frag"]),
    )
    .await?;
    assert_eq!(report.files.len(), 1);
    assert_eq!(std::fs::read_dir(one.path())?.count(), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_whose_bytes_do_not_match_their_checksum_changes_nothing() -> TestResult {
    let s = sim(|_| {}).await?;
    let good = bytes(5000, 1);
    vapi_cl::upload(
        &s.connection,
        &s.item,
        vec![UploadFile::reader(
            "kept.bin",
            std::io::Cursor::new(good.clone()),
            Some(5000),
        )],
        &UploadOptions::default(),
    )
    .await?;

    let body = bytes(4000, 2);
    let wrong = Checksum::new(ChecksumAlgorithm::Sha256, sha256_hex(b"something else"));
    let err = vapi_cl::upload(
        &s.connection,
        &s.item,
        vec![
            UploadFile::reader("bad.bin", std::io::Cursor::new(body), Some(4000))
                .checksum(wrong.clone()),
        ],
        &UploadOptions::default(),
    )
    .await
    .err()
    .ok_or("a mismatching upload succeeded")?;
    let text = err.to_string()
        + &std::error::Error::source(&err)
            .map(|s| s.to_string())
            .unwrap_or_default();
    assert!(
        matches!(
            &err,
            Error::Transfer { file, source: TransferError::ChecksumMismatch { expected, .. } }
                if file == "bad.bin" && *expected == wrong
        ),
        "{err:?}"
    );
    assert!(text.contains("checksum mismatch"), "{text}");
    assert!(!err.is_local());

    // The item keeps exactly what it had, and is not locked: the next upload works.
    let names: Vec<String> = vapi_cl::list_files(&s.connection, &s.item)
        .await?
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, ["kept.bin"]);
    vapi_cl::upload(
        &s.connection,
        &s.item,
        vec![UploadFile::reader(
            "next.bin",
            std::io::Cursor::new(vec![1, 2, 3]),
            Some(3),
        )],
        &UploadOptions::default(),
    )
    .await?;
    Ok(())
}

/// A server that serves `/bytes` (100 000 bytes of 7), and `/stall`, which sends ten bytes
/// and then nothing.
async fn misbehaving_server()
-> Result<(String, tokio::task::JoinHandle<()>), Box<dyn std::error::Error + Send + Sync>> {
    use futures_util::StreamExt;
    use vapi_runtime::server::axum::{Router, body::Body, body::Bytes, routing::get};
    let app = Router::new()
        .route("/bytes", get(|| async { vec![7u8; 100_000] }))
        .route(
            "/stall",
            get(|| async {
                let ten = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(vec![
                        1u8;
                        10
                    ]))]);
                Body::from_stream(ten.chain(futures_util::stream::pending()))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = vapi_runtime::server::axum::serve(listener, app).await;
    });
    Ok((format!("http://{addr}"), task))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_that_does_not_match_its_checksum_leaves_no_file() -> TestResult {
    let (base, task) = misbehaving_server().await?;
    let connection = Connection::new(&base)?;
    let dir = tempfile::tempdir()?;
    let dest = dir.path().join("disk.vmdk");
    std::fs::write(&dest, b"the old contents")?;
    let expected = Checksum::new(ChecksumAlgorithm::Sha512, "00".repeat(64));
    let err = connection
        .transfer(&format!("{base}/bytes"))?
        .expect_checksum(expected.clone())
        .download_file(&dest)
        .await
        .err()
        .ok_or("a mismatching download succeeded")?;
    match &err {
        TransferError::ChecksumMismatch {
            expected: e,
            actual,
        } => {
            assert_eq!(*e, expected);
            assert_eq!(actual.algorithm(), ChecksumAlgorithm::Sha512);
            assert_eq!(actual.hex(), {
                let d = sha2::Sha512::digest(vec![7u8; 100_000]);
                d.iter().map(|b| format!("{b:02x}")).collect::<String>()
            });
        }
        other => return Err(format!("not a checksum mismatch: {other:?}").into()),
    }
    assert!(
        err.to_string()
            .starts_with("checksum mismatch: expected SHA512:0000"),
        "{err}"
    );
    // The old file is untouched and nothing was left beside it.
    assert_eq!(std::fs::read(&dest)?, b"the old contents");
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 1);

    // A wrong size is refused the same way.
    let err = connection
        .transfer(&format!("{base}/bytes"))?
        .expect_size(99_999)
        .download_file(dir.path().join("other"))
        .await
        .err()
        .ok_or("a download of the wrong size succeeded")?;
    assert!(
        matches!(
            err,
            TransferError::SizeMismatch {
                expected: 99_999,
                actual: 100_000
            }
        ),
        "{err:?}"
    );
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 1);
    task.abort();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_download_fails_and_leaves_no_file() -> TestResult {
    let (base, task) = misbehaving_server().await?;
    let connection = Connection::new(&base)?;
    let dir = tempfile::tempdir()?;
    let started = std::time::Instant::now();
    let err = connection
        .transfer(&format!("{base}/stall"))?
        .stall_timeout(Duration::from_millis(300))
        .download_file(dir.path().join("x"))
        .await
        .err()
        .ok_or("a stalled download succeeded")?;
    assert!(matches!(err, TransferError::Stalled { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
    // A refusal names the status and says what the server said.
    let err = connection
        .transfer(&format!("{base}/missing"))?
        .download(&mut tokio::io::sink())
        .await
        .err()
        .ok_or("a 404 succeeded")?;
    assert!(
        matches!(err, TransferError::Refused { status: 404, .. }),
        "{err:?}"
    );
    task.abort();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_holds_the_session_through_a_transfer_longer_than_its_idle_timeout() -> TestResult
{
    // The flow keeps the session alive every third of the idle timeout, so one second leaves
    // room for two late calls on a loaded machine; the slow bytes take at least 3 s.
    let idle = Duration::from_secs(1);
    let s = sim(|c| c.idle_timeout = idle).await?;
    let (reader, hasher) = SlowReader::new(60 << 10, 1 << 10, Duration::from_millis(50));
    let progress_seen = Arc::new(AtomicU64::new(0));
    let watcher = {
        let connection = s.connection.clone();
        let item = s.item.clone();
        let seen = Arc::clone(&progress_seen);
        tokio::spawn(async move {
            let sessions = update_session::Client::new(connection);
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let Ok(ids) = sessions
                    .list(Some(vapi_runtime::Id::new(item.as_str())))
                    .await
                else {
                    continue;
                };
                for id in ids {
                    if let Ok(m) = sessions
                        .get(vapi_bindings::content::library::item::UpdateSessionId::new(
                            id.as_str(),
                        ))
                        .await
                    {
                        let p = u64::try_from(m.client_progress.unwrap_or(0)).unwrap_or(0);
                        seen.fetch_max(p, Ordering::Relaxed);
                    }
                }
            }
        })
    };
    let started = std::time::Instant::now();
    let report = vapi_cl::upload(
        &s.connection,
        &s.item,
        vec![UploadFile::reader("long.bin", reader, Some(60 << 10))],
        &UploadOptions::default(),
    )
    .await;
    watcher.abort();
    let report = report?;
    assert!(
        started.elapsed() > idle * 2,
        "the transfer was not longer than the idle timeout"
    );
    let expected = format!(
        "{:x}",
        hasher.lock().map_err(|_| "poisoned")?.clone().finalize()
    );
    assert_eq!(
        report.files[0].checksum.as_ref().map(Checksum::hex),
        Some(expected.as_str())
    );
    // The server saw `client_progress` between the start and the end.
    let seen = progress_seen.load(Ordering::Relaxed);
    assert!(seen > 0, "no client_progress reached the server");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_failed_by_someone_else_stops_the_upload_with_the_reason() -> TestResult {
    let s = sim(|_| {}).await?;
    let (reader, _) = SlowReader::new(64 << 10, 1 << 10, Duration::from_millis(20));
    let saboteur = {
        let connection = s.connection.clone();
        let item = s.item.clone();
        tokio::spawn(async move {
            let sessions = update_session::Client::new(connection);
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if let Ok(ids) = sessions
                    .list(Some(vapi_runtime::Id::new(item.as_str())))
                    .await
                    && let Some(id) = ids.first()
                {
                    let id =
                        vapi_bindings::content::library::item::UpdateSessionId::new(id.as_str());
                    let _ = sessions.fail(id, "the operator stopped it".into()).await;
                    return;
                }
            }
        })
    };
    let err = vapi_cl::upload(
        &s.connection,
        &s.item,
        vec![UploadFile::reader("doomed.bin", reader, Some(64 << 10))],
        &UploadOptions::default(),
    )
    .await
    .err()
    .ok_or("the upload of a failed session succeeded")?;
    saboteur.abort();
    assert!(matches!(err, Error::Session { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("ERROR") && text.contains("the operator stopped it"),
        "{text}"
    );
    assert!(
        vapi_cl::list_files(&s.connection, &s.item)
            .await?
            .is_empty()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_an_upload_cancels_its_session_and_dropping_a_download_leaves_no_file()
-> TestResult {
    let s = sim(|_| {}).await?;
    vapi_cl::upload(
        &s.connection,
        &s.item,
        vec![
            UploadFile::reader(
                "first.bin",
                std::io::Cursor::new(bytes(300_000, 3)),
                Some(300_000),
            ),
            UploadFile::reader(
                "big.bin",
                std::io::Cursor::new(bytes(16 << 20, 4)),
                Some(16 << 20),
            ),
        ],
        &UploadOptions::default(),
    )
    .await?;

    // An upload dropped half way.
    let (reader, _) = SlowReader::new(1 << 20, 4 << 10, Duration::from_millis(10));
    let options = UploadOptions::default();
    let upload = vapi_cl::upload(
        &s.connection,
        &s.item,
        vec![UploadFile::reader("half.bin", reader, Some(1 << 20))],
        &options,
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(400), upload)
            .await
            .is_err()
    );
    vapi_cl::finish_cleanup(Duration::from_secs(10)).await;
    // The item is not locked (a new update session can be made at once) and unchanged.
    vapi_cl::upload(
        &s.connection,
        &s.item,
        vec![UploadFile::reader(
            "second.bin",
            std::io::Cursor::new(vec![9; 10]),
            Some(10),
        )],
        &UploadOptions::default(),
    )
    .await?;
    let names: Vec<String> = vapi_cl::list_files(&s.connection, &s.item)
        .await?
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, ["big.bin", "first.bin", "second.bin"]);

    // A download dropped half way (at its first bytes) leaves no file.
    let dir = tempfile::tempdir()?;
    let first_bytes = Arc::new(tokio::sync::Notify::new());
    let options = {
        let first_bytes = Arc::clone(&first_bytes);
        DownloadOptions::default()
            .files(["big.bin"])
            .progress(move |_, _, _| first_bytes.notify_one())
    };
    tokio::select! {
        r = vapi_cl::download(&s.connection, &s.item, dir.path(), &options) => {
            return Err(format!("the download was not dropped: {r:?}").into());
        }
        () = first_bytes.notified() => {}
    }
    vapi_cl::finish_cleanup(Duration::from_secs(10)).await;
    let left: Vec<_> = std::fs::read_dir(dir.path())?.collect::<Result<_, _>>()?;
    assert!(left.is_empty(), "a partial file was left: {left:?}");
    // The earlier file still downloads identical.
    vapi_cl::download(
        &s.connection,
        &s.item,
        dir.path(),
        &DownloadOptions::default().files(["first.bin"]),
    )
    .await?;
    assert_eq!(
        std::fs::read(dir.path().join("first.bin"))?,
        bytes(300_000, 3)
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_item_or_file_is_the_server_refusing() -> TestResult {
    let s = sim(|_| {}).await?;
    let nowhere = ItemId::new("no-such-item");
    let err = vapi_cl::list_files(&s.connection, &nowhere)
        .await
        .err()
        .ok_or("listed a missing item")?;
    assert!(
        matches!(err, Error::Api { .. }) && !err.is_local(),
        "{err:?}"
    );
    assert!(err.to_string().contains("no-such-item"), "{err}");
    let dir = tempfile::tempdir()?;
    let err = vapi_cl::download(
        &s.connection,
        &s.item,
        dir.path(),
        &DownloadOptions::default().files(["nope.bin"]),
    )
    .await
    .err()
    .ok_or("downloaded a missing file")?;
    assert!(
        matches!(&err, Error::NoSuchFile { name, .. } if name == "nope.bin"),
        "{err:?}"
    );
    let err = vapi_cl::download(
        &s.connection,
        &s.item,
        &dir.path().join("missing"),
        &DownloadOptions::default(),
    )
    .await
    .err()
    .ok_or("downloaded into a missing directory")?;
    assert!(err.is_local(), "{err:?}");
    Ok(())
}
