//! The JWT service: signing, verifying step by step, and the claims of each token it issues.
//! The flow's handlers (`jwt/mod.rs`) and experiment 10 use it alike.

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::Serialize;
use serde::de::DeserializeOwned;

use app::api::{TokenResponse, UserView};

use super::claims::random_id;
use super::diagnostics::{PeekedHeader, describe, peek_header, peek_times};
use super::refresh::RefreshStore;
use super::{
    ACCESS_TYP, AUDIENCE, AccessClaims, Expiring, ISSUER, JwtError, REFRESH_TYP, RefreshClaims,
    SigningKeys,
};
use crate::clock::Clock;
use crate::http::trace::TraceRecorder;

/// Signing, verifying and the refresh-token record: everything the JWT flow needs.
pub struct JwtService {
    pub keys: SigningKeys,
    pub refresh: Arc<dyn RefreshStore>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub clock: Clock,
    /// What `decode` checks, built once: it is the same for every token.
    validation: Validation,
}

impl JwtService {
    pub fn new(
        keys: SigningKeys,
        refresh: Arc<dyn RefreshStore>,
        access_ttl: Duration,
        refresh_ttl: Duration,
        clock: Clock,
    ) -> JwtService {
        let validation = validation(keys.algorithm);
        JwtService {
            keys,
            refresh,
            access_ttl,
            refresh_ttl,
            clock,
            validation,
        }
    }

