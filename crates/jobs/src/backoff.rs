//! Retry schedule of the outboxes: exponential back-off with a cap and jitter, so a panel
//! that comes back is not hit by every pending entry in the same second.

use std::time::Duration;

use rand::RngExt;

/// Exponential back-off settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failure.
    pub base: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff { base: Duration::from_secs(5), max: Duration::from_secs(600) }
    }
}

impl Backoff {
    /// The wait before attempt `failures + 1`: `base * 2^(failures-1)`, capped at `max`, then
    /// spread by up to ±20%.
    pub fn delay(&self, failures: u32) -> Duration {
        let exp = failures.saturating_sub(1).min(30);
        let raw = self.base.saturating_mul(1u32 << exp).min(self.max);
        let jitter = rand::rng().random_range(0.8..=1.2);
        raw.mul_f64(jitter).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stop_at_the_cap() {
        let b = Backoff { base: Duration::from_secs(1), max: Duration::from_secs(60) };
        let first = b.delay(1);
        assert!(first >= Duration::from_millis(800) && first <= Duration::from_millis(1200), "{first:?}");
        let fourth = b.delay(4);
        assert!(fourth >= Duration::from_millis(6400) && fourth <= Duration::from_millis(9600), "{fourth:?}");
        assert!(b.delay(40) <= Duration::from_secs(60));
        assert!(b.delay(u32::MAX) <= Duration::from_secs(60));
    }
}
