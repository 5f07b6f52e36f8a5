//! The generated clients keep working when the simulator ends their session, as vCenter does
//! after idle time: the connection logs in again, once, and the call goes through.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::{
    DownloadSession as _, DownloadSessionModel, File as _, download_session, file,
};
use vapi_runtime::client::{ClientBuilder, Connection};

/// Ends the session `id` on the server, through a second connection that shares it.
async fn end_session(base: &str, id: &str) {
    let other = ClientBuilder::new(base).session_id(id).build().unwrap();
    other.logout().await.unwrap();
}

#[tokio::test]
async fn a_session_the_simulator_ended_is_renewed_transparently() {
    let (addr, _, task) = vapi_sim::spawn("127.0.0.1:0", |_| {}).await.unwrap();
    let base = format!("http://{addr}");
    let connection = Connection::new(&base).unwrap();
    connection
        .login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await
        .unwrap();
    let files = file::Client::new(connection.clone());
    let item = ItemId::new(vapi_sim::DEFAULT_ITEM);
    files.list(item.clone()).await.unwrap();

    let first = connection.session_id().unwrap();
    end_session(&base, &first).await;
    // Without a new login this would be `Unhandled` (UNAUTHENTICATED).
    files.list(item.clone()).await.unwrap();
    let second = connection.session_id().unwrap();
    assert_ne!(first, second, "a new session");

    // A create, which is never retried, is sent again after a new login: the server refused
    // the first one before doing anything.
    end_session(&base, &second).await;
    let downloads = download_session::Client::new(connection.clone());
    let spec = DownloadSessionModel {
        library_item_id: Some(item.clone()),
        ..Default::default()
    };
    let id = downloads.create(None, spec).await.unwrap();
    assert_ne!(connection.session_id().unwrap(), second);
    downloads.get(id).await.unwrap();

    // Without the credentials (a connection given a session id), the error comes through.
    let borrowed = ClientBuilder::new(&base)
        .session_id(connection.session_id().unwrap())
        .build()
        .unwrap();
    end_session(&base, &connection.session_id().unwrap()).await;
    assert!(file::Client::new(borrowed).list(item).await.is_err());
    task.abort();
}

#[tokio::test]
async fn a_session_the_simulator_expired_after_idle_time_is_renewed_through_the_handle() {
    let (addr, _, task) = vapi_sim::spawn("127.0.0.1:0", |config| {
        config.api_session_idle_timeout = std::time::Duration::from_millis(500);
    })
    .await
    .unwrap();
    let base = format!("http://{addr}");
    let login = |connection: Connection| async move {
        connection
            .login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
            .await
            .unwrap();
        connection
    };
    let connection = login(Connection::new(&base).unwrap()).await;
    // The same, without a new login: shows that the simulator did expire the session.
    let strict = login(ClientBuilder::new(&base).relogin(false).build().unwrap()).await;
    let api = vapi_bindings::Api::new(connection.clone());
    let item = vapi_sim::DEFAULT_ITEM;
    api.item_file().list(item).await.unwrap();
    file::Client::new(strict.clone())
        .list(ItemId::new(item))
        .await
        .unwrap();

    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let before = connection.session_id().unwrap();
    api.item_file().list(item).await.unwrap();
    assert_ne!(connection.session_id().unwrap(), before, "a new session");
    let expired = file::Client::new(strict).list(ItemId::new(item)).await;
    match expired {
        Err(file::ListError::Unhandled(e)) => {
            assert_eq!(e.error_type(), Some("UNAUTHENTICATED"), "{e:?}");
        }
        other => panic!("{other:?}"),
    }
    task.abort();
}
