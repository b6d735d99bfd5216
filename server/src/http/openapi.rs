//! `GET /api/openapi.json`: the HTTP contract. This module holds only what is not an
//! endpoint's own (the document's `info`, its tags, the bearer scheme); each flow declares its
//! routes and their documentation once, with utoipa-axum's `routes!`, and `crate::app` collects
//! them into the router and this document. A leaf: it imports no flow. Tests check the document
//! is valid OpenAPI 3.1 and that real answers match it.

use std::sync::OnceLock;

use axum::response::Response;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::error::json_response;

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
    modifiers(&BearerAuth),
    tags(
        (name = "session", description = "The stateful flow: an HttpOnly cookie naming a server-side session"),
        (name = "jwt", description = "The stateless flow: signed tokens the page keeps in localStorage"),
        (name = "lab", description = "Experiments: bulk issuing, the cross-site probe, the scaling lab's cluster"),
        (name = "meta", description = "Health, benchmark figures, this document"),
    )
)]
pub struct ApiDoc;

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

/// The document `crate::app` assembled from the routes. Every app built in one process
/// declares the same routes, so the first one's document serves them all.
static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();

pub fn publish(document: utoipa::openapi::OpenApi) {
    let _ = DOCUMENT.set(document);
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, body = Object, description = "The OpenAPI 3.1 document")))]
pub async fn document() -> Response {
    json_response(DOCUMENT.get_or_init(ApiDoc::openapi))
}
