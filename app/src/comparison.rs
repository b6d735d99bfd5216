//! The comparison table at the bottom of the page: the usual pros and cons of sessions and
//! JWTs, with the figures this visit measured beside them. Every figure comes from a response
//! or a timing taken in this browser; until one exists, its cell says how to measure it.

use leptos::prelude::*;

use crate::fetch::{Credential, Exchange};
use crate::i18n::ComparisonTexts;
use crate::server_holds::StoreListings;
use crate::widgets::TableScroll;

/// What this visit has measured so far, shared by the columns and experiments that measure.
#[derive(Clone, Copy)]
pub struct VisitFigures {
    /// Bytes of the `Cookie` header the server received on the last request that had one.
    pub cookie_bytes: RwSignal<Option<u64>>,
    /// Bytes of the `Authorization` header on the last request that had one.
    pub bearer_bytes: RwSignal<Option<u64>>,
    /// From experiment 4: milliseconds between the logout answer and the refused replay.
    pub session_refused_after_ms: RwSignal<Option<f64>>,
    /// From experiment 5: seconds the logged-out access token went on working.
    pub token_lived_after_logout_s: RwSignal<Option<f64>>,
    /// From experiment 10: the server's resident memory growth per item created.
    pub memory_per_session: RwSignal<Option<f64>>,
    pub memory_per_token: RwSignal<Option<f64>>,
}

pub fn provide_visit_figures() {
    provide_context(VisitFigures {
        cookie_bytes: RwSignal::new(None),
        bearer_bytes: RwSignal::new(None),
        session_refused_after_ms: RwSignal::new(None),
        token_lived_after_logout_s: RwSignal::new(None),
        memory_per_session: RwSignal::new(None),
        memory_per_token: RwSignal::new(None),
    });
}

impl VisitFigures {
    /// Takes the size of a column's own credential as the server reports it received (the
    /// trace's `received`): the same figure the column's wire row shows.
    pub fn observe_credentials(self, credential: Credential, exchange: &Exchange) {
        // A request that carried none (no login yet) leaves the last figure as it was.
        let Some(bytes) = exchange
            .credential_bytes(credential)
            .filter(|bytes| *bytes > 0)
        else {
            return;
        };
        let figure = match credential {
            Credential::Cookie => self.cookie_bytes,
            Credential::Bearer => self.bearer_bytes,
        };
        figure.set(Some(bytes));
    }
}

/// `template` with its `{value}` replaced by `value`.
fn fill(template: &str, value: impl std::fmt::Display) -> String {
    crate::i18n::fill_named(template, &[("value", value.to_string())])
}

/// A measured cell: the filled template, or the hint saying how to measure it.
fn measured<T: std::fmt::Display>(value: Option<T>, template: &str, hint: &str) -> (bool, String) {
    match value {
        Some(value) => (true, fill(template, value)),
        None => (false, hint.to_owned()),
    }
}

/// One row: what it compares, and each side's text (with whether it was measured here).
struct Row {
    aspect: &'static str,
    session: (bool, String),
    jwt: (bool, String),
}

fn measured_rows(
    texts: &ComparisonTexts,
    figures: VisitFigures,
    listings: StoreListings,
) -> Vec<Row> {
    let count = |listing: Option<u64>| listing.map(|count| count.to_string());
    let session_rows = listings
        .sessions
        .get()
        .and_then(Result::ok)
        .map(|listing| listing.counts.yours as u64);
    let refresh_rows = listings
        .refresh
        .get()
        .and_then(Result::ok)
        .map(|listing| listing.counts.yours as u64);
    vec![
        Row {
            aspect: texts.row_bytes,
            session: measured(
                figures.cookie_bytes.get(),
                texts.bytes_cookie,
                texts.hint_bytes_session,
            ),
            jwt: measured(
                figures.bearer_bytes.get(),
                texts.bytes_bearer,
                texts.hint_bytes_jwt,
            ),
        },
        Row {
            aspect: texts.row_records,
            session: measured(count(session_rows), texts.records_sessions, "…"),
            jwt: measured(count(refresh_rows), texts.records_refresh, "…"),
        },
        Row {
            aspect: texts.row_revocation,
            session: measured(
                figures
                    .session_refused_after_ms
                    .get()
                    .map(|ms| format!("{ms:.0}")),
                texts.revocation_session,
                texts.hint_revocation_session,
            ),
            jwt: measured(
                figures
                    .token_lived_after_logout_s
                    .get()
                    .map(|s| format!("{s:.1}")),
                texts.revocation_jwt,
                texts.hint_revocation_jwt,
            ),
        },
        Row {
            aspect: texts.row_memory,
            session: measured(
                figures
                    .memory_per_session
                    .get()
                    .map(|bytes| format!("{bytes:+.0}")),
                texts.memory_session,
                texts.hint_memory,
            ),
            jwt: measured(
                figures
                    .memory_per_token
                    .get()
                    .map(|bytes| format!("{bytes:+.0}")),
                texts.memory_jwt,
                texts.hint_memory,
            ),
        },
    ]
}

fn textbook_rows(texts: &ComparisonTexts) -> Vec<Row> {
    let row = |aspect, session: &str, jwt: &str| Row {
        aspect,
        session: (false, session.to_owned()),
        jwt: (false, jwt.to_owned()),
    };
    vec![
        row(texts.row_scaling, texts.scaling_session, texts.scaling_jwt),
        row(texts.row_xss, texts.xss_session, texts.xss_jwt),
        row(texts.row_csrf, texts.csrf_session, texts.csrf_jwt),
    ]
}

#[component]
pub fn Comparison() -> AnyView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().comparison_texts();
    let figures = expect_context::<VisitFigures>();
    let listings = expect_context::<StoreListings>();
    view! {
        <section class="comparison" aria-labelledby="comparison-title">
            <h2 id="comparison-title">{move || texts().title}</h2>
            <p class="muted">{move || texts().intro}</p>
            <TableScroll label=Signal::derive(move || texts().caption)>
                <table data-testid="comparison">
                    <caption>{move || texts().caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || texts().col_aspect}</th>
                            <th scope="col">{move || texts().col_session}</th>
                            <th scope="col">{move || texts().col_jwt}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let texts = texts();
                            measured_rows(texts, figures, listings)
                                .into_iter()
                                .map(|row| view! { <ComparisonRow row measured=true/> })
                                .chain(
                                    textbook_rows(texts)
                                        .into_iter()
                                        .map(|row| view! { <ComparisonRow row measured=false/> }),
                                )
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </TableScroll>
        </section>
    }
    .into_any()
}

/// A row; a measured row labels each cell "measured" or shows its hint in muted text,
/// so the difference never rests on colour alone.
#[component]
fn ComparisonRow(row: Row, measured: bool) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let kind = move || {
        let texts = lang.get().comparison_texts();
        if measured {
            texts.measured
        } else {
            texts.textbook
        }
    };
    let cell = move |(has_figure, text): (bool, String)| {
        view! {
            <td class:pending=measured && !has_figure>
                {(measured && has_figure).then(|| view! { <span class="badge">{kind}</span> " " })}
                {text}
            </td>
        }
    };
    view! {
        <tr class:textbook=!measured>
            <th scope="row">
                {row.aspect}
                {(!measured).then(|| view! { " " <span class="badge muted-badge">{kind}</span> })}
            </th>
            {cell(row.session)}
            {cell(row.jwt)}
        </tr>
    }
}
