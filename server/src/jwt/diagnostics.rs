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
    /// Extensions the token says a verifier must understand (RFC 7515 §4.1.11): authlens
    /// understands none, so any `crit` is refused.
    pub crit: Option<serde_json::Value>,
    /// RFC 7797's unencoded payload; never supported here.
    pub b64: Option<serde_json::Value>,
}

/// The time claims of a token's payload, read after its signature verified: `nbf` may be
/// anything a signer put there, so it is checked here rather than trusted to a schema.
#[derive(Debug, serde::Deserialize)]
pub(super) struct TimeClaims {
    pub nbf: Option<serde_json::Value>,
}

/// The payload's `nbf`, if any, as the token carries it.
pub(super) fn peek_times(token: &str) -> Result<TimeClaims, String> {
    let payload = token
        .split('.')
        .nth(1)
        .ok_or_else(|| "the token has no payload".to_owned())?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| "the payload is not base64url".to_owned())?;
    serde_json::from_slice(&bytes).map_err(|_| "the payload is not a JSON object".to_owned())
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
