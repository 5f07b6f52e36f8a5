//! vAPI JSON-RPC 2.0 on `POST /api`, over HTTP(S) on 127.0.0.1: login through
//! `com.vmware.cis.session`, one call of each service, vAPI errors by name, bad envelopes.
//!
//! The request vectors are what VMware's Python SDK 9.1.1.0 sends (`create_vsphere_client` and
//! the `com.vmware.content.library.item` stubs, captured with a `requests` response hook while
//! `sim/sdk-check/vsphere_client.py` ran against the simulator): only ids, `opId`s and the
//! session id are replaced. The answers' shapes are those that SDK read back without error in
//! the same run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};

struct Sim {
    http: reqwest::Client,
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start() -> Sim {
    start_with(|_| {}).await
}

async fn start_with(configure: impl FnOnce(&mut vapi_sim::SimConfig)) -> Sim {
    let (addr, _, task) = vapi_sim::spawn("127.0.0.1:0", configure).await.unwrap();
    Sim {
        http: reqwest::Client::new(),
        url: format!("http://{addr}/api"),
        task,
    }
}

impl Sim {
    /// POSTs `body` (JSON text) to `/api`: the status and the answer as JSON.
    async fn post(&self, body: impl Into<reqwest::Body>) -> (u16, Value) {
        let response = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// Invokes `operation` of `service` with `input` (the fields of `operation-input`) in the
    /// session `session` (none: no security context): the method result.
    async fn invoke(&self, service: &str, operation: &str, input: Value, session: &str) -> Value {
        let mut ctx = json!({"appCtx": {"opId": "7c1f0b2e-test"}});
        if !session.is_empty() {
            ctx["securityCtx"] = json!({
                "schemeId": "com.vmware.vapi.std.security.session_id",
                "sessionId": session,
            });
        }
        let request = json!({"jsonrpc": "2.0", "method": "invoke", "params": {
            "serviceId": service, "operationId": operation,
            "input": {"STRUCTURE": {"operation-input": input}},
            "ctx": ctx,
        }, "id": "5"});
        let (status, answer) = self.post(request.to_string()).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["jsonrpc"], "2.0");
        assert_eq!(answer["id"], "5", "the answer carries the request's id");
        answer["result"].clone()
    }

    /// Logs in as the SDK does: the session id.
    async fn login(&self) -> String {
        // As create_vsphere_client sends it.
        let login = r#"{"jsonrpc":"2.0","method":"invoke","params":{"serviceId":"com.vmware.cis.session","operationId":"create","input":{"STRUCTURE":{"operation-input":{}}},"ctx":{"appCtx":{"opId":"2dece8e5-f030-4f04-b63a-7f1e8e347360"},"securityCtx":{"schemeId":"com.vmware.vapi.std.security.user_pass","userName":"administrator@vsphere.local","password":"vmware"}}},"id":"0"}"#;
        let (status, answer) = self.post(login).await;
        assert_eq!(status, 200);
        assert_eq!(answer["id"], "0");
        answer["result"]["output"]["SECRET"]
            .as_str()
            .expect("the session id is a SECRET")
            .to_owned()
    }
}

/// Logs in as `user` (with the simulator's password): the method result.
async fn login_as(sim: &Sim, user: &str) -> Value {
    let login = json!({"jsonrpc": "2.0", "method": "invoke", "params": {
        "serviceId": "com.vmware.cis.session", "operationId": "create",
        "input": {"STRUCTURE": {"operation-input": {}}},
        "ctx": {"appCtx": {}, "securityCtx": {
            "schemeId": "com.vmware.vapi.std.security.user_pass",
            "userName": user, "password": vapi_sim::DEFAULT_PASSWORD}}},
        "id": "0"});
    let (status, answer) = sim.post(login.to_string()).await;
    assert_eq!(status, 200);
    answer["result"].clone()
}

/// The vAPI name and message of an `ERROR` method result.
fn error_of(result: &Value) -> (String, String) {
    let (name, fields) = result["error"]["ERROR"]
        .as_object()
        .and_then(|e| e.iter().next())
        .unwrap_or_else(|| panic!("not an ERROR: {result}"));
    let message = &fields["messages"][0]["STRUCTURE"]["com.vmware.vapi.std.localizable_message"];
    (
        name.clone(),
        message["default_message"].as_str().unwrap_or("").to_owned(),
    )
}

/// The fields of the structure `name` in a data value.
fn fields<'a>(value: &'a Value, name: &str) -> &'a Value {
    let fields = &value["STRUCTURE"][name];
    assert!(fields.is_object(), "no STRUCTURE {name} in {value}");
    fields
}

