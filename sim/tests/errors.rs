//! Every error every operation documents, reached in the simulator over HTTP on 127.0.0.1
//! through the generated clients: one table row per (operation, error), and a test that fails
//! when an operation's generated metadata (`OPERATIONS[..].errors`) names an error the table has
//! no row for, so an error added to the IDL cannot go untested.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::downloadsession::{self as dls, File as _};
use vapi_bindings::content::library::item::updatesession::{self as ups, File as _};
use vapi_bindings::content::library::item::{
    Changes as _, DownloadSession as _, DownloadSessionId, File as _, Storage as _,
    UpdateSession as _, UpdateSessionId, UpdateSessionModel, VersionId, changes, download_session,
    file, storage, update_session,
};
use vapi_runtime::OperationDescriptor;
use vapi_runtime::client::Connection;
use vapi_runtime::dispatch::OperationError;

const MISSING: &str = "00000000-0000-4000-8000-000000000000";
const FILE: &str = "disk-0.vmdk";
const BUSY: &str = "busy-item";
const ODD: &str = "odd-item";
const ODD_NAME: &str = "odd\u{1}name.txt";
const SUBSCRIBED: &str = "subscribed-item";
const NOBODY: &str = "nobody@vsphere.local";
const BROKEN: &str = "broken-item";

/// What the cases call: connections as the administrator, as a user without privileges,
/// without a session, and to a simulator whose stored history is broken; and sessions in each
/// state.
struct Ctx {
    admin: Connection,
    nobody: Connection,
    anonymous: Connection,
    broken: Connection,
    active_update: UpdateSessionId,
    done_update: UpdateSessionId,
    canceled_download: DownloadSessionId,
    active_download: DownloadSessionId,
}

type Outcome<'a> = Pin<Box<dyn Future<Output = String> + Send + 'a>>;
/// (service id, operation, documented error type, call).
type Case = (
    &'static str,
    &'static str,
    &'static str,
    fn(&Ctx) -> Outcome<'_>,
);

/// The error type an operation answered: its declared variant's wire name, `undeclared X`,
/// or `OK`.
fn kind<T, E: OperationError + std::fmt::Debug>(r: Result<T, E>) -> String {
    match r {
        Ok(_) => "OK".into(),
        Err(e) => match e.parts() {
            Ok((wire, _)) => wire.to_owned(),
            Err(u) => format!("undeclared {:?}: {u}", u.error_type()),
        },
    }
}

macro_rules! case {
    ($service:path, $op:literal, $kind:literal, $x:ident => $client:expr, $method:ident($($arg:expr),*)) => {
        (
            {
                use $service as s;
                s::SERVICE_ID
            },
            $op,
            $kind,
            |$x: &Ctx| -> Outcome<'_> {
                Box::pin(async move {
                    let client = $client;
                    kind(client.$method($($arg),*).await)
                })
            },
        )
    };
}

fn us(c: &Connection) -> update_session::Client {
    update_session::Client::new(c.clone())
}
fn ds(c: &Connection) -> download_session::Client {
    download_session::Client::new(c.clone())
}
fn uf(c: &Connection) -> ups::file::Client {
    ups::file::Client::new(c.clone())
}
fn df(c: &Connection) -> dls::file::Client {
    dls::file::Client::new(c.clone())
}
fn files(c: &Connection) -> file::Client {
    file::Client::new(c.clone())
}
fn store(c: &Connection) -> storage::Client {
    storage::Client::new(c.clone())
}
fn history(c: &Connection) -> changes::Client {
    changes::Client::new(c.clone())
}
fn item(id: &str) -> ItemId {
    ItemId::new(id)
}
fn gone_u() -> UpdateSessionId {
    UpdateSessionId::new(MISSING)
}
fn gone_d() -> DownloadSessionId {
    DownloadSessionId::new(MISSING)
}
fn push(name: &str) -> ups::FileAddSpec {
    ups::FileAddSpec::new(name.into(), ups::FileSourceType::Push)
}
fn bad_warning() -> UpdateSessionModel {
    UpdateSessionModel {
        warning_behavior: Some(vec![ups::WarningBehavior::new(
            ups::WarningType::from("NO_SUCH_WARNING"),
            true,
        )]),
        ..Default::default()
    }
}

