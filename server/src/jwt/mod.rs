//! The stateless flow (with a stateful refresh, the usual hybrid). The access token
//! carries who you are and is checked by signature alone; no store is read.
//! Read top to bottom: login → me / cart → refresh → logout, then the refresh-store listing.
//! Signing and verifying live in [`service`], the words for why a token failed in
//! [`diagnostics`], the claims in [`claims`].

mod claims;
mod diagnostics;
mod error;
mod keys;
pub mod refresh;
mod service;
mod state;

use axum::Json;
use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};

use app::api::{
    CartRequest, CartTokenResponse, ErrorBody, JwtMeResponse, LoginRequest, LogoutResponse,
    RefreshListing, RefreshRequest, TokenResponse, UserView, cart_item_problem, shorten_id,
};

use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::http::error::ErrorCode;
use crate::http::error::{ApiJson, error_response};
use crate::http::rate_limit::limit_logins;
use crate::http::trace::TraceRecorder;
use crate::http::visitor::Visitor;
use claims::random_id;
pub use claims::{
    ACCESS_TYP, AUDIENCE, AccessClaims, Expiring, ISSUER, REFRESH_TYP, RefreshClaims,
};
pub use error::JwtError;
pub use keys::SigningKeys;
use refresh::{Family, Rotation};
pub use service::JwtService;
pub use state::JwtState;

/// The flow's routes, each declared once: its path and documentation come from the
/// handler's `#[utoipa::path]`. (The JWKS is apart: only the main server publishes it.)
/// They ask the router's state `S` for the flow's own.
pub fn routes<S>(state: &Arc<JwtState>) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<JwtState>: FromRef<S>,
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
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(list_refresh_store))
}

/// `/.well-known/jwks.json`.
pub fn key_routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<JwtState>: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(jwks))
}

/// Checks the password (argon2) and answers a signed access token (typ `at+jwt`) and a
/// refresh token that starts a new refresh family. No cookie.
#[utoipa::path(post, path = "/api/jwt/login", tag = "jwt",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse, description = "Logged in",
            headers(("server-timing" = String, description = "Time spent signing and in the store"))),
        (status = 401, body = ErrorBody, description = "invalid_credentials"),
        crate::http::error::BodyRejections,
        crate::http::error::LoginLimited,
        crate::http::error::StoreDownOrFull,
    ))]
pub(crate) async fn login(
    State(state): State<Arc<JwtState>>,
    Visitor(visitor): Visitor,
    headers: HeaderMap,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, JwtError> {
    let mut trace = TraceRecorder::for_request(&headers);
    let user = state
        .users
        .check_login(&request, &mut trace)
        .await
        .ok_or(JwtError::InvalidCredentials)?;
    let jwt = &state.service;
    // The refresh families of every visitor together have the same ceiling as the sessions.
    if jwt.refresh.count().await? >= state.max_families {
        return Err(JwtError::Full);
    }
    let now = jwt.clock.now_ms();
    let family = Family {
        id: random_id(),
        visitor,
        username: user.username.clone(),
        current_jti: random_id(),
        rotated: 0,
        revoked: false,
        created_at: now,
        expires_at: now + jwt.refresh_ttl.as_millis() as i64,
    };
    // The only server-side state of a token login: the refresh family, not the access token.
    let store = &jwt.refresh;
    trace
        .store(
            store.backend(),
            "write",
            shorten_id(&family.id),
            |_| None,
            store.start(&family),
        )
        .await?;
    let body = jwt.token_pair(&user, &family.id, &family.current_jti)?;
    Ok(trace.respond(None, body))
}

/// Verifies the bearer token by signature and claims alone: no store is read.
#[utoipa::path(get, path = "/api/jwt/me", tag = "jwt",
    security(("bearer" = [])),
    responses(
        (status = 200, body = JwtMeResponse, description = "A valid access token",
            headers(("server-timing" = String, description = "Time spent verifying"))),
        (status = 401, body = ErrorBody, description = "missing_token (no `Authorization: Bearer`) or invalid_token (malformed, forged, expired or wrong-type token)",
            headers(("www-authenticate" = String, description = "Bearer, with error=\"invalid_token\" when a token was sent"))),
    ))]
