//! Everything the JWT flow can answer besides success, mapped in one place.
//! Token failures follow RFC 6750: 401 with `WWW-Authenticate: Bearer …`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::http::error::ErrorCode;
use crate::http::error::{FULL_RETRY_AFTER_SECS, busy, error_response, with_fault};
use crate::storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error("Wrong username or password.")]
    InvalidCredentials,
    #[error("No bearer token was sent. Send it as `Authorization: Bearer <token>`.")]
    MissingToken,
    #[error("The token was rejected: {0}")]
    InvalidToken(String),
    #[error(
        "This refresh token was already used once. Someone may have copied it, so every token of this login is now revoked. Log in again."
    )]
    RefreshReused,
    #[error("This login was revoked (logged out, or a refresh token was reused). Log in again.")]
    RefreshRevoked,
    #[error(
        "This refresh token's login is unknown to the server (expired, or the server restarted). Log in again."
    )]
    RefreshUnknown,
    #[error("{0}")]
    BadCartItem(&'static str),
    #[error("The refresh-token store is unavailable right now.")]
    StoreUnavailable(#[from] StoreError),
    #[error("The server could not sign a token.")]
    Signing(String),
    #[error(
        "The server holds as many refresh families as it is allowed to (--max-sessions); try again in a minute."
    )]
    Full,
}

impl JwtError {
    fn code(&self) -> ErrorCode {
        match self {
            JwtError::InvalidCredentials => ErrorCode::InvalidCredentials,
            JwtError::MissingToken => ErrorCode::MissingToken,
            JwtError::InvalidToken(_) => ErrorCode::InvalidToken,
            JwtError::RefreshReused => ErrorCode::RefreshTokenReused,
            JwtError::RefreshRevoked => ErrorCode::RefreshTokenRevoked,
            JwtError::RefreshUnknown => ErrorCode::RefreshTokenUnknown,
            JwtError::BadCartItem(_) => ErrorCode::BadRequest,
            JwtError::StoreUnavailable(_) => ErrorCode::StoreUnavailable,
            JwtError::Signing(_) => ErrorCode::InternalError,
            JwtError::Full => ErrorCode::ServerBusy,
        }
    }

    /// The RFC 6750 challenge: bare `Bearer` when no token came, `error="invalid_token"` when one failed.
    fn challenge(&self) -> Option<String> {
        match self {
            JwtError::InvalidCredentials | JwtError::MissingToken => {
                Some(r#"Bearer realm="authlens""#.to_owned())
            }
            JwtError::InvalidToken(why) => Some(format!(
                r#"Bearer realm="authlens", error="invalid_token", error_description="{}""#,
                quoted_string_safe(why)
            )),
            JwtError::RefreshReused | JwtError::RefreshRevoked | JwtError::RefreshUnknown => {
                Some(format!(
                    r#"Bearer realm="authlens", error="invalid_token", error_description="{}""#,
                    self.code().as_str()
                ))
            }
            JwtError::BadCartItem(_)
            | JwtError::StoreUnavailable(_)
            | JwtError::Signing(_)
            | JwtError::Full => None,
        }
    }
}

/// RFC 6750 limits `error_description` to printable ASCII without `"` and `\`.
fn quoted_string_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if (' '..='~').contains(&c) && c != '"' && c != '\\' {
                c
            } else {
                '\''
            }
        })
        .collect()
}

impl IntoResponse for JwtError {
    fn into_response(self) -> Response {
        let status = match &self {
            JwtError::Full => {
                return busy(self.code(), self.to_string(), FULL_RETRY_AFTER_SECS);
            }
            JwtError::BadCartItem(_) => StatusCode::BAD_REQUEST,
            JwtError::StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            JwtError::Signing(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNAUTHORIZED,
        };
        let mut response = error_response(status, self.code(), self.to_string());
        // The server's side of it, for the log (once, by `error::log_fault`).
        match &self {
            JwtError::StoreUnavailable(err) => response = with_fault(response, err),
            JwtError::Signing(err) => response = with_fault(response, format!("signing: {err}")),
            _ => {}
        }
        if let Some(value) = self
            .challenge()
            .and_then(|text| HeaderValue::from_str(&text).ok())
        {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_made_safe_for_the_header() {
        assert_eq!(quoted_string_safe(r#"bad "sig" \ 서명"#), "bad 'sig' ' ''");
    }

    #[test]
    fn an_invalid_token_gets_the_rfc_6750_challenge() {
        let response =
            JwtError::InvalidToken("the signature does not match".into()).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let challenge = response.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap();
        assert_eq!(
            challenge,
            r#"Bearer realm="authlens", error="invalid_token", error_description="the signature does not match""#
        );
    }
}
