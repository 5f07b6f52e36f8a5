//! Reading IDL files from disk ([`read_dir`]) and the first two phases over them
//! ([`decode_sources`]): YAML parse, then decode, each reporting all of its errors before the
//! next runs. [`crate::load`] chains them with resolution.

use std::fmt;
use std::path::{Path, PathBuf};

use super::ast;
use super::{decode, yaml};
use crate::diag::{Diagnostic, Diagnostics};

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

/// A phase's diagnostics, sorted and with the text of the files they point into; `Ok` when there
/// are none.
///
/// # Errors
///
/// The diagnostics, when there are any.
pub fn checkpoint(sources: &[Source], diags: Vec<Diagnostic>) -> Result<(), Diagnostics> {
    if diags.is_empty() {
        return Ok(());
    }
    let sorted = Diagnostics::sorted(diags);
    Err(sources
        .iter()
        .fold(sorted, |d, s| d.with_source(&s.path, &s.text)))
}

/// Parses and decodes `sources` into their ASTs.
///
/// # Errors
///
/// Every mistake of the first phase that has any, sorted by file and position.
pub fn decode_sources(sources: &[Source]) -> Result<Vec<ast::File>, Diagnostics> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut trees = Vec::new();
    for source in sources {
        match yaml::parse(&source.path, &source.text) {
            Ok(tree) => trees.push((source, tree)),
            Err(d) => diags.push(d),
        }
    }
    checkpoint(sources, std::mem::take(&mut diags))?;

    let mut files = Vec::new();
    for (source, tree) in &trees {
        if let Some(file) = decode::decode_file(&source.path, &source.text, tree, &mut diags) {
            files.push(file);
        }
    }
    checkpoint(sources, diags)?;
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
