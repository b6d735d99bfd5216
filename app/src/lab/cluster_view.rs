//! The cluster as boxes: each node with its port, up/down state, requests served and the
//! sessions it holds; the central store; the replication cost; and the balancer's hops.

use leptos::prelude::*;

use super::LabState;
use crate::api::cluster::{CentralView, Hop, NodeView, SessionPlacement, StoreView};
use crate::i18n::fill_named;

#[component]
pub fn ClusterPanel() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().lab_texts();
    let lab = expect_context::<LabState>();
    view! {
        <section class="cluster" aria-labelledby="cluster-title">
            <h3 id="cluster-title">{move || texts().cluster_title}</h3>
            {move || {
                let view = lab.view.get().unwrap_or_default();
                if let (false, true, Some(settings)) = (view.running, view.elsewhere, view.settings) {
                    return view! {
                        <p role="status" data-testid="lab-cluster-gone">{texts().cluster_gone}</p>
                        <button type="button" data-testid="lab-set-up-again" on:click=move |_| lab.start(settings)>
                            {texts().set_up_again}
                        </button>
                    }.into_any();
                }
                if !view.running {
                    return view! { <p class="muted" data-testid="lab-no-cluster">{texts().no_cluster}</p> }.into_any();
                }
                let replicated = view.settings.is_some_and(|settings| settings.storage == SessionPlacement::Replicated);
                let last_hop = view.hops.first().cloned();
                view! {
                    <div class="node-grid">
                        {view.nodes.into_iter().map(|node| {
                            let served_last = last_hop.as_ref().filter(|hop| hop.node == Some(node.node)).cloned();
                            view! { <NodeBox node served_last replicated/> }
                        }).collect_view()}
                        {view.central.map(|central| view! { <CentralBox central/> })}
                    </div>
                    {replicated.then(|| {
                        let stats = view.replication.clone();
                        view! {
                            <p class="replication" data-testid="lab-replication">
                                <strong>{texts().replication_title}": "</strong>
                                {fill_named(texts().replication_line, &[("messages", stats.messages.to_string()), ("bytes", stats.bytes.to_string()), ("failed", stats.failed.to_string())])}
                                " "
                                {fill_named(texts().replication_resyncs, &[("count", stats.resyncs.to_string())])}
                            </p>
                        }
                    })}
                    <Hops hops=view.hops/>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn NodeBox(node: NodeView, served_last: Option<Hop>, replicated: bool) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().lab_texts();
    let lab = expect_context::<LabState>();
    let number = node.node;
    let up = node.up;
    let heading = format!("node-{number}-title");
    let labelled_by = heading.clone();
    let action = if up { "kill" } else { "revive" };
    let just_served = served_last.is_some();
    let cut_off = node.cut_off;
    // Claim 16: replication between this node and the others, cut or healed.
    let partition = if cut_off { "heal" } else { "cut" };
    view! {
        <article class="node" class:down=!up class:just-served=just_served
            aria-labelledby=labelled_by data-testid=format!("lab-node-{number}")>
            <h4 id=heading>{move || fill_named(texts().node, &[("number", number.to_string())])}</h4>
            <p>
                <strong class="state">{move || if up { texts().up } else { texts().down }}</strong>
                {format!(" · port {}", node.port)}
                {cut_off.then(|| view! { " · " <strong class="bad">{move || texts().cut_off}</strong> })}
            </p>
            <p data-testid=format!("lab-node-{number}-requests")>
                {move || fill_named(texts().requests, &[("count", node.requests.to_string())])}
            </p>
            {served_last.map(|hop| view! {
                <p class="last-hop">{format!("← {} {} {}", hop.method, hop.path, hop.status)}</p>
            })}
            {match node.sessions {
                Some(store) => view! { <Rows store label=texts().sessions_here/> }.into_any(),
                None if up => view! { <p class="muted">{texts().sessions_central}</p> }.into_any(),
                None => ().into_any(),
            }}
            <button type="button"
                on:click=move |_| lab.control(format!("/api/lab/cluster/nodes/{number}/{action}"))>
                {move || fill_named(if up { texts().kill } else { texts().revive }, &[("number", number.to_string())])}
            </button>
            {(replicated && up).then(|| view! {
                <button type="button"
                    on:click=move |_| lab.control(format!("/api/lab/cluster/nodes/{number}/{partition}"))>
                    {move || fill_named(if cut_off { texts().heal } else { texts().cut }, &[("number", number.to_string())])}
                </button>
            })}
        </article>
    }
}

#[component]
fn CentralBox(central: CentralView) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().lab_texts();
    let lab = expect_context::<LabState>();
    let stand_in = central.kind == "stand-in";
    let up = central.up;
    view! {
        <article class="node central" class:down=!up aria-labelledby="central-title" data-testid="lab-central">
            <h4 id="central-title">{move || texts().central_title}</h4>
            <p>{move || if stand_in { texts().central_stand_in } else { texts().central_redis }}</p>
            <p><strong class="state">{move || if up { texts().up } else { texts().down }}</strong></p>
            {central.error.map(|error| view! { <p class="bad">{error}</p> })}
            {central.sessions.map(|store| view! { <Rows store label=texts().sessions_here/> })}
            {if stand_in {
                let action = if up { "kill" } else { "revive" };
                view! {
                    <button type="button" on:click=move |_| lab.control(format!("/api/lab/cluster/central/{action}"))>
                        {move || if up { texts().central_kill } else { texts().central_revive }}
                    </button>
                }.into_any()
            } else {
                view! { <p class="muted">{texts().central_redis_hint}</p> }.into_any()
            }}
        </article>
    }
}

#[component]
fn Rows(store: StoreView, label: &'static str) -> impl IntoView {
    view! {
        <p>{format!("{label}: {}", store.count)}</p>
        <ul class="node-rows">
            {store.rows.into_iter().map(|row| view! {
                <li><code>{row.id}</code>" "{row.username}</li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Hops(hops: Vec<Hop>) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().lab_texts();
    // Newest first, numbered as the balancer counted them: the top one is the latest.
    let newest = hops.first().map_or(0, |hop| hop.seq);
    view! {
        <h4>{move || texts().hops_title}</h4>
        <ol class="hops" reversed start=newest.to_string() data-testid="lab-hops">
            {hops.into_iter().take(15).map(|hop| {
                let ok = (200..300).contains(&hop.status);
                view! {
                    <li class:ok=ok class:bad=!ok>
                        {move || match hop.node {
                            Some(node) => fill_named(texts().node, &[("number", node.to_string())]),
                            None => texts().no_node.to_owned(),
                        }}
                        {format!(" · {} {} → {}", hop.method, hop.path, hop.status)}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}
