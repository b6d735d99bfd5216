//! The storage layer: the pieces both server-side stores are built from, and used by them
//! alike — neither store reaches the other's. In memory, a map whose entries expire in
//! deadline order ([`expiring`]) and the purge task that drops them ([`purge`]); in Redis, the
//! connection and a table of expiring JSON rows ([`redis`]). On them: the session store
//! ([`sessions`]); the refresh-family store is the token flow's own (`crate::jwt::refresh`).

pub mod expiring;
pub mod purge;
pub mod redis;
pub mod sessions;

/// A store call that failed. The message names the store (`session store`, `refresh-token
/// store`, …) and what went wrong, so a 503's log line says which one is down.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error("unreadable record: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// The same error, said of `store` (e.g. "the session store (Redis)").
    pub fn in_store(self, store: &str) -> Self {
        match self {
            StoreError::Unavailable(why) => StoreError::Unavailable(format!("{store}: {why}")),
            StoreError::Corrupt(why) => StoreError::Corrupt(format!("{store}: {why}")),
        }
    }
}

/// Rows a store listing shows at most (the visitor's soonest to expire).
pub const LISTING_LIMIT: usize = 100;

/// The counts both store listings answer beside their rows.
pub fn listing_counts(backend: &str, total: usize, yours: usize) -> app::api::ListingCounts {
    app::api::ListingCounts {
        backend: backend.to_owned(),
        total,
        yours,
        limit: LISTING_LIMIT,
    }
}
