//! When and how often a call is tried again: the policy ([`RetryConfig`]), the backoff with
//! jitter, and what in an answer asks for a retry.

use std::time::{Duration, Instant};

/// When and how often a call that is safe to repeat is tried again: after a connection that
/// failed or dropped, a timeout, or an answer saying the server is busy or briefly unavailable
/// (HTTP 429, 502, 503 `SERVICE_UNAVAILABLE`, 504 `TIMED_OUT`). Between tries it waits a random
/// time up to an exponentially growing bound ("full jitter"), or what the server asked for in
/// `Retry-After`, at most [`max_backoff`](Self::max_backoff).
///
/// Which calls are safe to repeat is described in
/// [`Connection::send`](super::Connection::send); the others are never repeated once they may
/// have reached the server, whatever this says.
///
/// ```
/// use std::time::Duration;
/// use vapi_runtime::client::{ClientBuilder, RetryConfig};
///
/// let connection = ClientBuilder::new("https://vc.example.com")
///     .retry(
///         RetryConfig::standard()
///             .max_attempts(5)
///             .initial_backoff(Duration::from_millis(100))
///             .max_backoff(Duration::from_secs(5)),
///     )
///     .build()?;
/// // The same session, calls tried once:
/// let once = connection.with_retry(RetryConfig::disabled());
/// # drop(once);
/// # Ok::<(), vapi_runtime::client::ClientError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    pub(super) max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl RetryConfig {
    /// The default: up to 3 attempts, waiting up to 250 ms before the second and up to 500 ms
    /// before the third, never more than 10 s.
    pub const fn standard() -> Self {
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
        }
    }

    /// Every call is tried once.
    pub const fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..Self::standard()
        }
    }

    /// How many times a call may be tried in all, the first included; 0 counts as 1.
    pub const fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = if attempts == 0 { 1 } else { attempts };
        self
    }

    /// The bound of the wait before the second attempt; it doubles for each later one. The
    /// wait itself is drawn at random below the bound, so that clients that failed together
    /// do not come back together.
    pub const fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between two attempts, also when the server asks for more.
    pub const fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The wait before attempt `retry + 1` (`retry` ≥ 1), given a random fraction in [0, 1).
    pub(super) fn backoff(
        &self,
        retry: u32,
        fraction: f64,
        retry_after: Option<Duration>,
    ) -> Duration {
        if let Some(asked) = retry_after {
            return asked.min(self.max_backoff);
        }
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let bound = self
            .initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff);
        bound.mul_f64(fraction.clamp(0.0, 1.0))
    }
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self::standard()
    }
}

/// The wait a `Retry-After` header asks for, in its delay-seconds form; the HTTP-date form
/// is ignored (the backoff applies).
pub(super) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// Whether an answer says the server is busy or briefly unavailable.
pub(super) fn is_transient_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// A random fraction in [0, 1) for jitter. Std's `RandomState` is seeded from the operating
/// system's randomness per process and varies per instance: plenty for spreading retries.
pub(super) fn jitter_fraction() -> f64 {
    use std::hash::BuildHasher;
    let bits = std::hash::RandomState::new().hash_one(Instant::now());
    // 53 random bits, the precision of an f64 mantissa.
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_bound() {
        let c = RetryConfig::standard()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        let full = |retry| c.backoff(retry, 1.0, None);
        assert_eq!(full(1), Duration::from_millis(100));
        assert_eq!(full(2), Duration::from_millis(200));
        assert_eq!(full(3), Duration::from_millis(350));
        assert_eq!(full(40), Duration::from_millis(350));
        assert_eq!(c.backoff(2, 0.5, None), Duration::from_millis(100));
        assert_eq!(c.backoff(2, 0.0, None), Duration::ZERO);
        // The server's Retry-After wins, within the bound.
        assert_eq!(
            c.backoff(1, 0.0, Some(Duration::from_millis(300))),
            Duration::from_millis(300)
        );
        assert_eq!(
            c.backoff(1, 0.0, Some(Duration::from_secs(60))),
            Duration::from_millis(350)
        );
    }

    #[test]
    fn jitter_is_a_fraction_and_varies() {
        let draws: Vec<f64> = (0..64).map(|_| jitter_fraction()).collect();
        assert!(draws.iter().all(|f| (0.0..1.0).contains(f)));
        assert!(draws.iter().any(|f| *f != draws[0]));
    }

    #[test]
    fn zero_attempts_is_one() {
        assert_eq!(RetryConfig::standard().max_attempts(0).max_attempts, 1);
        assert_eq!(RetryConfig::disabled().max_attempts, 1);
    }
}
