//! `vapi-sim`: an in-memory vSphere Content Library item service, as govmomi's vcsim is for
//! vSphere. It implements the generated service traits (DownloadSession, UpdateSession, File,
//! Storage, and the sessions' File services) with their documented behaviour, serves them on
//! the real `/api` through the generated routers, and serves the transfer endpoints itself:
//! a PUSH file of an update session is uploaded with `PUT` to its `upload_endpoint`, a
//! prepared file of a download session is fetched with `GET` from its `download_endpoint`.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let sim = vapi_sim::Simulator::new(vapi_sim::SimConfig::for_listener(&listener)?);
//! vapi_sim::serve(listener, sim).await
//! # }
//! ```

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::{
    self as item, DownloadSessionId, DownloadSessionModel, DownloadSessionModelState,
    FileChecksumAlgorithm, FileChecksumInfo, StorageInfo, TransferEndpoint, TransferStatus,
    UpdateSessionId, UpdateSessionModel, UpdateSessionModelState, download_session, file, storage,
    update_session,
};
use vapi_bindings::content::library::item::{downloadsession as dls, updatesession as ups};
use vapi_bindings::content::library::{StorageBacking, StorageBackingType};
use vapi_bindings::vapi::std::LocalizableMessage;
use vapi_bindings::vapi::std::errors;
use vapi_runtime::server::axum::Router;
use vapi_runtime::server::axum::body::Bytes;
use vapi_runtime::server::axum::extract::{Path, State};
use vapi_runtime::server::axum::http::StatusCode;
use vapi_runtime::server::axum::response::IntoResponse;
use vapi_runtime::server::axum::routing::put;
use vapi_runtime::server::{ApiServer, Credentials, Response};
use vapi_runtime::{DateTime, Id, Uri};

/// The user `POST /api/session` accepts unless configured otherwise.
pub const DEFAULT_USER: &str = "administrator@vsphere.local";
/// The password `POST /api/session` accepts unless configured otherwise.
pub const DEFAULT_PASSWORD: &str = "vmware";
/// The library item seeded when none is asked for.
pub const DEFAULT_ITEM: &str = "sim-item-1";

/// How the simulator behaves.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where clients reach the simulator (`http://127.0.0.1:8443`): transfer endpoint URIs
    /// start with it.
    pub base_url: String,
    /// The library items that exist, each empty at first.
    pub items: Vec<String>,
    /// How long a session lives without a call before it expires (default five minutes).
    pub idle_timeout: Duration,
    /// The user name `POST /api/session` accepts.
    pub user: String,
    /// The password `POST /api/session` accepts.
    pub password: String,
    /// The largest request body, uploads included, in bytes (default 64 MiB).
    pub body_limit: usize,
}

impl SimConfig {
    /// The defaults, for a simulator reachable at `base_url`.
    pub fn new(base_url: impl Into<String>) -> Self {
        SimConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            items: vec![DEFAULT_ITEM.to_owned()],
            idle_timeout: Duration::from_secs(300),
            user: DEFAULT_USER.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            body_limit: 64 << 20,
        }
    }

    /// The defaults, for a simulator served on `listener`.
    ///
    /// # Errors
    ///
    /// If the listener has no local address.
    pub fn for_listener(listener: &tokio::net::TcpListener) -> std::io::Result<Self> {
        Ok(SimConfig::new(format!("http://{}", listener.local_addr()?)))
    }
}

/// A problem in the terms every operation's error enum has; each operation keeps the ones it
/// declares and turns the rest into its catch-all.
enum Fault {
    NotFound(String),
    InvalidArgument(String),
    NotAllowed(String),
    Busy(String),
}

fn messages(id: &str, text: &str) -> Vec<LocalizableMessage> {
    vec![LocalizableMessage::new(
        format!("com.vmware.vapi.sim.{id}"),
        text.to_owned(),
        Vec::new(),
    )]
}

macro_rules! faults {
    ($($error:ty { $($kind:ident => $variant:ident),* })*) => {$(
        impl From<Fault> for $error {
            fn from(fault: Fault) -> Self {
                match fault {
                    $(Fault::$kind(text) => Self::$variant(errors::$variant::new(
                        messages(stringify!($variant), &text),
                    )),)*
                    #[allow(unreachable_patterns)]
                    other => Self::from(vapi_runtime::Unhandled::new(other.text())),
                }
            }
        }
    )*};
}

impl Fault {
    fn text(self) -> String {
        match self {
            Fault::NotFound(t)
            | Fault::InvalidArgument(t)
            | Fault::NotAllowed(t)
            | Fault::Busy(t) => t,
        }
    }
}

