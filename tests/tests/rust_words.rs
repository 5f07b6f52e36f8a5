//! The generated docs speak Rust: none of the Python SDK's words ("class", "exception",
//! `None`/`True`/`False` outside code, "This class was added in", the dangling "described as
//! follows:", `…_client.` module names) and no IDL doc markup (`{@…}`) left unrendered, in any
//! doc comment of the checked-in bindings.

use std::path::{Path, PathBuf};

/// The Python wording found in one line of doc text (code spans excluded), as found.
fn python_words(doc: &str) -> Vec<String> {
    let mut found = Vec::new();
    for phrase in [
        "This class was added in",
        "described as follows:",
        "{@",
        "_client.",
    ] {
        if doc.contains(phrase) {
            found.push(phrase.to_owned());
        }
    }
    // Words outside `code spans` (where `None`, `true` and `false` are Rust).
    let prose: String = doc
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, part)| part)
        .collect::<Vec<_>>()
        .join(" ");
    for word in prose.split(|c: char| !c.is_alphanumeric() && c != '_') {
        let python = matches!(word, "None" | "True" | "False")
            || word.eq_ignore_ascii_case("class")
            || word.eq_ignore_ascii_case("classes")
            || word.eq_ignore_ascii_case("exception")
            || word.eq_ignore_ascii_case("exceptions");
        if python {
            found.push(word.to_owned());
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_check_finds_python_wording() {
    let table: [(&str, &[&str]); 10] = [
        ("The `File` class provides methods.", &["class"]),
        ("If None, the server checks.", &["None"]),
        ("The value is True or False.", &["True", "False"]),
        (
            "This class was added in **vSphere API 6.8**.",
            &["This class was added in", "class"],
        ),
        (
            "if you do not have all of the privileges described as follows:",
            &["described as follows:"],
        ),
        ("See {@link File.Info}.", &["{@"]),
        ("If `None`, the server checks; `true` or `false`.", &[]),
        ("The [`FileInfo`] structure; Classes.", &["Classes"]),
        (
            "See `com.vmware.vapi.std_client.LocalizableMessage`.",
            &["_client."],
        ),
        ("The NotFound exception indicates", &["exception"]),
    ];
    for (line, expected) in table {
        assert_eq!(python_words(line), expected, "{line}");
    }
}

#[test]
fn the_generated_docs_have_no_python_wording() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    assert!(files.len() >= 5, "generated/src has {} files", files.len());
    let mut docs = 0;
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_start();
            let Some(doc) = line
                .strip_prefix("///")
                .or_else(|| line.strip_prefix("//!"))
            else {
                continue;
            };
            docs += 1;
            for word in python_words(doc) {
                problems.push(format!("{}:{}: {word}: {doc}", file.display(), n + 1));
            }
        }
    }
    assert!(docs > 1000, "only {docs} doc lines in generated/src");
    assert!(
        problems.is_empty(),
        "Python wording in the generated docs:\n{}",
        problems.join("\n")
    );
}
