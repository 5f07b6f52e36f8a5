//! Load and hostile input against the simulator on 127.0.0.1, bounded in count and time:
//! concurrent full flows on contended items, huge and deep JSON, a huge header, clients that
//! stop sending half way. Every answer is a clear vAPI error or a success, and the simulator
//! keeps serving.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::updatesession::{self as ups, File as _};
use vapi_bindings::content::library::item::{
    UpdateSession as _, UpdateSessionModel, update_session,
};
use vapi_runtime::client::Connection;

use common::{download, sha, upload};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_clients_run_full_flows_on_contended_items() {
    let items = ["i0", "i1", "i2", "i3"];
    let s = common::start(|c| c.items = items.iter().map(|s| (*s).to_owned()).collect()).await;
    let base = s.base.clone();
    let clients: Vec<_> = (0..16)
        .map(|n| {
            let base = base.clone();
            tokio::spawn(async move {
                let c = Connection::new(&base).unwrap();
                c.login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
                    .await
                    .unwrap();
                let http = reqwest::Client::new();
                // Four clients share each item.
                let item = ["i0", "i1", "i2", "i3"][n % 4];
                let mut written = Vec::new();
                for round in 0..3 {
                    let name = format!("c{n}-r{round}.bin");
                    let data = format!("{n}:{round};").repeat(3000 + n * 100).into_bytes();
                    upload(&c, &http, item, &name, &data).await.unwrap();
                    let back = download(&c, &http, item, &name).await.unwrap();
                    assert_eq!(sha(&back), sha(&data), "{name} came back changed");
                    written.push((item, name, sha(&data)));
                }
                (c, written)
            })
        })
        .collect();
    let all = tokio::time::timeout(Duration::from_secs(120), async {
        let mut all = Vec::new();
        for client in clients {
            all.push(client.await.unwrap());
        }
        all
    })
    .await
    .expect("the flows finished (no hang)");
    // Nothing lost: every file every client completed is still there, unchanged.
    let http = reqwest::Client::new();
    for (c, written) in &all {
        for (item, name, digest) in written {
            assert_eq!(&sha(&download(c, &http, item, name).await.unwrap()), digest);
        }
    }
    s.stop().await;
}

fn is_vapi_error(body: &Value, error_type: &str) -> bool {
    body["error_type"] == error_type && body["messages"].is_array()
}

#[tokio::test]
async fn huge_and_deep_json_bodies_are_refused_clearly() {
    let s = common::start(|_| {}).await;
    let base = s.base.clone();
    let http = reqwest::Client::new();
    let session = s.session();
    let url = format!("{base}/api/content/library/item/update-session");
    // 64 MiB: more than the 1 MiB body limit.
    let huge = format!(
        "{{\"create_spec\":{{\"library_item_id\":\"{}\"}}}}",
        "x".repeat(64 << 20)
    );
    let r = http
        .post(&url)
        .header("vmware-api-session-id", &session)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await;
    // The server answers 413 at once; it may close the connection before the client has
    // finished sending, which the client sees as a broken pipe.
    if let Ok(r) = r {
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    // 100,000 levels of nesting: refused as an invalid argument, no stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let r = http
        .post(&url)
        .header("vmware-api-session-id", &session)
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert!(is_vapi_error(&body, "INVALID_ARGUMENT"), "{body}");
    // Still serving.
    let r = http
        .get(format!("{base}/api/session"))
        .header("vmware-api-session-id", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    s.stop().await;
}

#[tokio::test]
async fn a_one_mebibyte_header_is_refused() {
    let s = common::start(|_| {}).await;
    let base = s.base.clone();
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{base}/api/session"))
        .header("x-big", "y".repeat(1 << 20))
        .send()
        .await;
    // hyper refuses a head over its buffer with 431, or drops the connection.
    if let Ok(r) = r {
        assert_eq!(r.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }
    let r = http
        .get(format!("{base}/api/session"))
        .header("vmware-api-session-id", s.session())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    s.stop().await;
}

/// Reads what the server sends until it closes the connection or `within` passes; `None` if
/// it is still open then.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn clients_that_stop_sending_half_way_time_out_and_others_are_served() {
    let stall = Duration::from_millis(800);
    let s = common::start(|c| c.stall_timeout = stall).await;
    let (base, c) = (s.base.clone(), s.c.clone());
    let addr = base.trim_start_matches("http://").to_owned();
    let session = s.session();

    // Half a head.
    let mut head = TcpStream::connect(&addr).await.unwrap();
    head.write_all(b"GET /api/session HTTP/1.1\r\nHost: x\r\nvmware-api-")
        .await
        .unwrap();
    // A whole head and half an /api body.
    let mut body = TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "POST /api/content/library/item/update-session HTTP/1.1\r\nHost: x\r\n\
         vmware-api-session-id: {session}\r\ncontent-type: application/json\r\n\
         content-length: 1000\r\n\r\n{{\"create_spec\":"
    );
    body.write_all(request.as_bytes()).await.unwrap();
    // Half an upload.
    let updates = update_session::Client::new(c.clone());
    let u = updates
        .create(
            None,
            UpdateSessionModel {
                library_item_id: Some(ItemId::new(vapi_sim::DEFAULT_ITEM)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let info = ups::file::Client::new(c.clone())
        .add(
            u.clone(),
            ups::FileAddSpec::new("half.bin".into(), ups::FileSourceType::Push),
        )
        .await
        .unwrap();
    let path = info.upload_endpoint.unwrap().uri.to_string();
    let path = path.trim_start_matches(&base).to_owned();
    let mut upload = TcpStream::connect(&addr).await.unwrap();
    upload
        .write_all(
            format!("PUT {path} HTTP/1.1\r\nHost: x\r\ncontent-length: 100000\r\n\r\nabc")
                .as_bytes(),
        )
        .await
        .unwrap();

    // Meanwhile everyone else is served, promptly.
    let http = reqwest::Client::new();
    for _ in 0..5 {
        let r = tokio::time::timeout(
            Duration::from_secs(2),
            http.get(format!("{base}/api/session"))
                .header("vmware-api-session-id", &session)
                .send(),
        )
        .await
        .expect("served while others stall")
        .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    // Each stuck connection is closed after the stall timeout (with a 408 where a request was
    // under way).
    let within = stall * 4;
    let answered = read_until_closed(&mut head, within).await;
    assert!(answered.is_some(), "the half head was not timed out");
    let answered = read_until_closed(&mut body, within)
        .await
        .expect("half body timed out");
    assert!(answered.starts_with("HTTP/1.1 408"), "{answered}");
    assert!(answered.contains("TIMED_OUT"), "{answered}");
    let answered = read_until_closed(&mut upload, within)
        .await
        .expect("half upload timed out");
    assert!(answered.starts_with("HTTP/1.1 408"), "{answered}");
    // The half upload left the file unreceived.
    let got = ups::file::Client::new(c.clone())
        .get(u, "half.bin".into())
        .await
        .unwrap();
    assert_eq!(got.bytes_transferred, 0);
    s.stop().await;
}