    /// Issues an access token and a refresh token of `family`, as the login/refresh body.
    pub(super) fn token_pair(
        &self,
        user: &UserView,
        family: &str,
        refresh_jti: &str,
    ) -> Result<impl FnOnce(app::api::Trace) -> TokenResponse + use<>, JwtError> {
        let now = self.clock.now_secs();
        let access = self.access_claims(user, now, random_id());
        let refresh = RefreshClaims {
            iss: ISSUER.to_owned(),
            sub: user.username.clone(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now + self.refresh_ttl.as_secs(),
            jti: refresh_jti.to_owned(),
            fid: family.to_owned(),
        };
        let access_token = self.sign(ACCESS_TYP, &access)?;
        let refresh_token = self.sign(REFRESH_TYP, &refresh)?;
        let expires_in = self.access_ttl.as_secs();
        Ok(move |trace| TokenResponse {
            access_token,
            refresh_token,
            token_type: "Bearer".to_owned(),
            expires_in,
            trace,
        })
    }

    /// The claims of a fresh access token for `user`, issued at `now` (Unix seconds), with an
    /// empty cart.
    pub fn access_claims(&self, user: &UserView, now: u64, jti: String) -> AccessClaims {
        AccessClaims {
            iss: ISSUER.to_owned(),
            sub: user.username.clone(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now + self.access_ttl.as_secs(),
            jti,
            name: user.display_name.clone(),
            cart: Vec::new(),
        }
    }

    pub fn sign<C: Serialize>(&self, typ: &str, claims: &C) -> Result<String, JwtError> {
        let header = Header {
            typ: Some(typ.to_owned()),
            kid: self.keys.key_id(),
            ..Header::new(self.keys.algorithm)
        };
        jsonwebtoken::encode(&header, claims, &self.keys.encoding)
            .map_err(|err| JwtError::Signing(err.to_string()))
    }

    /// Checks a token step by step, recording each step and why it failed.
    pub async fn verify<C: DeserializeOwned + Expiring>(
        &self,
        token: &str,
        expected_typ: &str,
        trace: &mut TraceRecorder,
    ) -> Result<C, JwtError> {
        let header = trace
            .verify("header", async {
                match peek_header(token) {
                    Ok(header) => {
                        // Read for people: `alg HS256, typ at+jwt` (the header's own text,
                        // escaped: it is the sender's).
                        let detail = format!(
                            "alg {}, typ {}",
                            header.alg.escape_debug(),
                            header.typ.as_deref().unwrap_or("(none)").escape_debug()
                        );
                        (Ok(header), true, detail)
                    }
                    Err(why) => (Err(JwtError::InvalidToken(why.clone())), false, why),
                }
            })
            .await?;
        let expected_alg = self.keys.algorithm_name;
        if header.alg != expected_alg {
            let why = format!(
                "the token names algorithm {:?}; this server accepts {expected_alg} only",
                header.alg
            );
            trace.step("algorithm", false, why.clone());
            return Err(JwtError::InvalidToken(why));
        }
        trace.step(
            "algorithm",
            true,
            format!("{expected_alg}, fixed by the server; any key named in the header is ignored"),
        );
        if header.typ.as_deref() != Some(expected_typ) {
            let why = format!(
                "the token's typ is {:?}, but this endpoint takes {expected_typ:?} tokens only",
                header.typ.as_deref().unwrap_or("(none)")
            );
            trace.step("typ", false, why.clone());
            return Err(JwtError::InvalidToken(why));
        }
        trace.step("typ", true, expected_typ);
        if let Some(why) = unsupported_extension(&header) {
            trace.step("extensions", false, why.clone());
            return Err(JwtError::InvalidToken(why));
        }
        let now = self.clock.now_secs();
        trace
            .verify("signature and claims", async {
                let checked =
                    jsonwebtoken::decode::<C>(token, &self.keys.decoding, &self.validation)
                        .map_err(|err| describe(err.kind()))
                        .and_then(|data| {
                            time_problem(token, &data.claims, now).map_or(Ok(data.claims), Err)
                        });
                match checked {
                    Ok(claims) => (
                        Ok(claims),
                        true,
                        "signature valid; iss, aud, exp, nbf, iat checked with no leeway"
                            .to_owned(),
                    ),
                    Err(why) => (Err(JwtError::InvalidToken(why.clone())), false, why),
                }
            })
            .await
    }
}

/// How far ahead of this server's clock an `iat` may be (clocks of signers drift a little).
const IAT_SKEW_SECS: u64 = 5;

/// Why the header asks for more than this server does, if it does: `crit` names extensions
/// a verifier must understand (RFC 7515 §4.1.11), `b64` an unencoded payload (RFC 7797).
fn unsupported_extension(header: &PeekedHeader) -> Option<String> {
    if header.crit.is_some() {
        return Some("the header lists critical extensions (crit) this server does not understand, so it must refuse the token (RFC 7515 §4.1.11)".to_owned());
    }
    header.b64.is_some().then(|| {
        "the header asks for an unencoded payload (b64, RFC 7797), which this server does not support".to_owned()
    })
}

/// Why a validly signed token is not valid now, if it is not: expired, not yet valid (`nbf`,
/// which must be a number), or issued in the future or after it expires (`iat`).
fn time_problem<C: Expiring>(token: &str, claims: &C, now: u64) -> Option<String> {
    if claims.exp() <= now {
        return Some(describe(&ErrorKind::ExpiredSignature));
    }
    let times = match peek_times(token) {
        Ok(times) => times,
        Err(why) => return Some(why),
    };
    if let Some(nbf) = times.nbf {
        match nbf.as_u64() {
            None => return Some(format!("nbf must be a number of seconds, not {nbf}")),
            Some(nbf) if nbf > now => {
                return Some(format!(
                    "the token is not valid yet: nbf is {} s in the future (no leeway)",
                    nbf - now
                ));
            }
            Some(_) => {}
        }
    }
    if claims.iat() > now + IAT_SKEW_SECS {
        return Some(format!(
            "the token says it was issued {} s in the future (iat)",
            claims.iat() - now
        ));
    }
    (claims.iat() > claims.exp())
        .then(|| "the token says it was issued after it expires (iat > exp)".to_owned())
}

/// What every token must carry and be: `exp` is left to the caller, who checks it against
/// the server's clock, the one every other deadline uses.
fn validation(algorithm: Algorithm) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.leeway = 0;
    validation.validate_exp = false;
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    validation
}
