//! The JWT flow over HTTP, through the real router: verification under each signing
//! algorithm, refresh families in each store.

mod common;

use app::api::{AnswerUser, CartTokenResponse, ErrorBody, ErrorCode, TokenResponse};

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use serde_json::{Value, json};

use server::config::JwtAlg;
use server::jwt::{ACCESS_TYP, AUDIENCE, AccessClaims, ISSUER};

async fn login(app: &TestApp) -> (String, String) {
    let reply = app.post("/api/jwt/login", alice(), &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    (
        reply.json::<TokenResponse>().access_token,
        reply.json::<TokenResponse>().refresh_token,
    )
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn me(app: &TestApp, token: &str) -> Reply {
    app.get("/api/jwt/me", &[("authorization", &bearer(token))])
        .await
}

fn assert_invalid_token(reply: &Reply, reason: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert_eq!(reply.error_code(), ErrorCode::InvalidToken);
    let challenge = reply.header("www-authenticate");
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    assert!(challenge.contains("error_description="), "{challenge}");
    assert!(
        reply.json::<ErrorBody>().message.contains(reason),
        "expected {reason:?} in {}",
        reply.body
    );
}

/// Re-encodes one part of a token, keeping the others.
fn with_part(token: &str, index: usize, part: &Value) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[index] = URL_SAFE_NO_PAD.encode(part.to_string());
    parts.join(".")
}

fn part(token: &str, index: usize) -> Value {
    let bytes = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(index).unwrap())
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

async fn login_answers_the_documented_token_response(backend: Backend) {
    let app = start_on(backend).await;
    let reply = app.post("/api/jwt/login", alice(), &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 30);
    assert_eq!(reply.header("cache-control"), "no-store");
    assert!(
        reply.header("set-cookie").is_empty(),
        "a token login sets no cookie"
    );
    let access = reply.json::<TokenResponse>().access_token;
    assert_eq!(part(&access, 0), json!({"typ": "at+jwt", "alg": "HS256"}));
    assert_eq!(reply.body["trace"]["store"][0]["backend"], backend.name());
    let claims = part(&access, 1);
    for claim in ["iss", "sub", "aud", "iat", "exp", "jti"] {
        assert!(claims.get(claim).is_some(), "{claim} missing from {claims}");
    }
    assert_eq!(claims["sub"], "alice");
    // The only server-side record is the refresh family.
    assert_eq!(reply.body["trace"]["store"][0]["op"], "write");
    assert_eq!(app.state.jwt.service.refresh.count().await.unwrap(), 1);
    assert_eq!(app.state.session.store.count().await.unwrap(), 0);
}

async fn me_verifies_the_signature_without_touching_a_store(alg: JwtAlg) {
    let app = start_signing_with(alg).await;
    let (access, _) = login(&app).await;
    let reply = me(&app, &access).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json::<AnswerUser>().user.username, "alice");
    assert_eq!(reply.body["claims"]["aud"], AUDIENCE);
    assert_eq!(reply.body["trace"]["store"], json!([]), "no store read");
    let received = reply.body["trace"]["received"].as_array().unwrap();
    assert!(
        received.iter().any(|line| line["name"] == "authorization"),
        "{received:?}"
    );
    // The steps read as words, not as Rust's debug text (`Some("at+jwt")`).
    let alg_name = match alg {
        JwtAlg::Hs256 => "HS256",
        JwtAlg::Eddsa => "EdDSA",
    };
    assert_eq!(
        reply.body["trace"]["verify"][0]["detail"],
        format!("alg {alg_name}, typ at+jwt")
    );
    assert!(reply.header("server-timing").contains("verify;dur="));
}

#[tokio::test]
async fn no_token_gets_a_bare_bearer_challenge() {
    let app = start_default().await;
    for headers in [
        vec![],
        vec![("authorization", "Basic YWxpY2U6d29uZGVybGFuZA==")],
        vec![("authorization", "Bearer ")],
    ] {
        let reply = app.get("/api/jwt/me", &headers).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.error_code(), ErrorCode::MissingToken);
        assert_eq!(
            reply.header("www-authenticate"),
            r#"Bearer realm="authlens""#
        );
    }
}

