//! The front end's files on the wire. cargo-leptos (`hash-files`) puts a content hash in every
//! file name under `/pkg` and lists the hashes in `hash.txt` beside the server binary; a file
//! whose name changes with its content may be cached for a year without asking again
//! (`immutable`). A release build (`--precompress`) also writes `.br` and `.gz` siblings,
//! served to a browser that accepts them, so nothing is compressed per request. The page HTML
//! (a fresh nonce each time) is compressed on the fly and revalidated on every visit; API
//! answers are never compressed, so the sizes the page reports are the bytes that moved.

use std::path::{Path, PathBuf};

use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, Version, header};
use tower_http::compression::predicate::Predicate;
use tower_http::compression::{CompressionLayer, DefaultPredicate};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

/// The front end's base name in `<site root>/pkg`, as cargo-leptos writes it.
pub const FRONT_END_NAME: &str = "authlens";

/// Hashed names never change content; unhashed ones (a build without `hash-files`) may.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The `/pkg` files with their caching headers.
pub type PkgService = SetResponseHeader<SetResponseHeader<ServeDir, HeaderValue>, HeaderValue>;

/// What the built site holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontEnd {
    /// File names carry content hashes (`hash.txt` was found and its files exist).
    pub hashed: bool,
    /// The wasm glue's file name under `pkg/`.
    pub glue: String,
}

impl FrontEnd {
    /// The site under `site_root`, with the hashes cargo-leptos wrote next to this binary.
    pub fn find(site_root: &Path) -> anyhow::Result<Self> {
        Self::with_hash_file(site_root, &default_hash_file())
    }

    /// The site under `site_root` as `hash_file` (if it exists) names its files. Refuses a
    /// front end that could not hydrate: one built without `--split` (its lazy code imports a
    /// placeholder only the split step replaces), or one whose hashed files are not there (the
    /// site was rebuilt by another profile). A site without the glue (API only, tests) passes.
    pub fn with_hash_file(site_root: &Path, hash_file: &Path) -> anyhow::Result<Self> {
        let pkg = site_root.join("pkg");
        let js_hash = std::fs::read_to_string(hash_file)
            .ok()
            .and_then(|hashes| hash_of(&hashes, "js"));
        let front_end = match js_hash {
            Some(hash) => FrontEnd {
                hashed: true,
                glue: format!("{FRONT_END_NAME}.{hash}.js"),
            },
            None => FrontEnd {
                hashed: false,
                glue: format!("{FRONT_END_NAME}.js"),
            },
        };
        let glue = pkg.join(&front_end.glue);
        match std::fs::read_to_string(&glue) {
            Ok(text) if text.contains("__wasm_split_placeholder__") => anyhow::bail!(
                "{} was built without --split, so the page could not hydrate; \
                 rebuild with `cargo leptos build --split` (`make run` does)",
                glue.display()
            ),
            Err(_) if front_end.hashed => anyhow::bail!(
                "{} names {}, which is not in {}: the site was rebuilt by another build \
                 (debug or release); rebuild this one with `cargo leptos build --split` \
                 (add --release for target/release)",
                hash_file.display(),
                front_end.glue,
                pkg.display()
            ),
            _ => Ok(front_end),
        }
    }

    /// `/pkg`: the files, their precompressed siblings by `Accept-Encoding`, and how long
    /// they may be cached.
    pub fn pkg_service(&self, site_root: &Path) -> PkgService {
        let cache = if self.hashed { IMMUTABLE } else { REVALIDATE };
        let files = ServeDir::new(site_root.join("pkg"))
            .precompressed_br()
            .precompressed_gzip();
        // One URL, several encodings: a shared cache must key on Accept-Encoding.
        let varied = SetResponseHeader::appending(
            files,
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        );
        SetResponseHeader::overriding(
            varied,
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache),
        )
    }
}

/// `hash.txt` beside the running binary, where cargo-leptos writes it and Leptos reads it.
fn default_hash_file() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_default()
        .join("hash.txt")
}

/// The hash on the `kind: hash` line of `hash.txt`.
fn hash_of(hashes: &str, kind: &str) -> Option<String> {
    hashes.lines().find_map(|line| {
        let (name, hash) = line.split_once(':')?;
        (name.trim() == kind && !hash.trim().is_empty()).then(|| hash.trim().to_owned())
    })
}

/// On-the-fly compression for the page HTML only: JSON keeps its exact bytes, and the files
/// under `/pkg` come precompressed (or, in a debug build, as they are).
pub fn html_compression() -> CompressionLayer<impl Predicate> {
    let html_only = DefaultPredicate::new().and(
        |_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
            crate::http::security_headers::content_type_is(headers, "text/html")
        },
    );
    CompressionLayer::new()
        .no_deflate()
        .no_zstd()
        .compress_when(html_only)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_hash_lines_cargo_leptos_writes() {
        let hashes = "js: AbC_1\nwasm: dEf-2\ncss: x\nmanifest: m\nsplit: s\n";
        assert_eq!(hash_of(hashes, "js").as_deref(), Some("AbC_1"));
        assert_eq!(hash_of(hashes, "wasm").as_deref(), Some("dEf-2"));
        assert_eq!(hash_of(hashes, "font"), None);
        assert_eq!(hash_of("js:\n", "js"), None);
    }
}
