//! The resolved model: every reference checked and pointing at its target, every element carrying
//! its wire name and its Rust name side by side. It knows no YAML and no tokens; the emitters
//! read only this.

use std::sync::Arc;

/// A name as it travels on the wire (and in the IDL) beside the Rust identifier made from it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Name {
    /// As written in the IDL: `DownloadSessionModel.State`, `keep_alive`, `ACTIVE`, `type`.
    pub wire: String,
    /// The Rust identifier: `DownloadSessionModelState`, `keep_alive`, `Active`, `r#type`.
    pub rust: String,
}

/// Doc text, shared rather than copied: the decoded file and the model hold the same text, and
/// so do an error's fields and the fields an error inherits from it. Doc text is most of an
/// IDL, so a copy of it was most of the memory the loader held at its peak.
pub type Text = Arc<str>;

/// Documentation and the version that added the element.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Docs {
    /// The documentation text as written.
    pub text: Text,
    /// The vSphere API version that added the element, if documented.
    pub since: Option<String>,
}

/// All packages, ordered by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Model {
    /// The packages, ordered by name.
    pub packages: Vec<Package>,
}

impl Model {
    /// The package called `name`.
    ///
    /// A binary search, since the packages are ordered by name (the emitter looks packages up
    /// once per reference, which a linear scan made quadratic in the size of the IDL); a model
    /// built out of order by hand still finds its packages through the linear fallback.
    pub fn package(&self, name: &str) -> Option<&Package> {
        let at = self.packages.partition_point(|p| p.name.as_str() < name);
        match self.packages.get(at) {
            Some(p) if p.name == name => Some(p),
            _ => self.packages.iter().find(|p| p.name == name),
        }
    }
}

/// A vAPI package: one generated module.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// `com.vmware.content.library.item`
    pub name: String,
    /// `["content", "library", "item"]`
    pub module_path: Vec<String>,
    /// The IDL file it came from, relative to the IDL root.
    pub file: String,
    /// Its documentation.
    pub docs: Docs,
    /// The resource types it owns, ordered by name.
    pub resource_types: Vec<ResourceType>,
    /// Its enumerations, in IDL order.
    pub enumerations: Vec<Enumeration>,
    /// Its structures, in IDL order.
    pub structures: Vec<Structure>,
    /// Its error types, in IDL order.
    pub errors: Vec<Structure>,
    /// Its services, in IDL order.
    pub services: Vec<Service>,
}

/// A resource type, whose identifiers become a newtype.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    /// `com.vmware.content.library.Item` and `ItemId`.
    pub name: Name,
    /// Its documentation.
    pub docs: Docs,
}

/// A reference to a named type: the package that declares it and its names there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TypeRef {
    /// The declaring package (shared by every reference to its types).
    pub package: Text,
    /// The type's names.
    pub name: Name,
}

impl TypeRef {
    /// The fully qualified vAPI name: `com.vmware.content.library.item.File.Info`.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.package, self.name.wire)
    }
}

/// A type.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// A built-in scalar.
    Primitive(Primitive),
    /// An identifier.
    Id(Box<IdType>),
    /// May be unset.
    Optional(Box<Type>),
    /// Ordered elements.
    List(Box<Type>),
    /// Unique elements.
    Set(Box<Type>),
    /// Keys to values.
    Map(Box<Type>, Box<Type>),
    /// A structure.
    Structure(Arc<TypeRef>),
    /// An enumeration.
    Enumeration(Arc<TypeRef>),
}

impl Type {
    /// Whether the type is `optional<…>`.
    pub fn is_optional(&self) -> bool {
        matches!(self, Type::Optional(_))
    }

    /// The type inside `optional<…>`, or the type itself.
    pub fn required(&self) -> &Type {
        match self {
            Type::Optional(inner) => inner,
            other => other,
        }
    }
}

/// The identifier kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum IdType {
    /// An identifier of one resource type: a newtype declared in `package`.
    Resource {
        /// The package owning the resource type.
        package: Text,
        /// The resource type and its newtype.
        name: Name,
    },
    /// An identifier of no particular or several resource types; the latter are kept for docs.
    General(Vec<String>),
}

/// An enumeration of the IDL's fixed words (a primitive type, an HTTP method, a presence rule,
/// an operation kind), as the `idl_words!` macro of this module declares them.
pub trait IdlWord: Copy + 'static {
    /// Every value with its IDL spelling, in declaration order.
    fn all() -> &'static [(&'static str, Self)];
}

