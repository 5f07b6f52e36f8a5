//! Diagnostics: what went wrong, where, and what might fix it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Element, Group, Level, Origin, Renderer, Snippet};

/// A 1-based line and column (in characters) in an IDL file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub col: u32,
}

impl Pos {
    /// The position `chars` characters to the right on the same line (for spans inside a scalar,
    /// such as one part of a type expression).
    pub fn shifted(self, chars: usize) -> Pos {
        Pos {
            line: self.line,
            col: self
                .col
                .saturating_add(u32::try_from(chars).unwrap_or(u32::MAX)),
        }
    }
}

/// A place in an IDL file: the file as given to the loader (relative to the IDL root) and a
/// position in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    /// The file, relative to the IDL directory, with `/` separators.
    pub file: String,
    /// The position in it.
    pub pos: Pos,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.pos.line, self.pos.col)
    }
}

/// One error in the IDL, located at its `file:line:col`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, relative to the IDL directory.
    pub file: String,
    /// Where in the file.
    pub pos: Pos,
    /// What is wrong, as one sentence without a final period.
    pub message: String,
    /// A suggestion, such as a did-you-mean.
    pub help: Option<String>,
    /// Another place that takes part in the error (the first definition of a duplicate).
    pub related: Option<Box<(Loc, String)>>,
}

impl Diagnostic {
    /// An error at `file:pos`.
    pub fn error(file: &str, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_owned(),
            pos,
            message: message.into(),
            help: None,
            related: None,
        }
    }

    /// An error at `loc`.
    pub fn at(loc: &Loc, message: impl Into<String>) -> Self {
        Self::error(&loc.file, loc.pos, message)
    }

    /// Adds a `help:` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a `note:` pointing at another place.
    pub fn with_related(mut self, loc: Loc, note: impl Into<String>) -> Self {
        self.related = Some(Box::new((loc, note.into())));
        self
    }

    /// Where the error is.
    pub fn loc(&self) -> Loc {
        Loc {
            file: self.file.clone(),
            pos: self.pos,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: error: {}", self.loc(), self.message)?;
        if let Some(related) = &self.related {
            let (loc, note) = &**related;
            write!(f, "\n  --> {loc}: note: {note}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

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
    list: Vec<Diagnostic>,
    sources: BTreeMap<String, Arc<str>>,
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
        }
    }

    /// Keeps the text of `file` for rendering, if a diagnostic points into it; text of other
    /// files is not kept.
    pub fn with_source(mut self, file: &str, text: &str) -> Self {
        let wanted = self
            .list
            .iter()
            .any(|d| d.file == file || d.related.as_ref().is_some_and(|r| r.0.file == file));
        if wanted {
            self.sources.insert(file.to_owned(), Arc::from(text));
        }
        self
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
                    .annotation(AnnotationKind::Primary.span(span_at(text, d.pos)));
                if let Some((loc, note)) = related
                    && loc.file == d.file
                {
                    snippet = snippet.annotation(
                        AnnotationKind::Context
                            .span(span_at(text, loc.pos))
                            .label(note.as_str()),
                    );
                }
                elements.push(snippet.into());
            }
            None => elements.push(origin(&d.file, d.pos).into()),
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
                                .span(span_at(text, loc.pos))
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

/// The byte range to underline for a diagnostic at `pos` in `text`: the YAML value that starts
/// there. Diagnostics carry only a start, and every value the IDL has is one token on one line
/// (a name, a quoted string, a type expression part, a flow collection), so the span is found
/// from the text: a quoted string up to its closing quote, a flow collection or URL variable
/// up to its closing bracket, anything else up to the next space or YAML indicator. A position
/// past the end of its line (or of the file) gets an empty span at the line's end.
pub fn span_at(text: &str, pos: Pos) -> std::ops::Range<usize> {
    let mut line_start = 0;
    for _ in 1..pos.line {
        match text[line_start..].find('\n') {
            Some(nl) => line_start += nl + 1,
            None => return text.len()..text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |nl| line_start + nl);
    let line = &text[line_start..line_end];
    let line = line.strip_suffix('\r').unwrap_or(line);
    let col = pos.col.saturating_sub(1) as usize;
    let Some((begin, first)) = line.char_indices().nth(col) else {
        let end = line_start + line.len();
        return end..end;
    };
    let rest = &line[begin..];
    // A quote right after a value's text closes it (an error at the end of a quoted type
    // expression): underline that quote alone, not what follows it.
    let closes = line[..begin]
        .chars()
        .next_back()
        .is_some_and(|c| !c.is_whitespace() && !matches!(c, ':' | '[' | '{' | ',' | '-'));
    let len = match first {
        '"' | '\'' if closes => 1,
        '"' | '\'' => closing_quote(rest, first),
        '{' | '[' => closing_bracket(rest),
        _ => rest
            .char_indices()
            .find(|&(i, c)| {
                c.is_whitespace()
                    || matches!(
                        c,
                        ',' | '[' | ']' | '{' | '}' | '<' | '>' | '(' | ')' | '#' | '"' | '\''
                    )
                    || (c == ':'
                        && (rest[i + 1..].is_empty() || rest[i + 1..].starts_with([' ', '\t'])))
            })
            .map_or(rest.len(), |(i, _)| i),
    };
    let begin = line_start + begin;
    begin..begin + len.max(first.len_utf8())
}

/// The length of a quoted scalar starting at `rest`, closing quote included (the whole rest of
/// the line when it does not close there).
fn closing_quote(rest: &str, quote: char) -> usize {
    let mut chars = rest.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if quote == '"' && c == '\\' {
            chars.next();
        } else if c == quote {
            // `''` is an escaped quote inside a single-quoted scalar.
            if quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                chars.next();
                continue;
            }
            return i + 1;
        }
    }
    rest.len()
}

/// The length of a bracketed flow collection or `{variable}` starting at `rest`, up to the
/// bracket that closes it on the same line (the whole rest of the line when none does).
fn closing_bracket(rest: &str) -> usize {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    rest.len()
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Color::Never))
    }
}

