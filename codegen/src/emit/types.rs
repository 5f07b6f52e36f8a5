//! Rust types and paths for IDL types, relative to the module that names them.

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

/// The path from module `from` to item `name` of module `to`, through `super::` so that the
/// bindings work wherever they are placed (a crate of their own or `include!`d into a module).
pub fn path_to(from: &[String], to: &[String], name: &str) -> TokenStream {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    let ups = (common..from.len()).map(|_| quote!(super::));
    let downs = to[common..].iter().map(|m| {
        let m = ident(m);
        quote!(#m::)
    });
    let name = ident(name);
    quote!(#(#ups)* #(#downs)* #name)
}

/// The path to a named structure, enumeration or error type.
pub fn type_ref_path(from: &[String], r: &TypeRef) -> TokenStream {
    path_to(from, &naming::package_module_path(&r.package), &r.name.rust)
}

/// The Rust type of an IDL type, named from module `from`.
pub fn rust_type(from: &[String], ty: &Type) -> TokenStream {
    match ty {
        Type::Primitive(p) => primitive(*p),
        Type::Id(IdType::Resource { package, name }) => {
            path_to(from, &naming::package_module_path(package), &name.rust)
        }
        Type::Id(IdType::General(_)) => quote!(::vapi_runtime::Id),
        Type::Optional(inner) => {
            let inner = rust_type(from, inner);
            quote!(::std::option::Option<#inner>)
        }
        Type::List(inner) => {
            let inner = rust_type(from, inner);
            quote!(::std::vec::Vec<#inner>)
        }
        // The runtime's collections keep the wire rules std's do not: a set refuses repeats
        // (and keeps its order, so it is written back as read), a map also reads the
        // key/value list form of older endpoints.
        Type::Set(inner) => {
            let inner = rust_type(from, inner);
            quote!(::vapi_runtime::Set<#inner>)
        }
        Type::Map(k, v) => {
            let k = rust_type(from, k);
            let v = rust_type(from, v);
            quote!(::vapi_runtime::Map<#k, #v>)
        }
        Type::Structure(r) | Type::Enumeration(r) => type_ref_path(from, r),
    }
}

fn primitive(p: Primitive) -> TokenStream {
    match p {
        Primitive::String => quote!(::std::string::String),
        Primitive::Uri => quote!(::vapi_runtime::Uri),
        Primitive::Long => quote!(i64),
        Primitive::Double => quote!(f64),
        Primitive::Boolean => quote!(bool),
        Primitive::DateTime => quote!(::vapi_runtime::DateTime),
        Primitive::Binary => quote!(::vapi_runtime::Binary),
        Primitive::Secret => quote!(::vapi_runtime::Secret),
        Primitive::DynamicStructure => quote!(::vapi_runtime::DynamicStructure),
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
        Type::Id(IdType::Resource { name, .. }) => format!("id({})", name.wire),
        Type::Id(IdType::General(list)) if list.is_empty() => "id".to_owned(),
        Type::Id(IdType::General(list)) => format!("id({})", list.join(", ")),
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
                "super :: super :: super :: vapi :: std :: LocalizableMessage",
            ),
            (
                p(&["content", "library", "item", "updatesession"]),
                "PreviewInfo",
                "updatesession :: PreviewInfo",
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