/// Declares an enumeration of the IDL's fixed words with its spelling, once: the enum,
/// `ALL` (every value with its spelling, in order), `as_str` and `from_idl`.
macro_rules! idl_words {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every value with its IDL spelling, in declaration order.
            pub const ALL: [(&'static str, $name); [$($text),*].len()] =
                [$(($text, $name::$variant)),*];

            /// The value as the IDL spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The value spelled `text` in the IDL, if any.
            pub fn from_idl(text: &str) -> Option<$name> {
                Self::ALL.iter().find(|(t, _)| *t == text).map(|(_, v)| *v)
            }

            /// The spellings, in declaration order (for "expected one of" and did-you-mean).
            pub fn spellings() -> impl Iterator<Item = &'static str> {
                Self::ALL.iter().map(|(t, _)| *t)
            }
        }

        impl IdlWord for $name {
            fn all() -> &'static [(&'static str, $name)] {
                &Self::ALL
            }
        }
    };
}

idl_words! {
    /// The built-in scalar types.
    pub enum Primitive {
        /// Text.
        String = "string",
        /// A 64-bit signed integer.
        Long = "long",
        /// A 64-bit float.
        Double = "double",
        /// A boolean.
        Boolean = "boolean",
        /// An instant in UTC.
        DateTime = "datetime",
        /// A URI.
        Uri = "uri",
        /// Bytes, base64 on the wire.
        Binary = "binary",
        /// A secret string.
        Secret = "secret",
        /// Any structure, as JSON.
        DynamicStructure = "dynamic_structure",
    }
}

/// An open enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct Enumeration {
    /// `DownloadSessionModel.State` / `DownloadSessionModelState`.
    pub name: Name,
    /// Its documentation.
    pub docs: Docs,
    /// Its documented values.
    pub values: Vec<EnumValue>,
    /// The variant that keeps any other value (`Unknown`, unless a value took that name).
    pub unknown_variant: String,
}

/// A documented value of an enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    /// `ACTIVE` / `Active`.
    pub name: Name,
    /// Its documentation.
    pub docs: Docs,
}

/// A structure or an error type.
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    /// `File.Info` / `FileInfo`.
    pub name: Name,
    /// Its documentation.
    pub docs: Docs,
    /// All fields, inherited ones (of errors) first.
    pub fields: Vec<Field>,
    /// Its unions.
    pub unions: Vec<Union>,
    /// For an error type, the error it extends.
    pub extends: Option<Arc<TypeRef>>,
}

/// A field of a structure.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// `type` / `r#type`.
    pub name: Name,
    /// Its type.
    pub ty: Type,
    /// Its documentation.
    pub docs: Docs,
    /// Its per-operation presence rules.
    pub presence: Option<Presence>,
}

/// The documented presence of a field for the create and update operations and in results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Presence {
    /// For create.
    pub create: Option<InputRule>,
    /// For update.
    pub update: Option<InputRule>,
    /// In the results of get and list.
    pub result: Option<OutputRule>,
}

impl Presence {
    /// The rule for the inputs of an operation of `kind`: only create and update have one.
    pub fn input(&self, kind: OperationKind) -> Option<InputRule> {
        match kind {
            OperationKind::Create => self.create,
            OperationKind::Update => self.update,
            _ => None,
        }
    }
}

idl_words! {
    /// How an input operation treats a field (`presence: { create: …, update: … }`).
    pub enum InputRule {
        /// Must be set.
        Required = "required",
        /// May be set.
        Optional = "optional",
        /// Must not be set.
        Unused = "unused",
    }
}

idl_words! {
    /// Whether results carry a field (`presence: { result: … }`).
    pub enum OutputRule {
        /// Always set.
        Always = "always",
        /// Sometimes set.
        Optional = "optional",
        /// Never set.
        Absent = "absent",
    }
}

idl_words! {
    /// What an operation does, as vAPI's standard operation names say. Presence rules apply to
    /// the inputs of [`Create`](Self::Create) and [`Update`](Self::Update) and to the results of
    /// [`Get`](Self::Get) and [`List`](Self::List).
    pub enum OperationKind {
        /// `create`: makes a resource.
        Create = "create",
        /// `get`: reads one resource.
        Get = "get",
        /// `list`: reads many.
        List = "list",
        /// `update`: changes a resource.
        Update = "update",
        /// `delete`: removes a resource.
        Delete = "delete",
    }
}

