//! Short constructors for the parts of operation descriptors, so that generated descriptors
//! say only what differs: `requires_on("com.vmware.content.library.Item", &["library_item"],
//! &["System.Read"])`, `error(NOT_FOUND, &[…])`, and `RestMapping { query: …,
//! ..rest(HttpMethod::Get, "/content/library/item") }` for the mapping's parts that are set.

use crate::metadata::{
    ErrorDescriptor, HttpMethod, PrivilegeRequirement, PrivilegeScope, RestBody, RestMapping,
};

/// The privileges the operation itself requires.
pub const fn requires(privileges: &'static [&'static str]) -> PrivilegeRequirement {
    PrivilegeRequirement {
        privileges,
        scope: PrivilegeScope::Operation,
    }
}

/// The privileges required on the resource of `resource_type` that the parameter (or field of
/// it) at `path` names.
pub const fn requires_on(
    resource_type: &'static str,
    path: &'static [&'static str],
    privileges: &'static [&'static str],
) -> PrivilegeRequirement {
    PrivilegeRequirement {
        privileges,
        scope: PrivilegeScope::Resource {
            resource_type,
            path,
        },
    }
}

/// An error the operation documents, with the conditions under which it occurs.
pub const fn error(error: &'static str, conditions: &'static [&'static str]) -> ErrorDescriptor {
    ErrorDescriptor { error, conditions }
}

/// A REST mapping of `method` and `path` with no action, parameters bound to the path, query or
/// headers, and no body: the base the generated mapping updates with what it has.
pub const fn rest(method: HttpMethod, path: &'static str) -> RestMapping {
    RestMapping {
        method,
        path,
        action: None,
        path_params: &[],
        query: &[],
        headers: &[],
        body: RestBody::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_fill_the_defaults() {
        let r = RestMapping {
            action: Some("cancel"),
            ..rest(HttpMethod::Post, "/a/{id}")
        };
        assert_eq!(r.method, HttpMethod::Post);
        assert_eq!((r.path, r.action), ("/a/{id}", Some("cancel")));
        assert!(r.path_params.is_empty() && r.query.is_empty() && r.headers.is_empty());
        assert!(matches!(r.body, RestBody::None));
        assert!(matches!(requires(&["A"]).scope, PrivilegeScope::Operation));
        let on = requires_on("com.vmware.X", &["x"], &["B"]);
        assert_eq!(on.privileges, &["B"]);
        assert!(matches!(
            on.scope,
            PrivilegeScope::Resource {
                resource_type: "com.vmware.X",
                path: &["x"]
            }
        ));
        assert_eq!(error("com.vmware.E", &["if"]).conditions, &["if"]);
    }
}
