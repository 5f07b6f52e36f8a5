//! Ended sessions are purged: memory follows the live sessions, not every session ever made.
//! On 127.0.0.1; the waits poll for the expected state with wide deadlines instead of racing
//! the server with fixed sleeps.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use vapi_bindings::content::library::item::{
    DownloadSession as _, DownloadSessionModelState, UpdateSession as _, UpdateSessionModelState,
    download_session, update_session,
};
use vapi_sim::SessionCounts;

/// Polls `sim.session_counts()` until it equals `want`, for at most `deadline`.
async fn counts_reach(sim: &vapi_sim::Simulator, want: SessionCounts, deadline: Duration) {
    let start = Instant::now();
    loop {
        let now = sim.session_counts().await;
        if now == want {
            return;
        }
        assert!(
            start.elapsed() < deadline,
            "after {deadline:?}: {now:?}, expected {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const NONE: SessionCounts = SessionCounts {
    updates: 0,
    downloads: 0,
    client_tokens: 0,
};

#[tokio::test]
async fn ended_sessions_are_purged_after_the_retention_time() {
    let retention = Duration::from_secs(5);
    let s = common::start(|c| c.ended_session_retention = retention).await;
    let updates = update_session::Client::new(s.c.clone());
    let downloads = download_session::Client::new(s.c.clone());
    let item = vapi_sim::DEFAULT_ITEM;
    let rounds = 200;
    let mut last = None;
    for i in 0..rounds {
        // Half with client tokens, which are remembered while their session is.
        let token = (i % 2 == 0).then(|| format!("5d1f0c7e-7a39-4b8e-9c55-{i:012x}"));
        let u = updates
            .create(token.clone(), common::update_spec(item))
            .await
            .unwrap();
        if i % 3 == 0 {
            updates.fail(u.clone(), "gave up".into()).await.unwrap();
        } else {
            updates.cancel(u.clone()).await.unwrap();
        }
        let d = downloads
            .create(token, common::download_spec(item))
            .await
            .unwrap();
        downloads.cancel(d.clone()).await.unwrap();
        last = Some((u, d));
    }
    // Within the retention time an ended session can still be read.
    let (u, d) = last.unwrap();
    let state = updates.get(u.clone()).await.unwrap().state.unwrap();
    assert!(
        matches!(
            state,
            UpdateSessionModelState::Canceled | UpdateSessionModelState::Error
        ),
        "{state:?}"
    );
    assert_eq!(
        downloads.get(d.clone()).await.unwrap().state,
        Some(DownloadSessionModelState::Canceled)
    );
    let held = s.sim.session_counts().await;
    assert!(held.updates > 0 && held.downloads > 0, "{held:?}");
    // Then it goes, with its client token.
    counts_reach(&s.sim, NONE, retention + Duration::from_secs(30)).await;
    assert!(matches!(
        updates.get(u).await,
        Err(update_session::GetError::NotFound(_))
    ));
    assert!(matches!(
        downloads.get(d).await,
        Err(download_session::GetError::NotFound(_))
    ));
    s.stop().await;
}

#[tokio::test]
async fn completed_and_expired_sessions_are_purged_and_live_ones_kept() {
    let s = common::start(|c| {
        c.items.push("other-item".into());
        c.ended_session_retention = Duration::ZERO;
        c.idle_timeout = Duration::from_secs(2);
    })
    .await;
    let http = reqwest::Client::new();
    // A completed upload: its session is purged, the item keeps the file.
    common::upload(&s.c, &http, vapi_sim::DEFAULT_ITEM, "kept.bin", b"kept")
        .await
        .unwrap();
    let data = common::download(&s.c, &http, vapi_sim::DEFAULT_ITEM, "kept.bin")
        .await
        .unwrap();
    assert_eq!(data, b"kept");
    // A session nobody calls expires after the idle timeout, then goes.
    let updates = update_session::Client::new(s.c.clone());
    updates
        .create(None, common::update_spec("other-item"))
        .await
        .unwrap();
    counts_reach(&s.sim, NONE, Duration::from_secs(30)).await;
    // A session that is kept alive stays: calls every 250 ms for 3 s against a 2 s timeout.
    let live = updates
        .create(None, common::update_spec("other-item"))
        .await
        .unwrap();
    for _ in 0..12 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        updates.keep_alive(live.clone(), None).await.unwrap();
    }
    assert_eq!(
        updates.get(live).await.unwrap().state,
        Some(UpdateSessionModelState::Active)
    );
    s.stop().await;
}
