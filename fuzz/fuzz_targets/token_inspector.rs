//! Any bytes pasted into /inspect: the token, and a key after the first newline.
#![no_main]

use app::token::{decode, parse_key, tamper_payload, verify};
use libfuzzer_sys::fuzz_target;

/// A fixed "now", so a run is repeatable.
const NOW: i64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (token, key) = text.split_once('\n').unwrap_or((&text, ""));
    let _ = tamper_payload(token);
    let decoded = decode(token);
    for kid in [None, Some("authlens")] {
        if let (Ok(decoded), Ok(key)) = (&decoded, parse_key(key, kid)) {
            let _ = verify(decoded, &key, NOW);
        }
    }
});
