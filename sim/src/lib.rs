//! `vapi-sim`: a vSphere Content Library item service, as govmomi's vcsim is for vSphere. It
//! implements the generated service traits (Changes, DownloadSession, UpdateSession, File,
//! Storage, and the sessions' File services) with their documented behaviour, serves them on
//! the real `/api` through the generated routers, over HTTP or HTTPS, and serves the transfer
//! endpoints itself: a PUSH file of an update session is uploaded with `PUT` to its
//! `upload_endpoint`, a prepared file of a download session is fetched with `GET` (with
//! `Range`) from its `download_endpoint`. Transfers stream to and from disk (a data directory
//! that keeps the items across restarts, or a temporary one).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let sim = vapi_sim::Simulator::new(vapi_sim::SimConfig::for_listener(&listener)?)?;
//! vapi_sim::serve(listener, sim).await
//! # }
//! ```
//!
//! Code by concern: [`SimConfig`] in `config`, the world and its rules in `state`, the data
//! directory in `store`, error kinds in `faults`, privileges in `authz`, one file per service in `services/`, the
//! transfer endpoints in `transfer`, PULL sources in `pull`, HTTPS in `tls`, the accept loop and logs in `serve`.

use std::net::SocketAddr;
use std::sync::Arc;

use vapi_bindings::content::library::item::{
    changes, download_session, file, storage, update_session,
};
use vapi_bindings::content::library::item::{downloadsession as dls, updatesession as ups};
use vapi_runtime::server::ApiServer;
use vapi_runtime::server::axum::Router;
use vapi_runtime::server::axum::routing::{get, put};

mod authz;
mod config;
mod faults;
mod ids;
mod pull;
mod serve;
mod services;
mod state;
mod store;
mod tls;
mod transfer;

pub use config::{
    DEFAULT_IDLE_TIMEOUT, DEFAULT_ITEM, DEFAULT_PASSWORD, DEFAULT_USER, LimitedUser, SimConfig,
};
pub use state::{SessionCounts, Simulator};
pub use tls::TlsIdentity;

impl Simulator {
    /// The router serving `/api` (with sessions), the transfer endpoints and the 9.0 file
    /// download endpoint, with one log line per request.
    pub fn router(&self) -> Router {
        let s = Arc::new(self.clone());
        let api = ApiServer::with_sessions(self.sessions.clone())
            .body_limit(self.config.body_limit)
            .service(changes::router(Arc::clone(&s)))
            .service(download_session::router(Arc::clone(&s)))
            .service(update_session::router(Arc::clone(&s)))
            .service(file::router(Arc::clone(&s)))
            .service(storage::router(Arc::clone(&s)))
            .service(dls::file::router(Arc::clone(&s)))
            .service(ups::file::router(Arc::clone(&s)))
            .into_router()
            .layer(vapi_runtime::server::axum::middleware::from_fn_with_state(
                self.clone(),
                authz::authorize,
            ));
        let api = serve::jsonrpc(api, self).layer(
            vapi_runtime::server::axum::middleware::from_fn_with_state(
                self.config.stall_timeout,
                serve::deadline,
            ),
        );
        api.merge(self.transfer_router())
            .layer(vapi_runtime::server::axum::middleware::from_fn(
                serve::log_request,
            ))
    }

    /// The transfer endpoints alone: `PUT /sim-transfer/upload/{capability}/{file}`,
    /// `GET /sim-transfer/download/{capability}/{file}` and `GET /sim-files/{item}/{file}`.
    pub fn transfer_router(&self) -> Router {
        Router::new()
            .route("/sim-transfer/upload/{token}/{file}", put(transfer::upload))
            .route(
                "/sim-transfer/download/{token}/{file}",
                get(transfer::download),
            )
            .route("/sim-files/{item}/{file}", get(transfer::file_download))
            .with_state(self.clone())
    }
}

/// Serves the simulator on `listener` (HTTPS if its configuration has
/// [`tls`](SimConfig::tls)) until the task is dropped.
///
/// # Errors
///
/// If the TLS identity cannot be used.
pub async fn serve(listener: tokio::net::TcpListener, sim: Simulator) -> std::io::Result<()> {
    let app = sim.router();
    serve::run(listener, &sim, app).await
}

/// Binds `addr`, serves the simulator in a background task, and returns its address, the
/// simulator and a handle that stops it when aborted: for tests. `configure` sees the defaults
/// for the bound address; setting [`tls`](SimConfig::tls) there serves HTTPS (and the
/// simulator's `config().base_url` says `https://`).
///
/// # Errors
///
/// If the address cannot be bound or the data directory made.
pub async fn spawn(
    addr: &str,
    configure: impl FnOnce(&mut SimConfig),
) -> std::io::Result<(SocketAddr, Simulator, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let mut config = SimConfig::for_listener(&listener)?;
    configure(&mut config);
    let sim = Simulator::new(config)?;
    if let Some(tls) = &sim.config.tls {
        tls.acceptor()?;
    }
    let served = sim.clone();
    let task = tokio::spawn(async move {
        if let Err(e) = serve(listener, served).await {
            tracing::error!("the simulator stopped: {e}");
        }
    });
    Ok((local, sim, task))
}
