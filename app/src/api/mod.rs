//! The JSON shapes of the auth API, shared by the server (which produces them)
//! and the browser (which reads them), so the two can never drift apart.

pub mod bench;
pub mod cluster;

use serde::{Deserialize, Serialize};

/// Name of the session cookie the server sets (`HttpOnly`, so scripts never see it), on
/// plain http.
pub const SESSION_COOKIE: &str = "authlens_sid";
/// Name of the visitor cookie: which visitor of this demo a browser is (its listings, its lab,
/// its probes). Not a login: it is never the session cookie under study.
pub const VISITOR_COOKIE: &str = "authlens_visitor";
/// The names wherever the cookies are `Secure` (https, and http://localhost). A browser keeps a
/// `__Host-` cookie only if it is `Secure`, has `Path=/` and no `Domain`: no sibling subdomain
/// and no plain-http page can set one, so a cookie tossed in from elsewhere cannot pass for ours.
pub const SESSION_COOKIE_HOST: &str = "__Host-authlens_sid";
pub const VISITOR_COOKIE_HOST: &str = "__Host-authlens_visitor";
/// A lab node's session cookie (`Path=/lb`, so it never meets the app's own).
pub const LAB_SESSION_COOKIE: &str = "lab_authlens_sid";
/// The lab balancer's affinity cookie: the number of the node a visitor sticks to.
pub const AFFINITY_COOKIE: &str = "authlens_lb";
/// authlens's own cookies that hold an id, by exact name: the trace shortens their values. A
/// name that merely ends the same way (`corp_authlens_sid`) is another app's.
const OWN_ID_COOKIES: [&str; 5] = [
    SESSION_COOKIE,
    SESSION_COOKIE_HOST,
    VISITOR_COOKIE,
    VISITOR_COOKIE_HOST,
    LAB_SESSION_COOKIE,
];

/// The session cookie's name, for a cookie that is `Secure` or not.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SESSION_COOKIE_HOST
    } else {
        SESSION_COOKIE
    }
}

/// The visitor cookie's name, for a cookie that is `Secure` or not.
pub fn visitor_cookie_name(secure: bool) -> &'static str {
    if secure {
        VISITOR_COOKIE_HOST
    } else {
        VISITOR_COOKIE
    }
}
/// `localStorage` key of the access token kept by the JWT column.
pub const ACCESS_TOKEN_KEY: &str = "authlens.access_token";
/// `localStorage` key of the refresh token kept by the JWT column.
pub const REFRESH_TOKEN_KEY: &str = "authlens.refresh_token";

/// A seeded demo account; the page shows these so visitors can log in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: &'static str,
    pub password: &'static str,
    pub display_name: &'static str,
}

impl DemoAccount {
    /// The login request with this account's name and password, as the page sends it.
    pub fn login(&self) -> LoginRequest {
        LoginRequest {
            username: self.username.to_owned(),
            password: self.password.to_owned(),
        }
    }

    /// [`Self::login`] as a JSON body.
    pub fn login_json(&self) -> serde_json::Value {
        serde_json::to_value(self.login()).unwrap_or_default()
    }
}

pub const DEMO_ACCOUNTS: [DemoAccount; 2] = [
    DemoAccount {
        username: "alice",
        password: "wonderland",
        display_name: "Alice",
    },
    DemoAccount {
        username: "bob",
        password: "builder",
        display_name: "Bob",
    },
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// What the page may send as a JSON body: the contract's request types, and nothing made up
/// on the spot (the client's `Body` is made from these only).
pub trait RequestBody: Serialize {}

impl RequestBody for LoginRequest {}
impl RequestBody for CartRequest {}
impl RequestBody for RefreshRequest {}
impl RequestBody for BulkRequest {}
impl RequestBody for cluster::Settings {}
impl RequestBody for NoFields {}

/// `{}`: the body of a POST that carries nothing (logouts, a new probe nonce, the lab's controls).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoFields {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserView {
    pub username: String,
    pub display_name: String,
}

