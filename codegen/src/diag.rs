//! Diagnostics: what went wrong, where, and what might fix it.

use std::fmt;

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

/// All diagnostics of a run, in file and position order, one after another.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Sorts by file, then position, then message, and drops exact repeats, so that output is the
    /// same whatever order the checks ran in.
    pub fn sorted(mut list: Vec<Diagnostic>) -> Self {
        list.sort_by(|a, b| (&a.file, a.pos, &a.message).cmp(&(&b.file, b.pos, &b.message)));
        list.dedup();
        Diagnostics(list)
    }

    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many errors.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let n = self.0.len();
        write!(
            f,
            "error: the IDL has {n} error{}",
            if n == 1 { "" } else { "s" }
        )
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
