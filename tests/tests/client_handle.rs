//! The one handle and the builders, against the simulator on 127.0.0.1: every service from one
//! `Api`, operations with optional parameters through their request builders (set, unset, sent
//! or awaited), and structure builders that name a missing required field.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use vapi_bindings::content::library::item::updatesession::{FileAddSpec, FileSourceType};
use vapi_bindings::content::library::item::{
    DownloadSessionModel, DownloadSessionModelState, FileChecksumInfo, download_session,
};
use vapi_bindings::{Api, Connection};
use vapi_runtime::BuildError;

async fn api() -> (Api, tokio::task::JoinHandle<()>) {
    let (addr, _, task) = vapi_sim::spawn("127.0.0.1:0", |_| {}).await.unwrap();
    let connection = Connection::new(format!("http://{addr}")).unwrap();
    connection
        .login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await
        .unwrap();
    (Api::new(connection), task)
}

#[tokio::test]
async fn one_handle_reaches_every_service() {
    let (api, task) = api().await;
    let item = vapi_sim::DEFAULT_ITEM;
    assert!(api.item_file().list(item).await.unwrap().is_empty());
    // Calls and requests own what they need: they can be kept, and spawned.
    let listing = api.storage().list(item);
    let request = api.download_session().list();
    let spawned = tokio::spawn(api.item_file().list(item));
    assert!(listing.await.unwrap().is_empty());
    assert!(request.await.unwrap().is_empty());
    assert!(spawned.await.unwrap().unwrap().is_empty());
    assert!(api.storage().list(item).await.unwrap().is_empty());
    assert!(!api.changes().list(item).await.unwrap().is_empty());

    // An operation with optional parameters: a request, sent with or without them.
    let spec = DownloadSessionModel::builder()
        .library_item_id(item)
        .build();
    let first = api
        .download_session()
        .create(spec.clone())
        .client_token("b8a2a2e3-2314-43cd-a871-6ede0f429751")
        .send()
        .await
        .unwrap();
    let second = api.download_session().create(spec).await.unwrap();
    assert_ne!(first, second);

    // The filter of `list`, unset and set; a request can also be kept and sent later.
    let sessions = api.download_session();
    let all = sessions.list().await.unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    let request = sessions.list().library_item_id(item);
    assert_eq!(request.send().await.unwrap().len(), 2);
    let unknown = sessions.list().library_item_id("no-such-item").await;
    assert!(
        matches!(unknown, Err(download_session::ListError::NotFound(_))),
        "the filter is sent: {unknown:?}"
    );

    let progress = sessions.keep_alive(first.clone()).progress(40);
    progress.await.unwrap();
    let session = sessions.get(first.clone()).await.unwrap();
    assert_eq!(session.client_progress, Some(40));
    assert_eq!(session.state, Some(DownloadSessionModelState::Active));
    assert!(
        api.download_session_file()
            .list(first)
            .await
            .unwrap()
            .is_empty()
    );

    // A declared error comes back as the operation's variant.
    let missing = api.download_session().get("no-such-session").await;
    assert!(
        matches!(missing, Err(download_session::GetError::NotFound(_))),
        "{missing:?}"
    );
    task.abort();
}

#[test]
fn structure_builders_name_the_missing_required_field() {
    let spec = FileAddSpec::builder()
        .name("disk.vmdk")
        .source_type(FileSourceType::Push)
        .size(42)
        .build()
        .unwrap();
    assert_eq!(spec.name, "disk.vmdk");
    assert_eq!(spec.size, Some(42));
    assert_eq!(spec.checksum_info, None);

    let error = FileAddSpec::builder()
        .name("disk.vmdk")
        .build()
        .unwrap_err();
    assert_eq!(error, BuildError::missing("FileAddSpec", "source_type"));
    assert_eq!(
        error.to_string(),
        "cannot build `FileAddSpec`: the required field `source_type` is not set"
    );
    let error = FileChecksumInfo::builder().build().unwrap_err();
    assert_eq!(error.field(), "checksum");

    // Every field optional: `build` cannot fail, and the builder agrees with `Default`.
    assert_eq!(
        DownloadSessionModel::builder().build(),
        DownloadSessionModel::default()
    );
}