faults! {
    download_session::CreateError { NotFound => NotFound, InvalidArgument => InvalidArgument }
    download_session::GetError { NotFound => NotFound }
    download_session::ListError { NotFound => NotFound }
    download_session::KeepAliveError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    download_session::CancelError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    download_session::DeleteError { NotFound => NotFound }
    download_session::FailError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    update_session::CreateError { NotFound => NotFound, InvalidArgument => InvalidArgument, Busy => ResourceBusy }
    update_session::GetError { NotFound => NotFound }
    update_session::ListError { NotFound => NotFound }
    update_session::CompleteError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    update_session::KeepAliveError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    update_session::CancelError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    update_session::FailError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    update_session::DeleteError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    update_session::UpdateError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState, InvalidArgument => InvalidArgument }
    file::GetError { NotFound => NotFound }
    file::ListError { NotFound => NotFound }
    storage::GetError { NotFound => NotFound }
    storage::ListError { NotFound => NotFound }
    dls::file::ListError { NotFound => NotFound }
    dls::file::PrepareError { NotFound => NotFound, InvalidArgument => InvalidArgument }
    dls::file::GetError { NotFound => NotFound, InvalidArgument => InvalidArgument }
    ups::file::ValidateError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    ups::file::AddError { NotFound => NotFound, InvalidArgument => InvalidArgument, NotAllowed => NotAllowedInCurrentState }
    ups::file::RemoveError { NotFound => NotFound, InvalidArgument => InvalidArgument }
    ups::file::ListError { NotFound => NotFound }
    ups::file::GetError { NotFound => NotFound, InvalidArgument => InvalidArgument }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Active,
    Done,
    Canceled,
    Error,
}

struct StoredFile {
    bytes: Vec<u8>,
    version: u64,
}

struct Item {
    files: BTreeMap<String, StoredFile>,
    version: u64,
}

struct Session {
    item: String,
    content_version: u64,
    phase: Phase,
    error: Option<String>,
    progress: i64,
    last_call: Instant,
}

struct Download {
    session: Session,
    // Names of prepared files.
    prepared: Vec<String>,
}

struct Upload {
    source_type: ups::FileSourceType,
    source_endpoint: Option<TransferEndpoint>,
    size: Option<i64>,
    checksum: Option<FileChecksumInfo>,
    bytes: Option<Vec<u8>>,
}

struct Update {
    session: Session,
    files: BTreeMap<String, Upload>,
}

#[derive(Default)]
struct World {
    items: BTreeMap<String, Item>,
    downloads: BTreeMap<String, Download>,
    updates: BTreeMap<String, Update>,
    // client_token → session id, so that a repeated create returns the same session.
    tokens: BTreeMap<String, String>,
    next: u64,
}

/// The simulator: cheap to clone, every clone the same world. Every generated service trait of
/// the item API is implemented on it.
#[derive(Clone)]
pub struct Simulator {
    world: Arc<Mutex<World>>,
    config: Arc<SimConfig>,
}

fn sha256(bytes: &[u8]) -> FileChecksumInfo {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let mut info = FileChecksumInfo::new(hex);
    info.algorithm = Some(FileChecksumAlgorithm::Sha256);
    info
}

fn endpoint(uri: String) -> Result<TransferEndpoint, Fault> {
    Uri::parse(uri)
        .map(TransferEndpoint::new)
        .map_err(|e| Fault::InvalidArgument(e.to_string()))
}

impl Simulator {
    /// A simulator with the configured items, each empty.
    pub fn new(config: SimConfig) -> Self {
        let mut world = World::default();
        for id in &config.items {
            world.items.insert(
                id.clone(),
                Item {
                    files: BTreeMap::new(),
                    version: 1,
                },
            );
        }
        Simulator {
            world: Arc::new(Mutex::new(world)),
            config: Arc::new(config),
        }
    }

