//! Where to underline: the span of the YAML value a diagnostic points at, found from the text
//! where the parser gives none.

use super::Pos;

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
