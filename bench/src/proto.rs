//! The `.proto` equivalent of an IDL model, for the prost-build and tonic-build anchors: one
//! message per structure and error, one enum per enumeration, one service per service with one
//! rpc per operation (a request message of its parameters, a response message of its result).
//!
//! All packages of the model go into one proto package and file, names prefixed with the
//! package path (`ContentLibraryItemFileInfo`), since vAPI packages reference each other in
//! cycles that proto imports do not allow.

use std::fmt::Write as _;

use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use vapi_codegen::ir::{Model, Primitive, Structure, Type, TypeRef};

fn type_name(package: &str, rust: &str) -> String {
    let path = package.strip_prefix("com.vmware.").unwrap_or(package);
    format!("{}{}", path.replace('.', "_").to_upper_camel_case(), rust)
}

fn named(t: &TypeRef) -> String {
    type_name(&t.package, &t.name.rust)
}

/// A proto element type, for a field that is not `repeated` or `map`.
fn scalar(ty: &Type) -> String {
    match ty {
        Type::Primitive(p) => match p {
            Primitive::String | Primitive::DateTime | Primitive::Uri | Primitive::Secret => {
                "string".to_owned()
            }
            Primitive::Long => "int64".to_owned(),
            Primitive::Double => "double".to_owned(),
            Primitive::Boolean => "bool".to_owned(),
            Primitive::Binary | Primitive::DynamicStructure => "bytes".to_owned(),
        },
        Type::Id(_) => "string".to_owned(),
        Type::Structure(t) | Type::Enumeration(t) => named(t),
        // Nested containers have no direct proto form; their elements travel as bytes.
        Type::Optional(_) | Type::List(_) | Type::Set(_) | Type::Map(..) => "bytes".to_owned(),
    }
}

/// The field declaration (without name and number) of a vAPI type.
fn field_type(ty: &Type) -> String {
    match ty {
        Type::Optional(inner) => match &**inner {
            Type::List(_) | Type::Set(_) | Type::Map(..) | Type::Structure(_) => field_type(inner),
            other => format!("optional {}", scalar(other)),
        },
        Type::List(inner) | Type::Set(inner) => format!("repeated {}", scalar(inner)),
        Type::Map(_, v) => format!("map<string, {}>", scalar(v)),
        other => scalar(other),
    }
}

fn field_name(rust: &str) -> &str {
    rust.strip_prefix("r#").unwrap_or(rust)
}

fn message(out: &mut String, name: &str, fields: &[(String, String)]) {
    let _ = writeln!(out, "message {name} {{");
    for (i, (field, ty)) in fields.iter().enumerate() {
        let _ = writeln!(out, "  {ty} {field} = {};", i + 1);
    }
    out.push_str("}\n\n");
}

fn structure(out: &mut String, package: &str, s: &Structure) {
    let fields: Vec<(String, String)> = s
        .fields
        .iter()
        .map(|f| (field_name(&f.name.rust).to_owned(), field_type(&f.ty)))
        .collect();
    message(out, &type_name(package, &s.name.rust), &fields);
}

/// The `.proto` file equivalent to `model`, in proto package `proto_package`.
pub fn proto_of(model: &Model, proto_package: &str) -> String {
    let mut out = format!("syntax = \"proto3\";\n\npackage {proto_package};\n\n");
    for p in &model.packages {
        for r in &p.resource_types {
            let name = type_name(&p.name, &r.name.rust);
            message(
                &mut out,
                &name,
                &[("value".to_owned(), "string".to_owned())],
            );
        }
        for e in &p.enumerations {
            let name = type_name(&p.name, &e.name.rust);
            let prefix = name.to_shouty_snake_case();
            let _ = writeln!(out, "enum {name} {{\n  {prefix}_UNSPECIFIED = 0;");
            for (i, v) in e.values.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "  {prefix}_{} = {};",
                    v.name.wire.to_shouty_snake_case(),
                    i + 1
                );
            }
            out.push_str("}\n\n");
        }
        for s in p.structures.iter().chain(&p.errors) {
            structure(&mut out, &p.name, s);
        }
        for s in &p.services {
            let service = type_name(&p.name, &s.name.rust);
            let mut rpcs = String::new();
            for op in &s.operations {
                let rpc = op.name.rust.trim_start_matches("r#").to_upper_camel_case();
                let request = format!("{service}{rpc}Request");
                let response = format!("{service}{rpc}Response");
                let params: Vec<(String, String)> = op
                    .params
                    .iter()
                    .map(|p| (field_name(&p.name.rust).to_owned(), field_type(&p.ty)))
                    .collect();
                message(&mut out, &request, &params);
                let result: Vec<(String, String)> = op
                    .result
                    .iter()
                    .map(|r| ("result".to_owned(), field_type(&r.ty)))
                    .collect();
                message(&mut out, &response, &result);
                let _ = writeln!(rpcs, "  rpc {rpc}({request}) returns ({response});");
            }
            let _ = writeln!(out, "service {service} {{\n{rpcs}}}\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_idl_has_a_proto_form() {
        let real = crate::real_sources().unwrap();
        let model = crate::resolve(crate::load(&real).unwrap(), &real).unwrap();
        let proto = proto_of(&model, "vapi.s0");
        assert!(proto.contains("service ContentLibraryItemDownloadSession {"));
        assert!(proto.contains("message ContentLibraryItemFileInfo {"));
        assert!(proto.contains("rpc KeepAlive("));
    }
}
