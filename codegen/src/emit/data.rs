//! Emitters for data types: identifier newtypes, open enumerations, structures and error types.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::types::{braced, ident, idl_type, rust_type};
use crate::docs::Doc;
use crate::ir::{
    Docs, Enumeration, Field, InputRule, OperationKind, OutputRule, Package, Presence,
    ResourceType, Structure, Type,
};

/// Docs of an element: its text and the version that added it.
pub fn doc_of(docs: &Docs) -> Doc {
    let mut doc = Doc::from_text(&docs.text);
    since(&mut doc, docs);
    doc
}

/// Appends the "added in" paragraph, if the element has a version.
pub fn since(doc: &mut Doc, docs: &Docs) {
    if let Some(v) = &docs.since {
        doc.paragraph(format!("Added in vSphere API {v}."));
    }
}

/// The entries of `TYPES`, the registry of the root module (see [`registry_of`]), for the
/// package `p`: each identifier type, enumeration, structure and error, with its vAPI name and
/// a JSON round trip, in IR order.
pub fn registry_entries(p: &Package) -> Vec<TokenStream> {
    let mut entries = Vec::new();
    {
        let path = &p.module_path;
        let mut entry = |name: &str, wire: String, kind: &str| {
            let ty = super::types::path_to(&[], path, name);
            let check = ident(if matches!(kind, "Structure" | "Error") {
                "validated"
            } else {
                "round_trip"
            });
            let kind = ident(kind);
            entries.push(
                quote!(__rt::TypeInfo::new(#wire, __rt::TypeKind::#kind, __rt::#check::<#ty>)),
            );
        };
        for rt in &p.resource_types {
            entry(&rt.name.rust, rt.name.wire.clone(), "Id");
        }
        for e in &p.enumerations {
            entry(
                &e.name.rust,
                format!("{}.{}", p.name, e.name.wire),
                "Enumeration",
            );
        }
        for s in &p.structures {
            entry(
                &s.name.rust,
                format!("{}.{}", p.name, s.name.wire),
                "Structure",
            );
        }
        for e in &p.errors {
            entry(&e.name.rust, format!("{}.{}", p.name, e.name.wire), "Error");
        }
    }
    entries
}

/// `TYPES`, the registry of the root module, of these [`registry_entries`].
pub fn registry_of(entries: &[TokenStream]) -> TokenStream {
    quote! {
        /// Every identifier type, enumeration, structure and error of these bindings, with its
        /// vAPI name and a JSON round trip: for tests and fuzzers that must reach every type.
        pub const TYPES: &[__rt::TypeInfo] = &[#(#entries),*];
    }
}

/// The newtype of identifiers of one resource type; its impls are the runtime's `id!`.
pub fn id_newtype(rt: &ResourceType) -> TokenStream {
    let name = ident(&rt.name.rust);
    let mut doc = Doc::from_text(&rt.docs.text);
    doc.paragraph(format!(
        "An identifier of a `{}`. On the wire it is a plain string.",
        rt.name.wire
    ));
    since(&mut doc, &rt.docs);
    quote! {
        #doc
        pub struct #name(__rt::String);
        __rt::id!(#name);
    }
}

/// An open enumeration: the documented values with their wire names, in the runtime's
/// `open_enum!`, which adds the variant that keeps any other value, the derives and the impls.
pub fn enumeration(e: &Enumeration) -> TokenStream {
    let name = ident(&e.name.rust);
    let doc = doc_of(&e.docs);
    let variants = e.values.iter().map(|v| {
        let vdoc = doc_of(&v.docs);
        let variant = ident(&v.name.rust);
        let wire = &v.name.wire;
        quote! { #vdoc #variant = #wire, }
    });
    // The runtime's name for the catch-all is `Unknown`; only another one is spelled out.
    let unknown = (e.unknown_variant != "Unknown").then(|| {
        let unknown = ident(&e.unknown_variant);
        quote!(#[unknown(#unknown)])
    });
    quote! {
        __rt::open_enum! {
            #unknown
            #doc
            pub enum #name {
                #(#variants)*
            }
        }
    }
}

fn presence_doc(doc: &mut Doc, p: &Presence) {
    let input = |r: InputRule| match r {
        InputRule::Required => "must be provided",
        InputRule::Optional => "is optional",
        InputRule::Unused => "is not used",
    };
    let mut rules = Vec::new();
    if let Some(r) = p.create {
        rules.push(format!("{} for the `create` method", input(r)));
    }
    if let Some(r) = p.update {
        rules.push(format!("{} for the `update` method", input(r)));
    }
    if let Some(r) = p.result {
        rules.push(
            match r {
                OutputRule::Always => "is always present in the results of `get` and `list`",
                OutputRule::Optional => "is optional in the results of `get` and `list`",
                OutputRule::Absent => "is never present in the results of `get` and `list`",
            }
            .to_owned(),
        );
    }
    doc.paragraph(format!("Presence: {}.", rules.join("; ")));
}

/// The structure a structure or error extends, with its module (Rust path joined with `::`),
/// whose fields it repeats.
pub type Parent<'m> = Option<(&'m Structure, String)>;

fn field_tokens(s: &Structure, f: &Field, from: &[String], parent: &Parent<'_>) -> TokenStream {
    // A field inherited unchanged is documented once, on the structure that declares it.
    let inherited = parent.as_ref().and_then(|(p, module)| {
        p.fields
            .iter()
            .find(|pf| pf.name.wire == f.name.wire && pf.docs.text == f.docs.text)
            .map(|pf| {
                format!(
                    "Inherited: see {{@rust {module} {}::{}}}.",
                    p.name.rust, pf.name.rust
                )
            })
    });
    let mut doc = Doc::from_text(inherited.as_deref().unwrap_or(&f.docs.text));
    for u in &s.unions {
        for case in &u.cases {
            let values = case
                .values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let rule = if case.required.contains(&f.name.wire) {
                "must be set"
            } else if case.optional.contains(&f.name.wire) {
                "may be set"
            } else {
                continue;
            };
            doc.paragraph(format!(
                "It {rule} when `{}` is {values}, and is unset otherwise.",
                u.tag
            ));
        }
    }
    if let Some(p) = &f.presence {
        presence_doc(&mut doc, p);
    }
    if inherited.is_none() {
        since(&mut doc, &f.docs);
    }
    let name = ident(&f.name.rust);
    let wire = &f.name.wire;
    let ty = rust_type(from, &f.ty);
    // `object!` names a field on the wire as written, `r#` included: the wire name only where
    // it differs; a required field with its vAPI type, for the error that names it missing.
    let rename = (f.name.rust != *wire).then(|| quote!(wire = #wire));
    let required = (!f.ty.is_optional()).then(|| {
        let vapi = idl_type(&f.ty);
        quote!(required = #vapi)
    });
    let serde = match (rename, required) {
        (None, None) => quote!(),
        (Some(a), None) | (None, Some(a)) => quote!(#[vapi(#a)]),
        (Some(a), Some(b)) => quote!(#[vapi(#a, #b)]),
    };
    quote! { #doc #serde pub #name: #ty, }
}

/// A structure, or an error type; `qualified` is its vAPI name. The runtime's `object!` adds
/// the derives, the serde impls and, for a structure without rules, `validate`.
pub fn structure(
    s: &Structure,
    qualified: &str,
    from: &[String],
    is_error: bool,
    parent: &Parent<'_>,
) -> TokenStream {
    let name = ident(&s.name.rust);
    let mut doc = doc_of(&s.docs);
    for u in &s.unions {
        let fields: Vec<String> = u
            .cases
            .iter()
            .flat_map(|c| c.required.iter().chain(&c.optional))
            .map(|f| format!("`{f}`"))
            .collect();
        if !fields.is_empty() {
            doc.paragraph(format!(
                "Whether {} {} set depends on `{}`: [`validate`](Self::validate) checks it.",
                fields.join(", "),
                if fields.len() == 1 { "is" } else { "are" },
                u.tag
            ));
        }
    }
    let fields = braced(s.fields.iter().map(|f| field_tokens(s, f, from, parent)));
    let required: Vec<&Field> = s.fields.iter().filter(|f| !f.ty.is_optional()).collect();
    let default = required
        .is_empty()
        .then(|| quote!(#[derive(__rt::Default)]));
    // Constructors and validators are inline, as everything the bindings write: the bindings
    // crate codegens none of them, a crate that calls them codegens what it calls.
    let constructor = (!required.is_empty()).then(|| {
        let args = required.iter().map(|f| {
            let n = ident(&f.name.rust);
            let t = rust_type(from, &f.ty);
            quote!(#n: #t)
        });
        let inits = s.fields.iter().map(|f| {
            let n = ident(&f.name.rust);
            if f.ty.is_optional() {
                quote!(#n: __rt::None)
            } else {
                quote!(#n)
            }
        });
        let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        let listed = required
            .iter()
            .map(|f| format!("`{}`", f.name.wire))
            .collect::<Vec<_>>()
            .join(", ");
        let ndoc = format!(
            " Creates a value from its required fields ({listed}); optional fields are unset."
        );
        let ndoc = crate::docs::doc_literal(&ndoc);
        quote! {
            impl #name {
                #[doc = #ndoc]
                #allow
                #[inline]
                pub fn new(#(#args),*) -> Self {
                    Self { #(#inits),* }
                }
            }
        }
    });
    let error_impls = is_error.then(|| {
        // `NotFound: No file nope.bin in library item X`: the name, then what the server said
        // (the default text of each message), when the error has vAPI's `messages`.
        let messages = s
            .fields
            .iter()
            .find(|f| f.name.wire == "messages" && is_message_list(&f.ty))
            .map(|f| {
                let n = ident(&f.name.rust);
                quote!(, #n)
            });
        quote! { __rt::error_type!(#name, #qualified #messages); }
    });
    let (validate, rules) = validate_impls(s, qualified);
    // Without union rules, `object!` writes `validate`, visiting the fields that hold structures.
    let rules = if rules {
        quote!(, rules)
    } else {
        let visits: Vec<TokenStream> = s
            .fields
            .iter()
            .filter(|f| holds_structure(&f.ty))
            .map(|f| {
                let (wire, n) = (&f.name.wire, ident(&f.name.rust));
                quote!(#wire: #n)
            })
            .collect();
        if visits.is_empty() {
            quote!()
        } else {
            quote!(, visit(#(#visits),*))
        }
    };
    // The parts are moved in (the fields as one group), not interpolated: `quote!` would copy
    // their tokens.
    let mut out = quote! {
        __rt::object! {
            #doc
            #[vapi(name = #qualified #rules)]
            #default
            pub struct #name #fields
        }
    };
    out.extend(constructor);
    out.extend(error_impls);
    out.extend(validate);
    out
}

/// Whether the type is `list<com.vmware.vapi.std.LocalizableMessage>`, whose members have a
/// required `default_message`.
fn is_message_list(ty: &Type) -> bool {
    matches!(ty, Type::List(inner) if matches!(&**inner,
        Type::Structure(r) if r.qualified() == "com.vmware.vapi.std.LocalizableMessage"))
}

/// Whether a value of the type may hold a structure, whose rules validation must visit.
pub(super) fn holds_structure(ty: &Type) -> bool {
    match ty {
        Type::Structure(_) => true,
        Type::Optional(t) | Type::List(t) | Type::Set(t) => holds_structure(t),
        Type::Map(_, v) => holds_structure(v),
        Type::Primitive(_) | Type::Id(_) | Type::Enumeration(_) => false,
    }
}

/// `validate` (union rules, then the rules of nested structures) for a structure that has any,
/// and `validate_for_create` / `validate_for_update` where fields have presence rules; whether
/// it wrote `validate` (else the runtime's `object!` does).
fn validate_impls(s: &Structure, qualified: &str) -> (TokenStream, bool) {
    let name = ident(&s.name.rust);
    let mut rules = Vec::new();
    let mut checks = Vec::new();
    for u in &s.unions {
        let Some(tag_field) = s.fields.iter().find(|f| f.name.wire == u.tag) else {
            continue;
        };
        let tag = ident(&tag_field.name.rust);
        let tag_wire = &u.tag;
        let tag_value = if tag_field.ty.is_optional() {
            quote!(self.#tag.as_ref().map(|t| (t.as_str(), t.is_unknown())))
        } else {
            quote!(__rt::Some((self.#tag.as_str(), self.#tag.is_unknown())))
        };
        let mut table = Vec::new();
        let mut members: Vec<&str> = Vec::new();
        for case in &u.cases {
            for f in case.required.iter().chain(&case.optional) {
                if !members.contains(&f.as_str()) {
                    members.push(f);
                }
            }
        }
        for member in members {
            let Some(field) = s.fields.iter().find(|f| f.name.wire == member) else {
                continue;
            };
            let required: Vec<&str> = u
                .cases
                .iter()
                .filter(|c| c.required.iter().any(|r| r == member))
                .flat_map(|c| c.values.iter().map(String::as_str))
                .collect();
            let allowed: Vec<&str> = u
                .cases
                .iter()
                .filter(|c| c.required.iter().chain(&c.optional).any(|r| r == member))
                .flat_map(|c| c.values.iter().map(String::as_str))
                .collect();
            if !required.is_empty() {
                rules.push(format!(
                    "`{member}` is set when `{tag_wire}` is {}",
                    required.join(" or ")
                ));
            }
            rules.push(format!(
                "`{member}` is unset unless `{tag_wire}` is {}",
                allowed.join(" or ")
            ));
            let f = ident(&field.name.rust);
            let set = if field.ty.is_optional() {
                quote!(self.#f.is_some())
            } else {
                quote!(true)
            };
            table.push(quote!((#member, #set, &[#(#required),*], &[#(#allowed),*])));
        }
        checks.push(quote! {
            __rt::check_union(#qualified, #tag_wire, #tag_value, &[#(#table),*])?;
        });
    }
    // Visits of nested structures count as rules only beside union rules; alone, `object!`
    // writes them.
    let unions = !checks.is_empty();
    for f in s.fields.iter().filter(|f| unions && holds_structure(&f.ty)) {
        let n = ident(&f.name.rust);
        let wire = &f.name.wire;
        checks.push(quote! {
            __rt::Validate::validate(&self.#n).map_err(|e| e.within(#wire))?;
        });
    }
    let mut vdoc = Doc::new();
    vdoc.markdown(
        "Checks the rules of the documentation that the types cannot express, here and in \
         the structures this value holds; the first one broken.",
    );
    if !rules.is_empty() {
        vdoc.paragraph("Rules of this structure:");
        for rule in &rules {
            vdoc.markdown(format!("- {rule}"));
        }
        vdoc.paragraph(
            "A tag value this version does not know is not checked: its rules are unknown.",
        );
    }
    let presence =
        [OperationKind::Create, OperationKind::Update].map(|k| presence_validator(s, qualified, k));
    let has_rules = !checks.is_empty();
    let validate = has_rules.then(|| {
        quote! {
            #vdoc
            #[inline]
            pub fn validate(&self) -> __rt::Result<(), __rt::ValidationError> {
                #(#checks)*
                __rt::Ok(())
            }
        }
    });
    if validate.is_none() && presence.iter().all(Option::is_none) {
        return (TokenStream::new(), false);
    }
    let tokens = quote! {
        impl #name {
            #validate
            #(#presence)*
        }
    };
    (tokens, has_rules)
}

/// `validate_for_<op>`: what the `create` or `update` operation requires and ignores.
fn presence_validator(s: &Structure, qualified: &str, kind: OperationKind) -> Option<TokenStream> {
    let op = kind.as_str();
    let mut rules = Vec::new();
    let mut checks = Vec::new();
    for f in &s.fields {
        let Some(p) = &f.presence else { continue };
        let rule = p.input(kind);
        let wire = &f.name.wire;
        let n = ident(&f.name.rust);
        match rule {
            Some(InputRule::Required) if f.ty.is_optional() => {
                rules.push(format!("`{wire}` must be set"));
                checks.push(quote!((#wire, __rt::Must::Set, self.#n.is_some())));
            }
            Some(InputRule::Unused) if f.ty.is_optional() => {
                rules.push(format!("`{wire}` must not be set"));
                checks.push(quote!((#wire, __rt::Must::Unset, self.#n.is_some())));
            }
            _ => {}
        }
    }
    if s.fields.iter().all(|f| f.presence.is_none()) {
        return None;
    }
    let method = ident(&format!("validate_for_{op}"));
    let mut doc = Doc::new();
    doc.markdown(format!(
        "Checks a value given to the `{op}` operation: the rules of \
         [`validate`](Self::validate), and which fields `{op}` needs and ignores."
    ));
    if !rules.is_empty() {
        doc.paragraph("Presence rules:");
        for rule in &rules {
            doc.markdown(format!("- {rule}"));
        }
    }
    Some(quote! {
        #doc
        #[inline]
        pub fn #method(&self) -> __rt::Result<(), __rt::ValidationError> {
            self.validate()?;
            __rt::check_presence(#qualified, #op, &[#(#checks),*])
        }
    })
}

/// The literal of a string, for descriptor constants.
pub fn lit(s: &str) -> Literal {
    Literal::string(s)
}

/// A one-line description of a type for docs: ``(`optional<string>`)``.
pub fn type_note(ty: &Type) -> String {
    format!("`{}`", idl_type(ty))
}
