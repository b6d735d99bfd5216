//! Wall-clock time for every deadline the server enforces (session timeouts, token
//! `iat`/`exp`, refresh families). Tests move it forward with [`Clock::advance`] instead of
//! sleeping; that works the same whether the store is in memory or in Redis. Keep it
//! injectable: every deadline reads this clock, never `SystemTime` directly, which is what
//! makes expiry testable without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug)]
pub struct Clock {
    unix_ms_at_start: i64,
    started: Instant,
    /// Shared by every clone, so advancing the app's clock advances its stores' too.
    skipped_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn new() -> Self {
        let unix_ms_at_start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_millis() as i64)
            .unwrap_or_default();
        Clock {
            unix_ms_at_start,
            started: Instant::now(),
            skipped_ms: Arc::default(),
        }
    }

    /// Unix time in milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.unix_ms_at_start
            + self.started.elapsed().as_millis() as i64
            + self.skipped_ms.load(Ordering::Relaxed)
    }

    /// Unix time in whole seconds, as JWT claims count it.
    pub fn now_secs(&self) -> u64 {
        (self.now_ms() / 1000) as u64
    }

    /// Moves this clock and all its clones forward, as if `by` had passed.
    pub fn advance(&self, by: Duration) {
        self.skipped_ms
            .fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}
