//! What the server remembers, read live from its store listings after every exchange:
//! the session store's rows beside the refresh-token families (and, for access tokens,
//! nothing at all).

use leptos::lazy;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{FamilyState, ListingCounts, RefreshListing, SessionListing};
use crate::browser::local_time;
use crate::fetch::{self, Method};
use crate::i18n::{PanelTexts, fill_named};

/// Bumped after every exchange either column makes, so both "server holds" panels re-read.
#[derive(Clone, Copy)]
pub struct ServerChanged(pub RwSignal<u32>);

impl ServerChanged {
    pub fn bump(self) {
        self.0.update(|n| *n += 1);
    }
}

/// A store listing as last read: `None` until the first answer, the error text if it failed.
pub type Listing<T> = RwSignal<Option<Result<T, String>>>;

/// Both store listings, read once per change and shared by every panel that shows them.
#[derive(Clone, Copy)]
pub struct StoreListings {
    pub sessions: Listing<SessionListing>,
    pub refresh: Listing<RefreshListing>,
}

/// Provides [`ServerChanged`] and the [`StoreListings`] that follow it, for one page.
pub fn provide_server_view() {
    provide_context(ServerChanged(RwSignal::new(0)));
    provide_context(StoreListings {
        sessions: listing(fetch_session_listing),
        refresh: listing(fetch_refresh_listing),
    });
}

/// Runs `fetch` whenever the server may have changed, keeping its last answer.
fn listing<T, F>(fetch: fn() -> F) -> Listing<T>
where
    T: Send + Sync + 'static,
    F: Future<Output = Result<T, String>> + 'static,
{
    let changed = expect_context::<ServerChanged>().0;
    let listing = RwSignal::new(None);
    Effect::new(move |_| {
        changed.track();
        spawn_local(async move { listing.set(Some(fetch().await)) });
    });
    listing
}

// Lazy: the decoding of the listings loads with the first of them (a wasm chunk of its own
// in release builds), after the page is already usable.
#[lazy]
async fn fetch_session_listing() -> Result<SessionListing, String> {
    fetch_decoded("/api/session/store").await
}

#[lazy]
async fn fetch_refresh_listing() -> Result<RefreshListing, String> {
    fetch_decoded("/api/jwt/refresh-store").await
}

/// Fetches `path` and decodes its JSON, or says why not.
async fn fetch_decoded<T: serde::de::DeserializeOwned>(path: &'static str) -> Result<T, String> {
    let exchange = fetch::send(Method::Get, path, None, None).await;
    if exchange.ok() {
        serde_json::from_value(exchange.body).map_err(|err| err.to_string())
    } else {
        Err(exchange.message())
    }
}

/// A listing as the panel shows it: a placeholder until it loads, the error if it failed.
fn show<T: Clone + Send + Sync + 'static>(
    listing: Listing<T>,
    rows: impl FnOnce(T) -> AnyView,
) -> AnyView {
    match listing.get() {
        None => view! { <p class="muted">"…"</p> }.into_any(),
        Some(Err(why)) => view! { <p class="bad">{why}</p> }.into_any(),
        Some(Ok(listing)) => rows(listing),
    }
}

/// The store's name in the page's language (the API says `memory` or `redis`).
fn backend_name<'a>(texts: &'a PanelTexts, backend: &'a str) -> &'a str {
    match backend {
        "memory" => texts.backend_memory,
        "redis" => texts.backend_redis,
        other => other,
    }
}

/// "Live sessions: 2 yours · 20,007 on the server, every visitor's (memory)".
fn yours_and_total(texts: &PanelTexts, what: &str, counts: &ListingCounts) -> String {
    let counts = fill_named(
        texts.yours_of_total,
        &[
            ("yours", counts.yours.to_string()),
            ("total", counts.total.to_string()),
            ("backend", backend_name(texts, &counts.backend).to_owned()),
        ],
    );
    format!("{what}: {counts}")
}

/// Says where the listing is cut, when it is.
fn cut_note(texts: &PanelTexts, shown: usize, yours: usize) -> Option<AnyView> {
    (shown < yours).then(|| {
        let note = fill_named(
            texts.listing_cut,
            &[("shown", shown.to_string()), ("yours", yours.to_string())],
        );
        view! { <p class="muted" data-testid="listing-cut">{note}</p> }.into_any()
    })
}

#[component]
pub fn SessionStoreHolds() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().panel_texts();
    let listing = expect_context::<StoreListings>().sessions;
    view! {
        <section class="server-holds" aria-labelledby="session-server-title session-title">
            <h3 id="session-server-title">{move || texts().server_holds}</h3>
            {move || show(listing, |listing| view! {
                    <p data-testid="session-store-count">
                        {yours_and_total(texts(), texts().rows, &listing.counts)}
                    </p>
                    {cut_note(texts(), listing.sessions.len(), listing.counts.yours)}
                    <table class="store-rows">
                        <caption>{texts().session_rows_caption}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{texts().col_id}</th>
                                <th scope="col">{texts().col_user}</th>
                                <th scope="col">{texts().col_cart}</th>
                                <th scope="col">{texts().col_expires}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {listing.sessions.into_iter().map(|row| view! {
                                <tr>
                                    <td><code>{row.id}</code></td>
                                    <td>{row.username}</td>
                                    <td>{row.cart_items}</td>
                                    <td>{move || local_time(row.expires_at / 1000, lang.get())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any())}
        </section>
    }
}

#[component]
pub fn RefreshStoreHolds() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().panel_texts();
    let listing = expect_context::<StoreListings>().refresh;
    view! {
        <section class="server-holds" aria-labelledby="jwt-server-title jwt-title">
            <h3 id="jwt-server-title">{move || texts().server_holds}</h3>
            <p data-testid="access-token-rows">{move || texts().access_tokens_none}</p>
            {move || show(listing, |listing| view! {
                    <p data-testid="refresh-store-count">
                        {yours_and_total(texts(), texts().refresh_families, &listing.counts)}
                    </p>
                    {cut_note(texts(), listing.families.len(), listing.counts.yours)}
                    <table class="store-rows">
                        <caption>{texts().refresh_rows_caption}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{texts().col_family}</th>
                                <th scope="col">{texts().col_user}</th>
                                <th scope="col">{texts().col_state}</th>
                                <th scope="col">{texts().col_rotated}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {listing.families.into_iter().map(|row| {
                                let revoked = row.state == FamilyState::Revoked;
                                view! {
                                    <tr class:revoked=revoked>
                                        <td><code>{row.family}</code></td>
                                        <td>{row.username}</td>
                                        <td>{move || if revoked { texts().state_revoked } else { texts().state_active }}</td>
                                        <td>{row.rotated}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any())}
        </section>
    }
}
