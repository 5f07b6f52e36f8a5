//! The one way from a model to files, whoever asks (the command line, `Config`, the fuzzers,
//! the property tests and the benches): emit a module, render its file, hand the file to a
//! sink (the writer's [`Staging`](crate::writer::Staging), or a map), module by module on up to
//! four threads, so that the tokens and text of the whole output are never in memory at once.
//! A build script's one file is made the same way, its modules' texts nested at the end.
//! Docs are set aside as each part is emitted ([`crate::docs::set_aside`]) and put back into
//! its text by the renderer: one placeholder per doc instead of a `#[doc]` per line.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use proc_macro2::TokenStream;
use quote::quote;

use crate::config::{Error, Layout};
use crate::emit::{self, rest};
use crate::ir::{Model, Package};
use crate::render;
use crate::threads::on_fresh_threads;

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
    let name = match output.layout {
        Layout::SingleFile(name) => name,
        Layout::ModulePerFile => return module_per_file(model, output, &|_| true, sink),
    };
    if !output.pretty {
        return sink(name.clone(), single_compiled(model, output)?);
    }
    let (modules, docs) =
        crate::docs::set_aside(|| emit::emit(model, output.packages, &output.ends));
    let text = render::render_single(&modules, output.header, &docs).map_err(Error::Render)?;
    drop(modules);
    sink(name.clone(), text)
}

/// What one job of [`module_per_file`] makes.
#[derive(Clone, Copy)]
enum Job<'m> {
    /// The whole file of a module without a package: the root, or one that only holds others.
    Whole,
    /// A part of a package's module (see [`emit::package_part`]).
    Part(&'m Package),
}

/// A part's text and whether it names `__rt` and `__root`.
type PartText = (String, bool, bool);

