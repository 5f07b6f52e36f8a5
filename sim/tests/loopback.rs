//! The generated client against the generated server and the simulator, over real HTTP on
//! 127.0.0.1 (each test starts its own simulator on a free port and stops it at the end).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::downloadsession::{self as dls, File as _};
use vapi_bindings::content::library::item::updatesession::{self as ups, File as _};
use vapi_bindings::content::library::item::{
    DownloadSession as _, DownloadSessionModel, DownloadSessionModelState, File as _, Storage as _,
    UpdateSession as _, UpdateSessionModel, UpdateSessionModelState, download_session, file,
    storage, update_session,
};
use vapi_runtime::client::Connection;

// The README's example is the flow under test.
#[allow(dead_code)]
#[path = "../examples/upload_download.rs"]
mod example;

const HOSTILE: &[&str] = &[
    "a/b",
    "q?x=1&y",
    "frag#1",
    "100%",
    "two words",
    "ünï",
    "...",
];

async fn start(
    configure: impl FnOnce(&mut vapi_sim::SimConfig),
) -> (String, Connection, tokio::task::JoinHandle<()>) {
    let (addr, _, task) = vapi_sim::spawn("127.0.0.1:0", configure).await.unwrap();
    let base = format!("http://{addr}");
    let connection = Connection::new(&base).unwrap();
    connection
        .login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await
        .unwrap();
    (base, connection, task)
}

fn download_spec(item: &str) -> DownloadSessionModel {
    DownloadSessionModel {
        library_item_id: Some(ItemId::new(item)),
        ..Default::default()
    }
}

fn update_spec(item: &str) -> UpdateSessionModel {
    UpdateSessionModel {
        library_item_id: Some(ItemId::new(item)),
        ..Default::default()
    }
}

#[tokio::test]
async fn upload_then_download_through_sessions() {
    let (base, _, task) = start(|_| {}).await;
    let bytes = b"0123456789".repeat(5000);
    example::run(&base, vapi_sim::DEFAULT_ITEM, &bytes)
        .await
        .unwrap();
    // The completed upload is visible to File and Storage.
    let connection = Connection::new(&base).unwrap();
    connection
        .login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await
        .unwrap();
    let files = file::Client::new(connection.clone());
    let item = ItemId::new(vapi_sim::DEFAULT_ITEM);
    let listed = files.list(item.clone()).await.unwrap();
    assert_eq!(listed.len(), 1);
    let one = files.get(item.clone(), "disk.bin".into()).await.unwrap();
    assert_eq!(one.size, 50_000);
    assert_eq!(one.version, "2");
    let storage = storage::Client::new(connection.clone());
    assert_eq!(storage.list(item.clone()).await.unwrap().len(), 1);
    let info = storage.get(item.clone(), "disk.bin".into()).await.unwrap();
    assert_eq!(info[0].size, 50_000);
    assert!(matches!(
        files.get(item, "missing".into()).await,
        Err(file::GetError::NotFound(_))
    ));
    task.abort();
}

