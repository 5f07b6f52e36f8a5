//! Rendering: every diagnostic with the offending line and a caret under the value, as
//! rustc's own renderer (annotate-snippets) shows errors.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Element, Group, Level, Origin, Renderer, Snippet};

use super::{Diagnostic, Pos, span_at};

/// Whether rendered diagnostics use terminal colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Color {
    /// Plain text: for files, pipes, build scripts and snapshots.
    #[default]
    Never,
    /// ANSI colours, as rustc uses them on a terminal.
    Always,
}

impl Color {
    /// Colours when `stream` is a terminal and `NO_COLOR` is unset or empty (<https://no-color.org>).
    pub fn auto(stream: &impl std::io::IsTerminal) -> Color {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if stream.is_terminal() && !no_color {
            Color::Always
        } else {
            Color::Never
        }
    }
}

/// All diagnostics of a run, in file and position order, with the text of the files they point
/// into so that they render with the offending line and a caret under it, as rustc's do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics {
    pub(super) list: Vec<Diagnostic>,
    pub(super) sources: BTreeMap<String, Arc<str>>,
    /// Per file: where each scalar starts → its length in bytes, as the YAML parser reported.
    spans: BTreeMap<String, BTreeMap<Pos, usize>>,
}

impl Diagnostics {
    /// Sorts by file, then position, then message, and drops exact repeats, so that output is the
    /// same whatever order the checks ran in.
    pub fn sorted(mut list: Vec<Diagnostic>) -> Self {
        list.sort_by(|a, b| (&a.file, a.pos, &a.message).cmp(&(&b.file, b.pos, &b.message)));
        list.dedup();
        Diagnostics {
            list,
            sources: BTreeMap::new(),
            spans: BTreeMap::new(),
        }
    }

    /// Whether a diagnostic (or the place it relates to) is in `file`.
    pub fn points_into(&self, file: &str) -> bool {
        self.list
            .iter()
            .any(|d| d.file == file || d.related.as_ref().is_some_and(|r| r.0.file == file))
    }

    /// Keeps the text of `file` for rendering, if a diagnostic points into it; text of other
    /// files is not kept.
    pub fn with_source(mut self, file: &str, text: &str) -> Self {
        if self.points_into(file) {
            self.sources.insert(file.to_owned(), Arc::from(text));
        }
        self
    }

    /// Keeps the spans of the scalars of `file` (start → length in bytes, as the YAML parser
    /// reports them), so that a diagnostic at the start of a scalar underlines exactly it. A
    /// diagnostic elsewhere (inside a type expression, on a mapping) gets its span from the
    /// text, as [`span_at`] finds it.
    pub fn with_spans(mut self, file: &str, spans: BTreeMap<Pos, usize>) -> Self {
        if self.points_into(file) {
            self.spans.insert(file.to_owned(), spans);
        }
        self
    }

    /// The byte range to underline at `pos` in `file`, whose text is `text`.
    fn span(&self, file: &str, text: &str, pos: Pos) -> std::ops::Range<usize> {
        let found = span_at(text, pos);
        let Some(len) = self.spans.get(file).and_then(|s| s.get(&pos)) else {
            return found;
        };
        // One line only, as for every other diagnostic (a block scalar spans several).
        let line_end = text[found.start..]
            .find(['\r', '\n'])
            .map_or(text.len(), |nl| found.start + nl);
        let end = (found.start + len).min(line_end);
        match text.get(found.start..end) {
            Some(value) if !value.is_empty() => found.start..end,
            _ => found,
        }
    }

    /// The diagnostics, in order.
    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.list
    }

    /// The diagnostics, in order, without the file texts.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.list
    }

    /// Iterates over the diagnostics in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.list.iter()
    }

    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many errors.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Renders every diagnostic as rustc would: the message, `--> file:line:col`, the offending
    /// line with a caret under the offending value, notes at related places and `= help:` lines,
    /// then a count. A diagnostic whose file text is unknown is rendered without a snippet.
    ///
    /// ```
    /// use vapi_codegen::diag::{Color, Diagnostic, Diagnostics, Pos};
    ///
    /// let text = "package: com.vmware.a\ndoc: A.\nsince: six\n";
    /// let diags = Diagnostics::sorted(vec![
    ///     Diagnostic::error("com/vmware/a.yaml", Pos { line: 3, col: 8 }, "`six` is not a version")
    ///         .with_help("write it as `\"6.0\"`"),
    /// ])
    /// .with_source("com/vmware/a.yaml", text);
    /// let shown = diags.render(Color::Never);
    /// assert!(shown.starts_with("error: `six` is not a version\n --> com/vmware/a.yaml:3:8\n"));
    /// assert!(shown.contains("3 | since: six\n  |        ^^^"));
    /// assert!(shown.ends_with("error: the IDL has 1 error"));
    /// ```
    pub fn render(&self, color: Color) -> String {
        let renderer = match color {
            Color::Never => Renderer::plain(),
            // No OSC 8 hyperlinks: paths are relative to the IDL root, not to the terminal.
            Color::Always => Renderer::styled().hyperlink(false),
        };
        let mut out = String::new();
        for d in &self.list {
            out.push_str(&renderer.render(&[self.group(d)]));
            out.push_str("\n\n");
        }
        let n = self.list.len();
        let summary = format!("the IDL has {n} error{}", if n == 1 { "" } else { "s" });
        out.push_str(&renderer.render(&[Group::with_title(Level::ERROR.primary_title(summary))]));
        out
    }

    fn group<'a>(&'a self, d: &'a Diagnostic) -> Group<'a> {
        let title = Level::ERROR.primary_title(d.message.as_str());
        let related = d.related.as_deref();
        let mut elements: Vec<Element<'a>> = Vec::new();
        match self.sources.get(&d.file) {
            Some(text) => {
                let mut snippet = Snippet::source(&**text)
                    .path(d.file.as_str())
                    .annotation(AnnotationKind::Primary.span(self.span(&d.file, text, d.pos)));
                if let Some((loc, note)) = related
                    && loc.file == d.file
                {
                    snippet = snippet.annotation(
                        AnnotationKind::Context
                            .span(self.span(&loc.file, text, loc.pos))
                            .label(note.as_str()),
                    );
                }
                elements.push(snippet.into());
            }
            None if d.is_located() => elements.push(origin(&d.file, d.pos).into()),
            None => {}
        }
        if let Some((loc, note)) = related
            && loc.file != d.file
        {
            match self.sources.get(&loc.file) {
                Some(text) => elements.push(
                    Snippet::source(&**text)
                        .path(loc.file.as_str())
                        .annotation(
                            AnnotationKind::Context
                                .span(self.span(&loc.file, text, loc.pos))
                                .label(note.as_str()),
                        )
                        .into(),
                ),
                None => elements.push(Level::NOTE.message(format!("{note}: {loc}")).into()),
            }
        }
        if let Some(help) = &d.help {
            elements.push(Level::HELP.message(help.as_str()).into());
        }
        title.elements(elements)
    }
}

fn origin(file: &str, pos: Pos) -> Origin<'_> {
    Origin::path(file)
        .line(pos.line as usize)
        .char_column(pos.col as usize)
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Color::Never))
    }
}

impl std::error::Error for Diagnostics {}
