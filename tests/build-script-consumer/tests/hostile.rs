//! The hostile-name fixture (`tests/fixtures/base/com/vmware/hostile*.yaml`) behaves, not only
//! compiles: catch-all variants that stepped aside, keyword fields on the wire, constants that
//! moved, and the `match` operation, whose parameters are named like the locals of the
//! generated client and server, called through the generated client and router over HTTP on
//! 127.0.0.1; and the non-ASCII and digit-first names, on the wire as written, through the
//! generated client and router of `Größenmesser`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use vapi_build_consumer::fixtures::hostile::{
    self, _3dModel, Größe, GrößeId, Größenmesser, Locals, Maß, Option as HOption,
    Result as HResult, S, Self_, SelfKind, T, Type as _, TypeId, größenmesser as gm,
    type_service as ts,
};
use vapi_runtime::client::Connection;
use vapi_runtime::server::{ApiServer, Credentials};

#[test]
fn catch_all_variants_step_aside_for_documented_values() {
    assert_eq!(HResult::from("UNKNOWN"), HResult::Unknown);
    assert_eq!(HResult::from("UNRECOGNIZED"), HResult::Unrecognized);
    assert_eq!(HResult::from("OTHER"), HResult::Other);
    let new = HResult::from("NEW_VALUE");
    assert!(matches!(new, HResult::Unrecognized2(_)));
    assert!(new.is_unknown());
    assert_eq!(new.as_str(), "NEW_VALUE");
    assert_eq!(HResult::from("SELF"), HResult::Self_);
    assert_eq!(HResult::from("ERR"), HResult::Err);
    assert_eq!(HResult::from("_2"), HResult::_2);
    assert_eq!(HResult::from("3D"), HResult::_3d);
    assert!(HResult::KNOWN.contains(&"KNOWN"));
    assert_eq!("ERR".parse::<HResult>(), Ok(HResult::Err));
    // `Unknown` (mixed case) is a documented value; `UNKNOWN` is not, here.
    assert_eq!(HOption::from("Unknown"), HOption::Unknown);
    assert!(matches!(HOption::from("UNKNOWN"), HOption::Unrecognized(_)));
    assert_eq!(HOption::from("known"), HOption::Known);
}

#[test]
fn keyword_fields_keep_their_wire_names() {
    let mut value = Self_::new(SelfKind::Super);
    value.super_ = Some("s".to_owned());
    value.r#type = Some("t".to_owned());
    value.r#gen = Some("g".to_owned());
    value.r#try = Some("y".to_owned());
    value.crate_ = Some("c".to_owned());
    value.r#true = Some(true);
    value.macro_rules = Some("m".to_owned());
    let json = serde_json::to_string(&value).unwrap();
    assert_eq!(
        json,
        r#"{"kind":"SUPER","type":"t","super":"s","crate":"c","gen":"g","try":"y","true":true,"macro_rules":"m"}"#
    );
    let back: Self_ = serde_json::from_str(&json).unwrap();
    assert_eq!(back, value);
    // The union: `crate` belongs to the case CRATE only.
    assert!(value.validate().is_err());
    value.crate_ = None;
    assert!(value.validate().is_ok());
}

#[test]
fn constants_named_like_operations_move_aside() {
    assert_eq!(ts::SERVICE_ID, "com.vmware.hostile.type");
    assert_eq!(ts::RESOURCE_TYPE, "com.vmware.hostile.Type");
    assert_eq!(ts::SERVICE_ID_OPERATION.name, "service_id");
    assert_eq!(ts::RESOURCE_TYPE_OPERATION.name, "resource_type");
    assert_eq!(ts::OPERATIONS_OPERATION.name, "operations");
    assert_eq!(ts::OPERATIONS.len(), 21);
    assert_eq!(ts::MATCH.name, "match");
    let unhandled = ts::MatchError::from(vapi_runtime::Unhandled::new("x"));
    assert!(matches!(unhandled, ts::MatchError::Unhandled2(_)));
    assert!(matches!(
        ts::MatchError::from(hostile::Unhandled::default()),
        ts::MatchError::Unhandled(_)
    ));
}

/// What the service saw of the `match` call.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<String>>,
}

macro_rules! unit_ops {
    ($($name:ident => $error:ident),* $(,)?) => {
        $(
            async fn $name(&self) -> Result<(), ts::$error> {
                Ok(())
            }
        )*
    };
}

