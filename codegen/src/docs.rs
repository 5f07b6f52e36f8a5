//! Documentation as a value: IDL prose shaped into rustdoc that renders as written and never
//! trips a rustdoc lint or becomes a doctest.
//!
//! IDL doc text is prose, not Markdown. Rustdoc would read `[x]` as a link, `list<T>` as an
//! unclosed HTML tag, a bare `https://…` as a `bare_urls` warning, and an indented line or a
//! code fence as a Rust doctest. [`Doc::text`] escapes the first three outside code spans,
//! wraps URLs in `<…>`, un-indents lines and fences code as `text`.
//!
//! The IDL's doc markup (see `idl/README.md`) is rendered for Rust here: `{@term unset}` becomes
//! `` `None` ``, `{@term true}` and `{@term false}` the Rust booleans, and a reference the
//! `doc_refs` pass resolved (`{@rust content::library::item
//! FileInfo::version}`) an intra-doc link, written relative to the module the doc is emitted in
//! (see [`in_module`]).

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::sync::Arc;

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;

use crate::doc_refs::{Markup, TERMS, markup};

/// Where the docs being built will be emitted: their module, and which modules the output has.
#[derive(Default)]
struct Scope {
    /// Rust segments below the bindings' root.
    module: Vec<String>,
    /// The modules emitted (paths joined with `::`); `None` when every module is.
    emitted: Option<Arc<BTreeSet<String>>>,
}

thread_local! {
    /// The scope of the docs built on this thread (see [`in_module`]).
    static SCOPE: RefCell<Scope> = RefCell::default();
    /// Whether doc literals are written for syn and prettyplease to read back (raw), or only
    /// for the compiler (escaped); see [`for_compiler_only`].
    static FOR_SYN: Cell<bool> = const { Cell::new(true) };
    /// The docs set aside on this thread (see [`set_aside`]); `None` when docs are written in
    /// place.
    static ASIDE: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// What the placeholder of a doc set aside by [`set_aside`] prints as after the `///` of a
/// doc comment, followed by the doc's number: a character no IDL text holds (YAML does not
/// allow it), so that the renderer can tell it from a doc written in place.
pub const ASIDE_MARK: &str = "\u{7f}vapi-doc:";

/// Runs `f` with each [`Doc`] it turns into tokens set aside: its tokens are one
/// placeholder `#[doc]` whose value is [`ASIDE_MARK`] and a number, and its lines, as they
/// follow `///` in a doc comment, are returned as the text of that number, joined with `\n`.
///
/// syn reads every `#[doc = "…"]` line as an attribute holding an expression, and prettyplease
/// prints it back as `/// …`: the most common item of the output costs the most to format. One
/// placeholder per doc, replaced by its lines once the rest is formatted, makes the same text
/// for a fraction of that (see `render::put_back_docs`).
pub fn set_aside<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let outer = ASIDE.with(|a| a.replace(Some(Vec::new())));
    let result = f();
    let docs = ASIDE.with(|a| a.replace(outer)).unwrap_or_default();
    (result, docs)
}

/// Runs `f` with doc literals made for output that goes straight to the compiler (a build
/// script's), not through syn: escaped, which costs half as much as a raw literal in an
/// unoptimised build script, where the raw one is cheaper for syn to read back.
pub fn for_compiler_only<R>(yes: bool, f: impl FnOnce() -> R) -> R {
    let outer = FOR_SYN.with(|c| c.replace(!yes));
    let result = f();
    FOR_SYN.with(|c| c.set(outer));
    result
}

/// Runs `f` with intra-doc links written relative to the module `path` (Rust segments below the
/// bindings' root) and only to items of the `emitted` modules (paths joined with `::`): an
/// emitter builds the docs of one module's items inside it. A reference to an item of a module
/// that is not emitted (a package left out with `--package`) is shown as code instead. The
/// scope is restored afterwards.
///
/// Docs are built deep inside the emitters, which need not know of links: the scope travels
/// beside them, per thread, as each module is emitted on one thread.
pub fn in_module<R>(path: &[String], emitted: Arc<BTreeSet<String>>, f: impl FnOnce() -> R) -> R {
    let scope = Scope {
        module: path.to_vec(),
        emitted: Some(emitted),
    };
    let outer = SCOPE.with(|s| s.replace(scope));
    let result = f();
    SCOPE.with(|s| *s.borrow_mut() = outer);
    result
}

