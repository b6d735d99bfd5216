//! Every visible string, in English and Korean. A string is a field of [`Texts`],
//! so a language that lacks one does not compile.

mod comparison;
mod cost;
mod lab;
mod negotiate;

pub use comparison::ComparisonTexts;
use comparison::{COMPARISON_EN, COMPARISON_KO};
pub use cost::CostTexts;
use cost::{COST_EN, COST_KO};
pub use lab::LabTexts;
use lab::{LAB_EN, LAB_KO};
pub use negotiate::{LANG_COOKIE, LANG_PARAM, from_accept_language, lang_cookie, lang_in_query};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    /// The value of the `lang` cookie and of `<html lang>`.
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

    /// The wire's and the "server holds" panels' texts.
    pub fn panel_texts(self) -> &'static PanelTexts {
        match self {
            Lang::En => &PANEL_EN,
            Lang::Ko => &PANEL_KO,
        }
    }

    /// The experiments' texts.
    pub fn experiment_texts(self) -> &'static ExperimentTexts {
        match self {
            Lang::En => &EXPERIMENTS_EN,
            Lang::Ko => &EXPERIMENTS_KO,
        }
    }

    /// The comparison table's texts.
    pub fn comparison_texts(self) -> &'static ComparisonTexts {
        match self {
            Lang::En => &COMPARISON_EN,
            Lang::Ko => &COMPARISON_KO,
        }
    }

    /// The scaling lab's texts.
    pub fn lab_texts(self) -> &'static LabTexts {
        match self {
            Lang::En => &LAB_EN,
            Lang::Ko => &LAB_KO,
        }
    }

    /// The cost page's texts.
    pub fn cost_texts(self) -> &'static CostTexts {
        match self {
            Lang::En => &COST_EN,
            Lang::Ko => &COST_KO,
        }
    }

    /// The token view's and the inspector's texts.
    pub fn token_texts(self) -> &'static TokenTexts {
        match self {
            Lang::En => &TOKEN_EN,
            Lang::Ko => &TOKEN_KO,
        }
    }
}

// Serialized only by the placeholder test, which reads every field by name.
#[cfg_attr(test, derive(serde::Serialize))]
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
    pub visitor_cookie: &'static str,
    pub cookie_as_set: &'static str,
    pub no_set_cookie_yet: &'static str,
    pub local_storage: &'static str,
    pub empty: &'static str,
    pub signed_in_as: &'static str,
    pub signed_out: &'static str,
    pub session_gone: &'static str,
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
    visitor_cookie: "Your browser also holds authlens_visitor: it only tells your listings, lab and probes apart from other visitors' of this demo. It is not a login, and not the session cookie.",
    cookie_as_set: "The cookie as the server last set it (from the server's trace: fetch never shows Set-Cookie to a page)",
    no_set_cookie_yet: "No Set-Cookie since this page loaded: log in to see one.",
    local_storage: "localStorage",
    empty: "(empty)",
    signed_in_as: "Signed in as",
    signed_out: "Signed out",
    session_gone: "Signed out: the server has no session with this id. It was logged out, it expired, or it was lost when a server keeping sessions in memory restarted (a Redis store keeps them).",
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
    visitor_cookie: "브라우저에는 authlens_visitor 쿠키도 있습니다. 이 데모에서 내 목록·실험실·프로브를 다른 방문자의 것과 구분할 때만 씁니다. 로그인도 아니고 세션 쿠키도 아닙니다.",
    cookie_as_set: "서버가 마지막으로 설정한 쿠키 (서버의 trace에서 가져옴. fetch는 페이지에 Set-Cookie를 보여 주지 않습니다)",
    no_set_cookie_yet: "이 페이지를 연 뒤로 받은 Set-Cookie가 없습니다. 로그인하면 보입니다.",
    local_storage: "localStorage",
    empty: "(비어 있음)",
    signed_in_as: "로그인한 사용자",
    signed_out: "로그아웃됨",
    session_gone: "로그아웃됨: 서버에 이 id의 세션이 없습니다. 로그아웃했거나, 만료되었거나, 세션을 메모리에 두는 서버가 재시작되며 사라졌습니다 (Redis 저장소라면 남아 있습니다).",
    status_unknown: "아직 확인하지 않음",
};

/// What the token view and the `/inspect` page say.
// Serialized only by the placeholder test, which reads every field by name.
#[cfg_attr(test, derive(serde::Serialize))]
pub struct TokenTexts {
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_inspect: &'static str,
    pub view_title: &'static str,
    pub header: &'static str,
    pub payload: &'static str,
    pub signature: &'static str,
    pub claims: &'static str,
    pub claim: &'static str,
    pub value: &'static str,
    pub meaning: &'static str,
    pub lifetime: &'static str,
    pub seconds_left: &'static str,
    pub expired: &'static str,
    pub no_expiry: &'static str,
    pub inspect_title: &'static str,
    pub inspect_intro: &'static str,
    pub stays_here: &'static str,
    pub token_label: &'static str,
    pub token_placeholder: &'static str,
    pub key_label: &'static str,
    pub key_hint: &'static str,
    pub verdict: &'static str,
    pub paste_a_token: &'static str,
    pub paste_a_key: &'static str,
    pub decoded_fine: &'static str,
    // Why a token cannot be read.
    pub err_empty: &'static str,
    pub err_part_count: &'static str,
    pub err_not_base64: &'static str,
    pub err_not_json: &'static str,
    pub err_not_object: &'static str,
    // Why a key cannot be used.
    pub key_unsupported_jwk: &'static str,
    pub key_unsupported_pem: &'static str,
    pub key_bad_bytes: &'static str,
    // The verdict, one line per check.
    pub check_alg_none: &'static str,
    pub check_unsupported_alg: &'static str,
    pub check_key_mismatch: &'static str,
    pub check_signature_valid: &'static str,
    pub check_signature_invalid: &'static str,
    pub check_expired: &'static str,
    pub check_not_expired: &'static str,
    pub check_no_expiry: &'static str,
    pub check_not_yet_valid: &'static str,
    pub passed: &'static str,
    pub failed: &'static str,
}

