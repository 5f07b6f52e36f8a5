//! The accept loop: HTTP/1.1 and HTTP/2, over TLS when configured, with a deadline for a
//! request's head and for a stalled `/api` body, and one log line per request.

use std::time::{Duration, Instant};

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use vapi_runtime::server::Response;
use vapi_runtime::server::axum::Router;
use vapi_runtime::server::axum::extract::{Request, State};
use vapi_runtime::server::axum::http::StatusCode;
use vapi_runtime::server::axum::middleware::Next;
use vapi_runtime::server::axum::response::IntoResponse;

use crate::state::Simulator;

/// The path as logged: transfer capabilities are secrets and stay out of logs.
fn loggable(path: &str) -> String {
    for kind in ["/sim-transfer/upload/", "/sim-transfer/download/"] {
        if let Some(rest) = path.strip_prefix(kind) {
            let file = rest.split_once('/').map_or("", |(_, f)| f);
            return format!("{kind}…/{file}");
        }
    }
    path.to_owned()
}

/// One `tracing` line per request: method, path, status, time taken.
pub(crate) async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = loggable(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    // A JSON-RPC call: the operation it invoked.
    let path = match vapi_runtime::jsonrpc::answered(&response) {
        Some(operation) => format!("{path} {operation}"),
        None => path,
    };
    let status = response.status().as_u16();
    let ms = format_args!("{:.2}", started.elapsed().as_secs_f64() * 1000.0);
    if status >= 500 {
        tracing::warn!(%method, %path, status, %ms, "request");
    } else {
        tracing::info!(%method, %path, status, %ms, "request");
    }
    response
}

/// An `/api` call (body included) that takes longer than the stall timeout: 408, and the
/// connection is closed (its body is not read to the end).
pub(crate) async fn deadline(
    State(limit): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            vapi_runtime::server::axum::Json(serde_json::json!({
                "error_type": "TIMED_OUT",
                "messages": [{
                    "id": "com.vmware.vapi.sim.timed_out",
                    "default_message": "The request did not arrive in time.",
                    "args": [],
                }],
            })),
        )
            .into_response(),
    }
}

/// `api` with vAPI JSON-RPC 2.0 on `POST /api` beside it: the same services, sessions (login
/// through `com.vmware.cis.session`) and body limit.
pub(crate) fn jsonrpc(api: Router, sim: &Simulator) -> Router {
    vapi_runtime::jsonrpc::endpoint(api, sim.config.body_limit)
}

/// Serves `app` on `listener` until the task is dropped.
pub(crate) async fn run(
    listener: tokio::net::TcpListener,
    sim: &Simulator,
    app: Router,
) -> std::io::Result<()> {
    let tls = sim.config.tls.as_ref().map(|t| t.acceptor()).transpose()?;
    let stall = sim.config.stall_timeout;
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait, and keep serving.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let tls = tls.clone();
        tokio::spawn(async move {
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(stall);
            builder.http2().timer(TokioTimer::new());
            let served = match tls {
                Some(acceptor) => match tokio::time::timeout(stall, acceptor.accept(tcp)).await {
                    Ok(Ok(stream)) => {
                        builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await
                    }
                    Ok(Err(e)) => {
                        tracing::debug!(%peer, "TLS handshake failed: {e}");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(%peer, "TLS handshake timed out");
                        return;
                    }
                },
                None => builder.serve_connection(TokioIo::new(tcp), service).await,
            };
            if let Err(e) = served {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        });
    }
}