#[tokio::test]
async fn the_sdk_logs_in_reads_its_session_and_logs_out() {
    let sim = start().await;
    let session = sim.login().await;
    assert_eq!(session.len(), 32);
    let info = sim
        .invoke("com.vmware.cis.session", "get", json!({}), &session)
        .await;
    let info = fields(&info["output"], "com.vmware.cis.session.info");
    assert_eq!(info["user"], vapi_sim::DEFAULT_USER);
    assert!(info["created_time"].as_str().unwrap().ends_with('Z'));
    // The session is the REST side's too.
    let rest = sim
        .http
        .get(format!("{}/session", sim.url))
        .header("vmware-api-session-id", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), 200);
    let out = sim
        .invoke("com.vmware.cis.session", "delete", json!({}), &session)
        .await;
    assert_eq!(out, json!({"output": null}));
    let after = sim
        .invoke(
            "com.vmware.content.library.item.file",
            "list",
            json!({"library_item_id": "sim-item-1"}),
            &session,
        )
        .await;
    assert_eq!(
        error_of(&after).0,
        "com.vmware.vapi.std.errors.unauthenticated"
    );
}

#[tokio::test]
async fn a_wrong_password_or_no_session_is_unauthenticated() {
    let sim = start().await;
    let login = json!({"jsonrpc": "2.0", "method": "invoke", "params": {
        "serviceId": "com.vmware.cis.session", "operationId": "create",
        "input": {"STRUCTURE": {"operation-input": {}}},
        "ctx": {"appCtx": {}, "securityCtx": {
            "schemeId": "com.vmware.vapi.std.security.user_pass",
            "userName": "administrator@vsphere.local", "password": "wrong"}}},
        "id": "0"});
    let (status, answer) = sim.post(login.to_string()).await;
    assert_eq!(status, 200);
    let (name, _) = error_of(&answer["result"]);
    assert_eq!(name, "com.vmware.vapi.std.errors.unauthenticated");
    let error = &answer["result"]["error"]["ERROR"][&name];
    assert_eq!(error["error_type"], json!({"OPTIONAL": "UNAUTHENTICATED"}));
    assert_eq!(error["data"], json!({"OPTIONAL": null}));
    for session in ["", "not-a-session"] {
        let result = sim
            .invoke(
                "com.vmware.content.library.item.file",
                "list",
                json!({"library_item_id": "sim-item-1"}),
                session,
            )
            .await;
        assert_eq!(
            error_of(&result).0,
            "com.vmware.vapi.std.errors.unauthenticated"
        );
    }
}

