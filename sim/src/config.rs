//! How a simulator behaves: [`SimConfig`].

use std::path::PathBuf;
use std::time::Duration;

use crate::tls::TlsIdentity;

/// The user `POST /api/session` accepts unless configured otherwise.
pub const DEFAULT_USER: &str = "administrator@vsphere.local";
/// The password `POST /api/session` accepts unless configured otherwise.
pub const DEFAULT_PASSWORD: &str = "vmware";
/// The library item seeded when none is asked for.
pub const DEFAULT_ITEM: &str = "sim-item-1";
/// How long an update or download session lives without a call: five minutes, the documented
/// default of the Content Library Service.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// A user besides the administrator ([`SimConfig::user`]) who logs in with the same password
/// and holds only `privileges` (vCenter's privilege ids, such as `System.Read` or
/// `ContentLibrary.DownloadSession`) on every object: a call whose documented privileges it
/// lacks gets 403 `UNAUTHORIZED`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitedUser {
    /// The user name (`reader@vsphere.local`).
    pub name: String,
    /// What it holds; nothing is implied (not even `System.Anonymous`).
    pub privileges: std::collections::BTreeSet<String>,
}

impl std::str::FromStr for LimitedUser {
    type Err = String;

    /// `NAME=PRIV,PRIV,...` (`NAME=` holds nothing).
    fn from_str(text: &str) -> Result<Self, String> {
        let (name, privileges) = text
            .split_once('=')
            .ok_or_else(|| format!("{text:?} is not NAME=PRIVILEGE,PRIVILEGE,..."))?;
        if name.is_empty() {
            return Err(format!("{text:?} names no user"));
        }
        Ok(LimitedUser {
            name: name.to_owned(),
            privileges: privileges
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    }
}

/// How the simulator behaves. Fields are public so that tests set what they need:
///
/// ```
/// let mut config = vapi_sim::SimConfig::new("http://127.0.0.1:8443");
/// config.idle_timeout = std::time::Duration::from_secs(2); // sessions expire fast
/// config.max_file_bytes = Some(1 << 30);                    // refuse uploads above 1 GiB
/// ```
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where clients reach the simulator (`http://127.0.0.1:8443`): transfer endpoint URIs
    /// start with it. With [`tls`](Self::tls) set, an `http://` base becomes `https://`.
    pub base_url: String,
    /// The library items that exist (each empty unless `data_dir` holds it already).
    pub items: Vec<String>,
    /// Items of a subscribed library, which exist too but cannot be updated (`UpdateSession`
    /// `create` answers `InvalidElementType`, as vCenter does for a subscribed library's item).
    pub subscribed_items: Vec<String>,
    /// How long an update or download session lives without a call before it expires
    /// (default five minutes, [`DEFAULT_IDLE_TIMEOUT`]). A transfer counts as a call when it
    /// starts and when it ends, not while bytes flow: a client keeps a long transfer's session
    /// alive with `keep_alive`, as vCenter asks.
    pub idle_timeout: Duration,
    /// How long a session that ended (completed, canceled, failed or expired) can still be
    /// read (`get`, `list`) before it is purged with what it held (default five minutes, as
    /// [`DEFAULT_IDLE_TIMEOUT`]). Deleted sessions go at once.
    pub ended_session_retention: Duration,
    /// How long an API session (`POST /api/session`) lives without a call (default 30 minutes,
    /// vCenter's).
    pub api_session_idle_timeout: Duration,
    /// The user name `POST /api/session` accepts.
    pub user: String,
    /// The password `POST /api/session` accepts.
    pub password: String,
    /// Users with only some privileges, logging in with [`password`](Self::password) (none
    /// by default: the administrator holds every privilege).
    pub limited_users: Vec<LimitedUser>,
    /// The largest `/api` request body, in bytes (default 1 MiB, as `ApiServer`'s); larger
    /// ones get 413. Transfers are not bodies of `/api` and have their own limit.
    pub body_limit: usize,
    /// The largest file one upload may write, in bytes; `None` (the default): only the disk
    /// limits it.
    pub max_file_bytes: Option<u64>,
    /// Where file contents and item state live. `None` (the default): a temporary directory
    /// removed when the last clone of the [`Simulator`](crate::Simulator) is dropped. A given
    /// directory keeps its state across restarts.
    pub data_dir: Option<PathBuf>,
    /// Serve HTTPS with this certificate; `None` (the default): plain HTTP.
    pub tls: Option<TlsIdentity>,
    /// How long a connection may take to send a request's head, and how long a request body
    /// (an `/api` body, or an upload between two chunks) may stall, before the connection is
    /// dropped (default 30 seconds).
    pub stall_timeout: Duration,
}

impl SimConfig {
    /// The defaults, for a simulator reachable at `base_url`.
    pub fn new(base_url: impl Into<String>) -> Self {
        SimConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            items: vec![DEFAULT_ITEM.to_owned()],
            subscribed_items: Vec::new(),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            ended_session_retention: DEFAULT_IDLE_TIMEOUT,
            api_session_idle_timeout: vapi_runtime::server::DEFAULT_SESSION_IDLE_TIMEOUT,
            user: DEFAULT_USER.to_owned(),
            password: DEFAULT_PASSWORD.to_owned(),
            limited_users: Vec::new(),
            body_limit: 1 << 20,
            max_file_bytes: None,
            data_dir: None,
            tls: None,
            stall_timeout: Duration::from_secs(30),
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

    /// The base URL clients use: `https://` when TLS is on.
    pub(crate) fn effective_base_url(&self) -> String {
        match (&self.tls, self.base_url.strip_prefix("http://")) {
            (Some(_), Some(rest)) => format!("https://{rest}"),
            _ => self.base_url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LimitedUser;

    #[test]
    fn limited_users_read_name_equals_privileges() {
        let u: LimitedUser = "reader@vsphere.local=System.Read, ContentLibrary.DownloadSession,"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(u.name, "reader@vsphere.local");
        assert_eq!(
            u.privileges.iter().map(String::as_str).collect::<Vec<_>>(),
            ["ContentLibrary.DownloadSession", "System.Read"]
        );
        let none: LimitedUser = "nobody=".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(none.privileges.is_empty());
        for bad in ["nobody", "=System.Read", ""] {
            assert!(bad.parse::<LimitedUser>().is_err(), "{bad:?}");
        }
    }
}
