//! Experiment 2. The browser sends the cookie by itself; the token must be attached by code

use super::*;

#[lazy]
pub(super) async fn who_attaches() -> Vec<Line> {
    post("/api/session/login", &alice()).await;
    let (_, access, _) = token_login().await;
    let session_me = get("/api/session/me", None).await;
    let cookie_sent = session_me.received_header_with("cookie", SESSION_COOKIE);
    let bare = get("/api/jwt/me", None).await;
    let attached = get("/api/jwt/me", Some(&access)).await;
    vec![
        line(
            cookie_sent && session_me.ok(),
            |t| t.e2_cookie_by_browser,
            status(&session_me),
        ),
        line(bare.status == Some(401), |t| t.e2_no_header, status(&bare)),
        line(attached.ok(), |t| t.e2_header_by_code, status(&attached)),
    ]
}
