//! What both flows need around a session: a task that keeps it alive with the progress made,
//! and a guard that ends it when the flow's future is dropped.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use vapi_runtime::DateTime;

/// The bytes moved so far out of the bytes to move, shared by the transfers of one session.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    pub(crate) fn new(total: u64) -> Self {
        Progress {
            total: AtomicU64::new(total),
            ..Progress::default()
        }
    }

    pub(crate) fn add_total(&self, bytes: u64) {
        self.total.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Records that the current file has `done` bytes on top of `base`.
    pub(crate) fn set_done(&self, base: u64, done: u64) {
        self.done
            .store(base.saturating_add(done), Ordering::Relaxed);
    }

    pub(crate) fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// `client_progress`: the percentage done, 0 to 100; `None` while the total is unknown.
    pub(crate) fn percent(&self) -> Option<i64> {
        let total = self.total.load(Ordering::Relaxed);
        let done = self.done.load(Ordering::Relaxed).min(total);
        if total == 0 {
            return None;
        }
        i64::try_from(u128::from(done) * 100 / u128::from(total)).ok()
    }
}

/// How often to keep a session alive: a third of the time left before its `expiration_time`
/// (so two calls may be lost), at most `most`, at least 50 ms.
pub(crate) fn keep_alive_interval(expiration: Option<&DateTime>, most: Duration) -> Duration {
    let left = expiration.and_then(|e| {
        e.to_system_time()
            .duration_since(std::time::SystemTime::now())
            .ok()
    });
    let every = left.map_or(most, |left| (left / 3).min(most));
    every.max(Duration::from_millis(50))
}

/// A task calling `keep_alive` every `every` with the progress; stopped when dropped.
pub(crate) struct KeepAlive(tokio::task::JoinHandle<()>);

impl KeepAlive {
    pub(crate) fn spawn<F, Fut, E>(
        every: Duration,
        progress: std::sync::Arc<Progress>,
        call: F,
    ) -> KeepAlive
    where
        F: Fn(Option<i64>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send,
    {
        KeepAlive(tokio::spawn(async move {
            let mut last = None;
            loop {
                tokio::time::sleep(every).await;
                // `client_progress` only increases.
                let now = progress.percent().max(last);
                last = now;
                // A failed keep-alive is not fatal by itself: the transfer or the next call
                // fails if the session is gone, and the flow then reads why from the session.
                let _ = call(now).await;
            }
        }))
    }
}

impl KeepAlive {
    /// Keeps the session `id` alive through `keep_alive(sessions, id, percent)` often enough
    /// for its `expiration_time` (see [`keep_alive_interval`]), at most every `most`.
    pub(crate) fn session<S, I, F, Fut, E>(
        sessions: S,
        id: I,
        expiration: Option<&DateTime>,
        most: Duration,
        progress: &std::sync::Arc<Progress>,
        keep_alive: F,
    ) -> KeepAlive
    where
        S: Clone + Send + 'static,
        I: Clone + Send + 'static,
        F: Fn(S, I, Option<i64>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send,
    {
        KeepAlive::spawn(
            keep_alive_interval(expiration, most),
            std::sync::Arc::clone(progress),
            move |percent| keep_alive(sessions.clone(), id.clone(), percent),
        )
    }
}

impl Drop for KeepAlive {
    fn drop(&mut self) {
        self.0.abort();
    }
}

type Cleanup = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Runs its clean-up (cancel or delete the session) on the tokio runtime if dropped while
/// armed: when the flow's future is dropped half way, or returns early without disarming.
pub(crate) struct SessionGuard(Option<Cleanup>);

impl SessionGuard {
    pub(crate) fn new(cleanup: impl Future<Output = ()> + Send + 'static) -> Self {
        SessionGuard(Some(Box::pin(cleanup)))
    }

    /// The flow ended the session itself.
    pub(crate) fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        if let Some(cleanup) = self.0.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let task = runtime.spawn(cleanup);
            if let Ok(mut pending) = PENDING.lock() {
                pending.retain(|t| !t.is_finished());
                pending.push(task);
            }
        }
    }
}

/// The clean-ups started by dropped flows, for [`finish_cleanup`].
static PENDING: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>> =
    std::sync::Mutex::new(Vec::new());

/// Waits, at most `timeout`, for the sessions of dropped [`upload()`](crate::upload) and
/// [`download()`](crate::download) futures to be canceled on the server. Dropping a flow
/// starts that clean-up on the tokio runtime; a program that drops one and then ends (on
/// Ctrl-C, say) calls this first, or the runtime's shutdown may stop the clean-up and leave
/// the item locked until the session expires.
pub async fn finish_cleanup(timeout: Duration) {
    let tasks = PENDING
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default();
    let _ = tokio::time::timeout(timeout, async {
        for task in tasks {
            let _ = task.await;
        }
    })
    .await;
}

/// The text of a server's messages.
pub(crate) fn messages_text(
    messages: &[vapi_bindings::vapi::std::LocalizableMessage],
) -> Option<String> {
    let texts: Vec<&str> = messages
        .iter()
        .map(|m| m.default_message.as_str())
        .filter(|m| !m.is_empty())
        .collect();
    (!texts.is_empty()).then(|| texts.join(" "))
}

/// The error of a session that is no longer ACTIVE: its kind (`download`, `update`), id and
/// state, and the server's reason when it gave one.
pub(crate) fn stopped_session(
    kind: &str,
    id: &dyn std::fmt::Display,
    state: &dyn std::fmt::Display,
    error_message: Option<vapi_bindings::vapi::std::LocalizableMessage>,
) -> crate::Error {
    let why = error_message
        .and_then(|m| messages_text(std::slice::from_ref(&m)))
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    crate::Error::Session {
        message: format!("the {kind} session {id} is {state}{why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_a_percentage_of_the_total() {
        let p = Progress::new(0);
        assert_eq!(p.percent(), None);
        p.add_total(200);
        p.set_done(0, 50);
        assert_eq!(p.percent(), Some(25));
        p.set_done(100, 100);
        assert_eq!(p.percent(), Some(100));
        p.set_done(100, 500);
        assert_eq!(p.percent(), Some(100));
    }

    #[test]
    fn keep_alive_runs_three_times_per_expiry_within_bounds() {
        let most = Duration::from_secs(60);
        assert_eq!(keep_alive_interval(None, most), most);
        // A third of the time left: 10 s, less what passed since `now()` (up to 6 s on a
        // loaded machine).
        let soon =
            DateTime::from_system_time(std::time::SystemTime::now() + Duration::from_secs(30));
        let every = keep_alive_interval(soon.as_ref(), most);
        assert!(
            every <= Duration::from_secs(10) && every > Duration::from_secs(8),
            "{every:?}"
        );
        let past = DateTime::from_system_time(std::time::SystemTime::UNIX_EPOCH);
        assert_eq!(keep_alive_interval(past.as_ref(), most), most);
        let far =
            DateTime::from_system_time(std::time::SystemTime::now() + Duration::from_secs(3600));
        assert_eq!(keep_alive_interval(far.as_ref(), most), most);
    }
}