pub const TOKEN_EN: TokenTexts = TokenTexts {
    nav_label: "Pages",
    nav_home: "Two logins",
    nav_inspect: "Token inspector",
    view_title: "The access token, decoded",
    header: "Header",
    payload: "Payload",
    signature: "Signature",
    claims: "Claims",
    claim: "Claim",
    value: "Value",
    meaning: "What it means",
    lifetime: "Until exp",
    seconds_left: "s left",
    expired: "Expired: every server now refuses this token",
    no_expiry: "This token has no exp: it never expires by itself.",
    inspect_title: "Token inspector",
    inspect_intro: "Paste any JWT to see what it says, and a key to check its signature.",
    stays_here: "Everything happens in this page: the token and the key are never sent anywhere.",
    token_label: "Token (JWT)",
    token_placeholder: "eyJhbGciOi…",
    key_label: "Key to verify with",
    key_hint: "An HMAC secret as plain text, or an Ed25519 public key as a JWK, a JWKS (such as /.well-known/jwks.json) or a PEM PUBLIC KEY.",
    verdict: "Verdict",
    paste_a_token: "Paste a token above to decode it.",
    paste_a_key: "Paste a key to check the signature. Decoding needs no key: anyone can read a JWT.",
    decoded_fine: "Decoded. Reading a JWT needs no key: its contents are only encoded, not encrypted.",
    err_empty: "There is no token to read.",
    err_part_count: "A JWT has three parts separated by dots (header.payload.signature); this text has a different number of parts:",
    err_not_base64: "This part is not valid base64url (the alphabet A–Z a–z 0–9 - _ without padding):",
    err_not_json: "This part decodes, but not to JSON:",
    err_not_object: "This part is JSON, but not an object { … }:",
    key_unsupported_jwk: "This JSON is not a key this page can use: give an Ed25519 (OKP) or oct JWK, or a JWKS holding one.",
    key_unsupported_pem: "This PEM is not an Ed25519 PUBLIC KEY.",
    key_bad_bytes: "The key material does not decode to a key of the right size.",
    check_alg_none: "alg is \"none\": the token carries no signature. No server should ever accept it.",
    check_unsupported_alg: "This page checks HS256, HS384, HS512 and EdDSA; the token names",
    check_key_mismatch: "The key is the wrong kind for the token's algorithm (a secret for HMAC, a public key for EdDSA). Mixing them is the classic algorithm-confusion attack:",
    check_signature_valid: "Signature valid: the header and payload are exactly what the key holder signed, with",
    check_signature_invalid: "Signature does not match: the token was changed after signing, or signed with another key, using",
    check_expired: "Expired: exp is in the past (no leeway), at",
    check_not_expired: "Not expired: exp is at",
    check_no_expiry: "No exp claim: the token never expires by itself.",
    check_not_yet_valid: "Not valid yet: nbf is in the future, at",
    passed: "passed",
    failed: "failed",
};

