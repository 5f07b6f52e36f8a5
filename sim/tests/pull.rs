//! PULL sources: the simulator fetches a file added with `source_type` PULL from its
//! `http(s)` `source_endpoint`, as vCenter does, and reports on the file and the session.
//! Sources are servers started here on 127.0.0.1 (an HTTPS one is another simulator's download
//! endpoint). Waits poll for the reported state with wide deadlines, and the slow source is
//! released by the test, not by a timer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::updatesession::{self as ups, File as _};
use vapi_bindings::content::library::item::{
    File as _, FileChecksumAlgorithm, FileChecksumInfo, TransferEndpoint, TransferStatus,
    UpdateSession as _, UpdateSessionId, UpdateSessionModel, UpdateSessionModelState, file,
    update_session,
};
use vapi_runtime::Uri;
use vapi_runtime::client::Connection;
use vapi_runtime::server::axum::Router;
use vapi_runtime::server::axum::http::StatusCode;
use vapi_runtime::server::axum::routing::get;

const PAYLOAD_LEN: usize = 3 << 20;

fn payload() -> Vec<u8> {
    (0..PAYLOAD_LEN).map(|i| (i * 7 % 251) as u8).collect()
}

/// A plain HTTP source on 127.0.0.1: `/file` answers the payload, `/gated` the payload once
/// `gate` is notified, anything else 404. Returns its base URL.
async fn source(gate: Arc<Notify>) -> String {
    let data = Arc::new(payload());
    let (d1, d2) = (Arc::clone(&data), Arc::clone(&data));
    let app = Router::new()
        .route("/file", get(move || async move { d1.to_vec() }))
        .route(
            "/gated",
            get(move || async move {
                gate.notified().await;
                d2.to_vec()
            }),
        )
        .fallback(|| async { StatusCode::NOT_FOUND });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = vapi_runtime::server::axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

fn pull_spec(name: &str, url: &str, size: usize, sha256: Option<String>) -> ups::FileAddSpec {
    let mut spec = ups::FileAddSpec::new(name.into(), ups::FileSourceType::Pull);
    spec.source_endpoint = Some(TransferEndpoint::new(Uri::parse(url).unwrap()));
    spec.size = Some(size as i64);
    spec.checksum_info = sha256.map(|c| {
        let mut info = FileChecksumInfo::new(c);
        info.algorithm = Some(FileChecksumAlgorithm::Sha256);
        info
    });
    spec
}

/// Polls the file's info until its status is no longer TRANSFERRING (30 s at most).
async fn settled(c: &Connection, u: &UpdateSessionId, name: &str) -> ups::FileInfo {
    let files = ups::file::Client::new(c.clone());
    let start = Instant::now();
    loop {
        let info = files.get(u.clone(), name.into()).await.unwrap();
        if info.status != TransferStatus::Transferring {
            return info;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{info:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls the session until it leaves ACTIVE (30 s at most).
async fn ended(c: &Connection, u: &UpdateSessionId) -> UpdateSessionModel {
    let updates = update_session::Client::new(c.clone());
    let start = Instant::now();
    loop {
        let model = updates.get(u.clone()).await.unwrap();
        if model.state != Some(UpdateSessionModelState::Active) {
            return model;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{model:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn open(c: &Connection, item: &str) -> UpdateSessionId {
    update_session::Client::new(c.clone())
        .create(None, common::update_spec(item))
        .await
        .unwrap()
}

fn incoming_files(sim: &vapi_sim::Simulator) -> usize {
    std::fs::read_dir(sim.data_dir().join("incoming"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_pull_source_is_fetched_checked_and_completed() {
    let s = common::start(|_| {}).await;
    let base = source(Arc::new(Notify::new())).await;
    let data = payload();
    let u = open(&s.c, vapi_sim::DEFAULT_ITEM).await;
    let files = ups::file::Client::new(s.c.clone());
    let info = files
        .add(
            u.clone(),
            pull_spec(
                "pulled.bin",
                &format!("{base}/file"),
                data.len(),
                Some(common::sha(&data)),
            ),
        )
        .await
        .unwrap();
    assert!(info.upload_endpoint.is_none(), "{info:?}");
    let info = settled(&s.c, &u, "pulled.bin").await;
    assert_eq!(info.status, TransferStatus::Ready, "{info:?}");
    assert_eq!(info.bytes_transferred, data.len() as i64);
    let check = files.validate(u.clone()).await.unwrap();
    assert!(!check.has_errors, "{check:?}");
    update_session::Client::new(s.c.clone())
        .complete(u)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let got = common::download(&s.c, &http, vapi_sim::DEFAULT_ITEM, "pulled.bin")
        .await
        .unwrap();
    assert!(got == data, "the pulled bytes differ");
    s.stop().await;
}

#[tokio::test]
async fn complete_while_pulling_finishes_when_the_source_has_sent() {
    let s = common::start(|_| {}).await;
    let gate = Arc::new(Notify::new());
    let base = source(Arc::clone(&gate)).await;
    let data = payload();
    let u = open(&s.c, vapi_sim::DEFAULT_ITEM).await;
    ups::file::Client::new(s.c.clone())
        .add(
            u.clone(),
            pull_spec("slow.bin", &format!("{base}/gated"), data.len(), None),
        )
        .await
        .unwrap();
    let updates = update_session::Client::new(s.c.clone());
    updates.complete(u.clone()).await.unwrap();
    // The server has not received the file: the session is still ACTIVE, completing.
    assert_eq!(
        updates.get(u.clone()).await.unwrap().state,
        Some(UpdateSessionModelState::Active)
    );
    assert!(matches!(
        updates.complete(u.clone()).await,
        Err(update_session::CompleteError::NotAllowedInCurrentState(_))
    ));
    assert!(matches!(
        ups::file::Client::new(s.c.clone())
            .add(
                u.clone(),
                ups::FileAddSpec::new("late".into(), ups::FileSourceType::Push)
            )
            .await,
        Err(ups::file::AddError::NotAllowedInCurrentState(_))
    ));
    gate.notify_one();
    let model = ended(&s.c, &u).await;
    assert_eq!(
        model.state,
        Some(UpdateSessionModelState::Done),
        "{model:?}"
    );
    let info = file::Client::new(s.c.clone())
        .get(ItemId::new(vapi_sim::DEFAULT_ITEM), "slow.bin".into())
        .await
        .unwrap();
    assert_eq!(info.size, data.len() as i64);
    s.stop().await;
}

#[tokio::test]
async fn a_failed_pull_is_reported_on_the_file_and_the_session() {
    let s = common::start(|_| {}).await;
    let base = source(Arc::new(Notify::new())).await;
    let data = payload();
    let cases = [
        ("404", format!("{base}/missing"), data.len(), None, "404"),
        (
            "checksum",
            format!("{base}/file"),
            data.len(),
            Some("00".repeat(32)),
            "SHA-256",
        ),
        ("size", format!("{base}/file"), 10, None, "announced"),
        (
            "refused",
            // A port nothing listens on (bound, then closed).
            {
                let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                format!("http://{}/file", l.local_addr().unwrap())
            },
            data.len(),
            None,
            "cannot be fetched",
        ),
    ];
    for (case, url, size, sha, says) in cases {
        let u = open(&s.c, vapi_sim::DEFAULT_ITEM).await;
        ups::file::Client::new(s.c.clone())
            .add(u.clone(), pull_spec("f.bin", &url, size, sha))
            .await
            .unwrap();
        let info = settled(&s.c, &u, "f.bin").await;
        assert_eq!(info.status, TransferStatus::Error, "{case}: {info:?}");
        let message = info.error_message.unwrap().default_message;
        assert!(message.contains(says), "{case}: {message}");
        let model = ended(&s.c, &u).await;
        assert_eq!(model.state, Some(UpdateSessionModelState::Error), "{case}");
        assert!(
            model
                .error_message
                .unwrap()
                .default_message
                .contains("f.bin"),
            "{case}"
        );
        update_session::Client::new(s.c.clone())
            .delete(u)
            .await
            .unwrap();
    }
    // Nothing reached the item, nothing is left in incoming/.
    let listed = file::Client::new(s.c.clone())
        .list(ItemId::new(vapi_sim::DEFAULT_ITEM))
        .await
        .unwrap();
    assert!(listed.is_empty(), "{listed:?}");
    assert_eq!(incoming_files(&s.sim), 0);
    s.stop().await;
}

#[tokio::test]
async fn only_http_and_https_sources_are_taken() {
    let s = common::start(|_| {}).await;
    let u = open(&s.c, vapi_sim::DEFAULT_ITEM).await;
    let files = ups::file::Client::new(s.c.clone());
    for url in ["ftp://127.0.0.1/file", "ds:///vmfs/volumes/ds1/file"] {
        let r = files.add(u.clone(), pull_spec("f.bin", url, 1, None)).await;
        assert!(
            matches!(r, Err(ups::file::AddError::InvalidArgument(_))),
            "{url}: {r:?}"
        );
    }
    // A PULL without a source endpoint: the generated client refuses it before sending (its
    // presence rule), the server with InvalidArgument.
    let r = reqwest::Client::new()
        .post(format!(
            "{}/api/content/library/item/update-session/{u}/file",
            s.base
        ))
        .header("vmware-api-session-id", s.session())
        .json(&serde_json::json!({"name": "f.bin", "source_type": "PULL"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_type"], "INVALID_ARGUMENT", "{body}");
    s.stop().await;
}

#[tokio::test]
async fn a_canceled_session_stops_its_pull() {
    let s = common::start(|_| {}).await;
    let gate = Arc::new(Notify::new());
    let base = source(Arc::clone(&gate)).await;
    let u = open(&s.c, vapi_sim::DEFAULT_ITEM).await;
    ups::file::Client::new(s.c.clone())
        .add(
            u.clone(),
            pull_spec("f.bin", &format!("{base}/gated"), PAYLOAD_LEN, None),
        )
        .await
        .unwrap();
    let updates = update_session::Client::new(s.c.clone());
    updates.cancel(u.clone()).await.unwrap();
    gate.notify_one();
    // The item stays as it was and a new session can start on it.
    let again = open(&s.c, vapi_sim::DEFAULT_ITEM).await;
    updates.cancel(again).await.unwrap();
    let listed = file::Client::new(s.c.clone())
        .list(ItemId::new(vapi_sim::DEFAULT_ITEM))
        .await
        .unwrap();
    assert!(listed.is_empty(), "{listed:?}");
    s.stop().await;
}

#[tokio::test]
async fn an_https_source_is_trusted_through_its_ssl_certificate() {
    // The source: another simulator over HTTPS, its prepared download endpoint.
    let identity = vapi_sim::TlsIdentity::self_signed(&[]).unwrap();
    let pem = identity.cert_pem().to_owned();
    let (_, tls_sim, tls_task) = vapi_sim::spawn("127.0.0.1:0", |c| c.tls = Some(identity))
        .await
        .unwrap();
    let tls_base = tls_sim.config().base_url.clone();
    let tls_c = vapi_runtime::client::ClientBuilder::new(&tls_base)
        .add_root_certificate_pem(pem.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    tls_c
        .login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let data = payload();
    common::upload(&tls_c, &http, vapi_sim::DEFAULT_ITEM, "src.bin", &data)
        .await
        .unwrap();
    let d = vapi_bindings::content::library::item::download_session::Client::new(tls_c.clone());
    let session = {
        use vapi_bindings::content::library::item::DownloadSession as _;
        d.create(None, common::download_spec(vapi_sim::DEFAULT_ITEM))
            .await
            .unwrap()
    };
    let url = {
        use vapi_bindings::content::library::item::downloadsession::{self as dls, File as _};
        dls::file::Client::new(tls_c.clone())
            .prepare(session, "src.bin".into(), None)
            .await
            .unwrap()
            .download_endpoint
            .unwrap()
            .uri
            .to_string()
    };
    assert!(url.starts_with("https://"), "{url}");

    let s = common::start(|_| {}).await;
    // Without the certificate the fetch fails (a self-signed certificate is not trusted)...
    let u = open(&s.c, vapi_sim::DEFAULT_ITEM).await;
    ups::file::Client::new(s.c.clone())
        .add(u.clone(), pull_spec("f.bin", &url, data.len(), None))
        .await
        .unwrap();
    assert_eq!(
        settled(&s.c, &u, "f.bin").await.status,
        TransferStatus::Error
    );
    update_session::Client::new(s.c.clone())
        .delete(u)
        .await
        .unwrap();
    // ...with it, it arrives.
    let u = open(&s.c, vapi_sim::DEFAULT_ITEM).await;
    let mut spec = pull_spec("f.bin", &url, data.len(), Some(common::sha(&data)));
    if let Some(e) = spec.source_endpoint.as_mut() {
        e.ssl_certificate = Some(pem.clone());
    }
    ups::file::Client::new(s.c.clone())
        .add(u.clone(), spec)
        .await
        .unwrap();
    let info = settled(&s.c, &u, "f.bin").await;
    assert_eq!(info.status, TransferStatus::Ready, "{info:?}");
    update_session::Client::new(s.c.clone())
        .complete(u)
        .await
        .unwrap();
    s.stop().await;
    tls_task.abort();
    let _ = tls_task.await;
}
