//! Claim 9's server side: the probe endpoint acts only when a live session cookie came with
//! the request, records what arrived, and the attacker page only targets loopback origins.

mod common;

use app::api::{AttackerAddress, ErrorCode, ProbeNonce};

use axum::body::Body;
use axum::http::{StatusCode, header};
use common::{TestApp, alice, request, start_default};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A probe nonce handed to the app's visitor.
async fn nonce(app: &TestApp) -> String {
    let reply = app.post("/api/lab/csrf-probes", json!({}), &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json::<ProbeNonce>().nonce
}

#[tokio::test]
async fn a_probe_with_the_session_cookie_acts_and_one_without_does_not() {
    let app = start_default().await;
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    let (abc, def, ghi) = (nonce(&app).await, nonce(&app).await, nonce(&app).await);

    let forged = app
        .post(
            &format!("/api/lab/csrf-probe?flow=session&nonce={abc}"),
            json!({}),
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://localhost:1"),
            ],
        )
        .await;
    // The form always gets its page (no failed load in a frame); the log says what happened.
    assert_eq!(forged.status, StatusCode::OK);
    assert!(forged.body.as_str().unwrap().contains("nothing happened"));
    let with_cookie = app
        .post(
            &format!("/api/lab/csrf-probe?flow=session&nonce={def}"),
            json!({}),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(with_cookie.status, StatusCode::OK);
    let token_form = app
        .post(
            &format!("/api/lab/csrf-probe?flow=jwt&nonce={ghi}"),
            json!({}),
            &[("cookie", &cookie)],
        )
        .await;
    assert!(
        token_form
            .body
            .as_str()
            .unwrap()
            .contains("nothing happened"),
        "a form never authenticates the token flow"
    );

    // Only the request that carried the cookie changed alice's cart.
    let me = app.get("/api/session/me", &[("cookie", &cookie)]).await;
    assert_eq!(me.body["cart"], json!(["bought by the attacker"]));

    let probes = app.get("/api/lab/csrf-probes", &[]).await.body;
    let by_nonce = |nonce: &str| -> Value {
        probes
            .as_array()
            .and_then(|all| all.iter().find(|probe| probe["nonce"] == nonce))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(by_nonce(&abc)["cookie_sent"], false);
    assert_eq!(by_nonce(&abc)["sec_fetch_site"], "cross-site");
    assert_eq!(by_nonce(&abc)["origin"], "http://localhost:1");
    assert_eq!(by_nonce(&abc)["refused_by"], "Sec-Fetch-Site: cross-site");
    assert_eq!(by_nonce(&def)["refused_by"], Value::Null);
    assert_eq!(by_nonce(&def)["cookie_sent"], true);
    assert_eq!(by_nonce(&def)["status"], 200);
    assert_eq!(by_nonce(&abc)["status"], 401);
    assert_eq!(by_nonce(&ghi)["status"], 401);
    assert_eq!(by_nonce(&ghi)["authorization_sent"], false);
}

#[tokio::test]
async fn the_probe_log_keeps_only_the_latest_sixteen() {
    let app = start_default().await;
    let mut last = String::new();
    for _ in 0..6 {
        last = nonce(&app).await;
        for _ in 0..4 {
            app.post(
                &format!("/api/lab/csrf-probe?flow=jwt&nonce={last}"),
                json!({}),
                &[],
            )
            .await;
        }
    }
    let probes = app.get("/api/lab/csrf-probes", &[]).await.body;
    let probes = probes.as_array().expect("a list");
    assert_eq!(probes.len(), 16);
    assert_eq!(probes[0]["nonce"], last.as_str(), "newest first");
}

/// authlens as hosted: behind a proxy on 127.0.0.1 that terminates TLS, with a public name
/// for the attacker site.
async fn hosted() -> TestApp {
    let mut config = common::test_config();
    config.attacker_origin =
        Some(server::config::Origin::parse("https://attacker.test:8443").unwrap());
    config.trusted_proxy = vec![server::config::parse_network("127.0.0.1").unwrap()];
    common::start(config).await
}

/// What the proxy adds to a request for `host` over https.
fn via_proxy(host: &str) -> [(&str, &str); 3] {
    [
        ("host", host),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-for", "203.0.113.7"),
    ]
}

#[tokio::test]
async fn a_hosted_page_is_sent_to_the_public_attacker_origin() {
    let app = hosted().await;
    let visitor = app.as_visitor(&common::new_visitor()).from("127.0.0.1");
    let reply = visitor
        .get("/api/lab/attacker", &via_proxy("authlens.test:8443"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.json::<AttackerAddress>(),
        AttackerAddress {
            origin: "https://attacker.test:8443".to_owned(),
            same_site: false,
        }
    );
    // An attacker origin under the page's own domain is the same site, and the page is told.
    let mut config = common::test_config();
    config.attacker_origin =
        Some(server::config::Origin::parse("https://evil.authlens.test:8443").unwrap());
    let same_site = common::start(config).await;
    let reply = same_site
        .get("/api/lab/attacker", &[("host", "authlens.test:8443")])
        .await;
    assert!(reply.json::<AttackerAddress>().same_site, "{}", reply.body);
    // The page may frame it, and the probe's answer may be framed by it.
    let page = visitor.get("/", &via_proxy("authlens.test:8443")).await;
    let policy = page.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        policy.contains("frame-src https://attacker.test:8443"),
        "{policy}"
    );
    let probe = visitor
        .post(
            "/api/lab/csrf-probe?flow=jwt&nonce=x",
            json!({}),
            &via_proxy("authlens.test:8443"),
        )
        .await;
    let policy = probe.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        policy.contains("frame-ancestors 'self' https://attacker.test:8443"),
        "{policy}"
    );
}

#[tokio::test]
async fn the_attacker_name_gets_the_attacker_site_on_the_main_listener() {
    let app = hosted().await;
    let browser = app.as_visitor(&common::new_visitor()).from("127.0.0.1");
    let attacker = via_proxy("attacker.test:8443");
    let page = browser
        .get(
            "/?target=https://authlens.test:8443&nonce=x1&lang=en",
            &attacker,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = page.body.as_str().expect("HTML");
    assert!(html.contains(
        r#"action="https://authlens.test:8443/api/lab/csrf-probe?flow=session&amp;nonce=x1&amp;lang=en""#
    ), "{html}");
    // Its own policy: its one script by nonce, forms and frames at this authlens only.
    let policy = page.header(header::CONTENT_SECURITY_POLICY);
    assert!(policy.contains("script-src 'nonce-"), "{policy}");
    assert!(
        policy.contains("form-action https://authlens.test:8443;"),
        "{policy}"
    );
    assert!(
        policy.contains("frame-ancestors https://authlens.test:8443;"),
        "{policy}"
    );
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    assert!(
        html.contains(&format!(r#"<script nonce="{nonce}">"#)),
        "{html}"
    );
    // Another site: no visitor cookie of this one, and none of this site's routes.
    assert!(page.headers.get(header::SET_COOKIE).is_none());
    let api = browser.get("/api/session/me", &attacker).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.error_code(), ErrorCode::NotFound);
    // Its forms go to a public name on the same scheme and port, never elsewhere.
    for hostile in [
        "https://attacker.test:8443",
        "https://authlens.test:443",
        "http://authlens.test:8443",
        "https://127.0.0.1:8443",
        "http://127.0.0.1:6379",
    ] {
        let reply = browser
            .get(&format!("/?target={hostile}&nonce=x1"), &attacker)
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{hostile}");
    }
}

#[tokio::test]
async fn a_page_on_a_public_name_without_an_attacker_origin_is_told_which_flag_to_set() {
    let app = common::start_with_attacker_port(4242).await;
    let remote = app.as_visitor(&common::new_visitor()).from("198.51.100.4");
    let reply = remote
        .get("/api/lab/attacker", &[("host", "authlens.example")])
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), ErrorCode::NoAttackerSite);
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("--attacker-origin"),
        "{}",
        reply.body
    );
    // A browser on the server's machine gets the loopback site under the other name.
    let local = app.as_visitor(&common::new_visitor()).from("127.0.0.1");
    for (host, origin) in [
        ("127.0.0.1:3000", "http://localhost:4242"),
        ("localhost:3000", "http://127.0.0.1:4242"),
    ] {
        let reply = local.get("/api/lab/attacker", &[("host", host)]).await;
        assert_eq!(reply.json::<AttackerAddress>().origin, origin);
    }
}

