//! The server's signing key. The algorithm is the server's choice alone: a token
//! naming another algorithm, `none`, or a key of its own (`jwk`, `jku`, `kid`) is never verified.

use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::jwk::{Jwk, JwkSet, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};

use crate::config::JwtAlg;

/// Shortest HS256 secret accepted: 256 bits, the size of the HMAC-SHA256 output.
const MIN_SECRET_BYTES: usize = 32;

pub struct SigningKeys {
    pub algorithm: Algorithm,
    /// The algorithm as a JWT header names it (`HS256`, `EdDSA`).
    pub algorithm_name: &'static str,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// The public key for `/.well-known/jwks.json`; none for HS256, whose key is a secret.
    pub public: Option<JwkSet>,
}

impl SigningKeys {
    pub fn new(
        alg: JwtAlg,
        secret_file: Option<&Path>,
        key_file: Option<&Path>,
    ) -> anyhow::Result<Self> {
        match alg {
            JwtAlg::Hs256 => Self::hs256(secret_file),
            JwtAlg::Eddsa => Self::eddsa(key_file),
        }
    }

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
            None => random_bytes::<MIN_SECRET_BYTES>()?.to_vec(),
        };
        Ok(SigningKeys {
            algorithm: Algorithm::HS256,
            algorithm_name: "HS256",
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
            public: None,
        })
    }

    /// EdDSA (Ed25519) with the PKCS#8 PEM key in `file`, or a fresh key pair.
    pub fn eddsa(file: Option<&Path>) -> anyhow::Result<Self> {
        let key = match file {
            Some(path) => {
                let pem = std::fs::read_to_string(path)
                    .with_context(|| format!("reading the Ed25519 key {}", path.display()))?;
                SigningKey::from_pkcs8_pem(&pem).map_err(|err| {
                    anyhow::anyhow!(
                        "{} is not an Ed25519 private key in PKCS#8 PEM: {err}",
                        path.display()
                    )
                })?
            }
            None => SigningKey::from_bytes(&random_bytes::<32>()?),
        };
        let der = key
            .to_pkcs8_der()
            .map_err(|err| anyhow::anyhow!("encoding the Ed25519 key: {err}"))?;
        let encoding = EncodingKey::from_ed_der(der.as_bytes());
        let public_x = URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
        let mut jwk: Jwk = serde_json::from_value(serde_json::json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": public_x,
            "use": "sig",
            "alg": "EdDSA",
        }))
        .context("building the public JWK")?;
        // RFC 7638 thumbprint: a key id derived from the key itself.
        jwk.common.key_id = Some(
            jwk.thumbprint(ThumbprintHash::SHA256)
                .context("computing the key's thumbprint")?,
        );
        let decoding =
            DecodingKey::from_jwk(&jwk).context("reading back the Ed25519 public key")?;
        Ok(SigningKeys {
            algorithm: Algorithm::EdDSA,
            algorithm_name: "EdDSA",
            encoding,
            decoding,
            public: Some(JwkSet { keys: vec![jwk] }),
        })
    }

    /// The `kid` tokens carry, so a verifier can pick the key out of the JWKS.
    pub fn key_id(&self) -> Option<String> {
        self.public.as_ref()?.keys.first()?.common.key_id.clone()
    }
}

fn random_bytes<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(anyhow::Error::msg)?;
    Ok(bytes)
}