/// One call of each of the seven services, with the SDK's encoding of its input; results in
/// vAPI's (structures named canonically, optionals tagged, unset ones `{"OPTIONAL": null}`).
#[tokio::test]
async fn each_service_answers_in_the_vapi_data_encoding() {
    let sim = start().await;
    let s = sim.login().await;
    let item = vapi_sim::DEFAULT_ITEM;

    // UpdateSession.create, exactly as the SDK encodes an UpdateSessionModel.
    let created = sim
        .invoke(
            "com.vmware.content.library.item.update_session",
            "create",
            json!({
        "client_token": {"OPTIONAL": null},
        "create_spec": {"STRUCTURE": {"com.vmware.content.library.item.update_session_model": {
            "id": {"OPTIONAL": null}, "library_item_id": {"OPTIONAL": item},
            "library_item_content_version": {"OPTIONAL": null}, "error_message": {"OPTIONAL": null},
            "client_progress": {"OPTIONAL": null}, "state": {"OPTIONAL": null},
            "expiration_time": {"OPTIONAL": null}, "preview_info": {"OPTIONAL": null},
            "warning_behavior": {"OPTIONAL": null}}}}}),
            &s,
        )
        .await;
    let u = created["output"]
        .as_str()
        .expect("an id is a string")
        .to_owned();

    // updatesession.File.add, as the SDK encodes a File.AddSpec.
    let added = sim
        .invoke(
            "com.vmware.content.library.item.updatesession.file",
            "add",
            json!({
        "update_session_id": u,
        "file_spec": {"STRUCTURE": {"com.vmware.content.library.item.updatesession.file.add_spec": {
            "name": "disk.bin", "source_type": "PUSH", "source_endpoint": {"OPTIONAL": null},
            "size": {"OPTIONAL": 8}, "checksum_info": {"OPTIONAL": null}}}}}),
            &s,
        )
        .await;
    let info = fields(
        &added["output"],
        "com.vmware.content.library.item.updatesession.file.info",
    );
    assert_eq!(info["name"], "disk.bin");
    assert_eq!(info["source_type"], "PUSH");
    assert_eq!(info["status"], "WAITING_FOR_TRANSFER");
    assert_eq!(info["size"], json!({"OPTIONAL": 8}));
    assert_eq!(info["checksum_info"], json!({"OPTIONAL": null}));
    let endpoint = fields(
        &info["upload_endpoint"]["OPTIONAL"],
        "com.vmware.content.library.item.transfer_endpoint",
    );
    let upload = endpoint["uri"].as_str().unwrap();
    let put = sim.http.put(upload).body("8 bytes!").send().await.unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    let validated = sim
        .invoke(
            "com.vmware.content.library.item.updatesession.file",
            "validate",
            json!({"update_session_id": u}),
            &s,
        )
        .await;
    let result = fields(
        &validated["output"],
        "com.vmware.content.library.item.updatesession.file.validation_result",
    );
    assert_eq!(result["has_errors"], false);
    let done = sim
        .invoke(
            "com.vmware.content.library.item.update_session",
            "complete",
            json!({"update_session_id": u}),
            &s,
        )
        .await;
    assert_eq!(
        done,
        json!({"output": null}),
        "a void operation answers null"
    );

    // File.get and Storage.list of the item.
    let file = sim
        .invoke(
            "com.vmware.content.library.item.file",
            "get",
            json!({"library_item_id": item, "name": "disk.bin"}),
            &s,
        )
        .await;
    let file = fields(&file["output"], "com.vmware.content.library.item.file.info");
    assert_eq!(file["size"], 8);
    let checksum = fields(
        &file["checksum_info"]["OPTIONAL"],
        "com.vmware.content.library.item.file.checksum_info",
    );
    assert_eq!(checksum["algorithm"], json!({"OPTIONAL": "SHA256"}));
    let storage = sim
        .invoke(
            "com.vmware.content.library.item.storage",
            "list",
            json!({"library_item_id": item}),
            &s,
        )
        .await;
    let storage = fields(
        &storage["output"][0],
        "com.vmware.content.library.item.storage.info",
    );
    fields(
        &storage["storage_backing"],
        "com.vmware.content.library.storage_backing",
    );

    // Changes.list: a list of structures; the datetime as vAPI writes it.
    let changes = sim
        .invoke(
            "com.vmware.content.library.item.changes",
            "list",
            json!({"library_item": item}),
            &s,
        )
        .await;
    let summary = fields(
        &changes["output"][0],
        "com.vmware.content.library.item.changes.summary",
    );
    let time = summary["time"].as_str().unwrap();
    assert_eq!(
        (time.len(), &time[19..20], &time[23..]),
        (24, ".", "Z"),
        "{time}"
    );

    // DownloadSession.create, keep_alive with an optional long, downloadsession.File.prepare
    // with an optional enumeration.
    let d = sim
        .invoke(
            "com.vmware.content.library.item.download_session",
            "create",
            json!({
        "client_token": {"OPTIONAL": null},
        "create_spec": {"STRUCTURE": {"com.vmware.content.library.item.download_session_model": {
            "client_progress": {"OPTIONAL": null}, "error_message": {"OPTIONAL": null},
            "expiration_time": {"OPTIONAL": null}, "id": {"OPTIONAL": null},
            "library_item_content_version": {"OPTIONAL": null},
            "library_item_id": {"OPTIONAL": item}, "state": {"OPTIONAL": null}}}}}),
            &s,
        )
        .await;
    let d = d["output"].as_str().unwrap().to_owned();
    let kept = sim
        .invoke(
            "com.vmware.content.library.item.download_session",
            "keep_alive",
            json!({"download_session_id": d, "progress": {"OPTIONAL": 5}}),
            &s,
        )
        .await;
    assert_eq!(kept, json!({"output": null}));
    let prepared = sim.invoke("com.vmware.content.library.item.downloadsession.file", "prepare",
        json!({"download_session_id": d, "file_name": "disk.bin", "endpoint_type": {"OPTIONAL": "HTTPS"}}), &s).await;
    let prepared = fields(
        &prepared["output"],
        "com.vmware.content.library.item.downloadsession.file.info",
    );
    assert_eq!(prepared["name"], "disk.bin");
    let model = sim
        .invoke(
            "com.vmware.content.library.item.download_session",
            "get",
            json!({"download_session_id": d}),
            &s,
        )
        .await;
    let model = fields(
        &model["output"],
        "com.vmware.content.library.item.download_session_model",
    );
    assert_eq!(model["client_progress"], json!({"OPTIONAL": 5}));
    assert_eq!(model["state"], json!({"OPTIONAL": "ACTIVE"}));
}

