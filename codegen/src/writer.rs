//! Phase 6, write: the only code that touches the output directory. Files are compared byte
//! for byte, only changed ones are written, and every new file is staged beside its target
//! (as soon as it is made: [`Staging`]) before any is renamed into place, so a failure leaves
//! the old files as they were.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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

/// A run of the writer: files are given one at a time, as soon as each is made
/// ([`Staging::add`]), so the output need never be in memory at once. Each changed file is
/// compared and, when writing, staged under a temporary name beside its target (unique to the
/// run, so two runs at once do not collide); [`Staging::finish`] renames them all into place
/// and removes leftovers. A run that fails or is dropped before `finish` removes its staged
/// files and has replaced nothing.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    owns_dir: bool,
    write: bool,
    run: String,
    produced: BTreeSet<String>,
    stale: Vec<Stale>,
    staged: Vec<(PathBuf, PathBuf)>,
    /// The directories files were added to, and whether each was there before the run: a
    /// file in one that was not cannot exist (it is not looked for), and a directory is made
    /// once, when it was not there, not asked for once per file (at 1000x the IDL, 10,000
    /// files into an empty directory).
    dirs: BTreeMap<PathBuf, Dir>,
}

/// A directory of [`Staging::dirs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    /// It was there (or something else was, which reading a file in it reports).
    Existed,
    /// It was not there when the run first looked.
    Absent,
    /// The run made it.
    Made,
}

impl Staging {
    /// A run over `dir` that writes (`write`) or only compares. With `owns_dir`, generated
    /// files in `dir` that the run does not produce are stale too (removed when writing): the
    /// directory belongs to this output alone (a build script's `OUT_DIR` may hold the output
    /// of several runs, so it passes false).
    pub fn new(dir: &Path, owns_dir: bool, write: bool) -> Self {
        static RUNS: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let run = format!(
            "{}-{}-{nanos}",
            std::process::id(),
            RUNS.fetch_add(1, Ordering::Relaxed)
        );
        Staging {
            dir: dir.to_owned(),
            owns_dir,
            write,
            run,
            produced: BTreeSet::new(),
            stale: Vec::new(),
            staged: Vec::new(),
            dirs: BTreeMap::new(),
        }
    }

    /// Compares one file (`path` relative to the directory) and stages it if it changed.
    ///
    /// # Errors
    ///
    /// A [`WriteError`] if the name leaves the directory or the file cannot be read or staged.
    pub fn add(&mut self, path: &str, contents: &str) -> Result<(), WriteError> {
        let full = relative(&self.dir, path)?;
        self.produced.insert(path.to_owned());
        let parent = full.parent().unwrap_or(&self.dir).to_owned();
        let dir =
            *self
                .dirs
                .entry(parent.clone())
                .or_insert_with(|| match std::fs::metadata(&parent) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Dir::Absent,
                    _ => Dir::Existed,
                });
        let old = match dir {
            Dir::Existed => std::fs::read(&full),
            Dir::Absent | Dir::Made => Err(std::io::ErrorKind::NotFound.into()),
        };
        let why = match old {
            Ok(old) if old == contents.as_bytes() => return Ok(()),
            Ok(_) => Staleness::Differs,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Staleness::Missing,
            Err(e) => return Err(err(&full)(e)),
        };
        self.stale.push(Stale {
            path: path.to_owned(),
            why,
        });
        if !self.write {
            return Ok(());
        }
        let name = full
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = parent.join(format!(".{name}.{}.vapi-codegen.tmp", self.run));
        if dir == Dir::Absent {
            std::fs::create_dir_all(&parent).map_err(err(&parent))?;
            self.dirs.insert(parent, Dir::Made);
        }
        std::fs::write(&tmp, contents).map_err(err(&tmp))?;
        self.staged.push((tmp, full));
        Ok(())
    }

    /// Ends the run: finds leftovers, and when writing renames every staged file into place
    /// and removes the leftovers. Returns what was (or, comparing, would be) changed.
    ///
    /// # Errors
    ///
    /// A [`WriteError`] if the directory cannot be read or a file cannot be replaced.
    pub fn finish(mut self) -> Result<Vec<Stale>, WriteError> {
        if self.owns_dir {
            for path in generated_files(&self.dir)? {
                if !self.produced.contains(&path) {
                    self.stale.push(Stale {
                        path,
                        why: Staleness::Extra,
                    });
                }
            }
        }
        let mut stale = std::mem::take(&mut self.stale);
        stale.sort();
        if !self.write {
            return Ok(stale);
        }
        let staged = std::mem::take(&mut self.staged);
        for (i, (tmp, target)) in staged.iter().enumerate() {
            if let Err(e) = std::fs::rename(tmp, target) {
                self.staged = staged[i..].to_vec();
                return Err(err(target)(e));
            }
        }
        for s in stale.iter().filter(|s| s.why == Staleness::Extra) {
            let path = self.dir.join(&s.path);
            std::fs::remove_file(&path).map_err(err(&path))?;
        }
        Ok(stale)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for (tmp, _) in &self.staged {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Compares `files` with `dir` without writing anything, as a [`Staging`] run that only
/// compares.
///
/// # Errors
///
/// A [`WriteError`] if the directory cannot be read.
pub fn check(
    dir: &Path,
    files: &BTreeMap<String, String>,
    owns_dir: bool,
) -> Result<Vec<Stale>, WriteError> {
    let mut run = Staging::new(dir, owns_dir, false);
    for (path, contents) in files {
        run.add(path, contents)?;
    }
    run.finish()
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
    // Every name is checked before anything is staged.
    for path in files.keys() {
        relative(dir, path)?;
    }
    let mut run = Staging::new(dir, owns_dir, true);
    for (path, contents) in files {
        run.add(path, contents)?;
    }
    run.finish()
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

    #[test]
    fn two_runs_at_once_stage_under_their_own_names() -> Result<(), WriteError> {
        let dir = scratch("two-runs");
        let mut a = Staging::new(&dir, true, true);
        let mut b = Staging::new(&dir, true, true);
        a.add("lib.rs", &format!("{MARKER}\n// a\n"))?;
        b.add("lib.rs", &format!("{MARKER}\n// b\n"))?;
        assert_eq!(a.finish()?.len(), 1);
        assert_eq!(b.finish()?.len(), 1, "b's staged file was not taken by a");
        let text = std::fs::read_to_string(dir.join("lib.rs")).map_err(err(&dir))?;
        assert!(text.ends_with("// b\n"), "{text}");
        let left: Vec<_> = std::fs::read_dir(&dir).map_err(err(&dir))?.collect();
        assert_eq!(left.len(), 1, "no staged file is left behind");
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }

    #[test]
    fn a_run_dropped_before_finish_replaces_nothing() -> Result<(), WriteError> {
        let dir = scratch("dropped");
        write(
            &dir,
            &BTreeMap::from([("lib.rs".to_owned(), format!("{MARKER}\n"))]),
            true,
        )?;
        let mut run = Staging::new(&dir, true, true);
        run.add("lib.rs", &format!("{MARKER}\n// new\n"))?;
        run.add("a.rs", &format!("{MARKER}\n"))?;
        drop(run);
        let text = std::fs::read_to_string(dir.join("lib.rs")).map_err(err(&dir))?;
        assert_eq!(text, format!("{MARKER}\n"));
        let left: Vec<_> = std::fs::read_dir(&dir).map_err(err(&dir))?.collect();
        assert_eq!(left.len(), 1, "the staged files are removed");
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