    /// The world, with every idle session expired first.
    fn world(&self) -> MutexGuard<'_, World> {
        // A panic while holding the lock leaves a world that is still consistent enough to
        // serve: every change below is made in one step.
        let mut world = self.world.lock().unwrap_or_else(|e| e.into_inner());
        let timeout = self.config.idle_timeout;
        let expire = |s: &mut Session| {
            if s.phase == Phase::Active && s.last_call.elapsed() > timeout {
                s.phase = Phase::Error;
                s.error = Some("The session expired: no call within its idle timeout.".into());
            }
        };
        world
            .downloads
            .values_mut()
            .for_each(|d| expire(&mut d.session));
        world
            .updates
            .values_mut()
            .for_each(|u| expire(&mut u.session));
        world
    }

    fn expiration(&self, s: &Session) -> Option<DateTime> {
        let left = self
            .config
            .idle_timeout
            .checked_sub(s.last_call.elapsed())?;
        let at = std::time::SystemTime::now().checked_add(left)?;
        DateTime::from_system_time(at)
    }

    fn transfer_uri(&self, kind: &str, session: &str, file: &str) -> String {
        format!(
            "{}/sim-transfer/{kind}/{}/{}",
            self.config.base_url,
            vapi_runtime::rest::encode_path_segment(session),
            vapi_runtime::rest::encode_path_segment(file)
        )
    }

    /// The router serving `/api` (with sessions) and the transfer endpoints.
    pub fn router(&self) -> Router {
        let s = Arc::new(self.clone());
        let api = ApiServer::new(Credentials::new(&self.config.user, &self.config.password))
            .body_limit(self.config.body_limit)
            .service(download_session::router(Arc::clone(&s)))
            .service(update_session::router(Arc::clone(&s)))
            .service(file::router(Arc::clone(&s)))
            .service(storage::router(Arc::clone(&s)))
            .service(dls::file::router(Arc::clone(&s)))
            .service(ups::file::router(Arc::clone(&s)))
            .into_router();
        api.merge(self.transfer_router())
    }

    /// The transfer endpoints alone: `PUT /sim-transfer/upload/{session}/{file}` and
    /// `GET /sim-transfer/download/{session}/{file}`.
    pub fn transfer_router(&self) -> Router {
        Router::new()
            .route("/sim-transfer/upload/{session}/{file}", put(upload))
            .route(
                "/sim-transfer/download/{session}/{file}",
                vapi_runtime::server::axum::routing::get(download),
            )
            .layer(vapi_runtime::server::axum::extract::DefaultBodyLimit::max(
                self.config.body_limit,
            ))
            .with_state(self.clone())
    }
}

/// Serves the simulator on `listener` until the process is stopped.
///
/// # Errors
///
/// If serving fails.
pub async fn serve(listener: tokio::net::TcpListener, sim: Simulator) -> std::io::Result<()> {
    vapi_runtime::server::axum::serve(listener, sim.router()).await
}

/// Binds `addr`, serves the simulator in a background task, and returns its address and a
/// handle that stops it when aborted: for tests.
///
/// # Errors
///
/// If the address cannot be bound.
pub async fn spawn(
    addr: &str,
    configure: impl FnOnce(&mut SimConfig),
) -> std::io::Result<(SocketAddr, Simulator, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let mut config = SimConfig::for_listener(&listener)?;
    configure(&mut config);
    let sim = Simulator::new(config);
    let served = sim.clone();
    let task = tokio::spawn(async move {
        let _ = serve(listener, served).await;
    });
    Ok((local, sim, task))
}

fn text_response(status: StatusCode, text: &str) -> Response {
    (status, text.to_owned()).into_response()
}

async fn upload(
    State(sim): State<Simulator>,
    Path((session, name)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut world = sim.world();
    let Some(update) = world.updates.get_mut(&session) else {
        return text_response(StatusCode::NOT_FOUND, "no such update session");
    };
    if update.session.phase != Phase::Active {
        return text_response(StatusCode::CONFLICT, "the update session is not active");
    }
    let Some(file) = update.files.get_mut(&name) else {
        return text_response(StatusCode::NOT_FOUND, "no such file in the session");
    };
    if file.source_type != ups::FileSourceType::Push {
        return text_response(
            StatusCode::CONFLICT,
            "the file is not uploaded by the client",
        );
    }
    update.session.last_call = Instant::now();
    file.bytes = Some(body.to_vec());
    StatusCode::OK.into_response()
}

async fn download(
    State(sim): State<Simulator>,
    Path((session, name)): Path<(String, String)>,
) -> Response {
    let mut world = sim.world();
    let World {
        downloads, items, ..
    } = &mut *world;
    let Some(d) = downloads.get_mut(&session) else {
        return text_response(StatusCode::NOT_FOUND, "no such download session");
    };
    if d.session.phase != Phase::Active || !d.prepared.contains(&name) {
        return text_response(StatusCode::CONFLICT, "the file is not prepared");
    }
    d.session.last_call = Instant::now();
    match items.get(&d.session.item).and_then(|i| i.files.get(&name)) {
        Some(f) => (StatusCode::OK, f.bytes.clone()).into_response(),
        None => text_response(StatusCode::NOT_FOUND, "no such file"),
    }
}

fn new_id(world: &mut World, prefix: &str) -> String {
    world.next += 1;
    format!("{prefix}-{:08x}", world.next)
}

/// The session if it exists, touched.
fn live<'w>(map: &'w mut BTreeMap<String, Download>, id: &str) -> Result<&'w mut Download, Fault> {
    let d = map
        .get_mut(id)
        .ok_or_else(|| Fault::NotFound(format!("No download session {id}.")))?;
    d.session.last_call = Instant::now();
    Ok(d)
}

