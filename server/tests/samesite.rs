//! Claim 15's server side: four test cookies, one per way of writing `SameSite`, scoped to the
//! experiment's own path; a same-origin read lists them; the cross-site probe records which of
//! this run's test cookies arrived, and is not refused by the second CSRF layer (it must see
//! the cross-site post to show it).

mod common;

use app::api::{ProbeRecord, SameSiteCookiesSet, SameSiteCookiesStored};
use axum::body::Body;
use axum::http::{StatusCode, header};
use common::{request, start_default};
use serde_json::json;

#[tokio::test]
async fn the_four_test_cookies_are_set_as_named_and_only_on_the_experiments_path() {
    let app = start_default().await;
    let reply = app.post("/api/lab/samesite/cookies", json!({}), &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let set = reply.json::<SameSiteCookiesSet>();
    let sent: Vec<&str> = reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap())
        .filter(|line| line.starts_with("authlens_test_"))
        .collect();
    // The page is told exactly what went out (fetch hides Set-Cookie from it).
    assert_eq!(sent, set.set_cookie);
    let nonce = &set.nonce;
    assert_eq!(
        sent,
        [
            format!("authlens_test_lax={nonce}; Path=/api/lab/samesite; Max-Age=600; SameSite=Lax"),
            format!(
                "authlens_test_none={nonce}; Path=/api/lab/samesite; Max-Age=600; SameSite=None"
            ),
            format!(
                "authlens_test_none_secure={nonce}; Path=/api/lab/samesite; Max-Age=600; SameSite=None; Secure"
            ),
            format!("authlens_test_unset={nonce}; Path=/api/lab/samesite; Max-Age=600"),
        ]
    );
}

#[tokio::test]
async fn a_same_origin_read_lists_the_test_cookies_it_carried() {
    let app = start_default().await;
    let reply = app
        .get(
            "/api/lab/samesite/cookies",
            &[(
                "cookie",
                "authlens_test_lax=n1; other=x; authlens_test_unset=n1",
            )],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let names: Vec<String> = reply
        .json::<SameSiteCookiesStored>()
        .received
        .into_iter()
        .map(|seen| format!("{}={}", seen.name, seen.nonce))
        .collect();
    assert_eq!(names, ["authlens_test_lax=n1", "authlens_test_unset=n1"]);
}

#[tokio::test]
async fn the_probe_records_this_runs_cookies_from_another_site() {
    let app = start_default().await;
    let nonce = app
        .post("/api/lab/samesite/cookies", json!({}), &[])
        .await
        .json::<SameSiteCookiesSet>()
        .nonce;
    // A cross-site form post: the second CSRF layer lets the probe see it.
    let cookies = format!("authlens_test_none_secure={nonce}; authlens_test_lax=an-older-run");
    let reply = app
        .post(
            &format!("/api/lab/samesite/probe?nonce={nonce}&via=top&lang=en"),
            json!({}),
            &[
                ("cookie", &cookies),
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://localhost:1"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply
            .body
            .as_str()
            .unwrap()
            .contains("carried: authlens_test_none_secure."),
        "{}",
        reply.body
    );
    assert!(
        reply
            .header(header::CONTENT_SECURITY_POLICY)
            .contains("frame-ancestors 'self'")
    );
    let probes = app
        .get("/api/lab/csrf-probes", &[])
        .await
        .json::<Vec<ProbeRecord>>();
    let probe = probes.iter().find(|probe| probe.nonce == nonce).unwrap();
    assert_eq!(probe.flow, "samesite-top");
    // Only this run's cookie counts; another run's value is no evidence.
    assert_eq!(probe.test_cookies, ["authlens_test_none_secure"]);
    assert_eq!(probe.sec_fetch_site.as_deref(), Some("cross-site"));

    let sideways = app
        .post(
            &format!("/api/lab/samesite/probe?nonce={nonce}&via=sideways"),
            json!({}),
            &[],
        )
        .await;
    assert_eq!(sideways.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_cross_site_form_post_gets_no_visitor_cookie_that_would_replace_the_visitors() {
    // The form comes without the visitor's cookie (SameSite=Lax keeps it home); in a tab of its
    // own the browser would store any cookie the answer set, and the page would lose its lab,
    // listings and probes. Only a page load (GET) is handed a new visitor.
    let app = start_default().await;
    for path in [
        "/api/lab/samesite/probe?nonce=n1&via=top",
        "/api/lab/csrf-probe?flow=session&nonce=n1",
    ] {
        let reply = app
            .send(request(
                "POST",
                path,
                Body::from("from=another+site"),
                &[
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("sec-fetch-site", "cross-site"),
                ],
            ))
            .await;
        assert!(
            reply.header(header::CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        let cookies: Vec<_> = reply.headers.get_all(header::SET_COOKIE).iter().collect();
        assert!(cookies.is_empty(), "{path}: {cookies:?}");
    }
    let page = app.send(request("GET", "/", Body::empty(), &[])).await;
    assert!(
        page.header(header::SET_COOKIE)
            .contains("authlens_visitor=")
    );
}
