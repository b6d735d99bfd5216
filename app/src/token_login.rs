//! What the JWT column's status pill says: read from the two tokens in `localStorage` and the
//! clock, the way a real client knows its own state (it can read its tokens' `exp`), plus the
//! last refusal the server answered.

use crate::api::ErrorCode;
use crate::i18n::{Texts, fill_named};
use crate::token;

/// The JWT column's login, as its client knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenLogin {
    /// No token, and no answer yet.
    NotChecked,
    SignedOut,
    /// The access token is good for `access_left` more seconds.
    Active {
        name: String,
        access_left: i64,
        /// Seconds since this page last refreshed, when it did so in the last minute.
        refreshed_ago: Option<i64>,
    },
    /// The access token is dead; the refresh token can still mint a new one.
    AccessExpired {
        refresh_left: i64,
    },
    /// Both are dead: only a new login helps.
    BothExpired,
    /// The server refused the refresh token (revoked, reused, unknown); the tokens are gone.
    Refused(ErrorCode),
}

/// How long "refreshed 2 s ago" stays on the pill.
const REFRESHED_SHOWN_SECS: i64 = 60;

/// What the column has heard from the server besides its tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Heard {
    /// Whether any JWT route has answered this page yet.
    pub answered: bool,
    /// When this page last refreshed (Unix seconds).
    pub refreshed_at: Option<i64>,
    /// The server's refusal of the refresh token, if that is how the login ended.
    pub refused: Option<ErrorCode>,
}

/// The login the stored tokens make at `now`.
pub fn token_login(
    access: Option<&str>,
    refresh: Option<&str>,
    now: i64,
    heard: Heard,
) -> TokenLogin {
    let Heard {
        answered,
        refreshed_at,
        refused,
    } = heard;
    let expiry = |token: Option<&str>| {
        token
            .and_then(|token| token::decode(token).ok())
            .map(|decoded| {
                // The refresh token has no name: only the access token's claims are the contract's.
                let name = decoded
                    .claims::<crate::api::AccessClaims>()
                    .map(|claims| claims.name)
                    .unwrap_or_default();
                (name, decoded.time_claim("exp").unwrap_or(i64::MAX))
            })
    };
    match (expiry(access), expiry(refresh)) {
        (Some((name, exp)), _) if now < exp => TokenLogin::Active {
            name,
            access_left: exp - now,
            refreshed_ago: refreshed_at
                .map(|at| now - at)
                .filter(|ago| (0..REFRESHED_SHOWN_SECS).contains(ago)),
        },
        (_, Some((_, exp))) if now < exp => TokenLogin::AccessExpired {
            refresh_left: exp - now,
        },
        (Some(_), _) | (_, Some(_)) => TokenLogin::BothExpired,
        (None, None) => match refused {
            Some(code) => TokenLogin::Refused(code),
            None if answered => TokenLogin::SignedOut,
            None => TokenLogin::NotChecked,
        },
    }
}

/// Seconds as `m:ss` (`9:12`).
pub fn clock(secs: i64) -> String {
    let secs = secs.max(0);
    format!("{}:{:02}", secs / 60, secs % 60)
}

impl TokenLogin {
    /// The pill's words in the page's language.
    pub fn words(&self, texts: &Texts) -> String {
        match self {
            TokenLogin::NotChecked => texts.status_unknown.to_owned(),
            TokenLogin::SignedOut => texts.signed_out.to_owned(),
            TokenLogin::Active {
                name,
                access_left,
                refreshed_ago,
            } => {
                let active = fill_named(
                    texts.jwt_active,
                    &[("name", name.clone()), ("left", clock(*access_left))],
                );
                match refreshed_ago {
                    Some(ago) => fill_named(
                        texts.jwt_refreshed,
                        &[("status", active), ("seconds", ago.to_string())],
                    ),
                    None => active,
                }
            }
            TokenLogin::AccessExpired { refresh_left } => {
                fill_named(texts.jwt_access_expired, &[("left", clock(*refresh_left))])
            }
            TokenLogin::BothExpired => texts.jwt_both_expired.to_owned(),
            TokenLogin::Refused(code) => {
                fill_named(texts.jwt_refused, &[("code", code.as_str().to_owned())])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use base64::Engine;

    /// An unsigned token with this payload (the pill reads claims; it checks no signature).
    fn token(payload: serde_json::Value) -> String {
        let part = |json: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
        };
        format!(
            "{}.{}.c2ln",
            part(serde_json::json!({"alg": "HS256"})),
            part(payload)
        )
    }

    #[test]
    fn the_pill_follows_the_tokens_through_their_lives() {
        // An access token as the server signs it (every claim of `AccessClaims`).
        let access = token(serde_json::json!({
            "iss": "authlens", "sub": "alice", "aud": "authlens-api", "iat": 1_000,
            "exp": 1_030, "jti": "j", "name": "Alice"
        }));
        let refresh = token(serde_json::json!({"exp": 1_600}));
        let state = |now, refreshed_at| {
            let heard = Heard {
                answered: true,
                refreshed_at,
                refused: None,
            };
            token_login(Some(&access), Some(&refresh), now, heard)
        };
        assert_eq!(
            state(1_000, None),
            TokenLogin::Active {
                name: "Alice".into(),
                access_left: 30,
                refreshed_ago: None
            }
        );
        assert_eq!(
            state(1_002, Some(1_000)),
            TokenLogin::Active {
                name: "Alice".into(),
                access_left: 28,
                refreshed_ago: Some(2)
            }
        );
        assert_eq!(
            state(1_048, None),
            TokenLogin::AccessExpired { refresh_left: 552 }
        );
        assert_eq!(state(1_600, None), TokenLogin::BothExpired);
        let refused = Heard {
            answered: true,
            refreshed_at: None,
            refused: Some(ErrorCode::RefreshTokenReused),
        };
        assert_eq!(
            token_login(None, None, 1_000, refused),
            TokenLogin::Refused(ErrorCode::RefreshTokenReused)
        );
        assert_eq!(
            token_login(None, None, 1_000, Heard::default()),
            TokenLogin::NotChecked
        );
        let answered = Heard {
            answered: true,
            ..Heard::default()
        };
        assert_eq!(
            token_login(None, None, 1_000, answered),
            TokenLogin::SignedOut
        );
    }

    #[test]
    fn the_pill_says_it_in_both_languages() {
        let expired = TokenLogin::AccessExpired { refresh_left: 552 };
        assert_eq!(
            expired.words(Lang::En.texts()),
            "Access token expired · refresh token valid 9:12"
        );
        assert!(expired.words(Lang::Ko.texts()).contains("9:12"));
        let refreshed = TokenLogin::Active {
            name: "Alice".into(),
            access_left: 28,
            refreshed_ago: Some(2),
        };
        assert_eq!(
            refreshed.words(Lang::En.texts()),
            "Signed in as Alice · access token valid 0:28 · refreshed 2 s ago"
        );
        assert!(
            TokenLogin::Refused(ErrorCode::RefreshTokenReused)
                .words(Lang::Ko.texts())
                .contains("refresh_token_reused")
        );
    }
}
