//! Reading and checking a JWT entirely in the page: the token view and the `/inspect` page.
//! Plain Rust with no browser calls, so it is unit- and property-tested natively. Any input
//! gives an answer or a reason, never a panic.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ed25519_dalek::{Signature, VerifyingKey};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::{Sha256, Sha384, Sha512};

/// The three dot-separated parts of a compact JWS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Header,
    Payload,
    Signature,
}

/// Why a string is not a readable JWT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    Empty,
    /// A compact JWT has exactly three parts; this has another count.
    PartCount(usize),
    NotBase64(Part),
    NotJson(Part),
    /// The part is JSON, but not an object (`"x"`, `[1]`…).
    NotObject(Part),
}

/// A token split and decoded, not yet trusted.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The raw base64url text of each part, for colouring the token as it was given.
    pub raw: [String; 3],
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
    pub signature: Vec<u8>,
}

impl Decoded {
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    /// The payload as a typed set of claims (this server's tokens: `AccessClaims`), if it is one.
    pub fn claims<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_value(Value::Object(self.payload.clone())).ok()
    }

    /// A numeric claim such as `exp`, `iat` or `nbf`, in Unix seconds, of any token.
    pub fn time_claim(&self, name: &str) -> Option<i64> {
        self.payload.get(name).and_then(Value::as_i64)
    }

    /// What the signature covers: `header.payload` exactly as sent.
    fn signing_input(&self) -> String {
        format!("{}.{}", self.raw[0], self.raw[1])
    }
}

pub fn decode(token: &str) -> Result<Decoded, DecodeError> {
    // Pasted as it appears in a request (`Bearer eyJ…`) or in JSON (`"eyJ…"`): the token is
    // what is inside.
    let token = token.trim();
    let token = match token.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("bearer ") => token[7..].trim_start(),
        _ => token,
    };
    let token = token.trim_matches('"');
    if token.is_empty() {
        return Err(DecodeError::Empty);
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts[..] else {
        return Err(DecodeError::PartCount(parts.len()));
    };
    Ok(Decoded {
        raw: [header.to_owned(), payload.to_owned(), signature.to_owned()],
        header: json_object(header, Part::Header)?,
        payload: json_object(payload, Part::Payload)?,
        signature: URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| DecodeError::NotBase64(Part::Signature))?,
    })
}

fn json_object(text: &str, part: Part) -> Result<Map<String, Value>, DecodeError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| DecodeError::NotBase64(part))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(DecodeError::NotObject(part)),
        Err(_) => Err(DecodeError::NotJson(part)),
    }
}

/// A key pasted by the visitor, as understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    /// An HMAC secret: the text as typed, or the `k` of an `oct` JWK.
    Secret(Vec<u8>),
    /// An Ed25519 public key, from a JWK, a JWKS or a PEM `PUBLIC KEY`.
    Ed25519([u8; 32]),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyError {
    Empty,
    /// JSON that is neither an `OKP`/Ed25519 nor an `oct` JWK, nor a JWKS holding one.
    UnsupportedJwk,
    /// A PEM block that is not an Ed25519 `PUBLIC KEY`.
    UnsupportedPem,
    /// Key material that does not decode to the right size.
    BadKeyBytes,
}

/// Reads a pasted key: a JWK, a JWKS (the key named by `kid`, else its first public key),
/// a PEM Ed25519 public key, or else the text itself as an HMAC secret.
pub fn parse_key(text: &str, kid: Option<&str>) -> Result<Key, KeyError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(KeyError::Empty);
    }
    if trimmed.starts_with("-----BEGIN") {
        return pem_ed25519(trimmed);
    }
    if trimmed.starts_with('{')
        && let Ok(json) = serde_json::from_str::<Value>(trimmed)
    {
        return jwk_key(&json, kid);
    }
    // A secret is used exactly as typed, spaces included.
    Ok(Key::Secret(text.as_bytes().to_vec()))
}

