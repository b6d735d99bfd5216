//! The scaling lab page (`/lab`): start a cluster of real nodes behind the balancer, log in
//! through it on both sides, kill and revive nodes and the central store, and watch which
//! node answered what. Every figure comes from `GET /api/lab/cluster` or a response.

mod calls;
mod claims;
mod cluster_view;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::cluster::{
    ClusterView, DEFAULT_NODES, MAX_NODES, SessionPlacement, Settings, Strategy,
};
use crate::fetch::{self, Body, Exchange, Method};
use crate::i18n::LabTexts;
use calls::{Call, JwtSide, SessionSide};
use claims::Claims;
use cluster_view::ClusterPanel;

/// The lab's shared state: the last cluster view, re-read after every action and once a second,
/// and each side's calls since the cluster was last set up.
#[derive(Clone, Copy)]
pub struct LabState {
    pub view: RwSignal<Option<ClusterView>>,
    /// The last control request's error, shown until the next one.
    pub error: RwSignal<Option<String>>,
    pub session_calls: RwSignal<Vec<Call>>,
    pub jwt_calls: RwSignal<Vec<Call>>,
}

impl LabState {
    /// Reads the cluster as it is now, shows it, and answers it (`None` if it could not be read).
    pub async fn current(self) -> Option<ClusterView> {
        let exchange = fetch::send(Method::Get, "/api/lab/cluster", None, None).await;
        let view = serde_json::from_value::<ClusterView>(exchange.body).ok();
        if let Some(view) = &view {
            self.view.set(Some(view.clone()));
        }
        view
    }

    pub fn refresh(self) {
        spawn_local(async move {
            self.current().await;
        });
    }

    /// Sends a control request (start, kill, revive…) and shows the cluster it answers with.
    pub fn control(self, path: String) {
        spawn_local(async move {
            let exchange = fetch::send(Method::Post, &path, Some(Body::none()), None).await;
            self.take(exchange);
        });
    }

    fn take(self, exchange: Exchange) {
        if exchange.ok() {
            self.error.set(None);
            if let Ok(view) = serde_json::from_value(exchange.body) {
                self.view.set(Some(view));
            }
        } else {
            self.error.set(Some(exchange.message()));
            self.refresh();
        }
    }

    pub fn start(self, settings: Settings) {
        spawn_local(async move {
            self.set_up(settings).await;
        });
    }

    /// Starts a cluster with `settings` (replacing this visitor's), and starts both sides'
    /// call lists afresh: calls made against another cluster say nothing about this one.
    pub async fn set_up(self, settings: Settings) -> bool {
        self.session_calls.set(Vec::new());
        self.jwt_calls.set(Vec::new());
        let body = Body::of(&settings);
        let exchange = fetch::send(Method::Post, "/api/lab/cluster", Some(body), None).await;
        let ok = exchange.ok();
        self.take(exchange);
        ok
    }
}

#[component]
pub fn LabPage() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().lab_texts();
    let lab = LabState {
        view: RwSignal::new(None),
        error: RwSignal::new(None),
        session_calls: RwSignal::new(Vec::new()),
        jwt_calls: RwSignal::new(Vec::new()),
    };
    provide_context(lab);
    Effect::new(move |_| lab.refresh());
    // A "next" link from the home page (`/lab#claim-11`) lands on its card.
    Effect::new(move |_| crate::browser::scroll_to_fragment());
    poll(lab);

    view! {
        <leptos_meta::Title text=move || texts().page_title/>
        <section class="lab" aria-labelledby="lab-title">
            <h2 id="lab-title">{move || texts().title}</h2>
            <p class="muted">{move || texts().intro}</p>
            <Claims/>
            <SettingsForm/>
            {move || lab.error.get().map(|message| view! { <p class="bad" role="alert">{message}</p> })}
            <ClusterPanel/>
            <div class="columns">
                <SessionSide/>
                <JwtSide/>
            </div>
        </section>
    }
}

/// Re-reads the cluster once a second while the page is open, so other visitors' and
/// scripts' changes show too.
fn poll(lab: LabState) {
    crate::browser::every(std::time::Duration::from_secs(1), move || lab.refresh());
}

#[component]
fn SettingsForm() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().lab_texts();
    let lab = expect_context::<LabState>();
    let nodes = RwSignal::new(DEFAULT_NODES);
    let strategy = RwSignal::new(Strategy::RoundRobin);
    let storage = RwSignal::new(SessionPlacement::Local);
    let resync = RwSignal::new(true);
    // Follow the running cluster, so the form always says what is running.
    Effect::new(move |_| {
        if let Some(settings) = lab.view.get().and_then(|view| view.settings) {
            nodes.set(settings.nodes);
            strategy.set(settings.strategy);
            storage.set(settings.storage);
            resync.set(settings.resync);
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        lab.start(Settings {
            nodes: nodes.get_untracked(),
            strategy: strategy.get_untracked(),
            storage: storage.get_untracked(),
            resync: resync.get_untracked(),
        });
    };
    view! {
        <form class="lab-settings" on:submit=submit aria-labelledby="lab-settings-title">
            <h3 id="lab-settings-title">{move || texts().settings_title}</h3>
            <label for="lab-nodes">{move || texts().nodes_label}</label>
            <select
                id="lab-nodes"
                on:change=move |event| {
                    if let Ok(count) = event_target_value(&event).parse() {
                        nodes.set(count);
                    }
                }
                prop:value=move || nodes.get().to_string()
            >
                {(2..=MAX_NODES).map(|count| view! { <option value=count.to_string()>{count}</option> }).collect_view()}
            </select>
            <fieldset>
                <legend>{move || texts().strategy_legend}</legend>
                <Choice name="strategy" label=|t| t.round_robin checked=Signal::derive(move || strategy.get() == Strategy::RoundRobin) on_pick=move || strategy.set(Strategy::RoundRobin)/>
                <Choice name="strategy" label=|t| t.sticky checked=Signal::derive(move || strategy.get() == Strategy::Sticky) on_pick=move || strategy.set(Strategy::Sticky)/>
            </fieldset>
            <fieldset>
                <legend>{move || texts().storage_legend}</legend>
                <Choice name="storage" label=|t| t.storage_local checked=Signal::derive(move || storage.get() == SessionPlacement::Local) on_pick=move || storage.set(SessionPlacement::Local)/>
                <Choice name="storage" label=|t| t.storage_replicated checked=Signal::derive(move || storage.get() == SessionPlacement::Replicated) on_pick=move || storage.set(SessionPlacement::Replicated)/>
                <Choice name="storage" label=|t| t.storage_central checked=Signal::derive(move || storage.get() == SessionPlacement::Central) on_pick=move || storage.set(SessionPlacement::Central)/>
                <label class="choice">
                    <input type="checkbox" prop:checked=move || resync.get()
                        on:change=move |event| resync.set(event_target_checked(&event))/>
                    {move || texts().resync_label}
                </label>
            </fieldset>
            <button type="submit">{move || texts().start}</button>
        </form>
    }
}

/// One radio button with its label.
#[component]
fn Choice(
    name: &'static str,
    label: fn(&LabTexts) -> &'static str,
    checked: Signal<bool>,
    on_pick: impl Fn() + 'static,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    view! {
        <label class="choice">
            <input type="radio" name=name prop:checked=checked on:change=move |_| on_pick()/>
            {move || label(lang.get().lab_texts())}
        </label>
    }
}