#[tokio::test]
async fn every_session_operation_with_its_documented_errors() {
    let (_, c, task) = start(|_| {}).await;
    let item = vapi_sim::DEFAULT_ITEM;
    let downloads = download_session::Client::new(c.clone());
    let updates = update_session::Client::new(c.clone());
    let dfiles = dls::file::Client::new(c.clone());
    let ufiles = ups::file::Client::new(c.clone());

    // DownloadSession: create, get, list, keep_alive, fail, cancel, delete.
    let d = downloads.create(None, download_spec(item)).await.unwrap();
    let model = downloads.get(d.clone()).await.unwrap();
    assert_eq!(model.state, Some(DownloadSessionModelState::Active));
    assert!(model.expiration_time.is_some());
    let all = downloads.list(None).await.unwrap();
    assert_eq!(all.len(), 1);
    let for_item = downloads
        .list(Some(vapi_runtime::Id::new(item)))
        .await
        .unwrap();
    assert_eq!(for_item, all);
    assert!(matches!(
        downloads.list(Some(vapi_runtime::Id::new("nope"))).await,
        Err(download_session::ListError::NotFound(_))
    ));
    downloads.keep_alive(d.clone(), Some(10)).await.unwrap();
    assert_eq!(
        downloads.get(d.clone()).await.unwrap().client_progress,
        Some(10)
    );
    assert!(dfiles.list(d.clone()).await.unwrap().is_empty());
    // A file the item does not have is an InvalidArgument, as prepare and get document it
    // (NotFound is for the session).
    assert!(matches!(
        dfiles.prepare(d.clone(), "absent".into(), None).await,
        Err(dls::file::PrepareError::InvalidArgument(_))
    ));
    assert!(matches!(
        dfiles.get(d.clone(), "absent".into()).await,
        Err(dls::file::GetError::InvalidArgument(_))
    ));
    downloads
        .fail(d.clone(), "client gave up".into())
        .await
        .unwrap();
    let failed = downloads.get(d.clone()).await.unwrap();
    assert_eq!(failed.state, Some(DownloadSessionModelState::Error));
    assert_eq!(
        failed.error_message.map(|m| m.default_message).as_deref(),
        Some("client gave up")
    );
    assert!(matches!(
        downloads.keep_alive(d.clone(), None).await,
        Err(download_session::KeepAliveError::NotAllowedInCurrentState(
            _
        ))
    ));
    assert!(matches!(
        downloads.cancel(d.clone()).await,
        Err(download_session::CancelError::NotAllowedInCurrentState(_))
    ));
    downloads.delete(d.clone()).await.unwrap();
    let gone = downloads.get(d.clone()).await.unwrap_err();
    match gone {
        download_session::GetError::NotFound(e) => {
            assert_eq!(e.messages[0].id, "com.vmware.vapi.sim.not_found");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        downloads.delete(d).await,
        Err(download_session::DeleteError::NotFound(_))
    ));
    assert!(matches!(
        downloads.create(None, download_spec("no-such-item")).await,
        Err(download_session::CreateError::NotFound(_))
    ));

    // UpdateSession: create (idempotent by client token), busy, update, keep_alive, list,
    // file add/get/list/remove/validate, cancel, delete.
    let u = updates
        .create(
            Some("5d1f0c7e-7a39-4b8e-9c55-2f0e6d1a3b41".into()),
            update_spec(item),
        )
        .await
        .unwrap();
    let again = updates
        .create(
            Some("5d1f0c7e-7a39-4b8e-9c55-2f0e6d1a3b41".into()),
            update_spec(item),
        )
        .await
        .unwrap();
    assert_eq!(again, u, "the same client token returns the same session");
    assert!(matches!(
        updates.create(None, update_spec(item)).await,
        Err(update_session::CreateError::ResourceBusy(_))
    ));
    updates
        .update(u.clone(), UpdateSessionModel::default())
        .await
        .unwrap();
    updates.keep_alive(u.clone(), Some(40)).await.unwrap();
    assert_eq!(updates.list(None).await.unwrap().len(), 1);
    let added = ufiles
        .add(
            u.clone(),
            ups::FileAddSpec::new("a.ovf".into(), ups::FileSourceType::Push),
        )
        .await
        .unwrap();
    assert!(added.upload_endpoint.is_some());
    assert_eq!(ufiles.list(u.clone()).await.unwrap().len(), 1);
    assert_eq!(
        ufiles.get(u.clone(), "a.ovf".into()).await.unwrap().name,
        "a.ovf"
    );
    let v = ufiles.validate(u.clone()).await.unwrap();
    assert!(v.has_errors);
    assert_eq!(v.missing_files.as_slice(), ["a.ovf"]);
    assert!(matches!(
        updates.complete(u.clone()).await,
        Err(update_session::CompleteError::NotAllowedInCurrentState(_))
    ));
    ufiles.remove(u.clone(), "a.ovf".into()).await.unwrap();
    assert!(matches!(
        ufiles.remove(u.clone(), "a.ovf".into()).await,
        Err(ups::file::RemoveError::InvalidArgument(_))
    ));
    assert!(matches!(
        updates.delete(u.clone()).await,
        Err(update_session::DeleteError::NotAllowedInCurrentState(_))
    ));
    updates.cancel(u.clone()).await.unwrap();
    assert_eq!(
        updates.get(u.clone()).await.unwrap().state,
        Some(UpdateSessionModelState::Canceled)
    );
    assert!(matches!(
        updates.fail(u.clone(), "x".into()).await,
        Err(update_session::FailError::NotAllowedInCurrentState(_))
    ));
    updates.delete(u.clone()).await.unwrap();
    assert!(matches!(
        updates.get(u).await,
        Err(update_session::GetError::NotFound(_))
    ));
    task.abort();
}

#[tokio::test]
async fn hostile_ids_reach_the_server_whole() {
    let (_, c, task) = start(|config| {
        config.items = HOSTILE.iter().map(|s| (*s).to_owned()).collect();
    })
    .await;
    let files = file::Client::new(c.clone());
    let downloads = download_session::Client::new(c.clone());
    for id in HOSTILE {
        assert!(
            files.list(ItemId::new(*id)).await.unwrap().is_empty(),
            "{id}"
        );
        let session = downloads.create(None, download_spec(id)).await.unwrap();
        let model = downloads.get(session).await.unwrap();
        assert_eq!(model.library_item_id.unwrap().as_str(), *id);
        // A file name with the same characters, in the query of File.get.
        assert!(matches!(
            files.get(ItemId::new(*id), (*id).to_owned()).await,
            Err(file::GetError::NotFound(_))
        ));
    }
    // `..` cannot travel in a URL path (URLs resolve it even encoded): refused before sending,
    // rather than reaching another resource.
    let err = files.list(ItemId::new("..")).await.unwrap_err();
    let file::ListError::Unhandled(u) = err else {
        panic!("{err:?}")
    };
    assert_eq!(u.status(), None);
    assert!(
        u.to_string().contains("cannot be sent in a URL path"),
        "{u}"
    );
    task.abort();
}

