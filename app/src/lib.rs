//! authlens's page: the shell the server renders and the components the browser hydrates.

// Leptos views are deeply nested types; the release wasm build needs more than the default 128.
#![recursion_limit = "256"]

pub mod api;
pub mod browser;
mod comparison;
mod cost;
mod experiments;
pub mod fetch;
pub mod i18n;
mod inspect;
mod jwt_panel;
mod lab;
mod path;
mod server_holds;
mod session_panel;
pub mod token;
mod token_login;
mod token_view;
mod widgets;
mod wire;

use i18n::{Lang, Texts};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute,
    components::{A, Route, Router, Routes},
    lazy_route, path,
};

use inspect::InspectPage;
use jwt_panel::JwtPanel;
use session_panel::SessionPanel;
use widgets::{DemoAccounts, LanguageSwitch};

/// The HTML document around the app, rendered by the server in the language the server
/// chose for this request (a [`Lang`] in context; English without one).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // The stylesheet's name carries its content hash when the build hashes files.
                <HashedStylesheet id="leptos" options=options.clone()/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The texts of the current language, for use inside `view!` closures.
pub(crate) fn use_texts() -> impl Fn() -> &'static Texts + Copy + Send + Sync + 'static {
    let lang = crate::i18n::use_lang();
    move || lang.get().texts()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The server's choice for this request; in the browser, the language it rendered in, so
    // hydration finds the same text.
    let rendered = use_context::<Lang>()
        .or_else(browser::document_lang)
        .unwrap_or_default();
    let lang = RwSignal::new(rendered);
    provide_context(lang);
    path::Progress::provide();

    // Effects run only in the browser, once the page is hydrated.
    Effect::new(move |_| {
        // Clicks made before hydration are lost; tests wait for this mark instead of retrying.
        browser::set_root_attribute("data-hydrated", "true");
    });
    Effect::new(move |_| browser::set_root_attribute("lang", lang.get().code()));

    let texts = use_texts();
    view! {
        <Title text=move || texts().page_title/>
        <Router>
            <Masthead/>
            <main>
                <Routes fallback=move || view! { <p class="not-found">{texts().not_found}</p> }>
                    <Route path=path!("") view=HomePage/>
                    <Route path=path!("inspect") view={Lazy::<InspectRoute>::new()}/>
                    <Route path=path!("lab") view={Lazy::<LabRoute>::new()}/>
                    <Route path=path!("cost") view={Lazy::<CostRoute>::new()}/>
                </Routes>
            </main>
        </Router>
    }
}

/// A page whose code the browser loads only when it is first shown: the release build
/// (`cargo leptos build --release --split`) puts each in a wasm chunk of its own, so the
/// home page does not download the inspector, the lab and the cost page.
macro_rules! lazy_page {
    ($route:ident, $page:path) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(InspectRoute, InspectPage);
lazy_page!(LabRoute, lab::LabPage);
lazy_page!(CostRoute, cost::CostPage);

#[component]
fn Masthead() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = use_texts();
    let token_texts = move || lang.get().token_texts();
    view! {
        <header class="masthead">
            <div>
                <h1>"authlens"</h1>
                <p class="tagline">{move || texts().tagline}</p>
            </div>
            <nav aria-label=move || token_texts().nav_label>
                <A href="/">{move || token_texts().nav_home}</A>
                <A href="/inspect">{move || token_texts().nav_inspect}</A>
                <A href="/lab">{move || lang.get().lab_texts().nav_lab}</A>
                <A href="/cost">{move || lang.get().cost_texts().nav_cost}</A>
            </nav>
            <LanguageSwitch/>
        </header>
    }
}

#[component]
fn HomePage() -> impl IntoView {
    server_holds::provide_server_view();
    comparison::provide_visit_figures();
    Effect::new(move |_| browser::scroll_to_fragment());
    view! {
        <path::StartHere/>
        <DemoAccounts/>
        <div class="columns">
            <SessionPanel/>
            <JwtPanel/>
        </div>
        <experiments::Experiments/>
        <comparison::Comparison/>
    }
}
