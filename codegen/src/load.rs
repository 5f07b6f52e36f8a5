//! Loading: a directory of IDL files → the resolved [`Model`], phase by phase. Each phase
//! reports all of its errors, and the next phase runs only if there were none, so one mistake
//! never causes a cascade of follow-on errors.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::Model;
use crate::{decode, doc_refs, resolve, yaml};

/// Files larger than this are refused rather than read: an IDL file is a few hundred kilobytes.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// One IDL file: its path relative to the IDL root (with `/` separators) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The path relative to the IDL root, such as `com/vmware/content/library/item.yaml`.
    pub path: String,
    /// The file's text.
    pub text: String,
}

/// Why loading failed.
#[derive(Debug)]
pub enum LoadError {
    /// A file or directory could not be read.
    Io {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The IDL has mistakes; each is located.
    Idl(Diagnostics),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, source } => {
                write!(f, "error: cannot read `{}`: {source}", path.display())
            }
            LoadError::Idl(diags) => diags.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } => Some(source),
            LoadError::Idl(diags) => Some(diags),
        }
    }
}

/// Reads every `*.yaml` file below `root`, in path order.
pub fn read_dir(root: &Path) -> Result<Vec<Source>, LoadError> {
    let mut files = Vec::new();
    walk(root, root, &mut files)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.to_owned(),
        source,
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<Source>) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(io(dir))?;
    for entry in entries {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io(&path))?;
        if kind.is_dir() {
            walk(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            let meta = entry.metadata().map_err(io(&path))?;
            if meta.len() > MAX_FILE_BYTES {
                return Err(LoadError::Io {
                    source: std::io::Error::other(format!(
                        "the file has {} bytes; IDL files are limited to {MAX_FILE_BYTES}",
                        meta.len()
                    )),
                    path,
                });
            }
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push(Source { path: rel, text });
        }
    }
    Ok(())
}

/// Parses, decodes, resolves and validates `sources` into a model.
///
/// # Errors
///
/// Every mistake of the first phase that has any, sorted by file and position.
pub fn load_sources(sources: &[Source]) -> Result<Model, Diagnostics> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let checkpoint = |diags: Vec<Diagnostic>| -> Result<(), Diagnostics> {
        if diags.is_empty() {
            return Ok(());
        }
        let sorted = Diagnostics::sorted(diags);
        Err(sources
            .iter()
            .fold(sorted, |d, s| d.with_source(&s.path, &s.text)))
    };

    let mut trees = Vec::new();
    for source in sources {
        match yaml::parse(&source.path, &source.text) {
            Ok(tree) => trees.push((source, tree)),
            Err(d) => diags.push(d),
        }
    }
    checkpoint(std::mem::take(&mut diags))?;

    let mut files = Vec::new();
    for (source, tree) in &trees {
        if let Some(file) = decode::decode_file(&source.path, &source.text, tree, &mut diags) {
            files.push(file);
        }
    }
    checkpoint(std::mem::take(&mut diags))?;

    let model = resolve::resolve(&files, &mut diags);
    checkpoint(std::mem::take(&mut diags))?;
    let mut model = model.ok_or_else(Diagnostics::default)?;

    doc_refs::check(&files, sources, &model, &mut diags);
    checkpoint(diags)?;
    doc_refs::resolve(&mut model);
    Ok(model)
}

/// Reads and loads the IDL directory `root`.
///
/// # Errors
///
/// [`LoadError::Io`] if a file cannot be read, [`LoadError::Idl`] with every located mistake.
pub fn load_dir(root: &Path) -> Result<(Model, Vec<Source>), LoadError> {
    let sources = read_dir(root)?;
    let model = load_sources(&sources).map_err(LoadError::Idl)?;
    Ok((model, sources))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ERRORS: &str = "package: com.vmware.vapi.std.errors
doc: Errors.
errors:
  - name: Error
    doc: Base.
    fields:
      - { name: messages, type: list<string>, doc: Messages. }
  - { name: NotFound, doc: Missing., extends: Error }
";

    fn load(files: &[(&str, &str)]) -> Result<Model, String> {
        let mut sources = vec![Source {
            path: "com/vmware/vapi/std/errors.yaml".into(),
            text: ERRORS.into(),
        }];
        sources.extend(files.iter().map(|(p, t)| Source {
            path: (*p).into(),
            text: (*t).into(),
        }));
        load_sources(&sources).map_err(|d| d.to_string())
    }

    #[test]
    fn a_file_beyond_the_size_limit_is_refused_unread() {
        let dir = std::env::temp_dir().join(format!("vapi-load-big-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let big = dir.join("big.yaml");
        let file = std::fs::File::create(&big).unwrap_or_else(|e| panic!("{e}"));
        // A sparse file: the size is what counts, and it is never read.
        file.set_len(MAX_FILE_BYTES + 1)
            .unwrap_or_else(|e| panic!("{e}"));
        let err = read_dir(&dir)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("big.yaml") && err.contains("IDL files are limited to 8388608"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn resolves_references_across_files() {
        let model = load(&[(
            "com/vmware/a.yaml",
            "package: com.vmware.a
doc: A.
structures:
  - name: Thing
    doc: A thing.
    fields:
      - { name: type, type: Thing.Kind, doc: Its kind. }
enumerations:
  - name: Thing.Kind
    doc: Kinds.
    values: [{ name: UNKNOWN, doc: Not known. }, { name: BIG, doc: Big. }]
services:
  - name: Things
    doc: Things.
    resource_type: com.vmware.a.Thing
    operations:
      - name: get
        doc: Gets.
        params: [{ name: thing, type: id(com.vmware.a.Thing), doc: Which. }]
        result: { type: Thing, doc: The thing. }
        errors:
          - { error: com.vmware.vapi.std.errors.NotFound, when: if it is missing. }
          - { error: com.vmware.vapi.std.errors.NotFound, when: if it is hidden. }
        rest: { method: GET, path: '/a/things/{thing}', path_params: { thing: thing } }
",
        )])
        .unwrap_or_else(|e| panic!("{e}"));
        let a = model
            .package("com.vmware.a")
            .unwrap_or_else(|| panic!("no package"));
        assert_eq!(a.module_path, ["a"]);
        assert_eq!(a.structures[0].fields[0].name.rust, "r#type");
        assert_eq!(a.enumerations[0].unknown_variant, "Unrecognized");
        assert_eq!(a.resource_types[0].name.rust, "ThingId");
        let get = &a.services[0].operations[0];
        assert_eq!(get.errors.len(), 1);
        assert_eq!(get.errors[0].conditions.len(), 2);
        let errors = model
            .package("com.vmware.vapi.std.errors")
            .unwrap_or_else(|| panic!("no errors"));
        assert_eq!(errors.errors[1].fields[0].name.wire, "messages");
    }

    #[test]
    fn reports_every_resolution_error_with_a_location() {
        let err = load(&[(
            "com/vmware/a.yaml",
            "package: com.vmware.a
doc: A.
structures:
  - name: Node
    doc: A node.
    fields:
      - { name: fooBar, type: optional<Node>, doc: Next. }
      - { name: foo_bar, type: Nod, doc: Typo. }
",
        )])
        .err()
        .unwrap_or_default();
        assert!(
            err.contains("error: unknown type `Nod`\n --> com/vmware/a.yaml:8:32\n"),
            "{err}"
        );
        assert!(err.contains("did you mean `Node`?"), "{err}");
        assert!(
            err.contains("`foo_bar` and `fooBar` both become `foo_bar`"),
            "{err}"
        );
        assert!(err.contains("contains itself"), "{err}");
    }
}
