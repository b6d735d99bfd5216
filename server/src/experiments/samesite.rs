//! Claim 15: `SameSite` as browsers really do it (correcting source note 003, which says `Lax`
//! needs `Secure` and that cross-site use needs `Lax`). The server sets four test cookies, one
//! per way the attribute can be written; a same-origin read shows which the browser stored,
//! and the attacker site's form, posted from a frame and from a top-level tab, shows which
//! cross sites. The cookies hold only the run's nonce and ride only on `/api/lab/samesite/…`.

use axum::Json;
use std::sync::Arc;

use axum::extract::{FromRef, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::experiments::cross_site::CrossSiteState;
use crate::experiments::cross_site::{header_text, probe_page, query_param};
use crate::http::error::ErrorCode;
use crate::http::visitor::Visitor;
use app::api::{
    ErrorBody, ProbeRecord, SAMESITE_COOKIE_PATH, SAMESITE_TEST_COOKIES, SameSiteCookieSeen,
    SameSiteCookiesSet, SameSiteCookiesStored,
};
use app::i18n::{Lang, fill_named};

/// Long enough for a run; the "Lax+POST" window of Chromium is two minutes after setting.
const TEST_COOKIE_SECS: u32 = 600;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<CrossSiteState>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(set_test_cookies, stored_test_cookies))
        .routes(routes!(samesite_probe))
}

/// One test cookie's `Set-Cookie` line, exactly as sent.
fn set_cookie_line(name: &str, attributes: &str, nonce: &str) -> String {
    let mut line =
        format!("{name}={nonce}; Path={SAMESITE_COOKIE_PATH}; Max-Age={TEST_COOKIE_SECS}");
    if !attributes.is_empty() {
        line.push_str("; ");
        line.push_str(attributes);
    }
    line
}

/// Sets the four test cookies for a new run; the nonce they hold files the run's probes under
/// this visitor.
#[utoipa::path(post, path = "/api/lab/samesite/cookies", tag = "lab",
    responses(
        (status = 200, body = SameSiteCookiesSet, description = "Four Set-Cookie headers: SameSite=Lax, SameSite=None, SameSite=None; Secure, and no SameSite"),
        crate::http::error::Busy,
    ))]
pub(crate) async fn set_test_cookies(
    State(state): State<Arc<CrossSiteState>>,
    Visitor(visitor): Visitor,
    client: crate::http::client::Client,
) -> Response {
    let nonce = match crate::experiments::cross_site::issue_nonce(&state, visitor, &client).await {
        Ok(nonce) => nonce,
        Err(refusal) => return refusal,
    };
    let lines: Vec<String> = SAMESITE_TEST_COOKIES
        .iter()
        .map(|cookie| set_cookie_line(cookie.name, cookie.attributes, &nonce))
        .collect();
    let mut response = Json(SameSiteCookiesSet {
        nonce,
        set_cookie: lines.clone(),
    })
    .into_response();
    for line in lines {
        if let Ok(value) = HeaderValue::from_str(&line) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The test cookies a request carried, by name, with their values (the run's nonce).
fn test_cookies(headers: &HeaderMap) -> Vec<SameSiteCookieSeen> {
    SAMESITE_TEST_COOKIES
        .iter()
        .flat_map(|test| {
            crate::http::cookies::named(headers, test.name).map(|cookie| SameSiteCookieSeen {
                name: test.name.to_owned(),
                nonce: cookie.value().chars().take(64).collect(),
            })
        })
        .collect()
}

/// Which test cookies the browser stored: a same-origin request carries every one it kept.
#[utoipa::path(get, path = "/api/lab/samesite/cookies", tag = "lab",
    responses((status = 200, body = SameSiteCookiesStored, description = "The test cookies this request carried")))]
pub(crate) async fn stored_test_cookies(headers: HeaderMap) -> Json<SameSiteCookiesStored> {
    Json(SameSiteCookiesStored {
        received: test_cookies(&headers),
    })
}

/// How experiment 15's form was sent, as the OpenAPI document declares `via` (the probe reads
/// its raw query, so that no form of it is refused before it is recorded).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // documentation only
pub(crate) enum Via {
    Frame,
    Top,
}

/// `POST /api/lab/samesite/probe?nonce=…&via=frame|top&lang=…`: the attacker site's form
/// lands here; records which of the run's test cookies came along. Answers HTML, which the
/// attacker's frame (or tab) shows.
#[utoipa::path(post, path = "/api/lab/samesite/probe", tag = "lab",
    params(("nonce" = String, Query, description = "The run's nonce, from POST /api/lab/samesite/cookies"),
           ("via" = Via, Query, description = "How the attacker site sent the form: from a frame, or as a top-level post")),
    responses(
        (status = 200, content_type = "text/html", body = String, description = "Which test cookies came along"),
        (status = 400, body = ErrorBody, description = "bad_request: via is neither frame nor top"),
    ))]
pub(crate) async fn samesite_probe(
    State(state): State<Arc<CrossSiteState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let param = |name: &str| query_param(query.as_deref(), name);
    let via = param("via");
    if via != "frame" && via != "top" {
        return crate::http::error::error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "via must be frame or top",
        );
    }
    let nonce: String = param("nonce").chars().take(64).collect();
    // Only this run's cookies count: an older run's may still be in the jar.
    let arrived: Vec<String> = test_cookies(&headers)
        .into_iter()
        .filter(|seen| seen.nonce == nonce)
        .map(|seen| seen.name)
        .collect();
    let filed = state.probes.push(ProbeRecord {
        nonce,
        flow: format!("samesite-{via}"),
        cookie_sent: !arrived.is_empty(),
        authorization_sent: headers.contains_key(header::AUTHORIZATION),
        sec_fetch_site: header_text(&headers, "sec-fetch-site"),
        origin: header_text(&headers, "origin"),
        refused_by: None,
        status: 200,
        test_cookies: arrived.clone(),
        cut: Vec::new(),
    });
    if let Err(err) = filed.await {
        tracing::warn!("a SameSite probe was not recorded: {err}");
    }
    let texts = Lang::from_code(&param("lang"))
        .unwrap_or_default()
        .experiment_texts();
    let names = if arrived.is_empty() {
        texts.e15_none_arrived.to_owned()
    } else {
        arrived.join(", ")
    };
    let answer = fill_named(texts.e15_probe_answer, &[("cookies", names)]);
    probe_page(&state.attacker, &answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_test_cookie_is_written_as_its_attribute_says() {
        assert_eq!(
            set_cookie_line("authlens_test_none_secure", "SameSite=None; Secure", "n1"),
            "authlens_test_none_secure=n1; Path=/api/lab/samesite; Max-Age=600; SameSite=None; Secure"
        );
        assert_eq!(
            set_cookie_line("authlens_test_unset", "", "n1"),
            "authlens_test_unset=n1; Path=/api/lab/samesite; Max-Age=600"
        );
    }
}
