//! Experiment 4. Session logout kills the old cookie at once

use super::*;

#[lazy]
pub(super) async fn replay_cookie(figures: VisitFigures) -> Vec<Line> {
    post("/api/session/login", &alice()).await;
    let before = get("/api/session/me", None).await;
    // The record goes; the browser keeps its cookie, as a copy taken before logout would.
    let logout = post("/api/session/logout?keep_cookie=true", &NoFields {}).await;
    let logged_out_at = now_ms();
    let replay = get("/api/session/me", None).await;
    // `invalid_session`, not `no_session`: the cookie was sent, and refused.
    let refused = replay.error_code() == Some(ErrorCode::InvalidSession);
    if logout.ok() && refused {
        figures
            .session_refused_after_ms
            .set(Some(now_ms() - logged_out_at));
    }
    // Tidy up: a real logout, so the browser forgets the dead cookie.
    post("/api/session/logout", &NoFields {}).await;
    vec![
        line(before.ok(), |t| t.e4_before, status(&before)),
        line(logout.ok(), |t| t.e4_logout, status(&logout)),
        line(refused, |t| t.e4_replay, status(&replay)),
    ]
}
