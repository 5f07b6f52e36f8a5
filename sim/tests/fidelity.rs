//! What the simulator answers where vCenter's documentation says what it answers: Session.Info,
//! API session expiry, Changes, UUID-shaped session ids, the InvalidArgument of a missing file
//! in a download session. On 127.0.0.1, each test with its own simulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::updatesession::{self as ups, File as _};
use vapi_bindings::content::library::item::{
    Changes as _, DownloadSession as _, DownloadSessionModel, UpdateSession as _,
    UpdateSessionModel, VersionId, changes, download_session, update_session,
};

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| {
            g.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        })
}

#[tokio::test]
async fn get_session_answers_the_documented_session_info() {
    let s = common::start(|_| {}).await;
    let (base, c) = (s.base.clone(), s.c.clone());
    let http = reqwest::Client::new();
    let id = c.session_id().unwrap();
    let first: Value = http
        .get(format!("{base}/api/session"))
        .header("vmware-api-session-id", id.as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["user"], vapi_sim::DEFAULT_USER);
    let created = first["created_time"].as_str().unwrap().to_owned();
    let accessed = first["last_accessed_time"].as_str().unwrap().to_owned();
    // The wire form of a vAPI datetime: YYYY-MM-DDThh:mm:ss.sssZ.
    for t in [&created, &accessed] {
        assert!(t.parse::<vapi_runtime::DateTime>().is_ok(), "{t}");
        assert!(t.ends_with('Z') && t.len() == 24, "{t}");
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    let second: Value = http
        .get(format!("{base}/api/session"))
        .header("vmware-api-session-id", id.as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["created_time"], created.as_str());
    assert!(second["last_accessed_time"].as_str().unwrap() > accessed.as_str());
    s.stop().await;
}

#[tokio::test]
async fn idle_api_sessions_expire() {
    // Margins wide enough for a loaded CI machine: calls come every 250 ms against a 2 s
    // timeout, and the final wait is 3 s.
    let s = common::start(|c| c.api_session_idle_timeout = Duration::from_secs(2)).await;
    let (base, c) = (s.base.clone(), s.c.clone());
    let http = reqwest::Client::new();
    let id = c.session_id().unwrap();
    let get = || {
        http.get(format!("{base}/api/session"))
            .header("vmware-api-session-id", id.as_str())
            .send()
    };
    // Calls keep it alive...
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(get().await.unwrap().status(), StatusCode::OK);
    }
    // ...idleness ends it.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(get().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    s.stop().await;
}

#[tokio::test]
async fn session_ids_are_uuids() {
    let s = common::start(|_| {}).await;
    let c = s.c.clone();
    let spec_d = DownloadSessionModel {
        library_item_id: Some(ItemId::new(vapi_sim::DEFAULT_ITEM)),
        ..Default::default()
    };
    let d = download_session::Client::new(c.clone())
        .create(None, spec_d)
        .await
        .unwrap();
    let spec_u = UpdateSessionModel {
        library_item_id: Some(ItemId::new(vapi_sim::DEFAULT_ITEM)),
        ..Default::default()
    };
    let u = update_session::Client::new(c.clone())
        .create(None, spec_u)
        .await
        .unwrap();
    assert!(is_uuid(d.as_str()), "{d}");
    assert!(is_uuid(u.as_str()), "{u}");
    assert_ne!(d.as_str(), u.as_str());
    s.stop().await;
}