pub const TOKEN_KO: TokenTexts = TokenTexts {
    nav_label: "페이지",
    nav_home: "두 가지 로그인",
    nav_inspect: "토큰 검사기",
    view_title: "액세스 토큰 해독",
    header: "헤더",
    payload: "페이로드",
    signature: "서명",
    claims: "클레임",
    claim: "클레임",
    value: "값",
    meaning: "뜻",
    lifetime: "exp까지",
    seconds_left: "초 남음",
    expired: "만료됨: 이제 어느 서버도 이 토큰을 받지 않습니다",
    no_expiry: "이 토큰에는 exp가 없어서 스스로 만료되지 않습니다.",
    inspect_title: "토큰 검사기",
    inspect_intro: "JWT를 붙여 넣으면 내용을 보여 주고, 키를 넣으면 서명을 확인합니다.",
    stays_here: "모든 처리는 이 페이지 안에서 이루어집니다. 토큰과 키는 어디에도 전송되지 않습니다.",
    token_label: "토큰 (JWT)",
    token_placeholder: "eyJhbGciOi…",
    key_label: "검증에 쓸 키",
    key_hint: "HMAC 비밀값은 일반 텍스트로, Ed25519 공개키는 JWK, JWKS(예: /.well-known/jwks.json) 또는 PEM PUBLIC KEY로 넣으세요.",
    verdict: "판정",
    paste_a_token: "위에 토큰을 붙여 넣으면 해독합니다.",
    paste_a_key: "서명을 확인하려면 키를 넣으세요. 해독에는 키가 필요 없습니다. JWT는 누구나 읽을 수 있습니다.",
    decoded_fine: "해독했습니다. JWT를 읽는 데에는 키가 필요 없습니다. 내용은 인코딩되어 있을 뿐 암호화되지 않았습니다.",
    err_empty: "읽을 토큰이 없습니다.",
    err_part_count: "JWT는 점으로 나뉜 세 부분(header.payload.signature)으로 이루어집니다. 이 글의 부분 수:",
    err_not_base64: "이 부분은 올바른 base64url(패딩 없는 A–Z a–z 0–9 - _)이 아닙니다:",
    err_not_json: "이 부분은 디코딩되지만 JSON이 아닙니다:",
    err_not_object: "이 부분은 JSON이지만 객체 { … }가 아닙니다:",
    key_unsupported_jwk: "이 JSON은 이 페이지가 쓸 수 있는 키가 아닙니다. Ed25519(OKP)나 oct JWK, 또는 그런 키가 든 JWKS를 넣으세요.",
    key_unsupported_pem: "이 PEM은 Ed25519 PUBLIC KEY가 아닙니다.",
    key_bad_bytes: "키 값을 디코딩해도 올바른 크기의 키가 나오지 않습니다.",
    check_alg_none: "alg가 \"none\"입니다. 서명이 없는 토큰이므로 어떤 서버도 받아들여서는 안 됩니다.",
    check_unsupported_alg: "이 페이지는 HS256, HS384, HS512, EdDSA를 확인합니다. 토큰의 알고리즘:",
    check_key_mismatch: "토큰의 알고리즘에 맞지 않는 종류의 키입니다(HMAC에는 비밀값, EdDSA에는 공개키). 둘을 섞는 것이 전형적인 알고리즘 혼동 공격입니다:",
    check_signature_valid: "서명이 올바릅니다. 헤더와 페이로드는 키 주인이 서명한 그대로입니다. 알고리즘:",
    check_signature_invalid: "서명이 맞지 않습니다. 서명한 뒤에 토큰이 바뀌었거나 다른 키로 서명되었습니다. 알고리즘:",
    check_expired: "만료됨: exp가 이미 지났습니다(유예 없음). 만료 시각:",
    check_not_expired: "만료 전: exp 시각:",
    check_no_expiry: "exp 클레임이 없습니다. 토큰이 스스로 만료되지 않습니다.",
    check_not_yet_valid: "아직 유효하지 않음: nbf가 미래입니다. 시작 시각:",
    passed: "통과",
    failed: "실패",
};

/// The wire log and the "server holds" panels.
// Serialized only by the placeholder test, which reads every field by name.
#[cfg_attr(test, derive(serde::Serialize))]
pub struct PanelTexts {
    pub wire_title: &'static str,
    pub wire_empty: &'static str,
    pub credentials: &'static str,
    pub request_headers: &'static str,
    pub response_headers: &'static str,
    pub response_body: &'static str,
    pub received_note: &'static str,
    pub visitor_cookie_note: &'static str,
    pub emitted_note: &'static str,
    pub attr_http_only: &'static str,
    pub attr_same_site: &'static str,
    pub attr_secure: &'static str,
    pub attr_path: &'static str,
    pub attr_max_age: &'static str,
    pub server_holds: &'static str,
    pub rows: &'static str,
    pub refresh_families: &'static str,
    /// `{yours}`, `{total}`, `{backend}`.
    pub yours_of_total: &'static str,
    /// The store behind a listing, as `{backend}` says it.
    pub backend_memory: &'static str,
    pub backend_redis: &'static str,
    pub col_id: &'static str,
    /// `{shown}`, `{yours}`.
    pub listing_cut: &'static str,
    pub session_rows_caption: &'static str,
    pub refresh_rows_caption: &'static str,
    pub access_tokens_none: &'static str,
    pub col_user: &'static str,
    pub col_cart: &'static str,
    pub col_expires: &'static str,
    pub col_family: &'static str,
    pub col_state: &'static str,
    pub col_rotated: &'static str,
    pub state_active: &'static str,
    pub state_revoked: &'static str,
}

pub const PANEL_EN: PanelTexts = PanelTexts {
    wire_title: "Wire: every request this column made",
    wire_empty: "No requests yet.",
    credentials: "credentials",
    request_headers: "Request headers",
    response_headers: "Response headers",
    response_body: "Response body",
    received_note: "Added by the browser, invisible to this page's code; as the server received them:",
    visitor_cookie_note: "authlens_visitor is this demo's visitor cookie (whose listings and lab these are), not a login.",
    emitted_note: "Hidden from this page's code by fetch; as the server sent them:",
    attr_http_only: "JavaScript cannot read this cookie (document.cookie leaves it out).",
    attr_same_site: "Lax: the browser leaves it off cross-site POSTs, such as another site's form.",
    attr_secure: "Sent only over https (and to localhost, which browsers trust).",
    attr_path: "Sent with requests to every path of this site.",
    attr_max_age: "How long the browser keeps it, in seconds; 0 deletes it.",
    server_holds: "What the server holds",
    rows: "Live sessions",
    refresh_families: "Refresh families",
    yours_of_total: "{yours} yours · {total} on the server, every visitor's ({backend})",
    backend_memory: "memory",
    backend_redis: "Redis",
    col_id: "id",
    listing_cut: "Listed: the {shown} of your {yours} that expire soonest.",
    session_rows_caption: "The session store (ids shortened)",
    refresh_rows_caption: "Refresh-token families (ids shortened)",
    access_tokens_none: "Access tokens: none. The server keeps no record of the access tokens it signs; the signature is all it checks.",
    col_user: "User",
    col_cart: "Cart items",
    col_expires: "Expires",
    col_family: "Family",
    col_state: "State",
    col_rotated: "Rotated",
    state_active: "active",
    state_revoked: "revoked",
};

