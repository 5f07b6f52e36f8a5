//! Operation metadata: what generated `const` descriptors are made of, so that a client, a
//! server router, a policy checker or a doc tool reads privileges, errors and REST mappings as
//! data.

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
    /// The full URL template, with `/api` and the action.
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
    /// The privileges it requires.
    pub privileges: &'static [PrivilegeRequirement],
    /// The errors it documents.
    pub errors: &'static [ErrorDescriptor],
    /// Its REST mapping.
    pub rest: Option<RestMapping>,
}

impl OperationDescriptor {
    /// The documented error of type `qualified`, if the operation documents it.
    pub fn error(&self, qualified: &str) -> Option<&ErrorDescriptor> {
        self.errors.iter().find(|e| e.error == qualified)
    }
}