const D: &str = vapi_sim::DEFAULT_ITEM;

fn cases() -> Vec<Case> {
    vec![
        // Changes
        case!(changes, "list", "NOT_FOUND", x => history(&x.admin), list(item(MISSING))),
        case!(changes, "list", "UNAUTHENTICATED", x => history(&x.anonymous), list(item(D))),
        case!(changes, "list", "UNAUTHORIZED", x => history(&x.nobody), list(item(D))),
        case!(changes, "list", "ERROR", x => history(&x.broken), list(item(BROKEN))),
        case!(changes, "get", "NOT_FOUND", x => history(&x.admin), get(item(D), VersionId::new("999"))),
        case!(changes, "get", "UNAUTHENTICATED", x => history(&x.anonymous), get(item(D), VersionId::new("1"))),
        case!(changes, "get", "UNAUTHORIZED", x => history(&x.nobody), get(item(D), VersionId::new("1"))),
        case!(changes, "get", "ERROR", x => history(&x.broken), get(item(BROKEN), VersionId::new("1"))),
        // DownloadSession
        case!(download_session, "create", "INVALID_ARGUMENT", x => ds(&x.admin), create(Some("not-a-uuid".into()), common::download_spec(D))),
        case!(download_session, "create", "NOT_FOUND", x => ds(&x.admin), create(None, common::download_spec(MISSING))),
        case!(download_session, "create", "UNAUTHORIZED", x => ds(&x.nobody), create(None, common::download_spec(D))),
        case!(download_session, "get", "NOT_FOUND", x => ds(&x.admin), get(gone_d())),
        case!(download_session, "get", "UNAUTHORIZED", x => ds(&x.nobody), get(x.active_download.clone())),
        case!(download_session, "list", "NOT_FOUND", x => ds(&x.admin), list(Some(vapi_runtime::Id::new(MISSING)))),
        case!(download_session, "list", "UNAUTHORIZED", x => ds(&x.nobody), list(None)),
        case!(download_session, "keep_alive", "NOT_FOUND", x => ds(&x.admin), keep_alive(gone_d(), None)),
        case!(download_session, "keep_alive", "NOT_ALLOWED_IN_CURRENT_STATE", x => ds(&x.admin), keep_alive(x.canceled_download.clone(), None)),
        case!(download_session, "keep_alive", "UNAUTHORIZED", x => ds(&x.nobody), keep_alive(x.active_download.clone(), None)),
        case!(download_session, "cancel", "NOT_FOUND", x => ds(&x.admin), cancel(gone_d())),
        case!(download_session, "cancel", "NOT_ALLOWED_IN_CURRENT_STATE", x => ds(&x.admin), cancel(x.canceled_download.clone())),
        case!(download_session, "cancel", "UNAUTHORIZED", x => ds(&x.nobody), cancel(x.active_download.clone())),
        case!(download_session, "delete", "NOT_FOUND", x => ds(&x.admin), delete(gone_d())),
        case!(download_session, "delete", "UNAUTHORIZED", x => ds(&x.nobody), delete(x.active_download.clone())),
        case!(download_session, "fail", "NOT_FOUND", x => ds(&x.admin), fail(gone_d(), "x".into())),
        case!(download_session, "fail", "NOT_ALLOWED_IN_CURRENT_STATE", x => ds(&x.admin), fail(x.canceled_download.clone(), "x".into())),
        case!(download_session, "fail", "UNAUTHORIZED", x => ds(&x.nobody), fail(x.active_download.clone(), "x".into())),
        // File
        case!(file, "get", "NOT_FOUND", x => files(&x.admin), get(item(D), "no-such-file".into())),
        case!(file, "get", "UNSUPPORTED", x => files(&x.admin), get(item(ODD), ODD_NAME.into())),
        case!(file, "get", "UNAUTHORIZED", x => files(&x.nobody), get(item(D), FILE.into())),
        case!(file, "list", "NOT_FOUND", x => files(&x.admin), list(item(MISSING))),
        case!(file, "list", "UNSUPPORTED", x => files(&x.admin), list(item(ODD))),
        case!(file, "list", "UNAUTHORIZED", x => files(&x.nobody), list(item(D))),
        // Storage
        case!(storage, "get", "NOT_FOUND", x => store(&x.admin), get(item(D), "no-such-file".into())),
        case!(storage, "get", "UNAUTHORIZED", x => store(&x.nobody), get(item(D), FILE.into())),
        case!(storage, "list", "NOT_FOUND", x => store(&x.admin), list(item(MISSING))),
        case!(storage, "list", "UNAUTHORIZED", x => store(&x.nobody), list(item(D))),
        // UpdateSession
        case!(update_session, "create", "INVALID_ARGUMENT", x => us(&x.admin), create(Some("not-a-uuid".into()), common::update_spec(D))),
        case!(update_session, "create", "INVALID_ELEMENT_TYPE", x => us(&x.admin), create(None, common::update_spec(SUBSCRIBED))),
        case!(update_session, "create", "NOT_FOUND", x => us(&x.admin), create(None, common::update_spec(MISSING))),
        case!(update_session, "create", "RESOURCE_BUSY", x => us(&x.admin), create(None, common::update_spec(BUSY))),
        case!(update_session, "create", "UNAUTHORIZED", x => us(&x.nobody), create(None, common::update_spec(D))),
        case!(update_session, "get", "NOT_FOUND", x => us(&x.admin), get(gone_u())),
        case!(update_session, "get", "UNAUTHORIZED", x => us(&x.nobody), get(x.active_update.clone())),
        case!(update_session, "list", "NOT_FOUND", x => us(&x.admin), list(Some(vapi_runtime::Id::new(MISSING)))),
        case!(update_session, "list", "UNAUTHORIZED", x => us(&x.nobody), list(None)),
        case!(update_session, "complete", "NOT_FOUND", x => us(&x.admin), complete(gone_u())),
        case!(update_session, "complete", "NOT_ALLOWED_IN_CURRENT_STATE", x => us(&x.admin), complete(x.done_update.clone())),
        case!(update_session, "complete", "UNAUTHORIZED", x => us(&x.nobody), complete(x.active_update.clone())),
        case!(update_session, "keep_alive", "NOT_FOUND", x => us(&x.admin), keep_alive(gone_u(), None)),
        case!(update_session, "keep_alive", "NOT_ALLOWED_IN_CURRENT_STATE", x => us(&x.admin), keep_alive(x.done_update.clone(), None)),
        case!(update_session, "keep_alive", "UNAUTHORIZED", x => us(&x.nobody), keep_alive(x.active_update.clone(), None)),
        case!(update_session, "cancel", "NOT_FOUND", x => us(&x.admin), cancel(gone_u())),
        case!(update_session, "cancel", "NOT_ALLOWED_IN_CURRENT_STATE", x => us(&x.admin), cancel(x.done_update.clone())),
        case!(update_session, "cancel", "UNAUTHORIZED", x => us(&x.nobody), cancel(x.active_update.clone())),
        case!(update_session, "fail", "NOT_FOUND", x => us(&x.admin), fail(gone_u(), "x".into())),
        case!(update_session, "fail", "NOT_ALLOWED_IN_CURRENT_STATE", x => us(&x.admin), fail(x.done_update.clone(), "x".into())),
        case!(update_session, "fail", "UNAUTHORIZED", x => us(&x.nobody), fail(x.active_update.clone(), "x".into())),
        case!(update_session, "delete", "NOT_FOUND", x => us(&x.admin), delete(gone_u())),
        case!(update_session, "delete", "NOT_ALLOWED_IN_CURRENT_STATE", x => us(&x.admin), delete(x.active_update.clone())),
        case!(update_session, "delete", "UNAUTHORIZED", x => us(&x.nobody), delete(x.done_update.clone())),
        case!(update_session, "update", "NOT_FOUND", x => us(&x.admin), update(gone_u(), UpdateSessionModel::default())),
        case!(update_session, "update", "NOT_ALLOWED_IN_CURRENT_STATE", x => us(&x.admin), update(x.done_update.clone(), UpdateSessionModel::default())),
        case!(update_session, "update", "INVALID_ARGUMENT", x => us(&x.admin), update(x.active_update.clone(), bad_warning())),
        case!(update_session, "update", "UNAUTHORIZED", x => us(&x.nobody), update( x.active_update.clone(), UpdateSessionModel::default() )),
        // downloadsession.File
        case!(dls::file, "list", "NOT_FOUND", x => df(&x.admin), list(gone_d())),
        case!(dls::file, "list", "UNAUTHORIZED", x => df(&x.nobody), list(x.active_download.clone())),
        case!(dls::file, "prepare", "NOT_FOUND", x => df(&x.admin), prepare( gone_d(), FILE.into(), None )),
        case!(dls::file, "prepare", "INVALID_ARGUMENT", x => df(&x.admin), prepare( x.active_download.clone(), "no-such-file".into(), None )),
        case!(dls::file, "prepare", "UNAUTHORIZED", x => df(&x.nobody), prepare(x.active_download.clone(), FILE.into(), None)),
        case!(dls::file, "get", "NOT_FOUND", x => df(&x.admin), get(gone_d(), FILE.into())),
        case!(dls::file, "get", "INVALID_ARGUMENT", x => df(&x.admin), get(x.active_download.clone(), "no-such-file".into())),
        case!(dls::file, "get", "UNAUTHORIZED", x => df(&x.nobody), get(x.active_download.clone(), FILE.into())),
        // updatesession.File
        case!(ups::file, "validate", "NOT_FOUND", x => uf(&x.admin), validate(gone_u())),
        case!(ups::file, "validate", "NOT_ALLOWED_IN_CURRENT_STATE", x => uf(&x.admin), validate(x.done_update.clone())),
        case!(ups::file, "validate", "UNAUTHORIZED", x => uf(&x.nobody), validate(x.active_update.clone())),
        case!(ups::file, "add", "INVALID_ARGUMENT", x => uf(&x.admin), add(x.active_update.clone(), push(""))),
        case!(ups::file, "add", "NOT_FOUND", x => uf(&x.admin), add(gone_u(), push("x"))),
        case!(ups::file, "add", "UNAUTHORIZED", x => uf(&x.nobody), add(x.active_update.clone(), push("x"))),
        case!(ups::file, "add", "NOT_ALLOWED_IN_CURRENT_STATE", x => uf(&x.admin), add(x.done_update.clone(), push("x"))),
        case!(ups::file, "remove", "NOT_FOUND", x => uf(&x.admin), remove(gone_u(), FILE.into())),
        case!(ups::file, "remove", "INVALID_ARGUMENT", x => uf(&x.admin), remove(x.active_update.clone(), "no-such-file".into())),
        case!(ups::file, "remove", "UNAUTHORIZED", x => uf(&x.nobody), remove(x.active_update.clone(), FILE.into())),
        case!(ups::file, "list", "NOT_FOUND", x => uf(&x.admin), list(gone_u())),
        case!(ups::file, "list", "UNAUTHORIZED", x => uf(&x.nobody), list(x.active_update.clone())),
        case!(ups::file, "get", "NOT_FOUND", x => uf(&x.admin), get(gone_u(), FILE.into())),
        case!(ups::file, "get", "INVALID_ARGUMENT", x => uf(&x.admin), get(x.active_update.clone(), "no-such-file".into())),
        case!(ups::file, "get", "UNAUTHORIZED", x => uf(&x.nobody), get(x.active_update.clone(), FILE.into())),
    ]
}

