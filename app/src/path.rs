//! The student's path: "start here" (the two columns, the words defined once), the sixteen
//! claims in a teaching order with where each one lives, this visitor's progress (kept in this
//! browser's `localStorage`), and a "next" on every card that leads to the following claim.
//! Without JavaScript the list and the "next" links are plain links in reading order.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::browser::storage;
use crate::i18n::{Lang, PathTexts, fill_named};

/// Where a claim is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Home,
    Lab,
}

/// The claims in the order a student meets them: what a login leaves where, what logout
/// does to each, what tokens cost and risk, the cross-site lessons, then scaling in the lab.
pub const PATH: [(u8, Place); 16] = [
    (1, Place::Home),
    (2, Place::Home),
    (4, Place::Home),
    (5, Place::Home),
    (6, Place::Home),
    (8, Place::Home),
    (7, Place::Home),
    (10, Place::Home),
    (3, Place::Home),
    (9, Place::Home),
    (15, Place::Home),
    (11, Place::Lab),
    (12, Place::Lab),
    (13, Place::Lab),
    (14, Place::Lab),
    (16, Place::Lab),
];

/// The `localStorage` key of this visitor's progress: `{"1": true, "9": false}`.
pub const PROGRESS_KEY: &str = "authlens.progress";

/// The id of a claim's card on its page.
pub fn card_id(number: u8) -> String {
    format!("claim-{number}")
}

/// A link to a claim's card that works from any page, with or without JavaScript.
pub fn href(number: u8) -> String {
    match place(number) {
        Place::Home => format!("/#{}", card_id(number)),
        Place::Lab => format!("/lab#{}", card_id(number)),
    }
}

fn place(number: u8) -> Place {
    PATH.iter()
        .find(|(each, _)| *each == number)
        .map_or(Place::Home, |(_, place)| *place)
}

/// The claim after `number` on the path, if any.
pub fn next_after(number: u8) -> Option<u8> {
    let index = PATH.iter().position(|(each, _)| *each == number)?;
    PATH.get(index + 1).map(|(next, _)| *next)
}

/// The first claim on the path this visitor has not run yet.
pub fn first_not_run(ran: &BTreeMap<u8, bool>) -> Option<u8> {
    PATH.iter()
        .map(|(number, _)| *number)
        .find(|number| !ran.contains_key(number))
}

/// A claim's title in `lang`, as its card heads it ("5. …").
pub fn title(lang: Lang, number: u8) -> String {
    let e = lang.experiment_texts();
    let l = lang.lab_texts();
    let home = |title: &str| format!("{number}. {title}");
    match number {
        1 => home(e.e1_title),
        2 => home(e.e2_title),
        3 => home(e.e3_title),
        4 => home(e.e4_title),
        5 => home(e.e5_title),
        6 => home(e.e6_title),
        7 => home(e.e7_title),
        8 => home(e.e8_title),
        9 => home(e.e9_title),
        10 => home(e.e10_title),
        15 => home(e.e15_title),
        // The lab's titles carry their numbers already.
        11 => l.c11_title.to_owned(),
        12 => l.c12_title.to_owned(),
        13 => l.c13_title.to_owned(),
        14 => l.c14_title.to_owned(),
        16 => l.c16_title.to_owned(),
        _ => number.to_string(),
    }
}

/// Which claims this visitor ran, and whether each came out as claimed: read from
/// `localStorage` once the page is hydrated (the server renders everyone's page alike).
#[derive(Clone, Copy)]
pub struct Progress(RwSignal<BTreeMap<u8, bool>>);

impl Progress {
    pub fn provide() -> Self {
        let progress = Progress(RwSignal::new(BTreeMap::new()));
        Effect::new(move |_| {
            let stored = storage::load(PROGRESS_KEY)
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default();
            progress.0.set(stored);
        });
        provide_context(progress);
        progress
    }

    /// A run's outcome: as claimed only if every check it made held.
    pub fn record(self, number: u8, as_claimed: bool) {
        self.0.update(|ran| {
            ran.insert(number, as_claimed);
        });
        if let Ok(json) = serde_json::to_string(&self.0.get_untracked()) {
            storage::save(PROGRESS_KEY, &json);
        }
    }

    pub fn ran(self) -> BTreeMap<u8, bool> {
        self.0.get()
    }

    /// How claim `number` came out, if this visitor ran it.
    pub fn outcome(self, number: u8) -> Option<bool> {
        self.0.with(|ran| ran.get(&number).copied())
    }
}

