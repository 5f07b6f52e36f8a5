//! Emitter for the builders of structures: one `__rt::builder!` per structure, naming its
//! required fields, then its optional ones with the type inside their `Option`. The runtime's
//! macro writes the builder type, its setters and their docs, so a builder costs the generated
//! code one line per field.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, rust_type};
use crate::ir::{Package, Structure};
use crate::naming;

/// The builders of a package's structures that have fields, in IR order.
pub fn structures(package: &Package) -> TokenStream {
    let from = &package.module_path;
    package
        .structures
        .iter()
        .filter(|s| !s.fields.is_empty())
        .map(|s| structure(from, s))
        .collect()
}

/// `__rt::builder!(FileInfo, FileInfoBuilder, build, [name: __rt::String, …], [checksum_info:
/// FileChecksumInfo, …]);`: `FileInfo::builder()` and `FileInfoBuilder`.
fn structure(from: &[String], s: &Structure) -> TokenStream {
    let name = ident(&s.name.rust);
    let builder = ident(&naming::builder_type_name(&s.name.rust));
    let names: Vec<String> = s.fields.iter().map(|f| f.name.rust.clone()).collect();
    let build = ident(&naming::build_method_name(&names));
    let field = |f: &crate::ir::Field| {
        let n = ident(&f.name.rust);
        let t = rust_type(from, f.ty.required());
        quote!(#n: #t)
    };
    let required = s.fields.iter().filter(|f| !f.ty.is_optional()).map(field);
    let optional = s.fields.iter().filter(|f| f.ty.is_optional()).map(field);
    quote! {
        __rt::builder!(#name, #builder, #build, [#(#required),*], [#(#optional),*]);
    }
}
