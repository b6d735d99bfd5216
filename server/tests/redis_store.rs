//! Redis as the central store: shared by several servers, and when it goes away, session
//! routes answer 503 quickly while stateless JWT checks carry on; when it is back, logins
//! work again without restarting authlens.

mod common;

use app::api::{ErrorCode, SessionResponse, TokenResponse};

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

/// Far longer than any store call may take (the Redis timeout is 1 s): reaching it means a hang.
const NO_HANG: Duration = Duration::from_secs(10);

async fn within_bound<T>(work: impl Future<Output = T>) -> T {
    tokio::time::timeout(NO_HANG, work)
        .await
        .expect("answered in bounded time, not hung")
}

#[tokio::test]
async fn concurrent_reads_sent_to_redis_together_each_get_their_own_session() {
    let mut config = test_config();
    config.login_burst = 0; // 40 logins from one address in a moment
    let app = start_with(config, Backend::Redis).await;
    let mut cookies = Vec::new();
    for _ in 0..40 {
        let login = app.post("/api/session/login", alice(), &[]).await;
        cookies.push(login.cookie_pair());
    }
    // All polled at once: their reads queue up together and go to Redis in batches.
    let answers = futures::future::join_all(cookies.iter().map(|cookie| async {
        app.get("/api/session/me", &[("cookie", cookie.as_str())])
            .await
    }))
    .await;
    for (cookie, me) in cookies.iter().zip(&answers) {
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        let id = cookie.trim_start_matches("authlens_sid=");
        assert_eq!(
            me.json::<SessionResponse>().session.id,
            app::api::shorten_id(id),
            "each request is answered with its own session"
        );
    }
}

#[tokio::test]
async fn two_servers_on_one_redis_share_sessions_and_refresh_families() {
    // Servers behind one load balancer share the store and the token key.
    let secret = std::env::temp_dir().join(format!("authlens-test-secret-{}", std::process::id()));
    std::fs::write(
        &secret,
        "a shared HS256 secret of at least 32 bytes, for tests",
    )
    .unwrap();
    let mut config = test_config();
    config.jwt_secret_file = Some(secret.clone());
    let first = start_with(config.clone(), Backend::Redis).await;
    config.redis_url = first.redis.as_ref().map(TestRedis::url);
    let second = start(config).await;
    std::fs::remove_file(secret).unwrap();

    let cookie = first
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    let me = second.get("/api/session/me", &[("cookie", &cookie)]).await;
    assert_eq!(
        me.status,
        StatusCode::OK,
        "the other server knows the session"
    );
    // The second server's visitor is someone else: the row is in its total, not its own rows.
    let listing = second.get("/api/session/store", &[]).await.body;
    assert_eq!(
        (listing["total"].as_u64(), listing["yours"].as_u64()),
        (Some(1), Some(0))
    );
    let own = second
        .as_visitor(&first.visitor)
        .get("/api/session/store", &[])
        .await
        .body;
    assert_eq!(
        own["yours"], 1,
        "the visitor who logged in sees it from either server"
    );

    let refresh = first
        .post("/api/jwt/login", alice(), &[])
        .await
        .json::<TokenResponse>()
        .refresh_token
        .to_owned();
    let logout = second
        .post("/api/session/logout", json!({}), &[("cookie", &cookie)])
        .await;
    assert_eq!(logout.status, StatusCode::OK);
    assert_eq!(
        first
            .get("/api/session/me", &[("cookie", &cookie)])
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "a logout on one server ends the session on all"
    );
    let rotated = second
        .post("/api/jwt/refresh", json!({"refresh_token": refresh}), &[])
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let reuse = first
        .post("/api/jwt/refresh", json!({"refresh_token": refresh}), &[])
        .await;
    assert_eq!(
        reuse.error_code(),
        ErrorCode::RefreshTokenReused,
        "reuse is caught across servers"
    );
}

#[tokio::test]
async fn a_redis_that_is_not_there_is_a_503_not_a_hang() {
    // A port nothing listens on: authlens starts anyway and says what is wrong per request.
    let mut redis = TestRedis::start();
    let url = redis.url();
    redis.kill();
    let mut config = test_config();
    config.redis_url = Some(url);
    let app = start(config).await;

    assert_unavailable(&within_bound(app.post("/api/session/login", alice(), &[])).await);
    assert_unavailable(&within_bound(app.get("/api/session/store", &[])).await);
    assert_unavailable(&within_bound(app.post("/api/jwt/login", alice(), &[])).await);
    assert_unavailable(&within_bound(app.get("/api/jwt/refresh-store", &[])).await);
}

#[tokio::test]
async fn when_redis_dies_sessions_answer_503_jwts_carry_on_and_both_recover() {
    let mut app = start_on(Backend::Redis).await;
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    let tokens = app.post("/api/jwt/login", alice(), &[]).await;
    let access = tokens.json::<TokenResponse>().access_token;
    let bearer = format!("Bearer {access}");

    app.redis.as_mut().unwrap().kill();
    assert_unavailable(&within_bound(app.get("/api/session/me", &[("cookie", &cookie)])).await);
    assert_unavailable(&within_bound(app.post("/api/session/login", alice(), &[])).await);
    let jwt_me = within_bound(app.get("/api/jwt/me", &[("authorization", &bearer)])).await;
    assert_eq!(
        jwt_me.status,
        StatusCode::OK,
        "a signed token needs no store: {}",
        jwt_me.body
    );

    // Redis comes back empty (no persistence in this test): the old session is gone, but
    // authlens reconnects by itself and new logins work.
    app.redis.as_mut().unwrap().revive();
    let login = within_bound(app.post("/api/session/login", alice(), &[])).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let me = app
        .get("/api/session/me", &[("cookie", &login.cookie_pair())])
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/session/me", &[("cookie", &cookie)])
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "the session from before the wipe is gone"
    );
    assert_eq!(
        app.post("/api/jwt/login", alice(), &[]).await.status,
        StatusCode::OK
    );
}
