//! `vapi-sim`: serves the simulator until stopped (Ctrl-C). `vapi-sim --help` lists the flags.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use vapi_sim::{SimConfig, Simulator, TlsIdentity};

/// A vSphere Content Library item simulator: serves the real `/api` (sessions, update and
/// download sessions, File, Storage, Changes) and its transfer endpoints, over HTTP or HTTPS.
///
/// The password accepted with --user is read from VAPI_SIM_PASSWORD (default "vmware"), never
/// from the command line. Logs go to stderr; RUST_LOG sets their level (default info).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, env = "VAPI_SIM_LISTEN", default_value = "127.0.0.1:8443")]
    listen: SocketAddr,
    /// A library item to serve, empty at first (repeatable).
    #[arg(long = "item", value_name = "ITEM_ID", default_value = vapi_sim::DEFAULT_ITEM)]
    items: Vec<String>,
    /// An item of a subscribed library: served, but UpdateSession.create on it answers
    /// InvalidElementType (repeatable).
    #[arg(long = "subscribed-item", value_name = "ITEM_ID")]
    subscribed_items: Vec<String>,
    /// User accepted by POST /api/session, holding every privilege.
    #[arg(long, env = "VAPI_SIM_USER", default_value = vapi_sim::DEFAULT_USER)]
    user: String,
    /// Another user, with the same password, holding only these privileges (repeatable;
    /// `reader@vsphere.local=System.Read,ContentLibrary.DownloadSession`; `NAME=` holds none).
    /// Calls needing a privilege it lacks get 403 UNAUTHORIZED.
    #[arg(long = "limited-user", value_name = "NAME=PRIVILEGES")]
    limited_users: Vec<vapi_sim::LimitedUser>,
    /// Seconds an update or download session lives without a call.
    #[arg(
        long,
        value_name = "SECS",
        env = "VAPI_SIM_IDLE_TIMEOUT",
        default_value_t = 300
    )]
    idle_timeout: u64,
    /// Seconds a completed, canceled, failed or expired session stays readable before it is
    /// purged.
    #[arg(
        long,
        value_name = "SECS",
        env = "VAPI_SIM_ENDED_SESSION_RETENTION",
        default_value_t = 300
    )]
    ended_session_retention: u64,
    /// Seconds an API session lives without a call.
    #[arg(
        long,
        value_name = "SECS",
        env = "VAPI_SIM_API_SESSION_TIMEOUT",
        default_value_t = 1800
    )]
    api_session_timeout: u64,
    /// Where file contents and item state are kept, across restarts [default: a temporary
    /// directory removed at exit].
    #[arg(long, value_name = "DIR", env = "VAPI_SIM_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The largest file one upload may write, in bytes [default: no limit but the disk].
    #[arg(long, value_name = "BYTES", env = "VAPI_SIM_MAX_FILE_BYTES")]
    max_file_bytes: Option<u64>,
    /// Serve HTTPS with a self-signed certificate made at start (written as PEM to the data
    /// directory; its path is printed).
    #[arg(long, conflicts_with_all = ["cert", "key"])]
    tls: bool,
    /// Serve HTTPS with this certificate chain (PEM); needs --key.
    #[arg(long, value_name = "FILE", requires = "key", env = "VAPI_SIM_CERT")]
    cert: Option<PathBuf>,
    /// The certificate's private key (PEM); needs --cert.
    #[arg(long, value_name = "FILE", requires = "cert", env = "VAPI_SIM_KEY")]
    key: Option<PathBuf>,
}

const PASSWORD_ENV: &str = "VAPI_SIM_PASSWORD";

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .init();
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => return fail(format!("cannot listen on {}: {e}", args.listen)),
    };
    let mut config = match SimConfig::for_listener(&listener) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    config.items = args.items;
    config.subscribed_items = args.subscribed_items;
    config.user = args.user;
    config.limited_users = args.limited_users;
    config.password = match std::env::var(PASSWORD_ENV) {
        Ok(p) => p,
        Err(std::env::VarError::NotPresent) => vapi_sim::DEFAULT_PASSWORD.to_owned(),
        Err(e) => return fail(format!("{PASSWORD_ENV}: {e}")),
    };
    config.idle_timeout = Duration::from_secs(args.idle_timeout);
    config.ended_session_retention = Duration::from_secs(args.ended_session_retention);
    config.api_session_idle_timeout = Duration::from_secs(args.api_session_timeout);
    config.data_dir = args.data_dir;
    config.max_file_bytes = args.max_file_bytes;
    config.tls = match (&args.cert, &args.key, args.tls) {
        (Some(cert), Some(key), _) => match TlsIdentity::from_files(cert, key) {
            Ok(t) => Some(t),
            Err(e) => return fail(e),
        },
        (_, _, true) => match TlsIdentity::self_signed(&[]) {
            Ok(t) => Some(t),
            Err(e) => return fail(format!("cannot make a certificate: {e}")),
        },
        _ => None,
    };
    let sim = match Simulator::new(config) {
        Ok(s) => s,
        Err(e) => return fail(format!("the data directory: {e}")),
    };
    println!("listening on {}/api", sim.config().base_url);
    // The certificate a client is to trust: the one made now (written to the data directory)
    // or the one given.
    if let Some(tls) = &sim.config().tls {
        let path = match &args.cert {
            Some(given) => given.clone(),
            None => {
                let path = sim.data_dir().join("certificate.pem");
                if let Err(e) = std::fs::write(&path, tls.cert_pem()) {
                    return fail(format!("cannot write {}: {e}", path.display()));
                }
                path
            }
        };
        println!("certificate: {}", path.display());
    }
    tracing::info!(data_dir = %sim.data_dir().display(), "serving");
    tokio::select! {
        served = vapi_sim::serve(listener, sim.clone()) => {
            if let Err(e) = served {
                return fail(e);
            }
        }
        _ = stopped() => tracing::info!("stopping"),
    }
    ExitCode::SUCCESS
}

/// Ctrl-C, or SIGTERM where there is one: returning from `main` then removes a temporary data
/// directory.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