fn live_update<'w>(
    map: &'w mut BTreeMap<String, Update>,
    id: &str,
) -> Result<&'w mut Update, Fault> {
    let u = map
        .get_mut(id)
        .ok_or_else(|| Fault::NotFound(format!("No update session {id}.")))?;
    u.session.last_call = Instant::now();
    Ok(u)
}

fn require_active(s: &Session) -> Result<(), Fault> {
    if s.phase == Phase::Active {
        Ok(())
    } else {
        Err(Fault::NotAllowed(format!(
            "The session is {:?}, not ACTIVE.",
            s.phase
        )))
    }
}

fn set_progress(s: &mut Session, progress: Option<i64>) -> Result<(), Fault> {
    if let Some(p) = progress {
        if !(0..=100).contains(&p) {
            return Err(Fault::InvalidArgument(format!(
                "Progress {p} is not between 0 and 100."
            )));
        }
        if p < s.progress {
            return Err(Fault::InvalidArgument(format!(
                "Progress only increases: {p} is below {}.",
                s.progress
            )));
        }
        s.progress = p;
    }
    Ok(())
}

fn item_id(id: &Option<ItemId>) -> Result<String, Fault> {
    id.as_ref()
        .map(|i| i.as_str().to_owned())
        .ok_or_else(|| Fault::InvalidArgument("`library_item_id` must be set.".into()))
}

fn error_message(s: &Session) -> Option<LocalizableMessage> {
    s.error.as_ref().map(|e| {
        LocalizableMessage::new(
            "com.vmware.vapi.sim.session_error".into(),
            e.clone(),
            Vec::new(),
        )
    })
}

impl Simulator {
    fn download_model(&self, id: &str, d: &Download) -> DownloadSessionModel {
        let s = &d.session;
        DownloadSessionModel {
            id: Some(DownloadSessionId::new(id)),
            library_item_id: Some(ItemId::new(s.item.clone())),
            library_item_content_version: Some(s.content_version.to_string()),
            error_message: error_message(s),
            client_progress: Some(s.progress),
            state: Some(match s.phase {
                Phase::Active | Phase::Done => DownloadSessionModelState::Active,
                Phase::Canceled => DownloadSessionModelState::Canceled,
                Phase::Error => DownloadSessionModelState::Error,
            }),
            expiration_time: self.expiration(s),
        }
    }

    fn update_model(&self, id: &str, u: &Update) -> UpdateSessionModel {
        let s = &u.session;
        UpdateSessionModel {
            id: Some(UpdateSessionId::new(id)),
            library_item_id: Some(ItemId::new(s.item.clone())),
            library_item_content_version: Some(s.content_version.to_string()),
            error_message: error_message(s),
            client_progress: Some(s.progress),
            state: Some(match s.phase {
                Phase::Active => UpdateSessionModelState::Active,
                Phase::Done => UpdateSessionModelState::Done,
                Phase::Canceled => UpdateSessionModelState::Canceled,
                Phase::Error => UpdateSessionModelState::Error,
            }),
            expiration_time: self.expiration(s),
            preview_info: None,
            warning_behavior: None,
        }
    }

    fn upload_info(&self, session: &str, name: &str, f: &Upload) -> ups::FileInfo {
        let transferred = f
            .bytes
            .as_ref()
            .map_or(0, |b| i64::try_from(b.len()).unwrap_or(i64::MAX));
        let mut info = ups::FileInfo::new(
            name.to_owned(),
            f.source_type.clone(),
            transferred,
            if f.bytes.is_some() {
                TransferStatus::Ready
            } else {
                TransferStatus::WaitingForTransfer
            },
        );
        info.size = f.size;
        info.checksum_info = f.checksum.clone();
        info.source_endpoint = f.source_endpoint.clone();
        if f.source_type == ups::FileSourceType::Push {
            info.upload_endpoint = endpoint(self.transfer_uri("upload", session, name)).ok();
        }
        info
    }

    /// Why an uploaded file does not match what its spec promised, if it does not.
    fn invalid(f: &Upload) -> Option<String> {
        let Some(bytes) = &f.bytes else {
            return None;
        };
        if let Some(size) = f.size
            && usize::try_from(size).ok() != Some(bytes.len())
        {
            return Some(format!("{} bytes received, {size} announced", bytes.len()));
        }
        if let Some(c) = &f.checksum {
            let actual = sha256(bytes);
            let algorithm_ok = c
                .algorithm
                .as_ref()
                .is_none_or(|a| *a == FileChecksumAlgorithm::Sha256);
            if !algorithm_ok {
                return Some("only SHA256 checksums can be verified".into());
            }
            if !c.checksum.eq_ignore_ascii_case(&actual.checksum) {
                return Some("the checksum does not match".into());
            }
        }
        None
    }
}

