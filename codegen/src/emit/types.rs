//! Rust types and paths for IDL types, relative to the module that names them.

use std::cell::Cell;

use proc_macro2::{Delimiter, Group, Span, TokenStream};
use quote::quote;

use crate::ir::{IdType, Primitive, Type, TypeRef};
use crate::naming;

/// An identifier token from a Rust name made by [`naming`], raw (`r#type`) or not.
pub fn ident(name: &str) -> syn::Ident {
    // As `format_ident!` would, without formatting the name into a new string first.
    match name.strip_prefix("r#") {
        Some(raw) => syn::Ident::new_raw(raw, Span::call_site()),
        None => syn::Ident::new(name, Span::call_site()),
    }
}

/// `{ items }`, the items moved into one group: interpolating token streams with `quote!`
/// copies every token, interpolating a group does not.
pub fn braced(items: impl IntoIterator<Item = TokenStream>) -> Group {
    Group::new(Delimiter::Brace, items.into_iter().collect())
}

/// The path from module `from` to item `name` of module `to`: the bare name in the same module,
/// down through child modules, `super::` to the parent and its other children, and from the
/// bindings' root (`__root::`, see [`module_imports`]) otherwise, so that the bindings work
/// wherever they are placed (a crate of their own or `include!`d into a module).
pub fn path_to(from: &[String], to: &[String], name: &str) -> TokenStream {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    let start = if common == from.len() {
        quote!()
    } else if common + 1 == from.len() {
        quote!(super::)
    } else {
        return root_path(to, name);
    };
    let downs = to[common..].iter().map(|m| {
        let m = ident(m);
        quote!(#m::)
    });
    let name = ident(name);
    quote!(#start #(#downs)* #name)
}

thread_local! {
    /// Whether the code emitted on this thread since [`track_root`] started names `__root`.
    static ROOT_USED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, an emitter of one module's items, and tells whether they name `__root` (which
/// only [`path_to`] writes), so that the module imports it only then; a nested module tracks
/// its own. Cheaper than looking through the tokens afterwards.
pub fn track_root<T>(f: impl FnOnce() -> T) -> (T, bool) {
    let outer = ROOT_USED.with(|u| u.replace(false));
    let out = f();
    let used = ROOT_USED.with(|u| u.replace(outer));
    (out, used)
}

/// `__root::a::b::name`: an item named from the root of the bindings.
fn root_path(to: &[String], name: &str) -> TokenStream {
    ROOT_USED.with(|u| u.set(true));
    let downs = to.iter().map(|m| {
        let m = ident(m);
        quote!(#m::)
    });
    let name = ident(name);
    quote!(__root:: #(#downs)* #name)
}

/// The imports of the module at `from` whose items are `items`: `__rt` (the runtime's
/// `codegen` module: std and runtime items under a name no IDL type can shadow) and `__root`
/// (the root of the bindings), each only if the items use it.
pub fn module_imports(from: &[String], items: &TokenStream) -> TokenStream {
    let (rt, root) = uses_of(items);
    imports(from, rt, root)
}

/// Whether `items` name `__rt` and `__root` outside nested modules.
fn uses_of(items: &TokenStream) -> (bool, bool) {
    let (mut rt, mut root) = (false, false);
    uses(items, &mut rt, &mut root);
    (rt, root)
}

/// The imports of the module at `from`: `__rt` and `__root` where asked (see
/// [`module_imports`]).
pub fn imports(from: &[String], rt: bool, root: bool) -> TokenStream {
    let mut out = TokenStream::new();
    if rt {
        out.extend(quote!(
            use ::vapi_runtime::codegen as __rt;
        ));
    }
    // A path ending in a name, not `use super::super as __root;`, which rustc before 1.95
    // refuses: the root module re-exports itself as `__root` (see `root_alias`).
    if root && !from.is_empty() {
        let ups = from.iter().map(|_| quote!(super::));
        out.extend(quote!(use #(#ups)* __root;));
    }
    out
}

/// The root module's `__root`: the bindings' root under a name the modules below import by
/// path (`use super::super::__root;`), wherever the bindings are placed.
pub fn root_alias() -> TokenStream {
    quote! {
        #[doc(hidden)]
        pub mod __root {
            pub use super::*;
        }
    }
}

/// Whether `tokens` name `__rt` or `__root`, outside nested modules (which import their own).
fn uses(tokens: &TokenStream, rt: &mut bool, root: &mut bool) {
    let mut after_mod = 0;
    for t in tokens.clone() {
        match t {
            proc_macro2::TokenTree::Ident(i) => {
                after_mod = if i == "mod" {
                    1
                } else if after_mod == 1 {
                    2
                } else {
                    0
                };
                if i == "__rt" {
                    *rt = true;
                } else if i == "__root" {
                    *root = true;
                }
            }
            proc_macro2::TokenTree::Group(g) => {
                if after_mod != 2 {
                    uses(&g.stream(), rt, root);
                }
                after_mod = 0;
            }
            proc_macro2::TokenTree::Punct(_) | proc_macro2::TokenTree::Literal(_) => after_mod = 0,
        }
        if *rt && *root {
            return;
        }
    }
}

/// The path to a named structure, enumeration or error type.
pub fn type_ref_path(from: &[String], r: &TypeRef) -> TokenStream {
    path_to(from, &naming::package_module_path(&r.package), &r.name.rust)
}

/// The Rust type of an IDL type, named from module `from`.
pub fn rust_type(from: &[String], ty: &Type) -> TokenStream {
    match ty {
        Type::Primitive(p) => primitive(*p),
        Type::Id(id) => match &**id {
            IdType::Resource { package, name } => {
                path_to(from, &naming::package_module_path(package), &name.rust)
            }
            IdType::General(_) => quote!(__rt::Id),
        },
        Type::Optional(inner) => {
            let inner = rust_type(from, inner);
            quote!(__rt::Option<#inner>)
        }
        Type::List(inner) => {
            let inner = rust_type(from, inner);
            quote!(__rt::Vec<#inner>)
        }
        // The runtime's collections keep the wire rules std's do not: a set refuses repeats
        // (and keeps its order, so it is written back as read), a map also reads the
        // key/value list form of older endpoints.
        Type::Set(inner) => {
            let inner = rust_type(from, inner);
            quote!(__rt::Set<#inner>)
        }
        Type::Map(k, v) => {
            let k = rust_type(from, k);
            let v = rust_type(from, v);
            quote!(__rt::Map<#k, #v>)
        }
        Type::Structure(r) | Type::Enumeration(r) => type_ref_path(from, r),
    }
}

fn primitive(p: Primitive) -> TokenStream {
    match p {
        Primitive::String => quote!(__rt::String),
        Primitive::Uri => quote!(__rt::Uri),
        Primitive::Long => quote!(i64),
        Primitive::Double => quote!(f64),
        Primitive::Boolean => quote!(bool),
        Primitive::DateTime => quote!(__rt::DateTime),
        Primitive::Binary => quote!(__rt::Binary),
        Primitive::Secret => quote!(__rt::Secret),
        Primitive::DynamicStructure => quote!(__rt::DynamicStructure),
    }
}

/// The IDL spelling of a type, for docs.
pub fn idl_type(ty: &Type) -> String {
    match ty {
        Type::Primitive(p) => Primitive::ALL
            .iter()
            .find(|(_, q)| q == p)
            .map(|(s, _)| (*s).to_owned())
            .unwrap_or_default(),
        Type::Id(id) => match &**id {
            IdType::Resource { name, .. } => format!("id({})", name.wire),
            IdType::General(list) if list.is_empty() => "id".to_owned(),
            IdType::General(list) => format!("id({})", list.join(", ")),
        },
        Type::Optional(t) => format!("optional<{}>", idl_type(t)),
        Type::List(t) => format!("list<{}>", idl_type(t)),
        Type::Set(t) => format!("set<{}>", idl_type(t)),
        Type::Map(k, v) => format!("map<{}, {}>", idl_type(k), idl_type(v)),
        Type::Structure(r) | Type::Enumeration(r) => r.qualified(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn relative_paths() {
        let item = p(&["content", "library", "item"]);
        let cases = [
            (p(&["content", "library", "item"]), "FileInfo", "FileInfo"),
            (
                p(&["content", "library"]),
                "StorageBacking",
                "super :: StorageBacking",
            ),
            (
                p(&["vapi", "std"]),
                "LocalizableMessage",
                "__root :: vapi :: std :: LocalizableMessage",
            ),
            (
                p(&["content", "library", "item", "updatesession"]),
                "PreviewInfo",
                "updatesession :: PreviewInfo",
            ),
            (
                p(&["content", "library", "other"]),
                "Thing",
                "super :: other :: Thing",
            ),
        ];
        for (to, name, expected) in cases {
            assert_eq!(path_to(&item, &to, name).to_string(), expected);
        }
    }

    #[test]
    fn raw_identifiers_survive() {
        assert_eq!(ident("r#type").to_string(), "r#type");
        assert_eq!(ident("self_").to_string(), "self_");
    }
}
