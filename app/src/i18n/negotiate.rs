//! Which language a request gets, decided by the server so the page arrives in it (no flip at
//! hydration, and visitors without JavaScript get it too): an explicit choice first (`?lang=`
//! on any page, which a teacher can hand out as a link; then the `lang` cookie the switch and
//! that link set), then the browser's `Accept-Language`, then English.

use super::Lang;

/// The cookie that remembers an explicit choice, and the query parameter that makes one.
pub const LANG_COOKIE: &str = "lang";
pub const LANG_PARAM: &str = "lang";

/// A year: a class's choice outlives the browser session.
const LANG_COOKIE_MAX_AGE: u32 = 365 * 24 * 60 * 60;

impl Lang {
    /// The request's language from its `?lang=`, its `lang` cookie and its `Accept-Language`.
    pub fn negotiate(
        query: Option<&str>,
        cookie: Option<&str>,
        accept_language: Option<&str>,
    ) -> Lang {
        query
            .and_then(lang_in_query)
            .or_else(|| cookie.and_then(Lang::from_code))
            .or_else(|| accept_language.and_then(from_accept_language))
            .unwrap_or_default()
    }
}

/// `lang=ko` (or `en`) in a query string; any other value is no choice.
pub fn lang_in_query(query: &str) -> Option<Lang> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == LANG_PARAM)
        .and_then(|(_, value)| Lang::from_code(value))
}

/// The `Set-Cookie` value that remembers `lang`. Not a credential: page code may set it too.
pub fn lang_cookie(lang: Lang, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE}; SameSite=Lax{secure}",
        lang.code()
    )
}

/// The language of ours the browser prefers most (RFC 9110 §12.5.4): the highest `q`, the
/// first listed among equals; `ko-KR` counts as `ko`, `q=0` as refused, `*` as no preference.
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(Lang, f32)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let primary = tag
            .split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let Some(lang) = Lang::from_code(&primary) else {
            continue;
        };
        let quality = parts
            .filter_map(|param| param.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
            best = Some((lang, quality));
        }
    }
    best.map(|(lang, _)| lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_one_of_ours() {
        for (header, expected) in [
            ("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", Some(Lang::Ko)),
            ("en-US,en;q=0.9,ko;q=0.8", Some(Lang::En)),
            ("fr-FR, ko;q=0.5, en;q=0.3", Some(Lang::Ko)),
            ("en;q=0.2, KO-kr;q=0.8", Some(Lang::Ko)),
            ("ko;q=0, en;q=0.1", Some(Lang::En)),
            ("ko, en", Some(Lang::Ko)),
            ("fr, de;q=0.5", None),
            ("*", None),
            ("", None),
            ("ko;q=abc", Some(Lang::Ko)),
        ] {
            assert_eq!(from_accept_language(header), expected, "{header:?}");
        }
    }

    #[test]
    fn an_explicit_choice_beats_the_browser_and_english_is_the_last_resort() {
        let korean_browser = Some("ko-KR,ko;q=0.9");
        assert_eq!(Lang::negotiate(None, None, korean_browser), Lang::Ko);
        assert_eq!(Lang::negotiate(None, Some("en"), korean_browser), Lang::En);
        assert_eq!(
            Lang::negotiate(Some("x=1&lang=ko"), Some("en"), None),
            Lang::Ko
        );
        // A value of neither language is no choice: the next source decides.
        assert_eq!(
            Lang::negotiate(Some("lang=fr"), Some("xx"), korean_browser),
            Lang::Ko
        );
        assert_eq!(Lang::negotiate(None, None, None), Lang::En);
    }

    #[test]
    fn the_cookie_is_a_year_long_and_secure_where_asked() {
        assert_eq!(
            lang_cookie(Lang::Ko, false),
            "lang=ko; Path=/; Max-Age=31536000; SameSite=Lax"
        );
        assert!(lang_cookie(Lang::En, true).ends_with("; Secure"));
    }
}
