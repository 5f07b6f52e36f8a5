//! Phase 5, render: modules of tokens → formatted Rust source, either one file per module (for
//! a checked-in crate) or one file of nested modules (for `include!` from a build script).
//! It knows modules, docs and tokens, nothing of the IDL or of the emitters. Output that a
//! person reads is parsed by syn and printed by prettyplease; output only the compiler reads
//! (a build script's `include!`) is the tokens' text, which costs a fraction of that. Either
//! way the docs come back as `///` lines from where they were set aside.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use proc_macro2::TokenStream;
use quote::quote;

use crate::docs::Doc;

/// One Rust module: where it sits, its docs and its items.
#[derive(Debug, Clone)]
pub struct Module {
    /// Module names from the root; empty for the root.
    pub path: Vec<String>,
    /// The module's documentation.
    pub doc: Doc,
    /// Its items.
    pub items: TokenStream,
}

/// The emitted tokens did not form a Rust file: a bug in the generator, reported instead of
/// writing broken code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    /// The file or module being rendered.
    pub module: String,
    /// What syn said.
    pub message: String,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error: internal error: the code generated for `{}` does not parse: {}",
            self.module, self.message
        )
    }
}

impl std::error::Error for RenderError {}

/// Every module path with its children, including modules that only hold other modules.
fn tree(modules: &[Module]) -> BTreeMap<Vec<String>, BTreeSet<String>> {
    module_tree(modules.iter().map(|m| m.path.as_slice()))
}

/// The identifier of a module name, raw (`r#type`) or not.
fn ident(name: &str) -> proc_macro2::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => proc_macro2::Ident::new(name, proc_macro2::Span::call_site()),
    }
}

/// The module tree of these module paths: every path with its children, the root and modules
/// that only hold other modules included.
pub fn module_tree<'a>(
    paths: impl IntoIterator<Item = &'a [String]>,
) -> BTreeMap<Vec<String>, BTreeSet<String>> {
    let mut tree: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
    tree.entry(Vec::new()).or_default();
    for path in paths {
        for depth in 0..path.len() {
            tree.entry(path[..depth].to_vec())
                .or_default()
                .insert(path[depth].clone());
        }
        tree.entry(path.to_vec()).or_default();
    }
    tree
}

fn placeholder_doc(path: &[String]) -> Doc {
    Doc::from_text(&format!("Modules under `{}`.", path.join("::")))
}

/// The text of a file: formatted when `pretty`, else the tokens as they are (valid Rust on
/// long lines, for the compiler only). `docs` are the docs set aside while the tokens were
/// made (see [`crate::docs::set_aside`]), put back here as doc comments.
fn format(
    name: &str,
    header: &str,
    tokens: TokenStream,
    pretty: bool,
    docs: &[String],
) -> Result<String, RenderError> {
    // Kept (a shared reference, not a copy) in case a doc does not come back.
    let again = (!docs.is_empty()).then(|| tokens.clone());
    let text = if pretty {
        let mut file = syn::parse2::<syn::File>(tokens).map_err(|e| RenderError {
            module: name.to_owned(),
            message: e.to_string(),
        })?;
        let mut bodies = Vec::new();
        set_aside_item_macros(&mut file.items, &mut bodies);
        let text = prettyplease::unparse(&file);
        drop(file);
        put_back_item_macros(&text, &bodies)
    } else {
        format!("{tokens}\n")
    };
    let put_back = if pretty {
        crate::docs::put_back_text(&text, docs)
    } else {
        crate::docs::put_back_compiled(&text, docs)
    };
    match (put_back, again) {
        (Some(text), _) => Ok(format!("{header}\n{text}")),
        (None, Some(tokens)) => format(
            name,
            header,
            crate::docs::put_back_tokens(tokens, docs),
            pretty,
            &[],
        ),
        (None, None) => Ok(format!("{header}\n{text}")),
    }
}

/// Items of a module on their own, formatted when `pretty`: what follows its head in its file
/// (see [`render_file`]), as a module's items are printed one after the other.
///
/// # Errors
///
/// A [`RenderError`] if the tokens are not valid Rust.
pub fn render_items(
    module: &str,
    items: TokenStream,
    pretty: bool,
    docs: &[String],
) -> Result<String, RenderError> {
    if items.is_empty() {
        return Ok(String::new());
    }
    let text = format(module, "", items, pretty, docs)?;
    Ok(text.strip_prefix('\n').unwrap_or(&text).to_owned())
}

