//! Claim 10: server memory grows with sessions, not with issued JWTs. Each button asks the
//! server to create N session rows or sign N access tokens, and shows what it reports about
//! itself before and after: store rows and resident memory.

use leptos::lazy;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Value, json};

use super::{Card, Line, ResultLines, line, post};
use crate::comparison::VisitFigures;
use crate::i18n::Lang;
use crate::server_holds::ServerChanged;

pub const BULK_COUNT: u64 = 10_000;

fn number(body: &Value, field: &str) -> i64 {
    body.get(field).and_then(Value::as_i64).unwrap_or(-1)
}

fn mebibytes(bytes: i64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[lazy]
async fn bulk(kind: &'static str, figures: VisitFigures) -> Vec<Line> {
    let reply = post("/api/lab/bulk", json!({"kind": kind, "count": BULK_COUNT})).await;
    if !reply.ok() {
        return vec![line(
            false,
            |t| t.e10_failed,
            reply.field(&["message"]).unwrap_or_default(),
        )];
    }
    let body = &reply.body;
    let rows = (
        number(body, "session_rows_before"),
        number(body, "session_rows_after"),
    );
    let memory = (
        number(body, "resident_bytes_before"),
        number(body, "resident_bytes_after"),
    );
    let growth = memory.1 - memory.0;
    let per_item = growth as f64 / BULK_COUNT as f64;
    let sessions = kind == "sessions";
    let per_item_figure = if sessions {
        figures.memory_per_session
    } else {
        figures.memory_per_token
    };
    per_item_figure.set(Some(per_item));
    let mut lines = vec![
        line(
            if sessions {
                rows.1 >= rows.0 + BULK_COUNT as i64
            } else {
                rows.1 <= rows.0
            },
            |t| t.e10_rows,
            format!("{} → {}", rows.0, rows.1),
        ),
        line(
            None,
            |t| t.e10_memory,
            format!(
                "{} → {} ({:+.0} B per item)",
                mebibytes(memory.0),
                mebibytes(memory.1),
                per_item
            ),
        ),
    ];
    if !sessions {
        let wire = number(body, "token_bytes_total");
        lines.push(line(
            None,
            |t| t.e10_token_bytes,
            format!("{} B", wire / BULK_COUNT as i64),
        ));
    }
    lines
}

#[component]
pub fn MemoryGrowth() -> impl IntoView {
    let lang = expect_context::<RwSignal<Lang>>();
    let texts = move || lang.get().experiment_texts();
    let server_changed = expect_context::<ServerChanged>();
    let figures = expect_context::<VisitFigures>();
    let session_lines = RwSignal::new(None::<Vec<Line>>);
    let token_lines = RwSignal::new(None::<Vec<Line>>);
    let running = RwSignal::new(false);
    let start = move |kind: &'static str, lines: RwSignal<Option<Vec<Line>>>| {
        running.set(true);
        spawn_local(async move {
            lines.set(Some(bulk(kind, figures).await));
            running.set(false);
            server_changed.bump();
        });
    };
    view! {
        <Card number=10 title=|t| t.e10_title claim=|t| t.e10_claim>
            <div class="actions">
                <button type="button" disabled=move || running.get() on:click=move |_| start("sessions", session_lines)>
                    {move || texts().e10_create_sessions}
                </button>
                <button type="button" disabled=move || running.get() on:click=move |_| start("tokens", token_lines)>
                    {move || texts().e10_issue_tokens}
                </button>
            </div>
            <ResultLines lines=session_lines test_id="experiment-10-sessions".to_owned()/>
            <ResultLines lines=token_lines test_id="experiment-10-tokens".to_owned()/>
        </Card>
    }
}