/// What the server tells the page about a session. The id is shortened on purpose:
/// the whole id is a bearer credential and only ever travels in the cookie.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionView {
    pub id: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// The earlier of the idle and the absolute deadline, Unix milliseconds.
    pub expires_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionResponse {
    pub user: UserView,
    pub session: SessionView,
    pub cart: Vec<String>,
    pub trace: Trace,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LogoutResponse {
    pub logged_out: bool,
    pub trace: Trace,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub trace: Trace,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct JwtMeResponse {
    pub user: UserView,
    pub claims: AccessClaims,
    pub trace: Trace,
}

/// What an access token says (its payload), as the server signs it and the page reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
    pub jti: String,
    pub name: String,
    /// State in the token: the cart travels with every request instead of living on the server.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cart: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CartRequest {
    pub item: String,
}

/// Longest cart item accepted, in characters.
pub const MAX_CART_ITEM_CHARS: usize = 64;
/// Most items a cart holds. Enough to push an access token well past the 4 KB a cookie can hold.
pub const MAX_CART_ITEMS: usize = 200;

/// Why a cart item is refused, or `None` if it is fine.
pub fn cart_item_problem(cart: &[String], item: &str) -> Option<&'static str> {
    if item.trim().is_empty() {
        Some("A cart item needs a name.")
    } else if item.chars().count() > MAX_CART_ITEM_CHARS {
        Some("A cart item name is at most 64 characters.")
    } else if cart.len() >= MAX_CART_ITEMS {
        Some("The cart is full (200 items).")
    } else {
        None
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// `POST /api/jwt/cart`: a new access token carrying the bigger cart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CartTokenResponse {
    pub access_token: String,
    /// Size of the new token in bytes: what every request now carries.
    pub token_bytes: usize,
    pub cart: Vec<String>,
    pub trace: Trace,
}

/// One row of `GET /api/session/store`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionRow {
    pub id: String,
    pub username: String,
    pub cart_items: usize,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
/// `GET /api/session/store`: this visitor's sessions, and the server's total.
pub struct SessionListing {
    #[serde(flatten)]
    pub counts: ListingCounts,
    /// Your rows, soonest expiry first.
    pub sessions: Vec<SessionRow>,
}

/// What both store listings say besides their rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ListingCounts {
    /// Where the rows live (`memory`, `redis`).
    pub backend: String,
    /// Live rows the server holds, every visitor's.
    pub total: usize,
    /// Live rows this visitor's browser created.
    pub yours: usize,
    /// The most rows listed: past it, the rows are the `limit` of yours soonest to expire.
    pub limit: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FamilyState {
    /// The family's newest refresh token can still be used.
    Active,
    /// Revoked by logout or by reuse of an already-rotated token.
    Revoked,
}

/// One row of `GET /api/jwt/refresh-store`: a login's chain of refresh tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RefreshFamilyRow {
    pub family: String,
    pub username: String,
    pub state: FamilyState,
    /// Refresh tokens of this family already rotated out (each now invalid).
    pub rotated: u32,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
/// `GET /api/jwt/refresh-store`: this visitor's refresh families, and the server's total.
pub struct RefreshListing {
    #[serde(flatten)]
    pub counts: ListingCounts,
    /// Your families, soonest expiry first.
    pub families: Vec<RefreshFamilyRow>,
}

/// Who a success answer is about: the `user` that `SessionResponse` and `JwtMeResponse` share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerUser {
    pub user: UserView,
}

/// `GET /api/lab/attacker`: where this page's browser reaches the attacker site of
/// experiments 9 and 15.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AttackerAddress {
    /// A bare origin (`https://attacker.example`, `http://localhost:4000`): the public one the
    /// server was started with (`--attacker-origin`), or for a browser on the server's machine
    /// the loopback listener under the other loopback name.
    pub origin: String,
    /// The attacker origin shares this page's registrable domain (a set-up mistake): the
    /// browser would treat both as one site, and SameSite would not apply between them.
    #[serde(default)]
    pub same_site: bool,
}

/// `POST /api/lab/csrf-probes`: a nonce for this visitor's next probe run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProbeNonce {
    /// Tags the probes of one run: pass it to the attacker page and the probe endpoint.
    pub nonce: String,
}

