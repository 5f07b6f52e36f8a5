//! What the simulator's integration tests share: a simulator on 127.0.0.1 with a logged-in
//! connection, and the documented upload and download flows.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use sha2::{Digest, Sha256};
use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::downloadsession::{self as dls, File as _};
use vapi_bindings::content::library::item::updatesession::{self as ups, File as _};
use vapi_bindings::content::library::item::{
    DownloadSession as _, DownloadSessionModel, UpdateSession as _, UpdateSessionModel,
    download_session, update_session,
};
use vapi_runtime::client::Connection;

/// A simulator serving in the background, and a connection logged in to it.
pub struct Sim {
    pub base: String,
    pub c: Connection,
    pub sim: vapi_sim::Simulator,
    pub task: tokio::task::JoinHandle<()>,
}

/// Starts a simulator on a free port of 127.0.0.1, configured by `configure`, and logs in.
pub async fn start(configure: impl FnOnce(&mut vapi_sim::SimConfig)) -> Sim {
    let (addr, sim, task) = vapi_sim::spawn("127.0.0.1:0", configure).await.unwrap();
    let base = format!("http://{addr}");
    let c = Connection::new(&base).unwrap();
    c.login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await
        .unwrap();
    Sim { base, c, sim, task }
}

impl Sim {
    /// Stops serving and waits until the task has ended.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }

    /// The login session's id.
    pub fn session(&self) -> String {
        self.c.session_id().unwrap()
    }
}

pub fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn update_spec(item: &str) -> UpdateSessionModel {
    UpdateSessionModel {
        library_item_id: Some(ItemId::new(item)),
        ..Default::default()
    }
}

pub fn download_spec(item: &str) -> DownloadSessionModel {
    DownloadSessionModel {
        library_item_id: Some(ItemId::new(item)),
        ..Default::default()
    }
}

/// Uploads `data` as `name` into `item`: create (again while the item is busy, for at most
/// 10 s) → add with its size → PUT → validate → complete. The first other failure, said.
pub async fn upload(
    c: &Connection,
    http: &reqwest::Client,
    item: &str,
    name: &str,
    data: &[u8],
) -> Result<(), String> {
    let updates = update_session::Client::new(c.clone());
    let mut waited = Duration::ZERO;
    let u = loop {
        match updates.create(None, update_spec(item)).await {
            Ok(u) => break u,
            Err(update_session::CreateError::ResourceBusy(_))
                if waited < Duration::from_secs(10) =>
            {
                tokio::time::sleep(Duration::from_millis(5)).await;
                waited += Duration::from_millis(5);
            }
            Err(e) => return Err(format!("create: {e}")),
        }
    };
    let files = ups::file::Client::new(c.clone());
    let mut spec = ups::FileAddSpec::new(name.into(), ups::FileSourceType::Push);
    spec.size = Some(data.len() as i64);
    let info = files
        .add(u.clone(), spec)
        .await
        .map_err(|e| format!("add: {e}"))?;
    let url = info
        .upload_endpoint
        .ok_or("no upload endpoint")?
        .uri
        .to_string();
    let r = http
        .put(url)
        .body(data.to_vec())
        .send()
        .await
        .map_err(|e| format!("PUT: {e}"))?;
    if !r.status().is_success() {
        return Err(format!("PUT: {}", r.status()));
    }
    let check = files
        .validate(u.clone())
        .await
        .map_err(|e| format!("validate: {e}"))?;
    if check.has_errors {
        return Err(format!("validate: {check:?}"));
    }
    updates
        .complete(u)
        .await
        .map_err(|e| format!("complete: {e}"))
}

/// Downloads `name` of `item`: create → prepare → GET → delete.
pub async fn download(
    c: &Connection,
    http: &reqwest::Client,
    item: &str,
    name: &str,
) -> Result<Vec<u8>, String> {
    let sessions = download_session::Client::new(c.clone());
    let d = sessions
        .create(None, download_spec(item))
        .await
        .map_err(|e| format!("create: {e}"))?;
    let info = dls::file::Client::new(c.clone())
        .prepare(d.clone(), name.into(), None)
        .await
        .map_err(|e| format!("prepare: {e}"))?;
    let url = info
        .download_endpoint
        .ok_or("no download endpoint")?
        .uri
        .to_string();
    let r = http
        .get(url)
        .send()
        .await
        .map_err(|e| format!("GET: {e}"))?;
    if r.status() != reqwest::StatusCode::OK {
        return Err(format!("GET: {}", r.status()));
    }
    let bytes = r.bytes().await.map_err(|e| format!("GET: {e}"))?.to_vec();
    sessions
        .delete(d)
        .await
        .map_err(|e| format!("delete: {e}"))?;
    Ok(bytes)
}
