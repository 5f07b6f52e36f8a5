//! The simulator's world: items, update and download sessions, and the rules every service
//! shares (expiry, touching, progress).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, MutexGuard};
use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::updatesession as ups;
use vapi_bindings::content::library::item::{
    FileChecksumAlgorithm, FileChecksumInfo, TransferEndpoint,
};
use vapi_bindings::vapi::std::LocalizableMessage;
use vapi_runtime::server::{Credentials, Sessions};
use vapi_runtime::{DateTime, Id, Uri};

use crate::config::SimConfig;
use crate::faults::Fault;
use crate::ids;
use crate::store::{Change, Item, Store};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Phase {
    Active,
    Done,
    Canceled,
    Error,
}

pub(crate) struct Session {
    pub item: String,
    pub content_version: u64,
    pub phase: Phase,
    pub error: Option<String>,
    pub progress: i64,
    pub last_call: Instant,
    /// When it left `Active` (completed, canceled, failed or expired): it is purged a
    /// retention time later.
    pub ended: Option<Instant>,
    /// The capability in the session's transfer URLs.
    pub token: String,
}

impl Session {
    pub fn new(item: String, content_version: u64) -> std::io::Result<Self> {
        Ok(Session {
            item,
            content_version,
            phase: Phase::Active,
            error: None,
            progress: 0,
            last_call: Instant::now(),
            ended: None,
            token: ids::token()?,
        })
    }

    /// Leaves `Active` for `phase` (with the reason, for `Error`).
    pub fn end(&mut self, phase: Phase, error: Option<String>) {
        self.phase = phase;
        if error.is_some() {
            self.error = error;
        }
        self.ended = Some(Instant::now());
    }
}

pub(crate) struct Download {
    pub session: Session,
    /// Names of prepared files.
    pub prepared: Vec<String>,
}

/// The bytes of one upload, received into `incoming/` and not yet part of the item. Dropping
/// it (the file replaced, the session canceled, failed or expired) removes the file.
pub(crate) struct Received {
    pub path: Option<PathBuf>,
    pub size: u64,
    pub sha256: String,
}

impl Drop for Received {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

pub(crate) struct Upload {
    pub source_type: ups::FileSourceType,
    pub source_endpoint: Option<TransferEndpoint>,
    pub size: Option<i64>,
    pub checksum: Option<FileChecksumInfo>,
    pub received: Option<Received>,
    /// The server's fetch of a PULL source (`None` for PUSH).
    pub pull: Option<Pull>,
}

impl Upload {
    /// Forgets what was received or is being fetched (the session was canceled, failed or
    /// expired): the bytes are removed, a fetch is stopped.
    pub fn discard(&mut self) {
        self.received = None;
        if let Some(pull) = &mut self.pull {
            pull.task.abort();
            if matches!(pull.status, PullStatus::Transferring) {
                pull.status = PullStatus::Failed("The session ended before the transfer.".into());
            }
        }
    }
}

/// Where the server's fetch of a PULL source is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PullStatus {
    Transferring,
    /// Received: the bytes are in the upload's `received`.
    Done,
    Failed(String),
}

/// The server's fetch of a PULL source: a task writing to `incoming/`. Dropping it (the file
/// removed, the session purged) stops the task.
pub(crate) struct Pull {
    /// Tells this fetch from an earlier one of a file of the same name.
    pub id: String,
    pub status: PullStatus,
    pub transferred: Arc<std::sync::atomic::AtomicU64>,
    pub task: tokio::task::AbortHandle,
}

impl Drop for Pull {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) struct Update {
    pub session: Session,
    pub files: BTreeMap<String, Upload>,
    /// `complete` was called while PULL sources were still being fetched: the session
    /// completes when the last one arrives (and fails if one fails).
    pub completing: bool,
}

impl Update {
    /// Whether a PULL source is still being fetched.
    pub fn pulling(&self) -> bool {
        self.files.values().any(|f| {
            f.pull
                .as_ref()
                .is_some_and(|p| p.status == PullStatus::Transferring)
        })
    }
}

#[derive(Default)]
pub(crate) struct World {
    pub items: BTreeMap<String, Item>,
    pub downloads: BTreeMap<String, Download>,
    pub updates: BTreeMap<String, Update>,
    /// (kind, client_token) → session id, so that a repeated create returns the same session
    /// (the same token given to the other kind's `create` is another request).
    pub tokens: BTreeMap<(Kind, String), String>,
}

/// Which `create` a client token was given to.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Kind {
    Update,
    Download,
}

