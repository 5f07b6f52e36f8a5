//! Snapshots of the generated code: one per package of `idl/`, and one per package of the test
//! fixtures (names and docs that trip generators). The same code is compiled: `generated/` is
//! the crate `vapi-bindings`, and `tests/build-script-consumer` compiles the fixtures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use vapi_codegen::Config;

fn workspace(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

fn config(idl: &str) -> Config {
    let mut config = Config::checked_in();
    config
        .idl_dir(workspace(idl))
        .out_dir(workspace("generated/src"));
    config
}

fn generate(idl: &str) -> BTreeMap<String, String> {
    match config(idl).generate() {
        Ok(files) => files,
        Err(e) => panic!("generating from {idl} failed:{e:?}"),
    }
}

fn snapshot_all(prefix: &str, files: &BTreeMap<String, String>) {
    for (path, contents) in files {
        let name = format!(
            "{prefix}__{}",
            path.trim_end_matches(".rs").replace('/', "__")
        );
        insta::assert_snapshot!(name, contents);
    }
}

#[test]
fn idl_packages() {
    let files = generate("idl");
    assert!(
        files.contains_key("content/library/item.rs"),
        "the item package is generated: {:?}",
        files.keys().collect::<Vec<_>>()
    );
    snapshot_all("idl", &files);
}

#[test]
fn fixture_packages() {
    snapshot_all("fixtures", &generate("tests/fixtures/base"));
}

#[test]
fn checked_in_bindings_are_fresh() {
    let stale = config("idl").check().unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        stale.is_empty(),
        "generated/src is stale; run `cargo run -p vapi-codegen`: {stale:?}"
    );
}

#[test]
fn same_idl_same_bytes() {
    assert_eq!(generate("idl"), generate("idl"));
}

/// `Config::compile` (build scripts) writes the tokens' text, not formatted: the same code,
/// item for item, as the formatted files people read.
#[test]
fn build_scripts_get_the_same_code_unformatted() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-unformatted");
    let _ = std::fs::remove_dir_all(&dir);
    let mut config = config("idl");
    config.out_dir(&dir);
    config.compile().unwrap_or_else(|e| panic!("{e:?}"));
    let pretty = generate("idl");
    let print = |text: &str| match text.parse::<proc_macro2::TokenStream>() {
        Ok(tokens) => token_texts(tokens),
        Err(e) => panic!("{e}\n{text}"),
    };
    for (name, text) in &pretty {
        let raw = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(raw.starts_with("// @generated"), "{name}");
        assert!(raw != *text, "{name} is formatted");
        let (raw, text) = (print(&raw), print(text));
        let first = raw.iter().zip(&text).position(|(a, b)| a != b);
        assert!(
            raw == text,
            "{name}: the code differs at token {first:?}: {:?}",
            first.map(|i| (
                &raw[i.saturating_sub(8)..i + 1],
                &text[i.saturating_sub(8)..i + 1]
            ))
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each token's text, string literals by their value (a doc comment is a raw string when read
/// from `///`, inside macro calls too, and a plain one in the unformatted text), without the
/// trailing commas formatting adds.
fn token_texts(tokens: proc_macro2::TokenStream) -> Vec<String> {
    let mut out = tokens_of(tokens);
    let mut i = 0;
    while i + 1 < out.len() {
        if out[i] == "," && (out[i + 1] == "end" || out[i + 1] == ">") {
            out.remove(i);
        } else {
            i += 1;
        }
    }
    out
}

fn tokens_of(tokens: proc_macro2::TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Group(g) => {
                out.push(format!("{:?}", g.delimiter()));
                out.extend(tokens_of(g.stream()));
                out.push("end".to_owned());
            }
            proc_macro2::TokenTree::Literal(l) => {
                let text = l.to_string();
                match syn::parse_str::<syn::LitStr>(&text) {
                    Ok(s) => out.push(format!("{:?}", s.value())),
                    Err(_) => out.push(text),
                }
            }
            other => out.push(other.to_string()),
        }
    }
    out
}