pub const PANEL_KO: PanelTexts = PanelTexts {
    wire_title: "네트워크: 이 칸에서 보낸 요청",
    wire_empty: "아직 요청이 없습니다.",
    credentials: "자격 증명",
    request_headers: "요청 헤더",
    response_headers: "응답 헤더",
    response_body: "응답 본문",
    received_note: "브라우저가 붙인 것으로, 이 페이지의 코드에는 보이지 않습니다. 서버가 받은 그대로:",
    visitor_cookie_note: "authlens_visitor는 이 데모의 방문자 쿠키(목록과 실험실이 누구 것인지)이며 로그인이 아닙니다.",
    emitted_note: "fetch가 이 페이지의 코드에 숨기는 것입니다. 서버가 보낸 그대로:",
    attr_http_only: "자바스크립트가 이 쿠키를 읽을 수 없습니다(document.cookie에 나오지 않음).",
    attr_same_site: "Lax: 다른 사이트의 폼처럼 교차 사이트 POST에는 브라우저가 이 쿠키를 붙이지 않습니다.",
    attr_secure: "https로만 보냅니다(브라우저가 신뢰하는 localhost 포함).",
    attr_path: "이 사이트의 모든 경로로 가는 요청에 붙습니다.",
    attr_max_age: "브라우저가 보관하는 시간(초). 0이면 지웁니다.",
    server_holds: "서버가 가진 것",
    rows: "살아 있는 세션",
    refresh_families: "리프레시 패밀리",
    yours_of_total: "내 것 {yours}개 · 서버 전체(모든 방문자) {total}개 ({backend})",
    backend_memory: "메모리",
    backend_redis: "Redis",
    col_id: "ID",
    listing_cut: "내 것 {yours}개 중 만료가 가장 이른 {shown}개만 보여 줍니다.",
    session_rows_caption: "세션 저장소 (ID는 줄여 표시)",
    refresh_rows_caption: "리프레시 토큰 패밀리 (ID는 줄여 표시)",
    access_tokens_none: "액세스 토큰: 없음. 서버는 자신이 서명한 액세스 토큰을 기록하지 않고 서명만 확인합니다.",
    col_user: "사용자",
    col_cart: "장바구니",
    col_expires: "만료",
    col_family: "패밀리",
    col_state: "상태",
    col_rotated: "교체 횟수",
    state_active: "유효",
    state_revoked: "폐기됨",
};

/// The experiments' cards and result lines.
// Serialized only by the placeholder test, which reads every field by name.
#[cfg_attr(test, derive(serde::Serialize))]
pub struct ExperimentTexts {
    pub e9_title: &'static str,
    pub e9_claim: &'static str,
    pub e9_frame_title: &'static str,
    /// The attacker site's own page (the server renders it in the frame's language).
    pub e9_site_title: &'static str,
    /// `{target}`: the origin its forms post to.
    pub e9_site_banner: &'static str,
    pub e9_site_session_frame: &'static str,
    pub e9_site_token_frame: &'static str,
    /// What the probe answers into the attacker's frames.
    pub e9_probe_acted: &'static str,
    pub e9_probe_nothing: &'static str,
    pub e9_no_attacker: &'static str,
    pub e9_attacker_page: &'static str,
    pub e9_session_form: &'static str,
    pub e9_jwt_form: &'static str,
    pub e9_same_site: &'static str,
    pub e9_second_layer: &'static str,
    pub e9_second_layer_passes: &'static str,
    pub e10_title: &'static str,
    pub e10_claim: &'static str,
    pub e10_create_sessions: &'static str,
    pub e10_issue_tokens: &'static str,
    pub e10_rows: &'static str,
    pub e10_cleaned_up: &'static str,
    pub e10_memory: &'static str,
    pub e10_memory_detail: &'static str,
    pub e10_token_bytes: &'static str,
    pub e10_failed: &'static str,
    pub section_title: &'static str,
    pub section_intro: &'static str,
    pub run: &'static str,
    /// The Run button's accessible name: `{number}` is the experiment's.
    pub run_experiment: &'static str,
    pub running: &'static str,
    pub as_claimed: &'static str,
    pub not_as_claimed: &'static str,
    pub e1_title: &'static str,
    pub e1_claim: &'static str,
    pub e1_session_rows: &'static str,
    pub e1_token_rows: &'static str,
    pub e1_refresh_rows: &'static str,
    pub e2_title: &'static str,
    pub e2_claim: &'static str,
    pub e2_cookie_by_browser: &'static str,
    pub e2_no_header: &'static str,
    pub e2_header_by_code: &'static str,
    pub e3_title: &'static str,
    pub e3_claim: &'static str,
    pub e3_cookie_read: &'static str,
    pub e3_token_read: &'static str,
    pub e3_token_read_detail: &'static str,
    pub e3_token_used: &'static str,
    pub e4_title: &'static str,
    pub e4_claim: &'static str,
    pub e4_before: &'static str,
    pub e4_logout: &'static str,
    pub e4_replay: &'static str,
    pub e5_title: &'static str,
    pub e5_claim: &'static str,
    pub e5_logout: &'static str,
    pub e5_replay: &'static str,
    pub e5_after_exp: &'static str,
    pub e5_delay: &'static str,
    pub e6_title: &'static str,
    pub e6_claim: &'static str,
    pub e6_rotate: &'static str,
    pub e6_reuse: &'static str,
    pub e6_family: &'static str,
    pub e6_after_logout: &'static str,
    pub e7_title: &'static str,
    pub e7_claim: &'static str,
    pub e7_token_bytes: &'static str,
    pub e7_cookie_bytes: &'static str,
    pub e7_crossed: &'static str,
    pub e7_chart_label: &'static str,
    pub e7_legend_token: &'static str,
    pub e7_legend_cookie: &'static str,
    pub e8_title: &'static str,
    pub e8_claim: &'static str,
    pub e8_original: &'static str,
    pub e8_tampered: &'static str,
    pub e8_tampered_detail: &'static str,
}

