//! The stateful flow: the server keeps a session record, the browser keeps only its
//! id in an `HttpOnly` cookie and sends it by itself. Read top to bottom:
//! login → me / cart → logout, then the store listing for the demo.

mod cookie;
mod error;
mod state;

use axum::Json;
use axum::extract::{FromRef, RawQuery, State};
use axum::http::HeaderMap;
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use std::sync::{Arc, Mutex, PoisonError};

use app::api::{
    CartRequest, ErrorBody, LoginRequest, LogoutResponse, SessionListing, SessionResponse,
    SessionRow, SessionView, Trace, UserView, cart_item_problem,
};

use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::http::client::Client;
use crate::http::error::ApiJson;
use crate::http::rate_limit::limit_logins;
use crate::http::trace::TraceRecorder;
use crate::http::visitor::Visitor;
use crate::storage::sessions::{RecordChange, SessionRecord};
use crate::sync::lock;
use cookie::{CookieValue, expired_cookie, session_cookie};
pub use error::SessionError;
pub use state::{HeldApart, SessionCookie, SessionState};

/// How often a session's idle deadline is pushed forward, at most (milliseconds).
const TOUCH_EVERY_MS: i64 = 1_000;

/// The flow's routes, each declared once: its path and documentation come from the
/// handler's `#[utoipa::path]`. They ask the router's state `S` for the flow's own.
pub fn routes<S>(state: &Arc<SessionState>) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<SessionState>: FromRef<S>,
{
    let login = routes!(login);
    let login = match &state.login_limiter {
        Some(limiter) => login.layer(from_fn_with_state(limiter.clone(), limit_logins)),
        None => login,
    };
    OpenApiRouter::new()
        .routes(login)
        .routes(routes!(me))
        .routes(routes!(add_to_cart))
        .routes(routes!(logout))
        .routes(routes!(list_store))
}

/// Checks the password (argon2) and starts a session: a fresh random id, a store row, and
/// an `HttpOnly` cookie holding the id. Any session the browser had is replaced (no fixation).
#[utoipa::path(post, path = "/api/session/login", tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, body = SessionResponse, description = "Logged in",
            headers(("set-cookie" = String, description = "authlens_sid=<id>; HttpOnly; SameSite=Lax; Path=/; Max-Age=…; Secure on HTTPS or loopback"),
                    ("server-timing" = String, description = "Time spent verifying and in the store"))),
        (status = 401, body = ErrorBody, description = "invalid_credentials: the same answer for an unknown user and a wrong password"),
        crate::http::error::BodyRejections,
        crate::http::error::LoginLimited,
        crate::http::error::StoreDownOrFull,
    ))]
pub(crate) async fn login(
    State(state): State<Arc<SessionState>>,
    Visitor(visitor): Visitor,
    client: Client,
    headers: HeaderMap,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, SessionError> {
    let mut trace = TraceRecorder::for_request(&headers);
    let user = check_password(&state, &request, &mut trace).await?;
    // A ceiling on what every visitor's logins together may make the server hold (the rows
    // of experiment 10's bulk runs are bounded apart, and gone once measured).
    let live = state.store.count().await?;
    if live.saturating_sub(state.held_apart.get()) >= state.max_sessions {
        return Err(SessionError::Full);
    }

    // No fixation: whatever session id the browser brought is dropped, and a fresh one issued.
    let cookie_name = state.cookie.name(&client);
    delete_cookies_session(&state, &headers, cookie_name, &mut trace).await?;
    let now = state.clock.now_ms();
    let record = SessionRecord::new(visitor, &user.username, now, state.deadline(now, now));
    save(&state, &record, &mut trace).await?;

    let set_cookie = session_cookie(
        cookie_name,
        &record.id,
        state.cookie.secure(&client),
        state.absolute,
    );
    Ok(trace.respond(Some(set_cookie), |trace| session_body(user, &record, trace)))
}

/// The session the cookie names, with its idle deadline pushed forward.
#[utoipa::path(get, path = "/api/session/me", tag = "session",
    params(("cookie" = Option<String>, Header, description = "authlens_sid=<id>, sent by the browser by itself")),
    responses(
        (status = 200, body = SessionResponse, description = "A live session",
            headers(("server-timing" = String, description = "Time spent in the store"))),
        (status = 401, body = ErrorBody, description = "no_session (no cookie) or invalid_session (never issued, logged out, expired, malformed)"),
        crate::http::error::StoreDown,
    ))]
pub(crate) async fn me(
    State(state): State<Arc<SessionState>>,
    client: Client,
    headers: HeaderMap,
) -> Result<Response, SessionError> {
    let mut trace = TraceRecorder::for_request(&headers);
    let cookie_name = state.cookie.name(&client);
    let (user, record) = live_session(&state, &headers, cookie_name, &mut trace, &|_| {}).await?;
    Ok(trace.respond(None, |trace| session_body(user, &record, trace)))
}

