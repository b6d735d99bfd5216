//! The server's signing key. The algorithm is the server's choice alone: a token
//! naming another algorithm, `none`, or a key of its own is never verified.

use std::path::Path;

use anyhow::{Context, bail};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};

/// Shortest HS256 secret accepted: 256 bits, the size of the HMAC-SHA256 output.
const MIN_SECRET_BYTES: usize = 32;

pub struct SigningKeys {
    pub algorithm: Algorithm,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
}

impl SigningKeys {
    /// HS256 with the secret in `file`, or a fresh random 256-bit secret.
    pub fn hs256(file: Option<&Path>) -> anyhow::Result<Self> {
        let secret = match file {
            Some(path) => {
                let secret = std::fs::read(path)
                    .with_context(|| format!("reading the JWT secret {}", path.display()))?;
                let secret = secret.trim_ascii().to_vec();
                if secret.len() < MIN_SECRET_BYTES {
                    bail!(
                        "the JWT secret in {} is {} bytes; HS256 needs at least {MIN_SECRET_BYTES}",
                        path.display(),
                        secret.len()
                    );
                }
                secret
            }
            None => {
                let mut secret = vec![0u8; MIN_SECRET_BYTES];
                getrandom::fill(&mut secret).map_err(anyhow::Error::msg)?;
                secret
            }
        };
        Ok(SigningKeys {
            algorithm: Algorithm::HS256,
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
        })
    }
}
