//! Claims 11-14 and 16, each a card: "Set up" starts its cluster for the visitor to explore by
//! hand; "Run" plays the textbook story through the real balancer and says, line by line,
//! whether it held (✓/✗), from what the nodes answered. Every call a run makes is listed on
//! its side too, so the visitor sees which node said what.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::LabState;
use super::calls::Call;
use crate::api::cluster::{ClusterView, DEFAULT_NODES, SessionPlacement, Settings, Strategy};
use crate::api::{DEMO_ACCOUNTS, ErrorCode, RefreshRequest, TokenResponse};
use crate::experiments::{CardFrame, Detailed, Line, ResultLines, line_of};
use crate::fetch::{self, Body, Exchange, Method};
use crate::i18n::{LabTexts, fill_named};

type Text = fn(&LabTexts) -> &'static str;
type LabLine = Line<LabTexts>;
type Detail = Detailed<LabTexts>;
type Run = std::pin::Pin<Box<dyn std::future::Future<Output = Vec<LabLine>>>>;

/// How many times a run calls `/me` to see which nodes know the session: as often as the
/// panel's "Call /me" button, which the cards name.
const TIMES: usize = super::calls::CALLS;

fn lab_line(ok: impl Into<Option<bool>>, label: Text, detail: impl Into<Detail>) -> LabLine {
    line_of(ok, label, detail)
}

fn settings(strategy: Strategy, storage: SessionPlacement) -> Settings {
    Settings {
        nodes: DEFAULT_NODES,
        strategy,
        storage,
        resync: true,
    }
}

#[component]
pub fn Claims() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().lab_texts();
    type Claim = (u8, Text, Text, Settings, fn(LabState) -> Run);
    let claims: [Claim; 5] = [
        (
            11,
            |t| t.c11_title,
            |t| t.c11_text,
            settings(Strategy::RoundRobin, SessionPlacement::Local),
            |lab| Box::pin(claim_11(lab)),
        ),
        (
            12,
            |t| t.c12_title,
            |t| t.c12_text,
            settings(Strategy::Sticky, SessionPlacement::Local),
            |lab| Box::pin(claim_12(lab)),
        ),
        (
            13,
            |t| t.c13_title,
            |t| t.c13_text,
            settings(Strategy::RoundRobin, SessionPlacement::Replicated),
            |lab| Box::pin(claim_13(lab)),
        ),
        (
            14,
            |t| t.c14_title,
            |t| t.c14_text,
            settings(Strategy::RoundRobin, SessionPlacement::Central),
            |lab| Box::pin(claim_14(lab)),
        ),
        (
            16,
            |t| t.c16_title,
            |t| t.c16_text,
            Settings {
                resync: false,
                ..settings(Strategy::RoundRobin, SessionPlacement::Replicated)
            },
            |lab| Box::pin(claim_16(lab)),
        ),
    ];
    view! {
        <section class="lab-claims" aria-labelledby="lab-claims-title">
            <h3 id="lab-claims-title">{move || texts().claims_title}</h3>
            <div class="experiment-grid">
                {claims.into_iter().map(|(number, title, text, settings, run)| {
                    view! { <ClaimCard number title text settings run/> }
                }).collect_view()}
            </div>
        </section>
    }
}

/// Where a card stands: nothing yet, setting its cluster up, or set up.
#[derive(Clone, Copy, PartialEq)]
enum SetUp {
    No,
    Busy,
    Done,
}

