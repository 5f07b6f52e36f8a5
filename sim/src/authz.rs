//! Who may call what. Each operation's documented privileges come from its generated
//! descriptor (`privileges`); a [`LimitedUser`](crate::LimitedUser) that lacks one of them is
//! answered 403 `UNAUTHORIZED` before the call, as vCenter checks privileges before a method
//! runs. The administrator holds every privilege. Privileges are held on every object alike:
//! the simulator has no per-object permissions.

use std::collections::BTreeSet;

use vapi_bindings::content::library::item::{
    changes, download_session, file, storage, update_session,
};
use vapi_bindings::content::library::item::{downloadsession as dls, updatesession as ups};
use vapi_bindings::vapi::std::errors;
use vapi_runtime::OperationDescriptor;
use vapi_runtime::server::Response;
use vapi_runtime::server::axum::extract::{Request, State};
use vapi_runtime::server::axum::middleware::Next;

use crate::faults::messages;
use crate::state::Simulator;

/// Every operation the simulator serves, by service.
pub(crate) const SERVICES: &[&[OperationDescriptor]] = &[
    changes::OPERATIONS,
    download_session::OPERATIONS,
    file::OPERATIONS,
    storage::OPERATIONS,
    update_session::OPERATIONS,
    dls::file::OPERATIONS,
    ups::file::OPERATIONS,
];

/// Whether the path `template` (`/content/library/item/{libraryItemId}/file`) matches `path`.
fn matches(template: &str, path: &str) -> bool {
    let (mut t, mut p) = (template.split('/'), path.split('/'));
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b || (a.starts_with('{') && a.ends_with('}')) => {}
            _ => return false,
        }
    }
}

/// The operations a REST call may be (several when a query parameter tells them apart, as
/// `File.get` and `File.list`): `path` below `/api`, `action` the `action` query parameter.
pub(crate) fn operations_at<'a>(
    method: &'a str,
    path: &'a str,
    action: Option<&'a str>,
) -> impl Iterator<Item = &'static OperationDescriptor> + 'a {
    SERVICES
        .iter()
        .flat_map(|ops| ops.iter())
        .filter(move |op| {
            op.rest.as_ref().is_some_and(|r| {
                r.method.as_str() == method && r.action == action && matches(r.path, path)
            })
        })
}

/// The privileges `op` documents (on whatever object).
pub(crate) fn required(op: &OperationDescriptor) -> BTreeSet<&'static str> {
    op.privileges
        .iter()
        .flat_map(|r| r.privileges.iter().copied())
        .collect()
}

impl Simulator {
    /// The privileges of `op` that `user` does not hold (none for the administrator or a user
    /// the configuration does not limit).
    pub(crate) fn missing_privileges(
        &self,
        user: &str,
        op: &OperationDescriptor,
    ) -> Vec<&'static str> {
        match self.config.limited_users.iter().find(|u| u.name == user) {
            Some(limited) => required(op)
                .into_iter()
                .filter(|p| !limited.privileges.contains(*p))
                .collect(),
            None => Vec::new(),
        }
    }
}

/// 403 `UNAUTHORIZED` for a limited user's call to an operation whose privileges it lacks;
/// anything else goes on (a call without a session gets its 401 from the API server).
pub(crate) async fn authorize(State(sim): State<Simulator>, req: Request, next: Next) -> Response {
    if sim.config.limited_users.is_empty() {
        return next.run(req).await;
    }
    let Some(path) = req.uri().path().strip_prefix("/api") else {
        return next.run(req).await;
    };
    let Some(user) = sim.sessions.user_of(req.headers()) else {
        return next.run(req).await;
    };
    let action = req
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|p| p.strip_prefix("action="));
    // A JSON-RPC call names its operation.
    let invoked = vapi_runtime::jsonrpc::invoked(&req).map(|(service, name)| {
        SERVICES
            .iter()
            .flat_map(|ops| ops.iter())
            .filter(move |op| op.service == service && op.name == name)
    });
    let ops: Vec<&OperationDescriptor> = match invoked {
        Some(ops) => ops.collect(),
        None => operations_at(req.method().as_str(), path, action).collect(),
    };
    let mut missing = BTreeSet::new();
    let mut names = Vec::new();
    for op in ops {
        let lacking = sim.missing_privileges(&user, op);
        if !lacking.is_empty() {
            names.push(format!("{}.{}", op.service, op.name));
        }
        missing.extend(lacking);
    }
    if missing.is_empty() {
        return next.run(req).await;
    }
    let missing: Vec<&str> = missing.into_iter().collect();
    let text = format!(
        "User {user} does not hold {} (needed by {}).",
        missing.join(", "),
        names.join(", ")
    );
    let answer = vapi_runtime::server::error(
        "UNAUTHORIZED",
        &errors::Unauthorized::new(messages("UNAUTHORIZED", &text)),
    );
    vapi_runtime::server::refuse(req, sim.config.body_limit, answer).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_whole_segments() {
        let t = "/content/library/item/{libraryItemId}/file";
        assert!(matches(t, "/content/library/item/abc/file"));
        assert!(!matches(t, "/content/library/item/abc/file/x"));
        assert!(!matches(t, "/content/library/item/abc"));
        assert!(!matches(t, "/content/library/item/abc/storage"));
    }

    /// Operations that share a method, path and action (told apart by a query parameter)
    /// must document the same privileges: the check asks for all of theirs.
    #[test]
    fn operations_sharing_a_route_need_the_same_privileges() {
        let all: Vec<&OperationDescriptor> = SERVICES.iter().flat_map(|o| o.iter()).collect();
        assert_eq!(all.len(), 30);
        for op in &all {
            let rest = op
                .rest
                .as_ref()
                .expect("every operation has a REST mapping");
            let sample: String = rest
                .path
                .split('/')
                .map(|s| if s.starts_with('{') { "x" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let at: Vec<_> = operations_at(rest.method.as_str(), &sample, rest.action).collect();
            assert!(
                at.iter()
                    .any(|o| o.name == op.name && o.service == op.service)
            );
            for other in at {
                assert_eq!(
                    required(other),
                    required(op),
                    "{}.{} and {}.{}",
                    op.service,
                    op.name,
                    other.service,
                    other.name
                );
            }
        }
    }
}