/// One request the cross-site probe received (experiment 9): `GET /api/lab/csrf-probes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProbeRecord {
    pub nonce: String,
    pub flow: String,
    /// Whether the browser attached the session cookie.
    pub cookie_sent: bool,
    /// Whether an `Authorization` header came along (a form can never add one).
    pub authorization_sent: bool,
    /// The browser's own word on where the request came from (`cross-site`, `same-origin`…).
    pub sec_fetch_site: Option<String>,
    pub origin: Option<String>,
    /// What the second CSRF layer says of this request, as every state-changing route checks
    /// it: the header that shows it came from another site (`Sec-Fetch-Site: cross-site`), or
    /// `None` when it would pass. The probe itself records rather than refuses.
    pub refused_by: Option<String>,
    /// What the request achieved: 200 if it acted as the logged-in user, 401 if not.
    pub status: u16,
    /// Experiment 15: which of this run's SameSite test cookies came along, by name.
    #[serde(default)]
    pub test_cookies: Vec<String>,
    /// The fields the server cut to a few hundred bytes (a header that long is no browser's),
    /// by name; empty when the record is whole.
    #[serde(default)]
    pub cut: Vec<String>,
}

/// Experiment 15's test cookies, one per way a `SameSite` attribute can be written. Each is set
/// on `SAMESITE_COOKIE_PATH` only, so it rides on no other request.
pub const SAMESITE_TEST_COOKIES: [SameSiteTestCookie; 4] = [
    SameSiteTestCookie {
        name: "authlens_test_lax",
        attributes: "SameSite=Lax",
    },
    SameSiteTestCookie {
        name: "authlens_test_none",
        attributes: "SameSite=None",
    },
    SameSiteTestCookie {
        name: "authlens_test_none_secure",
        attributes: "SameSite=None; Secure",
    },
    SameSiteTestCookie {
        name: "authlens_test_unset",
        attributes: "",
    },
];

/// The path experiment 15's test cookies are scoped to.
pub const SAMESITE_COOKIE_PATH: &str = "/api/lab/samesite";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SameSiteTestCookie {
    pub name: &'static str,
    /// The attributes it is set with besides `Path` and `Max-Age` (empty: no `SameSite`).
    pub attributes: &'static str,
}

/// `POST /api/lab/samesite/cookies`: the run's nonce (each test cookie's value) and the
/// `Set-Cookie` lines the server sent, which fetch hides from the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SameSiteCookiesSet {
    pub nonce: String,
    pub set_cookie: Vec<String>,
}

/// `GET /api/lab/samesite/cookies`: the test cookies this request carried (a same-origin
/// request carries every one the browser stored), by name, with the run they belong to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SameSiteCookiesStored {
    pub received: Vec<SameSiteCookieSeen>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SameSiteCookieSeen {
    pub name: String,
    /// The nonce it holds: which run set it.
    pub nonce: String,
}

/// What experiment 10 creates in bulk (`POST /api/lab/bulk`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BulkKind {
    Sessions,
    Tokens,
}

/// The most records one bulk run may create.
pub const MAX_BULK: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkRequest {
    pub kind: BulkKind,
    /// 1 to 100 000; `3.0` is the integer 3, as JSON Schema counts it.
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 100_000))]
    #[serde(deserialize_with = "whole_number")]
    pub count: usize,
}

/// A whole number as JSON Schema's `integer` reads it: `3` or `3.0`, never `3.5` or `-1`.
fn whole_number<'de, D: serde::Deserializer<'de>>(input: D) -> Result<usize, D::Error> {
    use serde::de::Error;
    let number = serde_json::Number::deserialize(input)?;
    let whole = match number.as_u64() {
        Some(n) => Some(n),
        None => number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64)
            .map(|f| f as u64),
    };
    whole
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| D::Error::custom(format!("{number} is not a whole number of rows")))
}

/// What one bulk run cost. The rows are this visitor's, counted by owner (other visitors'
/// logins never move them); they are removed as soon as the measurement is taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkResponse {
    pub kind: BulkKind,
    pub created: usize,
    pub backend: String,
    /// Your session rows before the run, while its batch was held, and after its cleanup.
    pub your_session_rows_before: usize,
    pub your_session_rows_held: usize,
    pub your_session_rows_after: usize,
    /// Your refresh families before the run and while its batch was held.
    pub your_refresh_rows_before: usize,
    pub your_refresh_rows_held: usize,
    /// Every visitor's session rows while the batch was held.
    pub server_session_rows_held: usize,
    /// Resident memory of this process (from /proc/self/statm; None where unavailable): before,
    /// with the batch held, and after the cleanup has given the memory back.
    pub resident_bytes_before: Option<u64>,
    pub resident_bytes_held: Option<u64>,
    pub resident_bytes_after: Option<u64>,
    /// Bytes of the tokens issued (for tokens): the cost moved to the wire.
    pub token_bytes_total: usize,
    pub elapsed_ms: u64,
}

