//! The command line and the build-script API end to end: exit codes, `--check`, atomic writes,
//! and bad IDL failing cleanly with located diagnostics.

// Test helpers may panic: a panic here is a failing test with its message.
#![allow(clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace(rel: &str) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join(rel)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vapi-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vapi-codegen"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn generate_check_edit_check() {
    let out = scratch("check");
    let idl = workspace("tests/fixtures/base");
    let (idl, out_s) = (idl.to_string_lossy(), out.to_string_lossy());
    let args = ["--idl", &idl, "--out", &out_s];

    let first = run(&args);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let again = run(&args);
    assert!(
        text(&again.stdout).contains("0 file(s) changed"),
        "only changed files are written"
    );

    let mut check_args = args.to_vec();
    check_args.push("--check");
    assert_eq!(run(&check_args).status.code(), Some(0));

    let edited = out.join("example/shop.rs");
    std::fs::write(&edited, "// hand edit\n").expect("edit");
    let stale = run(&check_args);
    assert_eq!(stale.status.code(), Some(1));
    let stderr = text(&stale.stderr);
    assert!(stderr.contains("example/shop.rs: differs"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&edited).ok().as_deref(),
        Some("// hand edit\n"),
        "--check writes nothing"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bad_idl_exits_1_with_located_diagnostics_and_writes_nothing() {
    let out = scratch("bad");
    let idl = workspace("tests/fixtures/bad/unknown_type");
    let result = run(&[
        "--idl",
        &idl.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = text(&result.stderr);
    // As rustc shows it: message, location, the line with a caret under the value, help.
    assert!(
        stderr.contains(
            "error: unknown type `Thng`
 --> com/vmware/example/bad.yaml:8:39
  |
8 |       - { name: next, type: \"optional<Thng>\", doc: A typo. }
  |                                       ^^^^
  |
  = help: did you mean `Thing`?"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\x1b'),
        "no colour when stderr is not a terminal"
    );
    assert!(!out.exists(), "a failed run writes no file");
}

#[test]
fn two_runs_write_byte_identical_files() {
    // Separate processes, so that any hash-map order or address in the output would differ.
    let idl = workspace("idl");
    let (a, b) = (scratch("same-a"), scratch("same-b"));
    for out in [&a, &b] {
        let r = run(&[
            "--idl",
            &idl.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ]);
        assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
    }
    let files = |dir: &Path| {
        let mut found = Vec::new();
        let mut todo = vec![dir.to_owned()];
        while let Some(d) = todo.pop() {
            for entry in std::fs::read_dir(&d).expect("readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    todo.push(path);
                } else {
                    let rel = path.strip_prefix(dir).expect("below").to_owned();
                    found.push((rel, std::fs::read(&path).expect("read")));
                }
            }
        }
        found.sort();
        found
    };
    let (fa, fb) = (files(&a), files(&b));
    assert!(fa.len() >= 8, "{} files", fa.len());
    assert_eq!(fa, fb);
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn color_is_chosen_with_a_flag() {
    let idl = workspace("tests/fixtures/bad/unknown_type");
    let idl = idl.to_string_lossy();
    let always = run(&["--idl", &idl, "--check", "--color", "always"]);
    assert_eq!(always.status.code(), Some(1));
    let stderr = text(&always.stderr);
    assert!(stderr.contains("\x1b["), "ANSI colours: {stderr}");
    assert!(stderr.contains("unknown type `Thng`"), "{stderr}");
    let never = run(&["--idl", &idl, "--check", "--color=never"]);
    assert!(!text(&never.stderr).contains('\x1b'));
    let bad = run(&["--color", "sometimes"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("auto, always or never"));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let unknown = run(&["--frobnicate"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("error: invalid option '--frobnicate'\n\nusage:"),
        "{}",
        text(&unknown.stderr)
    );
    let stray = run(&["idl"]);
    assert_eq!(stray.status.code(), Some(2));
    assert!(text(&stray.stderr).contains("unexpected argument \"idl\""));
    let missing_value = run(&["--idl"]);
    assert_eq!(missing_value.status.code(), Some(2));
    assert!(text(&missing_value.stderr).contains("missing argument for option '--idl'"));
    let no_dir = run(&["--idl", "/nonexistent/vapi-idl", "--check"]);
    assert_eq!(no_dir.status.code(), Some(2));
    assert!(text(&no_dir.stderr).contains("cannot read"));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
}

#[test]
fn a_build_script_fails_cleanly_on_bad_idl() {
    let out = scratch("build");
    let mut config = vapi_codegen::Config::new();
    config
        .idl_dir(workspace("tests/fixtures/bad/struct_contains_itself"))
        .out_dir(&out)
        .rerun_if_changed(false);
    let err = config.compile().expect_err("bad IDL fails");
    assert_eq!(err.exit_code(), 1);
    // What `fn main() -> Result<(), vapi_codegen::Error>` prints when the build fails.
    let shown = format!("{err:?}");
    assert!(
        shown.contains(
            "error: the structure `A` contains itself: A.b → B.a → A\n --> com/vmware/example/bad.yaml:8:17\n"
        ),
        "{shown}"
    );
    assert!(!shown.contains('\x1b'), "build output is plain text");
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn the_checked_in_bindings_are_fresh() {
    let result = run(&["--check"]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "run `cargo run -p vapi-codegen`:\n{}",
        text(&result.stderr)
    );
}

#[test]
fn version_prints_the_package_version() {
    for flag in ["--version", "-V"] {
        let out = run(&[flag]);
        assert_eq!(out.status.code(), Some(0), "{flag}");
        assert_eq!(
            text(&out.stdout),
            format!("vapi-codegen {}\n", env!("CARGO_PKG_VERSION")),
            "{flag}"
        );
    }
}

#[test]
fn an_unknown_package_is_a_mistake_in_the_idl() {
    let out = scratch("package");
    let idl = workspace("tests/fixtures/base");
    let result = run(&[
        "--idl",
        &idl.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
        "--package",
        "com.vmware.example.shopp",
        "--package",
        "com.vmware.tricky",
        "--color=never",
    ]);
    assert_eq!(result.status.code(), Some(1), "exit 1 like any IDL mistake");
    let stderr = text(&result.stderr);
    assert!(
        stderr.starts_with("error: no IDL file declares the package `com.vmware.example.shopp`\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: did you mean `com.vmware.example.shop`?"),
        "{stderr}"
    );
    assert!(stderr.ends_with("error: the IDL has 1 error\n"), "{stderr}");
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn a_byte_that_is_not_utf8_is_located() {
    let idl = scratch("utf8");
    let dir = idl.join("com/vmware");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    // `é` in Latin-1 on line 3, after a two-byte UTF-8 character: the column counts characters.
    std::fs::write(
        dir.join("a.yaml"),
        b"package: com.vmware.a\ndoc: A.\nsince: \"\xc3\xa9\xe9\"\n".as_slice(),
    )
    .expect("write");
    let result = run(&["--idl", &idl.to_string_lossy(), "--check", "--color=never"]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = text(&result.stderr);
    assert!(
        stderr.starts_with(
            "error: the file is not UTF-8: the byte 0xE9 is not part of a character\n --> com/vmware/a.yaml:3:10\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: IDL files are UTF-8 text"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&idl);
}
