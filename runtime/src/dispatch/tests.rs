//! A service of two operations on one path, told apart by a required query parameter, served
//! by [`Routes`] and called through [`call`] over HTTP on 127.0.0.1.

#[cfg(all(feature = "client", feature = "server"))]
mod loopback {
    use std::sync::Arc;

    use serde::{Deserialize, Serialize};

    use super::super::*;
    use crate::client::{Connection, Request};
    use crate::{HttpMethod, OperationDescriptor, RestBody, RestMapping};

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
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

    const MAPPING: RestMapping = RestMapping {
        method: HttpMethod::Get,
        path: "/things/{thing}/file",
        action: None,
        path_params: &[("thing", "thing")],
        query: &[("name", "name")],
        headers: &[],
        body: RestBody::None,
    };
    static GET: OperationDescriptor = OperationDescriptor {
        service: "test.things",
        name: "get",
        params: &["thing", "name"],
        privileges: &[],
        errors: &[],
        rest: Some(MAPPING),
    };
    static LIST: OperationDescriptor = OperationDescriptor {
        service: "test.things",
        name: "list",
        params: &["thing"],
        privileges: &[],
        errors: &[],
        rest: Some(RestMapping {
            query: &[],
            ..MAPPING
        }),
    };

    struct Things;

    impl Things {
        async fn get(&self, thing: String, name: String) -> Result<String, GetError> {
            if name == "missing" {
                return Err(GetError::from(NotFound {
                    messages: vec![format!("no {name} in {thing}")],
                }));
            }
            Ok(format!("{thing}/{name}"))
        }
    }

    async fn serve() -> Connection {
        let router = Routes::new(Arc::new(Things))
            .op(&GET, &["name"], |s, mut a| {
                answer(s.get(a.next()?, a.next()?))
            })
            .op(&LIST, &[], |_, mut a| {
                let thing: String = a.next()?;
                answer(std::future::ready(Ok::<_, GetError>(vec![thing])))
            })
            .into_router();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Connection::new(format!("http://{address}")).unwrap()
    }

    #[tokio::test]
    async fn operations_are_called_and_served_from_their_descriptors() {
        let connection = serve().await;
        let got: Result<String, GetError> = call(&connection, &GET, &[&"a/b", &"disk"]).await;
        assert_eq!(got.unwrap(), "a/b/disk");
        let list: Result<Vec<String>, GetError> = call(&connection, &LIST, &[&"a"]).await;
        assert_eq!(list.unwrap(), ["a"]);
        let missing: Result<String, GetError> = call(&connection, &GET, &[&"a", &"missing"]).await;
        match missing {
            Err(GetError::NotFound(e)) => assert_eq!(e.messages, ["no missing in a"]),
            other => panic!("{other:?}"),
        }
    }

    /// VMware's SDKs send a GET's query parameters as a JSON body: `GET …/file` with
    /// `{"name": "disk-0.vmdk"}` is `get`, not `list`.
    #[tokio::test]
    async fn a_get_takes_its_query_parameters_from_a_json_body() {
        let connection = serve().await;
        let mut request = Request::new(HttpMethod::Get, "/things/a/file");
        request
            .json(&serde_json::json!({"name": "disk-0.vmdk"}))
            .unwrap();
        let response = connection.send(request).await.unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.result::<String>().unwrap(), "a/disk-0.vmdk");
        // The query wins over the body; without either it is `list`.
        let mut request = Request::new(HttpMethod::Get, "/things/a/file");
        request.query("name", "q");
        request.json(&serde_json::json!({"name": "b"})).unwrap();
        let response = connection.send(request).await.unwrap();
        assert_eq!(response.result::<String>().unwrap(), "a/q");
        let response = connection
            .send(Request::new(HttpMethod::Get, "/things/a/file"))
            .await
            .unwrap();
        assert_eq!(response.result::<Vec<String>>().unwrap(), ["a"]);
    }

    #[test]
    fn standard_errors_convert_into_an_operation_error() {
        let declared = GetError::from_error("NOT_FOUND", &NotFound { messages: vec![] });
        assert!(matches!(declared, GetError::NotFound(_)), "{declared:?}");
        let undeclared = GetError::from_error("RESOURCE_BUSY", &NotFound { messages: vec![] });
        match undeclared {
            GetError::Unhandled(u) => assert_eq!(u.error_type(), Some("RESOURCE_BUSY")),
            other => panic!("{other:?}"),
        }
    }
}