/// Every error code the API answers with, in `ErrorBody::error`: what a client branches on.
/// (The message beside it is for people.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidCredentials,
    NoSession,
    InvalidSession,
    BadRequest,
    StoreUnavailable,
    ServerBusy,
    MissingToken,
    InvalidToken,
    RefreshTokenReused,
    RefreshTokenRevoked,
    RefreshTokenUnknown,
    InternalError,
    PayloadTooLarge,
    RequestTimeout,
    NotFound,
    MethodNotAllowed,
    TooManyRequests,
    LabBusy,
    LabUnavailable,
    NoCluster,
    /// The visitor's lab cluster ran on another server process, which this request did not
    /// reach (it stopped): a new one must be set up here.
    LabGone,
    NoSuchNode,
    UnknownAction,
    CentralIsRedis,
    NoCentralStore,
    NoNodeUp,
    BadGateway,
    GatewayTimeout,
    NoAttackerSite,
    NoPublicKey,
    Forbidden,
    /// A state-changing request that the browser says came from another site (CSRF, layer 2).
    CrossSiteRequest,
    NoBenchResults,
    BenchResultsUnreadable,
}

impl ErrorCode {
    /// The code as it appears on the wire (`invalid_session`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::NoSession => "no_session",
            ErrorCode::InvalidSession => "invalid_session",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::StoreUnavailable => "store_unavailable",
            ErrorCode::ServerBusy => "server_busy",
            ErrorCode::MissingToken => "missing_token",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::RefreshTokenReused => "refresh_token_reused",
            ErrorCode::RefreshTokenRevoked => "refresh_token_revoked",
            ErrorCode::RefreshTokenUnknown => "refresh_token_unknown",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::LabBusy => "lab_busy",
            ErrorCode::LabUnavailable => "lab_unavailable",
            ErrorCode::NoCluster => "no_cluster",
            ErrorCode::LabGone => "lab_gone",
            ErrorCode::NoSuchNode => "no_such_node",
            ErrorCode::UnknownAction => "unknown_action",
            ErrorCode::CentralIsRedis => "central_is_redis",
            ErrorCode::NoCentralStore => "no_central_store",
            ErrorCode::NoNodeUp => "no_node_up",
            ErrorCode::BadGateway => "bad_gateway",
            ErrorCode::GatewayTimeout => "gateway_timeout",
            ErrorCode::NoAttackerSite => "no_attacker_site",
            ErrorCode::NoPublicKey => "no_public_key",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CrossSiteRequest => "cross_site_request",
            ErrorCode::NoBenchResults => "no_bench_results",
            ErrorCode::BenchResultsUnreadable => "bench_results_unreadable",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every error the API answers has this body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
}

/// What the server saw and did for one request: the parts of the exchange
/// that the browser hides from JavaScript, and the work done behind them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Trace {
    /// Request headers as the server received them: the ones the page's code sets
    /// (`Authorization`, `Content-Type`) and the ones only the browser sets, which the page
    /// cannot read back (`Cookie`, `Origin`, `Sec-Fetch-Site`, `-Mode`, `-Dest`).
    pub received: Vec<HeaderLine>,
    /// Response headers fetch hides from JavaScript (`Set-Cookie`).
    pub emitted: Vec<HeaderLine>,
    pub store: Vec<StoreOp>,
    pub verify: Vec<VerifyStep>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HeaderLine {
    pub name: String,
    /// The value, with the session id shortened: the trace must not hand JavaScript the
    /// very credential `HttpOnly` keeps from it.
    pub value: String,
    /// Size of the whole header as sent (`name: value`), in bytes; for `Cookie`, without the
    /// demo's own visitor cookie (bookkeeping, no credential), and 0 if that is all it held.
    pub bytes: usize,
}

/// One read, write or delete against a server-side store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StoreOp {
    pub backend: String,
    pub op: String,
    pub key: String,
    pub found: Option<bool>,
    pub micros: u64,
}

/// One step of checking a credential (signature, algorithm, claims…).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VerifyStep {
    pub step: String,
    pub ok: bool,
    pub detail: String,
}

