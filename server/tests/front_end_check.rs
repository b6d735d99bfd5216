//! The server refuses to start on a front end that cannot hydrate (built without `--split`).

use std::path::PathBuf;

use server::http::assets::FrontEnd;

fn check_front_end(root: &std::path::Path) -> anyhow::Result<FrontEnd> {
    FrontEnd::find(root)
}

/// A site root of its own under the system's temp dir, with `pkg/authlens.js` holding `glue`.
fn site_with_glue(name: &str, glue: Option<&str>) -> PathBuf {
    let root = std::env::temp_dir().join(format!("authlens-{name}-{}", std::process::id()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).expect("a temp dir");
    if let Some(glue) = glue {
        std::fs::write(pkg.join("authlens.js"), glue).expect("the glue file");
    }
    root
}

#[test]
fn an_unsplit_front_end_is_refused_with_the_fix() {
    let root = site_with_glue(
        "unsplit",
        Some(r#"import * as __wbg_star0 from "__wasm_split_placeholder__";"#),
    );
    let why = check_front_end(&root).expect_err("refused").to_string();
    assert!(why.contains("--split"), "{why}");
    assert!(why.contains("authlens.js"), "{why}");
    std::fs::remove_dir_all(root).ok();
}

#[test]
fn a_split_front_end_and_no_front_end_pass() {
    let split = site_with_glue(
        "split",
        Some(r#"import * as __wbg_star0 from "./__wasm_split.______________________.js";"#),
    );
    assert!(check_front_end(&split).is_ok());
    let none = site_with_glue("none", None);
    assert!(check_front_end(&none).is_ok());
    std::fs::remove_dir_all(split).ok();
    std::fs::remove_dir_all(none).ok();
}

#[test]
fn hashed_names_are_read_from_hash_txt_and_a_stale_one_is_refused() {
    let root = site_with_glue("hashed", None);
    let hash_file = root.join("hash.txt");
    std::fs::write(&hash_file, "js: Ab-1_\nwasm: Cd2\ncss: Ef3\n").unwrap();
    let stale = FrontEnd::with_hash_file(&root, &hash_file)
        .expect_err("a hash file naming missing files is refused")
        .to_string();
    assert!(
        stale.contains("authlens.Ab-1_.js") && stale.contains("another build"),
        "{stale}"
    );
    std::fs::write(
        root.join("pkg").join("authlens.Ab-1_.js"),
        "import './x.js';",
    )
    .unwrap();
    let found = FrontEnd::with_hash_file(&root, &hash_file).expect("the hashed site");
    assert!(found.hashed);
    assert_eq!(found.glue, "authlens.Ab-1_.js");
    let unhashed = FrontEnd::with_hash_file(&root, &root.join("no-such-hash.txt")).unwrap();
    assert!(!unhashed.hashed, "no hash file: plain names");
    std::fs::remove_dir_all(root).ok();
}