impl item::DownloadSession for Simulator {
    async fn create(
        &self,
        client_token: Option<String>,
        create_spec: DownloadSessionModel,
    ) -> Result<DownloadSessionId, download_session::CreateError> {
        let mut world = self.world();
        if let Some(existing) = client_token.as_ref().and_then(|t| world.tokens.get(t)) {
            return Ok(DownloadSessionId::new(existing.clone()));
        }
        let item = item_id(&create_spec.library_item_id)?;
        let version = world
            .items
            .get(&item)
            .map(|i| i.version)
            .ok_or_else(|| Fault::NotFound(format!("No library item {item}.")))?;
        let id = new_id(&mut world, "download");
        let session = Session {
            item,
            content_version: version,
            phase: Phase::Active,
            error: None,
            progress: 0,
            last_call: Instant::now(),
        };
        world.downloads.insert(
            id.clone(),
            Download {
                session,
                prepared: Vec::new(),
            },
        );
        if let Some(t) = client_token {
            world.tokens.insert(t, id.clone());
        }
        Ok(DownloadSessionId::new(id))
    }

    async fn get(
        &self,
        id: DownloadSessionId,
    ) -> Result<DownloadSessionModel, download_session::GetError> {
        let mut world = self.world();
        let d = live(&mut world.downloads, id.as_str())?;
        Ok(self.download_model(id.as_str(), d))
    }

    async fn list(
        &self,
        library_item_id: Option<Id>,
    ) -> Result<Vec<Id>, download_session::ListError> {
        let world = self.world();
        if let Some(item) = &library_item_id
            && !world.items.contains_key(item.as_str())
        {
            return Err(Fault::NotFound(format!("No library item {item}.")).into());
        }
        Ok(world
            .downloads
            .iter()
            .filter(|(_, d)| {
                library_item_id
                    .as_ref()
                    .is_none_or(|i| i.as_str() == d.session.item)
            })
            .map(|(id, _)| Id::new(id.clone()))
            .collect())
    }

    async fn keep_alive(
        &self,
        id: DownloadSessionId,
        progress: Option<i64>,
    ) -> Result<(), download_session::KeepAliveError> {
        let mut world = self.world();
        let d = live(&mut world.downloads, id.as_str())?;
        require_active(&d.session)?;
        // KeepAlive declares no InvalidArgument: a bad progress is not recorded.
        let _ = set_progress(&mut d.session, progress);
        Ok(())
    }

    async fn cancel(&self, id: DownloadSessionId) -> Result<(), download_session::CancelError> {
        let mut world = self.world();
        let d = live(&mut world.downloads, id.as_str())?;
        require_active(&d.session)?;
        d.session.phase = Phase::Canceled;
        d.prepared.clear();
        Ok(())
    }

    async fn delete(&self, id: DownloadSessionId) -> Result<(), download_session::DeleteError> {
        let mut world = self.world();
        match world.downloads.remove(id.as_str()) {
            Some(_) => {
                world.tokens.retain(|_, s| s != id.as_str());
                Ok(())
            }
            None => Err(Fault::NotFound(format!("No download session {id}.")).into()),
        }
    }

    async fn fail(
        &self,
        id: DownloadSessionId,
        client_error_message: String,
    ) -> Result<(), download_session::FailError> {
        let mut world = self.world();
        let d = live(&mut world.downloads, id.as_str())?;
        require_active(&d.session)?;
        d.session.phase = Phase::Error;
        d.session.error = Some(client_error_message);
        Ok(())
    }
}

impl dls::File for Simulator {
    async fn list(
        &self,
        id: DownloadSessionId,
    ) -> Result<Vec<dls::FileInfo>, dls::file::ListError> {
        let mut world = self.world();
        let World {
            downloads, items, ..
        } = &mut *world;
        let d = live(downloads, id.as_str())?;
        let item = items.get(&d.session.item);
        Ok(item
            .into_iter()
            .flat_map(|i| &i.files)
            .map(|(name, f)| self.download_info(id.as_str(), d, name, f))
            .collect())
    }