#[tokio::test]
async fn declared_errors_travel_as_vapi_errors_by_name() {
    let sim = start().await;
    let s = sim.login().await;
    let missing = sim
        .invoke(
            "com.vmware.content.library.item.file",
            "get",
            json!({"library_item_id": vapi_sim::DEFAULT_ITEM, "name": "absent.bin"}),
            &s,
        )
        .await;
    let (name, message) = error_of(&missing);
    assert_eq!(name, "com.vmware.vapi.std.errors.not_found");
    assert!(message.contains("absent.bin"), "{message}");
    let error = &missing["error"]["ERROR"][&name];
    assert_eq!(error["error_type"], json!({"OPTIONAL": "NOT_FOUND"}));
    let m = &error["messages"][0]["STRUCTURE"]["com.vmware.vapi.std.localizable_message"];
    assert_eq!(m["params"], json!({"OPTIONAL": null}));
    assert!(m["args"].is_array());

    // A required parameter missing, or of the wrong type: INVALID_ARGUMENT naming it.
    let absent = sim
        .invoke(
            "com.vmware.content.library.item.file",
            "get",
            json!({"library_item_id": vapi_sim::DEFAULT_ITEM}),
            &s,
        )
        .await;
    let (name, message) = error_of(&absent);
    assert_eq!(name, "com.vmware.vapi.std.errors.invalid_argument");
    assert!(message.contains("`name` is required"), "{message}");
    let wrong = sim
        .invoke(
            "com.vmware.content.library.item.download_session",
            "keep_alive",
            json!({"download_session_id": "x", "progress": {"OPTIONAL": "many"}}),
            &s,
        )
        .await;
    let (name, message) = error_of(&wrong);
    assert_eq!(name, "com.vmware.vapi.std.errors.invalid_argument");
    assert!(message.contains("progress"), "{message}");

    // An operation or a service that is not served.
    for (service, operation) in [
        ("com.vmware.content.library.item.file", "delete"),
        ("com.vmware.content.library.item.nothing", "get"),
        ("com.vmware.cis.session", "list"),
    ] {
        let result = sim.invoke(service, operation, json!({}), &s).await;
        let (name, message) = error_of(&result);
        assert_eq!(name, "com.vmware.vapi.std.errors.operation_not_found");
        assert!(message.contains(operation), "{message}");
    }
}

#[tokio::test]
async fn bad_envelopes_get_json_rpc_errors() {
    let sim = start().await;
    let s = sim.login().await;
    let call = |params: Value| {
        json!({"jsonrpc": "2.0", "method": "invoke", "id": 7, "params": params}).to_string()
    };
    let cases: Vec<(String, i64, Value)> = vec![
        ("{not json".into(), -32700, Value::Null),
        ("[]".into(), -32600, Value::Null),
        (
            r#"{"jsonrpc":"2.0","method":"invoke","params":{}}"#.into(),
            -32600,
            Value::Null,
        ),
        (
            r#"{"jsonrpc":"1.0","method":"invoke","id":1}"#.into(),
            -32600,
            Value::Null,
        ),
        (
            r#"{"jsonrpc":"2.0","method":"describe","id":1}"#.into(),
            -32601,
            json!(1),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"invoke","id":"a"}"#.into(),
            -32602,
            json!("a"),
        ),
        (
            call(json!({"serviceId": 1, "operationId": "get"})),
            -32602,
            json!(7),
        ),
        (
            call(json!({"serviceId": "s", "operationId": "get", "input": {"x": 1}})),
            -32602,
            json!(7),
        ),
        (
            call(
                json!({"serviceId": "s", "operationId": "get", "input": {"STRUCTURE": {"operation-input": {"a": {"WHAT": 1}}}}}),
            ),
            -32602,
            json!(7),
        ),
        (
            call(
                json!({"serviceId": "s", "operationId": "get", "input": {"STRUCTURE": {"operation-input": {}}}, "ctx": 3}),
            ),
            -32602,
            json!(7),
        ),
    ];
    for (body, code, id) in cases {
        let (status, answer) = sim.post(body.clone()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(answer["error"]["code"], code, "{body} → {answer}");
        assert_eq!(answer["id"], id, "{body}");
        assert!(answer["error"]["message"].as_str().unwrap().len() > 10);
        assert!(answer.get("result").is_none());
    }
    // The vapi-service header names another service than the body: -31001, as vAPI has it.
    let body = call(
        json!({"serviceId": "com.vmware.content.library.item.file", "operationId": "list",
        "input": {"STRUCTURE": {"operation-input": {"library_item_id": "sim-item-1"}}},
        "ctx": {"securityCtx": {"schemeId": "com.vmware.vapi.std.security.session_id", "sessionId": s}}}),
    );
    let answer: Value = sim
        .http
        .post(&sim.url)
        .header("vapi-service", "com.vmware.other")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["error"]["code"], -31001, "{answer}");
}

