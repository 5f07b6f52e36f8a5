//! Type expressions as written in `type:` (`optional<list<id(com.vmware.content.library.Item)>>`)
//! → [`TypeExpr`], each part located so errors point at the offending character.

use super::ast::{Primitive, S, TypeExpr};
use crate::diag::{Diagnostic, Pos};

/// Parses a type expression such as `optional<list<id(com.vmware.content.library.Item)>>`.
/// `start` is the position of its first character; errors point at the offending character.
pub fn parse_type(text: &str, start: Pos) -> Result<S<TypeExpr>, Diagnostic> {
    let mut p = TypeParser {
        chars: text.chars().collect(),
        at: 0,
        start,
    };
    let ty = p.ty(0)?;
    p.skip_ws();
    if p.at < p.chars.len() {
        return Err(p.error(format!("unexpected `{}` after the type", p.rest())));
    }
    Ok(ty)
}

/// Type expressions nest no deeper than this (`optional<list<map<string, list<…>>>>`).
const MAX_TYPE_DEPTH: usize = 16;

struct TypeParser {
    chars: Vec<char>,
    at: usize,
    start: Pos,
}

impl TypeParser {
    fn pos(&self) -> Pos {
        self.start.shifted(self.at)
    }

    fn error(&self, message: String) -> Diagnostic {
        Diagnostic::error("", self.pos(), message)
    }

    fn rest(&self) -> String {
        self.chars[self.at..].iter().collect()
    }

    fn skip_ws(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.chars.get(self.at) == Some(&c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char, context: &str) -> Result<(), Diagnostic> {
        if self.eat(c) {
            Ok(())
        } else {
            let found = match self.chars.get(self.at) {
                Some(f) => format!("`{f}`"),
                None => "the end of the type".to_owned(),
            };
            Err(self.error(format!("expected `{c}` {context}, found {found}")))
        }
    }

    /// A dotted name: `Foo`, `File.Info`, `com.vmware.vapi.std.LocalizableMessage`.
    fn name(&mut self) -> Result<S<String>, Diagnostic> {
        self.skip_ws();
        let pos = self.pos();
        let begin = self.at;
        while self
            .chars
            .get(self.at)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        {
            self.at += 1;
        }
        let name: String = self.chars[begin..self.at].iter().collect();
        if name.is_empty() {
            let found = match self.chars.get(self.at) {
                Some(f) => format!("`{f}`"),
                None => "the end of the type".to_owned(),
            };
            return Err(self.error(format!("expected a type name, found {found}")));
        }
        if name.starts_with('.') || name.ends_with('.') || name.contains("..") {
            return Err(Diagnostic::error(
                "",
                pos,
                format!("`{name}` is not a valid dotted name"),
            ));
        }
        Ok(S::new(name, pos))
    }

    fn ty(&mut self, depth: usize) -> Result<S<TypeExpr>, Diagnostic> {
        if depth > MAX_TYPE_DEPTH {
            return Err(self.error(format!(
                "the type nests deeper than {MAX_TYPE_DEPTH} levels"
            )));
        }
        let name = self.name()?;
        let pos = name.pos;
        let one = |p: &mut Self, what: &str| -> Result<Box<S<TypeExpr>>, Diagnostic> {
            p.expect('<', &format!("after `{what}`"))?;
            let inner = p.ty(depth + 1)?;
            p.expect('>', &format!("to close `{what}<`"))?;
            Ok(Box::new(inner))
        };
        let expr = match name.value.as_str() {
            "optional" => TypeExpr::Optional(one(self, "optional")?),
            "list" => TypeExpr::List(one(self, "list")?),
            "set" => TypeExpr::Set(one(self, "set")?),
            "map" => {
                self.expect('<', "after `map`")?;
                let key = self.ty(depth + 1)?;
                self.expect(',', "between the key and value types of `map`")?;
                let value = self.ty(depth + 1)?;
                self.expect('>', "to close `map<`")?;
                TypeExpr::Map(Box::new(key), Box::new(value))
            }
            "id" => {
                let mut resources = Vec::new();
                if self.eat('(') {
                    loop {
                        resources.push(self.name()?);
                        if self.eat(')') {
                            break;
                        }
                        self.expect(',', "or `)` in the resource types of `id(...)`")?;
                    }
                }
                TypeExpr::Id(resources)
            }
            other => match Primitive::ALL.iter().find(|(n, _)| *n == other) {
                Some((_, prim)) => TypeExpr::Primitive(*prim),
                None => {
                    self.skip_ws();
                    if self.chars.get(self.at) == Some(&'<') {
                        // `optinal<string>`: a misspelled constructor, not a named type.
                        const GENERIC: [&str; 4] = ["optional", "list", "set", "map"];
                        let mut d = Diagnostic::error(
                            "",
                            pos,
                            format!("unknown type constructor `{other}<…>`"),
                        );
                        d = d.with_suggestion_or(
                            other,
                            GENERIC,
                            "the generic types are optional, list, set and map",
                        );
                        return Err(d);
                    }
                    TypeExpr::Named(other.to_owned())
                }
            },
        };
        Ok(S::new(expr, pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<S<TypeExpr>, Diagnostic> {
        parse_type(text, Pos { line: 1, col: 1 })
    }

    #[test]
    fn parses_nested_type_expressions() {
        let ty =
            p("optional<map<string, list<id(com.vmware.content.library.Item)>>>").expect("valid");
        let TypeExpr::Optional(inner) = ty.value else {
            panic!("not optional")
        };
        let TypeExpr::Map(k, v) = inner.value else {
            panic!("not a map")
        };
        assert_eq!(k.value, TypeExpr::Primitive(Primitive::String));
        let TypeExpr::List(item) = v.value else {
            panic!("not a list")
        };
        let TypeExpr::Id(res) = item.value else {
            panic!("not an id")
        };
        assert_eq!(res[0].value, "com.vmware.content.library.Item");
        assert_eq!(res[0].pos.col, 30);
    }

    #[test]
    fn type_errors_point_at_the_character() {
        let table = [
            (
                "optional<string",
                16,
                "expected `>` to close `optional<`, found the end of the type",
            ),
            ("list string", 6, "expected `<` after `list`, found `s`"),
            (
                "map<string>",
                11,
                "expected `,` between the key and value types of `map`, found `>`",
            ),
            ("string>", 7, "unexpected `>` after the type"),
            ("File..Info", 1, "`File..Info` is not a valid dotted name"),
            ("", 1, "expected a type name, found the end of the type"),
        ];
        for (text, col, message) in table {
            let err = p(text).expect_err(text);
            assert_eq!(
                (err.pos.col, err.message.as_str()),
                (col, message),
                "{text}"
            );
        }
    }

    #[test]
    fn deep_types_are_refused() {
        let text = format!("{}string{}", "list<".repeat(40), ">".repeat(40));
        assert!(p(&text).expect_err("too deep").message.contains("deeper"));
    }
}
