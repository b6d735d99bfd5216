//! The session flow over HTTP, through the real router, against every session store.

mod common;

use app::api::{AnswerUser, ErrorBody, ErrorCode, SessionListing, SessionResponse};

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

async fn login_sets_a_protected_cookie_and_me_knows_the_user(backend: Backend) {
    let app = start_on(backend).await;
    let login = app
        .post("/api/session/login", alice(), &[("host", "127.0.0.1:3000")])
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let set_cookie = login.header("set-cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
        assert!(
            set_cookie.contains(attribute),
            "{attribute} missing: {set_cookie}"
        );
    }
    assert_eq!(login.header("cache-control"), "no-store");
    assert!(login.header("server-timing").contains("store;dur="));
    assert_eq!(login.json::<AnswerUser>().user.username, "alice");
    let id = login.cookie_pair().split_once('=').unwrap().1.to_owned();
    let emitted = &login.json::<SessionResponse>().trace.emitted[0].value;
    assert_eq!(
        *emitted,
        set_cookie.replace(&id, &format!("{}…", &id[..6])),
        "the trace shows the Set-Cookie fetch hides, with the id shortened"
    );
    assert!(
        !login.body.to_string().contains(&id),
        "the body never hands JavaScript the HttpOnly id"
    );

    // Where the cookie is Secure its name carries the __Host- prefix (no sibling can set it).
    assert!(login.cookie_pair().starts_with("__Host-authlens_sid="));
    let me = app
        .get(
            "/api/session/me",
            &[("cookie", &login.cookie_pair()), ("host", "127.0.0.1:3000")],
        )
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.json::<AnswerUser>().user.display_name, "Alice");
    let received = me.json::<SessionResponse>().trace.received;
    let cookie = received
        .iter()
        .find(|line| line.name == "cookie")
        .expect("the trace shows the Cookie header JS cannot see");
    assert_eq!(cookie.bytes, "cookie: ".len() + login.cookie_pair().len());
    assert!(!me.body.to_string().contains(&id));
    assert_eq!(me.json::<SessionResponse>().trace.store[0].op, "update");
    assert_eq!(
        me.json::<SessionResponse>().trace.store[0].backend,
        backend.name()
    );
}

#[tokio::test]
async fn secure_is_left_out_for_plain_http_to_a_public_host() {
    let app = start_default().await;
    let login = app
        .post(
            "/api/session/login",
            alice(),
            &[("host", "authlens.example")],
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(!login.header("set-cookie").contains("Secure"));
    // Only a trusted proxy may say https (tests/trusted_proxy.rs); from anyone it decides nothing.
    let forged = app
        .post(
            "/api/session/login",
            alice(),
            &[("host", "authlens.example"), ("x-forwarded-proto", "https")],
        )
        .await;
    assert!(!forged.header("set-cookie").contains("Secure"));
    assert!(forged.headers.get("strict-transport-security").is_none());
}

#[tokio::test]
async fn me_without_a_cookie_is_401_with_a_json_error() {
    let app = start_default().await;
    let me = app.get("/api/session/me", &[]).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.error_code(), ErrorCode::NoSession);
    assert!(me.json::<ErrorBody>().message.contains("Log in"));
}

async fn logout_deletes_the_record_so_the_old_cookie_dies_at_once(backend: Backend) {
    let app = start_on(backend).await;
    let login = app.post("/api/session/login", alice(), &[]).await;
    let cookie = login.cookie_pair();
    assert_eq!(app.state.session.store.count().await.unwrap(), 1);

    let logout = app
        .post("/api/session/logout", json!({}), &[("cookie", &cookie)])
        .await;
    assert_eq!(logout.status, StatusCode::OK);
    assert_eq!(logout.body["logged_out"], true);
    assert!(
        logout.header("set-cookie").contains("Max-Age=0"),
        "{}",
        logout.header("set-cookie")
    );
    assert_eq!(logout.body["trace"]["store"][0]["op"], "delete");
    assert_eq!(logout.body["trace"]["store"][0]["found"], true);
    assert_eq!(app.state.session.store.count().await.unwrap(), 0);

    // Someone who kept a copy of the cookie replays it.
    let replay = app.get("/api/session/me", &[("cookie", &cookie)]).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(replay.error_code(), ErrorCode::InvalidSession);
}