#[component]
fn ClaimCard(
    number: u8,
    title: Text,
    text: Text,
    settings: Settings,
    run: fn(LabState) -> Run,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().lab_texts();
    let lab = expect_context::<LabState>();
    let set_up = RwSignal::new(SetUp::No);
    let running = RwSignal::new(false);
    let lines = RwSignal::new(None::<Vec<LabLine>>);
    let start = move |_| {
        set_up.set(SetUp::Busy);
        spawn_local(async move {
            let ok = lab.set_up(settings).await;
            set_up.set(if ok { SetUp::Done } else { SetUp::No });
        });
    };
    let play = move |_| {
        running.set(true);
        lines.set(None);
        spawn_local(async move {
            let result = run(lab).await;
            lines.set(Some(result));
            running.set(false);
            lab.refresh();
        });
    };
    let run_name = move || fill_named(texts().run_claim, &[("number", number.to_string())]);
    view! {
        <CardFrame
            number
            heading_id=format!("claim-{number}-title")
            heading=Signal::derive(move || title(texts()).to_owned())
            claim=Signal::derive(move || text(texts()))
            nested=true
        >
            <div class="actions">
                <button type="button" on:click=start disabled=move || set_up.get() == SetUp::Busy || running.get()>
                    {move || texts().set_up}
                </button>
                <button type="button" aria-label=run_name on:click=play disabled=move || running.get()>
                    {move || if running.get() { texts().running.to_owned() } else { run_name() }}
                </button>
            </div>
            <p class="muted" role="status" data-testid=format!("claim-{number}-setup")>
                {move || match set_up.get() {
                    SetUp::No => "",
                    SetUp::Busy => texts().setting_up,
                    SetUp::Done => texts().set_up_done,
                }}
            </p>
            <ResultLines lines claim=number test_id=format!("claim-{number}-result")/>
        </CardFrame>
    }
}

// --- The calls a run makes, each listed on its side -----------------------------------------

#[derive(Clone, Copy)]
enum Side {
    Session,
    Jwt,
}

/// One request through the balancer, listed on its side.
async fn through(
    lab: LabState,
    side: Side,
    method: Method,
    path: &str,
    body: Option<Body>,
    bearer: Option<String>,
) -> Exchange {
    let exchange = fetch::send(method, path, body, bearer).await;
    let list = match side {
        Side::Session => lab.session_calls,
        Side::Jwt => lab.jwt_calls,
    };
    list.update(|calls| calls.push(Call::of(&exchange)));
    exchange
}

fn node_of(exchange: &Exchange) -> Option<usize> {
    exchange
        .response_headers
        .iter()
        .find(|(name, _)| name == "x-authlens-node")
        .and_then(|(_, value)| value.parse().ok())
}

/// What one `/me` got: the node that answered and the status.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Answer {
    node: Option<usize>,
    status: Option<u16>,
}

impl Answer {
    fn ok(self) -> bool {
        self.status == Some(200)
    }
}

async fn me(lab: LabState, side: Side, bearer: Option<String>, times: usize) -> Vec<Answer> {
    let path = match side {
        Side::Session => "/lb/api/session/me",
        Side::Jwt => "/lb/api/jwt/me",
    };
    let mut answers = Vec::with_capacity(times);
    for _ in 0..times {
        let exchange = through(lab, side, Method::Get, path, None, bearer.clone()).await;
        answers.push(Answer {
            node: node_of(&exchange),
            status: exchange.status,
        });
    }
    answers
}

async fn session_login(lab: LabState) -> Option<usize> {
    let body = Some(Body::of(&DEMO_ACCOUNTS[0].login()));
    let exchange = through(
        lab,
        Side::Session,
        Method::Post,
        "/lb/api/session/login",
        body,
        None,
    )
    .await;
    exchange.ok().then(|| node_of(&exchange)).flatten()
}

async fn jwt_login(lab: LabState) -> Option<TokenResponse> {
    let body = Some(Body::of(&DEMO_ACCOUNTS[0].login()));
    through(
        lab,
        Side::Jwt,
        Method::Post,
        "/lb/api/jwt/login",
        body,
        None,
    )
    .await
    .json()
}

/// A control action on the cluster (`nodes/2/kill`, `central/kill`); the view it answers.
async fn control(lab: LabState, action: &str) -> Exchange {
    let path = format!("/api/lab/cluster/{action}");
    let exchange = fetch::send(Method::Post, &path, Some(Body::none()), None).await;
    if let Ok(view) = serde_json::from_value::<ClusterView>(exchange.body.clone()) {
        lab.view.set(Some(view));
    }
    exchange
}

