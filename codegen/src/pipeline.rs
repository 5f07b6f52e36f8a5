//! The one way from a model to files, whoever asks (the command line, `Config`, the fuzzers,
//! the property tests and the benches): emit a module, render its file, hand the file to a
//! sink (the writer's [`Staging`](crate::writer::Staging), or a map), module by module on up to
//! four threads, so that the tokens and text of the whole output are never in memory at once.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use quote::quote;

use crate::config::{Error, Layout};
use crate::emit::{self, rest};
use crate::ir::{Model, Package};
use crate::render;

/// What to make of a model.
#[derive(Debug, Clone)]
pub struct Output<'a> {
    /// The packages asked for (all when empty) and what they reference.
    pub packages: &'a [String],
    /// Clients and servers.
    pub ends: rest::Options,
    /// The comment every file starts with.
    pub header: &'a str,
    /// One file or one per module.
    pub layout: &'a Layout,
    /// Formatted for people (syn + prettyplease), or the tokens' text for the compiler only.
    pub pretty: bool,
}

/// At most this many threads emit and render files at once.
const MAX_THREADS: usize = 4;

/// Makes every file of `output` and hands each to `sink` (name, text) as soon as it is made,
/// in no particular order. On errors, the first file's in path order is returned, as the
/// files are named in that order.
///
/// # Errors
///
/// [`Error::Render`] if some module's tokens are not valid Rust, or the sink's error.
pub fn run(
    model: &Model,
    output: &Output<'_>,
    sink: &(dyn Fn(String, String) -> Result<(), Error> + Sync),
) -> Result<(), Error> {
    let (name, pretty) = match output.layout {
        Layout::SingleFile(name) => (name, output.pretty),
        Layout::ModulePerFile => return module_per_file(model, output, sink),
    };
    let modules = emit::emit(model, output.packages, &output.ends);
    let text = render::render_single(&modules, output.header, pretty).map_err(Error::Render)?;
    drop(modules);
    sink(name.clone(), text)
}

fn module_per_file(
    model: &Model,
    output: &Output<'_>,
    sink: &(dyn Fn(String, String) -> Result<(), Error> + Sync),
) -> Result<(), Error> {
    let wanted = emit::closure(model, output.packages);
    // As `emit::emit` sorts its modules by path, the last module of a path wins.
    let mut by_path: BTreeMap<&[String], &Package> = BTreeMap::new();
    for package in &model.packages {
        if wanted.contains(package.name.as_str()) {
            by_path.insert(package.module_path.as_slice(), package);
        }
    }
    let tree = render::module_tree(by_path.keys().copied());
    let jobs: Vec<(&Vec<String>, &BTreeSet<String>)> = tree.iter().collect();
    let next = AtomicUsize::new(0);
    let failed: Mutex<Vec<(usize, Error)>> = Mutex::new(Vec::new());
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((path, children)) = jobs.get(i) else {
                break;
            };
            let module = if path.is_empty() {
                Some(emit::root_module(model, &wanted, &output.ends))
            } else {
                by_path
                    .get(path.as_slice())
                    .map(|p| emit::package_module(model, p, &wanted, &output.ends))
            };
            let attrs = path.is_empty().then(|| quote! { #![deny(missing_docs)] });
            let file =
                render::render_file(path, module, children, output.header, attrs, output.pretty)
                    .map_err(Error::Render)
                    .and_then(|(name, text)| sink(name, text));
            if let Err(e) = file
                && let Ok(mut failed) = failed.lock()
            {
                failed.push((i, e));
            }
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, MAX_THREADS)
        .min(jobs.len());
    if threads <= 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 1..threads {
                scope.spawn(work);
            }
            work();
        });
    }
    let mut failed = failed.into_inner().unwrap_or_else(|e| e.into_inner());
    failed.sort_by_key(|(i, _)| *i);
    match failed.into_iter().next() {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// Every file of `output`, name to text.
///
/// # Errors
///
/// As [`run`].
pub fn files(model: &Model, output: &Output<'_>) -> Result<BTreeMap<String, String>, Error> {
    let files = Mutex::new(BTreeMap::new());
    run(model, output, &|name, text| {
        if let Ok(mut files) = files.lock() {
            files.insert(name, text);
        }
        Ok(())
    })?;
    Ok(files.into_inner().unwrap_or_else(|e| e.into_inner()))
}
