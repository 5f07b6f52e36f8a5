//! The send path's decisions: what may be repeated, client tokens, refused connections and
//! what `Debug` shows of the credentials.

use super::*;

#[test]
fn what_may_be_repeated() {
    let get = Request::new(HttpMethod::Get, "/x");
    assert!(get.may_repeat());
    let mut post = Request::new(HttpMethod::Post, "/x");
    assert!(!post.may_repeat());
    post.header_value("Client-Token", &Some("t-1")).ok();
    assert!(post.may_repeat());
    let mut none = Request::new(HttpMethod::Post, "/x");
    none.header_value("Client-Token", &None::<String>).ok();
    assert!(!none.may_repeat(), "an unset client token is no header");
    let mut delete = Request::new(HttpMethod::Delete, "/x");
    assert!(!delete.may_repeat());
    delete.idempotent(true);
    assert!(delete.may_repeat());
}

#[test]
fn client_tokens_are_filled_in_for_operations_that_take_one() {
    use crate::{RestBody, RestMapping};
    const CREATE: OperationDescriptor = OperationDescriptor {
        service: "com.vmware.content.library.item.update_session",
        name: "create",
        params: &["client_token", "create_spec"],
        privileges: &[],
        errors: &[],
        rest: Some(RestMapping {
            method: HttpMethod::Post,
            path: "/content/library/item/update-session",
            action: None,
            path_params: &[],
            query: &[],
            headers: &[("Client-Token", "client_token")],
            body: RestBody::Param("create_spec"),
        }),
    };
    const DELETE: OperationDescriptor = OperationDescriptor {
        name: "delete",
        rest: None,
        ..CREATE
    };
    let token = |r: &Request| {
        r.headers
            .iter()
            .find(|(n, _)| n == CLIENT_TOKEN)
            .map(|(_, v)| v.clone())
    };

    let mut create = Request::new(HttpMethod::Post, "/content/library/item/update-session");
    create.operation(&CREATE);
    assert!(!create.may_repeat());
    create.fill_client_token();
    assert!(create.may_repeat());
    let first = token(&create).unwrap();
    assert_eq!(first.len(), 36, "{first}");
    assert_eq!(first.as_bytes()[14], b'4', "a version-4 UUID: {first}");
    create.fill_client_token();
    assert_eq!(create.headers.len(), 1, "filled in once");

    let mut again = Request::new(HttpMethod::Post, "/content/library/item/update-session");
    again.operation(&CREATE).fill_client_token();
    assert_ne!(token(&again), Some(first), "a new token per call");

    let mut own = Request::new(HttpMethod::Post, "/content/library/item/update-session");
    own.header_value("client-token", &"mine").unwrap();
    own.operation(&CREATE).fill_client_token();
    assert_eq!(
        own.headers,
        [("client-token".to_owned(), "mine".to_owned())]
    );

    let mut delete = Request::new(HttpMethod::Delete, "/x");
    delete.operation(&DELETE).fill_client_token();
    assert!(
        delete.headers.is_empty(),
        "the operation takes no client token"
    );
    assert!(!delete.may_repeat());
}

/// A port nothing listens on: connections to it are refused at once.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

#[tokio::test]
async fn a_refused_connection_is_retried_for_any_call() {
    let connection = ClientBuilder::new(closed_port())
        .retry(
            RetryConfig::standard()
                .initial_backoff(Duration::from_millis(1))
                .max_attempts(4),
        )
        .build()
        .unwrap();
    let failure = connection
        .send_once(&Request::new(HttpMethod::Post, "/x"))
        .await
        .unwrap_err();
    assert_eq!(failure.kind, FailureKind::Connect, "{failure:?}");
    // The request never left, so even a create is tried again.
    let (outcome, attempts) = connection
        .send_resilient(&Request::new(HttpMethod::Post, "/x"))
        .await;
    assert!(outcome.is_err());
    assert_eq!(attempts, 4);
}

#[test]
fn passwords_stay_out_of_debug_output() {
    let r = Resilience::default();
    r.remember("administrator@vsphere.local", "hunter2");
    let shown = format!("{r:?}");
    assert!(shown.contains("administrator@vsphere.local"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
    r.forget();
    assert!(r.credentials().is_none());
}
