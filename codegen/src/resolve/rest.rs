//! The REST mapping of an operation: URL template, bindings of every parameter, body.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Pos};
use crate::idl::ast::{self, S};
use crate::ir::{Body, HttpMethod, Rest};
use crate::naming;

use super::{Resolver, loc};

impl<'a> Resolver<'a, '_, '_> {
    pub(super) fn rest(
        &mut self,
        path: &str,
        op: &ast::OperationDecl,
        r: &ast::RestDecl,
    ) -> Option<Rest> {
        let before = self.diags.len();
        let method = r.method.value;
        let param_names = || op.params.iter().map(|p| p.name.value.as_str());
        let mut bound: BTreeMap<String, Pos> = BTreeMap::new();
        let mut bind = |this: &mut Self, name: &S<String>| {
            if !op.params.iter().any(|p| p.name.value == name.value) {
                let mut d = Diagnostic::error(
                    path,
                    name.pos,
                    format!("`{}` has no parameter `{}`", op.name.value, name.value),
                );
                d = d.with_suggestion(&name.value, param_names());
                this.diags.push(d);
            } else if let Some(first) = bound.get(name.value.as_str()) {
                this.diags.push(
                    Diagnostic::error(
                        path,
                        name.pos,
                        format!("the parameter `{}` is bound twice", name.value),
                    )
                    .with_related(loc(path, *first), "first bound here"),
                );
            } else {
                bound.insert(name.value.clone(), name.pos);
            }
        };
        // Template variables, in order, with their offsets for locating errors.
        let mut vars: Vec<(String, usize)> = Vec::new();
        let text = &r.path.value;
        let mut rest = text.as_str();
        let mut base = 0;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                self.err(path, r.path.pos.shifted(base + open), "`{` is never closed");
                break;
            };
            let var = &rest[open + 1..open + close];
            if var.is_empty() || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                self.err(
                    path,
                    r.path.pos.shifted(base + open),
                    format!("`{{{var}}}` is not a URL variable"),
                );
            } else {
                vars.push((var.to_owned(), base + open + 1));
            }
            base += open + close + 1;
            rest = &rest[open + close + 1..];
        }
        if let Some(stray) = rest.find('}') {
            self.err(
                path,
                r.path.pos.shifted(base + stray),
                "`}` without `{` in the REST path",
            );
        }
        // Outside its variables a path is sent as written, and routers match the encoded form:
        // a character a client would percent-encode (`ö`, a space, `?`) could never match.
        let mut depth = 0usize;
        for (offset, c) in text.chars().enumerate() {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ if depth > 0 => {}
                c if c.is_ascii_alphanumeric() || "/-._~!$&'()*+,;=:@%".contains(c) => {}
                c => {
                    self.diags.push(
                        Diagnostic::error(
                            path,
                            // Past the opening quote, as for the variables above.
                            r.path.pos.shifted(offset + 1),
                            format!("`{c}` cannot be written as is in a REST path"),
                        )
                        .with_help(
                            "write the path in ASCII letters, digits and `/-._~`, percent-encoding anything else",
                        ),
                    );
                    break;
                }
            }
        }
        for (var, offset) in &vars {
            if !r.path_params.iter().any(|(k, _)| k.value == *var) {
                let mut d = Diagnostic::error(
                    path,
                    r.path.pos.shifted(*offset),
                    format!("the URL variable `{{{var}}}` is bound to no parameter"),
                );
                let snake = naming::value_name(var);
                d = match op.params.iter().find(|p| p.name.value == snake) {
                    Some(p) => {
                        d.with_help(format!("add `{var}: {}` under `path_params`", p.name.value))
                    }
                    None => d.with_help("add it under `path_params` with the parameter it carries"),
                };
                self.diags.push(d);
            }
        }
        for (var, param) in &r.path_params {
            if !vars.iter().any(|(v, _)| *v == var.value) {
                self.err(
                    path,
                    var.pos,
                    format!("the path has no variable `{{{}}}`", var.value),
                );
            }
            bind(self, param);
        }
        for (_, param) in r.query.iter().chain(&r.headers) {
            bind(self, param);
        }
        // Header names are HTTP tokens: a client could not send `X-Größe`, nor a router match it.
        for (header, _) in &r.headers {
            let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
            if header.value.is_empty() || !header.value.chars().all(token) {
                self.diags.push(
                    Diagnostic::error(
                        path,
                        header.pos,
                        format!("`{}` is not an HTTP header name", header.value),
                    )
                    .with_help("header names are ASCII letters, digits and ``!#$%&'*+-.^_`|~``"),
                );
            }
        }
        if let Some(body) = &r.body {
            bind(self, body);
            if matches!(method, HttpMethod::Get | HttpMethod::Delete) {
                self.err(
                    path,
                    body.pos,
                    format!("a {} request has no body", method.as_str()),
                );
            }
        }
        // After a binding error, "bound to nothing" would only repeat it in other words.
        let unbound: Vec<String> = if self.diags.len() > before {
            Vec::new()
        } else {
            op.params
                .iter()
                .filter(|p| !bound.contains_key(p.name.value.as_str()))
                .map(|p| p.name.value.clone())
                .collect()
        };
        let body = match (&r.body, method) {
            (Some(b), _) => {
                for p in &unbound {
                    self.diags.push(
                        Diagnostic::error(
                            path,
                            r.pos,
                            format!("the parameter `{p}` is not in the path, query, headers or body"),
                        )
                        .with_help(format!("bind `{p}` under `query` or `headers`, or drop `body` to send the parameters as a JSON object")),
                    );
                }
                Body::Param(b.value.clone())
            }
            (None, HttpMethod::Get | HttpMethod::Delete) => {
                for p in &unbound {
                    self.diags.push(
                        Diagnostic::error(
                            path,
                            r.pos,
                            format!(
                                "the parameter `{p}` of a {} request is bound to nothing",
                                method.as_str()
                            ),
                        )
                        .with_help(format!(
                            "bind `{p}` under `path_params`, `query` or `headers`"
                        )),
                    );
                }
                Body::None
            }
            (None, _) if unbound.is_empty() => Body::None,
            (None, _) => Body::Fields(unbound),
        };
        let pairs = |v: &Vec<(S<String>, S<String>)>| {
            v.iter()
                .map(|(k, p)| (k.value.clone(), p.value.clone()))
                .collect::<Vec<_>>()
        };
        let mut path_params = pairs(&r.path_params);
        path_params.sort_by_key(|(var, _)| vars.iter().position(|(v, _)| v == var));
        (self.diags.len() == before).then(|| Rest {
            method,
            path: r.path.value.clone(),
            action: r.action.as_ref().map(|a| a.value.clone()),
            path_params,
            query: pairs(&r.query),
            headers: pairs(&r.headers),
            body,
        })
    }
}
