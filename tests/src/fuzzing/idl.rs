//! The IDL loader and the generator: `idl_bytes` (arbitrary text as one IDL file) and
//! `idl_mutate` (the real IDL of `idl/`, changed by mutations decoded from the input).
//!
//! Invariants: no panic and no hang; a rejected IDL has at least one diagnostic and its text
//! renders; an accepted one generates Rust in which every file parses with `syn::parse_file`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use vapi_codegen::__private::{self, Ends, Model, Preloaded, Source, load_sources};
use vapi_codegen::Layout;

/// The IDL of `idl/`, path (relative to the IDL root) and text, as the command line reads it.
pub const IDL: &[(&str, &str)] = &[
    (
        "com/vmware/content.yaml",
        include_str!("../../../idl/com/vmware/content.yaml"),
    ),
    (
        "com/vmware/content/library.yaml",
        include_str!("../../../idl/com/vmware/content/library.yaml"),
    ),
    (
        "com/vmware/content/library/item.yaml",
        include_str!("../../../idl/com/vmware/content/library/item.yaml"),
    ),
    (
        "com/vmware/content/library/item/downloadsession.yaml",
        include_str!("../../../idl/com/vmware/content/library/item/downloadsession.yaml"),
    ),
    (
        "com/vmware/content/library/item/updatesession.yaml",
        include_str!("../../../idl/com/vmware/content/library/item/updatesession.yaml"),
    ),
    (
        "com/vmware/vapi/std.yaml",
        include_str!("../../../idl/com/vmware/vapi/std.yaml"),
    ),
    (
        "com/vmware/vapi/std/errors.yaml",
        include_str!("../../../idl/com/vmware/vapi/std/errors.yaml"),
    ),
    (
        "com/vmware/vcenter.yaml",
        include_str!("../../../idl/com/vmware/vcenter.yaml"),
    ),
];

/// The fixed `com.vmware.vapi.std.errors` file loaded with every `idl_bytes` input: the small
/// copy the test fixtures share, so that an input can extend and raise standard errors.
pub const STD_ERRORS: &str = include_str!("../../fixtures/base/com/vmware/vapi/std/errors.yaml");

const STD_ERRORS_PATH: &str = "com/vmware/vapi/std/errors.yaml";

/// What one run of the generator produced.
#[derive(Debug)]
pub enum Outcome {
    /// The IDL was rejected; the diagnostics as printed.
    Rejected(String),
    /// The generated files, path to contents.
    Generated(BTreeMap<String, String>),
}

/// How to generate: the two layouts and the client and server ends of `Config`.
#[derive(Debug, Clone, Copy, Default, Arbitrary)]
pub struct Settings {
    /// One file of nested modules (a build script) rather than a file per module.
    pub single_file: bool,
    /// Emit a `Client` and a `router` per service.
    pub ends: bool,
    /// Put them behind `client` and `server` features.
    pub feature_gates: bool,
}

/// Loads `sources` and, if they load, generates all packages as `Config::generate` does and
/// parses every file it produced.
///
/// # Panics
///
/// If an invariant breaks: a rejection without a diagnostic, a render error (the generator
/// made tokens that are not Rust) or a generated file that does not parse.
pub fn generate(sources: &[Source], settings: Settings) -> Outcome {
    let model = match load_sources(sources) {
        Ok(model) => model,
        Err(diags) => {
            assert!(
                !diags.is_empty(),
                "the IDL was rejected without a single diagnostic"
            );
            return Outcome::Rejected(diags.to_string());
        }
    };
    let layout = if settings.single_file {
        Layout::SingleFile("vapi.rs".to_owned())
    } else {
        Layout::ModulePerFile
    };
    let rendered = __private::files(&model, &[], &layout, ends(settings), HEADER, true);
    let files = match rendered {
        Ok(files) => files,
        Err(e) => panic!("the IDL loads but generates broken Rust: {e}"),
    };
    parse_all(&files, &BTreeMap::new());
    Outcome::Generated(files)
}

/// Parses every file of `files` with `syn::parse_file`, except those equal to their entry in
/// `known`.
///
/// # Panics
///
/// If one does not parse.
pub fn parse_all(files: &BTreeMap<String, String>, known: &BTreeMap<String, String>) {
    for (path, text) in files {
        if known.get(path) == Some(text) {
            continue;
        }
        if let Err(e) = syn::parse_file(text) {
            panic!("generated `{path}` does not parse: {e}\n{text}");
        }
    }
}