/// The nodes among `answers` that answered 200, as "1, 3".
fn nodes_ok(answers: &[Answer]) -> String {
    let nodes: BTreeSet<usize> = answers
        .iter()
        .filter(|a| a.ok())
        .filter_map(|a| a.node)
        .collect();
    if nodes.is_empty() {
        "—".to_owned()
    } else {
        nodes
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn count_ok(answers: &[Answer]) -> usize {
    answers.iter().filter(|answer| answer.ok()).count()
}

/// A worded detail with the usual figures: `{ok}`, `{total}`, `{nodes}` and any `extra`.
/// When none answered 200 there is no node to name: the detail says so instead.
fn figures(template: Text, answers: &[Answer], extra: &[(&'static str, String)]) -> Detail {
    let template = if count_ok(answers) == 0 {
        |t: &LabTexts| t.l_none_answered
    } else {
        template
    };
    let mut values = vec![
        ("ok", count_ok(answers).to_string()),
        ("total", answers.len().to_string()),
        ("nodes", nodes_ok(answers)),
    ];
    values.extend_from_slice(extra);
    Detail::Worded(template, values)
}

fn failed_setup() -> Vec<LabLine> {
    vec![lab_line(
        false,
        |t| t.l_setup_failed,
        "POST /api/lab/cluster",
    )]
}

/// The JWT half every claim shares: a token is checked by signature, so every node takes it.
async fn jwt_everywhere(lab: LabState) -> LabLine {
    let token = jwt_login(lab).await.map(|tokens| tokens.access_token);
    let answers = me(lab, Side::Jwt, token, TIMES).await;
    let distinct: BTreeSet<_> = answers.iter().filter_map(|a| a.node).collect();
    lab_line(
        answers.iter().all(|a| a.ok()) && distinct.len() > 1,
        |t| t.l_jwt_every_node,
        figures(|t| t.l_answered_from_nodes, &answers, &[]),
    )
}

// --- The runs ---------------------------------------------------------------------------------

async fn claim_11(lab: LabState) -> Vec<LabLine> {
    if !lab
        .set_up(settings(Strategy::RoundRobin, SessionPlacement::Local))
        .await
    {
        return failed_setup();
    }
    let home = session_login(lab).await;
    let answers = me(lab, Side::Session, None, TIMES).await;
    // Each answer is 200 exactly when it came from the node that holds the session.
    let only_home =
        answers.iter().all(|a| a.ok() == (a.node == home)) && count_ok(&answers) < answers.len();
    let node = home.map_or_else(|| "—".to_owned(), |n| n.to_string());
    vec![
        lab_line(
            only_home,
            |t| t.l11_session,
            figures(|t| t.l11_session_detail, &answers, &[("node", node)]),
        ),
        jwt_everywhere(lab).await,
    ]
}

async fn claim_12(lab: LabState) -> Vec<LabLine> {
    if !lab
        .set_up(settings(Strategy::Sticky, SessionPlacement::Local))
        .await
    {
        return failed_setup();
    }
    let home = session_login(lab).await;
    let pinned = me(lab, Side::Session, None, TIMES).await;
    let node = home.map_or_else(|| "—".to_owned(), |n| n.to_string());
    let mut lines = vec![lab_line(
        pinned.iter().all(|a| a.ok() && a.node == home),
        |t| t.l12_pinned,
        figures(|t| t.l12_pinned_detail, &pinned, &[("node", node.clone())]),
    )];
    // The cost of pinning: the balancer's own count of what each node served.
    let served = lab
        .current()
        .await
        .map(|view| {
            view.nodes
                .iter()
                .map(|node| (node.node, node.requests))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let uneven = !served.is_empty()
        && served
            .iter()
            .all(|(number, requests)| (Some(*number) == home) == (*requests > 0));
    lines.push(lab_line(
        uneven,
        |t| t.l12_uneven,
        Detail::Worded(
            |t| t.l12_uneven_detail,
            vec![(
                "counts",
                served
                    .iter()
                    .map(|(number, requests)| format!("{number}: {requests}"))
                    .collect::<Vec<_>>()
                    .join(" · "),
            )],
        ),
    ));
    if let Some(home) = home {
        control(lab, &format!("nodes/{home}/kill")).await;
        let after = me(lab, Side::Session, None, TIMES).await;
        lines.push(lab_line(
            after
                .iter()
                .all(|a| a.status == Some(401) && a.node != Some(home)),
            |t| t.l12_after_death,
            figures(|t| t.l12_after_death_detail, &after, &[("node", node)]),
        ));
    }
    lines
}

async fn claim_13(lab: LabState) -> Vec<LabLine> {
    if !lab
        .set_up(settings(Strategy::RoundRobin, SessionPlacement::Replicated))
        .await
    {
        return failed_setup();
    }
    session_login(lab).await;
    let answers = me(lab, Side::Session, None, TIMES).await;
    let distinct: BTreeSet<_> = answers.iter().filter_map(|a| a.node).collect();
    // What one more write costs: a /me refreshes the idle deadline, which every peer must learn.
    let messages = || async {
        lab.current()
            .await
            .map_or(0, |view| view.replication.messages)
    };
    let before = messages().await;
    me(lab, Side::Session, None, 1).await;
    let in_all = messages().await;
    let per = in_all.saturating_sub(before);
    control(lab, "nodes/2/kill").await;
    let after = me(lab, Side::Session, None, TIMES).await;
    vec![
        lab_line(
            answers.iter().all(|a| a.ok()) && distinct.len() > 1,
            |t| t.l13_every_node,
            figures(|t| t.l_answered_from_nodes, &answers, &[]),
        ),
        lab_line(
            per == DEFAULT_NODES as u64 - 1,
            |t| t.l13_cost,
            Detail::Worded(
                |t| t.l13_cost_detail,
                vec![("per", per.to_string()), ("messages", in_all.to_string())],
            ),
        ),
        lab_line(
            after.iter().all(|a| a.ok() && a.node != Some(2)),
            |t| t.l13_after_death,
            figures(|t| t.l_answered_from_nodes, &after, &[]),
        ),
    ]
}

async fn claim_14(lab: LabState) -> Vec<LabLine> {
    if !lab
        .set_up(settings(Strategy::RoundRobin, SessionPlacement::Central))
        .await
    {
        return failed_setup();
    }
    session_login(lab).await;
    let tokens = jwt_login(lab).await;
    control(lab, "nodes/2/kill").await;
    let survived = me(lab, Side::Session, None, TIMES).await;
    let mut lines = vec![lab_line(
        survived.iter().all(|a| a.ok()),
        |t| t.l14_after_node_death,
        figures(|t| t.l_answered_from_nodes, &survived, &[]),
    )];
    let down = control(lab, "central/kill").await;
    if down.error_code() == Some(ErrorCode::CentralIsRedis) {
        lines.push(lab_line(
            None,
            |t| t.l14_redis_by_hand,
            Detail::Worded(|t| t.l14_redis_by_hand_detail, Vec::new()),
        ));
        return lines;
    }
    let sessions = me(lab, Side::Session, None, 3).await;
    let access = tokens.as_ref().map(|tokens| tokens.access_token.clone());
    let jwts = me(lab, Side::Jwt, access, 3).await;
    let refresh_body = Body::of(&RefreshRequest {
        refresh_token: tokens
            .map(|tokens| tokens.refresh_token)
            .unwrap_or_default(),
    });
    let refresh = through(
        lab,
        Side::Jwt,
        Method::Post,
        "/lb/api/jwt/refresh",
        Some(refresh_body),
        None,
    )
    .await;
    control(lab, "central/revive").await;
    let back = me(lab, Side::Session, None, 3).await;
    let refreshed = format!(
        "POST /api/jwt/refresh → {}",
        refresh
            .status
            .map_or_else(|| "—".to_owned(), |s| s.to_string())
    );
    lines.extend([
        lab_line(
            sessions.iter().all(|a| a.status == Some(503)),
            |t| t.l14_store_down_sessions,
            figures(|t| t.l_answered_from_nodes, &sessions, &[]),
        ),
        lab_line(
            jwts.iter().all(|a| a.ok()),
            |t| t.l14_store_down_jwt,
            figures(|t| t.l_answered_from_nodes, &jwts, &[]),
        ),
        // The stand-in holds sessions only; the refresh tokens live in the server's own store,
        // so here a refresh still works, as the card says.
        lab_line(
            refresh.status == Some(200),
            |t| t.l14_store_down_refresh,
            Detail::Worded(|t| t.l14_refresh_stand_in, vec![("status", refreshed)]),
        ),
        lab_line(
            back.iter().all(|a| a.ok()),
            |t| t.l14_store_back,
            figures(|t| t.l_answered_from_nodes, &back, &[]),
        ),
    ]);
    lines
}

/// One pass of claim 16: log in, cut off the node that answered (the balancer's next request
/// goes elsewhere), log out there keeping the cookie, replay it, heal, replay again.
async fn partitioned_logout(
    lab: LabState,
    resync: bool,
) -> Option<(usize, Vec<Answer>, Vec<Answer>)> {
    let settings = Settings {
        resync,
        ..settings(Strategy::RoundRobin, SessionPlacement::Replicated)
    };
    if !lab.set_up(settings).await {
        return None;
    }
    let cut = session_login(lab).await?;
    control(lab, &format!("nodes/{cut}/cut")).await;
    // Kept, as a copy taken before logout would be.
    through(
        lab,
        Side::Session,
        Method::Post,
        "/lb/api/session/logout?keep_cookie=true",
        Some(Body::none()),
        None,
    )
    .await;
    let while_cut = me(lab, Side::Session, None, 3).await;
    control(lab, &format!("nodes/{cut}/heal")).await;
    let healed = me(lab, Side::Session, None, TIMES).await;
    // Tidy up: a real logout on every node, so the browser forgets the cookie.
    through(
        lab,
        Side::Session,
        Method::Post,
        "/lb/api/session/logout",
        Some(Body::none()),
        None,
    )
    .await;
    Some((cut, while_cut, healed))
}

async fn claim_16(lab: LabState) -> Vec<LabLine> {
    let Some((cut, while_cut, without)) = partitioned_logout(lab, false).await else {
        return failed_setup();
    };
    let Some((_, _, with)) = partitioned_logout(lab, true).await else {
        return failed_setup();
    };
    let node = cut.to_string();
    let only_cut_accepts =
        while_cut.iter().all(|a| a.ok() == (a.node == Some(cut))) && count_ok(&while_cut) > 0;
    vec![
        lab_line(
            only_cut_accepts,
            |t| t.l16_while_cut,
            figures(|t| t.l16_while_cut_detail, &while_cut, &[("node", node)]),
        ),
        lab_line(
            count_ok(&without) > 0,
            |t| t.l16_healed_alone,
            figures(|t| t.l16_accepted_detail, &without, &[]),
        ),
        lab_line(
            count_ok(&with) == 0,
            |t| t.l16_healed_resync,
            figures(|t| t.l16_accepted_detail, &with, &[]),
        ),
        lab_line(
            None,
            |t| t.l16_figure,
            Detail::Worded(
                |t| t.l16_figure_detail,
                vec![
                    ("before", count_ok(&without).to_string()),
                    ("after", count_ok(&with).to_string()),
                    ("total", without.len().to_string()),
                ],
            ),
        ),
    ]
}
