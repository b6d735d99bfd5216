//! What the token flow holds: its signing service (keys and refresh store), the accounts and
//! its ceiling. Lab nodes share the main server's.

use std::sync::Arc;

use crate::http::rate_limit::LoginLimiter;
use crate::users::UserDirectory;

use super::JwtService;

pub struct JwtState {
    pub service: Arc<JwtService>,
    pub users: Arc<UserDirectory>,
    /// How many refresh families every visitor's logins together may hold (the sessions'
    /// ceiling).
    pub max_families: usize,
    /// `None` when the login rate limit is turned off.
    pub login_limiter: Option<Arc<LoginLimiter>>,
}