/// The path the loader wants for a file declaring `package: NAME`, so that inputs naming any
/// package reach the resolver; `com/vmware/fuzz.yaml` when there is no usable line.
fn path_of(text: &str) -> String {
    let name = text
        .lines()
        .find_map(|l| l.strip_prefix("package:"))
        .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\''))
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 200
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        });
    match name {
        Some(name) => format!("{}.yaml", name.replace('.', "/")),
        None => "com/vmware/fuzz.yaml".to_owned(),
    }
}

/// `idl_bytes`: `data` is the text of one IDL file, loaded next to [`STD_ERRORS`] and, if it
/// loads, generated in both layouts with the client and server ends.
///
/// Text that is not UTF-8 is skipped: [`Source`] holds a `String`, and `read_dir` refuses
/// such a file with a located diagnostic before any parsing.
pub fn idl_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sources = [
        Source {
            path: STD_ERRORS_PATH.to_owned(),
            text: STD_ERRORS.to_owned(),
        },
        Source {
            path: path_of(text),
            text: text.to_owned(),
        },
    ];
    for single_file in [false, true] {
        let settings = Settings {
            single_file,
            ends: true,
            feature_gates: single_file,
        };
        if let Outcome::Rejected(_) = generate(&sources, settings) {
            return;
        }
    }
}

/// Tokens that break naive generators: keywords, names of std items, digits first, non-ASCII,
/// brackets of the type syntax, YAML syntax, path and URL syntax, the empty string.
pub const HOSTILE: &[&str] = &[
    "type",
    "self",
    "Self",
    "gen",
    "crate",
    "super",
    "async",
    "await",
    "dyn",
    "fn",
    "mod",
    "r#type",
    "_",
    "__",
    "3D",
    "0",
    "-1",
    "99999999999999999999",
    "1e999",
    "é",
    "名前",
    "Ünïcödé",
    "\u{200b}",
    "<",
    ">",
    "(",
    ")",
    "<>",
    "()",
    "..",
    ".",
    "::",
    "optional<",
    "list<",
    "set<",
    "map<string,",
    "optional<optional<string>>",
    "id()",
    "id(",
    "map<string>",
    "list<list<list<string>>>",
    "{",
    "}",
    "[",
    "]",
    "'",
    "\"",
    ":",
    "- ",
    "#",
    "&a",
    "*a",
    "!!binary",
    "~",
    "null",
    "true",
    "|-",
    ">-",
    "\t",
    "Error",
    "String",
    "Option",
    "Result",
    "Box",
    "Vec",
    "std",
    "core",
    "vapi_runtime",
    "/",
    "//",
    "{x}",
    "{}",
    "?action=",
    "%2F",
    "A.B.C",
    "File.Info",
    "com.vmware.vapi.std.errors.Error",
    "com.vmware.content.library.item.DownloadSession",
    "GET",
    "PATCH",
    "TRACE",
    "",
];

/// A replacement text.
#[derive(Debug, Clone, Arbitrary)]
pub enum Token {
    /// One of [`HOSTILE`].
    Hostile(u8),
    /// Any text.
    Text(String),
    /// One of [`HOSTILE`] `n` times, for deep nesting and long names.
    Repeat(u8, u8),
}

impl Token {
    fn text(&self) -> String {
        let pick = |i: u8| HOSTILE[usize::from(i) % HOSTILE.len()];
        match self {
            Token::Hostile(i) => pick(*i).to_owned(),
            Token::Text(s) => s.clone(),
            Token::Repeat(i, n) => pick(*i).repeat(usize::from(*n)),
        }
    }
}

/// One change to one file of the IDL; numbers are taken modulo what there is.
#[derive(Debug, Clone, Arbitrary)]
pub enum Mutation {
    /// Replaces the value of the `nth` `key: value` (a scalar, a name, a type).
    Scalar {
        /// Which file of [`IDL`].
        file: u8,
        /// Which value.
        nth: u16,
        /// The new value.
        token: Token,
    },
    /// Replaces the `nth` word (a run of letters, digits and `_`).
    Word {
        /// Which file of [`IDL`].
        file: u8,
        /// Which word.
        nth: u16,
        /// The new word.
        token: Token,
    },
    /// Inserts text at a byte offset (moved back to a character boundary).
    Insert {
        /// Which file of [`IDL`].
        file: u8,
        /// Where.
        at: u16,
        /// What.
        token: Token,
    },
    /// Deletes a line.
    DeleteLine {
        /// Which file of [`IDL`].
        file: u8,
        /// Which line.
        line: u16,
    },
    /// Copies a line to before another.
    DuplicateLine {
        /// Which file of [`IDL`].
        file: u8,
        /// Which line.
        line: u16,
        /// Where the copy goes.
        to: u16,
    },
    /// Swaps two lines.
    SwapLines {
        /// Which file of [`IDL`].
        file: u8,
        /// One line.
        a: u16,
        /// The other.
        b: u16,
    },
    /// Indents a line by `delta` spaces, or removes up to `-delta` leading spaces.
    Indent {
        /// Which file of [`IDL`].
        file: u8,
        /// Which line.
        line: u16,
        /// By how much.
        delta: i8,
    },
    /// Copies a line from one file into another.
    Transplant {
        /// From which file of [`IDL`].
        from: u8,
        /// Which line.
        line: u16,
        /// Into which file.
        file: u8,
        /// Before which line.
        to: u16,
    },
}