#[test]
fn an_attacker_origin_that_is_not_a_bare_origin_stops_the_start() {
    use clap::Parser;
    for bad in [
        "attacker.test",
        "https://attacker.test/x",
        "ftp://attacker.test",
    ] {
        let err = server::Config::try_parse_from(["authlens", "--attacker-origin", bad])
            .expect_err(bad)
            .to_string();
        assert!(err.contains("--attacker-origin"), "{err}");
        assert!(err.contains("bare http(s) origin"), "{err}");
    }
    let good = server::Config::try_parse_from([
        "authlens",
        "--attacker-origin",
        "https://authlens-attacker.example",
    ])
    .unwrap();
    assert_eq!(
        good.attacker_origin.unwrap().to_string(),
        "https://authlens-attacker.example"
    );
}

#[tokio::test]
async fn without_an_attacker_listener_the_api_says_so() {
    let app = start_default().await;
    let reply = app.get("/api/lab/attacker", &[]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), ErrorCode::NoAttackerSite);
}

#[tokio::test]
async fn the_attacker_page_posts_only_to_this_authlens() {
    let site =
        server::experiments::cross_site::attacker_site(server::http::attacker::AttackerSite {
            loopback_port: Some(4000),
            authlens_port: 3000,
            public: None,
        });
    let page = |query: &str| {
        let site = site.clone();
        let query = query.to_owned();
        async move {
            let response = site
                .oneshot(request("GET", &format!("/?{query}"), Body::empty(), &[]))
                .await
                .expect("an answer");
            let status = response.status();
            let content_type = response.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap_or_default()
                .to_owned();
            let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .expect("a body");
            (
                status,
                content_type,
                String::from_utf8_lossy(&body).into_owned(),
            )
        }
    };

    let (status, content_type, body) = page("target=http://127.0.0.1:3000&nonce=x1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"));
    assert!(body.contains(
        r#"action="http://127.0.0.1:3000/api/lab/csrf-probe?flow=session&amp;nonce=x1&amp;lang=en""#
    ));
    assert!(body.contains(
        r#"action="http://127.0.0.1:3000/api/lab/csrf-probe?flow=jwt&amp;nonce=x1&amp;lang=en""#
    ));
    // It speaks the page's language, and passes it to the probe's answers.
    let (_, _, korean) = page("target=http://127.0.0.1:3000&nonce=x1&lang=ko").await;
    assert!(korean.contains(r#"<html lang="ko">"#), "{korean}");
    assert!(korean.contains("공격자 사이트"), "{korean}");
    assert!(korean.contains("nonce=x1&amp;lang=ko"), "{korean}");
    // Experiment 15's variant: one form at the SameSite probe, telling it how it was sent;
    // any `via` but top is the frame.
    let (_, _, samesite) =
        page("target=http://127.0.0.1:3000&nonce=x1&lang=en&test=samesite&via=top").await;
    assert!(samesite.contains(
        r#"action="http://127.0.0.1:3000/api/lab/samesite/probe?nonce=x1&amp;via=top&amp;lang=en""#
    ), "{samesite}");
    assert!(!samesite.contains("csrf-probe"), "{samesite}");
    let (_, _, framed) =
        page("target=http://127.0.0.1:3000&nonce=x1&test=samesite&via=%22%3E").await;
    assert!(framed.contains("via=frame&amp;"), "{framed}");

    for hostile in [
        "target=https://example.com&nonce=x",
        "target=http://127.0.0.1:6379&nonce=x",
        "target=http://localhost:30000&nonce=x",
        "target=http://127.0.0.1:3000/%22%3E%3Cscript%3E&nonce=x",
        "target=http://localhost:&nonce=x",
        "target=http://127.0.0.1:3000&nonce=%3Cscript%3E",
        "nonce=x",
        "target=http://127.0.0.1:1&target=http://127.0.0.1:2&nonce=x",
        "target=%FF%FE&nonce=x",
    ] {
        let (status, content_type, body) = page(hostile).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{hostile}");
        assert!(
            content_type.starts_with("application/json"),
            "{hostile}: {content_type}"
        );
        assert!(!body.contains("<script"), "{hostile}");
    }
}

/// A logged-in request to a state-changing route, sent with `marks` (what a browser adds).
async fn changing(
    app: &TestApp,
    cookie: &str,
    path: &str,
    content_type: &str,
    body: &str,
    marks: &[(&str, &str)],
) -> common::Reply {
    let mut headers = vec![("cookie", cookie), ("content-type", content_type)];
    headers.extend_from_slice(marks);
    let mut request = request("POST", path, Body::from(body.to_owned()), &[]);
    for (name, value) in headers {
        request.headers_mut().insert(
            header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    app.send(request).await
}

/// A JSON cart add with `marks`.
async fn add_to_cart(app: &TestApp, cookie: &str, marks: &[(&str, &str)]) -> common::Reply {
    changing(
        app,
        cookie,
        "/api/session/cart",
        "application/json",
        r#"{"item":"x"}"#,
        marks,
    )
    .await
}

#[tokio::test]
async fn a_state_changing_request_from_another_site_is_refused_whatever_it_carries() {
    let app = start_default().await;
    let cookie = app
        .post("/api/session/login", alice(), &[("host", "127.0.0.1:3000")])
        .await
        .cookie_pair();
    // A form-encoded logout that the browser marks cross-site, with the cookie attached (as
    // SameSite=None or an old browser would): refused before the session is touched.
    let logout = changing(
        &app,
        &cookie,
        "/api/session/logout",
        "application/x-www-form-urlencoded",
        "",
        &[("sec-fetch-site", "cross-site"), ("host", "127.0.0.1:3000")],
    )
    .await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    assert_eq!(logout.error_code(), ErrorCode::CrossSiteRequest);
    assert!(
        logout.body["message"]
            .as_str()
            .unwrap()
            .contains("Sec-Fetch-Site: cross-site")
    );
    assert!(logout.headers.get("set-cookie").is_none());
    // A JSON cart add from a sibling subdomain (same site, another origin), and one from an old
    // browser that sends only Origin.
    for marks in [
        vec![("sec-fetch-site", "same-site"), ("host", "127.0.0.1:3000")],
        vec![
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:3000"),
        ],
    ] {
        let cart = add_to_cart(&app, &cookie, &marks).await;
        assert_eq!(cart.status, StatusCode::FORBIDDEN, "{marks:?}");
        let decided_by = if marks[0].0 == "origin" {
            "Origin: http://evil.example"
        } else {
            "Sec-Fetch-Site: same-site"
        };
        assert!(
            cart.body["message"].as_str().unwrap().contains(decided_by),
            "{}",
            cart.body
        );
    }
    let here = ("host", "127.0.0.1:3000");
    let me = app
        .get("/api/session/me", &[("cookie", &cookie), here])
        .await;
    assert_eq!(
        me.status,
        StatusCode::OK,
        "the session outlived every forged request"
    );
    assert_eq!(me.body["cart"], json!([]), "and nothing was added");

    // This site's own page, and a client that is no browser page at all (curl), pass.
    for marks in [
        vec![
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ],
        vec![
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ],
        vec![("host", "127.0.0.1:3000")],
    ] {
        let cart = add_to_cart(&app, &cookie, &marks).await;
        assert_eq!(cart.status, StatusCode::OK, "{marks:?}: {}", cart.body);
    }
    // Reading is never refused: a cross-site GET changes nothing.
    let read = app
        .get(
            "/api/session/me",
            &[("cookie", &cookie), ("sec-fetch-site", "cross-site"), here],
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
}
