//! The client side: a generated `Client` method is one [`call`] with the operation's descriptor.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Argument, CheckFailed, OperationError, plain_text};
use crate::Call;
use crate::client::{Connection, Request, Response};
use crate::rest::expand_path;
use crate::{OperationDescriptor, RestBody, Unhandled};

/// Calls `op` through `connection` with `args` (the operation's parameters, in order) and
/// reads its result. The request is made from the arguments at once; the call is the future
/// returned, which owns what it needs (`'static` and `Send`: keep it, or spawn it). It is
/// boxed, so that the generated client methods, which return it, hold no state machine of
/// their own and their futures need no proof of `Send` each.
///
/// # Errors
///
/// The declared error the server answered, or the catch-all for anything else (an
/// undeclared error, no answer, an answer that is not the result's JSON).
pub fn call<T, E>(
    connection: &Connection,
    op: &'static OperationDescriptor,
    args: &[&dyn Argument],
) -> Call<T, E>
where
    T: DeserializeOwned + Send + 'static,
    E: OperationError + Send + 'static,
{
    let request = request(op, args);
    let connection = connection.clone();
    Box::pin(async move {
        let response = connection.send(request?).await?;
        if response.is_success() {
            response.result().map_err(E::from)
        } else {
            Err(failure(response))
        }
    })
}

/// Calls `op` as [`call`] does, for an operation without a result: the answer's body is
/// not read.
///
/// # Errors
///
/// As [`call`].
pub fn call_unit<E>(
    connection: &Connection,
    op: &'static OperationDescriptor,
    args: &[&dyn Argument],
) -> Call<(), E>
where
    E: OperationError + Send + 'static,
{
    let request = request(op, args);
    let connection = connection.clone();
    Box::pin(async move {
        let response = connection.send(request?).await?;
        if response.is_success() {
            Ok(())
        } else {
            Err(failure(response))
        }
    })
}

/// The call of an operation whose input broke a rule (see [`check`](super::check)): nothing is
/// sent, the call fails with the catch-all naming the parameter.
///
/// # Errors
///
/// Always.
pub fn refused<T, E>(failed: CheckFailed) -> Call<T, E>
where
    T: Send + 'static,
    E: OperationError + Send + 'static,
{
    let error = E::from(Unhandled::from(failed));
    Box::pin(std::future::ready(Err(error)))
}

/// The request of a call: the path variables, query parameters, headers and body of the
/// REST mapping, each from the parameter it names.
fn request(op: &OperationDescriptor, args: &[&dyn Argument]) -> Result<Request, Unhandled> {
    let Some(rest) = &op.rest else {
        return Err(Unhandled::new("the operation has no REST mapping"));
    };
    let arg = |wire: &str| -> Result<Value, Unhandled> {
        let index = op.params.iter().position(|p| *p == wire);
        match index.and_then(|i| args.get(i)) {
            Some(a) => a.to_json().map_err(Unhandled::new),
            None => Ok(Value::Null),
        }
    };
    let mut vars = Vec::with_capacity(rest.path_params.len());
    for (var, wire) in rest.path_params {
        let text = plain_text(arg(wire)?).unwrap_or_default();
        // URL parsers resolve these segments away even percent-encoded: the call would
        // reach another resource.
        if text == "." || text == ".." {
            return Err(Unhandled::new(format!(
                "the id {text:?} cannot be sent in a URL path: URLs resolve it away"
            )));
        }
        vars.push((*var, text));
    }
    let vars: Vec<(&str, &str)> = vars.iter().map(|(v, t)| (*v, t.as_str())).collect();
    let mut request = Request::new(rest.method, expand_path(rest.path, &vars));
    request.operation(op);
    if let Some(action) = rest.action {
        request.query("action", action);
    }
    for (name, wire) in rest.query {
        request.query_value(name, &arg(wire)?)?;
    }
    for (name, wire) in rest.headers {
        request.header_value(name, &arg(wire)?)?;
    }
    match rest.body {
        RestBody::None => {}
        RestBody::Param(wire) => {
            request.json(&arg(wire)?)?;
        }
        RestBody::Fields(wires) => {
            let mut object = serde_json::Map::new();
            for wire in wires {
                let value = arg(wire)?;
                if !value.is_null() {
                    object.insert((*wire).to_owned(), value);
                }
            }
            request.json(&object)?;
        }
    }
    Ok(request)
}

/// The error of a failed call: the declared error of the answer's `error_type`, or the
/// catch-all keeping status and body.
fn failure<E: OperationError>(response: Response) -> E {
    if let Some(error_type) = response.error_type()
        && let Some(read) = E::declared(&error_type, &response.body)
    {
        return read
            .unwrap_or_else(|e| E::from(Unhandled::response(response.status, response.body, e)));
    }
    E::from(response.unhandled())
}