/// An `idl_mutate` input: how to generate and what to change.
#[derive(Debug, Clone, Default, Arbitrary)]
pub struct Plan {
    /// How to generate.
    pub settings: Settings,
    /// The changes, applied in order (at most [`MAX_MUTATIONS`]).
    pub mutations: Vec<Mutation>,
}

/// Mutations beyond this many are ignored, so that one input stays one small change.
pub const MAX_MUTATIONS: usize = 16;

fn pick(n: impl Into<usize>, len: usize) -> Option<usize> {
    (len > 0).then(|| n.into() % len)
}

/// Byte ranges of the values of `key: value` pairs: from after `: ` up to `,`, `}`, `]` or the
/// end of the line, trimmed.
fn scalars(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b':' && bytes[i + 1] == b' ' {
            let start = i + 2;
            let mut end = start;
            while end < bytes.len() && !matches!(bytes[end], b',' | b'}' | b']' | b'\n') {
                end += 1;
            }
            let value = &text[start..end];
            let trimmed = value.trim();
            if !trimmed.is_empty() {
                let lead = value.len() - value.trim_start().len();
                out.push((start + lead, start + lead + trimmed.len()));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// Byte ranges of the words: runs of ASCII letters, digits and `_`.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word = c.is_ascii_alphanumeric() || c == '_';
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

fn replace_range(text: &mut String, ranges: &[(usize, usize)], nth: u16, token: &Token) {
    if let Some(i) = pick(nth, ranges.len()) {
        let (start, end) = ranges[i];
        text.replace_range(start..end, &token.text());
    }
}

fn lines_of(text: &str) -> Vec<String> {
    text.split('\n').map(str::to_owned).collect()
}

/// Applies `m` to `files`.
fn apply(files: &mut [String], m: &Mutation) {
    let n = files.len();
    let Some(file) = (match m {
        Mutation::Scalar { file, .. }
        | Mutation::Word { file, .. }
        | Mutation::Insert { file, .. }
        | Mutation::DeleteLine { file, .. }
        | Mutation::DuplicateLine { file, .. }
        | Mutation::SwapLines { file, .. }
        | Mutation::Indent { file, .. }
        | Mutation::Transplant { file, .. } => pick(*file, n),
    }) else {
        return;
    };
    let text = &mut files[file];
    match m {
        Mutation::Scalar { nth, token, .. } => {
            let ranges = scalars(text);
            replace_range(text, &ranges, *nth, token);
        }
        Mutation::Word { nth, token, .. } => {
            let ranges = words(text);
            replace_range(text, &ranges, *nth, token);
        }
        Mutation::Insert { at, token, .. } => {
            let mut at = usize::from(*at) % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, &token.text());
        }
        Mutation::DeleteLine { line, .. } => {
            let mut lines = lines_of(text);
            if let Some(i) = pick(*line, lines.len()) {
                lines.remove(i);
            }
            *text = lines.join("\n");
        }
        Mutation::DuplicateLine { line, to, .. } => {
            let mut lines = lines_of(text);
            if let (Some(i), Some(j)) = (pick(*line, lines.len()), pick(*to, lines.len())) {
                let copy = lines[i].clone();
                lines.insert(j, copy);
            }
            *text = lines.join("\n");
        }
        Mutation::SwapLines { a, b, .. } => {
            let mut lines = lines_of(text);
            if let (Some(i), Some(j)) = (pick(*a, lines.len()), pick(*b, lines.len())) {
                lines.swap(i, j);
            }
            *text = lines.join("\n");
        }
        Mutation::Indent { line, delta, .. } => {
            let mut lines = lines_of(text);
            if let Some(i) = pick(*line, lines.len()) {
                let l = &mut lines[i];
                if *delta >= 0 {
                    l.insert_str(0, &" ".repeat(delta.unsigned_abs().into()));
                } else {
                    let spaces = l.len() - l.trim_start_matches(' ').len();
                    let cut = spaces.min(delta.unsigned_abs().into());
                    l.replace_range(..cut, "");
                }
            }
            *text = lines.join("\n");
        }
        Mutation::Transplant { from, line, to, .. } => {
            let Some(src) = pick(*from, n) else { return };
            let source = lines_of(&files[src]);
            let Some(copy) = pick(*line, source.len()).map(|i| source[i].clone()) else {
                return;
            };
            let text = &mut files[file];
            let mut lines = lines_of(text);
            if let Some(j) = pick(*to, lines.len()) {
                lines.insert(j, copy);
            }
            *text = lines.join("\n");
        }
    }
}

/// The IDL of `idl/` after the mutations of `plan`.
pub fn mutated(plan: &Plan) -> Vec<Source> {
    let mut files: Vec<String> = IDL.iter().map(|(_, t)| (*t).to_owned()).collect();
    for m in plan.mutations.iter().take(MAX_MUTATIONS) {
        apply(&mut files, m);
    }
    IDL.iter()
        .zip(files)
        .map(|((path, _), text)| Source {
            path: (*path).to_owned(),
            text,
        })
        .collect()
}

/// The unchanged IDL, parsed and decoded once per process: a mutation changes one or two files,
/// and only those are read again.
fn preloaded() -> &'static Preloaded {
    static PRELOADED: OnceLock<Preloaded> = OnceLock::new();
    PRELOADED.get_or_init(|| match Preloaded::new(&mutated(&Plan::default())) {
        Ok(p) => p,
        Err(diags) => panic!("the IDL of idl/ does not load:\n{diags}"),
    })
}

/// The header of the files the fuzzers generate.
const HEADER: &str = "// @generated by the fuzzer";

/// The generator's ends for `settings`.
fn ends(settings: Settings) -> Ends {
    Ends {
        client: settings.ends,
        server: settings.ends,
        feature_gates: settings.feature_gates,
    }
}

/// The unchanged IDL's model, and its files, one per module and unformatted, with some settings.
struct Baseline {
    model: Model,
    files: BTreeMap<String, String>,
}

/// The [`Baseline`] for `settings`, computed once per process (after checking that the
/// unchanged IDL generates formatted files that parse): a module a mutation leaves as it was
/// needs no parse.
fn baseline(settings: Settings) -> &'static Baseline {
    static BASELINES: [OnceLock<Baseline>; 4] = [const { OnceLock::new() }; 4];
    let i = usize::from(settings.ends) * 2 + usize::from(settings.feature_gates);
    BASELINES[i].get_or_init(|| {
        let sources = mutated(&Plan::default());
        if let Outcome::Rejected(diags) = generate(&sources, settings) {
            panic!("the IDL of idl/ does not load:\n{diags}");
        }
        let model = match preloaded().load(&sources) {
            Ok(model) => model,
            Err(diags) => panic!("the IDL of idl/ does not load:\n{diags}"),
        };
        let layout = Layout::ModulePerFile;
        let files = match __private::files(&model, &[], &layout, ends(settings), HEADER, false) {
            Ok(files) => files,
            Err(e) => panic!("the IDL of idl/ generates broken Rust: {e}"),
        };
        Baseline { model, files }
    })
}

