//! Streaming transfers against the simulator on 127.0.0.1: capability URLs, bytes to and from
//! disk with the checksum computed on the way, `Range`, interrupted and stalled uploads, the
//! session-protected `file_download_endpoint`, idle expiry during a transfer, and a data
//! directory that survives a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use futures_util::stream;
use reqwest::StatusCode;
use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::downloadsession::{self as dls, File as _};
use vapi_bindings::content::library::item::updatesession::{self as ups, File as _};
use vapi_bindings::content::library::item::{
    DownloadSession as _, File as _, UpdateSession as _, download_session, file, update_session,
};
use vapi_runtime::client::Connection;

use common::{download_spec, sha, update_spec};

/// Bytes that differ along the file, so that a misplaced range shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// A body of `chunks` pieces of `piece` bytes of `data`, with a pause between them.
fn slow_body(data: Vec<u8>, piece: usize, pause: Duration) -> reqwest::Body {
    let chunks: Vec<Vec<u8>> = data.chunks(piece).map(<[u8]>::to_vec).collect();
    reqwest::Body::wrap_stream(stream::unfold(
        chunks.into_iter(),
        move |mut it| async move {
            let next = it.next()?;
            tokio::time::sleep(pause).await;
            Some((Ok::<_, std::io::Error>(next), it))
        },
    ))
}

/// A body that sends `data` and then fails, as a client that dies half way.
fn broken_body(data: Vec<u8>) -> reqwest::Body {
    let items: Vec<Result<Vec<u8>, std::io::Error>> =
        vec![Ok(data), Err(std::io::Error::other("the client died"))];
    reqwest::Body::wrap_stream(stream::iter(items))
}

/// An update session on `item` with `name` added; its upload URL.
async fn add(
    c: &Connection,
    item: &str,
    name: &str,
) -> (
    vapi_bindings::content::library::item::UpdateSessionId,
    String,
) {
    let updates = update_session::Client::new(c.clone());
    let u = updates.create(None, update_spec(item)).await.unwrap();
    let info = ups::file::Client::new(c.clone())
        .add(
            u.clone(),
            ups::FileAddSpec::new(name.into(), ups::FileSourceType::Push),
        )
        .await
        .unwrap();
    let url = info.upload_endpoint.unwrap().uri.to_string();
    (u, url)
}

/// Uploads `data` as `name` into `item` and completes the session.
async fn put_file(c: &Connection, item: &str, name: &str, data: &[u8]) {
    common::upload(c, &reqwest::Client::new(), item, name, data)
        .await
        .unwrap();
}

/// A download session on `item` with `name` prepared; the session and its download URL.
async fn prepared(
    c: &Connection,
    item: &str,
    name: &str,
) -> (
    vapi_bindings::content::library::item::DownloadSessionId,
    String,
) {
    let d = download_session::Client::new(c.clone())
        .create(None, download_spec(item))
        .await
        .unwrap();
    let info = dls::file::Client::new(c.clone())
        .prepare(d.clone(), name.into(), None)
        .await
        .unwrap();
    (d, info.download_endpoint.unwrap().uri.to_string())
}