/// Formatted, the item `wrap(elements)`: one item holding an array of the elements
/// `elements()` makes (such as a `const` table), made and formatted `chunk` elements at a
/// time, so that the tokens, syntax tree and printer buffers of a table that grows with the
/// IDL are never held whole. prettyplease
/// prints an array too long for one line with each element on lines of its own, laid out
/// alone, so the item's text is what precedes the first element in the first piece, then
/// each piece's elements, then what follows the last element. When a piece is not printed
/// so (it fits on one line), the item is made whole.
///
/// # Errors
///
/// A [`RenderError`] if the tokens are not valid Rust.
pub fn render_array_item<I: Iterator<Item = TokenStream>>(
    module: &str,
    wrap: impl Fn(&[TokenStream]) -> TokenStream,
    elements: impl Fn() -> I,
    chunk: usize,
    docs: &[String],
) -> Result<String, RenderError> {
    in_pieces(
        elements,
        chunk,
        |piece, _| render_items(module, wrap(piece), true, docs),
        // The array opens at the end of a line and closes at the start of one.
        |text, _| {
            let open = text.find("[\n")? + 2;
            let close = text.rfind("\n]")? + 1;
            Some((open, close))
        },
    )
}

/// Formatted, the item `wrap(elements, true)` whose last block (an `impl`'s) holds the
/// elements `elements` yields, made and formatted `chunk` elements at a time, as
/// [`render_array_item`] does for an array: the first piece is `wrap(its elements, true)`,
/// printed up to the block's closing `}`; every other piece is `wrap(its elements, false)`, an
/// item whose block holds its elements alone, of which what is printed between the block's
/// opening line and its closing `}` follows. prettyplease lays out each item of a block alone,
/// one after the other. A piece not printed so, or elements that fit in one piece, are made
/// whole. The docs of each piece are set aside as it is made (see [`crate::docs::set_aside`]).
///
/// # Errors
///
/// A [`RenderError`] if the tokens are not valid Rust.
pub fn render_block_item<I: Iterator<Item = TokenStream>>(
    module: &str,
    wrap: impl Fn(&[TokenStream], bool) -> TokenStream,
    elements: impl Fn() -> I,
    chunk: usize,
) -> Result<String, RenderError> {
    in_pieces(
        elements,
        chunk,
        |piece, head| {
            let (tokens, docs) = crate::docs::set_aside(|| wrap(piece, head));
            render_items(module, tokens, true, &docs)
        },
        // The block closes at the start of the item's last line. The first piece is kept up to
        // there (its head may hold blocks of its own); another opens the block at the end of
        // its first line that ends with `{`.
        |text, first| {
            let close = text.rfind("\n}")? + 1;
            if first {
                return Some((close, close));
            }
            let open = text.find("{\n").map_or(close, |at| at + 2);
            (open < close).then_some((open, close))
        },
    )
}

/// The loop of [`render_array_item`] and [`render_block_item`]: `piece(elements, first)` is the
/// text of an item holding these elements, and `bounds(text, first)` where they lie in it (the
/// first piece's text before them is the item's head, its text after them the item's end). The
/// item is made whole, by one `piece` of every element, when the elements fit in one piece or
/// some piece's elements do not lie as expected (not all indented).
fn in_pieces<I: Iterator<Item = TokenStream>>(
    elements: impl Fn() -> I,
    chunk: usize,
    piece: impl Fn(&[TokenStream], bool) -> Result<String, RenderError>,
    bounds: impl Fn(&str, bool) -> Option<(usize, usize)>,
) -> Result<String, RenderError> {
    let whole = || piece(&elements().collect::<Vec<_>>(), true);
    let chunk = chunk.max(1);
    let mut out = String::new();
    let mut end = String::new();
    let mut all = elements();
    for i in 0.. {
        let some: Vec<TokenStream> = all.by_ref().take(chunk).collect();
        if i == 0 && some.len() < chunk {
            return whole();
        }
        if some.is_empty() {
            break;
        }
        let text = piece(&some, i == 0)?;
        drop(some);
        let Some((open, close)) = bounds(&text, i == 0) else {
            return whole();
        };
        let body = text.get(open..close).unwrap_or("");
        if open > close || body.lines().any(|l| !l.starts_with("    ")) {
            return whole();
        }
        if i == 0 {
            out.push_str(&text[..open]);
            end = text[close..].to_owned();
        }
        out.push_str(body);
    }
    out.push_str(&end);
    Ok(out)
}

/// The name of the `n`th placeholder of [`set_aside_item_macros`].
fn placeholder(n: usize) -> String {
    format!("__VAPI_ITEM_MACRO_{n}")
}

