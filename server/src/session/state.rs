//! What the session flow holds: its store, the accounts, its cookie and its ceiling. The main
//! server has one; each lab node builds its own from it (its store, its cookie name).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::clock::Clock;
use crate::config::SecureCookie;
use crate::http::client::Client;
use crate::http::cookies;
use crate::http::rate_limit::LoginLimiter;
use crate::storage::sessions::SessionStore;
use crate::users::UserDirectory;

#[derive(Clone)]
pub struct SessionState {
    pub store: Arc<dyn SessionStore>,
    pub users: Arc<UserDirectory>,
    pub clock: Clock,
    pub cookie: SessionCookie,
    /// A session ends this long after its last request…
    pub idle: Duration,
    /// …and never later than this long after login.
    pub absolute: Duration,
    /// How many sessions every visitor's logins together may hold.
    pub max_sessions: usize,
    /// Rows in the same store that the ceiling does not count (experiment 10's bulk runs,
    /// bounded apart and gone once measured).
    pub held_apart: Arc<HeldApart>,
    /// `None` when the login rate limit is turned off.
    pub login_limiter: Option<Arc<LoginLimiter>>,
}

/// The session cookie's name and `Secure` policy.
#[derive(Clone, Copy)]
pub struct SessionCookie {
    pub secure: SecureCookie,
    /// A lab node's own name (it has `Path=/lb`, which `__Host-` forbids, and never collides
    /// with the app's); `None` on the main server, whose name follows the cookie's secure-ness.
    pub fixed_name: Option<&'static str>,
}

impl SessionCookie {
    /// `__Host-authlens_sid` wherever the cookie is `Secure`, `authlens_sid` on plain http
    /// (where a browser would drop a `__Host-` cookie), or the lab node's own name.
    pub fn name(&self, client: &Client) -> &'static str {
        self.fixed_name
            .unwrap_or_else(|| app::api::session_cookie_name(self.secure(client)))
    }

    pub fn secure(&self, client: &Client) -> bool {
        cookies::secure_for(self.secure, client)
    }
}

impl SessionState {
    /// When a session touched at `now` ends: after the idle timeout, but never past
    /// the absolute timeout counted from login.
    pub fn deadline(&self, created_at: i64, now: i64) -> i64 {
        let idle = now + self.idle.as_millis() as i64;
        let absolute = created_at + self.absolute.as_millis() as i64;
        idle.min(absolute)
    }
}

/// A count of store rows another part holds apart from the login ceiling.
#[derive(Default)]
pub struct HeldApart(AtomicUsize);

impl HeldApart {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    pub fn add(&self, rows: usize) {
        self.0.fetch_add(rows, Ordering::Relaxed);
    }

    pub fn remove(&self, rows: usize) {
        self.0.fetch_sub(rows, Ordering::Relaxed);
    }
}