async fn garbage_and_truncated_tokens_are_rejected(alg: JwtAlg) {
    let app = start_signing_with(alg).await;
    let (access, _) = login(&app).await;
    assert_invalid_token(&me(&app, "garbage").await, "3 dot-separated parts");
    let (signed, signature) = access.rsplit_once('.').unwrap();
    let mut forged: Vec<char> = signature.chars().collect();
    forged[5] = if forged[5] == 'A' { 'B' } else { 'A' };
    let forged = format!("{signed}.{}", forged.into_iter().collect::<String>());
    assert_invalid_token(&me(&app, &forged).await, "signature does not match");
    assert_invalid_token(
        &me(&app, &format!("{signed}.")).await,
        "signature does not match",
    );
    // Cut short, the signature is either not base64url or the wrong size, depending on the algorithm.
    let truncated = me(&app, &access[..access.len() - 10]).await;
    assert_invalid_token(&truncated, "");
    assert!(
        ["base64url", "signature does not match"]
            .iter()
            .any(|reason| truncated.json::<ErrorBody>().message.contains(reason)),
        "{}",
        truncated.body
    );
    assert_invalid_token(&me(&app, "%%%.%%%.%%%").await, "base64url");
    assert_invalid_token(&me(&app, "e30.e30.e30").await, "alg");
}

async fn changing_one_payload_character_breaks_the_signature(alg: JwtAlg) {
    let app = start_signing_with(alg).await;
    let (access, _) = login(&app).await;
    let mut claims = part(&access, 1);
    claims["sub"] = json!("bob");
    assert_invalid_token(
        &me(&app, &with_part(&access, 1, &claims)).await,
        "signature does not match",
    );
}

async fn alg_none_and_other_algorithms_never_verify(alg: JwtAlg) {
    let app = start_signing_with(alg).await;
    let (access, _) = login(&app).await;
    let none = with_part(&access, 0, &json!({"alg": "none", "typ": "at+jwt"}));
    let unsigned = format!("{}.", none.rsplit_once('.').unwrap().0);
    assert_invalid_token(&me(&app, &unsigned).await, "\"none\"");
    let accepted = part(&access, 0)["alg"].as_str().unwrap().to_owned();
    for other in ["HS256", "HS512", "RS256", "EdDSA"] {
        if other == accepted {
            continue;
        }
        let token = with_part(&access, 0, &json!({"alg": other, "typ": "at+jwt"}));
        assert_invalid_token(&me(&app, &token).await, &format!("accepts {accepted} only"));
    }
    // A token that names its own key (an attacker's) is still checked with the server's key.
    let embedded_key = with_part(
        &access,
        0,
        &json!({"alg": accepted, "typ": "at+jwt", "jwk": {"kty": "oct", "k": "AAAA"}, "kid": "attacker"}),
    );
    assert_invalid_token(&me(&app, &embedded_key).await, "signature does not match");
}

async fn a_refresh_token_is_not_an_access_token_nor_the_reverse(alg: JwtAlg) {
    let app = start_signing_with(alg).await;
    let (access, refresh) = login(&app).await;
    assert_invalid_token(&me(&app, &refresh).await, "at+jwt");
    let reply = app
        .post("/api/jwt/refresh", json!({"refresh_token": access}), &[])
        .await;
    assert_invalid_token(&reply, "refresh+jwt");
}

async fn an_expired_token_is_rejected_with_no_leeway(alg: JwtAlg) {
    let app = start_signing_with(alg).await;
    let now = app.state.jwt.service.clock.now_secs();
    let expired = AccessClaims {
        iss: ISSUER.into(),
        sub: "alice".into(),
        aud: AUDIENCE.into(),
        iat: now - 60,
        exp: now - 1,
        jti: "j".into(),
        name: "Alice".into(),
        cart: vec![],
    };
    let token = app.state.jwt.service.sign(ACCESS_TYP, &expired).unwrap();
    assert_invalid_token(&me(&app, &token).await, "expired");
}