pub const EXPERIMENTS_EN: ExperimentTexts = ExperimentTexts {
    e9_title: "SameSite stops a cross-site form; no form can send a bearer token",
    e9_claim: "A page on another site posts forms to this server. The browser leaves the SameSite=Lax cookie off, and a form has no way to add an Authorization header. The same request from this site does carry the cookie.",
    e9_frame_title: "The attacker site (a different site: the other name of this loopback address)",
    e9_site_title: "A different site",
    e9_site_banner: "attacker site — this page is on another site and just posted two forms to {target}.",
    e9_site_session_frame: "session form result",
    e9_site_token_frame: "token form result",
    e9_probe_acted: "The request carried a live session: it acted as you.",
    e9_probe_nothing: "No session came with this request: nothing happened.",
    e9_no_attacker: "This server runs no attacker site",
    e9_attacker_page: "The attacker's page",
    e9_session_form: "Its form to the session flow: what arrived",
    e9_jwt_form: "Its form to the token flow: what arrived",
    e9_same_site: "The same POST from this site, for contrast",
    e9_second_layer: "Second layer, beside SameSite: every state-changing route refuses a request the browser marks as from another site (403 cross_site_request), even one that would carry a cookie. The attacker's form was marked by",
    e9_second_layer_passes: "The second layer lets this site's own POST through: nothing marks it as from another site",
    e10_title: "Server memory grows with sessions, not with JWTs",
    e10_claim: "Every live session is a row the server keeps; a signed token is handed out and forgotten. The server reports your rows and its resident memory before and while the batch is held, then removes the batch at once.",
    e10_create_sessions: "Create 10,000 sessions",
    e10_issue_tokens: "Issue 10,000 JWTs",
    e10_rows: "Your session store rows",
    e10_cleaned_up: "Removed again once measured: your rows, resident memory",
    e10_memory: "Server resident memory",
    e10_memory_detail: "{before} → {after} ({per_item} B per item)",
    e10_token_bytes: "Bytes each token adds to every request instead",
    e10_failed: "The server refused",
    section_title: "Experiments: each textbook claim, run live",
    section_intro: "Each button makes real requests to this server and reads this browser's storage; nothing shown is typed in advance.",
    run: "Run",
    run_experiment: "Run experiment {number}",
    running: "Running…",
    as_claimed: "✓ as claimed:",
    not_as_claimed: "✗ not as claimed:",
    e1_title: "A session login creates a server row; a token login does not",
    e1_claim: "The session lives on the server, so logging in writes a row. A JWT holds its own state, so only the refresh token is recorded.",
    e1_session_rows: "Session login: a new row in the session store",
    e1_token_rows: "Token login: rows written (only the refresh family, no access token)",
    e1_refresh_rows: "Now held, yours (every visitor's): refresh families / sessions",
    e2_title: "The browser sends the cookie by itself; the token needs code",
    e2_claim: "A cookie rides along with every request to its site. A bearer token goes only where the page's code puts it in an Authorization header.",
    e2_cookie_by_browser: "Session /me with no code-supplied credential: the server received the cookie",
    e2_no_header: "Token /me with no header attached",
    e2_header_by_code: "Token /me with Authorization: Bearer attached by code",
    e3_title: "An XSS payload can steal the token, not the HttpOnly cookie",
    e3_claim: "Any script running in this page, including an injected one, can read localStorage. An HttpOnly cookie is invisible to it.",
    e3_cookie_read: "document.cookie as the payload sees it (no session id)",
    e3_token_read: "localStorage token the payload reads",
    e3_token_read_detail: "{start}… ({bytes} bytes)",
    e3_token_used: "The stolen token, replayed by the attacker",
    e4_title: "Session logout kills the old cookie at once",
    e4_claim: "Logout deletes the server's row, so the same cookie, even a copy kept by someone, is worthless from that moment.",
    e4_before: "Before logout",
    e4_logout: "Logout on the server (the browser keeps its cookie)",
    e4_replay: "The old cookie, sent again by the browser",
    e5_title: "Token logout does not kill the access token",
    e5_claim: "The server checks only the signature, so a logged-out access token keeps working until its exp. The countdown shows when it finally dies.",
    e5_logout: "Token logout (refresh family revoked)",
    e5_replay: "The old access token, right after logout",
    e5_after_exp: "The same token, once exp has passed",
    e5_delay: "How long the logged-out token kept working",
    e6_title: "Refresh tokens rotate; reuse revokes the whole family",
    e6_claim: "Each refresh spends the refresh token. Presenting a spent one means it was copied: the server revokes every token of that login. Logout revokes them too.",
    e6_rotate: "First refresh (rotation)",
    e6_reuse: "The spent refresh token, presented again",
    e6_family: "The newest refresh token of that family",
    e6_after_logout: "A refresh token after logout",
    e7_title: "State in the token makes every request bigger",
    e7_claim: "Adding to the token's cart re-issues a bigger token that every request carries. The session cart stays on the server; its cookie does not grow. Past about 4 KB a token would not even fit in a cookie.",
    e7_token_bytes: "Token: credential bytes per request",
    e7_cookie_bytes: "Session: credential bytes per request",
    e7_crossed: "Items until the token passed 4,096 bytes",
    e7_chart_label: "Credential bytes per request as items are added: token bars grow, session bars stay flat; the line marks 4,096 bytes.",
    e7_legend_token: "token (Authorization header)",
    e7_legend_cookie: "session (Cookie header)",
    e8_title: "One changed character breaks the signature",
    e8_claim: "Anyone can read and edit a JWT's payload, but not re-sign it: the server notices any change.",
    e8_original: "The token as issued",
    e8_tampered: "The token with one payload character changed",
    e8_tampered_detail: "sub = {sub} · {status} · {reason}",
};

