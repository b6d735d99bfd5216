//! Why a token failed, in words: the header read without trusting it, and jsonwebtoken's
//! error kinds said so that a learner (and the trace) sees the precise reason.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;

/// The parts of the header that decide how a token is checked.
#[derive(Debug, serde::Deserialize)]
pub(super) struct PeekedHeader {
    pub alg: String,
    pub typ: Option<String>,
}

/// Reads the header without trusting it, so a bad token gets a precise reason
/// (`alg: none`, not base64, not JSON) rather than a generic one.
pub(super) fn peek_header(token: &str) -> Result<PeekedHeader, String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(format!(
            "a JWT has 3 dot-separated parts; this has {}",
            parts.len()
        ));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(parts[0])
        .map_err(|_| "the header is not base64url".to_owned())?;
    let header: PeekedHeader = serde_json::from_slice(&bytes)
        .map_err(|_| "the header is not a JSON object with an alg".to_owned())?;
    Ok(header)
}

pub(super) fn describe(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::InvalidSignature => "the signature does not match the header and payload (tampered or signed with another key)".into(),
        ErrorKind::ExpiredSignature => "the token has expired (exp is in the past; no leeway)".into(),
        ErrorKind::InvalidIssuer => "the token was issued by someone else (iss)".into(),
        ErrorKind::InvalidAudience => "the token is meant for another audience (aud)".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("the token lacks the required claim {claim}"),
        ErrorKind::InvalidAlgorithm => "the token's algorithm is not the one this server uses".into(),
        ErrorKind::Base64(_) => "a part of the token is not base64url".into(),
        ErrorKind::Json(_) | ErrorKind::Utf8(_) => "the payload is not the JSON this server issues".into(),
        other => format!("the token is malformed ({other:?})"),
    }
}