async fn logout_revokes_the_refresh_token_but_the_access_token_lives_on(backend: Backend) {
    let app = start_on(backend).await;
    let (access, refresh) = login(&app).await;
    let logout = app
        .post("/api/jwt/logout", json!({"refresh_token": refresh}), &[])
        .await;
    assert_eq!(logout.status, StatusCode::OK, "{}", logout.body);
    assert_eq!(logout.body["logged_out"], true);
    assert_eq!(logout.body["trace"]["store"][0]["op"], "revoke");

    // The textbook point: nothing on the server can cancel a signed access token.
    assert_eq!(me(&app, &access).await.status, StatusCode::OK);
    let reply = app
        .post("/api/jwt/refresh", json!({"refresh_token": refresh}), &[])
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error_code(), ErrorCode::RefreshTokenRevoked);
}

async fn refresh_rotates_and_reuse_revokes_the_whole_family(backend: Backend) {
    let app = start_on(backend).await;
    let (_, first) = login(&app).await;
    let rotated = app
        .post("/api/jwt/refresh", json!({"refresh_token": first}), &[])
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let second = rotated.json::<TokenResponse>().refresh_token;
    assert_ne!(second, first);
    assert_eq!(
        me(&app, &rotated.json::<TokenResponse>().access_token)
            .await
            .status,
        StatusCode::OK
    );

    // An attacker replays the first refresh token.
    let reuse = app
        .post("/api/jwt/refresh", json!({"refresh_token": first}), &[])
        .await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reuse.error_code(), ErrorCode::RefreshTokenReused);
    // …and the legitimate holder's newer token dies with the family.
    let after = app
        .post("/api/jwt/refresh", json!({"refresh_token": second}), &[])
        .await;
    assert_eq!(after.error_code(), ErrorCode::RefreshTokenRevoked);

    let listing = app.get("/api/jwt/refresh-store", &[]).await;
    assert_eq!(listing.body["families"][0]["state"], "revoked");
    assert_eq!(listing.body["families"][0]["rotated"], 1);
}

async fn the_cart_grows_the_token_not_the_server(alg: JwtAlg) {
    let app = start_signing_with(alg).await;
    let (mut access, _) = login(&app).await;
    let mut sizes = vec![access.len()];
    for item in ["apple", "pear", "plum"] {
        let reply = app
            .post(
                "/api/jwt/cart",
                json!({"item": item}),
                &[("authorization", &bearer(&access))],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        access = reply.json::<CartTokenResponse>().access_token;
        assert_eq!(reply.body["token_bytes"], access.len());
        sizes.push(access.len());
    }
    assert!(sizes.windows(2).all(|pair| pair[1] > pair[0]), "{sizes:?}");
    let reply = me(&app, &access).await;
    assert_eq!(
        reply.body["claims"]["cart"],
        json!(["apple", "pear", "plum"])
    );
    assert_eq!(app.state.session.store.count().await.unwrap(), 0);
}

#[tokio::test]
async fn wrong_credentials_get_one_answer() {
    let app = start_default().await;
    let wrong = app
        .post(
            "/api/jwt/login",
            json!({"username": "alice", "password": "x"}),
            &[],
        )
        .await;
    let unknown = app
        .post(
            "/api/jwt/login",
            json!({"username": "zed", "password": "x"}),
            &[],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, unknown.body);
}

#[tokio::test]
async fn eddsa_publishes_its_public_key_and_tokens_verify_with_it_alone() {
    let app = start_signing_with(JwtAlg::Eddsa).await;
    let jwks = app.get("/.well-known/jwks.json", &[]).await;
    assert_eq!(jwks.status, StatusCode::OK);
    let key = &jwks.body["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["crv"].as_str()),
        (Some("OKP"), Some("Ed25519"))
    );
    assert!(key.get("d").is_none(), "never the private part");

    let (access, _) = login(&app).await;
    let header = part(&access, 0);
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(
        header["kid"], key["kid"],
        "the token names the published key"
    );
    // A third party verifies with nothing but the JWKS.
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.clone()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_audience(&[AUDIENCE]);
    let verified = jsonwebtoken::decode::<Value>(
        &access,
        &jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap(),
        &validation,
    )
    .expect("the token verifies with the published key");
    assert_eq!(verified.claims["sub"], "alice");
}

#[tokio::test]
async fn hs256_has_no_public_key_to_publish() {
    let app = start_default().await;
    let jwks = app.get("/.well-known/jwks.json", &[]).await;
    assert_eq!(jwks.status, StatusCode::NOT_FOUND);
    assert_eq!(jwks.error_code(), ErrorCode::NoPublicKey);
}

#[tokio::test]
async fn a_token_from_a_server_with_another_key_never_verifies() {
    let ours = start_signing_with(JwtAlg::Eddsa).await;
    let theirs = start_signing_with(JwtAlg::Eddsa).await;
    let (foreign, _) = login(&theirs).await;
    assert_invalid_token(&me(&ours, &foreign).await, "signature does not match");
}

for_each_store!(
    login_answers_the_documented_token_response,
    logout_revokes_the_refresh_token_but_the_access_token_lives_on,
    refresh_rotates_and_reuse_revokes_the_whole_family,
);

/// `header` and `payload` signed with the server's own key: a token only a holder of the key
/// could make, so what the server refuses in it is refused for its claims, not its signature.
fn signed_by_the_server(app: &TestApp, header: &Value, payload: &Value) -> String {
    let keys = &app.state.jwt.service.keys;
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &keys.encoding, keys.algorithm)
        .expect("the server's key signs");
    format!("{message}.{signature}")
}

