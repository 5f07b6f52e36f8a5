//! The front end as one call: IDL files → the resolved [`Model`], phase by phase (YAML parse,
//! decode, resolve, doc references). Each phase reports all of its errors, and the next runs only if there were
//! none, so one mistake never causes a cascade of follow-on errors.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};
use crate::idl::ast;
use crate::idl::load::checkpoint;
use crate::ir::Model;
use crate::{doc_refs, resolve};

use crate::idl::load::decode_dir;
pub use crate::idl::load::{LoadError, MAX_FILE_BYTES, Source, decode_sources, read_dir};

/// Parses, decodes, resolves and validates `sources` into a model.
///
/// # Errors
///
/// Every mistake of the first phase that has any, sorted by file and position.
pub fn load_sources(sources: &[Source]) -> Result<Model, Diagnostics> {
    let files = decode_sources(sources)?;
    resolve_decoded(files, sources)
}

/// The phases after decoding, as [`load_sources`] runs them: resolve `files` (decoded from
/// `sources` by [`decode_sources`]) into the model, then check and resolve the references in its doc
/// text. The files are dropped as soon as the last check that reads them is done.
///
/// # Errors
///
/// Every mistake of the first phase that has any, sorted by file and position.
pub fn resolve_decoded(files: Vec<ast::File>, sources: &[Source]) -> Result<Model, Diagnostics> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let model = resolve::resolve(&files, &mut diags);
    checkpoint(sources, std::mem::take(&mut diags))?;
    let mut model = model.ok_or_else(Diagnostics::default)?;
    // The doc check reads only the files' doc texts (shared with the model): the rest of the
    // decoded files goes before the index of the model's elements is made.
    let docs = doc_refs::docs_of(&files);
    drop(files);
    // One index for the check and the rewrite: rewriting changes doc text only, no name.
    let targets = doc_refs::Targets::new(&model);
    doc_refs::check(&docs, sources, &targets, &mut diags);
    drop(docs);
    checkpoint(sources, diags)?;
    doc_refs::resolve(&mut model, &targets);
    Ok(model)
}

/// An IDL decoded once, to load variations of it without parsing and decoding again the files
/// they leave unchanged: the fuzzers load thousands of small mutations of `idl/`, where
/// reading the YAML of the unchanged files would be most of the work.
///
/// ```
/// use vapi_codegen::load::{Preloaded, Source};
///
/// let file = |text: &str| Source { path: "com/vmware/a.yaml".into(), text: text.into() };
/// let base = Preloaded::new(&[file("package: com.vmware.a\ndoc: A.\n")])?;
/// assert!(base.load(&[file("package: com.vmware.a\ndoc: A.\n")]).is_ok());
/// assert!(base.load(&[file("package: com.vmware.a\ndoc: [\n")]).is_err());
/// # Ok::<(), vapi_codegen::diag::Diagnostics>(())
/// ```
#[derive(Debug, Clone)]
pub struct Preloaded {
    /// Path → the text it was decoded from and its AST.
    files: BTreeMap<String, (String, ast::File)>,
}

impl Preloaded {
    /// Parses and decodes `sources`.
    ///
    /// # Errors
    ///
    /// The diagnostics of the first phase that has any, as [`load_sources`] reports them.
    pub fn new(sources: &[Source]) -> Result<Self, Diagnostics> {
        let decoded = decode_sources(sources)?;
        let files = sources
            .iter()
            .zip(decoded)
            .map(|(s, file)| (s.path.clone(), (s.text.clone(), file)))
            .collect();
        Ok(Preloaded { files })
    }

    /// Loads `sources` as [`load_sources`] does, with the same result, parsing and decoding
    /// only the files whose path or text differ from those this was made from.
    ///
    /// # Errors
    ///
    /// Every mistake of the first phase that has any, sorted by file and position.
    pub fn load(&self, sources: &[Source]) -> Result<Model, Diagnostics> {
        let known = |s: &Source| {
            self.files
                .get(&s.path)
                .filter(|(text, _)| *text == s.text)
                .map(|(_, file)| file)
        };
        // Parse and decode report only mistakes of their own file, so the changed files alone
        // give the diagnostics the whole set would.
        let changed: Vec<Source> = sources
            .iter()
            .filter(|s| known(s).is_none())
            .cloned()
            .collect();
        let mut decoded = decode_sources(&changed)?.into_iter();
        let files: Vec<ast::File> = sources
            .iter()
            .filter_map(|s| known(s).cloned().or_else(|| decoded.next()))
            .collect();
        resolve_decoded(files, sources)
    }
}

