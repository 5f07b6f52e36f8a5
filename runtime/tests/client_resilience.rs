//! The client's send path against a server on 127.0.0.1 that drops connections, answers
//! "busy" and expires sessions: what is retried, what is not, and the new login.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Answer, BASIC_ADMIN_HUNTER2, Sessions, TestServer};
use vapi_runtime::client::{ClientBuilder, Connection, Request, RetryConfig};
use vapi_runtime::{HttpMethod, OperationDescriptor, RestBody, RestMapping};

/// Retries without noticeable waits, so that the tests are quick.
fn fast_retries() -> RetryConfig {
    RetryConfig::standard()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(2))
        .max_backoff(Duration::from_millis(10))
}

fn connection(server: &TestServer) -> Connection {
    ClientBuilder::new(server.url())
        .retry(fast_retries())
        .build()
        .unwrap()
}

/// A server with [`Sessions`] for `administrator@vsphere.local` / `hunter2` that answers every
/// call in a session with `"ok"`, and its sessions.
fn sessions_server() -> (Arc<Sessions>, TestServer) {
    let sessions = Sessions::new(BASIC_ADMIN_HUNTER2);
    let server = {
        let sessions = Arc::clone(&sessions);
        TestServer::start(move |_, request| sessions.answer(request, r#""ok""#))
    };
    (sessions, server)
}

/// `connection`, logged in to a [`sessions_server`].
async fn logged_in(connection: Connection) -> Connection {
    connection
        .login("administrator@vsphere.local", "hunter2")
        .await
        .unwrap();
    connection
}

fn create() -> Request {
    let mut request = Request::new(HttpMethod::Post, "/content/library/item/update-session");
    request
        .json(&serde_json::json!({"library_item_id": "item-1"}))
        .unwrap();
    request
}

#[tokio::test]
async fn a_get_is_retried_after_a_dropped_connection() {
    let server = TestServer::start(|connection, _| match connection {
        0 => Answer::Drop,
        _ => Answer::Json(200, &[], r#"["a.ovf"]"#.to_owned()),
    });
    let response = connection(&server)
        .send(Request::new(HttpMethod::Get, "/content/library/item"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.result::<Vec<String>>().unwrap(), ["a.ovf"]);
    assert_eq!(server.connections(), 2, "one dropped, one answered");
}

#[tokio::test]
async fn a_get_stops_after_the_attempts_allowed() {
    let server = TestServer::start(|_, _| Answer::Drop);
    let error = connection(&server)
        .send(Request::new(HttpMethod::Get, "/content/library/item"))
        .await
        .unwrap_err();
    assert_eq!(server.connections(), 3);
    assert!(!error.to_string().is_empty());

    let server = TestServer::start(|_, _| Answer::Drop);
    let once = connection(&server).with_retry(RetryConfig::disabled());
    assert!(
        once.send(Request::new(HttpMethod::Get, "/x"))
            .await
            .is_err()
    );
    assert_eq!(server.connections(), 1, "retries disabled");
}

#[tokio::test]
async fn a_create_without_a_client_token_is_not_retried() {
    let server = TestServer::start(|connection, _| match connection {
        0 => Answer::Drop,
        _ => Answer::Json(201, &[], r#""session-2""#.to_owned()),
    });
    let result = connection(&server).send(create()).await;
    assert!(
        result.is_err(),
        "the dropped create is reported, not repeated"
    );
    assert_eq!(
        server.connections(),
        1,
        "it may have created a session: sent once"
    );
}

#[tokio::test]
async fn a_create_with_a_client_token_is_retried_with_the_same_token() {
    let server = TestServer::start(|connection, _| match connection {
        0 => Answer::Drop,
        _ => Answer::Json(201, &[], r#""session-1""#.to_owned()),
    });
    let mut request = create();
    request
        .header_value("Client-Token", &Some("token-42"))
        .unwrap();
    let response = connection(&server).send(request).await.unwrap();
    assert_eq!(response.result::<String>().unwrap(), "session-1");
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(request.header("client-token"), Some("token-42"));
        assert_eq!(request.body, br#"{"library_item_id":"item-1"}"#);
    }
}

#[tokio::test]
async fn a_create_of_an_operation_that_takes_a_client_token_gets_one_and_is_retried() {
    const CREATE: OperationDescriptor = OperationDescriptor {
        service: "com.vmware.content.library.item.update_session",
        name: "create",
        params: &["client_token", "create_spec"],
        privileges: &[],
        errors: &[],
        rest: Some(RestMapping {
            method: HttpMethod::Post,
            path: "/content/library/item/update-session",
            action: None,
            path_params: &[],
            query: &[],
            headers: &[("Client-Token", "client_token")],
            body: RestBody::Param("create_spec"),
        }),
    };
    let server = TestServer::start(|connection, _| match connection {
        0 => Answer::Drop,
        _ => Answer::Json(201, &[], r#""session-1""#.to_owned()),
    });
    let mut request = create();
    request.operation(&CREATE);
    let response = connection(&server).send(request).await.unwrap();
    assert_eq!(response.status, 201);
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let token = seen[0].header("client-token").unwrap();
    assert_eq!(token.len(), 36);
    assert_eq!(
        seen[1].header("client-token"),
        Some(token),
        "the same token"
    );
}

#[tokio::test]
async fn busy_answers_are_retried_only_when_safe_and_after_retry_after() {
    let busy = r#"{"error_type":"SERVICE_UNAVAILABLE","messages":[]}"#;
    let server = TestServer::start(move |connection, _| match connection {
        0 => Answer::Json(503, &[("retry-after", "0")], busy.to_owned()),
        _ => Answer::Json(200, &[], "[]".to_owned()),
    });
    let response = connection(&server)
        .send(Request::new(HttpMethod::Get, "/content/library/item"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(server.connections(), 2);

    let server = TestServer::start(move |_, _| Answer::Json(503, &[], busy.to_owned()));
    let response = connection(&server).send(create()).await.unwrap();
    assert_eq!(response.status, 503, "a create is answered, not repeated");
    assert_eq!(server.connections(), 1);

    // A delete the caller declares idempotent is retried like a GET.
    let server = TestServer::start(move |_, _| Answer::Json(503, &[], busy.to_owned()));
    let mut delete = Request::new(HttpMethod::Delete, "/content/library/item/item-1");
    delete.idempotent(true);
    let response = connection(&server).send(delete).await.unwrap();
    assert_eq!(response.status, 503);
    assert_eq!(server.connections(), 3);
}

#[tokio::test]
async fn an_error_that_is_not_transient_is_not_retried() {
    let server = TestServer::start(|_, _| {
        Answer::Json(
            404,
            &[],
            r#"{"error_type":"NOT_FOUND","messages":[]}"#.to_owned(),
        )
    });
    let response = connection(&server)
        .send(Request::new(HttpMethod::Get, "/content/library/item/x"))
        .await
        .unwrap();
    assert_eq!(response.status, 404);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_call_times_out_per_call() {
    // The server holds every answer until the test is done (at most 60 s); a call may take
    // 100 ms. Without the timeout a call would wait for the server, so the bound below has a
    // wide margin for a loaded machine without making the test wait for it.
    let (release, held) = std::sync::mpsc::channel::<()>();
    let held = std::sync::Mutex::new(held);
    let server = TestServer::start(move |_, _| {
        if let Ok(held) = held.lock() {
            let _ = held.recv_timeout(Duration::from_secs(60));
        }
        Answer::Json(200, &[], "[]".to_owned())
    });
    let bound = Duration::from_secs(20);
    let started = Instant::now();
    let mut request = Request::new(HttpMethod::Post, "/content/library/item");
    request.timeout(Duration::from_millis(100));
    let error = connection(&server).send(request).await.unwrap_err();
    assert!(started.elapsed() < bound, "{error}");

    let started = Instant::now();
    let quick = connection(&server)
        .with_timeout(Duration::from_millis(100))
        .with_retry(RetryConfig::disabled());
    assert!(quick.send(create()).await.is_err());
    assert!(started.elapsed() < bound);
    // Lets the server answer what it holds, so that it stops at once.
    drop(release);
}

#[tokio::test]
async fn an_expired_session_logs_in_again_and_the_call_goes_through() {
    let (sessions, server) = sessions_server();
    let connection = logged_in(connection(&server)).await;
    assert_eq!(connection.session_id().as_deref(), Some("session-1-7f3a"));

    sessions.expire();
    // A create too: the server refused it before doing anything.
    let response = connection.send(create()).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(sessions.logins(), 2);
    assert_eq!(connection.session_id().as_deref(), Some("session-2-7f3a"));
    // Every clone shares the new session.
    let clone = connection.clone();
    let response = clone
        .send(Request::new(HttpMethod::Get, "/x"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(sessions.logins(), 2);

    // Once only: when the new login is refused, the call's answer is UNAUTHENTICATED.
    sessions.expire();
    *sessions.authorization.lock().unwrap() = "Basic changed".to_owned();
    let response = connection
        .send(Request::new(HttpMethod::Get, "/x"))
        .await
        .unwrap();
    assert_eq!(response.status, 401);
    assert_eq!(response.error_type().as_deref(), Some("UNAUTHENTICATED"));
    let login_attempts = server
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.path == "/api/session")
        .count();
    assert_eq!(login_attempts, 3, "one login, one new login, one refused");
}

#[tokio::test]
async fn concurrent_calls_share_one_new_login() {
    let (sessions, server) = sessions_server();
    let connection = logged_in(connection(&server)).await;
    sessions.expire();
    let calls = (0..4).map(|_| {
        let c = connection.clone();
        tokio::spawn(async move { c.send(Request::new(HttpMethod::Get, "/x")).await })
    });
    for call in calls.collect::<Vec<_>>() {
        assert_eq!(call.await.unwrap().unwrap().status, 200);
    }
    assert_eq!(sessions.logins(), 2, "the calls waited for one new login");
}

#[tokio::test]
async fn no_new_login_when_turned_off_or_after_logout() {
    let (sessions, server) = sessions_server();
    let connection = logged_in(
        ClientBuilder::new(server.url())
            .relogin(false)
            .build()
            .unwrap(),
    )
    .await;
    sessions.expire();
    let response = connection
        .send(Request::new(HttpMethod::Get, "/x"))
        .await
        .unwrap();
    assert_eq!(response.status, 401);
    assert_eq!(sessions.logins(), 1);

    // Without a session there is nothing to renew: the server just says who is missing.
    let anonymous = ClientBuilder::new(server.url()).build().unwrap();
    let response = anonymous
        .send(Request::new(HttpMethod::Get, "/x"))
        .await
        .unwrap();
    assert_eq!(response.status, 401);
    assert_eq!(sessions.logins(), 1);
}
