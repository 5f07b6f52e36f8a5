//! A call through the generated bindings leaves one `vapi.call` span naming its service and
//! operation, recorded by a test subscriber, with no secret in it. Its own test binary, because
//! it installs a subscriber.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::format::FmtSpan;
use vapi_bindings::{Api, Connection};

/// A password no span or event may show (the simulator's default, `vmware`, is in every
/// service name).
const PASSWORD: &str = "Pa55-w0rd-in-no-log";

/// What the subscriber writes, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_generated_call_is_a_span_with_its_service_and_operation() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let session = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let (addr, _, task) = vapi_sim::spawn("127.0.0.1:0", |config| {
                config.password = PASSWORD.to_owned();
            })
            .await
            .unwrap();
            let connection = Connection::new(format!("http://{addr}")).unwrap();
            connection
                .login(vapi_sim::DEFAULT_USER, PASSWORD)
                .await
                .unwrap();
            let api = Api::new(connection.clone());
            api.item_file().list(vapi_sim::DEFAULT_ITEM).await.unwrap();
            let missing = api.download_session().get("no-such-session").await;
            assert!(missing.is_err());
            task.abort();
            connection.session_id().unwrap()
        })
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let calls: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("vapi.call{") && l.contains("close"))
        .collect();
    let list = calls
        .iter()
        .find(|l| l.contains("rpc.method=\"list\"") || l.contains("rpc.method=list"))
        .unwrap_or_else(|| panic!("no span of the list call in:\n{text}"));
    assert!(
        list.contains("com.vmware.content.library.item.file"),
        "{list}"
    );
    assert!(list.contains("http.response.status_code=200"), "{list}");
    let get = calls
        .iter()
        .find(|l| l.contains("com.vmware.content.library.item.download_session"))
        .unwrap_or_else(|| panic!("no span of the get call in:\n{text}"));
    assert!(get.contains("http.response.status_code=404"), "{get}");
    assert!(!text.contains(&session), "the session id is never recorded");
    assert!(!text.contains(PASSWORD), "nor the password");
}