/// Shortens a secret identifier for display: enough to tell two apart, never enough to use.
pub fn shorten_id(id: &str) -> String {
    let mut short: String = id.chars().take(6).collect();
    short.push('…');
    short
}

/// The value of a `Cookie` request header as the trace may show it to page scripts: authlens's
/// own cookies with their ids shortened, the lab balancer's node number as it is, and every
/// other cookie by name only (another app on this host may keep a credential there, and
/// echoing it would hand page scripts what `HttpOnly` keeps from them).
pub fn mask_cookie_header(header_value: &str) -> String {
    let mut masked = String::with_capacity(header_value.len());
    for pair in header_value.split(';') {
        if !masked.is_empty() {
            masked.push_str("; ");
        }
        let pair = pair.trim();
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        masked.push_str(name);
        masked.push('=');
        if OWN_ID_COOKIES.contains(&name) {
            if !value.is_empty() {
                masked.push_str(&shorten_id(value));
            }
        } else if name == AFFINITY_COOKIE && is_node_number(value) {
            masked.push_str(value);
        } else {
            masked.push_str("(hidden)");
        }
    }
    masked
}

/// A `Set-Cookie` value with the session id and the visitor id shortened; everything else
/// (the attributes) kept.
pub fn mask_session_cookie(header_value: &str) -> String {
    OWN_ID_COOKIES
        .iter()
        .fold(header_value.to_owned(), |masked, name| {
            mask_cookie(&masked, name)
        })
}

/// What the balancer writes in its affinity cookie: a node's number, a few digits.
fn is_node_number(value: &str) -> bool {
    !value.is_empty() && value.len() <= 3 && value.bytes().all(|b| b.is_ascii_digit())
}