#[tokio::test]
async fn hostile_input_is_bounded_and_the_route_for_the_endpoint_is_closed() {
    let sim = start().await;
    let s = sim.login().await;
    // Nested 100,000 deep: a parse error, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let (status, answer) = sim.post(deep).await;
    assert_eq!(
        (status, answer["error"]["code"].as_i64()),
        (200, Some(-32700))
    );
    // A body over the limit (1 KiB here, so that the client has sent it all before the
    // answer): a JSON-RPC error (vAPI servers answer every call with 200).
    let small = start_with(|c| c.body_limit = 1024).await;
    let (status, answer) = small
        .post(format!("{{\"pad\":\"{}\"}}", "x".repeat(4096)))
        .await;
    assert_eq!(
        (status, answer["error"]["code"].as_i64()),
        (200, Some(-32600))
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1024 bytes")
    );
    // Other methods on /api, and the route the generated routers keep for the endpoint from
    // outside: OPERATION_NOT_FOUND, as a path no operation has.
    let get = sim.http.get(&sim.url).send().await.unwrap();
    assert_eq!(get.status(), 404);
    assert_eq!(
        get.json::<Value>().await.unwrap()["error_type"],
        "OPERATION_NOT_FOUND"
    );
    let inside = sim
        .http
        .post(format!(
            "{}/__jsonrpc/com.vmware.content.library.item.file",
            sim.url
        ))
        .header("vmware-api-session-id", &s)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(inside.status(), 404);
    let body: Value = inside.json().await.unwrap();
    assert_eq!(body["error_type"], "OPERATION_NOT_FOUND");
    // And the simulator still serves.
    let list = sim
        .invoke(
            "com.vmware.content.library.item.file",
            "list",
            json!({"library_item_id": vapi_sim::DEFAULT_ITEM}),
            &s,
        )
        .await;
    assert_eq!(list, json!({"output": []}));
}

#[tokio::test]
async fn json_rpc_is_served_over_https() {
    let identity = vapi_sim::TlsIdentity::self_signed(&[]).unwrap();
    let pem = identity.cert_pem().to_owned();
    let (addr, _, task) = vapi_sim::spawn("127.0.0.1:0", |c| c.tls = Some(identity))
        .await
        .unwrap();
    let sim = Sim {
        http: reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
            .build()
            .unwrap(),
        url: format!("https://{addr}/api"),
        task,
    };
    let s = sim.login().await;
    let list = sim
        .invoke(
            "com.vmware.content.library.item.download_session",
            "list",
            json!({"library_item_id": {"OPTIONAL": null}}),
            &s,
        )
        .await;
    assert_eq!(list, json!({"output": []}));
}

/// A user without an operation's privileges gets `UNAUTHORIZED` over JSON-RPC as over REST:
/// the simulator's privilege check sees which operation a JSON-RPC call invokes.
#[tokio::test]
async fn privileges_are_checked_per_invoked_operation() {
    let sim = start_with(|c| c.limited_users.push("reader@x=".parse().unwrap())).await;
    let login = login_as(&sim, "reader@x").await;
    let s = login["output"]["SECRET"].as_str().unwrap().to_owned();
    let list = sim
        .invoke(
            "com.vmware.content.library.item.file",
            "list",
            json!({"library_item_id": vapi_sim::DEFAULT_ITEM}),
            &s,
        )
        .await;
    let (name, message) = error_of(&list);
    assert_eq!(name, "com.vmware.vapi.std.errors.unauthorized");
    assert!(message.contains("reader@x"), "{message}");
    // The administrator holds every privilege.
    let admin = sim.login().await;
    let list = sim
        .invoke(
            "com.vmware.content.library.item.file",
            "list",
            json!({"library_item_id": vapi_sim::DEFAULT_ITEM}),
            &admin,
        )
        .await;
    assert_eq!(list, json!({"output": []}));
}