/// `idl_mutate`: `data` decodes (with `arbitrary`) to a [`Plan`]; the mutated IDL goes through
/// the whole pipeline, one file per module (the layout of `generated/`; `idl_bytes` covers the
/// single file and the formatting). Only what the mutation changed is redone: files whose text
/// is unchanged are not parsed again ([`Preloaded`]), only the modules the changed packages
/// reach are emitted (`__private::changed_files`), and a module whose text is that of the
/// unchanged IDL is not parsed again, since its file is the one that parsed before. The
/// generated text is parsed as the compiler reads it, without prettyplease: a build script's
/// `Config::compile` writes it so, and `idl_bytes` formats what it generates.
///
/// # Panics
///
/// As [`generate`].
pub fn idl_mutate(data: &[u8]) {
    let Ok(plan) = Plan::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let settings = Settings {
        single_file: false,
        ..plan.settings
    };
    let baseline = baseline(settings);
    let model = match preloaded().load(&mutated(&plan)) {
        Ok(model) => model,
        Err(diags) => {
            assert!(
                !diags.is_empty(),
                "the IDL was rejected without a single diagnostic"
            );
            // The rendering must not panic either.
            let _ = diags.to_string();
            return;
        }
    };
    let files = match __private::changed_files(&model, &baseline.model, ends(settings), HEADER) {
        Ok(files) => files,
        Err(e) => panic!("the IDL loads but generates broken Rust: {e}"),
    };
    parse_all(&files, &baseline.files);
}
