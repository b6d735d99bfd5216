//! The claims as live experiments: each card states a textbook claim, and its button runs
//! real requests against this server (and reads this browser's storage) to show it. Every
//! number shown comes from a response or from the browser, never from this file.

mod cart;
mod cookie_replay;
pub(crate) mod cross_site;
mod memory;
mod refresh_rules;
mod samesite;
mod store_rows;
mod tamper;
mod token_replay;
mod who_attaches;
mod xss;

use xss::xss_payload;

use leptos::lazy;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;

use crate::api::{
    ACCESS_TOKEN_KEY, CartRequest, DEMO_ACCOUNTS, ErrorCode, JwtMeResponse, LoginRequest, NoFields,
    REFRESH_TOKEN_KEY, RefreshListing, RefreshRequest, RequestBody, SESSION_COOKIE, SessionListing,
    SessionResponse, TokenResponse,
};
use crate::browser::{now_ms, storage};
use crate::comparison::VisitFigures;
use crate::fetch::{self, Body, Exchange, Method};
use crate::i18n::{ExperimentTexts, LabTexts, Lang, fill_named};
use crate::server_holds::ServerChanged;
use crate::token;

/// A table of texts that result lines take their words from: the experiments' or the lab's.
pub trait LineTexts: 'static {
    fn of(lang: Lang) -> &'static Self;
    /// "✓ as claimed:" and "✗ not as claimed:" in this table's language.
    fn verdicts(&self) -> (&'static str, &'static str);
}

impl LineTexts for ExperimentTexts {
    fn of(lang: Lang) -> &'static Self {
        lang.experiment_texts()
    }

    fn verdicts(&self) -> (&'static str, &'static str) {
        (self.as_claimed, self.not_as_claimed)
    }
}

impl LineTexts for LabTexts {
    fn of(lang: Lang) -> &'static Self {
        lang.lab_texts()
    }

    fn verdicts(&self) -> (&'static str, &'static str) {
        (self.as_claimed, self.not_as_claimed)
    }
}

/// One line of an experiment's result: whether it shows the claim holding (if it is a check),
/// a label in the visitor's language, and what was measured.
pub struct Line<T: 'static = ExperimentTexts> {
    pub ok: Option<bool>,
    pub label: fn(&T) -> &'static str,
    pub detail: Detailed<T>,
}

// By hand: a derive would ask `T: Clone` of the text table, which only lends its fields.
impl<T> Clone for Line<T> {
    fn clone(&self) -> Self {
        Line {
            ok: self.ok,
            label: self.label,
            detail: self.detail.clone(),
        }
    }
}

/// What a line shows after its label: what was measured, as is (a header, a status), or a
/// phrase in the page's language with the measured figures in its named placeholders, so it
/// follows the language switch and each language keeps its own word order.
pub enum Detailed<T: 'static> {
    Measured(String),
    Worded(fn(&T) -> &'static str, Vec<(&'static str, String)>),
}

/// An experiment line's detail; the lab's claims have `Detailed<LabTexts>`.
pub type Detail = Detailed<ExperimentTexts>;

impl<T> Clone for Detailed<T> {
    fn clone(&self) -> Self {
        match self {
            Detailed::Measured(text) => Detailed::Measured(text.clone()),
            Detailed::Worded(template, values) => Detailed::Worded(*template, values.clone()),
        }
    }
}

impl<T> Detailed<T> {
    /// A sentence in the page's language rather than a value as measured.
    fn is_prose(&self) -> bool {
        matches!(self, Detailed::Worded(..))
    }

    fn text(&self, texts: &T) -> String {
        match self {
            Detailed::Measured(text) => text.clone(),
            Detailed::Worded(template, values) => fill_named(template(texts), values),
        }
    }
}

impl<T> From<String> for Detailed<T> {
    fn from(text: String) -> Self {
        Detailed::Measured(text)
    }
}

impl<T> From<&str> for Detailed<T> {
    fn from(text: &str) -> Self {
        Detailed::Measured(text.to_owned())
    }
}

/// A line labelled from any text table (the lab's claims use their own).
pub(crate) fn line_of<T>(
    ok: impl Into<Option<bool>>,
    label: fn(&T) -> &'static str,
    detail: impl Into<Detailed<T>>,
) -> Line<T> {
    Line {
        ok: ok.into(),
        label,
        detail: detail.into(),
    }
}

/// An experiment's line.
pub(crate) fn line(
    ok: impl Into<Option<bool>>,
    label: fn(&ExperimentTexts) -> &'static str,
    detail: impl Into<Detail>,
) -> Line {
    line_of(ok, label, detail)
}