pub const EXPERIMENTS_KO: ExperimentTexts = ExperimentTexts {
    e9_title: "SameSite는 교차 사이트 폼을 막고, 어떤 폼도 Bearer 토큰을 보낼 수 없다",
    e9_claim: "다른 사이트의 페이지가 이 서버로 폼을 보냅니다. 브라우저는 SameSite=Lax 쿠키를 붙이지 않고, 폼에는 Authorization 헤더를 넣을 방법이 없습니다. 같은 요청을 이 사이트에서 보내면 쿠키가 붙습니다.",
    e9_frame_title: "공격자 사이트(다른 사이트: 이 루프백 주소의 다른 이름)",
    e9_site_title: "다른 사이트",
    e9_site_banner: "공격자 사이트 — 이 페이지는 다른 사이트에 있으며, 방금 {target}에 폼 두 개를 보냈습니다.",
    e9_site_session_frame: "세션 폼의 결과",
    e9_site_token_frame: "토큰 폼의 결과",
    e9_probe_acted: "요청에 살아 있는 세션이 실려 왔습니다. 당신으로서 실행되었습니다.",
    e9_probe_nothing: "이 요청에는 세션이 없었습니다. 아무 일도 일어나지 않았습니다.",
    e9_no_attacker: "이 서버에는 공격자 사이트가 없습니다",
    e9_attacker_page: "공격자의 페이지",
    e9_session_form: "세션 쪽으로 보낸 폼: 서버에 도착한 것",
    e9_jwt_form: "토큰 쪽으로 보낸 폼: 서버에 도착한 것",
    e9_same_site: "비교: 같은 POST를 이 사이트에서 보낼 때",
    e9_second_layer: "SameSite 옆의 두 번째 방어선: 상태를 바꾸는 모든 경로는 브라우저가 다른 사이트에서 왔다고 표시한 요청을 거절합니다(403 cross_site_request). 쿠키가 붙은 요청이라도 마찬가지입니다. 공격자의 폼을 드러낸 헤더",
    e9_second_layer_passes: "두 번째 방어선은 이 사이트가 직접 보낸 POST를 통과시킵니다. 다른 사이트에서 왔다는 표시가 없기 때문입니다",
    e10_title: "서버 메모리는 세션 수에 따라 늘고 JWT 수에는 늘지 않는다",
    e10_claim: "살아 있는 세션마다 서버가 행을 하나씩 보관합니다. 서명한 토큰은 건네주고 잊어버립니다. 서버가 만들기 전과 보관 중의 내 행 수와 상주 메모리를 직접 알려 주고, 곧바로 모두 지웁니다.",
    e10_create_sessions: "세션 10,000개 만들기",
    e10_issue_tokens: "JWT 10,000개 발급",
    e10_rows: "세션 저장소의 내 행 수",
    e10_cleaned_up: "측정 직후 다시 지움: 내 행 수, 상주 메모리",
    e10_memory: "서버 상주 메모리",
    e10_memory_detail: "{before} → {after} (항목당 {per_item} B)",
    e10_token_bytes: "대신 토큰이 요청마다 더하는 바이트",
    e10_failed: "서버가 거절함",
    section_title: "실험: 교과서의 주장을 직접 돌려 보기",
    section_intro: "각 버튼은 이 서버에 실제 요청을 보내고 이 브라우저의 저장소를 읽습니다. 미리 적어 둔 값은 하나도 없습니다.",
    run: "실행",
    run_experiment: "실험 {number} 실행",
    running: "실행 중…",
    as_claimed: "✓ 주장대로:",
    not_as_claimed: "✗ 주장과 다름:",
    e1_title: "세션 로그인은 서버에 행을 만들고, 토큰 로그인은 만들지 않는다",
    e1_claim: "세션은 서버에 있으므로 로그인하면 행이 하나 기록됩니다. JWT는 상태를 스스로 담으므로 리프레시 토큰만 기록됩니다.",
    e1_session_rows: "세션 로그인: 세션 저장소에 새 행",
    e1_token_rows: "토큰 로그인: 기록한 행 수(리프레시 패밀리뿐, 액세스 토큰은 없음)",
    e1_refresh_rows: "현재 보관 중, 내 것(모든 방문자): 리프레시 패밀리 / 세션",
    e2_title: "쿠키는 브라우저가 알아서 보내고, 토큰은 코드가 붙여야 한다",
    e2_claim: "쿠키는 해당 사이트로 가는 모든 요청에 따라붙습니다. Bearer 토큰은 페이지의 코드가 Authorization 헤더에 넣어 준 곳에만 갑니다.",
    e2_cookie_by_browser: "코드가 자격 증명을 넣지 않은 세션 /me: 서버가 쿠키를 받음",
    e2_no_header: "헤더를 붙이지 않은 토큰 /me",
    e2_header_by_code: "코드가 Authorization: Bearer를 붙인 토큰 /me",
    e3_title: "XSS 스크립트는 토큰은 훔쳐도 HttpOnly 쿠키는 못 훔친다",
    e3_claim: "이 페이지에서 도는 스크립트는 주입된 것이라도 localStorage를 읽을 수 있습니다. HttpOnly 쿠키는 보이지 않습니다.",
    e3_cookie_read: "스크립트가 본 document.cookie(세션 ID 없음)",
    e3_token_read: "스크립트가 읽은 localStorage의 토큰",
    e3_token_read_detail: "{start}… ({bytes}바이트)",
    e3_token_used: "공격자가 훔친 토큰으로 다시 보낸 요청",
    e4_title: "세션 로그아웃은 옛 쿠키를 즉시 무효로 만든다",
    e4_claim: "로그아웃하면 서버의 행이 지워지므로, 같은 쿠키는 누가 복사해 두었더라도 그 순간부터 쓸모가 없습니다.",
    e4_before: "로그아웃 전",
    e4_logout: "서버에서 로그아웃(브라우저는 쿠키를 그대로 가짐)",
    e4_replay: "브라우저가 다시 보낸 옛 쿠키",
    e5_title: "토큰 로그아웃은 액세스 토큰을 죽이지 못한다",
    e5_claim: "서버는 서명만 확인하므로 로그아웃한 액세스 토큰도 exp까지는 통합니다. 카운트다운이 언제 비로소 죽는지 보여 줍니다.",
    e5_logout: "토큰 로그아웃(리프레시 패밀리 폐기)",
    e5_replay: "로그아웃 직후의 옛 액세스 토큰",
    e5_after_exp: "exp가 지난 뒤의 같은 토큰",
    e5_delay: "로그아웃한 토큰이 계속 통한 시간",
    e6_title: "리프레시 토큰은 교체되고, 재사용하면 패밀리 전체가 폐기된다",
    e6_claim: "리프레시할 때마다 리프레시 토큰은 소모됩니다. 소모된 토큰이 다시 오면 복사되었다는 뜻이므로 서버는 그 로그인의 모든 토큰을 폐기합니다. 로그아웃도 마찬가지입니다.",
    e6_rotate: "첫 리프레시(교체)",
    e6_reuse: "다시 제시된 소모된 리프레시 토큰",
    e6_family: "그 패밀리의 가장 새 리프레시 토큰",
    e6_after_logout: "로그아웃 뒤의 리프레시 토큰",
    e7_title: "토큰에 상태를 담으면 모든 요청이 커진다",
    e7_claim: "토큰의 장바구니에 담을 때마다 더 큰 토큰이 새로 발급되고, 모든 요청이 그 토큰을 싣고 갑니다. 세션의 장바구니는 서버에 있어 쿠키 크기가 그대로입니다. 4KB를 넘으면 토큰은 쿠키에 들어가지도 못합니다.",
    e7_token_bytes: "토큰: 요청당 자격 증명 바이트",
    e7_cookie_bytes: "세션: 요청당 자격 증명 바이트",
    e7_crossed: "토큰이 4,096바이트를 넘기까지 담은 개수",
    e7_chart_label: "항목을 담을수록 요청당 자격 증명 바이트: 토큰 막대는 길어지고 세션 막대는 그대로입니다. 선은 4,096바이트입니다.",
    e7_legend_token: "토큰(Authorization 헤더)",
    e7_legend_cookie: "세션(Cookie 헤더)",
    e8_title: "한 글자만 바꿔도 서명이 깨진다",
    e8_claim: "JWT의 페이로드는 누구나 읽고 고칠 수 있지만 다시 서명할 수는 없습니다. 서버는 어떤 변경도 알아챕니다.",
    e8_original: "발급된 그대로의 토큰",
    e8_tampered: "페이로드 한 글자를 바꾼 토큰",
    e8_tampered_detail: "sub = {sub} · {status} · 서버의 답(API는 영어로 답합니다): {reason}",
};