pub(crate) async fn me(
    State(state): State<Arc<JwtState>>,
    headers: HeaderMap,
) -> Result<Response, JwtError> {
    let mut trace = TraceRecorder::for_request(&headers);
    let claims: AccessClaims = state
        .service
        .verify(bearer_token(&headers)?, ACCESS_TYP, &mut trace)
        .await?;
    trace.step(
        "store",
        true,
        "no store read: the signed token itself says who you are",
    );
    let user = UserView {
        username: claims.sub.clone(),
        display_name: claims.name.clone(),
    };
    Ok(trace.respond(None, |trace| JwtMeResponse {
        user,
        claims,
        trace,
    }))
}

/// Adds an item to the cart carried inside the token: answers a new, bigger access token.
#[utoipa::path(post, path = "/api/jwt/cart", tag = "jwt",
    security(("bearer" = [])),
    request_body = CartRequest,
    responses(
        (status = 200, body = CartTokenResponse, description = "A new access token carrying the cart"),
        (status = 401, body = ErrorBody, description = "missing_token or invalid_token: no valid access token"),
        crate::http::error::BodyRejections,
    ))]
pub(crate) async fn add_to_cart(
    State(state): State<Arc<JwtState>>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CartRequest>,
) -> Result<Response, JwtError> {
    let mut trace = TraceRecorder::for_request(&headers);
    let jwt = &state.service;
    let mut claims: AccessClaims = jwt
        .verify(bearer_token(&headers)?, ACCESS_TYP, &mut trace)
        .await?;
    if let Some(problem) = cart_item_problem(&claims.cart, &request.item) {
        return Err(JwtError::BadCartItem(problem));
    }
    // The server stores nothing: the cart goes into a new token, which every request then carries.
    // The new token keeps the old `exp`, so adding to the cart never extends a login.
    claims.cart.push(request.item);
    claims.jti = random_id();
    claims.iat = jwt.clock.now_secs();
    let access_token = jwt.sign(ACCESS_TYP, &claims)?;
    trace.step(
        "store",
        true,
        "no store write: the cart now travels inside the token",
    );
    Ok(trace.respond(None, |trace| CartTokenResponse {
        token_bytes: access_token.len(),
        access_token,
        cart: claims.cart,
        trace,
    }))
}

/// Rotates the refresh token: the presented one is spent, a new pair is answered. Presenting
/// an already-rotated token revokes the whole family (reuse detection).
#[utoipa::path(post, path = "/api/jwt/refresh", tag = "jwt",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse, description = "A new access and refresh token"),
        (status = 401, body = ErrorBody, description = "refresh_token_reused, refresh_token_revoked, or an invalid token"),
        crate::http::error::BodyRejections,
        crate::http::error::StoreDown,
    ))]
pub(crate) async fn refresh(
    State(state): State<Arc<JwtState>>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Response, JwtError> {
    let (mut trace, claims) = refresh_claims(&state, &headers, &request).await?;
    let jwt = &state.service;
    let next_jti = random_id();
    let expires_at = jwt.clock.now_ms() + jwt.refresh_ttl.as_millis() as i64;
    let store = &jwt.refresh;
    let outcome = trace
        .store(
            store.backend(),
            "rotate",
            shorten_id(&claims.fid),
            |outcome| Some(*outcome != Rotation::Unknown),
            store.rotate(&claims.fid, &claims.jti, &next_jti, expires_at),
        )
        .await?;
    match outcome {
        Rotation::Rotated => {
            trace.step(
                "rotation",
                true,
                "current refresh token: rotated out, a new one issued",
            );
        }
        Rotation::ReuseDetected => {
            trace.step(
                "rotation",
                false,
                "already rotated out: reuse detected, whole family revoked",
            );
            return Err(JwtError::RefreshReused);
        }
        Rotation::Revoked => return Err(JwtError::RefreshRevoked),
        Rotation::Unknown => return Err(JwtError::RefreshUnknown),
    }
    let user = state
        .users
        .find(&claims.sub)
        .ok_or(JwtError::RefreshUnknown)?;
    let body = jwt.token_pair(&user, &claims.fid, &next_jti)?;
    Ok(trace.respond(None, body))
}

/// Revokes the refresh family. The access token is not revoked: it stays valid until `exp`.
#[utoipa::path(post, path = "/api/jwt/logout", tag = "jwt",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = LogoutResponse, description = "The family is revoked"),
        (status = 401, body = ErrorBody, description = "invalid_token: not a valid refresh token"),
        crate::http::error::BodyRejections,
        crate::http::error::StoreDown,
    ))]