/// `header_value` with the value of every cookie called exactly `name` shortened.
fn mask_cookie(header_value: &str, name: &str) -> String {
    let mut masked = String::with_capacity(header_value.len());
    let mut rest = header_value;
    while let Some(start) = rest.find(name) {
        let name_end = start + name.len();
        let whole_name = masked.len() + start == 0
            || rest[..start]
                .chars()
                .next_back()
                .or_else(|| masked.chars().next_back())
                .is_some_and(|before| matches!(before, ';' | ',' | ' ' | '\t'));
        if !whole_name || !rest[name_end..].starts_with('=') {
            masked.push_str(&rest[..name_end]);
            rest = &rest[name_end..];
            continue;
        }
        let value_start = name_end + 1;
        masked.push_str(&rest[..value_start]);
        let value_end = rest[value_start..]
            .find(|c: char| c == ';' || c == ',' || c.is_whitespace())
            .map_or(rest.len(), |end| value_start + end);
        let value = &rest[value_start..value_end];
        if !value.is_empty() {
            masked.push_str(&shorten_id(value));
        }
        rest = &rest[value_end..];
    }
    masked.push_str(rest);
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_prefixed_names_are_masked_as_ours() {
        assert_eq!(
            mask_cookie_header(
                "__Host-authlens_sid=abcdefghijkl; __Host-authlens_visitor=0123456789abcdefghijkl; __Host-other=x"
            ),
            "__Host-authlens_sid=abcdef…; __Host-authlens_visitor=012345…; __Host-other=(hidden)"
        );
        assert_eq!(
            mask_session_cookie("__Host-authlens_sid=abcdefghijkl; HttpOnly; Secure; Path=/"),
            "__Host-authlens_sid=abcdef…; HttpOnly; Secure; Path=/"
        );
        assert_eq!(session_cookie_name(true), "__Host-authlens_sid");
        assert_eq!(visitor_cookie_name(false), "authlens_visitor");
    }

    #[test]
    fn error_codes_are_snake_case_on_the_wire() {
        for code in [
            ErrorCode::InvalidSession,
            ErrorCode::RefreshTokenReused,
            ErrorCode::LabBusy,
        ] {
            let wire = serde_json::to_string(&code).unwrap();
            assert_eq!(wire, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&wire).unwrap(), code);
        }
    }

    #[test]
    fn other_apps_cookies_are_shown_by_name_only() {
        assert_eq!(
            mask_cookie_header(
                "proxy_auth=TOPSECRET; authlens_sid=abcdefghijkl; authlens_visitor=0123456789abcdefghijkl; authlens_lb=2; lab_authlens_sid=zyxwvutsrq"
            ),
            "proxy_auth=(hidden); authlens_sid=abcdef…; authlens_visitor=012345…; authlens_lb=2; lab_authlens_sid=zyxwvu…"
        );
        assert!(!mask_cookie_header("a=TOPSECRET").contains("TOPSECRET"));
    }

    #[test]
    fn a_bulk_count_is_any_json_schema_integer() {
        let count = |json: &str| {
            serde_json::from_str::<BulkRequest>(&format!(r#"{{"kind":"sessions","count":{json}}}"#))
                .map(|request| request.count)
        };
        assert_eq!(count("3").unwrap(), 3);
        assert_eq!(count("3.0").unwrap(), 3);
        assert!(count("3.5").is_err());
        assert!(count("-1").is_err());
        assert!(count("\"3\"").is_err());
    }

    #[test]
    fn only_authlenss_exact_names_count_as_its_own() {
        assert_eq!(
            mask_cookie_header(
                "corp_authlens_sid=CORPSECRET; xauthlens_visitor=CORPSECRET; authlens_lb=CORPSECRET; authlens_lb=3"
            ),
            "corp_authlens_sid=(hidden); xauthlens_visitor=(hidden); authlens_lb=(hidden); authlens_lb=3"
        );
        assert_eq!(
            mask_session_cookie("corp_authlens_sid=CORPSECRET; authlens_sid=abcdefghijkl"),
            "corp_authlens_sid=CORPSECRET; authlens_sid=abcdef…"
        );
        assert_eq!(
            mask_session_cookie("lab_authlens_sid=abcdefghijkl; Path=/lb"),
            "lab_authlens_sid=abcdef…; Path=/lb"
        );
    }

    #[test]
    fn visitor_ids_are_masked_too() {
        assert_eq!(
            mask_session_cookie(
                "authlens_visitor=0123456789abcdefghijkl; authlens_sid=abcdefghijkl"
            ),
            "authlens_visitor=012345…; authlens_sid=abcdef…"
        );
    }

    #[test]
    fn session_ids_are_masked_and_other_cookies_kept() {
        assert_eq!(
            mask_session_cookie("theme=dark; authlens_sid=abcdefghijkl; lang=ko"),
            "theme=dark; authlens_sid=abcdef…; lang=ko"
        );
        assert_eq!(
            mask_session_cookie("authlens_sid=abcdefghijkl; HttpOnly; SameSite=Lax; Path=/"),
            "authlens_sid=abcdef…; HttpOnly; SameSite=Lax; Path=/"
        );
        assert_eq!(
            mask_session_cookie("authlens_sid=; Max-Age=0"),
            "authlens_sid=; Max-Age=0"
        );
        assert_eq!(mask_session_cookie("a=1; b=2"), "a=1; b=2");
        assert_eq!(mask_session_cookie("authlens_sid=é"), "authlens_sid=é…");
        // Another cookie whose name merely starts the same is not the session cookie.
        assert_eq!(
            mask_session_cookie("authlens_sid_old=abcdefghijkl; authlens_sid=abcdefghijkl"),
            "authlens_sid_old=abcdefghijkl; authlens_sid=abcdef…"
        );
    }

    #[test]
    fn cart_items_are_checked() {
        assert_eq!(cart_item_problem(&[], "apple"), None);
        assert!(cart_item_problem(&[], "  ").is_some());
        assert!(cart_item_problem(&[], &"x".repeat(65)).is_some());
        assert_eq!(
            cart_item_problem(&[], &"가".repeat(64)),
            None,
            "characters, not bytes"
        );
        let full = vec!["apple".to_owned(); MAX_CART_ITEMS];
        assert!(cart_item_problem(&full, "pear").is_some());
    }

    #[test]
    fn shortened_ids_never_reveal_the_whole_id() {
        let id = "q2Zk7t0eWJ4mX9cL1vR8sYbN3hF6dA5uPoIiKjGgTtE";
        let short = shorten_id(id);
        assert_eq!(short, "q2Zk7t…");
        assert!(!short.contains(id));
    }

    #[test]
    fn error_body_has_the_documented_shape() {
        let body = ErrorBody {
            error: ErrorCode::InvalidCredentials,
            message: "Wrong username or password.".into(),
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": "invalid_credentials", "message": "Wrong username or password."})
        );
    }
}