fn jwk_key(json: &Value, kid: Option<&str>) -> Result<Key, KeyError> {
    if let Some(keys) = json.get("keys").and_then(Value::as_array) {
        let named = kid.and_then(|kid| {
            keys.iter()
                .find(|key| key.get("kid").and_then(Value::as_str) == Some(kid))
        });
        // The key the token names, else a public key (what a JWKS is for), else any usable one.
        let usable: Vec<Key> = keys
            .iter()
            .filter_map(|key| jwk_key(key, None).ok())
            .collect();
        let public = usable.iter().find(|key| matches!(key, Key::Ed25519(_)));
        return named
            .and_then(|key| jwk_key(key, None).ok())
            .or_else(|| public.or(usable.first()).cloned())
            .ok_or(KeyError::UnsupportedJwk);
    }
    let field = |name: &str| json.get(name).and_then(Value::as_str);
    match (field("kty"), field("crv")) {
        (Some("OKP"), Some("Ed25519")) => {
            let x = URL_SAFE_NO_PAD
                .decode(field("x").unwrap_or_default())
                .map_err(|_| KeyError::BadKeyBytes)?;
            Ok(Key::Ed25519(
                x.try_into().map_err(|_| KeyError::BadKeyBytes)?,
            ))
        }
        (Some("oct"), _) => Ok(Key::Secret(
            URL_SAFE_NO_PAD
                .decode(field("k").unwrap_or_default())
                .map_err(|_| KeyError::BadKeyBytes)?,
        )),
        _ => Err(KeyError::UnsupportedJwk),
    }
}

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the key's 32 bytes follow.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

fn pem_ed25519(pem: &str) -> Result<Key, KeyError> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|line| *line != "-----BEGIN PUBLIC KEY-----")
        .skip(1)
        .take_while(|line| !line.starts_with("-----END"))
        .collect();
    if body.is_empty() {
        return Err(KeyError::UnsupportedPem);
    }
    let der = STANDARD.decode(body).map_err(|_| KeyError::BadKeyBytes)?;
    let key = der
        .strip_prefix(&ED25519_SPKI_PREFIX[..])
        .ok_or(KeyError::UnsupportedPem)?;
    Ok(Key::Ed25519(
        key.try_into().map_err(|_| KeyError::BadKeyBytes)?,
    ))
}

/// One line of the verdict on a token, in the order a careful server checks them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// `alg: none`: an unsigned token, which no server should accept.
    AlgNone,
    /// An algorithm this page cannot check (RS256, ES256…), or none named at all.
    UnsupportedAlg(String),
    /// The token's algorithm needs another kind of key than the one given.
    KeyMismatch {
        alg: String,
    },
    SignatureValid {
        alg: String,
    },
    SignatureInvalid {
        alg: String,
    },
    /// `exp` is at or before now (no leeway).
    Expired {
        exp: i64,
        now: i64,
    },
    NotExpired {
        exp: i64,
        now: i64,
    },
    /// No `exp`: the token never expires by itself.
    NoExpiry,
    /// `nbf` is still in the future.
    NotYetValid {
        nbf: i64,
        now: i64,
    },
}

impl Check {
    pub fn passed(&self) -> bool {
        matches!(
            self,
            Check::SignatureValid { .. } | Check::NotExpired { .. }
        )
    }
}

/// Whether the token says it is unsigned (`alg: none`, however spelled): a verdict that
/// needs no key.
pub fn alg_is_none(token: &Decoded) -> bool {
    token
        .alg()
        .is_some_and(|alg| alg.eq_ignore_ascii_case("none"))
}

/// Checks the signature with `key` and the time claims against `now` (Unix seconds).
pub fn verify(token: &Decoded, key: &Key, now: i64) -> Vec<Check> {
    let mut checks = vec![signature_check(token, key)];
    match token.time_claim("exp") {
        Some(exp) if exp <= now => checks.push(Check::Expired { exp, now }),
        Some(exp) => checks.push(Check::NotExpired { exp, now }),
        None => checks.push(Check::NoExpiry),
    }
    if let Some(nbf) = token.time_claim("nbf")
        && nbf > now
    {
        checks.push(Check::NotYetValid { nbf, now });
    }
    checks
}

