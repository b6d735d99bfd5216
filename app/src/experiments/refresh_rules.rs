//! Experiment 6. Refresh tokens: revoked at logout, and reuse revokes the family

use super::*;

#[lazy]
pub(super) async fn refresh_rules() -> Vec<Line> {
    let refresh = |token: &str| {
        let request = refresh_request(token);
        async move { post("/api/jwt/refresh", &request).await }
    };
    let (_, _, first) = token_login().await;
    let rotated = refresh(&first).await;
    let second = rotated
        .json::<TokenResponse>()
        .map(|tokens| tokens.refresh_token)
        .unwrap_or_default();
    let reuse = refresh(&first).await;
    let newest = refresh(&second).await;
    let (_, _, other) = token_login().await;
    post("/api/jwt/logout", &refresh_request(&other)).await;
    let after_logout = refresh(&other).await;
    vec![
        line(rotated.ok(), |t| t.e6_rotate, status(&rotated)),
        line(
            reuse.error_code() == Some(ErrorCode::RefreshTokenReused),
            |t| t.e6_reuse,
            status(&reuse),
        ),
        line(
            newest.error_code() == Some(ErrorCode::RefreshTokenRevoked),
            |t| t.e6_family,
            status(&newest),
        ),
        line(
            after_logout.status == Some(401),
            |t| t.e6_after_logout,
            status(&after_logout),
        ),
    ]
}