/// Every operation of the seven services, from the generated metadata.
fn operations() -> Vec<&'static OperationDescriptor> {
    [
        changes::OPERATIONS,
        download_session::OPERATIONS,
        file::OPERATIONS,
        storage::OPERATIONS,
        update_session::OPERATIONS,
        dls::file::OPERATIONS,
        ups::file::OPERATIONS,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// `com.vmware.vapi.std.errors.NotAllowedInCurrentState` → `NOT_ALLOWED_IN_CURRENT_STATE`.
fn error_type(name: &str) -> String {
    let short = name.rsplit('.').next().unwrap_or(name);
    let mut out = String::new();
    for (i, c) in short.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// (service, operation, error type) for every error the metadata documents.
fn documented() -> BTreeSet<(&'static str, &'static str, String)> {
    operations()
        .into_iter()
        .flat_map(|op| {
            op.errors
                .iter()
                .map(move |e| (op.service, op.name, error_type(e.error)))
        })
        .collect()
}

#[test]
fn error_type_names_are_the_wire_names() {
    assert_eq!(
        error_type("com.vmware.vapi.std.errors.NotAllowedInCurrentState"),
        "NOT_ALLOWED_IN_CURRENT_STATE"
    );
    assert_eq!(error_type("com.vmware.vapi.std.errors.Error"), "ERROR");
}

/// The table has a row for every documented error of every operation, and no row for an error
/// the operation does not document.
#[test]
fn every_documented_error_has_a_case() {
    assert_eq!(
        operations().len(),
        30,
        "the seven services have 30 operations"
    );
    let documented = documented();
    let table: BTreeSet<(&str, &str, String)> = cases()
        .into_iter()
        .map(|(s, o, k, _)| (s, o, k.to_owned()))
        .collect();
    let missing: Vec<_> = documented.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "documented errors without a case: {missing:#?}"
    );
    let extra: Vec<_> = table.difference(&documented).collect();
    assert!(
        extra.is_empty(),
        "cases for errors the operation does not document: {extra:#?}"
    );
}

async fn connect(base: &str, user: &str) -> Connection {
    let c = Connection::new(base).unwrap();
    c.login(user, vapi_sim::DEFAULT_PASSWORD).await.unwrap();
    c
}

/// An update session on `item` that received `name` and was completed.
async fn completed_upload(c: &Connection, item: &str, name: &str) -> UpdateSessionId {
    let u = us(c).create(None, common::update_spec(item)).await.unwrap();
    let info = uf(c).add(u.clone(), push(name)).await.unwrap();
    let r = reqwest::Client::new()
        .put(info.upload_endpoint.unwrap().uri.to_string())
        .body(name.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    us(c).complete(u.clone()).await.unwrap();
    u
}

#[tokio::test]
async fn every_documented_error_is_reached() {
    let main = common::start(|c| {
        c.items.extend([BUSY.to_owned(), ODD.to_owned()]);
        c.subscribed_items.push(SUBSCRIBED.to_owned());
        c.limited_users.push(format!("{NOBODY}=").parse().unwrap());
    })
    .await;
    // A data directory whose history holds a time no DateTime can carry: Changes fails with
    // the documented Error ("the system reports an error while responding").
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("state.json"),
        format!(
            r#"{{"items":{{"{BROKEN}":{{"version":1,"files":{{}},"changes":[{{"version":1,"time":{},"user":"","message":"x"}}]}}}}}}"#,
            i64::MAX
        ),
    )
    .unwrap();
    let broken = common::start(|c| {
        c.data_dir = Some(dir.path().to_path_buf());
        c.items = vec![BROKEN.to_owned()];
    })
    .await;

    let admin = main.c.clone();
    let done_update = completed_upload(&admin, vapi_sim::DEFAULT_ITEM, FILE).await;
    completed_upload(&admin, ODD, ODD_NAME).await;
    let active_update = us(&admin)
        .create(None, common::update_spec(BUSY))
        .await
        .unwrap();
    let active_download = ds(&admin)
        .create(None, common::download_spec(vapi_sim::DEFAULT_ITEM))
        .await
        .unwrap();
    let canceled_download = ds(&admin)
        .create(None, common::download_spec(vapi_sim::DEFAULT_ITEM))
        .await
        .unwrap();
    ds(&admin).cancel(canceled_download.clone()).await.unwrap();
    let x = Ctx {
        admin,
        nobody: connect(&main.base, NOBODY).await,
        anonymous: Connection::new(&main.base).unwrap(),
        broken: broken.c.clone(),
        active_update,
        done_update,
        canceled_download,
        active_download,
    };

    let mut wrong = Vec::new();
    for (service, op, expected, call) in cases() {
        let got = call(&x).await;
        if got != expected {
            wrong.push(format!("{service}.{op}: expected {expected}, got {got}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    main.stop().await;
    broken.stop().await;
}