pub(crate) fn alice() -> LoginRequest {
    DEMO_ACCOUNTS[0].login()
}

/// The body of a refresh or a token logout.
pub(crate) fn refresh_request(token: &str) -> RefreshRequest {
    RefreshRequest {
        refresh_token: token.to_owned(),
    }
}

pub(crate) async fn get(path: &str, bearer: Option<&str>) -> Exchange {
    fetch::send(Method::Get, path, None, bearer.map(str::to_owned)).await
}

pub(crate) async fn post(path: &str, body: &impl RequestBody) -> Exchange {
    fetch::send(Method::Post, path, Some(Body::of(body)), None).await
}

pub(crate) fn status(exchange: &Exchange) -> String {
    let code = exchange
        .status
        .map_or_else(|| "—".to_owned(), |code| code.to_string());
    match exchange.error_code() {
        Some(error) => format!(
            "{} {} {code} {error}",
            exchange.method.as_str(),
            exchange.path
        ),
        None => format!("{} {} {code}", exchange.method.as_str(), exchange.path),
    }
}

/// A token login; the tokens as answered.
pub(crate) async fn token_login() -> (Exchange, String, String) {
    let exchange = post("/api/jwt/login", &alice()).await;
    let (access, refresh) = exchange
        .json::<TokenResponse>()
        .map(|tokens| (tokens.access_token, tokens.refresh_token))
        .unwrap_or_default();
    (exchange, access, refresh)
}

/// Starts an experiment's run under an owner of its own that says whose run it is: every
/// request it makes is stamped with `number` ([`fetch::MadeByExperiment`]) and shows in the
/// column it belongs to, labelled with its experiment.
pub(crate) fn spawn_experiment(number: u8, run: impl std::future::Future<Output = ()> + 'static) {
    let owner = Owner::new();
    owner.with(|| {
        provide_context(fetch::MadeByExperiment(number));
        // The run holds its owner, so the context lives as long as the run.
        spawn_local_scoped(run);
    });
}

/// A started experiment: the requests it makes, then its lines.
type Run = std::pin::Pin<Box<dyn std::future::Future<Output = Vec<Line>>>>;

/// An experiment that runs once per click and shows its lines.
#[component]
fn Experiment(
    number: u8,
    title: fn(&ExperimentTexts) -> &'static str,
    claim: fn(&ExperimentTexts) -> &'static str,
    run: fn(VisitFigures) -> Run,
    /// Spans the whole row (experiment 3's payload and table).
    #[prop(optional)]
    wide: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let server_changed = expect_context::<ServerChanged>();
    let figures = expect_context::<VisitFigures>();
    let lines = RwSignal::new(None::<Vec<Line>>);
    let running = RwSignal::new(false);
    let start = move || {
        running.set(true);
        spawn_experiment(number, async move {
            let result = run(figures).await;
            lines.set(Some(result));
            running.set(false);
            server_changed.bump();
        });
    };
    view! {
        // The button right under the claim: on a phone, a long card's code and tables would
        // otherwise push it a screen away.
        <Card number title claim wide>
            <RunButton number running on_run=start/>
            <ResultLines lines claim=number test_id=format!("experiment-{number}-result")/>
            {children.map(|children| children())}
        </Card>
    }
}

/// A home-page experiment's card: its number, title and claim, then what it shows.
#[component]
pub(crate) fn Card(
    number: u8,
    title: fn(&ExperimentTexts) -> &'static str,
    claim: fn(&ExperimentTexts) -> &'static str,
    /// Spans the whole row (for charts and frames).
    #[prop(optional)]
    wide: bool,
    children: Children,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().experiment_texts();
    view! {
        <CardFrame
            number
            heading_id=format!("experiment-{number}-title")
            heading=Signal::derive(move || format!("{number}. {}", title(texts())))
            claim=Signal::derive(move || claim(texts()))
            wide
        >
            {children()}
        </CardFrame>
    }
}

/// The one frame of every experiment card, the home page's and the lab's claims': an article
/// named by its heading, the claim in a paragraph, then what the card shows.
#[component]
pub(crate) fn CardFrame(
    /// The claim's number: the card's id on the page, and its place on the student's path.
    number: u8,
    heading_id: String,
    heading: Signal<String>,
    claim: Signal<&'static str>,
    /// The lab's claims sit one heading level deeper, under the lab's own heading.
    #[prop(optional)]
    nested: bool,
    #[prop(optional)] wide: bool,
    children: Children,
) -> impl IntoView {
    let labelled_by = heading_id.clone();
    let heading_view = if nested {
        view! { <h4 id=heading_id>{heading}</h4> }.into_any()
    } else {
        view! { <h3 id=heading_id>{heading}</h3> }.into_any()
    };
    view! {
        <article class="experiment" class:wide=wide aria-labelledby=labelled_by id=crate::path::card_id(number)>
            {heading_view}
            <p>{claim}</p>
            {children()}
            <crate::path::NextOnPath number/>
        </article>
    }
}