/// Adds an item to the cart the server keeps for the session; the cookie does not change.
#[utoipa::path(post, path = "/api/session/cart", tag = "session",
    request_body = CartRequest,
    responses(
        (status = 200, body = SessionResponse, description = "The session with the bigger cart"),
        (status = 401, body = ErrorBody, description = "no_session or invalid_session: no live session"),
        crate::http::error::BodyRejections,
        crate::http::error::StoreDown,
    ))]
pub(crate) async fn add_to_cart(
    State(state): State<Arc<SessionState>>,
    client: Client,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CartRequest>,
) -> Result<Response, SessionError> {
    let mut trace = TraceRecorder::for_request(&headers);
    // The cart lives on the server: the cookie stays the same size however much it holds.
    let cookie_name = state.cookie.name(&client);
    let (user, record) = add_item(&state, &headers, cookie_name, &mut trace, &request.item).await?;
    Ok(trace.respond(None, |trace| session_body(user, &record, trace)))
}

/// `POST /api/session/logout?keep_cookie=true` deletes the record but leaves the browser's
/// cookie in place: what happens to a copy of the cookie taken before logout (claim 4).
/// Any other value of it is refused, before anything is deleted.
fn keeps_cookie(query: Option<&str>) -> Result<bool, SessionError> {
    let mut keep = false;
    for pair in query.unwrap_or_default().split('&') {
        match pair.strip_prefix("keep_cookie") {
            Some("=true") => keep = true,
            Some("=false") => keep = false,
            Some(_) => return Err(SessionError::BadQuery("keep_cookie must be true or false")),
            None => {}
        }
    }
    Ok(keep)
}

/// Deletes the session's store row (the old cookie is worthless from then on) and expires the
/// cookie, unless `keep_cookie=true` (claim 4: what a copied cookie is worth after logout).
#[utoipa::path(post, path = "/api/session/logout", tag = "session",
    params(("keep_cookie" = Option<bool>, Query, description = "Leave the browser's cookie in place")),
    responses(
        (status = 200, body = LogoutResponse, description = "Logged out (also when there was no session)",
            headers(("set-cookie" = String, description = "authlens_sid=; Max-Age=0 (left out with keep_cookie=true)"))),
        (status = 400, body = ErrorBody, description = "bad_request: keep_cookie is neither true nor false (nothing was deleted)"),
        crate::http::error::StoreDown,
    ))]
pub(crate) async fn logout(
    State(state): State<Arc<SessionState>>,
    client: Client,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, SessionError> {
    let keep_cookie = keeps_cookie(query.as_deref())?;
    let mut trace = TraceRecorder::for_request(&headers);
    // Deleting the record is what ends the session: the old cookie is worthless from now on,
    // even if someone kept a copy.
    let cookie_name = state.cookie.name(&client);
    delete_cookies_session(&state, &headers, cookie_name, &mut trace).await?;
    let set_cookie =
        (!keep_cookie).then(|| expired_cookie(cookie_name, state.cookie.secure(&client)));
    Ok(trace.respond(set_cookie, |trace| LogoutResponse {
        logged_out: true,
        trace,
    }))
}

/// What the server remembers: this visitor's live session rows (ids shortened), soonest
/// expiry first, and how many sessions the server holds for every visitor together.
#[utoipa::path(get, path = "/api/session/store", tag = "session",
    responses(
        (status = 200, body = SessionListing, description = "Up to 100 of your rows, how many you have, and the server's total"),
        crate::http::error::StoreDown,
    ))]
pub(crate) async fn list_store(
    State(state): State<Arc<SessionState>>,
    Visitor(visitor): Visitor,
) -> Result<Json<SessionListing>, SessionError> {
    let store = &state.store;
    let (sessions, yours) = store
        .list_owned(&visitor, crate::storage::LISTING_LIMIT)
        .await?;
    let counts = crate::storage::listing_counts(store.backend(), store.count().await?, yours);
    Ok(Json(SessionListing {
        counts,
        sessions: sessions
            .iter()
            .map(|record| SessionRow {
                id: record.id.short(),
                username: record.username.clone(),
                cart_items: record.cart.len(),
                created_at: record.created_at,
                expires_at: record.expires_at,
            })
            .collect(),
    }))
}

/// Deletes the store row of every session the request's cookies name (login and logout
/// alike: a replaced or ended session is worthless from then on, even to a copied cookie; a
/// cookie sent twice ends both sessions it named).
async fn delete_cookies_session(
    state: &SessionState,
    headers: &HeaderMap,
    cookie_name: &str,
    trace: &mut TraceRecorder,
) -> Result<(), SessionError> {
    for id in cookie::every_id(headers, cookie_name) {
        let store = &state.store;
        trace
            .store(
                store.backend(),
                "delete",
                id.short(),
                |deleted| Some(*deleted),
                store.delete(&id),
            )
            .await?;
    }
    Ok(())
}