/// Runs `f` with links written from the child module `name` of the current one (a service's
/// module inside its package's).
pub fn in_submodule<R>(name: &str, f: impl FnOnce() -> R) -> R {
    SCOPE.with(|s| s.borrow_mut().module.push(name.to_owned()));
    let result = f();
    SCOPE.with(|s| s.borrow_mut().module.pop());
    result
}

/// The link to `item` of `module` (Rust paths below the bindings' root) from the current scope:
/// `super::` up to the common ancestor, then down; `None` if that module is not emitted.
fn link_path(module: &str, item: &str) -> Option<String> {
    SCOPE.with(|s| {
        let scope = s.borrow();
        if scope
            .emitted
            .as_ref()
            .is_some_and(|emitted| !emitted.contains(module))
        {
            return None;
        }
        let segments: Vec<&str> = module.split("::").filter(|m| !m.is_empty()).collect();
        let common = scope
            .module
            .iter()
            .zip(&segments)
            .take_while(|(a, b)| a.as_str() == **b)
            .count();
        let mut path: Vec<&str> = vec!["super"; scope.module.len() - common];
        path.extend(&segments[common..]);
        path.push(item);
        Some(path.join("::"))
    })
}

/// Doc text with its markup rendered as plain text, for the operation metadata that carries
/// error conditions as strings: references by their Rust name, terms as Rust writes them.
pub fn plain(text: &str) -> String {
    render_markup(text, str::to_owned, |token| match token {
        Markup::Rust { item, .. } => (*item).to_owned(),
        Markup::Link(r) => (*r).to_owned(),
        Markup::Term(t) => term(t).trim_matches('`').to_owned(),
        Markup::Privileges => "the operation's privileges".to_owned(),
        Markup::Unknown(inner) => format!("{{@{inner}}}"),
    })
}

fn term(t: &str) -> &str {
    TERMS
        .iter()
        .find(|(k, _)| *k == t)
        .map_or(t, |(_, rust)| rust)
}

