//! The server renders the page in the visitor's language: `?lang=` (remembered in the `lang`
//! cookie), then that cookie, then `Accept-Language`, then English; `<html lang>` and the
//! strings agree in the HTML itself, before any script runs.

mod common;

use app::i18n::{EN, KO};
use axum::http::header;
use common::*;

/// The page's `<html lang>` and which language its tagline is in.
fn rendered(reply: &Reply) -> (&str, &str) {
    let html = reply.body.as_str().expect("an HTML page");
    let lang = html
        .split_once("<html lang=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(code, _)| code)
        .expect("<html lang=…>");
    let texts = match (html.contains(EN.tagline), html.contains(KO.tagline)) {
        (true, false) => "en",
        (false, true) => "ko",
        other => panic!("the tagline should be in one language, found {other:?}"),
    };
    (lang, texts)
}

#[tokio::test]
async fn a_korean_browser_gets_a_korean_page_and_others_english() {
    let app = start_default().await;
    for (accept_language, expected) in [
        ("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "ko"),
        ("en-US,en;q=0.9,ko;q=0.8", "en"),
        ("fr-FR,fr;q=0.9", "en"),
    ] {
        let page = app.get("/", &[("accept-language", accept_language)]).await;
        assert_eq!(rendered(&page), (expected, expected), "{accept_language}");
        assert!(page.header(header::VARY).contains("accept-language"));
    }
    assert_eq!(rendered(&app.get("/", &[]).await), ("en", "en"));
}

#[tokio::test]
async fn a_lang_link_renders_that_language_and_remembers_it() {
    let app = start_default().await;
    let english_browser = ("accept-language", "en-US,en;q=0.9");
    // A teacher's link: any page, `?lang=ko`.
    for path in ["/?lang=ko", "/lab?lang=ko", "/cost?x=1&lang=ko"] {
        let page = app.get(path, &[english_browser]).await;
        assert_eq!(rendered(&page), ("ko", "ko"), "{path}");
        let cookie = page.header(header::SET_COOKIE);
        assert!(
            page.headers
                .get_all(header::SET_COOKIE)
                .iter()
                .any(|value| value
                    .to_str()
                    .unwrap()
                    .starts_with("lang=ko; Path=/; Max-Age=31536000; SameSite=Lax")),
            "{cookie}"
        );
    }
    // A value that is neither language is no choice, and sets nothing.
    let page = app.get("/?lang=fr", &[english_browser]).await;
    assert_eq!(rendered(&page), ("en", "en"));
    assert!(
        !page
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|value| value.to_str().unwrap().starts_with("lang=")),
        "no lang cookie for ?lang=fr"
    );
}

#[tokio::test]
async fn the_cookie_beats_the_browser_and_the_link_beats_the_cookie() {
    let app = start_default().await;
    let korean_browser = ("accept-language", "ko-KR,ko;q=0.9");
    let chose_english = ("cookie", "lang=en");
    assert_eq!(
        rendered(&app.get("/", &[korean_browser, chose_english]).await),
        ("en", "en")
    );
    assert_eq!(
        rendered(&app.get("/inspect", &[("cookie", "lang=ko")]).await),
        ("ko", "ko")
    );
    assert_eq!(
        rendered(&app.get("/?lang=ko", &[chose_english]).await),
        ("ko", "ko")
    );
    // A cookie of neither language falls through to the browser's.
    assert_eq!(
        rendered(&app.get("/", &[korean_browser, ("cookie", "lang=xx")]).await),
        ("ko", "ko")
    );
}

#[tokio::test]
async fn the_not_found_page_is_in_the_visitors_language_too() {
    let app = start_default().await;
    let page = app.get("/no-such-page", &[("accept-language", "ko")]).await;
    assert_eq!(page.status.as_u16(), 404);
    assert_eq!(rendered(&page), ("ko", "ko"));
    assert!(page.body.as_str().unwrap().contains(KO.not_found));
}
