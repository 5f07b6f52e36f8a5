//! Operation metadata: what generated `const` descriptors are made of, so that a client, a
//! server router, a policy checker or a doc tool reads privileges, errors and REST mappings as
//! data.
//!
//! Every type here is plain data with public fields and `'static` borrows, so generated code
//! builds descriptors in `const` items.

/// An HTTP method of a REST mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl HttpMethod {
    /// The method as HTTP spells it.
    ///
    /// ```
    /// const PATCH: &str = vapi_runtime::HttpMethod::Patch.as_str();
    /// assert_eq!(PATCH, "PATCH");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// How the request body of a REST call is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestBody {
    /// No body.
    None,
    /// This parameter is the whole body.
    Param(&'static str),
    /// These parameters are the fields of a JSON object body.
    Fields(&'static [&'static str]),
}

/// The REST mapping of an operation (the vSphere `/api` wire format).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RestMapping {
    /// The HTTP method.
    pub method: HttpMethod,
    /// The URL template below `/api`, with `{variable}` segments.
    pub path: &'static str,
    /// The `?action=` dispatch value, if any.
    pub action: Option<&'static str>,
    /// URL variable → parameter.
    pub path_params: &'static [(&'static str, &'static str)],
    /// Query parameter → parameter.
    pub query: &'static [(&'static str, &'static str)],
    /// Header → parameter.
    pub headers: &'static [(&'static str, &'static str)],
    /// The body.
    pub body: RestBody,
}

impl RestMapping {
    /// The full URL template: `/api`, the path (variables left as `{variable}`), and
    /// `?action=` with the action if there is one.
    ///
    /// ```
    /// use vapi_runtime::{HttpMethod, RestBody, RestMapping};
    /// let m = RestMapping {
    ///     method: HttpMethod::Post,
    ///     path: "/content/library/item/download-session/{downloadSessionId}",
    ///     action: Some("keep-alive"),
    ///     path_params: &[("downloadSessionId", "download_session_id")],
    ///     query: &[],
    ///     headers: &[],
    ///     body: RestBody::None,
    /// };
    /// assert_eq!(
    ///     m.url_template(),
    ///     "/api/content/library/item/download-session/{downloadSessionId}?action=keep-alive"
    /// );
    /// ```
    pub fn url_template(&self) -> String {
        match self.action {
            Some(action) => format!("/api{}?action={action}", self.path),
            None => format!("/api{}", self.path),
        }
    }
}

/// What a privilege requirement applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrivilegeScope {
    /// Executing the operation.
    Operation,
    /// The resource that a parameter, or a field of one, references.
    Resource {
        /// The resource type, such as `com.vmware.content.library.Item`.
        resource_type: &'static str,
        /// The parameter and fields leading to the identifier: `["create_spec", "library_item_id"]`.
        path: &'static [&'static str],
    },
}

/// Privileges an operation requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PrivilegeRequirement {
    /// The privileges, such as `System.Read`.
    pub privileges: &'static [&'static str],
    /// What they are required on.
    pub scope: PrivilegeScope,
}

/// An error an operation documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorDescriptor {
    /// The fully qualified vAPI error type: `com.vmware.vapi.std.errors.NotFound`.
    pub error: &'static str,
    /// The documented conditions.
    pub conditions: &'static [&'static str],
}

/// Everything known about an operation besides its types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OperationDescriptor {
    /// The vAPI service identifier: `com.vmware.content.library.item.download_session`.
    pub service: &'static str,
    /// The operation: `keep_alive`.
    pub name: &'static str,
    /// Its parameters' names, in order: `["download_session_id"]`.
    pub params: &'static [&'static str],
    /// The privileges it requires.
    pub privileges: &'static [PrivilegeRequirement],
    /// The errors it documents.
    pub errors: &'static [ErrorDescriptor],
    /// Its REST mapping.
    pub rest: Option<RestMapping>,
}

