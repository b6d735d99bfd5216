//! Login flood protection: a token bucket per client IP address (governor's GCRA), in front
//! of both login endpoints. A visitor clicking through the demo never meets it; a script
//! guessing passwords is slowed to the refill rate and told when to come back.
//!
//! The key is the TCP peer address. Behind a reverse proxy every client shares the proxy's
//! address; `X-Forwarded-For` is deliberately not trusted, as any client can forge it.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::AppState;
use crate::error::ErrorCode;
use crate::error::error_response;

/// How often clients whose bucket has refilled completely are forgotten.
const FORGET_FULL_BUCKETS_EVERY: Duration = Duration::from_secs(60);

pub struct LoginLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl LoginLimiter {
    /// `None` when `burst` is 0 (no limit). Forgets idle clients in the background, so
    /// memory is bounded by the clients seen in the last minute or so.
    pub fn new(burst: u32, per_minute: u32) -> Option<Arc<Self>> {
        let burst = NonZeroU32::new(burst)?;
        let per_minute = per_minute.max(1);
        let quota = Quota::with_period(Duration::from_secs(60) / per_minute)?.allow_burst(burst);
        let limiter = Arc::new(LoginLimiter {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        });
        spawn_forgetting(Arc::downgrade(&limiter));
        Some(limiter)
    }

    /// `Err(wait)` when this client must wait before its next attempt.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Clients currently tracked.
    pub fn tracked(&self) -> usize {
        self.limiter.len()
    }
}

fn spawn_forgetting(limiter: Weak<LoginLimiter>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(FORGET_FULL_BUCKETS_EVERY);
        loop {
            ticks.tick().await;
            let Some(limiter) = limiter.upgrade() else {
                return;
            };
            limiter.limiter.retain_recent();
            limiter.limiter.shrink_to_fit();
        }
    });
}

/// Middleware on the login routes: 429 with `Retry-After` once a client's bucket is empty.
pub async fn limit_logins(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(limiter) = &state.login_limiter else {
        return next.run(request).await;
    };
    // In-process callers (tests, the lab's balancer) have no peer address: one shared bucket.
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |info| info.0.ip());
    match limiter.check(client) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            tracing::warn!(%client, seconds, "login rate limit hit");
            let mut response = error_response(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyRequests,
                format!("Too many login attempts from your address. Try again in {seconds} s."),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
    }
}