#[tokio::test]
async fn uploads_stream_to_disk_and_download_with_ranges() {
    let s = common::start(|_| {}).await;
    let item = vapi_sim::DEFAULT_ITEM;
    // 3 MiB in 64 KiB pieces, yielding between them: more than any one buffer.
    let data = pattern(3 << 20);
    let (u, url) = add(&s.c, item, "disk.vmdk").await;
    // A capability URL: no session header.
    let r = reqwest::Client::new()
        .put(&url)
        .body(slow_body(data.clone(), 64 << 10, Duration::from_millis(1)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let info = ups::file::Client::new(s.c.clone())
        .get(u.clone(), "disk.vmdk".into())
        .await
        .unwrap();
    assert_eq!(info.bytes_transferred, data.len() as i64);
    // Not in the item before the session completes.
    let files = file::Client::new(s.c.clone());
    assert!(files.list(ItemId::new(item)).await.unwrap().is_empty());
    update_session::Client::new(s.c.clone())
        .complete(u)
        .await
        .unwrap();
    let stored = files
        .get(ItemId::new(item), "disk.vmdk".into())
        .await
        .unwrap();
    assert_eq!(stored.size, data.len() as i64);
    assert_eq!(stored.checksum_info.unwrap().checksum, sha(&data));

    let (d, url) = prepared(&s.c, item, "disk.vmdk").await;
    let http = reqwest::Client::new();
    let whole = http.get(&url).send().await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.bytes().await.unwrap().as_ref(), &data[..]);
    let part = http
        .get(&url)
        .header("range", "bytes=1000-1999")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 1000-1999/{}", data.len()).as_str()
    );
    assert_eq!(part.bytes().await.unwrap().as_ref(), &data[1000..2000]);
    let tail = http
        .get(&url)
        .header("range", "bytes=-10")
        .send()
        .await
        .unwrap();
    assert_eq!(
        tail.bytes().await.unwrap().as_ref(),
        &data[data.len() - 10..]
    );
    let beyond = http
        .get(&url)
        .header("range", format!("bytes={}-", data.len()))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        beyond.headers()["content-range"],
        format!("bytes */{}", data.len()).as_str()
    );

    // The capability dies with the session.
    download_session::Client::new(s.c.clone())
        .delete(d)
        .await
        .unwrap();
    assert_eq!(
        http.get(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    s.stop().await;
}

#[tokio::test]
async fn transfer_urls_are_unguessable_and_die_with_their_session() {
    let s = common::start(|_| {}).await;
    let item = vapi_sim::DEFAULT_ITEM;
    let (u, url) = add(&s.c, item, "a.bin").await;
    let (u2_url, token) = {
        let rest = url.split("/sim-transfer/upload/").nth(1).unwrap();
        let token = rest.split('/').next().unwrap().to_owned();
        (url.clone(), token)
    };
    assert_eq!(token.len(), 32, "{url}");
    assert!(
        !token.contains(u.as_str()),
        "the capability is not the session id"
    );
    let http = reqwest::Client::new();
    // Another token, or the session id in its place, reaches nothing.
    let forged = url.replace(&token, &"0".repeat(32));
    assert_eq!(
        http.put(&forged).body("x").send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let by_id = url.replace(&token, u.as_str());
    assert_eq!(
        http.put(&by_id).body("x").send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // Ended: canceled sessions take no bytes.
    update_session::Client::new(s.c.clone())
        .cancel(u)
        .await
        .unwrap();
    assert_eq!(
        http.put(&u2_url).body("x").send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    s.stop().await;
}

#[tokio::test]
async fn an_interrupted_upload_never_reaches_the_item() {
    let s = common::start(|_| {}).await;
    let item = vapi_sim::DEFAULT_ITEM;
    let earlier = pattern(100_000);
    put_file(&s.c, item, "keep.bin", &earlier).await;

    let (u, url) = add(&s.c, item, "keep.bin").await;
    let sent = reqwest::Client::new()
        .put(&url)
        .body(broken_body(pattern(1 << 20)))
        .send()
        .await;
    assert!(sent.is_err() || !sent.unwrap().status().is_success());
    let ufiles = ups::file::Client::new(s.c.clone());
    // The server notices the broken body; give it a moment to clean up.
    let mut waited = 0;
    loop {
        let incoming = std::fs::read_dir(s.sim.data_dir().join("incoming"))
            .unwrap()
            .count();
        if incoming == 0 || waited > 50 {
            assert_eq!(incoming, 0, "the partial upload was removed");
            break;
        }
        waited += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let info = ufiles.get(u.clone(), "keep.bin".into()).await.unwrap();
    assert_eq!(info.bytes_transferred, 0);
    // Completing now is refused: the file was never received.
    assert!(matches!(
        update_session::Client::new(s.c.clone())
            .complete(u.clone())
            .await,
        Err(update_session::CompleteError::NotAllowedInCurrentState(_))
    ));
    update_session::Client::new(s.c.clone())
        .cancel(u)
        .await
        .unwrap();
    // The earlier file is intact.
    let (_, url) = prepared(&s.c, item, "keep.bin").await;
    let got = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    assert_eq!(got.as_ref(), &earlier[..]);
    s.stop().await;
}

#[tokio::test]
async fn a_file_size_limit_can_be_set() {
    let s = common::start(|c| c.max_file_bytes = Some(1000)).await;
    let (_, url) = add(&s.c, vapi_sim::DEFAULT_ITEM, "big.bin").await;
    let http = reqwest::Client::new();
    let r = http.put(&url).body(vec![0u8; 1001]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Without a length announced, the limit stops the stream.
    let r = http
        .put(&url)
        .body(slow_body(vec![0u8; 4000], 500, Duration::ZERO))
        .send()
        .await;
    assert!(r.is_err() || r.unwrap().status() == StatusCode::PAYLOAD_TOO_LARGE);
    let r = http.put(&url).body(vec![0u8; 1000]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    s.stop().await;
}

#[tokio::test]
async fn the_file_download_endpoint_needs_an_api_session() {
    let s = common::start(|_| {}).await;
    let item = vapi_sim::DEFAULT_ITEM;
    let data = pattern(5000);
    put_file(&s.c, item, "two words #1 %.txt", &data).await;
    let info = file::Client::new(s.c.clone())
        .get(ItemId::new(item), "two words #1 %.txt".into())
        .await
        .unwrap();
    let url = info.file_download_endpoint.unwrap().to_string();
    assert!(url.starts_with(&s.base), "{url}");
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let session = s.c.session_id().unwrap();
    let r = http
        .get(&url)
        .header("vmware-api-session-id", session.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &data[..]);
    let old = http
        .get(format!("{url}?version=1"))
        .header("vmware-api-session-id", session.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test]
async fn a_transfer_outliving_the_idle_timeout_needs_keep_alive() {
    let s = common::start(|c| c.idle_timeout = Duration::from_millis(300)).await;
    let item = vapi_sim::DEFAULT_ITEM;
    let data = pattern(40_000);
    let http = reqwest::Client::new();
    // 10 pieces 100 ms apart: a second, three idle timeouts, with nobody calling.
    let (u, url) = add(&s.c, item, "slow.bin").await;
    let r = http
        .put(&url)
        .body(slow_body(data.clone(), 4000, Duration::from_millis(100)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "the session expired meanwhile"
    );
    let updates = update_session::Client::new(s.c.clone());
    let model = updates.get(u).await.unwrap();
    assert_eq!(
        model.state,
        Some(vapi_bindings::content::library::item::UpdateSessionModelState::Error)
    );
    // The same with keep-alives every 100 ms succeeds.
    let (u, url) = add(&s.c, item, "slow.bin").await;
    let keeper = {
        let updates = updates.clone();
        let u = u.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if updates.keep_alive(u.clone(), None).await.is_err() {
                    break;
                }
            }
        })
    };
    let r = http
        .put(&url)
        .body(slow_body(data.clone(), 4000, Duration::from_millis(100)))
        .send()
        .await
        .unwrap();
    keeper.abort();
    assert_eq!(r.status(), StatusCode::OK);
    updates.complete(u).await.unwrap();
    s.stop().await;
}

#[tokio::test]
async fn a_data_dir_keeps_items_across_restarts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let item = vapi_sim::DEFAULT_ITEM;
    let data = pattern(70_000);
    let s = common::start(|c| c.data_dir = Some(dir.clone())).await;
    put_file(&s.c, item, "kept.bin", &data).await;
    put_file(&s.c, item, "kept.bin", &data[..1000]).await;
    drop(s.sim);
    s.task.abort();
    let _ = s.task.await;

    let s = common::start(|c| c.data_dir = Some(dir.clone())).await;
    let info = file::Client::new(s.c.clone())
        .get(ItemId::new(item), "kept.bin".into())
        .await
        .unwrap();
    assert_eq!(info.size, 1000);
    assert_eq!(info.version, "3");
    let (_, url) = prepared(&s.c, item, "kept.bin").await;
    let got = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    assert_eq!(got.as_ref(), &data[..1000]);
    // The replaced version's bytes are gone from disk: one blob left.
    assert_eq!(std::fs::read_dir(dir.join("blobs")).unwrap().count(), 1);
    s.stop().await;
}

#[tokio::test]
async fn spawn_serves_https_when_given_a_certificate() {
    let identity = vapi_sim::TlsIdentity::self_signed(&[]).unwrap();
    let pem = identity.cert_pem().to_owned();
    let (addr, sim, task) = vapi_sim::spawn("127.0.0.1:0", |c| c.tls = Some(identity))
        .await
        .unwrap();
    let base = sim.config().base_url.clone();
    assert_eq!(base, format!("https://{addr}"));
    let c = vapi_runtime::client::ClientBuilder::new(&base)
        .add_root_certificate_pem(pem.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    c.login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await
        .unwrap();
    let (u, url) = add(&c, vapi_sim::DEFAULT_ITEM, "tls.bin").await;
    assert!(url.starts_with("https://"), "{url}");
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    assert_eq!(
        http.put(&url)
            .body("secret bytes")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    update_session::Client::new(c.clone())
        .complete(u)
        .await
        .unwrap();
    // Plain HTTP to the HTTPS port gets no answer.
    assert!(
        reqwest::get(format!("http://{addr}/api/session"))
            .await
            .is_err()
    );
    task.abort();
    let _ = task.await;
}
