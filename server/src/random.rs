//! Random values from the operating system's CSPRNG, and the id types made of them (session
//! ids, visitor ids): base64url text, parsed back only at exactly their length, never logged
//! whole.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `N` random bytes. Without OS randomness there is no safe id to hand out, and no way to
/// recover: that is the one panic.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes
}

/// `N` random bytes as base64url (refresh families, `jti`s, a lab cluster's secret).
pub fn token<const N: usize>() -> String {
    URL_SAFE_NO_PAD.encode(bytes::<N>())
}

/// `N` random bytes as lowercase hex: letters and digits only (the probe nonces, which the
/// attacker page takes as plain alphanumerics).
pub fn hex<const N: usize>() -> String {
    bytes::<N>()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The `N` bytes `text` encodes as unpadded base64url, if it is exactly that and nothing else.
pub fn parse<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != (N * 4).div_ceil(3) {
        return None;
    }
    URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok()
}

/// The shortened base64url of `bytes` for display: the first 6 bytes give the same leading
/// characters as the whole id (base64 turns 3 bytes into 4 characters).
pub fn short(bytes: &[u8]) -> String {
    app::api::shorten_id(&URL_SAFE_NO_PAD.encode(&bytes[..bytes.len().min(6)]))
}

/// An id of `$len` random bytes: `generate`, `parse`, `short`, base64url `Display`, a `Debug`
/// that shows only the short form, and serde as its text.
macro_rules! random_id {
    ($(#[$doc:meta])* $name:ident, $len:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            pub fn generate() -> Self {
                $name($crate::random::bytes())
            }

            #[doc = concat!("Exactly ", $len, " base64url bytes, or no ", $what, " at all.")]
            pub fn parse(text: &str) -> Option<Self> {
                $crate::random::parse(text).map($name)
            }

            /// A prefix for display that cannot stand in for the whole id.
            pub fn short(&self) -> String {
                $crate::random::short(&self.0)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                use base64::Engine;
                f.write_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.0))
            }
        }

        /// Never log a whole id.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.short())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                $name::parse(&text)
                    .ok_or_else(|| serde::de::Error::custom(concat!("not a ", $what)))
            }
        }
    };
}

pub(crate) use random_id;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_takes_exactly_the_encoded_length() {
        let text = token::<16>();
        assert_eq!(text.len(), 22);
        assert_eq!(
            parse::<16>(&text).map(|bytes| URL_SAFE_NO_PAD.encode(bytes)),
            Some(text.clone())
        );
        assert_eq!(parse::<16>(&format!("{text}A")), None);
        assert_eq!(parse::<32>(&text), None);
        assert_eq!(token::<32>().len(), 43);
        let nonce = hex::<16>();
        assert!(nonce.len() == 32 && nonce.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
