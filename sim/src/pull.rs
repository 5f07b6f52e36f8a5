//! PULL sources: `updatesession.File.add` with `source_type` PULL and an `http(s)`
//! `source_endpoint` makes the server fetch the file itself, as vCenter does. The fetch runs
//! in a task: it streams the body to `incoming/` (hashed on the way, with the upload limits:
//! stall timeout, `max_file_bytes`), checks the size and SHA-256 the spec announced, and
//! reports on the file: `TRANSFERRING` with `bytes_transferred` while it runs, then `READY`,
//! or `ERROR` with an `error_message`, which also puts the session in `ERROR` (as vCenter
//! reports a failed transfer; clients such as govmomi watch the session's state). An HTTPS
//! source is trusted through the platform's roots, or through the endpoint's `ssl_certificate`
//! (PEM) when given.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use vapi_bindings::content::library::item::{FileChecksumAlgorithm, TransferEndpoint};

use crate::faults::Fault;
use crate::state::{Phase, Pull, PullStatus, Received, Simulator, Upload};
use crate::transfer::{Stop, receive};

/// How long connecting to a PULL source and receiving its answer's head may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The URL of a PULL source, if the simulator can fetch it (`http` or `https`).
pub(crate) fn source_url(endpoint: Option<&TransferEndpoint>) -> Result<String, Fault> {
    let endpoint = endpoint
        .ok_or_else(|| Fault::InvalidArgument("A PULL source needs a `source_endpoint`.".into()))?;
    let uri = endpoint.uri.to_string();
    let scheme = uri.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("http" | "https") => Ok(uri),
        _ => Err(Fault::InvalidArgument(format!(
            "The simulator fetches PULL sources over http or https only, not {uri}."
        ))),
    }
}

fn client(endpoint: &TransferEndpoint) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(CONNECT_TIMEOUT);
    if let Some(pem) = &endpoint.ssl_certificate {
        let certificate = reqwest::Certificate::from_pem(pem.as_bytes())
            .map_err(|e| format!("the endpoint's ssl_certificate cannot be read: {e}"))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().map_err(|e| e.to_string())
}

impl Simulator {
    /// Starts fetching `url` for file `name` of update session `session`; returns the PULL
    /// state to keep in the file's [`Upload`].
    pub(crate) fn start_pull(
        &self,
        session: &str,
        name: &str,
        url: String,
        upload: &Upload,
    ) -> Result<Pull, Fault> {
        let id = crate::ids::token()?;
        let transferred = Arc::new(AtomicU64::new(0));
        let job = Job {
            sim: self.clone(),
            session: session.to_owned(),
            name: name.to_owned(),
            id: id.clone(),
            url,
            endpoint: upload.source_endpoint.clone(),
            size: upload.size,
            checksum: upload.checksum.clone(),
            transferred: Arc::clone(&transferred),
        };
        let task = tokio::spawn(job.run()).abort_handle();
        Ok(Pull {
            id,
            status: PullStatus::Transferring,
            transferred,
            task,
        })
    }
}

struct Job {
    sim: Simulator,
    session: String,
    name: String,
    id: String,
    url: String,
    endpoint: Option<TransferEndpoint>,
    size: Option<i64>,
    checksum: Option<vapi_bindings::content::library::item::FileChecksumInfo>,
    transferred: Arc<AtomicU64>,
}

impl Job {
    async fn run(self) {
        let outcome = self.fetch().await;
        self.report(outcome).await;
    }

    /// The bytes, received into `incoming/` and checked.
    async fn fetch(&self) -> Result<Received, String> {
        let endpoint = self.endpoint.as_ref().ok_or("no source endpoint")?;
        let response = client(endpoint)?
            .get(&self.url)
            .send()
            .await
            .map_err(|e| format!("{} cannot be fetched: {e}", self.url))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("{} answered {status}", self.url));
        }
        let path = self.sim.store.incoming().map_err(|e| e.to_string())?;
        let got = receive(
            &self.sim,
            response.bytes_stream(),
            &path,
            Some(&self.transferred),
        )
        .await;
        let (size, sha256) = match got {
            Ok(got) => got,
            Err(stop) => {
                let _ = tokio::fs::remove_file(&path).await;
                return Err(match stop {
                    Stop::TooLarge(max) => format!("the file is larger than {max} bytes"),
                    Stop::Stalled => format!("{} stopped sending", self.url),
                    Stop::Client(e) => format!("{} broke off: {e}", self.url),
                    Stop::Disk(e) => format!("the simulator's storage failed: {e}"),
                });
            }
        };
        // From here the bytes belong to `received`: dropped, they are removed.
        let received = Received {
            path: Some(path),
            size,
            sha256,
        };
        if let Some(want) = self.size
            && u64::try_from(want).ok() != Some(received.size)
        {
            return Err(format!(
                "{} bytes received from {}, {want} announced",
                received.size, self.url
            ));
        }
        if let Some(c) = &self.checksum {
            if c.algorithm
                .as_ref()
                .is_some_and(|a| *a != FileChecksumAlgorithm::Sha256)
            {
                return Err("only SHA256 checksums can be verified".into());
            }
            if !c.checksum.eq_ignore_ascii_case(&received.sha256) {
                return Err(format!(
                    "the SHA-256 of what {} sent is {}, not the announced {}",
                    self.url, received.sha256, c.checksum
                ));
            }
        }
        Ok(received)
    }

    /// Puts the outcome on the file (and the session): if the session and this fetch of the
    /// file are still there. A completing session whose last fetch arrived completes.
    async fn report(self, outcome: Result<Received, String>) {
        let mut world = self.sim.world().await;
        let Some(u) = world.updates.get_mut(&self.session) else {
            return;
        };
        if u.session.phase != Phase::Active {
            return;
        }
        let Some(file) = u.files.get_mut(&self.name) else {
            return;
        };
        let Some(pull) = file.pull.as_mut().filter(|p| p.id == self.id) else {
            return;
        };
        // The transfer counts as a call, as a client's upload does when it ends.
        u.session.last_call = Instant::now();
        match outcome {
            Ok(received) => {
                pull.status = PullStatus::Done;
                file.received = Some(received);
                if u.completing && !u.pulling() {
                    let id = self.session.clone();
                    let store = Arc::clone(&self.sim.store);
                    if let Err(e) = crate::services::commit(&store, &mut world, &id).await {
                        tracing::warn!(session = %id, "completing after the PULL failed: {}", e.text());
                    }
                }
            }
            Err(why) => {
                tracing::info!(session = %self.session, file = %self.name, "PULL failed: {why}");
                pull.status = PullStatus::Failed(why.clone());
                u.files.values_mut().for_each(Upload::discard);
                u.session.end(
                    Phase::Error,
                    Some(format!("The transfer of {} failed: {why}.", self.name)),
                );
            }
        }
    }
}