/// What `create` of a session does.
pub(crate) enum Opened {
    /// The `client_token` made this session before: the same id again.
    Again(String),
    /// A new session to insert under `id`.
    New { id: String, session: Session },
}

impl World {
    /// The first half of every session `create`: a repeated `client_token` gives the session
    /// it made; otherwise the item must exist, and a new session on its current version is
    /// made (not yet inserted).
    pub fn open(
        &self,
        kind: Kind,
        client_token: Option<&String>,
        item: &Option<ItemId>,
    ) -> Result<Opened, Fault> {
        if let Some(token) = client_token
            && !ids::is_uuid(token)
        {
            return Err(Fault::InvalidArgument(format!(
                "The client token {token:?} is not a UUID (such as b8a2a2e3-2314-43cd-a871-6ede0f429751)."
            )));
        }
        if let Some(existing) = client_token.and_then(|t| self.tokens.get(&(kind, t.clone()))) {
            return Ok(Opened::Again(existing.clone()));
        }
        let item = item_id(item)?;
        let version = self
            .items
            .get(&item)
            .map(|i| i.version)
            .ok_or_else(|| Fault::NotFound(format!("No library item {item}.")))?;
        Ok(Opened::New {
            id: ids::uuid()?,
            session: Session::new(item, version)?,
        })
    }

    /// The ids of `sessions`, those on `item` if given (which must exist).
    pub fn ids_on<'s>(
        &self,
        sessions: impl Iterator<Item = (&'s String, &'s Session)>,
        item: Option<&Id>,
    ) -> Result<Vec<Id>, Fault> {
        if let Some(item) = item
            && !self.items.contains_key(item.as_str())
        {
            return Err(Fault::NotFound(format!("No library item {item}.")));
        }
        Ok(sessions
            .filter(|(_, s)| item.is_none_or(|i| i.as_str() == s.item))
            .map(|(id, _)| Id::new(id.clone()))
            .collect())
    }

    /// The update session whose transfer capability is `token`.
    pub fn update_by_token(&mut self, token: &str) -> Option<&mut Update> {
        self.updates.values_mut().find(|u| u.session.token == token)
    }
}

/// What [`Simulator::session_counts`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCounts {
    /// Update sessions held.
    pub updates: usize,
    /// Download sessions held.
    pub downloads: usize,
    /// Client tokens remembered (one per session created with one).
    pub client_tokens: usize,
}

/// The simulator: cheap to clone, every clone the same world. Every generated service trait of
/// the item API is implemented on it.
#[derive(Clone)]
pub struct Simulator {
    pub(crate) world: Arc<Mutex<World>>,
    pub(crate) config: Arc<SimConfig>,
    pub(crate) store: Arc<Store>,
    pub(crate) sessions: Sessions,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("config", &self.config)
            .field("data_dir", &self.store.root())
            .finish_non_exhaustive()
    }
}

pub(crate) fn unix_millis_now() -> i64 {
    DateTime::now().unix_millis()
}

impl Simulator {
    /// A simulator with the configured items: those its data directory holds as they were,
    /// the others empty.
    ///
    /// # Errors
    ///
    /// If the data directory cannot be made or read.
    pub fn new(mut config: SimConfig) -> std::io::Result<Self> {
        config.base_url = config.effective_base_url();
        let (store, mut items) = Store::open(config.data_dir.as_deref())?;
        let mut created = false;
        for id in config.items.iter().chain(&config.subscribed_items) {
            items.entry(id.clone()).or_insert_with(|| {
                created = true;
                Item {
                    version: 1,
                    files: BTreeMap::new(),
                    changes: vec![Change {
                        version: 1,
                        time: unix_millis_now(),
                        user: config.user.clone(),
                        message: "Library item created.".into(),
                    }],
                }
            });
        }
        if created {
            store.save(&items)?;
        }
        let credentials = config
            .limited_users
            .iter()
            .fold(Credentials::new(&config.user, &config.password), |c, u| {
                c.with_user(&u.name, &config.password)
            });
        let sessions = Sessions::new(credentials, config.api_session_idle_timeout);
        Ok(Simulator {
            world: Arc::new(Mutex::new(World {
                items,
                ..World::default()
            })),
            config: Arc::new(config),
            store: Arc::new(store),
            sessions,
        })
    }

    /// The configuration it runs with (its `base_url` with the scheme it serves).
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The data directory (a temporary one unless configured).
    pub fn data_dir(&self) -> &std::path::Path {
        self.store.root()
    }