impl std::error::Error for Diagnostics {}

/// The closest candidate to `wrong`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wrong_lower = wrong.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        let d = edit_distance(&wrong_lower, &cand.to_ascii_lowercase());
        // Allow about one typo per three characters, as rustc's `find_best_match_for_name` does.
        let limit = (wrong.chars().count().max(3)) / 3;
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance in characters where swapping two neighbours counts as one edit (optimal string
/// alignment), since `tpye` for `type` is the commonest typo of all.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["optional", "type", "doc", "since"];
        assert_eq!(did_you_mean("optinal", keys), Some("optional"));
        assert_eq!(did_you_mean("tpye", keys), Some("type"));
        assert_eq!(did_you_mean("Doc", keys), Some("doc"));
        assert_eq!(did_you_mean("wholly_different", keys), None);
    }

    #[test]
    fn spans_cover_the_value_at_a_position() {
        let text = "a: plain value\nb: \"quoted, with: colon\" # c\nc: { k: v, m: [1] }\nd: 'it''s'\nkey: x\ne: \"list<Thng>\"\n";
        let at = |line, col| {
            let r = span_at(text, Pos { line, col });
            &text[r]
        };
        let table = [
            ((1, 4), "plain"),
            ((1, 1), "a"),
            ((2, 4), "\"quoted, with: colon\""),
            ((3, 4), "{ k: v, m: [1] }"),
            ((3, 15), "[1]"),
            ((3, 6), "k"),
            ((4, 4), "'it''s'"),
            ((5, 1), "key"),
            ((6, 10), "Thng"),
            ((6, 15), "\""),
        ];
        for ((line, col), want) in table {
            assert_eq!(at(line, col), want, "at {line}:{col}");
        }
        // Past the end of a line or of the file: an empty span at the line's (file's) end.
        assert_eq!(span_at(text, Pos { line: 1, col: 40 }), 14..14);
        assert_eq!(
            span_at(text, Pos { line: 99, col: 1 }),
            text.len()..text.len()
        );
        assert_eq!(span_at("", Pos { line: 1, col: 1 }), 0..0);
        // Columns count characters, not bytes.
        assert_eq!(
            &"ä: größe x"[span_at("ä: größe x", Pos { line: 1, col: 4 })],
            "größe"
        );
    }

    #[test]
    fn renders_snippets_notes_in_other_files_and_a_count() {
        let diags = Diagnostics::sorted(vec![
            Diagnostic::error("b.yaml", Pos { line: 2, col: 9 }, "`X` is defined twice")
                .with_related(
                    Loc {
                        file: "a.yaml".into(),
                        pos: Pos { line: 1, col: 7 },
                    },
                    "first defined here",
                ),
            Diagnostic::error("unseen.yaml", Pos { line: 4, col: 2 }, "no text kept"),
        ])
        .with_source("a.yaml", "name: X\n")
        .with_source("b.yaml", "doc: B.\nname:   X\n")
        .with_source("other.yaml", "not pointed into\n");
        assert_eq!(
            diags.sources.len(),
            2,
            "only files that are pointed into are kept"
        );
        assert_eq!(
            diags.render(Color::Never),
            "\
error: `X` is defined twice
 --> b.yaml:2:9
  |
2 | name:   X
  |         ^
  |
 ::: a.yaml:1:7
  |
1 | name: X
  |       - first defined here

error: no text kept
--> unseen.yaml:4:2

error: the IDL has 2 errors"
        );
        let styled = diags.render(Color::Always);
        assert!(styled.contains("\x1b["), "{styled}");
        assert!(!styled.contains("\x1b]8;"), "no hyperlinks: {styled}");
    }

    #[test]
    fn renders_location_help_and_note() {
        let d = Diagnostic::error("a/b.yaml", Pos { line: 3, col: 7 }, "unknown key `optinal`")
            .with_help("did you mean `optional`?")
            .with_related(
                Loc {
                    file: "a/b.yaml".into(),
                    pos: Pos { line: 1, col: 1 },
                },
                "first defined here",
            );
        assert_eq!(
            d.to_string(),
            "a/b.yaml:3:7: error: unknown key `optinal`\n  --> a/b.yaml:1:1: note: first defined here\n  = help: did you mean `optional`?"
        );
    }
}
