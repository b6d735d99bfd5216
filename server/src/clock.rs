//! Wall-clock time read through tokio's clock, so that tests can pause and
//! advance time (`tokio::time::pause`) instead of sleeping.

use std::time::{SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

#[derive(Clone, Copy, Debug)]
pub struct Clock {
    unix_ms_at_start: i64,
    started: Instant,
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
        }
    }

    /// Unix time in milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.unix_ms_at_start + self.started.elapsed().as_millis() as i64
    }

    /// Unix time in whole seconds, as JWT claims count it.
    pub fn now_secs(&self) -> u64 {
        (self.now_ms() / 1000) as u64
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}