/// Checks that every package in `packages` (the packages asked for, as `Config::package` or
/// `--package` name them) is declared by some IDL file: a package that is not is a mistake in
/// the IDL as much as an unknown type, with a did-you-mean among the declared ones.
///
/// # Errors
///
/// One unlocated diagnostic per unknown package.
pub fn check_packages(model: &Model, packages: &[String]) -> Result<(), Diagnostics> {
    let known = || model.packages.iter().map(|p| p.name.as_str());
    let diags: Vec<Diagnostic> = packages
        .iter()
        .filter(|p| model.package(p).is_none())
        .map(|p| {
            Diagnostic::unlocated(format!("no IDL file declares the package `{p}`"))
                .with_suggestion(p, known())
        })
        .collect();
    checkpoint(&[], diags)
}

/// Reads and loads the IDL directory `root`; gives the model and the paths of the files read
/// (relative to `root`, in path order).
///
/// Each file's text serves only to show diagnostics once decoded, so the files are read,
/// decoded and their text dropped one by one ([`decode_dir`]): the text of the whole IDL is
/// never held beside the decoded files and the model (which hold at once most of the memory
/// a large IDL takes). When anything is amiss, the files are read and loaded again, with
/// their text, to report it.
///
/// # Errors
///
/// [`LoadError::Io`] if a file cannot be read, [`LoadError::Idl`] with every located mistake.
pub fn load_dir(root: &Path) -> Result<(Model, Vec<String>), LoadError> {
    if let Some((paths, files)) = decode_dir(root)
        && let Ok(model) = resolve_decoded(files, &[])
    {
        return Ok((model, paths));
    }
    let sources = read_dir(root)?;
    let model = load_sources(&sources).map_err(LoadError::Idl)?;
    Ok((model, sources.into_iter().map(|s| s.path).collect()))
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

    #[test]
    fn load_dir_reads_the_text_again_to_show_a_later_phases_mistake() {
        let dir = std::env::temp_dir().join(format!("vapi-load-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let write = |path: &str, text: &str| {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap_or(&dir))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
        };
        write("com/vmware/vapi/std/errors.yaml", ERRORS);
        let a = "package: com.vmware.a
doc: A.
structures:
  - name: Thing
    doc: A {@link Thng}.
    fields:
      - { name: n, type: Nod, doc: N. }
";
        write("com/vmware/a.yaml", a);
        let shown = load_dir(&dir)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        // As `load_sources` shows it, snippet included: the text was read again.
        let sources = read_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
        let expected = load_sources(&sources)
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        assert_eq!(shown, expected);
        assert!(
            shown.contains("unknown type `Nod`")
                && shown.contains("7 |       - { name: n, type: Nod"),
            "{shown}"
        );
        // Fixed, it loads; the paths of the files read come back in order.
        write(
            "com/vmware/a.yaml",
            &a.replace("Nod", "string").replace("Thng", "Thing"),
        );
        let (model, paths) = load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            paths,
            ["com/vmware/a.yaml", "com/vmware/vapi/std/errors.yaml"]
        );
        assert!(model.package("com.vmware.a").is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn preloaded_loads_variations_as_load_sources_does() {
        let thing = |ty: &str| {
            format!(
                "package: com.vmware.a\ndoc: A.\nstructures:\n  - name: Thing\n    doc: T.\n    fields:\n      - {{ name: n, type: {ty}, doc: N. }}\n"
            )
        };
        let sources = |a: &str| {
            vec![
                Source {
                    path: "com/vmware/vapi/std/errors.yaml".into(),
                    text: ERRORS.into(),
                },
                Source {
                    path: "com/vmware/a.yaml".into(),
                    text: a.into(),
                },
            ]
        };
        let base = Preloaded::new(&sources(&thing("string"))).unwrap_or_else(|e| panic!("{e}"));
        for a in [
            thing("string"),
            thing("long"),
            thing("Thng"),
            thing("list<"),
            "package: [".to_owned(),
        ] {
            let expected = load_sources(&sources(&a)).map_err(|d| d.to_string());
            assert_eq!(
                base.load(&sources(&a)).map_err(|d| d.to_string()),
                expected,
                "{a}"
            );
        }
    }
}
