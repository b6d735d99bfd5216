//! What the tokens say. The header's `typ` tells an access token (`at+jwt`, RFC 9068)
//! from a refresh token, so neither is ever accepted as the other.

use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "authlens";
pub const AUDIENCE: &str = "authlens-api";
pub const ACCESS_TYP: &str = "at+jwt";
pub const REFRESH_TYP: &str = "refresh+jwt";

/// The access token's claims are the contract's: `GET /api/jwt/me` answers them, typed.
pub use app::api::AccessClaims;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
    pub jti: String,
    /// The family: every refresh token descended from one login.
    pub fid: String,
}

/// Claims with an expiry, checked against the server's clock.
pub trait Expiring {
    fn exp(&self) -> u64;
    fn iat(&self) -> u64;
}

impl Expiring for AccessClaims {
    fn exp(&self) -> u64 {
        self.exp
    }
    fn iat(&self) -> u64 {
        self.iat
    }
}

impl Expiring for RefreshClaims {
    fn exp(&self) -> u64 {
        self.exp
    }
    fn iat(&self) -> u64 {
        self.iat
    }
}

/// A random id for `jti` and families: 128 bits, base64url.
pub fn random_id() -> String {
    crate::random::token::<16>()
}
