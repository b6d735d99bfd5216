//! `GET /api/openapi.json`: the HTTP contract, generated from the handlers' own annotations
//! and the shared API types. Tests check it is valid OpenAPI 3.1 and that real answers match it.

use app::api::ErrorBody;
use axum::Json;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{bench_results, cluster, cross_site, jwt, lab, session};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "authlens",
        description = "A cookie/session login and a localStorage/JWT login side by side, and the \
            experiments that prove what each costs. Every error is a JSON `{error, message}`; every \
            response carries the security headers (Content-Security-Policy, X-Content-Type-Options, \
            Referrer-Policy). The scaling lab's balancer forwards `/lb/api/session/…` and \
            `/lb/api/jwt/…` to the lab's nodes, which answer exactly as the operations below, \
            plus an `x-authlens-node` header; with no node to take it, a 502/503/504 JSON error."
    ),
    paths(
        session::login, session::me, session::add_to_cart, session::logout, session::list_store,
        jwt::login, jwt::me, jwt::add_to_cart, jwt::refresh, jwt::logout,
        jwt::list_refresh_store, jwt::jwks,
        lab::bulk, cross_site::attacker_address, cross_site::list_probes, cross_site::new_probe,
        cross_site::probe,
        cluster::view, cluster::start, cluster::stop, cluster::node_action, cluster::central_action,
        bench_results::latest, crate::health, document,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "session", description = "The stateful flow: an HttpOnly cookie naming a server-side session"),
        (name = "jwt", description = "The stateless flow: signed tokens the page keeps in localStorage"),
        (name = "lab", description = "Experiments: bulk issuing, the cross-site probe, the scaling lab's cluster"),
        (name = "meta", description = "Health, benchmark figures, this document"),
    )
)]
pub struct ApiDoc;

/// The answers every endpoint that reads a JSON body may give before its handler runs.
#[derive(utoipa::IntoResponses)]
pub enum BodyRejections {
    /// Not the JSON this endpoint expects (malformed, a missing field, a wrong type), or a bad
    /// value in it.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// The body, or the `Content-Length` announcing it, is over `--body-limit`.
    #[response(status = 413)]
    TooLarge(ErrorBody),
}

/// `store_unavailable`: the store this endpoint needs (Redis) cannot be reached in time.
#[derive(utoipa::IntoResponses)]
pub enum StoreDown {
    /// The store cannot be reached right now; it works again once the store is back.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// `store_unavailable` or `server_busy`: the store cannot be reached, or the server holds as
/// many sessions as `--max-sessions` allows.
#[derive(utoipa::IntoResponses)]
pub enum StoreDownOrFull {
    /// The store cannot be reached right now (`store_unavailable`), or the server is full
    /// (`server_busy`, with `Retry-After`); nothing was created.
    #[response(status = 503, headers(("retry-after" = Option<u64>, description = "With server_busy: seconds to wait")))]
    Unavailable(ErrorBody),
}

/// `server_busy` / `lab_busy`: a server-wide ceiling is reached.
#[derive(utoipa::IntoResponses)]
pub enum Busy {
    /// Too much of this runs at once on the server; nothing was started.
    #[response(status = 503, headers(("retry-after" = u64, description = "Seconds to wait before trying again")))]
    Busy(ErrorBody),
}

/// `too_many_requests`: the login limit per client address.
#[derive(utoipa::IntoResponses)]
pub enum LoginLimited {
    /// Too many logins from this address.
    #[response(status = 429, headers(("retry-after" = u64, description = "Seconds until a login is allowed again")))]
    TooMany(ErrorBody),
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, body = Object, description = "The OpenAPI 3.1 document")))]
pub async fn document() -> Response {
    Json(ApiDoc::openapi()).into_response()
}