/// The files of one module per file whose module path `keep` accepts (see [`run`]).
pub(crate) fn module_per_file(
    model: &Model,
    output: &Output<'_>,
    keep: &dyn Fn(&[String]) -> bool,
    sink: &(dyn Fn(String, String) -> Result<(), Error> + Sync),
) -> Result<(), Error> {
    let wanted = emit::closure(model, output.packages);
    let emitted = emit::emitted_modules(model, &wanted);
    // As `emit::emit` sorts its modules by path, the last module of a path wins.
    let mut by_path: BTreeMap<&[String], &Package> = BTreeMap::new();
    for package in &model.packages {
        if wanted.contains(package.name.as_str()) {
            by_path.insert(package.module_path.as_slice(), package);
        }
    }
    let tree = render::module_tree(by_path.keys().copied());
    let files: Vec<(&Vec<String>, &BTreeSet<String>)> = tree.iter().collect();
    // A big package's module is made in parts, on several threads, the largest parts first;
    // each file is put together, in order, once its last part is made.
    let mut jobs: Vec<(usize, usize, Job<'_>, usize)> = Vec::new();
    let mut parts: Vec<Mutex<Vec<Option<PartText>>>> = Vec::new();
    for (f, (path, _)) in files.iter().enumerate() {
        if !keep(path) {
            parts.push(Mutex::new(Vec::new()));
            continue;
        }
        match by_path.get(path.as_slice()).filter(|_| !path.is_empty()) {
            Some(package) => {
                let count = emit::part_count(package);
                for part in 0..count {
                    let weight = emit::part_weight(package, part);
                    jobs.push((f, part, Job::Part(package), weight));
                }
                parts.push(Mutex::new(vec![None; count]));
            }
            None => {
                jobs.push((f, 0, Job::Whole, usize::MAX));
                parts.push(Mutex::new(Vec::new()));
            }
        }
    }
    // The largest files first and, within a file, its largest parts first; but file by file:
    // the parts of a file wait in memory until its last part is made, so ordering all parts by
    // weight alone held most of the output's text until the end.
    let mut file_weight = vec![0usize; files.len()];
    for job in &jobs {
        file_weight[job.0] = file_weight[job.0].saturating_add(job.3);
    }
    jobs.sort_by_key(|job| {
        (
            std::cmp::Reverse(file_weight[job.0]),
            job.0,
            std::cmp::Reverse(job.3),
        )
    });
    let made = on_fresh_threads(jobs.len(), &|i| {
        let (f, part, job, _) = jobs[i];
        let (path, children) = files[f];
        let result = crate::docs::for_compiler_only(!output.pretty, || match job {
            Job::Whole => whole_file(model, output, &wanted, path, children),
            Job::Part(package) => {
                make_part(model, output, &emitted, package, part).and_then(|text| {
                    let done = {
                        let mut slots = parts[f].lock().unwrap_or_else(|e| e.into_inner());
                        slots[part] = Some(text);
                        if slots.iter().all(Option::is_some) {
                            Some(std::mem::take(&mut *slots))
                        } else {
                            None
                        }
                    };
                    match done {
                        Some(texts) => {
                            let texts = texts.into_iter().flatten().collect();
                            assemble(output, package, children, texts).map(Some)
                        }
                        None => Ok(None),
                    }
                })
            }
        });
        result.and_then(|file| match file {
            Some((name, text)) => sink(name, text),
            None => Ok(()),
        })
    });
    // The first error in path order: files are named in that order.
    let mut failed: Vec<(usize, Error)> = jobs
        .iter()
        .zip(made)
        .filter_map(|(job, result)| result.err().map(|e| (job.0, e)))
        .collect();
    failed.sort_by_key(|(f, _)| *f);
    match failed.into_iter().next() {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// The one file of nested modules, for the compiler only (a build script's): the parts of the
/// modules are made on threads, as for one file per module, and nested as text.
fn single_compiled(model: &Model, output: &Output<'_>) -> Result<String, Error> {
    let wanted = emit::closure(model, output.packages);
    let emitted = emit::emitted_modules(model, &wanted);
    let mut by_path: BTreeMap<&[String], &Package> = BTreeMap::new();
    for package in &model.packages {
        if wanted.contains(package.name.as_str()) && !package.module_path.is_empty() {
            by_path.insert(package.module_path.as_slice(), package);
        }
    }
    let tree = render::module_tree(by_path.keys().copied());
    // The root module's items (`None`), then every part of every package, the largest first.
    let mut jobs: Vec<(Option<&Package>, usize, usize)> = vec![(None, 0, usize::MAX)];
    for package in by_path.values() {
        for part in 0..emit::part_count(package) {
            jobs.push((Some(package), part, emit::part_weight(package, part)));
        }
    }
    jobs.sort_by_key(|job| std::cmp::Reverse(job.2));
    let made = on_fresh_threads(jobs.len(), &|i| {
        let (package, part, _) = jobs[i];
        crate::docs::for_compiler_only(true, || match package {
            None => {
                let (root, docs) =
                    crate::docs::set_aside(|| emit::root_module(model, &wanted, &output.ends));
                render::render_items("the bindings", root.items, false, &docs)
                    .map(|text| (text, false, false))
                    .map_err(Error::Render)
            }
            Some(package) => make_part(model, output, &emitted, package, part),
        })
    });
    let mut root = String::new();
    let mut parts: BTreeMap<(&[String], usize), PartText> = BTreeMap::new();
    for (&(package, part, _), text) in jobs.iter().zip(made) {
        match package {
            None => root = text?.0,
            Some(package) => {
                parts.insert((package.module_path.as_slice(), part), text?);
            }
        }
    }
    let nest = || {
        render::nest_compiled(&tree, output.header, root, &mut |path| {
            let package: &Package = by_path.get(path)?;
            let path = package.module_path.as_slice();
            let own: Vec<PartText> = (0..emit::part_count(package))
                .filter_map(|part| parts.remove(&(path, part)))
                .collect();
            let head =
                emit::package_head(package, own.iter().any(|p| p.1), own.iter().any(|p| p.2));
            Some((head, own.into_iter().map(|p| p.0).collect()))
        })
    };
    crate::docs::for_compiler_only(true, nest).map_err(Error::Render)
}

/// The file of the root module, or of a module that only holds others.
fn whole_file(
    model: &Model,
    output: &Output<'_>,
    wanted: &BTreeSet<&str>,
    path: &[String],
    children: &BTreeSet<String>,
) -> Result<Option<(String, String)>, Error> {
    let attrs = path.is_empty().then(|| quote! { #![deny(missing_docs)] });
    if path.is_empty() && output.pretty {
        // The root's registry names every type of the IDL: formatted piece by piece, it is
        // never held whole as tokens, syntax tree and printer buffers (most of the memory
        // of a run at a thousand times the real IDL).
        let (head, head_docs) = crate::docs::set_aside(|| emit::root_head(model, wanted));
        let (name, mut text) = render::render_file(
            path,
            Some(head),
            children,
            output.header,
            attrs,
            true,
            &head_docs,
        )
        .map_err(Error::Render)?;
        // The entries are made as the pieces are formatted; they hold no docs.
        let entries = || emit::root_registry(model, wanted);
        text.push_str(
            &render::render_array_item("the root", emit::registry_of, entries, 64, &[])
                .map_err(Error::Render)?,
        );
        // `Api` has a method per service of the IDL: formatted piece by piece too.
        let api =
            |methods: &[TokenStream], head: bool| emit::root_api_of(&output.ends, methods, head);
        let methods = || emit::root_api_methods(model, wanted);
        text.push_str(
            &render::render_block_item("the root", api, methods, 256).map_err(Error::Render)?,
        );
        return Ok(Some((name, text)));
    }
    let (module, docs) = crate::docs::set_aside(|| {
        path.is_empty()
            .then(|| emit::root_module(model, wanted, &output.ends))
    });
    render::render_file(
        path,
        module,
        children,
        output.header,
        attrs,
        output.pretty,
        &docs,
    )
    .map(Some)
    .map_err(Error::Render)
}

/// One part of a package's module, as text.
fn make_part(
    model: &Model,
    output: &Output<'_>,
    emitted: &Arc<BTreeSet<String>>,
    package: &Package,
    part: usize,
) -> Result<PartText, Error> {
    let ((items, root), docs) =
        crate::docs::set_aside(|| emit::package_part(model, package, emitted, &output.ends, part));
    let rt = !items.is_empty();
    let name = package.module_path.join("::");
    let text = render::render_items(&name, items, output.pretty, &docs).map_err(Error::Render)?;
    Ok((text, rt, root))
}

/// The file of a package's module: its head (docs, child modules, imports), then its parts.
fn assemble(
    output: &Output<'_>,
    package: &Package,
    children: &BTreeSet<String>,
    parts: Vec<PartText>,
) -> Result<(String, String), Error> {
    let rt = parts.iter().any(|p| p.1);
    let root = parts.iter().any(|p| p.2);
    let head = emit::package_head(package, rt, root);
    let path = &package.module_path;
    let (name, mut text) = render::render_file(
        path,
        Some(head),
        children,
        output.header,
        None,
        output.pretty,
        &[],
    )
    .map_err(Error::Render)?;
    for (part, _, _) in parts {
        text.push_str(&part);
    }
    Ok((name, text))
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proc_macro2::{TokenStream, TokenTree};

    use super::*;

    /// The tokens of a file, string literals by their value and without the commas that
    /// prettyplease adds before a closing delimiter.
    fn tokens(text: &str) -> Vec<String> {
        fn walk(tokens: TokenStream, out: &mut Vec<String>) {
            for t in tokens {
                match t {
                    TokenTree::Group(g) => {
                        out.push(format!("{:?}", g.delimiter()));
                        walk(g.stream(), out);
                        if out.last().is_some_and(|t| t == ",") {
                            out.pop();
                        }

                        out.push("end".to_owned());
                    }
                    TokenTree::Literal(l) => {
                        let text = l.to_string();
                        match syn::parse_str::<syn::LitStr>(&text) {
                            Ok(s) => out.push(format!("{:?}", s.value())),
                            Err(_) => out.push(text),
                        }
                    }
                    other => out.push(other.to_string()),
                }
            }
        }
        let mut out = Vec::new();
        walk(text.parse().unwrap(), &mut out);
        let mut i = 0;
        while i + 1 < out.len() {
            if out[i] == "," && out[i + 1] == ">" {
                out.remove(i);
            } else {
                i += 1;
            }
        }
        out
    }

    /// A build script's one file, made on threads and nested as text, is the code of the
    /// formatted one, token for token.
    #[test]
    fn one_file_for_the_compiler_is_the_formatted_one_unformatted() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for (idl, packages) in [
            ("idl", vec!["com.vmware.content.library.item".to_owned()]),
            ("idl", vec![]),
            ("tests/fixtures/base", vec![]),
        ] {
            let (model, _) = crate::load::load_dir(&root.join(idl)).unwrap();
            let layout = Layout::SingleFile("vapi.rs".to_owned());
            let make = |pretty| {
                let output = Output {
                    packages: &packages,
                    ends: rest::Options {
                        client: true,
                        server: true,
                        feature_gates: true,
                    },
                    header: "// @generated",
                    layout: &layout,
                    pretty,
                };
                files(&model, &output).unwrap().remove("vapi.rs").unwrap()
            };
            let (compiled, pretty) = (make(false), make(true));
            assert_ne!(compiled, pretty);
            assert!(!compiled.contains("vapi-doc"));
            let (a, b) = (tokens(&compiled), tokens(&pretty));
            let first = a.iter().zip(&b).position(|(a, b)| a != b);
            assert!(
                a == b,
                "{idl} {packages:?}: the code differs at token {first:?}: {:?}",
                first.map(|i| (
                    &a[i.saturating_sub(12)..i + 2],
                    &b[i.saturating_sub(12)..i + 2]
                ))
            );
        }
    }
}