    async fn prepare(
        &self,
        id: DownloadSessionId,
        file_name: String,
        endpoint_type: Option<dls::FileEndpointType>,
    ) -> Result<dls::FileInfo, dls::file::PrepareError> {
        if endpoint_type
            .as_ref()
            .is_some_and(|t| *t != dls::FileEndpointType::Https)
        {
            return Err(
                Fault::InvalidArgument("Only HTTPS endpoints are simulated.".into()).into(),
            );
        }
        let mut world = self.world();
        let World {
            downloads, items, ..
        } = &mut *world;
        let d = live(downloads, id.as_str())?;
        require_active(&d.session).map_err(|f| Fault::InvalidArgument(f.text()))?;
        let f = items
            .get(&d.session.item)
            .and_then(|i| i.files.get(&file_name))
            .ok_or_else(|| Fault::NotFound(format!("No file {file_name} in the item.")))?;
        if !d.prepared.contains(&file_name) {
            d.prepared.push(file_name.clone());
        }
        Ok(self.download_info(id.as_str(), d, &file_name, f))
    }

    async fn get(
        &self,
        id: DownloadSessionId,
        file_name: String,
    ) -> Result<dls::FileInfo, dls::file::GetError> {
        let mut world = self.world();
        let World {
            downloads, items, ..
        } = &mut *world;
        let d = live(downloads, id.as_str())?;
        let f = items
            .get(&d.session.item)
            .and_then(|i| i.files.get(&file_name))
            .ok_or_else(|| Fault::NotFound(format!("No file {file_name} in the item.")))?;
        Ok(self.download_info(id.as_str(), d, &file_name, f))
    }
}

impl Simulator {
    fn download_info(
        &self,
        session: &str,
        d: &Download,
        name: &str,
        f: &StoredFile,
    ) -> dls::FileInfo {
        let prepared = d.prepared.iter().any(|p| p == name);
        let mut info = dls::FileInfo::new(
            name.to_owned(),
            0,
            if prepared {
                dls::FilePrepareStatus::Prepared
            } else {
                dls::FilePrepareStatus::Unprepared
            },
        );
        info.size = i64::try_from(f.bytes.len()).ok();
        info.checksum_info = Some(sha256(&f.bytes));
        if prepared {
            info.download_endpoint = endpoint(self.transfer_uri("download", session, name)).ok();
        }
        info
    }
}

impl item::UpdateSession for Simulator {
    async fn create(
        &self,
        client_token: Option<String>,
        create_spec: UpdateSessionModel,
    ) -> Result<UpdateSessionId, update_session::CreateError> {
        let mut world = self.world();
        if let Some(existing) = client_token.as_ref().and_then(|t| world.tokens.get(t)) {
            return Ok(UpdateSessionId::new(existing.clone()));
        }
        let item = item_id(&create_spec.library_item_id)?;
        let version = world
            .items
            .get(&item)
            .map(|i| i.version)
            .ok_or_else(|| Fault::NotFound(format!("No library item {item}.")))?;
        if world
            .updates
            .values()
            .any(|u| u.session.item == item && u.session.phase == Phase::Active)
        {
            return Err(Fault::Busy(format!(
                "Library item {item} already has an active update session."
            ))
            .into());
        }
        let id = new_id(&mut world, "update");
        let session = Session {
            item,
            content_version: version,
            phase: Phase::Active,
            error: None,
            progress: 0,
            last_call: Instant::now(),
        };
        world.updates.insert(
            id.clone(),
            Update {
                session,
                files: BTreeMap::new(),
            },
        );
        if let Some(t) = client_token {
            world.tokens.insert(t, id.clone());
        }
        Ok(UpdateSessionId::new(id))
    }

    async fn get(
        &self,
        id: UpdateSessionId,
    ) -> Result<UpdateSessionModel, update_session::GetError> {
        let mut world = self.world();
        let u = live_update(&mut world.updates, id.as_str())?;
        Ok(self.update_model(id.as_str(), u))
    }

    async fn list(
        &self,
        library_item_id: Option<Id>,
    ) -> Result<Vec<Id>, update_session::ListError> {
        let world = self.world();
        if let Some(item) = &library_item_id
            && !world.items.contains_key(item.as_str())
        {
            return Err(Fault::NotFound(format!("No library item {item}.")).into());
        }
        Ok(world
            .updates
            .iter()
            .filter(|(_, u)| {
                library_item_id
                    .as_ref()
                    .is_none_or(|i| i.as_str() == u.session.item)
            })
            .map(|(id, _)| Id::new(id.clone()))
            .collect())
    }

