//! Phase 1, parse: YAML text → a tree of [`Node`]s that remembers where every value stood.
//!
//! The IDL is read in two steps instead of one serde pass: serde stops at the first mismatch,
//! while a compiler must report every mistake of a file at once. So serde-saphyr only turns text
//! into this located tree (stopping only on YAML syntax errors), and [`crate::idl::decode`] walks the
//! tree by hand, collecting every unknown key, missing key and wrong kind.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Location, Options, Spanned};

use crate::diag::{Diagnostic, Pos};

/// One YAML value with the position it was written at.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value starts.
    pub pos: Pos,
    /// A scalar's length in bytes as written (quotes included), as the parser reports it; 0
    /// for a list or mapping.
    pub len: usize,
    /// What the value is.
    pub kind: NodeKind,
}

/// The shape of a YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// `~`, `null` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// Any string scalar, quoted or plain.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order, duplicates kept so that the decoder can report them.
    Map(Vec<(Node, Node)>),
}

impl NodeKind {
    /// How a diagnostic names this kind of value.
    pub fn describe(&self) -> &'static str {
        match self {
            NodeKind::Null => "nothing (null)",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) | NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }
}

fn pos_of(loc: &Location) -> Pos {
    Pos {
        line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
        col: u32::try_from(loc.column()).unwrap_or(u32::MAX),
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Wrapping every value in `Spanned` is what makes serde-saphyr record its position.
        let spanned = Spanned::<NodeKind>::deserialize(deserializer)?;
        let len = match spanned.value {
            NodeKind::Seq(_) | NodeKind::Map(_) => 0,
            _ => spanned.referenced.span().byte_len().unwrap_or(0),
        };
        Ok(Node {
            pos: pos_of(&spanned.referenced),
            len: usize::try_from(len).unwrap_or(0),
            kind: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for NodeKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = NodeKind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NodeKind, D::Error> {
        NodeKind::deserialize(d)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<NodeKind, E> {
        Ok(NodeKind::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeKind, E> {
        Ok(NodeKind::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeKind, E> {
        Ok(i64::try_from(v).map_or(NodeKind::Float(v as f64), NodeKind::Int))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NodeKind, E> {
        Ok(NodeKind::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeKind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(NodeKind::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeKind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(NodeKind::Map(entries))
    }
}

/// The deepest nesting an IDL file may have. The real IDL needs 8 levels; the limit keeps a
/// hostile file from exhausting the stack of the recursive tree walk. Each level costs the
/// deserializer about 40 KiB of stack in an unoptimised build (as build scripts run), so 24
/// levels stay within the 2 MiB of a spawned thread or a tokio worker.
pub const MAX_DEPTH: usize = 24;

/// The most YAML nodes one IDL file may have (the largest real file has a few thousand).
pub const MAX_NODES: usize = 1_000_000;

fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    let mut options = Options::default();
    options.budget = Some(budget);
    // Duplicate keys reach the decoder, which reports them with both places.
    options.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    // The message goes into our own diagnostic, which shows the location itself.
    options.with_snippet = false;
    options.strict_booleans = true;
    options
}

/// Parses one file's text into its located tree, or the one YAML syntax error that stopped it.
pub fn parse(file: &str, text: &str) -> Result<Node, Diagnostic> {
    serde_saphyr::from_str_with_options::<Node>(text, options()).map_err(|err| {
        let pos = err
            .location()
            .map(|l| pos_of(&l))
            .unwrap_or(Pos { line: 1, col: 1 });
        let message = message_of(&err.to_string());
        // The budget and the deserializer word their depth limits differently; name ours.
        let message = if message.contains("recursion limit") || message.contains("depth") {
            format!("the file nests deeper than {MAX_DEPTH} levels")
        } else {
            message
        };
        Diagnostic::error(file, pos, format!("invalid YAML: {message}"))
    })
}

/// Where each scalar of `text` (key or value) starts and how many bytes it spans, as the parser
/// reports them, for underlining exactly the value a diagnostic points at. Empty when `text` is
/// not valid YAML.
pub fn scalar_spans(text: &str) -> BTreeMap<Pos, usize> {
    fn walk(node: &Node, out: &mut BTreeMap<Pos, usize>) {
        match &node.kind {
            NodeKind::Seq(items) => items.iter().for_each(|n| walk(n, out)),
            NodeKind::Map(entries) => entries.iter().for_each(|(k, v)| {
                walk(k, out);
                walk(v, out);
            }),
            _ if node.len > 0 => {
                out.insert(node.pos, node.len);
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    if let Ok(root) = serde_saphyr::from_str_with_options::<Node>(text, options()) {
        walk(&root, &mut out);
    }
    out
}

/// The parser's message without the location prefix it adds (ours shows the location already).
fn message_of(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let message = match first
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((_, message)) => message,
        None => first,
    };
    // `unclosed quote at line 6, column 10`: the location is shown already.
    match message.rsplit_once(" at line ") {
        Some((head, tail))
            if tail
                .split_once(", column ")
                .is_some_and(|(l, c)| l.parse::<u64>().is_ok() && c.parse::<u64>().is_ok()) =>
        {
            head.to_owned()
        }
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_positions_of_keys_and_values() {
        let node = parse("a.yaml", "package: x\nlist:\n  - 1\n  - two\n").expect("valid YAML");
        let NodeKind::Map(entries) = node.kind else {
            panic!("expected a mapping, got {:?}", node.kind)
        };
        assert_eq!(entries[0].0.pos, Pos { line: 1, col: 1 });
        assert_eq!(entries[0].1.pos, Pos { line: 1, col: 10 });
        let NodeKind::Seq(items) = &entries[1].1.kind else {
            panic!("expected a list")
        };
        assert_eq!(items[1].kind, NodeKind::Str("two".into()));
        assert_eq!(items[1].pos, Pos { line: 4, col: 5 });
    }

    #[test]
    fn keeps_duplicate_keys_for_the_decoder() {
        let node = parse("a.yaml", "a: 1\na: 2\n").expect("valid YAML");
        let NodeKind::Map(entries) = node.kind else {
            panic!("expected a mapping")
        };
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn nesting_beyond_the_limit_is_an_error_not_a_stack_overflow() {
        for text in [
            format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
            format!("a: {}1{}\n", "{b: ".repeat(5_000), "}".repeat(5_000)),
            format!("{}x\n", "- ".repeat(200)),
            (0..200)
                .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
                .collect(),
        ] {
            let err = parse("a.yaml", &text).expect_err("too deep");
            assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
            assert!(
                err.message
                    .contains(&format!("deeper than {MAX_DEPTH} levels")),
                "{}",
                err.message
            );
        }
        // Just within the limit, on a test thread's 2 MiB stack.
        let n = MAX_DEPTH - 1;
        let seqs = format!("{}1{}\n", "[".repeat(n), "]".repeat(n));
        let maps = format!("{}1{}\n", "{b: ".repeat(n), "}".repeat(n));
        for ok in [seqs, maps] {
            assert!(parse("a.yaml", &ok).is_ok(), "within the limit: {ok}");
        }
    }

    #[test]
    fn syntax_error_is_located() {
        let err = parse("a.yaml", "a: [1, 2\nb: 3\n").expect_err("unterminated list");
        assert_eq!(err.file, "a.yaml");
        assert!(err.pos.line >= 1, "{err:?}");
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
    }
}
