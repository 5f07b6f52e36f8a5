//! The IDL as written: one [`File`] per YAML file, mirroring its keys, every value located.
//!
//! Nothing here is resolved or knows Rust: references are still the strings the author wrote.

use crate::diag::Pos;
pub use crate::ir::{HttpMethod, IdlWord, InputRule, OperationKind, OutputRule, Primitive, Text};

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct S<T> {
    /// The value.
    pub value: T,
    /// Its position in the file.
    pub pos: Pos,
}

impl<T> S<T> {
    /// Pairs a value with its position.
    pub fn new(value: T, pos: Pos) -> Self {
        S { value, pos }
    }
}

/// A `since` version: rare, so boxed, to keep every declaration that may have one small.
pub type Since = Option<Box<S<String>>>;

/// One IDL file: one vAPI package.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// The path relative to the IDL root, with `/` separators.
    pub path: String,
    /// `package:`
    pub package: S<String>,
    /// `doc:`
    pub doc: S<Text>,
    /// `since:`
    pub since: Since,
    /// `resource_types:`
    pub resource_types: Vec<ResourceTypeDecl>,
    /// `enumerations:`
    pub enumerations: Vec<EnumDecl>,
    /// `structures:`
    pub structures: Vec<StructDecl>,
    /// `errors:`
    pub errors: Vec<StructDecl>,
    /// `services:`
    pub services: Vec<ServiceDecl>,
}

/// An entry of `resource_types:`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceTypeDecl {
    /// The simple name; the package is the file's.
    pub name: S<String>,
    /// Its documentation.
    pub doc: S<Text>,
}

/// An enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDecl {
    /// Its possibly dotted name.
    pub name: S<String>,
    /// Its documentation.
    pub doc: S<Text>,
    /// The version that added it.
    pub since: Since,
    /// Its values, in order.
    pub values: Vec<EnumValueDecl>,
}

/// A value of an enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValueDecl {
    /// The wire string.
    pub name: S<String>,
    /// Its documentation.
    pub doc: S<Text>,
    /// The version that added it.
    pub since: Since,
}

/// A structure or an error type.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDecl {
    /// Its possibly dotted name.
    pub name: S<String>,
    /// Its documentation.
    pub doc: S<Text>,
    /// The version that added it.
    pub since: Since,
    /// `extends:` (errors only): the error whose fields it inherits.
    pub extends: Option<S<String>>,
    /// Its own fields, in order.
    pub fields: Vec<FieldDecl>,
    /// Its unions.
    pub unions: Vec<UnionDecl>,
}

/// A field of a structure.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    /// The wire key.
    pub name: S<String>,
    /// Its type.
    pub ty: S<TypeExpr>,
    /// Its documentation.
    pub doc: S<Text>,
    /// The version that added it.
    pub since: Since,
    /// Its per-operation presence rules.
    pub presence: Option<Box<S<PresenceDecl>>>,
}

/// `presence:` of a field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PresenceDecl {
    /// `create:`
    pub create: Option<S<InputRule>>,
    /// `update:`
    pub update: Option<S<InputRule>>,
    /// `result:`
    pub result: Option<S<OutputRule>>,
}

/// A union of a structure.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionDecl {
    /// The discriminating field.
    pub tag: S<String>,
    /// The cases.
    pub cases: Vec<UnionCaseDecl>,
    /// Where the union starts.
    pub pos: Pos,
}

/// One case of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionCaseDecl {
    /// Tag values this case applies to.
    pub values: Vec<S<String>>,
    /// Fields that must be set.
    pub required: Vec<S<String>>,
    /// Fields that may be set.
    pub optional: Vec<S<String>>,
}

/// A service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDecl {
    /// Its name.
    pub name: S<String>,
    /// Its documentation.
    pub doc: S<Text>,
    /// The version that added it.
    pub since: Since,
    /// `resource_type:`, fully qualified.
    pub resource_type: Option<S<String>>,
    /// Its operations.
    pub operations: Vec<OperationDecl>,
}

/// An operation of a service.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationDecl {
    /// Its name.
    pub name: S<String>,
    /// What it does, if its name is one of vAPI's standard ones.
    pub kind: Option<OperationKind>,
    /// Its documentation.
    pub doc: S<Text>,
    /// The version that added it.
    pub since: Since,
    /// Its parameters.
    pub params: Vec<ParamDecl>,
    /// Its result, if it returns anything.
    pub result: Option<ResultDecl>,
    /// The errors it documents.
    pub errors: Vec<ErrorRefDecl>,
    /// The privileges it requires.
    pub privileges: Vec<PrivilegeDecl>,
    /// Its REST mapping.
    pub rest: Option<RestDecl>,
}

/// A parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDecl {
    /// Its name.
    pub name: S<String>,
    /// Its type.
    pub ty: S<TypeExpr>,
    /// Its documentation.
    pub doc: S<Text>,
    /// The version that added it.
    pub since: Since,
}

/// The result of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultDecl {
    /// Its type.
    pub ty: S<TypeExpr>,
    /// Its documentation.
    pub doc: S<Text>,
}

/// A documented error of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRefDecl {
    /// The error type referenced.
    pub error: S<String>,
    /// The documented condition.
    pub when: S<Text>,
    /// The version that added the error to the operation.
    pub since: Since,
}

/// A privilege entry of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct PrivilegeDecl {
    /// The privileges required.
    pub privileges: Vec<S<String>>,
    /// The resource type they apply to, if not to the method.
    pub resource: Option<S<String>>,
    /// The parameter (or `param.field`) that references the resource.
    pub param: Option<S<String>>,
    /// Where the entry starts.
    pub pos: Pos,
}

/// The REST mapping of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct RestDecl {
    /// The HTTP method.
    pub method: S<HttpMethod>,
    /// The URL template.
    pub path: S<String>,
    /// The `?action=` value.
    pub action: Option<S<String>>,
    /// URL variable → parameter.
    pub path_params: Vec<(S<String>, S<String>)>,
    /// Query parameter → parameter.
    pub query: Vec<(S<String>, S<String>)>,
    /// Header → parameter.
    pub headers: Vec<(S<String>, S<String>)>,
    /// The body parameter.
    pub body: Option<S<String>>,
    /// Where the mapping starts.
    pub pos: Pos,
}

/// A type as written, parsed from its string form; positions point into that string.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    /// `string`, `long`, …
    Primitive(Primitive),
    /// `id` or `id(A, B)`.
    Id(Vec<S<String>>),
    /// `optional<T>`
    Optional(Box<S<TypeExpr>>),
    /// `list<T>`
    List(Box<S<TypeExpr>>),
    /// `set<T>`
    Set(Box<S<TypeExpr>>),
    /// `map<K, V>`
    Map(Box<S<TypeExpr>>, Box<S<TypeExpr>>),
    /// A reference to a structure or enumeration.
    Named(String),
}