    /// The world, with every idle session expired first.
    pub(crate) async fn world(&self) -> MutexGuard<'_, World> {
        let mut world = self.world.lock().await;
        let timeout = self.config.idle_timeout;
        let expire = |s: &mut Session| {
            if s.phase == Phase::Active && s.last_call.elapsed() > timeout {
                s.end(
                    Phase::Error,
                    Some("The session expired: no call within its idle timeout.".into()),
                );
                true
            } else {
                false
            }
        };
        for d in world.downloads.values_mut() {
            if expire(&mut d.session) {
                d.prepared.clear();
            }
        }
        for u in world.updates.values_mut() {
            if expire(&mut u.session) {
                u.files.values_mut().for_each(Upload::discard);
            }
        }
        // Ended sessions stay visible for the retention time, then go (their received bytes
        // with them), so that memory follows the live sessions, not every session ever made.
        let keep = self.config.ended_session_retention;
        let live = |s: &Session| s.ended.is_none_or(|t| t.elapsed() <= keep);
        let (downloads, updates) = (world.downloads.len(), world.updates.len());
        world.downloads.retain(|_, d| live(&d.session));
        world.updates.retain(|_, u| live(&u.session));
        if world.downloads.len() != downloads || world.updates.len() != updates {
            let World {
                tokens,
                downloads,
                updates,
                ..
            } = &mut *world;
            tokens.retain(|(kind, _), id| match kind {
                Kind::Update => updates.contains_key(id),
                Kind::Download => downloads.contains_key(id),
            });
        }
        world
    }

    /// How many update and download sessions (live, or ended within the retention time) and
    /// client tokens the simulator holds: what its memory grows with.
    pub async fn session_counts(&self) -> SessionCounts {
        let world = self.world().await;
        SessionCounts {
            updates: world.updates.len(),
            downloads: world.downloads.len(),
            client_tokens: world.tokens.len(),
        }
    }

    pub(crate) fn expiration(&self, s: &Session) -> Option<DateTime> {
        let left = self
            .config
            .idle_timeout
            .checked_sub(s.last_call.elapsed())
            .unwrap_or(Duration::ZERO);
        let at = std::time::SystemTime::now().checked_add(left)?;
        DateTime::from_system_time(at)
    }

    /// `{base}/sim-transfer/{kind}/{capability}/{file}`.
    pub(crate) fn transfer_uri(&self, kind: &str, token: &str, file: &str) -> Option<Uri> {
        Uri::parse(format!(
            "{}/sim-transfer/{kind}/{token}/{}",
            self.config.base_url,
            vapi_runtime::rest::encode_path_segment(file)
        ))
        .ok()
    }
}

/// The download session if it exists, touched.
pub(crate) fn live<'w>(
    map: &'w mut BTreeMap<String, Download>,
    id: &str,
) -> Result<&'w mut Download, Fault> {
    let d = map
        .get_mut(id)
        .ok_or_else(|| Fault::NotFound(format!("No download session {id}.")))?;
    d.session.last_call = Instant::now();
    Ok(d)
}

/// The update session if it exists, touched.
pub(crate) fn live_update<'w>(
    map: &'w mut BTreeMap<String, Update>,
    id: &str,
) -> Result<&'w mut Update, Fault> {
    let u = map
        .get_mut(id)
        .ok_or_else(|| Fault::NotFound(format!("No update session {id}.")))?;
    u.session.last_call = Instant::now();
    Ok(u)
}

pub(crate) fn require_active(s: &Session) -> Result<(), Fault> {
    if s.phase == Phase::Active {
        Ok(())
    } else {
        Err(Fault::NotAllowed(format!(
            "The session is {:?}, not ACTIVE.",
            s.phase
        )))
    }
}

pub(crate) fn set_progress(s: &mut Session, progress: Option<i64>) -> Result<(), Fault> {
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

pub(crate) fn item_id(id: &Option<ItemId>) -> Result<String, Fault> {
    id.as_ref()
        .map(|i| i.as_str().to_owned())
        .ok_or_else(|| Fault::InvalidArgument("`library_item_id` must be set.".into()))
}

pub(crate) fn error_message(s: &Session) -> Option<LocalizableMessage> {
    s.error.as_ref().map(|e| {
        LocalizableMessage::new(
            "com.vmware.vapi.sim.session_error".into(),
            e.clone(),
            Vec::new(),
        )
    })
}

pub(crate) fn sha256_info(hex: &str) -> FileChecksumInfo {
    let mut info = FileChecksumInfo::new(hex.to_owned());
    info.algorithm = Some(FileChecksumAlgorithm::Sha256);
    info
}