/// What a registered or authlens claim (or header field) means, in a sentence.
pub fn claim_meaning(lang: Lang, name: &str) -> Option<&'static str> {
    let (en, ko) = match name {
        "iss" => (
            "Issuer: who made and signed the token.",
            "발급자: 토큰을 만들고 서명한 쪽.",
        ),
        "sub" => (
            "Subject: whom the token is about (the user).",
            "주체: 토큰이 가리키는 대상(사용자).",
        ),
        "aud" => (
            "Audience: the service meant to accept it.",
            "대상: 이 토큰을 받아야 할 서비스.",
        ),
        "exp" => (
            "Expires at: after this moment every server refuses it.",
            "만료 시각: 이 시각이 지나면 모든 서버가 거부합니다.",
        ),
        "iat" => ("Issued at: when it was signed.", "발급 시각: 서명한 시각."),
        "nbf" => (
            "Not before: refused until this moment.",
            "시작 시각: 이 시각 전에는 거부됩니다.",
        ),
        "jti" => (
            "Token id: unique per token, so one can be recognised (or denylisted).",
            "토큰 ID: 토큰마다 고유해서 하나를 가려낼(또는 차단할) 수 있습니다.",
        ),
        "name" => (
            "Display name, carried so the server need not look it up.",
            "표시 이름. 서버가 따로 조회하지 않도록 토큰에 담겨 있습니다.",
        ),
        "cart" => (
            "The cart, kept in the token: every request carries it.",
            "장바구니. 토큰 안에 있어서 요청마다 함께 전송됩니다.",
        ),
        "fid" => (
            "Refresh family: every refresh token descended from one login.",
            "리프레시 패밀리: 한 번의 로그인에서 이어진 모든 리프레시 토큰.",
        ),
        "alg" => (
            "Signature algorithm. The server decides which one it accepts, never the token.",
            "서명 알고리즘. 무엇을 받을지는 토큰이 아니라 서버가 정합니다.",
        ),
        "typ" => (
            "Token type: at+jwt for access tokens, so a refresh token is never taken for one.",
            "토큰 종류: 액세스 토큰은 at+jwt라서 리프레시 토큰과 혼동되지 않습니다.",
        ),
        "kid" => (
            "Key id: which of the issuer's published keys signed it.",
            "키 ID: 발급자가 공개한 키 중 어느 것으로 서명했는지.",
        ),
        _ => return None,
    };
    Some(match lang {
        Lang::En => en,
        Lang::Ko => ko,
    })
}