/// `text` with the text between its markup passed through `prose` and each token through
/// `token`.
fn render_markup(
    text: &str,
    prose: impl Fn(&str) -> String,
    token: impl Fn(&Markup<'_>) -> String,
) -> String {
    let tokens = markup(text);
    if tokens.is_empty() {
        return prose(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for (range, t) in &tokens {
        out.push_str(&prose(&text[at..range.start]));
        out.push_str(&token(t));
        at = range.end;
    }
    out.push_str(&prose(&text[at..]));
    out
}

/// Renders one markup token as rustdoc Markdown (already safe: not escaped again).
fn markdown(token: &Markup<'_>) -> String {
    match token {
        Markup::Rust { module, item } => match link_path(module, item) {
            // rustdoc warns about a target that repeats the label.
            Some(path) if path == *item => format!("[`{item}`]"),
            Some(path) => format!("[`{item}`]({path})"),
            None => format!("`{item}`"),
        },
        // Unresolved (docs built without the `doc_refs` pass): the reference as code.
        Markup::Link(r) => format!("`{r}`"),
        Markup::Term(t) => term(t).to_owned(),
        Markup::Privileges => "the operation's privileges".to_owned(),
        Markup::Unknown(inner) => escape_prose(&format!("{{@{inner}}}")),
    }
}

/// Rustdoc for one item, built paragraph by paragraph.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc {
    lines: Vec<String>,
}

impl Doc {
    /// An empty doc.
    pub fn new() -> Self {
        Doc::default()
    }

    /// A doc holding one paragraph of IDL text.
    pub fn from_text(text: &str) -> Self {
        let mut doc = Doc::new();
        doc.text(text);
        doc
    }

    fn blank_line(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }

    /// Appends IDL prose as its own paragraph(s), shaped for rustdoc.
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.blank_line();
        // The fence that opened the current code block: "```" or "~~~".
        let mut in_fence: Option<&str> = None;
        let mut previous_blank = true;
        let mut in_list = false;
        for raw in text.trim().lines() {
            let line = raw.trim_end();
            let trimmed = line.trim_start();
            let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
            if let Some(fence) = fence
                && in_fence.is_none_or(|open| open == fence)
            {
                // Whatever language the fence named, show it as text: IDL examples are not
                // Rust and must never run as doctests. Both kinds of fence become "```".
                in_list = false;
                self.lines
                    .push(if in_fence.is_some() { "```" } else { "```text" }.to_owned());
                in_fence = if in_fence.is_some() {
                    None
                } else {
                    Some(fence)
                };
                continue;
            }
            if in_fence.is_some() {
                // A "```" line inside a "~~~" block would close the "```" fence written for it.
                let line = if line.trim_start().starts_with("```") {
                    line.replacen("```", "` ``", 1)
                } else {
                    line.to_owned()
                };
                self.lines.push(line);
                continue;
            }
            if trimmed.is_empty() {
                if !previous_blank {
                    self.lines.push(String::new());
                }
                previous_blank = true;
                in_list = false;
                continue;
            }
            previous_blank = false;
            let line = escape_line(trimmed);
            // The lines after a `- ` item, up to a blank line, continue the item: indented, so
            // that rustdoc and clippy (`doc_lazy_continuation`) read them as its text.
            if line.starts_with("- ") {
                in_list = true;
                self.lines.push(line);
            } else if in_list {
                self.lines.push(format!("  {line}"));
            } else {
                self.lines.push(line);
            }
        }
        if in_fence.is_some() {
            self.lines.push("```".to_owned());
        }
        while self.lines.last().is_some_and(String::is_empty) {
            self.lines.pop();
        }
        self
    }

    /// Appends a Markdown line the generator wrote itself (already safe), in the current
    /// paragraph.
    pub fn markdown(&mut self, line: impl Into<String>) -> &mut Self {
        self.lines.push(line.into());
        self
    }

    /// Starts a new paragraph made of one Markdown line the generator wrote itself.
    pub fn paragraph(&mut self, line: impl Into<String>) -> &mut Self {
        self.blank_line();
        self.lines.push(line.into());
        self
    }

    /// Starts a section with a `# Heading`.
    pub fn section(&mut self, heading: &str) -> &mut Self {
        self.blank_line();
        self.lines.push(format!("# {heading}"));
        self.lines.push(String::new());
        self
    }

    /// Appends a bullet whose text is IDL prose, shaped like [`Doc::text`] but on one line.
    pub fn bullet(&mut self, lead: &str, text: &str) -> &mut Self {
        let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
        self.lines.push(format!("- {lead}{}", escape_line(&joined)));
        self
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The doc as inner attributes (`//!`), for a module's own file.
    pub fn inner(&self) -> TokenStream {
        let mut tokens = TokenStream::new();
        for line in &self.lines {
            doc_attr(&mut tokens, true, &doc_line(line));
        }
        tokens
    }

    /// The rendered lines, for tests.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}

/// Rustdoc puts the text after `///`; a leading space keeps `/// text` readable.
fn doc_line(line: &str) -> String {
    if line.is_empty() {
        String::new()
    } else {
        format!(" {line}")
    }
}

impl ToTokens for Doc {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        if let Some(n) = self.set_aside() {
            doc_attr(tokens, false, &format!("{ASIDE_MARK}{n}"));
            return;
        }
        for line in &self.lines {
            doc_attr(tokens, false, &doc_line(line));
        }
    }
}

impl Doc {
    /// Keeps this doc's text aside, if [`set_aside`] is on and prettyplease would print each
    /// line as `///` and the line (with its trailing spaces trimmed): its number.
    fn set_aside(&self) -> Option<usize> {
        if self.lines.is_empty() {
            return None;
        }
        ASIDE.with(|aside| {
            let mut aside = aside.borrow_mut();
            let docs = aside.as_mut()?;
            // (One character at a time: a pattern of two is slow in an unoptimised build.)
            if self
                .lines
                .iter()
                .any(|l| l.contains('\n') || l.contains('\r'))
            {
                return None;
            }
            let mut text = String::with_capacity(self.lines.iter().map(|l| l.len() + 2).sum());
            for (i, line) in self.lines.iter().enumerate() {
                if i > 0 {
                    text.push('\n');
                }
                let start = text.len();
                if !line.is_empty() {
                    text.push(' ');
                    text.push_str(line);
                }
                // As prettyplease trims a doc line.
                let end = start + text[start..].trim_end_matches(' ').len();
                text.truncate(end);
            }
            docs.push(text);
            Some(docs.len() - 1)
        })
    }
}

/// `text` (formatted by prettyplease) with each placeholder line of a doc set aside by
/// [`set_aside`] (`///` and [`ASIDE_MARK`] `n`) replaced by the lines of `docs[n]`, each after
/// the placeholder's indentation and `///`, as prettyplease prints a doc in place. `None`
/// unless every doc came back exactly once, on a line of its own (a doc inside a macro
/// prettyplease prints as tokens does not): the caller then formats the docs in place.
pub fn put_back_text(text: &str, docs: &[String]) -> Option<String> {
    if docs.is_empty() {
        return Some(text.to_owned());
    }
    let mut out =
        String::with_capacity(text.len() + docs.iter().map(|d| 2 * d.len()).sum::<usize>());
    let mut seen = vec![false; docs.len()];
    let mut rest = text;
    while let Some(at) = rest.find(ASIDE_MARK) {
        let line_start = rest[..at].rfind('\n').map_or(0, |i| i + 1);
        let indent = rest[line_start..at].strip_suffix("///")?;
        if !indent.bytes().all(|b| b == b' ') {
            return None;
        }
        let after = &rest[at + ASIDE_MARK.len()..];
        let end = after.find('\n')?;
        let n: usize = after[..end].parse().ok()?;
        if std::mem::replace(seen.get_mut(n)?, true) {
            return None;
        }
        out.push_str(&rest[..line_start]);
        for line in docs[n].split('\n') {
            out.push_str(indent);
            out.push_str("///");
            out.push_str(line);
            out.push('\n');
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    seen.iter().all(|s| *s).then_some(out)
}

/// `text` (the tokens' text, for the compiler only) with each placeholder attribute of a doc
/// set aside by [`set_aside`] (`# [doc = "\u{7f}vapi-doc:n"]` as proc-macro2 prints it)
/// replaced by the lines of `docs[n]` as `///` comments, each ending its line: the compiler
/// reads them as the attributes they stand for, and nothing is escaped. `None` unless every doc
/// came back exactly once.
pub fn put_back_compiled(text: &str, docs: &[String]) -> Option<String> {
    const OPEN: &str = "# [doc = \"";
    const MARK: &str = "\\u{7f}vapi-doc:";
    if docs.is_empty() {
        return Some(text.to_owned());
    }
    let mut out =
        String::with_capacity(text.len() + docs.iter().map(|d| d.len() + 8).sum::<usize>());
    let mut seen = vec![false; docs.len()];
    let mut rest = text;
    let mut from = 0;
    // A backslash is rare in the text, and looking for one character is fast even unoptimised.
    while let Some(i) = rest[from..].find('\\') {
        let mark = from + i;
        from = mark + 1;
        if !rest[mark..].starts_with(MARK) || !rest[..mark].ends_with(OPEN) {
            continue;
        }
        let at = mark - OPEN.len();
        let after = &rest[mark + MARK.len()..];
        let end = after.find('"')?;
        if !after[end..].starts_with("\"]") {
            return None;
        }
        let n: usize = after[..end].parse().ok()?;
        if std::mem::replace(seen.get_mut(n)?, true) {
            return None;
        }
        out.push_str(&rest[..at]);
        out.push('\n');
        for line in docs[n].split('\n') {
            out.push_str("///");
            out.push_str(line);
            out.push('\n');
        }
        rest = &after[end + 2..];
        from = 0;
    }
    out.push_str(rest);
    seen.iter().all(|s| *s).then_some(out)
}

/// `tokens` with each placeholder of a doc set aside by [`set_aside`] replaced by the doc's
/// attributes, as they are without [`set_aside`]: for the rare output [`put_back_text`]
/// cannot complete.
pub fn put_back_tokens(tokens: TokenStream, docs: &[String]) -> TokenStream {
    let mut out = TokenStream::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tt) = iter.next() {
        match tt {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                let doc = match iter.peek() {
                    Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => {
                        aside_number(&g.stream()).and_then(|n| docs.get(n))
                    }
                    _ => None,
                };
                match doc {
                    Some(doc) => {
                        iter.next();
                        for line in doc.split('\n') {
                            doc_attr(&mut out, false, line);
                        }
                    }
                    None => out.extend([TokenTree::Punct(p)]),
                }
            }
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), put_back_tokens(g.stream(), docs));
                group.set_span(g.span());
                out.extend([TokenTree::Group(group)]);
            }
            other => out.extend([other]),
        }
    }
    out
}

