//! The browser entry point: hydrates the server-rendered page with the `app` components.

// Leptos views are deeply nested types; the release wasm build needs more than the default 128.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy: a page in a split-off chunk (see `app::lazy_page!`) hydrates once its chunk is in.
    leptos::mount::hydrate_lazy(app::App);
}
