//! The `tracing` a call leaves: one span per call with the operation, method, path, status,
//! attempts and duration, events for a retry and a new login, and never a secret. Its own test
//! binary, because it installs a subscriber.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Answer, BASIC_ADMIN_HUNTER2, Sessions, TestServer};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use vapi_runtime::client::{ClientBuilder, Request, RetryConfig};
use vapi_runtime::{HttpMethod, OperationDescriptor};

type Fields = BTreeMap<String, String>;
/// An event's fields and the span it happened in (`None`: outside every span).
type Recorded = (Option<u64>, Fields);

/// A subscriber that keeps every span (name and fields) and every event (fields, with the
/// span it happened in).
#[derive(Clone, Default)]
struct Recorder {
    spans: Arc<Mutex<Vec<(String, Fields)>>>,
    events: Arc<Mutex<Vec<Recorded>>>,
    current: Arc<Mutex<Vec<u64>>>,
}

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields::new();
        span.record(&mut Collect(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((span.metadata().name().to_owned(), fields));
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let index = usize::try_from(span.into_u64() - 1).unwrap();
        values.record(&mut Collect(&mut spans[index].1));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::new();
        event.record(&mut Collect(&mut fields));
        let within = self.current.lock().unwrap().last().copied();
        self.events.lock().unwrap().push((within, fields));
    }
    fn enter(&self, span: &Id) {
        self.current.lock().unwrap().push(span.into_u64());
    }
    fn exit(&self, _: &Id) {
        self.current.lock().unwrap().pop();
    }
}

const LIST: OperationDescriptor = OperationDescriptor {
    service: "com.vmware.content.library.item",
    name: "list",
    privileges: &[],
    errors: &[],
    rest: None,
};

#[test]
fn calls_are_traced_with_their_operation_and_without_secrets() {
    let sessions = Sessions::new(BASIC_ADMIN_HUNTER2);
    let dropped_once = Arc::new(AtomicBool::new(false));
    let server = {
        let (sessions, dropped_once) = (sessions.clone(), dropped_once.clone());
        TestServer::start(move |_, request| {
            if request.path.starts_with("/api/flaky") && !dropped_once.swap(true, Ordering::SeqCst)
            {
                return Answer::Drop;
            }
            sessions.answer(request, r#"["item-1"]"#)
        })
    };
    let recorder = Recorder::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(recorder.clone(), || {
        runtime.block_on(async {
            let connection = ClientBuilder::new(server.url())
                .retry(RetryConfig::standard().initial_backoff(Duration::from_millis(1)))
                .build()
                .unwrap();
            connection
                .login("administrator@vsphere.local", "hunter2")
                .await
                .unwrap();
            sessions.expire();
            let mut list = Request::new(HttpMethod::Get, "/content/library/item");
            list.query("library_id", "lib-1").operation(&LIST);
            assert_eq!(connection.send(list).await.unwrap().status, 200);
            let flaky = Request::new(HttpMethod::Get, "/flaky");
            assert_eq!(connection.send(flaky).await.unwrap().status, 200);
        });
    });

    let spans = recorder.spans.lock().unwrap().clone();
    let events = recorder.events.lock().unwrap().clone();
    let calls: Vec<&Fields> = spans
        .iter()
        .filter(|(name, _)| name == "vapi.call")
        .map(|(_, f)| f)
        .collect();
    assert_eq!(calls.len(), 2, "{spans:#?}");

    let list = calls[0];
    assert_eq!(list["rpc.service"], "com.vmware.content.library.item");
    assert_eq!(list["rpc.method"], "list");
    assert_eq!(list["http.request.method"], "GET");
    assert_eq!(list["url.path"], "/content/library/item");
    assert_eq!(list["http.response.status_code"], "200");
    assert_eq!(list["vapi.attempts"], "1", "a new login is no retry");
    assert!(list["duration_ms"].parse::<u64>().is_ok());
    assert!(!list.contains_key("error"));

    let flaky = calls[1];
    assert!(!flaky.contains_key("rpc.service"), "no operation named");
    assert_eq!(flaky["vapi.attempts"], "2");
    assert_eq!(flaky["http.response.status_code"], "200");

    let span_index = |fields: &Fields| {
        spans
            .iter()
            .position(|(_, f)| std::ptr::eq(f, fields))
            .map(|i| i as u64 + 1)
    };
    let relogin: Vec<_> = events
        .iter()
        .filter(|(_, e)| e.get("message").map(String::as_str) == Some("vapi.relogin"))
        .collect();
    assert_eq!(relogin.len(), 1, "{events:#?}");
    assert_eq!(
        relogin[0].0,
        span_index(list),
        "the new login is inside the call's span"
    );
    assert_eq!(relogin[0].1["user"], "administrator@vsphere.local");
    let retries: Vec<_> = events
        .iter()
        .filter(|(_, e)| e.get("message").map(String::as_str) == Some("vapi.retry"))
        .collect();
    assert_eq!(retries.len(), 1, "{events:#?}");
    assert_eq!(retries[0].0, span_index(flaky));
    assert_eq!(retries[0].1["attempt"], "1");

    // No password, session id, credentials header or query value anywhere.
    let everything = format!("{spans:?} {events:?}");
    for secret in ["hunter2", "7f3a", "YWRtaW5p", "lib-1"] {
        assert!(
            !everything.contains(secret),
            "{secret} leaked: {everything}"
        );
    }
}