/// Argon2 check of the submitted password; one answer for unknown user and wrong password.
async fn check_password(
    state: &SessionState,
    request: &LoginRequest,
    trace: &mut TraceRecorder,
) -> Result<UserView, SessionError> {
    state
        .users
        .check_login(request, trace)
        .await
        .ok_or(SessionError::InvalidCredentials)
}

/// For the cross-site probe (claim 9): whether the app's session cookie came with the
/// request at all, valid or not.
pub fn cookie_came_along(headers: &HeaderMap, cookie_name: &str) -> bool {
    !matches!(cookie::read(headers, cookie_name), CookieValue::Missing)
}

/// For the cross-site probe (claim 9): adds an item to the cart of the session whose cookie
/// came with the request, as a forged form would; `true` if it did.
pub async fn add_probe_item(state: &SessionState, headers: &HeaderMap, cookie_name: &str) -> bool {
    let mut trace = TraceRecorder::default();
    add_item(
        state,
        headers,
        cookie_name,
        &mut trace,
        "bought by the attacker",
    )
    .await
    .is_ok()
}

/// Adds `item` to the cart of the session the cookie names, in the same atomic store update
/// that touches the session: concurrent adds all land, and a full cart refuses the item.
async fn add_item(
    state: &SessionState,
    headers: &HeaderMap,
    cookie_name: &str,
    trace: &mut TraceRecorder,
    item: &str,
) -> Result<(UserView, SessionRecord), SessionError> {
    let refused = Mutex::new(None);
    let added = live_session(state, headers, cookie_name, trace, &|record| {
        let problem = cart_item_problem(&record.cart, item);
        if problem.is_none() {
            record.cart.push(item.to_owned());
        }
        // The store may run this more than once: the last run's verdict is the one applied.
        *lock(&refused) = problem;
    })
    .await?;
    match refused.into_inner().unwrap_or_else(PoisonError::into_inner) {
        Some(problem) => Err(SessionError::BadCartItem(problem)),
        None => Ok(added),
    }
}

/// The live session the cookie names, with its idle deadline pushed forward and `change`
/// applied, all in one atomic store update: a session deleted by a concurrent logout stays
/// deleted (a read-then-write could bring it back).
async fn live_session(
    state: &SessionState,
    headers: &HeaderMap,
    cookie_name: &str,
    trace: &mut TraceRecorder,
    change: &RecordChange<'_>,
) -> Result<(UserView, SessionRecord), SessionError> {
    let id = match cookie::read(headers, cookie_name) {
        CookieValue::Missing => return Err(SessionError::NoSession),
        CookieValue::Twice => {
            trace.step(
                "cookie",
                false,
                "the session cookie came twice (one may be set by another site on this domain): neither is trusted",
            );
            return Err(SessionError::CookieTwice);
        }
        CookieValue::Malformed => {
            trace.step(
                "cookie",
                false,
                "the cookie's value is not a session id this server issues",
            );
            return Err(SessionError::UnknownSession);
        }
        CookieValue::Id(id) => id,
    };
    let now = state.clock.now_ms();
    let touch_and_change = |record: &mut SessionRecord| {
        // The idle deadline moves on at most once a second: requests in the same second
        // change nothing, so the store writes nothing (and parallel requests of one user do
        // not fight over the row).
        if now - record.last_seen_at >= TOUCH_EVERY_MS {
            record.last_seen_at = now;
            record.expires_at = state.deadline(record.created_at, now);
        }
        change(record);
    };
    let store = &state.store;
    let found = trace
        .store(
            store.backend(),
            "update",
            id.short(),
            |record| Some(record.is_some()),
            store.update(&id, &touch_and_change),
        )
        .await?;
    let Some(record) = found else {
        trace.step(
            "session",
            false,
            "no live session with this id (never issued, logged out or expired)",
        );
        return Err(SessionError::UnknownSession);
    };
    let Some(user) = state.users.find(&record.username) else {
        return Err(SessionError::UnknownSession);
    };
    trace.step(
        "session",
        true,
        format!("live session of {}", record.username),
    );
    Ok((user, record))
}

async fn save(
    state: &SessionState,
    record: &SessionRecord,
    trace: &mut TraceRecorder,
) -> Result<(), SessionError> {
    let store = &state.store;
    trace
        .store(
            store.backend(),
            "write",
            record.id.short(),
            |_| None,
            store.save(record),
        )
        .await?;
    Ok(())
}

fn session_body(user: UserView, record: &SessionRecord, trace: Trace) -> SessionResponse {
    SessionResponse {
        user,
        session: SessionView {
            id: record.id.short(),
            created_at: record.created_at,
            expires_at: record.expires_at,
        },
        cart: record.cart.clone(),
        trace,
    }
}