/// The token's own `alg` says which check to run, but only with a key of the matching kind:
/// an HMAC secret never checks an EdDSA token, nor the reverse (the "algorithm confusion" trap).
fn signature_check(token: &Decoded, key: &Key) -> Check {
    let Some(alg) = token.alg() else {
        return Check::UnsupportedAlg(String::new());
    };
    let input = token.signing_input();
    let valid = match (alg, key) {
        (alg, _) if alg.eq_ignore_ascii_case("none") => return Check::AlgNone,
        ("HS256", Key::Secret(secret)) => hmac_matches::<Hmac<Sha256>>(secret, &input, token),
        ("HS384", Key::Secret(secret)) => hmac_matches::<Hmac<Sha384>>(secret, &input, token),
        ("HS512", Key::Secret(secret)) => hmac_matches::<Hmac<Sha512>>(secret, &input, token),
        ("EdDSA", Key::Ed25519(public)) => ed25519_matches(public, &input, token),
        ("HS256" | "HS384" | "HS512" | "EdDSA", _) => {
            return Check::KeyMismatch {
                alg: alg.to_owned(),
            };
        }
        (other, _) => return Check::UnsupportedAlg(other.to_owned()),
    };
    let alg = alg.to_owned();
    if valid {
        Check::SignatureValid { alg }
    } else {
        Check::SignatureInvalid { alg }
    }
}

fn hmac_matches<M: Mac + hmac::digest::KeyInit>(
    secret: &[u8],
    input: &str,
    token: &Decoded,
) -> bool {
    let Ok(mut mac) = <M as hmac::digest::KeyInit>::new_from_slice(secret) else {
        return false;
    };
    mac.update(input.as_bytes());
    // Constant-time comparison, as a server must do it.
    mac.verify_slice(&token.signature).is_ok()
}

fn ed25519_matches(public: &[u8; 32], input: &str, token: &Decoded) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public) else {
        return false;
    };
    let Ok(signature) = Signature::from_slice(&token.signature) else {
        return false;
    };
    key.verify_strict(input.as_bytes(), &signature).is_ok()
}

