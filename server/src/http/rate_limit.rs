//! Login flood protection: a token bucket per client IP address (governor's GCRA), in front
//! of both login endpoints. A visitor clicking through the demo never meets it; a script
//! guessing passwords is slowed to the refill rate and told when to come back.
//!
//! The key is the TCP peer address. Behind a reverse proxy every client shares the proxy's
//! address; `X-Forwarded-For` is deliberately not trusted, as any client can forge it.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::http::error::ErrorCode;
use crate::http::error::error_response;

/// How often clients whose bucket has refilled completely are forgotten.
const FORGET_FULL_BUCKETS_EVERY: Duration = Duration::from_secs(60);

pub struct LoginLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    warnings: std::sync::Mutex<Warnings>,
}

/// How often one client's refusals are logged at most: a flood of 5 000 attempts is a line a
/// minute, not 5 000 lines.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// Refusals per client since the last line logged about it.
#[derive(Default)]
struct Warnings(std::collections::HashMap<IpAddr, (std::time::Instant, u64)>);

impl Warnings {
    /// Notes a refusal of `client` at `now`; `Some(n)` when a line is due, `n` being the
    /// refusals not logged since the last line.
    fn note(&mut self, client: IpAddr, now: std::time::Instant) -> Option<u64> {
        match self.0.get_mut(&client) {
            Some((logged, quiet)) if now.duration_since(*logged) < WARN_EVERY => {
                *quiet += 1;
                None
            }
            Some((logged, quiet)) => {
                let since = std::mem::take(quiet);
                *logged = now;
                Some(since)
            }
            None => {
                self.0.insert(client, (now, 0));
                Some(0)
            }
        }
    }

    /// Forgets clients not logged for a while, handing back the refusals of theirs not yet
    /// logged (a flood that stopped still gets its last line).
    fn forget_quiet(&mut self, now: std::time::Instant) -> Vec<(IpAddr, u64)> {
        let mut unlogged = Vec::new();
        self.0.retain(|client, (logged, quiet)| {
            let keep = now.duration_since(*logged) < WARN_EVERY;
            if !keep && *quiet > 0 {
                unlogged.push((*client, *quiet));
            }
            keep
        });
        unlogged
    }
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
            warnings: std::sync::Mutex::default(),
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
            let unlogged =
                crate::sync::lock(&limiter.warnings).forget_quiet(std::time::Instant::now());
            for (client, refused_since) in unlogged {
                tracing::warn!(%client, refused_since, "login rate limit: refusals since the last line");
            }
        }
    });
}

/// Middleware on the login routes: 429 with `Retry-After` once a client's bucket is empty.
pub async fn limit_logins(
    State(limiter): State<Arc<LoginLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    // The peer, or the client a trusted proxy names. In-process callers (tests, the lab's
    // balancer) have no peer address: one shared bucket.
    let client = crate::http::client::of_request(&request).ip;
    match limiter.check(client) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let due = crate::sync::lock(&limiter.warnings).note(client, std::time::Instant::now());
            if let Some(refused_since) = due {
                tracing::warn!(%client, seconds, refused_since, "login rate limit hit");
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_logged_once_a_minute_per_client_with_the_count_between() {
        let mut warnings = Warnings::default();
        let (one, two) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let start = std::time::Instant::now();
        assert_eq!(
            warnings.note(one, start),
            Some(0),
            "the first refusal is logged"
        );
        for n in 1..=4_999 {
            let at = start + Duration::from_millis(n);
            assert_eq!(warnings.note(one, at), None);
        }
        assert_eq!(
            warnings.note(two, start),
            Some(0),
            "another client has its own line"
        );
        assert_eq!(
            warnings.note(one, start + WARN_EVERY),
            Some(4_999),
            "a minute later: one line, counting what was not logged"
        );
        warnings.note(one, start + WARN_EVERY + Duration::from_secs(1));
        assert_eq!(
            warnings.forget_quiet(start + WARN_EVERY * 3),
            [(one, 1)],
            "a flood that stopped gets its last count"
        );
        assert!(warnings.0.is_empty(), "and is forgotten");
    }
}
