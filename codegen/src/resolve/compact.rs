//! The model as it is kept for emission: every list and text at its exact size.
//!
//! The resolver grows its lists by pushing, and the doc pass rewrites text into buffers with
//! room to spare; at the size of the whole vSphere API (a thousand times the real IDL) that
//! slack was a quarter of the model, held through emission.

use crate::ir::{
    Body, Docs, Enumeration, IdType, Name, Operation, Package, PrivilegeScope, Rest, Structure,
    Type,
};

/// Shrinks every list and string of a package to its length. The resolver does so as soon as
/// it has made the package, so that the slack is never held beside the decoded files (the
/// peak of a run).
pub(super) fn package(p: &mut Package) {
    p.module_path.shrink_to_fit();
    docs(&mut p.docs);
    p.resource_types.shrink_to_fit();
    for rt in &mut p.resource_types {
        name(&mut rt.name);
        docs(&mut rt.docs);
    }
    p.enumerations.shrink_to_fit();
    p.enumerations.iter_mut().for_each(enumeration);
    p.structures.shrink_to_fit();
    p.structures.iter_mut().for_each(structure);
    p.errors.shrink_to_fit();
    p.errors.iter_mut().for_each(structure);
    p.services.shrink_to_fit();
    for s in &mut p.services {
        name(&mut s.name);
        docs(&mut s.docs);
        s.operations.shrink_to_fit();
        s.operations.iter_mut().for_each(operation);
    }
}

fn name(n: &mut Name) {
    n.wire.shrink_to_fit();
    n.rust.shrink_to_fit();
}

fn docs(d: &mut Docs) {
    if let Some(since) = &mut d.since {
        since.shrink_to_fit();
    }
}

fn enumeration(e: &mut Enumeration) {
    name(&mut e.name);
    docs(&mut e.docs);
    e.values.shrink_to_fit();
    for v in &mut e.values {
        name(&mut v.name);
        docs(&mut v.docs);
    }
}

fn structure(s: &mut Structure) {
    name(&mut s.name);
    docs(&mut s.docs);
    s.fields.shrink_to_fit();
    for f in &mut s.fields {
        name(&mut f.name);
        docs(&mut f.docs);
        ty(&mut f.ty);
    }
    s.unions.shrink_to_fit();
    for u in &mut s.unions {
        u.cases.shrink_to_fit();
        for c in &mut u.cases {
            c.values.shrink_to_fit();
            c.required.shrink_to_fit();
            c.optional.shrink_to_fit();
        }
    }
}

fn ty(t: &mut Type) {
    match t {
        Type::Optional(t) | Type::List(t) | Type::Set(t) => ty(t),
        Type::Map(k, v) => {
            ty(k);
            ty(v);
        }
        Type::Id(id) => {
            if let IdType::General(all) = &mut **id {
                all.shrink_to_fit();
            }
        }
        Type::Primitive(_) => {}
        Type::Structure(_) | Type::Enumeration(_) => {}
    }
}

fn operation(op: &mut Operation) {
    name(&mut op.name);
    docs(&mut op.docs);
    op.params.shrink_to_fit();
    for p in &mut op.params {
        name(&mut p.name);
        docs(&mut p.docs);
        ty(&mut p.ty);
    }
    if let Some(r) = &mut op.result {
        ty(&mut r.ty);
    }
    op.errors.shrink_to_fit();
    for e in &mut op.errors {
        e.conditions.shrink_to_fit();
    }
    op.privileges.shrink_to_fit();
    for p in &mut op.privileges {
        p.privileges.shrink_to_fit();
        if let PrivilegeScope::Resource { path, .. } = &mut p.scope {
            path.shrink_to_fit();
        }
    }
    if let Some(r) = &mut op.rest {
        rest(r);
    }
}

fn rest(r: &mut Rest) {
    r.path_params.shrink_to_fit();
    r.query.shrink_to_fit();
    r.headers.shrink_to_fit();
    if let Body::Fields(fields) = &mut r.body {
        fields.shrink_to_fit();
    }
}
