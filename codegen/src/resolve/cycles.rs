//! Structures that would contain themselves by value.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostic, Loc};
use crate::idl::ast::{self, TypeExpr};

use super::{Kind, Resolver, loc};

impl<'a> Resolver<'a, '_, '_> {
    /// Reports structures that contain themselves by value: `A { b: B }`, `B { a: optional<A> }`
    /// would be infinitely large. Lists, sets and maps break a cycle.
    pub(super) fn check_cycles(&mut self, files: &[ast::File]) {
        // Edges: structure → (field, target structure), for fields held by value.
        let mut edges: BTreeMap<String, Vec<(String, Loc, String)>> = BTreeMap::new();
        for file in files {
            for s in &file.structures {
                let from = format!("{}.{}", file.package.value, s.name.value);
                for f in &s.fields {
                    let target = match &f.ty.value {
                        TypeExpr::Named(n) => Some(n),
                        TypeExpr::Optional(inner) => match &inner.value {
                            TypeExpr::Named(n) => Some(n),
                            _ => None,
                        },
                        _ => None,
                    };
                    let Some(target) = target else { continue };
                    let Some((q, sym)) = self.lookup(&file.package.value, target) else {
                        continue;
                    };
                    if sym.kind == Kind::Structure {
                        edges.entry(from.clone()).or_default().push((
                            f.name.value.clone(),
                            loc(&file.path, f.name.pos),
                            q,
                        ));
                    }
                }
            }
        }
        let mut reported: BTreeSet<String> = BTreeSet::new();
        for start in edges.keys() {
            if reported.contains(start) {
                continue;
            }
            if let Some(cycle) = find_cycle(&edges, start) {
                let (_, at, _) = &cycle[0];
                let mut text = short(start).to_owned();
                for (field, _, to) in &cycle {
                    text.push_str(&format!(".{field} → {}", short(to)));
                }
                self.diags.push(
                    Diagnostic::at(
                        at,
                        format!("the structure `{}` contains itself: {text}", short(start)),
                    )
                    .with_help("an `optional<…>` field still holds its value inline; break the cycle with a `list<…>`, `set<…>` or `map<…>`"),
                );
                for (_, _, to) in cycle {
                    reported.insert(to);
                }
            }
        }
    }
}

/// The last segment of a qualified name, for messages.
fn short(qualified: &str) -> &str {
    qualified.rsplit('.').next().unwrap_or(qualified)
}

/// A path of by-value fields from `start` back to itself, if there is one (breadth first, so the
/// shortest).
fn find_cycle(
    edges: &BTreeMap<String, Vec<(String, Loc, String)>>,
    start: &str,
) -> Option<Vec<(String, Loc, String)>> {
    let mut prev: BTreeMap<String, (String, String, Loc)> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start.to_owned()]);
    let mut visited: BTreeSet<String> = BTreeSet::new();
    while let Some(node) = queue.pop_front() {
        for (field, at, to) in edges.get(&node).into_iter().flatten() {
            if to == start {
                let mut path = vec![(field.clone(), at.clone(), to.clone())];
                let mut cur = node.clone();
                while cur != start {
                    let (from, f, a) = prev.get(&cur)?.clone();
                    path.push((f, a, cur.clone()));
                    cur = from;
                }
                path.reverse();
                return Some(path);
            }
            if visited.insert(to.clone()) {
                prev.insert(to.clone(), (node.clone(), field.clone(), at.clone()));
                queue.push_back(to.clone());
            }
        }
    }
    None
}
