//! Claim 5: a token logout does not kill the access token. The old token keeps answering 200
//! until its `exp`; a countdown shows when, and the page asks again once it has passed and
//! measures how long the "logged out" token really lived.

use leptos::lazy;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;

use super::{
    Card, Detail, Line, ResultLines, RunButton, get, line, post, refresh_request, status,
    token_login,
};
use crate::browser::now_ms;
use crate::browser::now_secs;
use crate::comparison::VisitFigures;
use crate::server_holds::ServerChanged;
use crate::token;
use crate::token_view::{ExpiryBar, use_now};

#[component]
pub fn TokenReplay() -> impl IntoView {
    let server_changed = expect_context::<ServerChanged>();
    let figures = expect_context::<VisitFigures>();
    let now = use_now();
    let lines = RwSignal::new(None::<Vec<Line>>);
    let running = RwSignal::new(false);
    let expiry = RwSignal::new(None::<(Option<i64>, Option<i64>)>);

    let start = move || {
        running.set(true);
        super::spawn_experiment(5, async move {
            let Replayed {
                access,
                logged_out_at,
                outlived_logout,
                exp,
                iat,
                lines: first_lines,
            } = log_out_and_replay().await;
            expiry.set(Some((exp, iat)));
            lines.set(Some(first_lines));
            server_changed.bump();
            // Ask again just after exp: now the same token must be refused.
            let wait_ms = exp.map_or(0, |exp| (exp - now_secs()).max(0) * 1000 + 1000);
            // The later call is still experiment 5's: it runs under the run's owner.
            let owner = Owner::current();
            set_timeout(
                move || {
                    let later = async move {
                        let after = get("/api/jwt/me", Some(&access)).await;
                        let lived = (now_ms() - logged_out_at) / 1000.0;
                        if outlived_logout && after.status == Some(401) {
                            figures.token_lived_after_logout_s.set(Some(lived));
                        }
                        lines.update(|lines| {
                            if let Some(lines) = lines {
                                lines.push(line(
                                    after.status == Some(401),
                                    |t| t.e5_after_exp,
                                    status(&after),
                                ));
                                lines.push(line(
                                    None,
                                    |t| t.e5_delay,
                                    Detail::Worded(
                                        |t| t.e5_delay_value,
                                        vec![("seconds", format!("{lived:.1}"))],
                                    ),
                                ));
                            }
                        });
                        running.set(false);
                    };
                    match owner {
                        Some(owner) => owner.with(|| spawn_local_scoped(later)),
                        None => leptos::task::spawn_local(later),
                    }
                },
                std::time::Duration::from_millis(wait_ms as u64),
            );
        });
    };

    view! {
        <Card number=5 title=|t| t.e5_title claim=|t| t.e5_claim>
            <RunButton number=5 running on_run=start/>
            {move || expiry.get().map(|(exp, iat)| view! { <ExpiryBar exp iat now/> })}
            <ResultLines lines claim=5 test_id="experiment-5-result".to_owned()/>
        </Card>
    }
}

/// What the first half of the experiment saw: the token, when it was logged out, whether it
/// still worked afterwards, and its `exp` and `iat`.
struct Replayed {
    access: String,
    logged_out_at: f64,
    outlived_logout: bool,
    exp: Option<i64>,
    iat: Option<i64>,
    lines: Vec<Line>,
}

/// Logs in for tokens, logs out, and replays the access token at once.
#[lazy]
async fn log_out_and_replay() -> Replayed {
    let (_, access, refresh) = token_login().await;
    let logout = post("/api/jwt/logout", &refresh_request(&refresh)).await;
    let logged_out_at = now_ms();
    let replay = get("/api/jwt/me", Some(&access)).await;
    let decoded = token::decode(&access).ok();
    Replayed {
        outlived_logout: replay.ok(),
        exp: decoded.as_ref().and_then(|d| d.time_claim("exp")),
        iat: decoded.as_ref().and_then(|d| d.time_claim("iat")),
        lines: vec![
            line(logout.ok(), |t| t.e5_logout, status(&logout)),
            line(replay.ok(), |t| t.e5_replay, status(&replay)),
        ],
        access,
        logged_out_at,
    }
}