/// The number of the placeholder in the tokens of an attribute, `doc = "\u{7f}vapi-doc:n"`.
fn aside_number(attr: &TokenStream) -> Option<usize> {
    let mut tokens = attr.clone().into_iter();
    match (tokens.next(), tokens.next(), tokens.next(), tokens.next()) {
        (
            Some(TokenTree::Ident(i)),
            Some(TokenTree::Punct(p)),
            Some(TokenTree::Literal(l)),
            None,
        ) if i == "doc" && p.as_char() == '=' => {
            let lit: syn::LitStr = syn::parse2(TokenTree::Literal(l).into()).ok()?;
            lit.value().strip_prefix(ASIDE_MARK)?.parse().ok()
        }
        _ => None,
    }
}

/// Appends `#[doc = "value"]` (`#![doc = …]` when `inner`), as `quote!` would, without its
/// intermediate streams.
fn doc_attr(tokens: &mut TokenStream, inner: bool, value: &str) {
    let mut attr = TokenStream::new();
    attr.extend([
        TokenTree::Ident(Ident::new("doc", Span::call_site())),
        TokenTree::Punct(Punct::new('=', Spacing::Alone)),
        TokenTree::Literal(doc_literal(value)),
    ]);
    tokens.extend([TokenTree::Punct(Punct::new('#', Spacing::Alone))]);
    if inner {
        tokens.extend([TokenTree::Punct(Punct::new('!', Spacing::Alone))]);
    }
    tokens.extend([TokenTree::Group(Group::new(Delimiter::Bracket, attr))]);
}