async fn crit_b64_nbf_and_iat_are_checked_on_validly_signed_tokens(alg: JwtAlg) {
    let app = start_signing_with(alg).await;
    let (access, _) = login(&app).await;
    let header = part(&access, 0);
    let claims = part(&access, 1);
    let now = app.state.jwt.service.clock.now_secs();
    let with_header = |extra: Value| {
        let mut header = header.clone();
        header
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        signed_by_the_server(&app, &header, &claims)
    };
    let with_claims = |extra: Value| {
        let mut claims = claims.clone();
        claims
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        signed_by_the_server(&app, &header, &claims)
    };
    // The check has teeth: the same signing, with nothing changed, verifies.
    assert_eq!(
        me(&app, &with_claims(json!({}))).await.status,
        StatusCode::OK
    );
    assert_eq!(
        me(&app, &with_claims(json!({"nbf": now - 10})))
            .await
            .status,
        StatusCode::OK,
        "an nbf in the past is fine"
    );
    for (token, reason) in [
        (with_header(json!({"crit": ["foo"]})), "crit"),
        (with_header(json!({"crit": []})), "crit"),
        (with_header(json!({"b64": false, "crit": ["b64"]})), "crit"),
        (with_header(json!({"b64": false})), "b64"),
        (
            with_claims(json!({"nbf": now + 1_000_000})),
            "not valid yet",
        ),
        (with_claims(json!({"nbf": "x"})), "nbf must be a number"),
        (
            with_claims(json!({"iat": now + 3_600})),
            // 3600, or 3599 when the clock's second turned since `now`
            "s in the future",
        ),
        (
            with_claims(json!({"iat": now + 3, "exp": now + 2})),
            "issued after it expires",
        ),
    ] {
        assert_invalid_token(&me(&app, &token).await, reason);
    }
}

for_each_alg!(
    crit_b64_nbf_and_iat_are_checked_on_validly_signed_tokens,
    me_verifies_the_signature_without_touching_a_store,
    garbage_and_truncated_tokens_are_rejected,
    changing_one_payload_character_breaks_the_signature,
    alg_none_and_other_algorithms_never_verify,
    a_refresh_token_is_not_an_access_token_nor_the_reverse,
    an_expired_token_is_rejected_with_no_leeway,
    the_cart_grows_the_token_not_the_server,
);
