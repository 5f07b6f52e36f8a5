//! Phase 6, write: the only code that touches the output directory. Files are compared byte
//! for byte, only changed ones are written, and every new file is staged beside its target
//! before any is renamed into place, so a failure leaves the old files as they were.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The marker at the top of every generated file; files carrying it belong to the generator.
pub const MARKER: &str = "// @generated";

/// Why a generated file does not match the output directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Staleness {
    /// The file does not exist.
    Missing,
    /// The file's contents differ.
    Differs,
    /// A generated file that the IDL no longer produces.
    Extra,
}

/// One file that `--check` found out of date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stale {
    /// The file, relative to the output directory.
    pub path: String,
    /// How it is out of date.
    pub why: Staleness,
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.why {
            Staleness::Missing => "missing",
            Staleness::Differs => "differs from what the IDL generates",
            Staleness::Extra => "generated but no longer produced by the IDL",
        };
        write!(f, "{}: {why}", self.path)
    }
}

/// A failure to read or write the output directory.
#[derive(Debug)]
pub struct WriteError {
    /// The file or directory involved.
    pub path: PathBuf,
    /// What went wrong.
    pub source: std::io::Error,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error: cannot write `{}`: {}",
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn err(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.to_owned(),
        source,
    }
}

/// Generated `.rs` files below `dir` (relative paths), found by their marker.
fn generated_files(dir: &Path) -> Result<Vec<String>, WriteError> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(err(&d)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(err(&d))?;
            let path = entry.path();
            if entry.file_type().map_err(err(&path))?.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if text.starts_with(MARKER)
                    && let Ok(rel) = path.strip_prefix(dir)
                {
                    let rel: Vec<String> = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    found.push(rel.join("/"));
                }
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Refuses a file name that would leave the output directory: absolute, with a `..`, `.` or
/// empty segment, or with a backslash or NUL. Package names are checked long before (they are
/// lowercase dotted identifiers), so this guards the file names a [`crate::Layout`] sets.
fn relative(dir: &Path, path: &str) -> Result<PathBuf, WriteError> {
    let safe = !path.is_empty()
        && !path.contains(['\\', '\0'])
        && path
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != ".." && !seg.contains(':'));
    if safe {
        Ok(dir.join(path))
    } else {
        Err(WriteError {
            path: dir.join(path),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("`{path}` is not a file name inside the output directory"),
            ),
        })
    }
}

/// Compares `files` with `dir` without writing anything. With `owns_dir`, generated files in
/// `dir` that `files` does not hold are reported too: the directory belongs to this output
/// alone (a build script's `OUT_DIR` may hold the output of several runs, so it passes false).
///
/// # Errors
///
/// A [`WriteError`] if the directory cannot be read.
pub fn check(
    dir: &Path,
    files: &BTreeMap<String, String>,
    owns_dir: bool,
) -> Result<Vec<Stale>, WriteError> {
    let mut stale = Vec::new();
    for (path, contents) in files {
        let full = relative(dir, path)?;
        match std::fs::read(&full) {
            Ok(old) if old == contents.as_bytes() => {}
            Ok(_) => stale.push(Stale {
                path: path.clone(),
                why: Staleness::Differs,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => stale.push(Stale {
                path: path.clone(),
                why: Staleness::Missing,
            }),
            Err(e) => return Err(err(&full)(e)),
        }
    }
    let leftovers = if owns_dir {
        generated_files(dir)?
    } else {
        Vec::new()
    };
    for path in leftovers {
        if !files.contains_key(&path) {
            stale.push(Stale {
                path,
                why: Staleness::Extra,
            });
        }
    }
    stale.sort();
    Ok(stale)
}

/// Brings `dir` in line with `files`: writes the files that changed, removes (with `owns_dir`)
/// generated files the IDL no longer produces, and returns what it changed.
///
/// # Errors
///
/// A [`WriteError`] naming the file that could not be written; no target file has been
/// replaced when staging fails.
pub fn write(
    dir: &Path,
    files: &BTreeMap<String, String>,
    owns_dir: bool,
) -> Result<Vec<Stale>, WriteError> {
    let stale = check(dir, files, owns_dir)?;
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let cleanup = |staged: &[(PathBuf, PathBuf)]| {
        for (tmp, _) in staged {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for s in stale.iter().filter(|s| s.why != Staleness::Extra) {
        let target = dir.join(&s.path);
        let contents = files.get(&s.path).map(String::as_bytes).unwrap_or_default();
        let parent = target.parent().unwrap_or(dir);
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = parent.join(format!(".{name}.vapi-codegen.tmp"));
        let result = std::fs::create_dir_all(parent)
            .map_err(err(parent))
            .and_then(|()| std::fs::write(&tmp, contents).map_err(err(&tmp)));
        if let Err(e) = result {
            cleanup(&staged);
            return Err(e);
        }
        staged.push((tmp, target));
    }
    for (i, (tmp, target)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, target) {
            cleanup(&staged[i..]);
            return Err(err(target)(e));
        }
    }
    for s in stale.iter().filter(|s| s.why == Staleness::Extra) {
        let path = dir.join(&s.path);
        std::fs::remove_file(&path).map_err(err(&path))?;
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("vapi-writer-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn writes_only_what_changed_and_check_names_every_stale_file() -> Result<(), WriteError> {
        let dir = scratch("changes");
        let mut files = BTreeMap::new();
        files.insert("lib.rs".to_owned(), format!("{MARKER}\npub mod a;\n"));
        files.insert("a/b.rs".to_owned(), format!("{MARKER}\n"));
        assert_eq!(check(&dir, &files, true)?.len(), 2);
        assert_eq!(write(&dir, &files, true)?.len(), 2);
        assert!(check(&dir, &files, true)?.is_empty());
        assert!(
            write(&dir, &files, true)?.is_empty(),
            "unchanged files are not rewritten"
        );

        std::fs::write(dir.join("a/b.rs"), "edited").map_err(err(&dir))?;
        std::fs::write(dir.join("old.rs"), format!("{MARKER}\n")).map_err(err(&dir))?;
        std::fs::write(dir.join("mine.rs"), "hand-written").map_err(err(&dir))?;
        let stale = check(&dir, &files, true)?;
        let names: Vec<String> = stale.iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            [
                "a/b.rs: differs from what the IDL generates",
                "old.rs: generated but no longer produced by the IDL"
            ]
        );
        write(&dir, &files, true)?;
        assert!(check(&dir, &files, true)?.is_empty());
        assert!(
            dir.join("mine.rs").exists(),
            "files without the marker are left alone"
        );
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }

    #[test]
    fn refuses_names_outside_the_directory_and_writes_nothing() {
        let dir = scratch("escape");
        for bad in [
            "../x.rs",
            "a/../../x.rs",
            "/etc/x.rs",
            "a//b.rs",
            "./x.rs",
            "",
            "a\\..\\x.rs",
            "C:x.rs",
        ] {
            let mut files = BTreeMap::new();
            files.insert("ok.rs".to_owned(), format!("{MARKER}\n"));
            files.insert(bad.to_owned(), format!("{MARKER}\n"));
            let err = write(&dir, &files, true).expect_err(bad);
            assert!(
                err.to_string()
                    .contains("not a file name inside the output directory"),
                "{bad}: {err}"
            );
            assert!(check(&dir, &files, true).is_err(), "{bad}");
            assert!(!dir.exists(), "{bad}: nothing is written, not even `ok.rs`");
        }
    }
}