impl hostile::Type for Recorder {
    async fn r#match(
        &self,
        r#type: TypeId,
        self_: Option<HResult>,
        request: Option<String>,
        response: Option<i64>,
        call: Option<String>,
        service: Option<String>,
        fields: Option<String>,
        value: Option<T>,
        type_text: String,
        connection: Option<S>,
        e: Option<Locals>,
        u: Option<hostile::D>,
        v: Option<Self_>,
    ) -> Result<HOption, ts::MatchError> {
        let seen = format!(
            "{} {self_:?} {request:?} {response:?} {call:?} {service:?} {fields:?} {} {type_text} {} {} {} {}",
            r#type.as_str(),
            value.is_some(),
            connection.is_some(),
            e.map(|e| e.wire).unwrap_or_default(),
            u.is_some(),
            v.map(|v| v.kind.to_string()).unwrap_or_default(),
        );
        self.seen.lock().unwrap().push(seen);
        if call.as_deref() == Some("fail") {
            return Err(ts::MatchError::Other(hostile::Other::default()));
        }
        Ok(HOption::Unknown)
    }

    async fn r#try(
        &self,
        body: Self_,
        _self_: Option<Self_>,
    ) -> Result<Option<Vec<Self_>>, ts::TryError> {
        Ok(Some(vec![body]))
    }

    async fn clone(&self, _a: String) -> Result<(), ts::CloneError> {
        Ok(())
    }

    async fn into(&self, _a: String) -> Result<(), ts::IntoError> {
        Ok(())
    }

    async fn fmt(&self, _f: String) -> Result<(), ts::FmtError> {
        Ok(())
    }

    async fn unmapped(&self, _a: String) -> Result<(), ts::UnmappedError> {
        Ok(())
    }

    unit_ops! {
        r#gen => GenError, r#async => AsyncError, r#ref => RefError, self_ => SelfError,
        super_ => SuperError, crate_ => CrateError, to_string => ToStringError,
        service_id => ServiceIdError, operations => OperationsError,
        resource_type => ResourceTypeError, router => RouterError,
        serve_match => ServeMatchError, new => NewError, from_str => FromStrError,
        into_inner => IntoInnerError,
    }
}

#[tokio::test]
async fn parameters_named_like_the_generated_locals_arrive_intact() {
    let recorder = Arc::new(Recorder::default());
    let app = ApiServer::new(Credentials::new("user", "password"))
        // `Arc` implements the service trait, whose `clone` operation makes `Arc::clone` ambiguous.
        .service(ts::router(Clone::clone(&recorder)))
        .into_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let _ = vapi_runtime::server::axum::serve(listener, app).await;
    });
    let connection = Connection::new(format!("http://{addr}")).unwrap();
    connection.login("user", "password").await.unwrap();
    let client = ts::Client::new(connection);
    let mut locals = Locals::new("w".to_owned(), "d".to_owned());
    locals.tag = Some(HResult::Ok);
    locals.value = Some("v".to_owned());
    let answer = client
        .r#match(
            TypeId::new("id/1 ü"),
            Some(HResult::Self_),
            Some("req".to_owned()),
            Some(7),
            Some("the call".to_owned()),
            Some("svc".to_owned()),
            Some("flds".to_owned()),
            Some(T::default()),
            "text ü/2".to_owned(),
            Some(S::default()),
            Some(locals),
            None,
            Some(Self_::new(SelfKind::Crate).tap_crate()),
        )
        .await
        .unwrap();
    assert_eq!(answer, HOption::Unknown);
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            "id/1 ü Some(Self_) Some(\"req\") Some(7) Some(\"the call\") Some(\"svc\") \
             Some(\"flds\") true text ü/2 true w false CRATE"
        ]
    );
    let error = client
        .r#match(
            TypeId::new("x"),
            None,
            None,
            None,
            Some("fail".to_owned()),
            None,
            None,
            None,
            "y".to_owned(),
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(error, ts::MatchError::Other(_)), "{error:?}");
    let body = Self_::new(SelfKind::Self_).tap_self();
    let back = client.r#try(body.clone(), None).await.unwrap();
    assert_eq!(back, Some(vec![body]));
    client.r#gen().await.unwrap();
    // `Client` is `Clone` too: an operation named `clone` is called by path.
    hostile::Type::clone(&client, "a".to_owned()).await.unwrap();
    assert!(client.unmapped("a".to_owned()).await.is_err());
    server.abort();
}

/// Sets the field each case of the union of `Self_` requires.
trait Cases {
    fn tap_crate(self) -> Self;
    fn tap_self(self) -> Self;
}

impl Cases for Self_ {
    fn tap_crate(mut self) -> Self {
        self.crate_ = Some("c".to_owned());
        self
    }

    fn tap_self(mut self) -> Self {
        self.self_ = Some("s".to_owned());
        self
    }
}

