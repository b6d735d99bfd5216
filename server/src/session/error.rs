//! Everything the session flow can answer besides success, mapped to a status in one place.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::http::error::ErrorCode;
use crate::http::error::{FULL_RETRY_AFTER_SECS, busy, error_response, with_fault};
use crate::storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("Wrong username or password.")]
    InvalidCredentials,
    #[error("No session cookie was sent. Log in first.")]
    NoSession,
    #[error(
        "This session is not valid: it was never issued, has been logged out, has expired, or was lost when a server keeping sessions in memory restarted. Log in again."
    )]
    UnknownSession,
    #[error(
        "The session cookie came twice (another site on this domain may have set one): which one is yours cannot be known, so neither is trusted. Log in again."
    )]
    CookieTwice,
    #[error("{0}")]
    BadCartItem(&'static str),
    #[error("{0}")]
    BadQuery(&'static str),
    #[error(
        "The session store is unavailable right now; session logins will work again once it is back."
    )]
    StoreUnavailable(#[from] StoreError),
    #[error(
        "The server holds as many sessions as it is allowed to (--max-sessions); try again in a minute, when some have ended."
    )]
    Full,
}

impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            SessionError::InvalidCredentials => {
                (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials)
            }
            SessionError::NoSession => (StatusCode::UNAUTHORIZED, ErrorCode::NoSession),
            SessionError::UnknownSession | SessionError::CookieTwice => {
                (StatusCode::UNAUTHORIZED, ErrorCode::InvalidSession)
            }
            SessionError::BadCartItem(_) | SessionError::BadQuery(_) => {
                (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
            }
            SessionError::StoreUnavailable(err) => {
                let answer = error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::StoreUnavailable,
                    self.to_string(),
                );
                return with_fault(answer, err);
            }
            SessionError::Full => {
                return busy(
                    ErrorCode::ServerBusy,
                    self.to_string(),
                    FULL_RETRY_AFTER_SECS,
                );
            }
        };
        error_response(status, code, self.to_string())
    }
}