impl OperationDescriptor {
    /// The documented error of type `qualified` (the fully qualified vAPI error type), if the
    /// operation documents it.
    ///
    /// ```
    /// use vapi_runtime::{ErrorDescriptor, OperationDescriptor};
    ///
    /// const KEEP_ALIVE: OperationDescriptor = OperationDescriptor {
    ///     service: "com.vmware.content.library.item.download_session",
    ///     name: "keep_alive",
    ///     params: &["download_session_id"],
    ///     privileges: &[],
    ///     errors: &[ErrorDescriptor {
    ///         error: "com.vmware.vapi.std.errors.NotFound",
    ///         conditions: &["if the download session does not exist."],
    ///     }],
    ///     rest: None,
    /// };
    /// let not_found = KEEP_ALIVE.error("com.vmware.vapi.std.errors.NotFound");
    /// assert_eq!(not_found.map(|e| e.conditions.len()), Some(1));
    /// assert!(KEEP_ALIVE.error("NotFound").is_none());
    /// ```
    pub fn error(&self, qualified: &str) -> Option<&ErrorDescriptor> {
        self.errors.iter().find(|e| e.error == qualified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET_ITEM: OperationDescriptor = OperationDescriptor {
        service: "com.vmware.content.library.item",
        name: "get",
        params: &["library_item_id"],
        privileges: &[
            PrivilegeRequirement {
                privileges: &["System.Read"],
                scope: PrivilegeScope::Operation,
            },
            PrivilegeRequirement {
                privileges: &["ContentLibrary.ReadStorage", "System.View"],
                scope: PrivilegeScope::Resource {
                    resource_type: "com.vmware.content.library.Item",
                    path: &["library_item_id"],
                },
            },
        ],
        errors: &[
            ErrorDescriptor {
                error: "com.vmware.vapi.std.errors.NotFound",
                conditions: &["if the item does not exist."],
            },
            ErrorDescriptor {
                error: "com.vmware.vapi.std.errors.Unauthorized",
                conditions: &[],
            },
        ],
        rest: Some(RestMapping {
            method: HttpMethod::Get,
            path: "/content/library/item/{libraryItemId}",
            action: None,
            path_params: &[("libraryItemId", "library_item_id")],
            query: &[],
            headers: &[],
            body: RestBody::None,
        }),
    };

    #[test]
    fn http_methods_are_spelled_as_http_does() {
        let all = [
            (HttpMethod::Get, "GET"),
            (HttpMethod::Post, "POST"),
            (HttpMethod::Put, "PUT"),
            (HttpMethod::Patch, "PATCH"),
            (HttpMethod::Delete, "DELETE"),
        ];
        for (method, text) in all {
            assert_eq!(method.as_str(), text);
        }
        const DELETE: &str = HttpMethod::Delete.as_str();
        assert_eq!(DELETE, "DELETE");
    }

    #[test]
    fn rest_bodies_compare_by_content() {
        const FIELDS: RestBody = RestBody::Fields(&["file_name", "endpoint_type"]);
        assert_eq!(FIELDS, RestBody::Fields(&["file_name", "endpoint_type"]));
        assert_ne!(FIELDS, RestBody::Fields(&["file_name"]));
        assert_ne!(RestBody::Param("spec"), RestBody::None);
        match RestBody::Param("spec") {
            RestBody::Param(p) => assert_eq!(p, "spec"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn url_templates_have_api_prefix_and_action() {
        let Some(rest) = GET_ITEM.rest else {
            panic!("GET_ITEM has a REST mapping")
        };
        assert_eq!(
            rest.url_template(),
            "/api/content/library/item/{libraryItemId}"
        );
        let with_action = RestMapping {
            method: HttpMethod::Post,
            action: Some("keep-alive"),
            ..rest
        };
        assert_eq!(
            with_action.url_template(),
            "/api/content/library/item/{libraryItemId}?action=keep-alive"
        );
        assert_eq!(with_action.method.as_str(), "POST");
        assert_eq!(rest.path_params, &[("libraryItemId", "library_item_id")]);
    }

    #[test]
    fn privileges_read_as_data() {
        let resources: Vec<_> = GET_ITEM
            .privileges
            .iter()
            .filter_map(|p| match p.scope {
                PrivilegeScope::Resource {
                    resource_type,
                    path,
                } => Some((resource_type, path, p.privileges)),
                PrivilegeScope::Operation => None,
            })
            .collect();
        assert_eq!(
            resources,
            [(
                "com.vmware.content.library.Item",
                &["library_item_id"][..],
                &["ContentLibrary.ReadStorage", "System.View"][..]
            )]
        );
        assert_eq!(GET_ITEM.privileges[0].scope, PrivilegeScope::Operation);
    }

    #[test]
    fn operations_find_their_documented_errors() {
        let not_found = GET_ITEM.error("com.vmware.vapi.std.errors.NotFound");
        assert_eq!(
            not_found.map(|e| e.conditions),
            Some(&["if the item does not exist."][..])
        );
        assert_eq!(
            GET_ITEM
                .error("com.vmware.vapi.std.errors.Unauthorized")
                .map(|e| e.error),
            Some("com.vmware.vapi.std.errors.Unauthorized")
        );
        assert_eq!(GET_ITEM.error("com.vmware.vapi.std.errors.Error"), None);
        assert_eq!(GET_ITEM.error(""), None);
    }

    #[test]
    fn descriptors_are_copy_and_compare_by_content() {
        let copy = GET_ITEM;
        assert_eq!(copy, GET_ITEM);
        let renamed = OperationDescriptor {
            name: "list",
            ..GET_ITEM
        };
        assert_ne!(renamed, GET_ITEM);
        assert!(format!("{GET_ITEM:?}").contains("com.vmware.content.library.item"));
    }
}
