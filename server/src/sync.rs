//! The one mutex helper every module uses.

use std::sync::{Mutex, MutexGuard};

/// Each method does one consistent update under the lock, so a poisoned lock
/// (a panic elsewhere while holding it) leaves nothing half-done: keep going.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
