//! Requests that race on one session or one refresh token, on real threads: nothing is lost,
//! nothing half-done is seen, and a logged-out session never comes back.

mod common;

use app::api::{ErrorCode, TokenResponse};

use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

/// How many requests race in each test.
const RACERS: usize = 32;

/// Runs `RACERS` copies of `call` on the multi-threaded runtime at once.
async fn race<F, Fut>(app: &Arc<TestApp>, call: F) -> Vec<Reply>
where
    F: Fn(Arc<TestApp>, usize) -> Fut,
    Fut: Future<Output = Reply> + Send + 'static,
{
    let tasks: Vec<_> = (0..RACERS)
        .map(|n| tokio::spawn(call(app.clone(), n)))
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("no request panics"));
    }
    replies
}

async fn concurrent_cart_adds_all_land(backend: Backend) {
    let app = Arc::new(start_on(backend).await);
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    let replies = race(&app, |app, n| {
        let cookie = cookie.clone();
        async move {
            app.post(
                "/api/session/cart",
                json!({"item": format!("item {n}")}),
                &[("cookie", &cookie)],
            )
            .await
        }
    })
    .await;
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let me = app.get("/api/session/me", &[("cookie", &cookie)]).await;
    let mut cart: Vec<String> = serde_json::from_value(me.body["cart"].clone()).unwrap();
    cart.sort();
    let mut expected: Vec<String> = (0..RACERS).map(|n| format!("item {n}")).collect();
    expected.sort();
    assert_eq!(cart, expected, "every concurrent add is in the cart, once");
}

async fn a_session_logged_out_during_requests_stays_logged_out(backend: Backend) {
    let app = Arc::new(start_on(backend).await);
    let cookie = app
        .post("/api/session/login", alice(), &[])
        .await
        .cookie_pair();
    app.post(
        "/api/session/cart",
        json!({"item": "tea"}),
        &[("cookie", &cookie)],
    )
    .await;
    // Every other racer is a /me or a cart add; one in the middle logs out.
    let replies = race(&app, |app, n| {
        let cookie = cookie.clone();
        async move {
            let headers = [("cookie", cookie.as_str())];
            match n {
                n if n == RACERS / 2 => app.post("/api/session/logout", json!({}), &headers).await,
                n if n % 2 == 0 => app.get("/api/session/me", &headers).await,
                _ => {
                    app.post("/api/session/cart", json!({"item": "jam"}), &headers)
                        .await
                }
            }
        }
    })
    .await;
    for (n, reply) in replies.iter().enumerate() {
        match reply.status {
            // Before the logout: the whole session, as it was.
            StatusCode::OK if n != RACERS / 2 => {
                assert_eq!(reply.body["user"]["username"], "alice", "{}", reply.body);
                assert_eq!(reply.body["cart"][0], "tea", "{}", reply.body);
            }
            StatusCode::OK => assert_eq!(reply.body["logged_out"], true, "{}", reply.body),
            // After it: the session is gone, with the usual clean answer.
            StatusCode::UNAUTHORIZED => assert!(reply.body["error"].is_string(), "{}", reply.body),
            other => panic!("racer {n}: {other} {}", reply.body),
        }
    }
    // No request that was still running brought it back.
    let me = app.get("/api/session/me", &[("cookie", &cookie)]).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.body);
    let listing = app.get("/api/session/store", &[]).await;
    assert_eq!(listing.body["yours"], 0, "{}", listing.body);
    assert_eq!(listing.body["total"], 0, "{}", listing.body);
}

async fn racing_refreshes_with_one_token_let_exactly_one_win(backend: Backend) {
    let app = Arc::new(start_on(backend).await);
    let login = app.post("/api/jwt/login", alice(), &[]).await;
    let refresh = login.json::<TokenResponse>().refresh_token;
    let replies = race(&app, |app, _| {
        let refresh = refresh.clone();
        async move {
            app.post("/api/jwt/refresh", json!({"refresh_token": refresh}), &[])
                .await
        }
    })
    .await;
    let winners: Vec<&Reply> = replies
        .iter()
        .filter(|reply| reply.status == StatusCode::OK)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one rotation succeeds");
    for reply in replies
        .iter()
        .filter(|reply| reply.status != StatusCode::OK)
    {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    }
    // The losers replayed a rotated-out token: reuse, so the whole family is revoked.
    let after = app
        .post(
            "/api/jwt/refresh",
            json!({"refresh_token": winners[0].json::<TokenResponse>().refresh_token}),
            &[],
        )
        .await;
    assert_eq!(
        after.error_code(),
        ErrorCode::RefreshTokenRevoked,
        "{}",
        after.body
    );
}

for_each_store_on_threads!(
    concurrent_cart_adds_all_land,
    a_session_logged_out_during_requests_stays_logged_out,
    racing_refreshes_with_one_token_let_exactly_one_win,
);