/// prettyplease prints a macro's tokens as running text (`#[doc = "…"]` for a doc comment), so
/// an item macro whose body is items (`__rt::object! { pub struct … }`) is formatted here as the
/// items it holds: each is replaced by a placeholder `const`, its path and formatted body kept
/// in `bodies`, to be put back by [`put_back_item_macros`].
fn set_aside_item_macros(items: &mut [syn::Item], bodies: &mut Vec<(String, String)>) {
    for item in items {
        match item {
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    set_aside_item_macros(inner, bodies);
                }
            }
            syn::Item::Macro(m)
                if m.ident.is_none()
                    && matches!(m.mac.delimiter, syn::MacroDelimiter::Brace(_)) =>
            {
                let Ok(inner) = syn::parse2::<syn::File>(m.mac.tokens.clone()) else {
                    continue;
                };
                let path = m
                    .mac
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect::<Vec<_>>()
                    .join("::");
                let name =
                    syn::Ident::new(&placeholder(bodies.len()), proc_macro2::Span::call_site());
                bodies.push((path, prettyplease::unparse(&inner)));
                *item = syn::parse_quote!(const #name: () = (););
            }
            _ => {}
        }
    }
}

/// `text` with each placeholder line of [`set_aside_item_macros`] replaced by its macro call,
/// the body indented one level below it.
fn put_back_item_macros(text: &str, bodies: &[(String, String)]) -> String {
    if bodies.is_empty() {
        return text.to_owned();
    }
    let mut out =
        String::with_capacity(text.len() + bodies.iter().map(|b| b.1.len()).sum::<usize>());
    for line in text.lines() {
        let trimmed = line.trim_start();
        let body = trimmed
            .strip_prefix("const __VAPI_ITEM_MACRO_")
            .and_then(|rest| rest.strip_suffix(": () = ();"))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| bodies.get(n));
        let Some((path, body)) = body else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let indent = &line[..line.len() - trimmed.len()];
        out.push_str(&format!("{indent}{path}! {{\n"));
        for inner in body.lines() {
            if !inner.is_empty() {
                out.push_str(indent);
                out.push_str("    ");
                out.push_str(inner);
            }
            out.push('\n');
        }
        out.push_str(&format!("{indent}}}\n"));
    }
    out
}

/// The file of one module of a module-per-file output: its name (`lib.rs` for the root, `a/b.rs` for `a::b`) and text. `module` is `None` for a
/// module that only holds `children` (it gets a placeholder doc); `crate_attrs` go into
/// `lib.rs`. The module is taken by value, so its tokens move into the file, uncopied.
///
/// # Errors
///
/// A [`RenderError`] if the module's tokens are not valid Rust.
pub fn render_file(
    path: &[String],
    module: Option<Module>,
    children: &BTreeSet<String>,
    header: &str,
    crate_attrs: Option<TokenStream>,
    pretty: bool,
    docs: &[String],
) -> Result<(String, String), RenderError> {
    let (doc, items) = match module {
        Some(m) if !m.doc.is_empty() => (m.doc.inner(), m.items),
        Some(m) => (placeholder_doc(path).inner(), m.items),
        None => (placeholder_doc(path).inner(), TokenStream::new()),
    };
    let children = children.iter().map(|c| ident(c));
    // `mod r#type;` lives in `type.rs`: file names drop the raw prefix.
    let file_name = if path.is_empty() {
        "lib.rs".to_owned()
    } else {
        let parts: Vec<&str> = path.iter().map(|p| crate::naming::unraw(p)).collect();
        format!("{}.rs", parts.join("/"))
    };
    // prettyplease, not rustfmt, formats generated code; `rustfmt::skip` keeps `cargo fmt`
    // from reformatting the module files, which `--check` would then report as stale.
    let mut tokens = quote! {
        #doc
        #crate_attrs
        #( #[rustfmt::skip] pub mod #children; )*
    };
    tokens.extend(items);
    let text = format(&file_name, header, tokens, pretty, docs)?;
    Ok((file_name, text))
}

/// A file's text, parsed by syn and printed by prettyplease.
pub(crate) fn pretty(text: &str) -> Result<String, String> {
    let file = syn::parse_file(text).map_err(|e| e.to_string())?;
    Ok(prettyplease::unparse(&file))
}

/// The head of a module (docs and imports) and the text of its items, by module path (see
/// [`nest_compiled`]).
pub type ModuleText<'a> = dyn FnMut(&[String]) -> Option<(Module, String)> + 'a;