    async fn complete(&self, id: UpdateSessionId) -> Result<(), update_session::CompleteError> {
        let mut world = self.world();
        let World { updates, items, .. } = &mut *world;
        let u = live_update(updates, id.as_str())?;
        require_active(&u.session)?;
        for (name, f) in &u.files {
            if f.bytes.is_none() {
                return Err(Fault::NotAllowed(format!("File {name} was not received.")).into());
            }
            if let Some(why) = Simulator::invalid(f) {
                return Err(Fault::NotAllowed(format!("File {name} is invalid: {why}.")).into());
            }
        }
        let item = items
            .get_mut(&u.session.item)
            .ok_or_else(|| Fault::NotFound("The library item is gone.".into()))?;
        item.version += 1;
        for (name, f) in std::mem::take(&mut u.files) {
            let bytes = f.bytes.unwrap_or_default();
            item.files.insert(
                name,
                StoredFile {
                    bytes,
                    version: item.version,
                },
            );
        }
        u.session.phase = Phase::Done;
        Ok(())
    }

    async fn keep_alive(
        &self,
        id: UpdateSessionId,
        client_progress: Option<i64>,
    ) -> Result<(), update_session::KeepAliveError> {
        let mut world = self.world();
        let u = live_update(&mut world.updates, id.as_str())?;
        require_active(&u.session)?;
        let _ = set_progress(&mut u.session, client_progress);
        Ok(())
    }

    async fn cancel(&self, id: UpdateSessionId) -> Result<(), update_session::CancelError> {
        let mut world = self.world();
        let u = live_update(&mut world.updates, id.as_str())?;
        require_active(&u.session)?;
        u.session.phase = Phase::Canceled;
        u.files.clear();
        Ok(())
    }

    async fn fail(
        &self,
        id: UpdateSessionId,
        client_error_message: String,
    ) -> Result<(), update_session::FailError> {
        let mut world = self.world();
        let u = live_update(&mut world.updates, id.as_str())?;
        require_active(&u.session)?;
        u.session.phase = Phase::Error;
        u.session.error = Some(client_error_message);
        Ok(())
    }

    async fn delete(&self, id: UpdateSessionId) -> Result<(), update_session::DeleteError> {
        let mut world = self.world();
        let u = live_update(&mut world.updates, id.as_str())?;
        if u.session.phase == Phase::Active {
            return Err(Fault::NotAllowed(
                "An active update session cannot be deleted: cancel or complete it first.".into(),
            )
            .into());
        }
        world.updates.remove(id.as_str());
        world.tokens.retain(|_, s| s != id.as_str());
        Ok(())
    }

    async fn update(
        &self,
        id: UpdateSessionId,
        update_spec: UpdateSessionModel,
    ) -> Result<(), update_session::UpdateError> {
        let mut world = self.world();
        let u = live_update(&mut world.updates, id.as_str())?;
        require_active(&u.session)?;
        // Only `warning_behavior` may change; the simulator has no preview warnings to apply
        // it to, so there is nothing to keep.
        let _ = update_spec.warning_behavior;
        Ok(())
    }
}

impl ups::File for Simulator {
    async fn validate(
        &self,
        id: UpdateSessionId,
    ) -> Result<ups::FileValidationResult, ups::file::ValidateError> {
        let mut world = self.world();
        let u = live_update(&mut world.updates, id.as_str())?;
        require_active(&u.session)?;
        let mut missing = vapi_runtime::Set::new();
        let mut invalid = Vec::new();
        for (name, f) in &u.files {
            if f.bytes.is_none() {
                missing.insert(name.clone());
            } else if let Some(why) = Simulator::invalid(f) {
                invalid.push(ups::FileValidationError::new(
                    name.clone(),
                    LocalizableMessage::new(
                        "com.vmware.vapi.sim.invalid_file".into(),
                        why,
                        Vec::new(),
                    ),
                ));
            }
        }
        let has_errors = !missing.is_empty() || !invalid.is_empty();
        Ok(ups::FileValidationResult::new(has_errors, missing, invalid))
    }

    async fn add(
        &self,
        id: UpdateSessionId,
        file_spec: ups::FileAddSpec,
    ) -> Result<ups::FileInfo, ups::file::AddError> {
        let mut world = self.world();
        let u = live_update(&mut world.updates, id.as_str())?;
        require_active(&u.session)?;
        if file_spec.source_type.is_unknown() {
            return Err(Fault::InvalidArgument(format!(
                "Unknown source type {}.",
                file_spec.source_type
            ))
            .into());
        }
        if file_spec.name.is_empty() {
            return Err(Fault::InvalidArgument("A file needs a name.".into()).into());
        }
        if file_spec.source_type == ups::FileSourceType::Pull {
            return Err(
                Fault::InvalidArgument("PULL sources are not simulated: use PUSH.".into()).into(),
            );
        }
        let upload = Upload {
            source_type: file_spec.source_type,
            source_endpoint: file_spec.source_endpoint,
            size: file_spec.size,
            checksum: file_spec.checksum_info,
            bytes: None,
        };
        let info = self.upload_info(id.as_str(), &file_spec.name, &upload);
        u.files.insert(file_spec.name, upload);
        Ok(info)
    }