/// The string literal of a doc attribute's value. prettyplease prints a doc line as `///`
/// followed by the literal's value, so the value is all that counts there, and a raw literal
/// (`r"…"`, `r#"…"#`) is much cheaper than an escaped one: nothing to escape here, nothing for
/// syn to unescape when it reads the literal back. Where prettyplease would print the literal
/// itself (a value with a line break, or an outer doc starting with `/`) or a raw literal cannot
/// hold the value (a carriage return), the escaped literal is used, as before.
pub fn doc_literal(value: &str) -> Literal {
    if !FOR_SYN.with(Cell::get) || value.contains(['\n', '\r']) || value.starts_with('/') {
        return Literal::string(value);
    }
    // One `#` more than the longest run of `#` after a quote, so that no `"#…` ends it early.
    let hashes = value
        .match_indices('"')
        .map(|(i, _)| value[i + 1..].len() - value[i + 1..].trim_start_matches('#').len() + 1)
        .max()
        .unwrap_or(0);
    let mut repr = String::with_capacity(value.len() + 3 + 2 * hashes);
    repr.push('r');
    repr.extend(std::iter::repeat_n('#', hashes));
    repr.push('"');
    repr.push_str(value);
    repr.push('"');
    repr.extend(std::iter::repeat_n('#', hashes));
    repr.parse().unwrap_or_else(|_| Literal::string(value))
}