async fn a_cookie_kept_past_logout_is_refused(backend: Backend) {
    let app = start_on(backend).await;
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    let logout = app
        .post(
            "/api/session/logout?keep_cookie=true",
            json!({}),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(logout.status, StatusCode::OK);
    assert!(
        logout.header("set-cookie").is_empty(),
        "the browser keeps its cookie"
    );
    let replay = app.get("/api/session/me", &[("cookie", &cookie)]).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(replay.error_code(), ErrorCode::InvalidSession);
}

async fn wrong_password_and_unknown_user_get_the_same_answer(backend: Backend) {
    let app = start_on(backend).await;
    let wrong_password = app
        .post(
            "/api/session/login",
            json!({"username": "alice", "password": "builder"}),
            &[],
        )
        .await;
    let unknown_user = app
        .post(
            "/api/session/login",
            json!({"username": "mallory", "password": "wonderland"}),
            &[],
        )
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_user.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.body["error"], unknown_user.body["error"]);
    assert_eq!(wrong_password.body["message"], unknown_user.body["message"]);
    assert!(wrong_password.header("set-cookie").is_empty());
    assert_eq!(app.state.session.store.count().await.unwrap(), 0);
}

async fn a_new_login_gets_a_new_id_and_the_old_one_dies(backend: Backend) {
    let app = start_on(backend).await;
    let first = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    let second = app
        .post("/api/session/login", alice(), &[("cookie", &first)])
        .await
        .cookie_pair();
    assert_ne!(
        first, second,
        "a login must never keep the id the browser brought (fixation)"
    );
    assert_eq!(
        app.get("/api/session/me", &[("cookie", &first)])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/session/me", &[("cookie", &second)])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(app.state.session.store.count().await.unwrap(), 1);
}

async fn ids_the_server_never_issued_are_rejected(backend: Backend) {
    let app = start_on(backend).await;
    let login = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    let (name, value) = login.split_once('=').unwrap();
    let mut tampered = value.to_owned();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    for forged in [
        format!("{name}={tampered}"),
        format!("{name}={}", &value[..20]),
        format!("{name}=not-a-session-id"),
        format!("{name}=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let me = app.get("/api/session/me", &[("cookie", &forged)]).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{forged}");
        assert_eq!(me.error_code(), ErrorCode::InvalidSession, "{forged}");
    }
}

async fn the_cart_lives_on_the_server(backend: Backend) {
    let app = start_on(backend).await;
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    for item in ["apple", "pear"] {
        let added = app
            .post(
                "/api/session/cart",
                json!({"item": item}),
                &[("cookie", &cookie)],
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        assert!(
            added.header("set-cookie").is_empty(),
            "the cookie does not change"
        );
    }
    let me = app.get("/api/session/me", &[("cookie", &cookie)]).await;
    assert_eq!(me.body["cart"], json!(["apple", "pear"]));
    let empty = app
        .post(
            "/api/session/cart",
            json!({"item": " "}),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
}

async fn the_store_listing_shows_short_ids_only(backend: Backend) {
    let app = start_on(backend).await;
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    let id = cookie.split_once('=').unwrap().1;
    let listing = app.get("/api/session/store", &[]).await;
    assert_eq!(listing.status, StatusCode::OK);
    assert_eq!(listing.body["backend"], backend.name());
    assert_eq!(listing.body["yours"], 1);
    assert_eq!(listing.body["total"], 1);
    let shown = &listing.json::<SessionListing>().sessions[0].id;
    assert!(
        id.starts_with(shown.trim_end_matches('…')),
        "{shown} is a prefix of the id"
    );
    assert!(
        !listing.body.to_string().contains(id),
        "the whole id never leaves the cookie"
    );
}

#[tokio::test]
async fn bad_json_is_400_and_a_huge_body_is_413() {
    let app = start_default().await;
    let send_raw = |body: String| app.send(request("POST", "/api/session/login", body.into(), &[]));
    let malformed = send_raw("{\"username\": ".into()).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.error_code(), ErrorCode::BadRequest);
    let missing_field = send_raw(r#"{"username": "alice"}"#.into()).await;
    assert_eq!(missing_field.status, StatusCode::BAD_REQUEST);
    assert!(
        missing_field
            .json::<ErrorBody>()
            .message
            .contains("password"),
        "{}",
        missing_field.body
    );
    let huge = send_raw(format!(
        r#"{{"username": "{}", "password": "x"}}"#,
        "a".repeat(64 * 1024)
    ))
    .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(huge.error_code(), ErrorCode::PayloadTooLarge);
}

#[tokio::test]
async fn unknown_api_paths_and_methods_answer_json() {
    let app = start_default().await;
    let missing = app.get("/api/nope", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error_code(), ErrorCode::NotFound);
    let wrong_method = app.get("/api/session/login", &[]).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.error_code(), ErrorCode::MethodNotAllowed);
}

async fn an_idle_session_expires_on_the_server(backend: Backend) {
    let mut config = test_config();
    config.session_idle = Duration::from_secs(60);
    config.session_absolute = Duration::from_secs(300);
    let app = start_with(config, backend).await;
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();

    app.state.clock.advance(Duration::from_secs(59));
    assert_eq!(
        app.get("/api/session/me", &[("cookie", &cookie)])
            .await
            .status,
        StatusCode::OK,
        "used within the idle window"
    );
    app.state.clock.advance(Duration::from_secs(59));
    assert_eq!(
        app.get("/api/session/me", &[("cookie", &cookie)])
            .await
            .status,
        StatusCode::OK,
        "each use extends it"
    );
    app.state.clock.advance(Duration::from_secs(61));
    assert_eq!(
        app.get("/api/session/me", &[("cookie", &cookie)])
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "idle too long"
    );
}

async fn a_busy_session_still_ends_at_the_absolute_timeout(backend: Backend) {
    let mut config = test_config();
    config.session_idle = Duration::from_secs(60);
    config.session_absolute = Duration::from_secs(150);
    let app = start_with(config, backend).await;
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    for _ in 0..2 {
        app.state.clock.advance(Duration::from_secs(50));
        assert_eq!(
            app.get("/api/session/me", &[("cookie", &cookie)])
                .await
                .status,
            StatusCode::OK
        );
    }
    app.state.clock.advance(Duration::from_secs(51));
    assert_eq!(
        app.get("/api/session/me", &[("cookie", &cookie)])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.state.session.store.count().await.unwrap(), 0);
}

async fn a_session_cookie_sent_twice_is_trusted_never_and_a_login_ends_both(backend: Backend) {
    let app = start_on(backend).await;
    let alices = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    let bob = json!({"username": "bob", "password": "builder"});
    let bobs = app
        .as_visitor(&new_visitor())
        .post("/api/session/login", bob, &[])
        .await
        .cookie_pair();
    // A cookie tossed in from a sibling subdomain sits beside the real one.
    let both = format!("{bobs}; {alices}");
    let me = app.get("/api/session/me", &[("cookie", &both)]).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.body);
    assert_eq!(me.error_code(), ErrorCode::InvalidSession);
    assert!(
        me.json::<ErrorBody>().message.contains("came twice"),
        "{}",
        me.body
    );
    // Each alone is still a live session…
    for cookie in [&alices, &bobs] {
        let alone = app.get("/api/session/me", &[("cookie", cookie)]).await;
        assert_eq!(alone.status, StatusCode::OK, "{}", alone.body);
    }
    // …until a login presenting both ends both.
    let login = app
        .post("/api/session/login", alice(), &[("cookie", &both)])
        .await;
    assert_eq!(login.status, StatusCode::OK);
    let deletes = login.json::<SessionResponse>().trace.store;
    assert_eq!(
        deletes.iter().filter(|op| op.op == "delete").count(),
        2,
        "{deletes:?}"
    );
    for cookie in [&alices, &bobs] {
        let gone = app.get("/api/session/me", &[("cookie", cookie)]).await;
        assert_eq!(gone.status, StatusCode::UNAUTHORIZED, "{}", gone.body);
    }
}

#[tokio::test]
async fn a_logout_with_a_bad_keep_cookie_is_refused_and_loses_nothing() {
    let app = start_default().await;
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    for query in ["keep_cookie=null", "keep_cookie", "keep_cookie=TRUE"] {
        let logout = app
            .post(
                &format!("/api/session/logout?{query}"),
                json!({}),
                &[("cookie", &cookie)],
            )
            .await;
        assert_eq!(
            logout.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            logout.body
        );
        assert_eq!(logout.error_code(), ErrorCode::BadRequest);
    }
    let me = app.get("/api/session/me", &[("cookie", &cookie)]).await;
    assert_eq!(me.status, StatusCode::OK, "the session still lives");
}

#[tokio::test]
async fn the_trace_never_echoes_another_apps_cookie() {
    let app = start_default().await;
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    let both = format!("proxy_auth=TOPSECRET; {cookie}");
    let me = app.get("/api/session/me", &[("cookie", &both)]).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    let received = &me.json::<SessionResponse>().trace.received;
    let cookies = &received
        .iter()
        .find(|line| line.name == "cookie")
        .unwrap()
        .value;
    assert!(cookies.contains("proxy_auth=(hidden)"), "{cookies}");
    assert!(!me.body.to_string().contains("TOPSECRET"), "{}", me.body);
}

for_each_store!(
    a_session_cookie_sent_twice_is_trusted_never_and_a_login_ends_both,
    sessions_fill_the_store_and_tokens_do_not,
    a_cookie_kept_past_logout_is_refused,
    login_sets_a_protected_cookie_and_me_knows_the_user,
    logout_deletes_the_record_so_the_old_cookie_dies_at_once,
    wrong_password_and_unknown_user_get_the_same_answer,
    a_new_login_gets_a_new_id_and_the_old_one_dies,
    ids_the_server_never_issued_are_rejected,
    the_cart_lives_on_the_server,
    the_store_listing_shows_short_ids_only,
    an_idle_session_expires_on_the_server,
    a_busy_session_still_ends_at_the_absolute_timeout,
);

async fn sessions_fill_the_store_and_tokens_do_not(backend: Backend) {
    let app = start_on(backend).await;
    let sessions = app
        .post(
            "/api/lab/bulk",
            json!({"kind": "sessions", "count": 500}),
            &[],
        )
        .await;
    assert_eq!(sessions.status, StatusCode::OK, "{}", sessions.body);
    assert_eq!(sessions.body["your_session_rows_before"], 0);
    assert_eq!(sessions.body["your_session_rows_held"], 500);
    assert_eq!(
        sessions.body["your_session_rows_after"], 0,
        "removed once measured"
    );
    assert_eq!(sessions.body["backend"], backend.name());
    let tokens = app
        .post(
            "/api/lab/bulk",
            json!({"kind": "tokens", "count": 500}),
            &[],
        )
        .await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    assert_eq!(
        tokens.body["your_session_rows_held"], 0,
        "no session rows for tokens"
    );
    assert_eq!(
        tokens.body["your_refresh_rows_held"], 0,
        "nor any other record"
    );
    assert!(tokens.body["token_bytes_total"].as_u64().unwrap() > 500 * 100);
    let too_many = app
        .post(
            "/api/lab/bulk",
            json!({"kind": "tokens", "count": 100_001}),
            &[],
        )
        .await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_many.error_code(), ErrorCode::BadRequest);
}

#[tokio::test]
async fn where_the_cookie_is_secure_only_the_host_prefixed_name_is_read() {
    let app = start_default().await;
    let here = ("host", "127.0.0.1:3000");
    let login = app.post("/api/session/login", alice(), &[here]).await;
    let pair = login.cookie_pair();
    let id = pair
        .strip_prefix("__Host-authlens_sid=")
        .expect("a __Host- cookie");
    // The same id under the plain name, as a sibling subdomain or a plain-http page could set
    // it: not ours where the cookie is Secure.
    let tossed = format!("authlens_sid={id}");
    let me = app
        .get("/api/session/me", &[("cookie", &tossed), here])
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.error_code(), ErrorCode::NoSession);
    let me = app.get("/api/session/me", &[("cookie", &pair), here]).await;
    assert_eq!(me.status, StatusCode::OK);
    // On plain http to a public name the cookie cannot be Secure, so it has the plain name.
    let plain = app
        .post(
            "/api/session/login",
            alice(),
            &[("host", "authlens.example")],
        )
        .await;
    assert!(
        plain.cookie_pair().starts_with("authlens_sid="),
        "{}",
        plain.cookie_pair()
    );
}
