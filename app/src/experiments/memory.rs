//! Claim 10: server memory grows with sessions, not with issued JWTs. Each button asks the
//! server to create N session rows or sign N access tokens, and shows what it reports about
//! itself before and after: store rows and resident memory.

use leptos::lazy;
use leptos::prelude::*;

use super::{Card, Detail, Line, ResultLines, line, post};
use crate::api::{BulkKind, BulkRequest, BulkResponse};
use crate::comparison::VisitFigures;
use crate::server_holds::ServerChanged;

pub const BULK_COUNT: usize = 10_000;

fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[lazy]
async fn bulk(kind: BulkKind, figures: VisitFigures) -> Vec<Line> {
    let reply = post(
        "/api/lab/bulk",
        &BulkRequest {
            kind,
            count: BULK_COUNT,
        },
    )
    .await;
    let decoded = reply
        .ok()
        .then(|| serde_json::from_value::<BulkResponse>(reply.body.clone()).ok())
        .flatten();
    let Some(body) = decoded else {
        return vec![line(false, |t| t.e10_failed, reply.message())];
    };
    let memory = (
        body.resident_bytes_before.unwrap_or_default(),
        body.resident_bytes_held.unwrap_or_default(),
        body.resident_bytes_after.unwrap_or_default(),
    );
    let growth = memory.1 as f64 - memory.0 as f64;
    let per_item = growth / BULK_COUNT as f64;
    let sessions = kind == BulkKind::Sessions;
    let per_item_figure = if sessions {
        figures.memory_per_session
    } else {
        figures.memory_per_token
    };
    per_item_figure.set(Some(per_item));
    // Your own rows, counted by the server by owner: other visitors' logins never move them.
    let rows_hold = if sessions {
        body.your_session_rows_held == body.your_session_rows_before + BULK_COUNT
    } else {
        body.your_session_rows_held == body.your_session_rows_before
            && body.your_refresh_rows_held == body.your_refresh_rows_before
    };
    let rows = if sessions {
        line(
            rows_hold,
            |t| t.e10_rows,
            format!(
                "{} → {}",
                body.your_session_rows_before, body.your_session_rows_held
            ),
        )
    } else {
        // Neither store: no session row, and no refresh family either (bare access tokens).
        line(
            rows_hold,
            |t| t.e10_rows_tokens,
            format!(
                "{} → {} · {} → {}",
                body.your_session_rows_before,
                body.your_session_rows_held,
                body.your_refresh_rows_before,
                body.your_refresh_rows_held
            ),
        )
    };
    let mut lines = vec![
        rows,
        line(
            None,
            |t| t.e10_memory,
            Detail::Worded(
                |t| t.e10_memory_detail,
                vec![
                    ("before", mebibytes(memory.0)),
                    ("after", mebibytes(memory.1)),
                    ("per_item", format!("{per_item:+.0}")),
                ],
            ),
        ),
    ];
    if !sessions {
        lines.push(line(
            None,
            |t| t.e10_token_bytes,
            format!("{} B", body.token_bytes_total / BULK_COUNT),
        ));
    }
    lines.push(line(
        body.your_session_rows_after == body.your_session_rows_before,
        |t| t.e10_cleaned_up,
        format!("{} · {}", body.your_session_rows_after, mebibytes(memory.2)),
    ));
    lines
}

#[component]
pub fn MemoryGrowth() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().experiment_texts();
    let server_changed = expect_context::<ServerChanged>();
    let figures = expect_context::<VisitFigures>();
    let session_lines = RwSignal::new(None::<Vec<Line>>);
    let token_lines = RwSignal::new(None::<Vec<Line>>);
    let running = RwSignal::new(false);
    let start = move |kind: BulkKind, lines: RwSignal<Option<Vec<Line>>>| {
        running.set(true);
        super::spawn_experiment(10, async move {
            lines.set(Some(bulk(kind, figures).await));
            running.set(false);
            server_changed.bump();
        });
    };
    view! {
        <Card number=10 title=|t| t.e10_title claim=|t| t.e10_claim wide=true>
            <div class="actions">
                <button type="button" disabled=move || running.get() on:click=move |_| start(BulkKind::Sessions, session_lines)>
                    {move || texts().e10_create_sessions}
                </button>
                <button type="button" disabled=move || running.get() on:click=move |_| start(BulkKind::Tokens, token_lines)>
                    {move || texts().e10_issue_tokens}
                </button>
            </div>
            {move || session_lines.with(Option::is_some).then(|| view! { <h4>{move || texts().e10_sessions_block}</h4> })}
            <ResultLines lines=session_lines claim=10 test_id="experiment-10-sessions".to_owned()/>
            {move || token_lines.with(Option::is_some).then(|| view! { <h4>{move || texts().e10_tokens_block}</h4> })}
            <ResultLines lines=token_lines claim=10 test_id="experiment-10-tokens".to_owned()/>
        </Card>
    }
}