/// Fields whose presence depends on the value of an enumeration field.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// The wire name of the tag field.
    pub tag: String,
    /// The cases.
    pub cases: Vec<UnionCase>,
}

/// One case of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionCase {
    /// The tag values (wire strings).
    pub values: Vec<String>,
    /// Wire names of the fields that must be set.
    pub required: Vec<String>,
    /// Wire names of the fields that may be set.
    pub optional: Vec<String>,
}

/// A service: one trait.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// `DownloadSession`.
    pub name: Name,
    /// The module of its metadata and error types (`download_session`).
    pub module: String,
    /// Its documentation.
    pub docs: Docs,
    /// Its resource type, fully qualified.
    pub resource_type: Option<String>,
    /// Its operations.
    pub operations: Vec<Operation>,
}

/// An operation: one trait method.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `keep_alive`.
    pub name: Name,
    /// What it does, if its name is one of the standard ones.
    pub kind: Option<OperationKind>,
    /// Its error type's name in the service module (`KeepAliveError`).
    pub error_type: String,
    /// The variant of its error type for everything it does not document (`Unhandled`).
    pub unhandled_variant: String,
    /// Its descriptor constant in the service module (`KEEP_ALIVE`).
    pub descriptor: String,
    /// Its documentation.
    pub docs: Docs,
    /// Its parameters.
    pub params: Vec<Param>,
    /// Its result.
    pub result: Option<OperationResult>,
    /// Its documented errors, one per error type, in first-documented order.
    pub errors: Vec<OperationError>,
    /// The privileges it requires.
    pub privileges: Vec<Privilege>,
    /// Its REST mapping.
    pub rest: Option<Rest>,
}

impl Operation {
    /// The names of the query parameters a request of this operation always carries: those
    /// bound to a required parameter. Two operations of one route are told apart by them.
    pub fn required_query(&self) -> Vec<&str> {
        let Some(rest) = &self.rest else {
            return Vec::new();
        };
        rest.query
            .iter()
            .filter(|(_, wire)| {
                self.params
                    .iter()
                    .any(|p| &p.name.wire == wire && !p.ty.is_optional())
            })
            .map(|(name, _)| name.as_str())
            .collect()
    }
}

/// A parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// `download_session_id`.
    pub name: Name,
    /// Its type.
    pub ty: Type,
    /// Its documentation.
    pub docs: Docs,
}

/// What an operation returns.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationResult {
    /// Its type.
    pub ty: Type,
    /// Its documentation.
    pub doc: Text,
}

/// An error type an operation documents, with every condition documented for it.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationError {
    /// The error type.
    pub error: Arc<TypeRef>,
    /// The variant of the operation's error enum (`NotFound`).
    pub variant: String,
    /// The documented conditions, in order.
    pub conditions: Vec<Condition>,
}

/// One documented condition of an operation's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// When the error is reported, as documented.
    pub text: Text,
    /// The vSphere API version that added this error to the operation, if documented.
    pub since: Option<String>,
}

/// A privilege requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct Privilege {
    /// The privileges required.
    pub privileges: Vec<String>,
    /// What they are required on.
    pub scope: PrivilegeScope,
}

/// Where a privilege is required.
#[derive(Debug, Clone, PartialEq)]
pub enum PrivilegeScope {
    /// To execute the operation.
    Operation,
    /// On the resource a parameter (or a field of one) references.
    Resource {
        /// The resource type.
        resource_type: String,
        /// `["create_spec", "library_item_id"]`.
        path: Vec<String>,
    },
}

idl_words! {
    /// An HTTP method.
    pub enum HttpMethod {
        /// GET
        Get = "GET",
        /// POST
        Post = "POST",
        /// PUT
        Put = "PUT",
        /// PATCH
        Patch = "PATCH",
        /// DELETE
        Delete = "DELETE",
    }
}

/// The REST mapping of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Rest {
    /// The method.
    pub method: HttpMethod,
    /// The URL template below `/api`.
    pub path: String,
    /// The `?action=` value.
    pub action: Option<String>,
    /// URL variable → parameter wire name, in template order.
    pub path_params: Vec<(String, String)>,
    /// Query parameter → parameter wire name.
    pub query: Vec<(String, String)>,
    /// Header → parameter wire name.
    pub headers: Vec<(String, String)>,
    /// How the request body is made.
    pub body: Body,
}

/// The request body of a REST call.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    None,
    /// One parameter is the whole body.
    Param(String),
    /// These parameters are the fields of a JSON object.
    Fields(Vec<String>),
}
