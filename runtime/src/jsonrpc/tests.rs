//! The endpoint in front of an `ApiServer` with one service, without sockets: login, a call of
//! an operation that has a REST mapping and of one that has none (JSON-RPC only), a declared
//! error, and the REST side of the same service still served.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::dispatch::{Routes, answer};
use crate::server::{ApiServer, Credentials};
use crate::{HttpMethod, OperationDescriptor, RestBody, RestMapping, Unhandled};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "com.vmware.test.errors.NotFound")]
struct NotFound {
    messages: Vec<String>,
}

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.messages.join("; "))
    }
}

impl std::error::Error for NotFound {}

#[derive(Debug)]
enum GetError {
    NotFound(NotFound),
    Unhandled(Unhandled),
}
crate::codegen::error_enum!(GetError { NotFound(NotFound) = "NOT_FOUND" } Unhandled);

#[derive(Debug, Serialize)]
#[serde(rename = "com.vmware.test.Thing.Info")]
struct ThingInfo {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<i64>,
}

static GET: OperationDescriptor = OperationDescriptor {
    service: "com.vmware.test.thing",
    name: "get",
    params: &["thing_id", "size"],
    privileges: &[],
    errors: &[],
    rest: Some(RestMapping {
        method: HttpMethod::Get,
        path: "/things/{thing}",
        action: None,
        path_params: &[("thing", "thing_id")],
        query: &[],
        headers: &[],
        body: RestBody::None,
    }),
};

/// An operation with no REST mapping: reachable over JSON-RPC only.
static COUNT: OperationDescriptor = OperationDescriptor {
    service: "com.vmware.test.thing",
    name: "count",
    params: &[],
    privileges: &[],
    errors: &[],
    rest: None,
};

fn app() -> axum::Router {
    let routes = Routes::new(Arc::new(()))
        .op(&GET, &[], |_, mut a| {
            let thing: String = a.next()?;
            let size: Option<i64> = a.next()?;
            let result = if thing == "missing" {
                Err(GetError::from(NotFound {
                    messages: vec![format!("no {thing}")],
                }))
            } else {
                Ok(ThingInfo { name: thing, size })
            };
            answer(std::future::ready(result))
        })
        .op(&COUNT, &[], |_, _| {
            answer(std::future::ready(Ok::<_, GetError>(3_i64)))
        });
    let api = ApiServer::new(Credentials::new("u", "p"))
        .service(routes.into_router())
        .into_router();
    super::endpoint(api, 4096)
}

async fn post(app: &axum::Router, body: Value) -> Value {
    let request = Request::post("/api")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    serde_json::from_slice(&body).unwrap()
}

fn invoke(operation: &str, input: Value, security: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": "invoke", "id": 1, "params": {
        "serviceId": if operation == "create" { "com.vmware.cis.session" } else { "com.vmware.test.thing" },
        "operationId": operation,
        "input": {"STRUCTURE": {"operation-input": input}},
        "ctx": {"appCtx": {}, "securityCtx": security},
    }})
}

#[tokio::test]
async fn operations_with_and_without_a_rest_mapping_are_invoked() {
    let app = app();
    let user_pass = json!({"schemeId": "com.vmware.vapi.std.security.user_pass",
        "userName": "u", "password": {"SECRET": "p"}});
    let login = post(&app, invoke("create", json!({}), user_pass)).await;
    let session = login["result"]["output"]["SECRET"]
        .as_str()
        .unwrap()
        .to_owned();
    let ctx = json!({"schemeId": "com.vmware.vapi.std.security.session_id", "sessionId": session});

    let got = post(
        &app,
        invoke(
            "get",
            json!({"thing_id": "a", "size": {"OPTIONAL": null}}),
            ctx.clone(),
        ),
    )
    .await;
    assert_eq!(
        got,
        json!({"jsonrpc": "2.0", "id": 1, "result": {"output": {"STRUCTURE": {
            "com.vmware.test.thing.info": {"name": "a", "size": {"OPTIONAL": null}}}}}})
    );
    let sized = post(
        &app,
        invoke(
            "get",
            json!({"thing_id": "a", "size": {"OPTIONAL": 9}}),
            ctx.clone(),
        ),
    )
    .await;
    assert_eq!(
        sized["result"]["output"]["STRUCTURE"]["com.vmware.test.thing.info"]["size"],
        json!({"OPTIONAL": 9})
    );
    let count = post(&app, invoke("count", json!({}), ctx.clone())).await;
    assert_eq!(count["result"], json!({"output": 3}));

    let missing = post(
        &app,
        invoke("get", json!({"thing_id": "missing"}), ctx.clone()),
    )
    .await;
    assert_eq!(
        missing["result"],
        json!({"error": {"ERROR": {"com.vmware.test.errors.not_found": {"messages": ["no missing"]}}}})
    );

    // The REST side of the same service, in the same session.
    let rest = Request::get("/api/things/b")
        .header("vmware-api-session-id", &session)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(rest).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap(),
        json!({"name": "b"})
    );
}

#[tokio::test]
async fn answers_name_the_operation_they_answered() {
    let app = app();
    let call = |body: String| Request::post("/api").body(Body::from(body)).unwrap();
    let response = app
        .clone()
        .oneshot(call(invoke("count", json!({}), Value::Null).to_string()))
        .await
        .unwrap();
    assert_eq!(
        super::answered(&response),
        Some("com.vmware.test.thing.count")
    );
    let not_a_call = app.clone().oneshot(call("[]".to_owned())).await.unwrap();
    assert_eq!(super::answered(&not_a_call), None);
}