#[tokio::test]
async fn changes_list_every_version_newest_first() {
    let s = common::start(|_| {}).await;
    let c = s.c.clone();
    let item = ItemId::new(vapi_sim::DEFAULT_ITEM);
    let history = changes::Client::new(c.clone());
    let at_start = history.list(item.clone()).await.unwrap();
    assert_eq!(at_start.len(), 1);
    assert_eq!(at_start[0].version.as_str(), "1");

    // One completed update session: version 2.
    let updates = update_session::Client::new(c.clone());
    let u = updates
        .create(
            None,
            UpdateSessionModel {
                library_item_id: Some(item.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let info = ups::file::Client::new(c.clone())
        .add(
            u.clone(),
            ups::FileAddSpec::new("n.txt".into(), ups::FileSourceType::Push),
        )
        .await
        .unwrap();
    let r = reqwest::Client::new()
        .put(info.upload_endpoint.unwrap().uri.to_string())
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    updates.complete(u).await.unwrap();

    let after = history.list(item.clone()).await.unwrap();
    let versions: Vec<&str> = after.iter().map(|s| s.version.as_str()).collect();
    assert_eq!(versions, ["2", "1"]);
    assert!(after[0].time >= after[1].time);
    assert_eq!(after[0].user.as_deref(), Some(vapi_sim::DEFAULT_USER));
    let two = history
        .get(item.clone(), VersionId::new("2"))
        .await
        .unwrap();
    assert!(two.message.unwrap().contains("n.txt"));
    assert!(matches!(
        history.get(item.clone(), VersionId::new("9")).await,
        Err(changes::GetError::NotFound(_))
    ));
    assert!(matches!(
        history.list(ItemId::new("no-such-item")).await,
        Err(changes::ListError::NotFound(_))
    ));
    assert!(matches!(
        history
            .get(ItemId::new("no-such-item"), VersionId::new("1"))
            .await,
        Err(changes::GetError::NotFound(_))
    ));
    s.stop().await;
}

/// VMware's Python SDK (9.1.1.0, REST) sends `File.get` as `GET …/file?name` (a key without a
/// value, marking the operation) with `{"name": …}` as the body: the body gives the value.
#[tokio::test]
async fn a_query_key_without_value_takes_its_value_from_the_body() {
    let s = common::start(|_| {}).await;
    let http = reqwest::Client::new();
    common::upload(&s.c, &http, vapi_sim::DEFAULT_ITEM, "disk-0.vmdk", b"bytes")
        .await
        .unwrap();
    let item = vapi_sim::DEFAULT_ITEM;
    for (query, body) in [
        ("file?name", r#"{"name":"disk-0.vmdk"}"#),
        ("file?name=disk-0.vmdk", ""),
        ("storage?file_name", r#"{"file_name":"disk-0.vmdk"}"#),
    ] {
        let r = http
            .get(format!(
                "{}/api/content/library/item/{item}/{query}",
                s.base
            ))
            .header("vmware-api-session-id", s.session())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        let v: Value = r.json().await.unwrap();
        let info = if v.is_array() { &v[0] } else { &v };
        assert_eq!(info["name"], "disk-0.vmdk", "{query}: {v}");
    }
    s.stop().await;
}

/// The documented `InvalidArgument` of both creates: a `client_token` that is not a UUID.
#[tokio::test]
async fn a_client_token_must_be_a_uuid() {
    let s = common::start(|_| {}).await;
    let c = s.c.clone();
    let item = vapi_sim::DEFAULT_ITEM;
    let r = update_session::Client::new(c.clone())
        .create(Some("token-1".into()), common::update_spec(item))
        .await;
    assert!(
        matches!(r, Err(update_session::CreateError::InvalidArgument(_))),
        "{r:?}"
    );
    let r = download_session::Client::new(c.clone())
        .create(Some("token-1".into()), common::download_spec(item))
        .await;
    assert!(
        matches!(r, Err(download_session::CreateError::InvalidArgument(_))),
        "{r:?}"
    );
    let token = "B8A2A2E3-2314-43CD-A871-6EDE0F429751";
    let d = download_session::Client::new(c.clone())
        .create(Some(token.into()), common::download_spec(item))
        .await
        .unwrap();
    let again = download_session::Client::new(c)
        .create(Some(token.into()), common::download_spec(item))
        .await
        .unwrap();
    assert_eq!(d.as_str(), again.as_str());
    // The same token given to the other create is another request: its own session.
    let u = update_session::Client::new(s.c.clone())
        .create(Some(token.into()), common::update_spec(item))
        .await
        .unwrap();
    assert_ne!(u.as_str(), d.as_str());
    s.stop().await;
}

/// A call refused before it runs (401 without a session, 403 for a user without the
/// privileges) still reads the request's body, so the connection stays usable: a client that
/// pools connections (the Python SDK's requests) sends its next call on it.
#[tokio::test]
async fn a_refused_call_keeps_its_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let s = common::start(|c| c.limited_users.push("nobody@x=".parse().unwrap())).await;
    let nobody = vapi_runtime::client::Connection::new(&s.base).unwrap();
    nobody
        .login("nobody@x", vapi_sim::DEFAULT_PASSWORD)
        .await
        .unwrap();
    let addr = s.base.trim_start_matches("http://").to_owned();
    for (session, status) in [(None, "401"), (Some(nobody.session_id().unwrap()), "403")] {
        let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let header = session
            .map(|id| format!("vmware-api-session-id: {id}\r\n"))
            .unwrap_or_default();
        let body = format!(
            r#"{{"client_progress": 1, "pad": "{}"}}"#,
            "x".repeat(64 << 10)
        );
        for round in 0..2 {
            let request = format!(
                "POST /api/content/library/item/update-session/{}?action=keep-alive HTTP/1.1\r\n\
                 host: {addr}\r\ncontent-type: application/json\r\n{header}\
                 content-length: {}\r\n\r\n{body}",
                "00000000-0000-4000-8000-000000000000",
                body.len()
            );
            tcp.write_all(request.as_bytes()).await.unwrap();
            // Read one answer: its head, then the body its content-length announces.
            let mut answer = Vec::new();
            let mut buf = [0u8; 4096];
            let end = loop {
                let n = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut buf))
                    .await
                    .expect("an answer within 10 s")
                    .unwrap();
                assert!(n > 0, "round {round}: the server closed the connection");
                answer.extend_from_slice(&buf[..n]);
                if let Some(i) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
            };
            let head = String::from_utf8_lossy(&answer[..end]).to_lowercase();
            assert!(head.starts_with(&format!("http/1.1 {status}")), "{head}");
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            while answer.len() < end + length {
                let n = tcp.read(&mut buf).await.unwrap();
                assert!(n > 0, "round {round}: the body was cut");
                answer.extend_from_slice(&buf[..n]);
            }
        }
    }
    s.stop().await;
}
