//! Everything the page asks of the browser itself (clock, `document.cookie`, `location`,
//! `localStorage`, timers), in one place: each function has its browser build and the
//! stand-in the server build renders with, side by side, so no other module needs a
//! `hydrate` switch for them.

use std::time::Duration;

#[cfg(feature = "hydrate")]
use leptos::prelude::*;

use crate::i18n::Lang;

/// Milliseconds since the epoch, from the browser's clock (the server's when rendering).
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |elapsed| elapsed.as_millis() as f64)
    }
}

/// Unix time in whole seconds.
pub fn now_secs() -> i64 {
    (now_ms() / 1000.0) as i64
}

/// A Unix time as the visitor's local date and time, written the way their language writes
/// it (`Intl`: "Dec 2, 2026 6:20:01 PM", "2026. 12. 2. 오후 6:20:01"): the date and the time
/// each one unbreakable piece, so a narrow column may put the time under the date but never
/// splits either.
pub fn local_time(secs: i64, lang: Lang) -> String {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsValue;
        let date = js_sys::Date::new(&JsValue::from_f64(secs as f64 * 1000.0));
        let part = |style: &str| {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &style.into(), &"medium".into());
            String::from(date.to_locale_string(lang.code(), &options)).replace(' ', "\u{a0}")
        };
        format!("{} {}", part("dateStyle"), part("timeStyle"))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = lang;
        format!("{secs} (Unix time)")
    }
}

/// What the browser did with a cross-origin request an injected script made: the error fetch
/// gave, and the Content-Security-Policy violation it reported (`(directive, blocked URI)`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exfiltration {
    pub failed: Option<String>,
    pub violation: Option<(String, String)>,
}

/// POSTs `body` to `url` as an XSS payload would send its loot away (`no-cors`: it needs no
/// answer), listening for the page's CSP to refuse it.
pub async fn try_exfiltration(url: &str, body: String) -> Exfiltration {
    #[cfg(feature = "hydrate")]
    {
        use std::cell::RefCell;
        use std::rc::Rc;

        use futures::channel::oneshot;

        let (report, reported) = oneshot::channel::<Option<(String, String)>>();
        let report = Rc::new(RefCell::new(Some(report)));
        let send_report = {
            let report = report.clone();
            move |violation| {
                if let Some(report) = report.borrow_mut().take() {
                    let _ = report.send(violation);
                }
            }
        };
        let listener = {
            let send_report = send_report.clone();
            let url = url.to_owned();
            window_event_listener_untyped("securitypolicyviolation", move |event| {
                let field = |name: &str| {
                    js_sys::Reflect::get(&event, &name.into())
                        .ok()
                        .and_then(|value| value.as_string())
                        .unwrap_or_default()
                };
                let blocked = field("blockedURI");
                // Browsers may cut the blocked address to its origin.
                if !blocked.is_empty() && url.starts_with(&blocked) {
                    send_report(Some((field("effectiveDirective"), blocked)));
                }
            })
        };
        let failed = match gloo_net::http::Request::post(url)
            .mode(web_sys::RequestMode::NoCors)
            .body(body)
        {
            Ok(request) => request.send().await.err().map(|err| err.to_string()),
            Err(err) => Some(err.to_string()),
        };
        // The report is a task of its own, before or after fetch fails: wait for it, but
        // never for ever (a page without the policy sends the request and reports nothing).
        let timer = set_timeout_with_handle(move || send_report(None), Duration::from_secs(2));
        let violation = reported.await.ok().flatten();
        if let Ok(timer) = timer {
            timer.clear();
        }
        listener.remove();
        Exfiltration { failed, violation }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (url, body);
        Exfiltration::default()
    }
}

/// Opens `url` in a new tab; `false` if the browser blocked it (a pop-up blocker).
pub fn open_tab(url: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        matches!(
            window().open_with_url_and_target(url, "_blank"),
            Ok(Some(_))
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = url;
        false
    }
}

/// What page scripts see in `document.cookie` (an `HttpOnly` cookie never appears).
pub fn document_cookie() -> String {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        document()
            .dyn_into::<web_sys::HtmlDocument>()
            .ok()
            .and_then(|doc| doc.cookie().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// The page's origin and host name (`http://127.0.0.1:3000`, `127.0.0.1`).
pub fn location() -> (String, String) {
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        (
            location.origin().unwrap_or_default(),
            location.hostname().unwrap_or_default(),
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        (String::new(), String::new())
    }
}

/// Remembers the visitor's language in the `lang` cookie, which the server renders by. Not a
/// credential, so page code may set it; a year, so a class's choice outlives the browser.
pub fn save_lang_cookie(lang: Lang) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let secure = window().location().protocol().is_ok_and(|p| p == "https:");
        let cookie = crate::i18n::lang_cookie(lang, secure);
        if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
            let _ = doc.set_cookie(&cookie);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = lang;
}

/// The page's language as `<html lang>` says it: the one the server rendered, which hydration
/// keeps, and later the visitor's switch.
pub fn document_lang() -> Option<Lang> {
    #[cfg(feature = "hydrate")]
    {
        let root = document().document_element()?;
        Lang::from_code(&root.get_attribute("lang")?)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

/// Scrolls the element with this id into view; `false` when this page has none.
pub fn scroll_to(id: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        match document().get_element_by_id(id) {
            Some(element) => {
                element.scroll_into_view();
                true
            }
            None => false,
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        false
    }
}

/// Scrolls to the element the address's `#fragment` names, once a page has rendered: a link
/// from another page (`/lab#claim-11`) lands on its card.
pub fn scroll_to_fragment() {
    #[cfg(feature = "hydrate")]
    if let Ok(hash) = window().location().hash()
        && let Some(id) = hash.strip_prefix('#')
    {
        scroll_to(id);
    }
}

/// Sets an attribute on `<html>` (the hydration mark the tests wait for, the language).
pub fn set_root_attribute(name: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute(name, value);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, value);
}

/// Runs `tick` every `period` while the calling component lives (in the browser only).
pub fn every(period: Duration, tick: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(tick, period) {
        on_cleanup(move || handle.clear());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (period, tick);
}

/// `localStorage`, holding raw strings exactly as a hand-written app would
/// (so what an XSS payload reads is the bare token).
pub mod storage {
    #[cfg(feature = "hydrate")]
    pub fn load(key: &str) -> Option<String> {
        use gloo_storage::{LocalStorage, Storage};
        LocalStorage::raw().get_item(key).ok().flatten()
    }

    #[cfg(feature = "hydrate")]
    pub fn save(key: &str, value: &str) {
        use gloo_storage::{LocalStorage, Storage};
        // A full or disabled storage only means the token is not kept across reloads.
        let _ = LocalStorage::raw().set_item(key, value);
    }

    #[cfg(feature = "hydrate")]
    pub fn remove(key: &str) {
        use gloo_storage::{LocalStorage, Storage};
        LocalStorage::delete(key);
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn load(_key: &str) -> Option<String> {
        None
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn save(_key: &str, _value: &str) {}

    #[cfg(not(feature = "hydrate"))]
    pub fn remove(_key: &str) {}
}