/// Follows a link to a claim: on the same page, scrolls its card into view (the router would
/// otherwise treat it as a navigation); to the other page, lets the router go there.
fn follow(event: leptos::ev::MouseEvent, number: u8) {
    if crate::browser::scroll_to(&card_id(number)) {
        event.prevent_default();
    }
}

/// "Start here": what the two columns are, the words, the path and this visitor's progress.
#[component]
pub fn StartHere() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().path_texts();
    let progress = expect_context::<Progress>();
    let terms = |t: &'static PathTexts| {
        [
            (t.term_session, t.define_session),
            (t.term_jwt, t.define_jwt),
            (t.term_refresh, t.define_refresh),
            (t.term_family, t.define_family),
            (t.term_hybrid, t.define_hybrid),
        ]
    };
    let summary = move || {
        let ran = progress.ran();
        let passed = ran.values().filter(|ok| **ok).count();
        fill_named(
            texts().progress,
            &[
                ("done", ran.len().to_string()),
                ("total", PATH.len().to_string()),
                ("passed", passed.to_string()),
            ],
        )
    };
    let next = move || first_not_run(&progress.ran());
    view! {
        <section class="start-here" aria-labelledby="start-here-title" id="start-here">
            <h2 id="start-here-title">{move || texts().title}</h2>
            <p>{move || texts().intro}</p>
            <dl class="terms">
                {move || terms(texts()).into_iter().map(|(term, meaning)| view! {
                    <dt>{term}</dt>
                    <dd>{meaning}</dd>
                }).collect_view()}
            </dl>
            <h3 id="path-title">{move || texts().path_title}</h3>
            <p class="muted">{move || texts().path_note}</p>
            <ol class="path" aria-labelledby="path-title" data-testid="path">
                {PATH.iter().map(|&(number, place)| {
                    let status = move || match progress.outcome(number) {
                        Some(true) => texts().ran_as_claimed,
                        Some(false) => texts().ran_not_as_claimed,
                        None => texts().not_run,
                    };
                    let done = move || progress.outcome(number).is_some();
                    view! {
                        <li data-claim=number.to_string() class:done=done>
                            <a href=href(number) on:click=move |event| follow(event, number)>
                                {move || title(lang.get(), number)}
                            </a>
                            " · "
                            <span class="muted">{move || match place {
                                Place::Home => texts().on_this_page,
                                Place::Lab => texts().in_the_lab,
                            }}</span>
                            " · "
                            <span data-testid="path-status">{status}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <p role="status" data-testid="path-progress">{summary}</p>
            {move || match next() {
                Some(number) => view! {
                    <a class="next" href=href(number) on:click=move |event| follow(event, number)
                        data-testid="path-continue">
                        {fill_named(texts().continue_with, &[("claim", title(lang.get(), number))])}
                    </a>
                }.into_any(),
                None => view! { <p class="passed">{texts().all_run}</p> }.into_any(),
            }}
        </section>
    }
}

/// The link at the foot of a claim's card to the claim after it on the path (the last one
/// leads back to the progress list).
#[component]
pub fn NextOnPath(number: u8) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().path_texts();
    match next_after(number) {
        Some(next) => view! {
            <a class="next" href=href(next) on:click=move |event| follow(event, next)
                data-testid="next-on-path">
                {move || fill_named(texts().next, &[("claim", title(lang.get(), next))])}
            </a>
        }
        .into_any(),
        None => view! {
            <a class="next" href="/#start-here" data-testid="next-on-path">
                {move || texts().back_to_start}
            </a>
        }
        .into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_holds_every_claim_once_home_first_then_the_lab() {
        let mut numbers: Vec<u8> = PATH.iter().map(|(number, _)| *number).collect();
        let lab_from = PATH
            .iter()
            .position(|(_, place)| *place == Place::Lab)
            .unwrap();
        assert!(
            PATH[lab_from..]
                .iter()
                .all(|(_, place)| *place == Place::Lab)
        );
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=16).collect::<Vec<u8>>());
    }

    #[test]
    fn next_follows_the_path_and_links_work_from_any_page() {
        assert_eq!(next_after(2), Some(4));
        assert_eq!(next_after(15), Some(11));
        assert_eq!(next_after(16), None);
        assert_eq!(href(3), "/#claim-3");
        assert_eq!(href(14), "/lab#claim-14");
        let ran = BTreeMap::from([(1, true), (2, false)]);
        assert_eq!(first_not_run(&ran), Some(4));
    }

    #[test]
    fn every_claim_has_a_title_in_both_languages_headed_by_its_number() {
        for (number, _) in PATH {
            for lang in [Lang::En, Lang::Ko] {
                assert!(
                    title(lang, number).starts_with(&format!("{number}. ")),
                    "{number}"
                );
            }
        }
    }
}
