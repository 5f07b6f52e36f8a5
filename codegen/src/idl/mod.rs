//! The IDL front end: YAML files read into located trees, decoded into the AST.

pub mod ast;
pub mod decode;
pub mod load;
pub mod type_expr;
pub mod yaml;
