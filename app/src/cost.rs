//! The cost page (`/cost`): the last run of `scripts/bench.sh`, read from `GET /api/bench` —
//! throughput per approach, memory per session vs per JWT, logins under load, the front end,
//! and the budgets. Every figure comes from that file; the page only draws it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use crate::api::bench::{BenchResults, Budget, Throughput};
use crate::fetch::{self, Method};
use crate::i18n::{CostTexts, fill_named};
use crate::widgets::TableScroll;

/// What the page knows about the results file.
#[derive(Clone, Debug, PartialEq)]
enum Loaded {
    Waiting,
    Missing(String),
    Results(Box<BenchResults>),
}

#[component]
pub fn CostPage() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().cost_texts();
    let loaded = RwSignal::new(Loaded::Waiting);
    Effect::new(move |_| {
        spawn_local(async move {
            let exchange = fetch::send(Method::Get, "/api/bench", None, None).await;
            let results = exchange
                .ok()
                .then(|| serde_json::from_value::<BenchResults>(exchange.body.clone()).ok())
                .flatten();
            loaded.set(match results {
                Some(results) => Loaded::Results(Box::new(results)),
                None => Loaded::Missing(exchange.message()),
            });
        });
    });
    view! {
        <Title text=move || texts().page_title/>
        <section class="cost" aria-labelledby="cost-title">
            <h2 id="cost-title">{move || texts().title}</h2>
            // The sentence a student takes away comes first; the figures behind it follow.
            {move || match loaded.get() {
                Loaded::Results(results) => Some(view! {
                    <p class="takeaway" data-testid="cost-takeaway">{takeaway(texts(), &results)}</p>
                }),
                _ => None,
            }}
            <p class="intro">{move || texts().intro}</p>
            {move || match loaded.get() {
                Loaded::Waiting => view! { <p class="muted">{texts().loading}</p> }.into_any(),
                Loaded::Missing(why) => view! {
                    <p class="muted" data-testid="cost-missing">{texts().missing}" "<code>{why}</code></p>
                }.into_any(),
                Loaded::Results(results) => view! { <Figures results=*results/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Figures(results: BenchResults) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().cost_texts();
    let results = StoredValue::new(results);
    let get = move || results.get_value();
    view! {
        <p class="source" data-testid="cost-source">{move || {
            let r = get();
            fill_named(texts().source, &[
                ("when", r.measured_at.replace('T', " ").trim_end_matches('Z').to_owned()),
                ("cpu", r.machine.cpu), ("cores", r.machine.cores.to_string()),
                ("memory", r.machine.memory_gib.to_string()), ("os", r.machine.os), ("commit", r.commit),
            ])
        }}</p>
        <ThroughputChart
            rows=get().throughput
            connections=get().load.connections
            seconds=get().load.seconds
            rounds=get().load.rounds
        />
        <MemoryChart results=get()/>
        <h3>{move || texts().flood_title}</h3>
        <p data-testid="cost-flood">{move || {
            let flood = get().login_flood;
            fill_named(texts().flood_line, &[
                ("alone", millis(flood.me_p99_us_without)), ("flooded", millis(flood.me_p99_us_with)),
                ("logins", format!("{:.1}", flood.logins_per_s)),
            ])
        }}</p>
        <h3>{move || texts().front_title}</h3>
        <p data-testid="cost-front-end">{move || {
            let front = get().front_end;
            fill_named(texts().front_line, &[
                ("raw", kilobytes(front.wasm_raw)), ("gzip", kilobytes(front.wasm_gzip)),
                ("files", front.wasm_files.to_string()), ("all_gzip", kilobytes(front.wasm_all_gzip)),
                ("interactive", format!("{} ms", front.interactive_ms)),
                ("loads", front.interactive_runs_ms.len().to_string()),
            ])
        }}</p>
        <p data-testid="cost-wire">{move || {
            let front = get().front_end;
            fill_named(texts().wire_line, &[
                ("home", kibibytes(front.home_wire_bytes)),
                ("interactive", format!("{} ms", front.interactive_10mbit_ms)),
                ("loads", front.interactive_10mbit_runs_ms.len().to_string()),
            ])
        }}</p>
        <Budgets budgets=get().budgets/>
    }
}

#[component]
fn ThroughputChart(
    rows: Vec<Throughput>,
    connections: u32,
    seconds: u32,
    rounds: u32,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().cost_texts();
    let fastest = rows.iter().map(|row| row.rps).fold(1.0, f64::max);
    let rows = StoredValue::new(rows);
    view! {
        <h3>{move || texts().throughput_title}</h3>
        <TableScroll label=Signal::derive(move || texts().throughput_title)>
        <table class="cost-table" data-testid="cost-throughput">
            <caption>{move || fill_named(texts().throughput_caption, &[("connections", connections.to_string()), ("seconds", seconds.to_string()), ("rounds", rounds.to_string())])}</caption>
            <thead><tr>
                <th scope="col">{move || texts().col_approach}</th>
                <th scope="col">{move || texts().col_rps}</th>
                <th scope="col">{move || texts().col_ratio}</th>
                <th scope="col">{move || texts().col_p50}</th>
                <th scope="col">{move || texts().col_p99}</th>
                <th scope="col">{move || texts().col_cpu}</th>
                <th scope="col">{move || texts().col_errors}</th>
            </tr></thead>
            <tbody>
                {rows.get_value().into_iter().map(|row| {
                    let id = row.id.clone();
                    view! {
                        <tr>
                            <th scope="row">{move || texts().label(&id)}</th>
                            <td><Bar value=row.rps of=fastest text=format!("{:.0}", row.rps)/></td>
                            <td>{format!("{:.2}×", row.ratio)}</td>
                            <td>{millis(row.p50_us)}</td>
                            <td>{millis(row.p99_us)}</td>
                            <td>{format!("{:.1} µs", row.server_cpu_us)}</td>
                            <td>{row.errors}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </TableScroll>
    }
}

#[component]
fn MemoryChart(results: BenchResults) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().cost_texts();
    let memory = StoredValue::new(results.memory);
    let m = move || memory.get_value();
    let largest = m().bytes_per_session.max(m().bytes_per_token).max(1.0);
    view! {
        <h3>{move || texts().memory_title}</h3>
        <TableScroll label=Signal::derive(move || texts().memory_title)>
        <table class="cost-table" data-testid="cost-memory">
            <caption>{move || fill_named(texts().memory_caption, &[("sessions", m().sessions.to_string()), ("tokens", m().tokens.to_string())])}</caption>
            <tbody>
                <tr>
                    <th scope="row">{move || texts().per_session}</th>
                    <td><Bar value=m().bytes_per_session of=largest text=format!("{:.0} B", m().bytes_per_session)/></td>
                </tr>
                <tr>
                    <th scope="row">{move || texts().per_jwt}</th>
                    <td><Bar value=m().bytes_per_token of=largest text=format!("{:.1} B", m().bytes_per_token)/></td>
                </tr>
            </tbody>
        </table>
        </TableScroll>
        <p>{move || fill_named(texts().memory_detail, &[
            ("sessions", m().sessions.to_string()), ("session_before", mebibytes(m().session_rss_before)),
            ("session_after", mebibytes(m().session_rss_after)), ("tokens", m().tokens.to_string()),
            ("token_before", mebibytes(m().token_rss_before)), ("token_after", mebibytes(m().token_rss_after)),
            ("records", m().token_rows_after.to_string()),
        ])}</p>
        <p>{move || fill_named(texts().wire_note, &[("bytes", m().token_wire_bytes.to_string())])}</p>
    }
}

/// A horizontal bar with its number written beside it (the bar alone would be colour and length only).
#[component]
fn Bar(value: f64, of: f64, text: String) -> impl IntoView {
    // An SVG shape sized by an attribute: the page's CSP allows no inline styles.
    let width = format!("{:.1}", (value / of * 100.0).clamp(0.0, 100.0));
    view! {
        <span class="bar-cell">
            <svg class="bar" viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true">
                <rect width=width height="1"></rect>
            </svg>
            <span class="bar-value">{text}</span>
        </span>
    }
}

/// The sentence a student takes away, from the run's own figures: which `/me` was faster here
/// decides which of the two sentences is true.
fn takeaway(texts: &CostTexts, results: &BenchResults) -> String {
    let rps = |id: &str| {
        results
            .throughput
            .iter()
            .find(|row| row.id == id)
            .map(|row| row.rps)
    };
    let (Some(session), Some(jwt)) = (rps("session_memory_me"), rps("jwt_hs256_me")) else {
        return String::new();
    };
    let template = if session >= jwt {
        texts.takeaway_session_faster
    } else {
        texts.takeaway_jwt_faster
    };
    fill_named(
        template,
        &[
            ("session", thousands(session)),
            ("jwt", thousands(jwt)),
            (
                "per_session",
                format!("{:.0}", results.memory.bytes_per_session),
            ),
            ("token", results.memory.token_wire_bytes.to_string()),
        ],
    )
}

/// A rate as a whole number with thousands separators (`58,046`).
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[component]
fn Budgets(budgets: Vec<Budget>) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().cost_texts();
    view! {
        <h3>{move || texts().budgets_title}</h3>
        <p class="muted">{move || texts().budgets_intro}</p>
        <TableScroll label=Signal::derive(move || texts().budgets_title)>
        <table class="cost-table budgets" data-testid="cost-budgets">
            <thead><tr>
                <th scope="col">{move || texts().col_budget}</th>
                <th scope="col">{move || texts().col_measured}</th>
                <th scope="col">{move || texts().col_limit}</th>
                <th scope="col">{move || texts().col_result}</th>
            </tr></thead>
            <tbody>
                {budgets.into_iter().map(|budget| {
                    let id = budget.id.clone();
                    let held = budget.held;
                    view! {
                        <tr class:ok=held class:bad=!held>
                            <th scope="row">{move || texts().label(&id)}</th>
                            <td>{budget.measured.to_string()}</td>
                            <td>{budget.limit.to_string()}</td>
                            <td>{move || if held { texts().held } else { texts().missed }}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </TableScroll>
    }
}

fn millis(micros: u64) -> String {
    format!("{:.2} ms", micros as f64 / 1000.0)
}

fn kilobytes(bytes: u64) -> String {
    format!("{:.0} KB", bytes as f64 / 1000.0)
}

fn kibibytes(bytes: u64) -> String {
    format!("{:.0} KiB", bytes as f64 / 1024.0)
}

fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn figures_are_written_with_their_units() {
        assert_eq!(millis(1_250), "1.25 ms");
        assert_eq!(kilobytes(569_364), "569 KB");
        assert_eq!(mebibytes(3 * 1024 * 1024 + 512 * 1024), "3.5 MiB");
    }

    #[test]
    fn every_id_the_bench_writes_has_a_label_in_both_languages() {
        let (en, ko) = (Lang::En.cost_texts(), Lang::Ko.cost_texts());
        // Endpoint names such as "JWT /me, HS256" read the same in both languages.
        for id in [
            "hello_world",
            "hello_world_headers",
            "health",
            "session_memory_me",
            "session_redis_me",
            "jwt_hs256_me",
            "jwt_eddsa_me",
        ] {
            assert!(!en.label(id).is_empty() && !ko.label(id).is_empty(), "{id}");
        }
        for id in [
            "session_memory_me_ratio",
            "jwt_hs256_me_ratio",
            "session_redis_me_ratio",
            "bytes_per_session",
            "bytes_per_token",
            "login_flood_p99",
            "wasm_gzip_bytes",
            "interactive_ms",
            "health_ratio",
            "home_wire_kib",
            "interactive_10mbit_ms",
        ] {
            assert!(
                !en.label(id).is_empty() && en.label(id) != ko.label(id),
                "{id}"
            );
        }
        assert_eq!(en.label("made-up"), "");
    }
}
