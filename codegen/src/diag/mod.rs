//! Diagnostics: what went wrong, where, and what might fix it: [`Diagnostic`] is one mistake,
//! [`Diagnostics`] all of a phase, rendered as rustc renders its errors.

use std::fmt;

mod render;
mod span;

pub use render::{Color, Diagnostics};
pub use span::span_at;

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

    /// A mistake that is in no IDL file, such as a package asked for that no file declares:
    /// it is shown without a location and sorts before every located one.
    pub fn unlocated(message: impl Into<String>) -> Self {
        Self::error("", Pos::default(), message)
    }

    /// Whether the diagnostic points into a file (see [`unlocated`](Self::unlocated)).
    pub fn is_located(&self) -> bool {
        !self.file.is_empty()
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

    /// Adds "did you mean `…`?" for the candidate closest to `wrong`, if one is close enough.
    pub fn with_suggestion<'a>(
        self,
        wrong: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        match did_you_mean(wrong, candidates) {
            Some(best) => self.with_help(format!("did you mean `{best}`?")),
            None => self,
        }
    }

    /// As [`with_suggestion`](Self::with_suggestion), with `otherwise` as the help when no
    /// candidate is close.
    pub fn with_suggestion_or<'a>(
        self,
        wrong: &str,
        candidates: impl IntoIterator<Item = &'a str>,
        otherwise: impl Into<String>,
    ) -> Self {
        match did_you_mean(wrong, candidates) {
            Some(best) => self.with_help(format!("did you mean `{best}`?")),
            None => self.with_help(otherwise),
        }
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
        if self.is_located() {
            write!(f, "{}: ", self.loc())?;
        }
        write!(f, "error: {}", self.message)?;
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

/// The closest candidate to `wrong`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wrong_lower = wrong.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        // Optimal string alignment: swapping two neighbours is one edit, since `tpye` for
        // `type` is the commonest typo of all.
        let d = strsim::osa_distance(&wrong_lower, &cand.to_ascii_lowercase());
        // Allow about one typo per three characters, as rustc's `find_best_match_for_name` does.
        let limit = (wrong.chars().count().max(3)) / 3;
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

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

    #[test]
    fn a_scalar_is_underlined_as_the_parser_spans_it() {
        let text = "since: six point o  # no\ndoc: |\n  two\n  lines\n";
        let at = |line, col| Diagnostic::error("a.yaml", Pos { line, col }, "bad");
        let spans = BTreeMap::from([(Pos { line: 1, col: 8 }, 11), (Pos { line: 2, col: 6 }, 20)]);
        let diags = Diagnostics::sorted(vec![at(1, 8), at(2, 6)])
            .with_source("a.yaml", text)
            .with_spans("a.yaml", spans);
        let shown = diags.render(Color::Never);
        // The whole plain scalar, not its first word; a block scalar on its first line only.
        assert!(
            shown.contains("1 | since: six point o  # no\n  |        ^^^^^^^^^^^\n"),
            "{shown}"
        );
        assert!(shown.contains("2 | doc: |\n  |      ^\n"), "{shown}");
        // Without spans, the text decides: up to the next space.
        let plain = Diagnostics::sorted(vec![at(1, 8)]).with_source("a.yaml", text);
        assert!(plain.render(Color::Never).contains("|        ^^^\n"));
    }
}
