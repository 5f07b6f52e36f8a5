//! Reading IDL files from disk ([`read_dir`]) and the first two phases over them
//! ([`decode_sources`]): YAML parse, then decode, each reporting all of its errors before the
//! next runs. [`crate::load`] chains them with resolution.

use std::fmt;
use std::path::{Path, PathBuf};

use super::ast;
use super::{decode, yaml};
use crate::diag::{Diagnostic, Diagnostics, Pos};

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
///
/// # Errors
///
/// [`LoadError::Io`] when a file or directory cannot be read; [`LoadError::Idl`] locating the
/// first byte that is not UTF-8 in each file that has one.
pub fn read_dir(root: &Path) -> Result<Vec<Source>, LoadError> {
    let mut files = Vec::new();
    let mut not_utf8 = Vec::new();
    walk(root, root, &mut |rel, path, _| {
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        match utf8(&rel, bytes) {
            Ok(text) => files.push(Source { path: rel, text }),
            Err(bad) => not_utf8.push(*bad),
        }
        Ok(())
    })?;
    if !not_utf8.is_empty() {
        let diags = Diagnostics::sorted(not_utf8.iter().map(|(d, _)| d.clone()).collect());
        return Err(LoadError::Idl(
            not_utf8
                .iter()
                .fold(diags, |d, (_, s)| d.with_source(&s.path, &s.text)),
        ));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The text of a file read as `bytes`, or the diagnostic at its first byte that is not UTF-8
/// with the file's text as far as it can be shown.
fn utf8(path: &str, bytes: Vec<u8>) -> Result<String, Box<(Diagnostic, Source)>> {
    let err = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(e) => e,
    };
    let bytes = err.as_bytes();
    let valid_up_to = err.utf8_error().valid_up_to();
    let before = String::from_utf8_lossy(&bytes[..valid_up_to]);
    let line_start = before.rfind('\n').map_or(0, |nl| nl + 1);
    let pos = Pos {
        line: u32::try_from(before.matches('\n').count() + 1).unwrap_or(u32::MAX),
        col: u32::try_from(before[line_start..].chars().count() + 1).unwrap_or(u32::MAX),
    };
    let byte = bytes.get(valid_up_to).copied().unwrap_or_default();
    let diag = Diagnostic::error(
        path,
        pos,
        format!("the file is not UTF-8: the byte 0x{byte:02X} is not part of a character"),
    )
    .with_help("IDL files are UTF-8 text: save the file as UTF-8");
    let text = String::from_utf8_lossy(bytes).into_owned();
    Err(Box::new((
        diag,
        Source {
            path: path.to_owned(),
            text,
        },
    )))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Visits every `*.yaml` file below `dir` in directory order with its path relative to
/// `root` (`/`-separated), its path on disk and its size, refusing one larger than [`MAX_FILE_BYTES`]
/// before it is read.
fn walk(
    root: &Path,
    dir: &Path,
    visit: &mut dyn FnMut(String, PathBuf, u64) -> Result<(), LoadError>,
) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(io(dir))?;
    for entry in entries {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io(&path))?;
        if kind.is_dir() {
            walk(root, &path, visit)?;
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
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            visit(rel, path, meta.len())?;
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
    Err(sources.iter().fold(sorted, |d, s| {
        // The parser's spans are looked up only for files a diagnostic points into.
        if d.points_into(&s.path) {
            let spans = yaml::scalar_spans(&s.text);
            d.with_source(&s.path, &s.text).with_spans(&s.path, spans)
        } else {
            d
        }
    }))
}

/// Parses and decodes `sources` into their ASTs.
///
/// Each file is decoded as soon as it is parsed, and its YAML tree dropped, so that only the
/// trees of the files being read are in memory, never those of the whole IDL. The phases still
/// report as if run one after the other: when some file is not valid YAML, only the parse
/// errors are reported.
///
/// # Errors
///
/// Every mistake of the first phase that has any, sorted by file and position.
pub fn decode_sources(sources: &[Source]) -> Result<Vec<ast::File>, Diagnostics> {
    let size = |source: &Source| source.text.len() as u64;
    let decoded = two_threads(sources, size, |source| {
        parse_and_decode(&source.path, &source.text)
    });
    let not_yaml: Vec<Diagnostic> = decoded
        .iter()
        .filter_map(|d| d.as_ref().err().cloned())
        .collect();
    checkpoint(sources, not_yaml)?;

    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut files = Vec::new();
    for (file, file_diags) in decoded.into_iter().flatten() {
        diags.extend(file_diags);
        files.extend(file);
    }
    checkpoint(sources, diags)?;
    Ok(files)
}

/// One file's YAML tree (its parse error if it is not YAML), decoded: the file, if it declares
/// one, and the mistakes decoding found. The tree is dropped before returning.
fn parse_and_decode(
    path: &str,
    text: &str,
) -> Result<(Option<ast::File>, Vec<Diagnostic>), Diagnostic> {
    let tree = yaml::parse(path, text)?;
    let mut diags = Vec::new();
    let file = decode::decode_file(path, text, &tree, &mut diags);
    Ok((file, diags))
}

/// Reads, parses and decodes every `*.yaml` file below `root` (as [`read_dir`] then
/// [`decode_sources`] would), each file's text read by the thread that decodes it and dropped
/// as soon as it is decoded: the text of the whole IDL is never held at once, nor beside the
/// decoded files (at a thousand times the real IDL, 176 MB the heap would keep). Gives the
/// paths read, in path order, and the decoded files; `None` if anything is amiss (a file that
/// cannot be read, is not UTF-8 or YAML, or has a mistake), which the caller reports by
/// reading and decoding the whole directory again.
pub fn decode_dir(root: &Path) -> Option<(Vec<String>, Vec<ast::File>)> {
    let mut listed: Vec<(String, PathBuf, u64)> = Vec::new();
    walk(root, root, &mut |rel, path, len| {
        listed.push((rel, path, len));
        Ok(())
    })
    .ok()?;
    listed.sort_by(|a, b| a.0.cmp(&b.0));
    let decoded = two_threads(
        &listed,
        |item| item.2,
        |(rel, path, _)| {
            let text = String::from_utf8(std::fs::read(path).ok()?).ok()?;
            let (file, diags) = parse_and_decode(rel, &text).ok()?;
            diags.is_empty().then_some(file)
        },
    );
    let files = decoded.into_iter().collect::<Option<Vec<_>>>()?;
    let paths = listed.into_iter().map(|(rel, _, _)| rel).collect();
    Some((paths, files.into_iter().flatten().collect()))
}

/// `parse` of each item, in the items' order, on two threads where the machine has two
/// cores: YAML parsing is most of loading, and the files are independent. The larger items
/// (by `size`, their text's length) are dealt out first, each to the thread with less so far.
fn two_threads<T: Sync, R: Send>(
    items: &[T],
    size: impl Fn(&T) -> u64,
    parse: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if cores < 2 || items.len() < 2 {
        return items.iter().map(&parse).collect();
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(size(&items[i])));
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    let (mut my_bytes, mut their_bytes) = (0, 0);
    for i in order {
        if my_bytes <= their_bytes {
            my_bytes += size(&items[i]);
            mine.push(i);
        } else {
            their_bytes += size(&items[i]);
            theirs.push(i);
        }
    }
    let run = |indices: &[usize]| -> Vec<(usize, R)> {
        indices.iter().map(|&i| (i, parse(&items[i]))).collect()
    };
    let mut results = std::thread::scope(|scope| {
        let other = crate::threads::spawn(scope, || run(&theirs));
        let mut results = run(&mine);
        match other.join() {
            Ok(more) => results.extend(more),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        results
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_as_files_are_parsed_still_reports_phase_by_phase() {
        let file = |path: &str, text: &str| Source {
            path: path.into(),
            text: text.into(),
        };
        let bad_key = file("b.yaml", "package: com.vmware.b\ndoc: B.\nsince2: x\n");
        let not_yaml = file("c.yaml", "package: [\n");
        let ok = file("a.yaml", "package: com.vmware.a\ndoc: A.\n");
        // A file that is not YAML: its error alone, not the other file's unknown key.
        let err = decode_sources(&[ok.clone(), bad_key.clone(), not_yaml])
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        assert!(err.contains("c.yaml") && !err.contains("b.yaml"), "{err}");
        // Without it, the decode errors of every file.
        let bad_key2 = file("d.yaml", "package: com.vmware.d\ndoc: D.\nsince2: x\n");
        let err = decode_sources(&[ok.clone(), bad_key, bad_key2])
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("b.yaml:3:1") && err.contains("d.yaml:3:1"),
            "{err}"
        );
        let files = decode_sources(&[ok]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(files[0].package.value, "com.vmware.a");
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
}
