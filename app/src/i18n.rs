//! Every visible string, in English and Korean. A string is a field of [`Texts`],
//! so a language that lacks one does not compile.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    /// The value kept in `localStorage` and used for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ko,
            Lang::Ko => Lang::En,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Ko => &KO,
        }
    }
}

pub struct Texts {
    pub page_title: &'static str,
    pub tagline: &'static str,
    /// The language switch shows the name of the language it switches *to*.
    pub switch_language: &'static str,
    pub language: &'static str,
    pub not_found: &'static str,
    pub demo_accounts: &'static str,
    pub session_title: &'static str,
    pub session_blurb: &'static str,
    pub jwt_title: &'static str,
    pub jwt_blurb: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub log_in: &'static str,
    pub call_me: &'static str,
    pub log_out: &'static str,
    pub last_response: &'static str,
    pub no_request_yet: &'static str,
    pub request_failed: &'static str,
    pub browser_holds: &'static str,
    pub cookie_hidden: &'static str,
    pub local_storage: &'static str,
    pub empty: &'static str,
    pub signed_in_as: &'static str,
    pub signed_out: &'static str,
    pub status_unknown: &'static str,
}

pub const EN: Texts = Texts {
    page_title: "authlens — see how login works",
    tagline: "A cookie session and a JWT, side by side against one server. Log in on both sides and watch what moves.",
    switch_language: "한국어",
    language: "Language",
    not_found: "There is no page at this address.",
    demo_accounts: "Demo accounts",
    session_title: "Session + cookie (stateful)",
    session_blurb: "The server remembers you: it keeps a session record and gives the browser only its id, in an HttpOnly cookie that the browser sends by itself.",
    jwt_title: "JWT + localStorage (stateless)",
    jwt_blurb: "The server remembers nothing: it signs a token holding who you are, the page keeps it in localStorage and attaches it to each request as Authorization: Bearer.",
    username: "Username",
    password: "Password",
    log_in: "Log in",
    call_me: "Call /me",
    log_out: "Log out",
    last_response: "Last response",
    no_request_yet: "No request yet.",
    request_failed: "The request did not reach the server:",
    browser_holds: "What the browser holds",
    cookie_hidden: "document.cookie shows nothing: the session cookie is HttpOnly, so this page's JavaScript cannot read it. Press “Call /me” to ask the server who you are.",
    local_storage: "localStorage",
    empty: "(empty)",
    signed_in_as: "Signed in as",
    signed_out: "Signed out",
    status_unknown: "Not checked yet",
};

pub const KO: Texts = Texts {
    page_title: "authlens — 로그인이 동작하는 모습 보기",
    tagline: "쿠키 세션과 JWT를 하나의 서버에 나란히 붙여 봅니다. 양쪽에 로그인하고 무엇이 오가는지 지켜보세요.",
    switch_language: "English",
    language: "언어",
    not_found: "이 주소에는 페이지가 없습니다.",
    demo_accounts: "데모 계정",
    session_title: "세션 + 쿠키 (상태 유지)",
    session_blurb: "서버가 사용자를 기억합니다. 서버는 세션 기록을 보관하고, 브라우저에는 그 식별자만 HttpOnly 쿠키로 건네며, 브라우저가 알아서 쿠키를 보냅니다.",
    jwt_title: "JWT + localStorage (무상태)",
    jwt_blurb: "서버는 아무것도 기억하지 않습니다. 사용자 정보를 담은 토큰에 서명해 주면, 페이지가 localStorage에 보관했다가 요청마다 Authorization: Bearer 헤더로 붙입니다.",
    username: "아이디",
    password: "비밀번호",
    log_in: "로그인",
    call_me: "/me 호출",
    log_out: "로그아웃",
    last_response: "마지막 응답",
    no_request_yet: "아직 보낸 요청이 없습니다.",
    request_failed: "요청이 서버에 닿지 못했습니다:",
    browser_holds: "브라우저가 가진 것",
    cookie_hidden: "document.cookie에는 아무것도 보이지 않습니다. 세션 쿠키가 HttpOnly라서 이 페이지의 자바스크립트는 읽을 수 없습니다. 내가 누구인지 서버에 물어보려면 “/me 호출”을 누르세요.",
    local_storage: "localStorage",
    empty: "(비어 있음)",
    signed_in_as: "로그인한 사용자",
    signed_out: "로그아웃됨",
    status_unknown: "아직 확인하지 않음",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_round_trip() {
        for lang in [Lang::En, Lang::Ko] {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("fr"), None);
    }

    #[test]
    fn korean_texts_differ_from_english() {
        // A copy-pasted English string in the Korean table is a missing translation.
        assert_ne!(EN.session_title, KO.session_title);
        assert_ne!(EN.log_in, KO.log_in);
        assert_ne!(EN.cookie_hidden, KO.cookie_hidden);
    }
}