/// "Run", or "Running…" and disabled while the experiment runs; named "Run experiment 3" for
/// a screen reader's list of buttons, where ten "Run"s would say nothing.
#[component]
pub(crate) fn RunButton(
    number: u8,
    running: RwSignal<bool>,
    on_run: impl Fn() + 'static,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().experiment_texts();
    let name = move || fill_named(texts().run_experiment, &[("number", number.to_string())]);
    view! {
        <button type="button" aria-label=name on:click=move |_| on_run() disabled=move || running.get()>
            {move || if running.get() { texts().running } else { texts().run }}
        </button>
    }
}

#[component]
pub(crate) fn ResultLines<T: LineTexts>(
    lines: RwSignal<Option<Vec<Line<T>>>>,
    /// The claim these lines measure: a run with checks counts on the visitor's path.
    claim: u8,
    test_id: String,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || T::of(lang.get());
    let progress = use_context::<crate::path::Progress>();
    Effect::new(move |_| {
        let checks: Vec<bool> =
            lines.with(|lines| lines.iter().flatten().filter_map(|line| line.ok).collect());
        // A run that measured nothing it could check ("not run here") is no run.
        if let Some(progress) = progress
            && !checks.is_empty()
        {
            progress.record(claim, checks.iter().all(|ok| *ok));
        }
    });
    view! {
        // The status wraps the list: a list with a role of its own is no list, and its items
        // would be orphans.
        <div role="status" data-testid=test_id>
        <ul class="result-lines">
            {move || {
                lines.get().unwrap_or_default().into_iter().map(|line| {
                    let (as_claimed, not_as_claimed) = texts().verdicts();
                    let verdict = match line.ok {
                        Some(true) => as_claimed,
                        Some(false) => not_as_claimed,
                        None => "",
                    };
                    view! {
                        <li class:passed=line.ok == Some(true) class:failed=line.ok == Some(false)>
                            {(!verdict.is_empty()).then(|| view! { <strong>{verdict}</strong> " " })}
                            {(line.label)(texts())}
                            ": "
                            // A value as measured is code; a sentence reads as prose.
                            {if line.detail.is_prose() {
                                view! { <span class="prose">{move || line.detail.text(texts())}</span> }.into_any()
                            } else {
                                view! { <code>{move || line.detail.text(texts())}</code> }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()
            }}
        </ul>
        </div>
    }
}

/// An experiment's function as a `run` prop; `measures` passes it the visit's figures.
macro_rules! boxed {
    ($f:path) => {
        |_| Box::pin($f())
    };
    ($f:path, measures) => {
        |figures| Box::pin($f(figures))
    };
}

#[component]
pub fn Experiments() -> AnyView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().experiment_texts();
    view! {
        <section class="experiments" aria-labelledby="experiments-title">
            <h2 id="experiments-title">{move || texts().section_title}</h2>
            <p class="muted">{move || texts().section_intro}</p>
            <div class="experiment-grid">
                // The student's path's order (crate::path::PATH): the six narrow cards fill
                // their rows whatever the number of columns, then the wide ones.
                <Experiment number=1 title=|t| t.e1_title claim=|t| t.e1_claim run=boxed!(store_rows::store_rows)/>
                <Experiment number=2 title=|t| t.e2_title claim=|t| t.e2_claim run=boxed!(who_attaches::who_attaches)/>
                <Experiment number=4 title=|t| t.e4_title claim=|t| t.e4_claim run=boxed!(cookie_replay::replay_cookie, measures)/>
                <token_replay::TokenReplay/>
                <Experiment number=6 title=|t| t.e6_title claim=|t| t.e6_claim run=boxed!(refresh_rules::refresh_rules)/>
                <Experiment number=8 title=|t| t.e8_title claim=|t| t.e8_claim run=boxed!(tamper::tamper)/>
                <cart::CartGrowth/>
                <memory::MemoryGrowth/>
                <Experiment number=3 title=|t| t.e3_title claim=|t| t.e3_claim run=boxed!(xss::xss) wide=true>
                    <p class="muted">{move || texts().e3_replaces}</p>
                    <pre class="payload" tabindex="0"><code>{move || xss_payload(texts())}</code></pre>
                    <xss::XssTruths/>
                </Experiment>
                <cross_site::CrossSite/>
                <samesite::SameSiteTruth/>
            </div>
        </section>
    }
    .into_any()
}