/// Escapes one line of prose outside its markup and `code spans`, and renders the markup.
fn escape_line(line: &str) -> String {
    render_markup(line, escape_prose, markdown)
}

/// Escapes one line of prose outside its `code spans`.
fn escape_prose(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_code = false;
    let mut rest = line;
    let mut at_start = true;
    while let Some(c) = rest.chars().next() {
        if in_code {
            // Up to and with the closing backtick, copied as it is.
            let end = rest.find('`').map_or(rest.len(), |i| i + 1);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            in_code = false;
            continue;
        }
        // A run of characters that need nothing (none starts an escape or a URL) is copied
        // at once; the bytes looked for are ASCII, so the run ends on a character boundary.
        let plain = rest
            .bytes()
            .position(|b| {
                matches!(
                    b,
                    b'`' | b'[' | b']' | b'<' | b'>' | b'*' | b'\\' | b'#' | b'h'
                )
            })
            .unwrap_or(rest.len());
        if plain > 0 {
            out.push_str(&rest[..plain]);
            rest = &rest[plain..];
            at_start = false;
            continue;
        }
        // An autolink the text wrote itself, `<https://…>`, stays as it is.
        if let Some(inner) = rest.strip_prefix('<')
            && (inner.starts_with("https://") || inner.starts_with("http://"))
            && let Some(end) = inner.find(|ch: char| ch == '>' || ch.is_whitespace() || ch == '<')
            && inner[end..].starts_with('>')
        {
            out.push_str(&rest[..end + 2]);
            rest = &rest[end + 2..];
            at_start = false;
            continue;
        }
        if rest.starts_with("https://") || rest.starts_with("http://") {
            let end = rest
                .find(|ch: char| ch.is_whitespace() || ch == '`' || ch == '<' || ch == '>')
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':', ')', '\'', '"']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            at_start = false;
            continue;
        }
        match c {
            '`' => {
                // A lone backtick would open a span that never closes; escape it instead.
                if rest[1..].contains('`') {
                    in_code = true;
                    out.push(c);
                } else {
                    out.push_str("\\`");
                }
            }
            '[' | ']' | '<' | '>' | '*' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if at_start => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        at_start = false;
        rest = &rest[c.len_utf8()..];
    }
    // `1. text` at the start of a line would become a numbered list starting elsewhere.
    if let Some(dot) = out.find(". ")
        && dot > 0
        && out[..dot].chars().all(|c| c.is_ascii_digit())
    {
        out.insert(dot, '\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_rustdoc_would_misread() {
        let table = [
            (
                "A list<string> of [ids].",
                "A list\\<string\\> of \\[ids\\].",
            ),
            (
                "See https://example.com/a_b.",
                "See <https://example.com/a_b>.",
            ),
            ("Use `list<T>` as is.", "Use `list<T>` as is."),
            (
                "<https://example.com/a> and <http://x.org/b>c",
                "<https://example.com/a> and <http://x.org/b>c",
            ),
            (
                "<https://example.com/a b>",
                "\\<<https://example.com/a> b\\>",
            ),
            ("(http://example.com/p).", "(<http://example.com/p>)."),
            ("*/ and /*", "\\*/ and /\\*"),
            ("<b>x</b> <script>", "\\<b\\>x\\</b\\> \\<script\\>"),
            ("[x]: https://e.com/y", "\\[x\\]: <https://e.com/y>"),
            ("größe 名前", "größe 名前"),
            ("a lone ` backtick", "a lone \\` backtick"),
            ("# not a heading", "\\# not a heading"),
            ("- a bullet", "- a bullet"),
            ("snake_case and *stars*", "snake_case and \\*stars\\*"),
            ("1. first", "1\\. first"),
        ];
        for (input, expected) in table {
            assert_eq!(escape_line(input), expected, "{input}");
        }
    }

    #[test]
    fn unindents_and_fences_code_as_text() {
        let doc =
            Doc::from_text("First paragraph\n    indented line\n\n\n```python\nx = [1]\n```\nlast");
        assert_eq!(
            doc.lines(),
            [
                "First paragraph",
                "indented line",
                "",
                "```text",
                "x = [1]",
                "```",
                "last"
            ]
        );
    }

    #[test]
    fn lines_after_a_bullet_continue_it_until_a_blank_line() {
        let doc = Doc::from_text("Kinds:\n- one\n  more of one\n- two\nstill two\n\nAfter.");
        assert_eq!(
            doc.lines(),
            [
                "Kinds:",
                "- one",
                "  more of one",
                "- two",
                "  still two",
                "",
                "After."
            ]
        );
    }

    #[test]
    fn markup_is_rendered_for_rust() {
        let doc = Doc::from_text(
            "If {@term unset}, {@term true} or {@term false}: see {@link File.Info}, \
             {@rust a::b FileInfo::size} and {@rust a::b File}; <{@x}>.",
        );
        let emitted = Arc::new(["a::b", "a::c"].map(String::from).into());
        let line = in_module(&["a".to_owned(), "b".to_owned()], emitted, || {
            in_submodule("file", || {
                Doc::from_text(
                    "{@rust a::b FileInfo::size} {@rust a::c Item} {@rust a::b File} \
                     {@rust a::d Gone}",
                )
            })
        });
        assert_eq!(
            doc.lines(),
            [
                "If `None`, `true` or `false`: see `File.Info`, [`FileInfo::size`](a::b::FileInfo::size) \
                 and [`File`](a::b::File); \\<{@x}\\>."
            ]
        );
        assert_eq!(
            line.lines(),
            [
                "[`FileInfo::size`](super::FileInfo::size) [`Item`](super::super::c::Item) [`File`](super::File) `Gone`"
            ]
        );
        assert_eq!(
            plain("{@rust a::b File} is {@term unset}; {@link X.y}"),
            "File is None; X.y"
        );
    }

    #[test]
    fn tilde_fences_and_nested_fences_are_text_too() {
        let doc = Doc::from_text("a\n~~~rust\nfn f() {}\n```\n~~~\n```no_run\nx\n```\nb");
        assert_eq!(
            doc.lines(),
            [
                "a",
                "```text",
                "fn f() {}",
                "` ``",
                "```",
                "```text",
                "x",
                "```",
                "b"
            ]
        );
        let unclosed = Doc::from_text("~~~\nx");
        assert_eq!(unclosed.lines(), ["```text", "x", "```"]);
    }

    #[test]
    fn renders_outer_and_inner_attributes() {
        let mut doc = Doc::from_text("Hello.");
        doc.paragraph("Added in vSphere API 7.0.");
        let expected: TokenStream =
            r##"#[doc = r" Hello."] #[doc = r""] #[doc = r" Added in vSphere API 7.0."]"##
                .parse()
                .unwrap();
        assert_eq!(doc.to_token_stream().to_string(), expected.to_string());
        assert!(
            doc.inner()
                .to_string()
                .starts_with("# ! [doc = r\" Hello.\"]")
        );
    }

    #[test]
    fn doc_literals_keep_their_value() {
        let table = [
            ("", r#"r"""#),
            (" plain", r#"r" plain""#),
            (r#" a "quote""#, r##"r#" a "quote""#"##),
            (" \"# and \"##", "r###\" \"# and \"##\"###"),
            (" a\rb", r#"" a\rb""#),
            (" two\nlines", r#"" two\nlines""#),
            ("/ leading slash", r#""/ leading slash""#),
        ];
        for (value, repr) in table {
            let literal = doc_literal(value);
            assert_eq!(literal.to_string(), repr, "{value:?}");
            let parsed: syn::LitStr = syn::parse2(literal.into_token_stream()).unwrap();
            assert_eq!(parsed.value(), value);
        }
        // Rust allows at most 255 `#` around a raw string: past that, the escaped literal.
        let many = format!(" \"{}", "#".repeat(300));
        assert_eq!(
            doc_literal(&many).to_string(),
            Literal::string(&many).to_string()
        );
    }
}