/// Non-ASCII and digit-first names: the wire keeps the names as written, Rust has `größe`,
/// `_2fa`, `名前`, `Grösse`, `_4k`, `_3dModel`.
#[test]
fn non_ascii_and_digit_first_names_keep_their_wire_names() {
    let mut value = Größe::new(3);
    value._2fa = Some("zwei".to_owned());
    value.名前 = Some("ナマエ".to_owned());
    value.maß = Some(Maß::Grösse);
    let json = serde_json::to_string(&value).unwrap();
    assert_eq!(
        json,
        r#"{"größe":3,"2fa":"zwei","名前":"ナマエ","maß":"GRÖSSE"}"#
    );
    let back: Größe = serde_json::from_str(&json).unwrap();
    assert_eq!(back, value);
    let missing = serde_json::from_str::<Größe>("{}").unwrap_err().to_string();
    assert!(missing.contains("größe"), "{missing}");
    assert_eq!(Maß::from("名前"), Maß::名前);
    assert_eq!(Maß::from("4K"), Maß::_4k);
    assert_eq!(Maß::_4k.as_str(), "4K");
    assert!(matches!(Maß::from("grösse"), Maß::Unknown(_)));
    let model: _3dModel = serde_json::from_str(r#"{"3d":{"größe":1}}"#).unwrap();
    assert_eq!(model._3d.map(|g| g.größe), Some(1));
    assert_eq!(gm::SERVICE_ID, "com.vmware.hostile.größenmesser");
    assert_eq!(
        hostile::_3d_drucker::SERVICE_ID,
        "com.vmware.hostile.3d_drucker"
    );
    assert_eq!(gm::MISS_GRÖSSE.name, "miss_größe");
    assert_eq!(gm::名前_OPERATION.name, "名前");
    assert_eq!(gm::_1ST.name, "1st");
    assert_eq!(
        gm::MISS_GRÖSSE.rest.map(|r| r.url_template()).as_deref(),
        Some("/api/hostile/groesse/{groesse}")
    );
    assert_eq!(
        hostile::Größenfehler::ERROR_TYPE,
        "com.vmware.hostile.Größenfehler"
    );
}

/// What the `Größenmesser` service saw.
#[derive(Default)]
struct Messer {
    seen: Mutex<Vec<String>>,
}

impl Größenmesser for Messer {
    async fn miss_größe(
        &self,
        größe: GrößeId,
        _2fa: Option<String>,
        名前: Option<String>,
        maß: Option<Maß>,
    ) -> Result<Größe, gm::MissGrößeError> {
        self.seen
            .lock()
            .unwrap()
            .push(format!("{} {_2fa:?} {名前:?} {maß:?}", größe.as_str()));
        if größe.as_str() == "zu groß" {
            let e = hostile::Größenfehler { größe: Some(99) };
            return Err(gm::MissGrößeError::Größenfehler(e));
        }
        let mut g = Größe::new(42);
        g.名前 = 名前;
        g.maß = maß;
        g.id = Some(größe);
        Ok(g)
    }

    async fn 名前(&self) -> Result<Option<String>, gm::名前Error> {
        Ok(Some("名前".to_owned()))
    }

    async fn _1st(&self, _2nd: String) -> Result<(), gm::_1stError> {
        self.seen.lock().unwrap().push(format!("1st {_2nd}"));
        Ok(())
    }
}

#[tokio::test]
async fn non_ascii_and_digit_first_names_cross_the_wire() {
    let messer = Arc::new(Messer::default());
    let app = ApiServer::new(Credentials::new("user", "password"))
        .service(gm::router(Clone::clone(&messer)))
        .into_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let _ = vapi_runtime::server::axum::serve(listener, app).await;
    });
    let connection = Connection::new(format!("http://{addr}")).unwrap();
    connection.login("user", "password").await.unwrap();
    let client = gm::Client::new(connection);
    let answer = client
        .miss_größe(
            GrößeId::new("g/1 ö"),
            Some("2f a".to_owned()),
            Some("名".to_owned()),
            Some(Maß::_4k),
        )
        .await
        .unwrap();
    assert_eq!(answer.größe, 42);
    assert_eq!(answer.名前.as_deref(), Some("名"));
    assert_eq!(answer.maß, Some(Maß::_4k));
    assert_eq!(answer.id.as_ref().map(GrößeId::as_str), Some("g/1 ö"));
    let error = client
        .miss_größe(GrößeId::new("zu groß"), None, None, None)
        .await
        .unwrap_err();
    match error {
        gm::MissGrößeError::Größenfehler(e) => assert_eq!(e.größe, Some(99)),
        other => panic!("{other:?}"),
    }
    assert_eq!(client.名前().await.unwrap().as_deref(), Some("名前"));
    client._1st("zweite".to_owned()).await.unwrap();
    let seen = messer.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            "g/1 ö Some(\"2f a\") Some(\"名\") Some(_4k)",
            "zu groß None None None",
            "1st zweite",
        ]
    );
    server.abort();
}
