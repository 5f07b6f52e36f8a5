//! What every transfer shares while bytes move: counting, hashing and reporting them, and the
//! stall timeout.

use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{Checksum, ChecksumAlgorithm, Hasher, ProgressFn, TransferError, TransferOutcome};

/// Counts, hashes and reports the bytes of one transfer; shared with the body stream.
pub(super) struct Meter {
    done: AtomicU64,
    total: Mutex<Option<u64>>,
    hasher: Mutex<Option<Hasher>>,
    progress: Option<ProgressFn>,
    started: Instant,
    /// Milliseconds after `started` when the last byte moved.
    last_activity: AtomicU64,
}

impl Meter {
    pub(super) fn new(
        algorithm: Option<ChecksumAlgorithm>,
        progress: Option<ProgressFn>,
        total: Option<u64>,
    ) -> Self {
        Meter {
            done: AtomicU64::new(0),
            total: Mutex::new(total),
            hasher: Mutex::new(algorithm.map(ChecksumAlgorithm::hasher)),
            progress,
            started: Instant::now(),
            last_activity: AtomicU64::new(0),
        }
    }

    pub(super) fn total(&self) -> Option<u64> {
        self.total.lock().ok().and_then(|t| *t)
    }

    pub(super) fn set_total(&self, total: u64) {
        if let Ok(mut t) = self.total.lock() {
            *t = Some(total);
        }
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub(super) fn add(&self, bytes: &[u8]) {
        if let Ok(mut h) = self.hasher.lock()
            && let Some(h) = h.as_mut()
        {
            h.update(bytes);
        }
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let done = self
            .done
            .fetch_add(len, Ordering::Relaxed)
            .saturating_add(len);
        self.last_activity
            .store(self.elapsed_ms(), Ordering::Relaxed);
        if let Some(report) = &self.progress {
            report(done, self.total());
        }
    }

    fn idle(&self) -> Duration {
        let last = self.last_activity.load(Ordering::Relaxed);
        Duration::from_millis(self.elapsed_ms().saturating_sub(last))
    }

    pub(super) fn finish(
        &self,
        expected: Option<&Checksum>,
        size: Option<u64>,
    ) -> Result<TransferOutcome, TransferError> {
        let bytes = self.done.load(Ordering::Relaxed);
        if let Some(expected) = size
            && expected != bytes
        {
            return Err(TransferError::SizeMismatch {
                expected,
                actual: bytes,
            });
        }
        let checksum = self
            .hasher
            .lock()
            .ok()
            .and_then(|mut h| h.take())
            .map(Hasher::finish);
        if let (Some(expected), Some(actual)) = (expected, &checksum)
            && expected != actual
        {
            return Err(TransferError::ChecksumMismatch {
                expected: expected.clone(),
                actual: actual.clone(),
            });
        }
        if let Some(report) = &self.progress {
            report(bytes, Some(bytes));
        }
        Ok(TransferOutcome { bytes, checksum })
    }
}

/// Runs `work`, failing with [`TransferError::Stalled`] when no byte moved through `meter`
/// for `stall`.
pub(super) async fn watch<T>(
    meter: &Meter,
    stall: Duration,
    context: &str,
    work: impl Future<Output = Result<T, reqwest::Error>>,
) -> Result<T, TransferError> {
    let mut work: Pin<&mut _> = std::pin::pin!(work);
    loop {
        let left = stall.saturating_sub(meter.idle());
        if left.is_zero() {
            return Err(TransferError::Stalled {
                context: context.to_owned(),
                after: stall,
            });
        }
        if let Ok(result) = tokio::time::timeout(left, work.as_mut()).await {
            return result.map_err(|source| TransferError::Http {
                context: context.to_owned(),
                source,
            });
        }
    }
}

/// The body of an answer that is not the transfer's: read to its end (so the connection can be
/// reused) but kept only up to 64 KiB, enough for the server's message.
pub(super) async fn read_capped(
    mut response: reqwest::Response,
) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() < 64 << 10 {
            body.extend_from_slice(&chunk);
        }
    }
    Ok(body)
}