    async fn remove(
        &self,
        id: UpdateSessionId,
        file_name: String,
    ) -> Result<(), ups::file::RemoveError> {
        let mut world = self.world();
        let u = live_update(&mut world.updates, id.as_str())?;
        u.files.remove(&file_name).map(|_| ()).ok_or_else(|| {
            Fault::InvalidArgument(format!("No file {file_name} in the session.")).into()
        })
    }

    async fn list(&self, id: UpdateSessionId) -> Result<Vec<ups::FileInfo>, ups::file::ListError> {
        let mut world = self.world();
        let u = live_update(&mut world.updates, id.as_str())?;
        Ok(u.files
            .iter()
            .map(|(name, f)| self.upload_info(id.as_str(), name, f))
            .collect())
    }

    async fn get(
        &self,
        id: UpdateSessionId,
        file_name: String,
    ) -> Result<ups::FileInfo, ups::file::GetError> {
        let mut world = self.world();
        let u = live_update(&mut world.updates, id.as_str())?;
        let f = u.files.get(&file_name).ok_or_else(|| {
            Fault::InvalidArgument(format!("No file {file_name} in the session."))
        })?;
        Ok(self.upload_info(id.as_str(), &file_name, f))
    }
}

impl Simulator {
    fn item<'w>(world: &'w World, id: &ItemId) -> Result<&'w Item, Fault> {
        world
            .items
            .get(id.as_str())
            .ok_or_else(|| Fault::NotFound(format!("No library item {id}.")))
    }

    fn file_info(&self, item: &str, name: &str, f: &StoredFile) -> item::FileInfo {
        let mut info = item::FileInfo::new(
            name.to_owned(),
            i64::try_from(f.bytes.len()).unwrap_or(i64::MAX),
            true,
            f.version.to_string(),
        );
        info.checksum_info = Some(sha256(&f.bytes));
        let _ = item;
        info
    }

    fn storage_info(&self, item: &str, name: &str, f: &StoredFile) -> StorageInfo {
        let file = self.file_info(item, name, f);
        let backing = StorageBacking {
            r#type: Some(StorageBackingType::Other),
            datastore_id: None,
            storage_uri: Uri::parse(format!("{}/sim-storage", self.config.base_url)).ok(),
        };
        let uri = Uri::parse(format!(
            "{}/sim-storage/{}/{}",
            self.config.base_url,
            vapi_runtime::rest::encode_path_segment(item),
            vapi_runtime::rest::encode_path_segment(name)
        ));
        let mut info = StorageInfo::new(
            backing,
            uri.into_iter().collect(),
            file.name,
            file.size,
            file.cached,
            file.version,
        );
        info.checksum_info = file.checksum_info;
        info
    }
}

impl item::File for Simulator {
    async fn get(
        &self,
        library_item_id: ItemId,
        name: String,
    ) -> Result<item::FileInfo, file::GetError> {
        let world = self.world();
        let item = Simulator::item(&world, &library_item_id)?;
        let f = item.files.get(&name).ok_or_else(|| {
            Fault::NotFound(format!("No file {name} in library item {library_item_id}."))
        })?;
        Ok(self.file_info(library_item_id.as_str(), &name, f))
    }

    async fn list(&self, library_item_id: ItemId) -> Result<Vec<item::FileInfo>, file::ListError> {
        let world = self.world();
        let item = Simulator::item(&world, &library_item_id)?;
        Ok(item
            .files
            .iter()
            .map(|(name, f)| self.file_info(library_item_id.as_str(), name, f))
            .collect())
    }
}

impl item::Storage for Simulator {
    async fn get(
        &self,
        library_item_id: ItemId,
        file_name: String,
    ) -> Result<Vec<StorageInfo>, storage::GetError> {
        let world = self.world();
        let item = Simulator::item(&world, &library_item_id)?;
        let f = item.files.get(&file_name).ok_or_else(|| {
            Fault::NotFound(format!(
                "No file {file_name} in library item {library_item_id}."
            ))
        })?;
        Ok(vec![self.storage_info(
            library_item_id.as_str(),
            &file_name,
            f,
        )])
    }

    async fn list(&self, library_item_id: ItemId) -> Result<Vec<StorageInfo>, storage::ListError> {
        let world = self.world();
        let item = Simulator::item(&world, &library_item_id)?;
        Ok(item
            .files
            .iter()
            .map(|(name, f)| self.storage_info(library_item_id.as_str(), name, f))
            .collect())
    }
}
