//! The background purge of the in-memory stores: expired entries are dropped every
//! [`PURGE_EVERY`], a batch per hold of the store's lock, so no request scans and no purge
//! stalls other requests.

use std::sync::Weak;
use std::time::Duration;

/// How often expired entries are purged.
pub const PURGE_EVERY: Duration = Duration::from_secs(1);
/// Entries purged per hold of a store's lock: other requests get in between batches.
pub const PURGE_BATCH: usize = 2_000;

/// Runs `purge` every [`PURGE_EVERY`] until the store it belongs to is dropped.
pub fn spawn_purge<T: Send + Sync + 'static>(store: Weak<T>, purge: fn(&T) -> usize) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(PURGE_EVERY);
        loop {
            ticks.tick().await;
            let Some(store) = store.upgrade() else { return };
            purge(&store);
        }
    });
}

/// Runs `batch` (which purges at most [`PURGE_BATCH`] entries under a lock it takes and
/// releases) until a batch comes back short; returns the total.
pub fn purge_in_batches(mut batch: impl FnMut() -> usize) -> usize {
    let mut total = 0;
    loop {
        let purged = batch();
        total += purged;
        if purged < PURGE_BATCH {
            return total;
        }
        std::thread::yield_now();
    }
}