#[tokio::test]
async fn calls_without_a_session_are_refused_as_vcenter_does() {
    let (base, c, task) = start(|_| {}).await;
    let http = reqwest::Client::new();
    let url = format!("{base}/api/content/library/item/download-session");
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_type"], "UNAUTHENTICATED");
    let r = http
        .post(format!("{base}/api/session"))
        .basic_auth("administrator@vsphere.local", Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The typed client maps a 401 to the catch-all of operations that do not declare it.
    let anonymous = Connection::new(&base).unwrap();
    let err = download_session::Client::new(anonymous)
        .list(None)
        .await
        .unwrap_err();
    match err {
        download_session::ListError::Unhandled(u) => {
            assert_eq!(u.status(), Some(401));
            assert_eq!(u.error_type(), Some("UNAUTHENTICATED"));
        }
        other => panic!("{other:?}"),
    }
    // Logging out ends the session.
    c.logout().await.unwrap();
    let err = download_session::Client::new(c)
        .list(None)
        .await
        .unwrap_err();
    assert!(matches!(err, download_session::ListError::Unhandled(_)));
    task.abort();
}

#[tokio::test]
async fn nesting_and_answer_sizes_are_limited() {
    let (base, c, task) = start(|config| config.body_limit = 64 * 1024).await;
    let session = c.session_id().unwrap();
    // JSON nested 10 000 deep (within the body limit): refused as INVALID_ARGUMENT by the
    // parser's depth limit (128), not by exhausting the server's stack.
    let deep = format!(
        "{{\"library_item_id\": {}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let r = reqwest::Client::new()
        .post(format!("{base}/api/content/library/item/download-session"))
        .header("vmware-api-session-id", &session)
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_type"], "INVALID_ARGUMENT");
    // The server still answers.
    let sessions = download_session::Client::new(c.clone());
    assert!(sessions.list(None).await.is_ok());
    // A client that accepts answers of at most 8 bytes refuses the session id (a JSON string
    // of 38 bytes) instead of reading it.
    let small = vapi_runtime::client::ClientBuilder::new(&base)
        .max_response_bytes(8)
        .build()
        .unwrap();
    let err = small
        .login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await
        .unwrap_err();
    // The cause is the error's source, not repeated in its message.
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert!(
        cause
            .as_deref()
            .is_some_and(|c| c.contains("larger than the limit of 8 bytes")),
        "{err}: {cause:?}"
    );
    task.abort();
}

#[tokio::test]
async fn the_server_checks_inputs_and_limits_bodies() {
    let (base, c, task) = start(|config| config.body_limit = 4096).await;
    let http = reqwest::Client::new();
    let session = c.session_id().unwrap();
    let url = format!("{base}/api/content/library/item/download-session");
    // A spec that breaks the presence rule of `create`: 400 INVALID_ARGUMENT naming the field.
    let r = http
        .post(&url)
        .header("vmware-api-session-id", &session)
        .json(&serde_json::json!({"library_item_id": "sim-item-1", "state": "ACTIVE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_type"], "INVALID_ARGUMENT");
    let text = body["messages"][0]["default_message"].as_str().unwrap();
    assert!(
        text.contains("`create_spec.state` must not be set for `create`"),
        "{text}"
    );
    // Not JSON.
    let r = http
        .post(&url)
        .header("vmware-api-session-id", &session)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Too large.
    let r = http
        .post(&url)
        .header("vmware-api-session-id", &session)
        .body(vec![b' '; 10_000])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // An unknown action and an unknown path.
    let r = http
        .post(format!("{url}/x?action=explode"))
        .header("vmware-api-session-id", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_type"], "OPERATION_NOT_FOUND");
    // The typed client refuses the same spec before sending anything.
    let bad = DownloadSessionModel {
        state: Some(DownloadSessionModelState::Active),
        ..download_spec("sim-item-1")
    };
    let err = download_session::Client::new(c)
        .create(None, bad)
        .await
        .unwrap_err();
    let download_session::CreateError::Unhandled(u) = err else {
        panic!("{err:?}")
    };
    assert_eq!(u.status(), None, "nothing was sent");
    task.abort();
}

#[tokio::test]
async fn concurrent_sessions_are_distinct() {
    let (_, c, task) = start(|_| {}).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let client = download_session::Client::new(c.clone());
        tasks.push(tokio::spawn(async move {
            client
                .create(None, download_spec(vapi_sim::DEFAULT_ITEM))
                .await
                .unwrap()
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().into_string());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 16);
    task.abort();
}

#[tokio::test]
async fn idle_sessions_expire() {
    let (_, c, task) = start(|config| config.idle_timeout = Duration::from_millis(200)).await;
    let downloads = download_session::Client::new(c.clone());
    let d = downloads
        .create(None, download_spec(vapi_sim::DEFAULT_ITEM))
        .await
        .unwrap();
    downloads.keep_alive(d.clone(), None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(matches!(
        downloads.keep_alive(d.clone(), None).await,
        Err(download_session::KeepAliveError::NotAllowedInCurrentState(
            _
        ))
    ));
    let model = downloads.get(d).await.unwrap();
    assert_eq!(model.state, Some(DownloadSessionModelState::Error));
    task.abort();
}