/// The same token with one payload character changed, the way an attacker would edit it:
/// the first letter of the `sub` value (else of the first string value) becomes another
/// letter, `"alice"` → `"blice"`. The signature is kept as it was.
pub fn tamper_payload(token: &str) -> Option<String> {
    let decoded = decode(token).ok()?;
    let json = URL_SAFE_NO_PAD.decode(&decoded.raw[1]).ok()?;
    let mut text = String::from_utf8(json).ok()?;
    let value_start = text
        .find("\"sub\":\"")
        .map(|at| at + "\"sub\":\"".len())
        .or_else(|| text.find(":\"").map(|at| at + 2))?;
    let position = value_start + text[value_start..].find(|c: char| c.is_ascii_alphanumeric())?;
    let replacement = if text.as_bytes()[position] == b'a' {
        "b"
    } else {
        "a"
    };
    text.replace_range(position..=position, replacement);
    Some(format!(
        "{}.{}.{}",
        decoded.raw[0],
        URL_SAFE_NO_PAD.encode(text),
        decoded.raw[2]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn b64(value: &Value) -> String {
        URL_SAFE_NO_PAD.encode(value.to_string())
    }

    fn hs256(secret: &[u8], header: &Value, payload: &Value) -> String {
        let input = format!("{}.{}", b64(header), b64(payload));
        let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(secret).unwrap();
        mac.update(input.as_bytes());
        format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    fn eddsa(seed: [u8; 32], payload: &Value) -> (String, [u8; 32]) {
        use ed25519_dalek::Signer;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let input = format!(
            "{}.{}",
            b64(&json!({"alg": "EdDSA", "typ": "at+jwt"})),
            b64(payload)
        );
        let signature = key.sign(input.as_bytes());
        (
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes())),
            key.verifying_key().to_bytes(),
        )
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_token_pasted_with_its_bearer_scheme_or_quotes_decodes() {
        let token = hs256(
            b"secret",
            &json!({"alg": "HS256", "typ": "JWT"}),
            &json!({"sub": "alice"}),
        );
        for pasted in [
            format!("Bearer {token}"),
            format!("bearer  {token}\n"),
            format!("\"{token}\""),
        ] {
            assert_eq!(decode(&pasted).unwrap().payload["sub"], "alice", "{pasted}");
        }
    }

    #[test]
    fn an_unsigned_token_is_known_without_a_key() {
        for alg in ["none", "None", "NONE", "nOnE"] {
            let token = format!(
                "{}.{}.",
                b64(&json!({"alg": alg})),
                b64(&json!({"sub": "x"}))
            );
            assert!(alg_is_none(&decode(&token).unwrap()), "{alg}");
        }
        let signed = hs256(b"k", &json!({"alg": "HS256"}), &json!({}));
        assert!(!alg_is_none(&decode(&signed).unwrap()));
    }

    #[test]
    fn a_valid_hs256_token_decodes_and_verifies() {
        let token = hs256(
            b"secret",
            &json!({"alg": "HS256", "typ": "JWT"}),
            &json!({"sub": "alice", "exp": NOW + 30}),
        );
        let decoded = decode(&token).unwrap();
        assert_eq!(decoded.alg(), Some("HS256"));
        assert_eq!(decoded.payload["sub"], "alice");
        let checks = verify(&decoded, &parse_key("secret", None).unwrap(), NOW);
        assert_eq!(
            checks,
            [
                Check::SignatureValid {
                    alg: "HS256".into()
                },
                Check::NotExpired {
                    exp: NOW + 30,
                    now: NOW
                }
            ]
        );
    }

    #[test]
    fn a_wrong_secret_or_a_tampered_payload_fails_the_signature() {
        let token = hs256(
            b"secret",
            &json!({"alg": "HS256"}),
            &json!({"iss": "authlens", "sub": "alice"}),
        );
        let wrong = verify(
            &decode(&token).unwrap(),
            &Key::Secret(b"other".to_vec()),
            NOW,
        );
        assert_eq!(
            wrong[0],
            Check::SignatureInvalid {
                alg: "HS256".into()
            }
        );
        let tampered = tamper_payload(&token).unwrap();
        let decoded = decode(&tampered).unwrap();
        assert_eq!(decoded.payload["sub"], "blice");
        let checks = verify(&decoded, &Key::Secret(b"secret".to_vec()), NOW);
        assert_eq!(
            checks[0],
            Check::SignatureInvalid {
                alg: "HS256".into()
            }
        );
    }

    #[test]
    fn expiry_has_no_leeway() {
        let token = hs256(b"k", &json!({"alg": "HS256"}), &json!({"exp": NOW}));
        let checks = verify(&decode(&token).unwrap(), &Key::Secret(b"k".to_vec()), NOW);
        assert_eq!(checks[1], Check::Expired { exp: NOW, now: NOW });
    }

    #[test]
    fn eddsa_verifies_with_a_jwk_a_jwks_or_a_pem_key() {
        let (token, public) = eddsa([7; 32], &json!({"sub": "bob"}));
        let x = URL_SAFE_NO_PAD.encode(public);
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": x}).to_string();
        let jwks = json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}, {"kty": "OKP", "crv": "Ed25519", "x": x}]}).to_string();
        let mut der = ED25519_SPKI_PREFIX.to_vec();
        der.extend_from_slice(&public);
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            STANDARD.encode(der)
        );
        let decoded = decode(&token).unwrap();
        for key in [jwk, jwks, pem] {
            let key = parse_key(&key, None).unwrap();
            assert_eq!(key, Key::Ed25519(public));
            assert_eq!(
                verify(&decoded, &key, NOW)[0],
                Check::SignatureValid {
                    alg: "EdDSA".into()
                }
            );
        }
        let (_, other_public) = eddsa([8; 32], &json!({}));
        assert_eq!(
            verify(&decoded, &Key::Ed25519(other_public), NOW)[0],
            Check::SignatureInvalid {
                alg: "EdDSA".into()
            }
        );
    }

    #[test]
    fn the_key_kind_must_match_the_algorithm() {
        let (token, public) = eddsa([7; 32], &json!({}));
        let decoded = decode(&token).unwrap();
        assert_eq!(
            verify(&decoded, &Key::Secret(public.to_vec()), NOW)[0],
            Check::KeyMismatch {
                alg: "EdDSA".into()
            }
        );
        let none = format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&json!({})));
        assert_eq!(
            verify(&decode(&none).unwrap(), &Key::Secret(vec![1]), NOW)[0],
            Check::AlgNone
        );
        let rs = format!("{}.{}.AA", b64(&json!({"alg": "RS256"})), b64(&json!({})));
        assert_eq!(
            verify(&decode(&rs).unwrap(), &Key::Secret(vec![1]), NOW)[0],
            Check::UnsupportedAlg("RS256".into())
        );
    }

    #[test]
    fn each_kind_of_garbage_gets_its_own_reason() {
        assert_eq!(decode("  "), Err(DecodeError::Empty));
        assert_eq!(decode("abc"), Err(DecodeError::PartCount(1)));
        assert_eq!(decode("a.b.c.d"), Err(DecodeError::PartCount(4)));
        assert_eq!(
            decode("%%.e30.AA"),
            Err(DecodeError::NotBase64(Part::Header))
        );
        let not_json = URL_SAFE_NO_PAD.encode("{nope");
        assert_eq!(
            decode(&format!("e30.{not_json}.AA")),
            Err(DecodeError::NotJson(Part::Payload))
        );
        let array = URL_SAFE_NO_PAD.encode("[1]");
        assert_eq!(
            decode(&format!("{array}.e30.AA")),
            Err(DecodeError::NotObject(Part::Header))
        );
        assert_eq!(
            decode("e30.e30.%%"),
            Err(DecodeError::NotBase64(Part::Signature))
        );
    }

    #[test]
    fn keys_that_cannot_be_used_say_why() {
        assert_eq!(parse_key(" ", None), Err(KeyError::Empty));
        assert_eq!(
            parse_key(r#"{"kty": "RSA", "n": "x", "e": "AQAB"}"#, None),
            Err(KeyError::UnsupportedJwk)
        );
        assert_eq!(
            parse_key(r#"{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}"#, None),
            Err(KeyError::BadKeyBytes)
        );
        assert_eq!(
            parse_key(
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
                None
            ),
            Err(KeyError::UnsupportedPem)
        );
    }

    proptest! {
        #[test]
        fn any_string_decodes_or_fails_without_panicking(input in ".{0,400}") {
            let _ = decode(&input);
            let _ = tamper_payload(&input);
        }

        #[test]
        fn any_three_parts_of_base64_alphabet_never_panic(
            parts in proptest::collection::vec("[A-Za-z0-9_-]{0,80}", 3),
            key in ".{0,100}",
        ) {
            let token = parts.join(".");
            if let Ok(decoded) = decode(&token)
                && let Ok(key) = parse_key(&key, None)
            {
                let _ = verify(&decoded, &key, NOW);
            }
        }

        #[test]
        fn any_json_payload_round_trips(sub in ".{0,60}", exp in any::<i64>()) {
            let token = hs256(b"k", &json!({"alg": "HS256"}), &json!({"sub": sub, "exp": exp}));
            let decoded = decode(&token).unwrap();
            prop_assert_eq!(decoded.payload["sub"].as_str(), Some(sub.as_str()));
            prop_assert_eq!(decoded.time_claim("exp"), Some(exp));
            prop_assert!(verify(&decoded, &Key::Secret(b"k".to_vec()), NOW)[0].passed());
        }

        #[test]
        fn any_pasted_key_text_parses_or_fails_without_panicking(key in ".{0,300}") {
            let _ = parse_key(&key, Some("kid"));
            let _ = parse_key(&format!("{{\"keys\": [{key}]}}"), None);
            let _ = parse_key(&format!("-----BEGIN PUBLIC KEY-----\n{key}\n-----END PUBLIC KEY-----"), None);
        }
    }
}