/// `template` with each `{name}` replaced by its value: the translation decides the order.
pub fn fill_named(template: &str, values: &[(&str, String)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table's texts by field name, English beside Korean.
    fn every_table() -> Vec<(&'static str, serde_json::Value, serde_json::Value)> {
        fn pair<T: Serialize>(
            table: &'static str,
            en: &T,
            ko: &T,
        ) -> (&'static str, serde_json::Value, serde_json::Value) {
            let json = |texts: &T| serde_json::to_value(texts).expect("texts serialize");
            (table, json(en), json(ko))
        }
        vec![
            pair("Texts", &EN, &KO),
            pair("PanelTexts", &PANEL_EN, &PANEL_KO),
            pair("ExperimentTexts", &EXPERIMENTS_EN, &EXPERIMENTS_KO),
            pair("TokenTexts", &TOKEN_EN, &TOKEN_KO),
            pair("ComparisonTexts", &COMPARISON_EN, &COMPARISON_KO),
            pair("CostTexts", &COST_EN, &COST_KO),
            pair("LabTexts", &LAB_EN, &LAB_KO),
        ]
    }

    /// The named placeholders (`{total}`) in a text.
    fn placeholders(text: &str) -> std::collections::BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .filter(|name| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            })
            .collect()
    }

    #[test]
    fn every_translation_has_the_same_named_placeholders_and_none_is_positional() {
        let mut checked = 0;
        for (table, en, ko) in every_table() {
            let (en, ko) = (en.as_object().unwrap(), ko.as_object().unwrap());
            assert_eq!(en.len(), ko.len(), "{table}");
            for (field, english) in en {
                let english = english.as_str().unwrap();
                let korean = ko[field].as_str().unwrap();
                assert_eq!(
                    placeholders(english),
                    placeholders(korean),
                    "{table}.{field}: {english:?} / {korean:?}"
                );
                for text in [english, korean] {
                    assert!(
                        !text.contains("{}"),
                        "{table}.{field}: a positional placeholder in {text:?}"
                    );
                }
                checked += 1;
            }
        }
        // The check has teeth: it read every table, placeholders included.
        assert!(checked > 300, "{checked} texts");
        assert_eq!(
            placeholders(PANEL_EN.yours_of_total),
            ["backend", "total", "yours"].into_iter().collect()
        );
    }

    #[test]
    fn named_placeholders_are_in_both_languages_and_filled() {
        for panel in [&PANEL_EN, &PANEL_KO] {
            for name in ["{yours}", "{total}", "{backend}"] {
                assert!(panel.yours_of_total.contains(name), "{name}");
            }
            for name in ["{shown}", "{yours}"] {
                assert!(panel.listing_cut.contains(name), "{name}");
            }
        }
        let filled = fill_named(
            PANEL_KO.listing_cut,
            &[("shown", "100".into()), ("yours", "250".into())],
        );
        assert_eq!(
            filled,
            "내 것 250개 중 만료가 가장 이른 100개만 보여 줍니다."
        );
    }

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
        assert_ne!(TOKEN_EN.stays_here, TOKEN_KO.stays_here);
        assert_ne!(
            TOKEN_EN.check_signature_invalid,
            TOKEN_KO.check_signature_invalid
        );
    }

    #[test]
    fn every_claim_authlens_issues_is_explained_in_both_languages() {
        for claim in [
            "iss", "sub", "aud", "exp", "iat", "jti", "name", "cart", "fid", "alg", "typ", "kid",
        ] {
            let (en, ko) = (
                claim_meaning(Lang::En, claim),
                claim_meaning(Lang::Ko, claim),
            );
            assert!(en.is_some() && ko.is_some() && en != ko, "{claim}");
        }
        assert_eq!(claim_meaning(Lang::En, "made-up"), None);
    }
}