pub(crate) async fn logout(
    State(state): State<Arc<JwtState>>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Response, JwtError> {
    let (mut trace, claims) = refresh_claims(&state, &headers, &request).await?;
    let jwt = &state.service;
    let store = &jwt.refresh;
    trace
        .store(
            store.backend(),
            "revoke",
            shorten_id(&claims.fid),
            |revoked| Some(*revoked),
            store.revoke(&claims.fid),
        )
        .await?;
    // The access token is not revoked: it is checked by signature alone and stays valid until
    // its `exp`. That is the price of stateless access, and what the demo shows.
    trace.step(
        "access token",
        true,
        "still valid until its exp: nothing on the server can cancel it",
    );
    Ok(trace.respond(None, |trace| LogoutResponse {
        logged_out: true,
        trace,
    }))
}

/// What the server remembers for the token flow: refresh families, never access tokens. This
/// visitor's families, and how many the server holds for every visitor together.
#[utoipa::path(get, path = "/api/jwt/refresh-store", tag = "jwt",
    responses(
        (status = 200, body = RefreshListing, description = "Up to 100 of your families, how many you have, and the server's total"),
        crate::http::error::StoreDown,
    ))]
pub(crate) async fn list_refresh_store(
    State(state): State<Arc<JwtState>>,
    Visitor(visitor): Visitor,
) -> Result<Json<RefreshListing>, JwtError> {
    let store = &state.service.refresh;
    let (families, yours) = store
        .list_owned(&visitor, crate::storage::LISTING_LIMIT)
        .await?;
    let counts = crate::storage::listing_counts(store.backend(), store.count().await?, yours);
    Ok(Json(RefreshListing {
        counts,
        families: families.iter().map(Family::row).collect(),
    }))
}

/// `GET /.well-known/jwks.json`: the public key anyone can verify EdDSA tokens with.
/// HS256 has no public key (whoever verifies could also sign), so the answer is a JSON 404.
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "jwt",
    responses(
        (status = 200, body = Object, description = "A JWK Set with the Ed25519 public key (OKP)",
            headers(("cache-control" = String, description = "public, max-age=300"))),
        (status = 404, body = ErrorBody, description = "no_public_key: the server signs with HS256"),
    ))]
pub async fn jwks(State(state): State<Arc<JwtState>>) -> Response {
    match &state.service.keys.public {
        Some(keys) => {
            let mut response = Json(keys).into_response();
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("public, max-age=300"),
            );
            response
        }
        None => error_response(
            StatusCode::NOT_FOUND,
            ErrorCode::NoPublicKey,
            "This server signs with HS256, a shared secret, so it has no public key to publish. Start it with --jwt-alg eddsa for a JWKS.",
        ),
    }
}

/// The trace of a request that presents a refresh token (refresh, logout), and the token's
/// claims once it has verified as one.
async fn refresh_claims(
    state: &JwtState,
    headers: &HeaderMap,
    request: &RefreshRequest,
) -> Result<(TraceRecorder, RefreshClaims), JwtError> {
    let mut trace = TraceRecorder::for_request(headers);
    let claims = state
        .service
        .verify(&request.refresh_token, REFRESH_TYP, &mut trace)
        .await?;
    Ok((trace, claims))
}

/// The token from `Authorization: Bearer <token>`: the header the page's code attaches.
fn bearer_token(headers: &HeaderMap) -> Result<&str, JwtError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .ok_or(JwtError::MissingToken)?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(JwtError::MissingToken),
    }
}