/// One file of nested inline modules for the compiler only, the code [`render_single`] formats,
/// from text made apart (on threads): `root`, the items of the root module, and for each other
/// module of `tree`, `module(path)`, its head (docs and imports) and the text of its items
/// (`None` for a module that only holds others).
///
/// # Errors
///
/// A [`RenderError`] if the tokens are not valid Rust.
pub fn nest_compiled(
    tree: &BTreeMap<Vec<String>, BTreeSet<String>>,
    header: &str,
    root: String,
    module: &mut ModuleText<'_>,
) -> Result<String, RenderError> {
    fn nest(
        path: &mut Vec<String>,
        tree: &BTreeMap<Vec<String>, BTreeSet<String>>,
        module: &mut ModuleText<'_>,
        out: &mut String,
    ) -> Result<(), RenderError> {
        let Some(children) = tree.get(path.as_slice()) else {
            return Ok(());
        };
        for child in children {
            path.push(child.clone());
            let (doc, items, body) = match module(path) {
                Some((m, body)) if !m.doc.is_empty() => (m.doc, m.items, body),
                Some((m, body)) => (placeholder_doc(path), m.items, body),
                None => (placeholder_doc(path), TokenStream::new(), String::new()),
            };
            let name = ident(child);
            let (tokens, docs) = crate::docs::set_aside(|| quote! { #doc pub mod #name {} });
            let open = format("", "", tokens, false, &docs)?;
            // As `render_single` nests them: the module's modules, then its own items.
            out.push_str(open.trim_end().trim_end_matches('}'));
            nest(path, tree, module, out)?;
            out.push_str(&render_items("", items, false, &[])?);
            out.push_str(&body);
            out.push_str("}\n");
            path.pop();
        }
        Ok(())
    }
    let mut out = format!("{header}\n");
    nest(&mut Vec::new(), tree, module, &mut out)?;
    out.push_str(&root);
    Ok(out)
}

/// One file of nested inline modules, formatted, for `include!`: it has no inner attributes, so
/// it can be included into any module ([`nest_compiled`] makes the same file for the compiler
/// only).
///
/// # Errors
///
/// A [`RenderError`] if the tokens are not valid Rust.
pub fn render_single(
    modules: &[Module],
    header: &str,
    docs: &[String],
) -> Result<String, RenderError> {
    let tree = tree(modules);
    let by_path: BTreeMap<&[String], &Module> =
        modules.iter().map(|m| (m.path.as_slice(), m)).collect();
    fn nest(
        path: &[String],
        tree: &BTreeMap<Vec<String>, BTreeSet<String>>,
        by_path: &BTreeMap<&[String], &Module>,
    ) -> TokenStream {
        let items = by_path
            .get(path)
            .map(|m| m.items.clone())
            .unwrap_or_default();
        let children = tree.get(path).into_iter().flatten().map(|child| {
            let mut child_path = path.to_vec();
            child_path.push(child.clone());
            let doc = match by_path.get(child_path.as_slice()) {
                Some(m) if !m.doc.is_empty() => m.doc.clone(),
                _ => placeholder_doc(&child_path),
            };
            let name = ident(child);
            let body = nest(&child_path, tree, by_path);
            quote! { #doc pub mod #name { #body } }
        });
        quote! { #(#children)* #items }
    }
    format(
        "the bindings",
        header,
        nest(&[], &tree, &by_path),
        true,
        docs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_array_item_made_piece_by_piece_is_the_item_made_whole() {
        let wrap = |elements: &[TokenStream]| {
            quote! {
                /// A table.
                pub const TABLE: &[Entry] = &[#(#elements),*];
            }
        };
        let long: Vec<TokenStream> = (0..10)
            .map(|i| {
                let name = format!("com.vmware.example.Element{i}");
                let ty = quote::format_ident!("Element{i}Id");
                quote!(__rt::TypeInfo::new(#name, __rt::TypeKind::Id, __rt::round_trip::<example::#ty>))
            })
            .collect();
        let whole = render_items("m", wrap(&long), true, &[]).unwrap();
        for chunk in [1, 3, 4, 5, 9, 10, 64] {
            assert_eq!(
                render_array_item("m", wrap, || long.iter().cloned(), chunk, &[]).unwrap(),
                whole,
                "{chunk}"
            );
        }
        // Pieces that fit on one line: made whole.
        let short: Vec<TokenStream> = (0..5u8).map(|i| quote!(#i)).collect();
        let whole = render_items("m", wrap(&short), true, &[]).unwrap();
        assert_eq!(
            render_array_item("m", wrap, || short.iter().cloned(), 2, &[]).unwrap(),
            whole
        );
        assert!(whole.contains("&[0u8, 1u8, 2u8, 3u8, 4u8]"), "{whole}");
        // None at all: the empty array.
        let empty = render_items("m", wrap(&[]), true, &[]).unwrap();
        assert_eq!(
            render_array_item("m", wrap, std::iter::empty, 2, &[]).unwrap(),
            empty
        );
        assert!(empty.contains("&[];"), "{empty}");
    }

    #[test]
    fn a_block_item_made_piece_by_piece_is_the_item_made_whole() {
        let wrap = |methods: &[TokenStream], head: bool| {
            let head = head.then(|| {
                quote! {
                    /// A handle.
                    pub struct Api {}
                }
            });
            let new = head.is_some().then(|| {
                quote! {
                    /// Makes one.
                    pub fn new() -> Self { Self {} }
                }
            });
            quote! {
                #head
                #[rustfmt::skip]
                impl Api {
                    #new
                    #(#methods)*
                }
            }
        };
        let methods: Vec<TokenStream> = (0..10)
            .map(|i| {
                let name = quote::format_ident!("service_with_a_long_name_{i}");
                let doc = format!(" The `com.vmware.example.Service{i}` service.");
                quote! {
                    #[doc = #doc]
                    pub fn #name(&self) -> example::very::long::module::path::to::the::service::Fluent {
                        self.connection.clone().into()
                    }
                }
            })
            .collect();
        let whole = render_items("m", wrap(&methods, true), true, &[]).unwrap();
        for chunk in [1, 3, 4, 5, 9, 10, 64] {
            assert_eq!(
                render_block_item("m", wrap, || methods.iter().cloned(), chunk).unwrap(),
                whole,
                "{chunk}"
            );
        }
        // None at all: the head alone.
        assert_eq!(
            render_block_item("m", wrap, std::iter::empty, 2).unwrap(),
            render_items("m", wrap(&[], true), true, &[]).unwrap()
        );
    }

    #[test]
    fn module_files_of_raw_identifiers_drop_the_prefix() {
        let module = |path: &[&str]| Module {
            path: path.iter().map(|p| (*p).to_owned()).collect(),
            doc: Doc::from_text("A module."),
            items: quote!(),
        };
        let modules = [module(&["a"]), module(&["a", "r#type"])];
        let mut files = BTreeMap::new();
        for (path, children) in tree(&modules) {
            let m = modules.iter().find(|m| m.path == path).cloned();
            let (name, text) =
                render_file(&path, m, &children, "// @generated", None, true, &[]).unwrap();
            files.insert(name, text);
        }
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(names, ["a.rs", "a/type.rs", "lib.rs"]);
        assert!(
            files["a.rs"].contains("pub mod r#type;"),
            "{}",
            files["a.rs"]
        );
    }
    #[test]
    fn docs_set_aside_come_back_as_they_are_printed_in_place() {
        use crate::docs::{ASIDE_MARK, set_aside};
        let make = |in_macro: bool| {
            let mut doc = Doc::from_text("A structure.\n\nTrailing   \n  indented");
            doc.paragraph("   ");
            let field = Doc::from_text("A field.");
            // A doc inside a macro printed as tokens cannot be put back as text.
            let inside = in_macro.then(|| {
                let doc = Doc::from_text("In a macro.");
                quote!(
                    pub fn f() {
                        m!(#doc struct U;);
                    }
                )
            });
            quote! {
                #doc
                pub struct S {
                    #field
                    #[serde(default)]
                    pub a: i32,
                }
                __rt::object! {
                    #doc
                    pub struct T { #field pub b: i32 }
                }
                #inside
            }
        };
        for in_macro in [false, true] {
            let in_place = render_items("m", make(in_macro), true, &[]).unwrap();
            let (tokens, docs) = set_aside(|| make(in_macro));
            assert_eq!(docs.len(), 4 + usize::from(in_macro));
            let text = render_items("m", tokens, true, &docs).unwrap();
            assert_eq!(text, in_place);
            // For the compiler only: the same items, the docs as `///` comments.
            let (tokens, docs) =
                crate::docs::for_compiler_only(true, || set_aside(|| make(in_macro)));
            let compiled = render_items("m", tokens, false, &docs).unwrap();
            assert!(!compiled.contains("vapi-doc"), "{compiled}");
            let tokens: TokenStream = compiled.parse().unwrap();
            // (A doc left in a macro is the escaped literal there, not the raw one.)
            assert_eq!(
                render_items("m", tokens, true, &[]).unwrap(),
                in_place.replace("r\"", "\""),
                "{compiled}"
            );
            assert!(!text.contains(ASIDE_MARK));
            assert!(
                text.starts_with(
                    "/// A structure.\n///\n/// Trailing\n/// indented\n///\n///\npub struct S {\n    /// A field.\n"
                ),
                "{text}"
            );
        }
    }
}
