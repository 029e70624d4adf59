//! The router layer that applies body and transport faults.

use super::*;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The client a response was given to, attached by the handlers so that
/// client-scoped body and HTTP faults can find it.
#[derive(Debug, Clone)]
pub(crate) struct ResponseClient(pub(crate) String);

/// Attach the client to a response (see [`ResponseClient`]).
pub(crate) fn tag_client(mut response: Response, client_id: Option<&str>) -> Response {
    if let Some(client_id) = client_id {
        response
            .extensions_mut()
            .insert(ResponseClient(client_id.to_owned()));
    }
    response
}

/// The largest body the fault layer reads back to edit it.
const MAX_EDITABLE_BODY: usize = 16 * 1024 * 1024;

/// Middleware: apply the [`Fault::Body`] and [`Fault::Http`] faults of the
/// endpoint to its response.
pub(crate) async fn http_layer(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(endpoint) = Endpoint::from_path(request.uri().path(), &state.paths) else {
        return next.run(request).await;
    };
    let response = next.run(request).await;
    let client = response
        .extensions()
        .get::<ResponseClient>()
        .map(|c| c.0.clone());
    let faults = state.faults().for_response(endpoint, client.as_deref());
    if faults.is_empty() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let mut body = match axum::body::to_bytes(body, MAX_EDITABLE_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "fault injection could not read the response");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut delay = None;
    let mut pace = None;
    for fault in faults {
        match fault {
            Fault::Body { edit, .. } => {
                if let Ok(mut doc) = serde_json::from_slice::<Value>(&body) {
                    apply_edit(&mut doc, &edit);
                    body = Bytes::from(serde_json::to_vec(&doc).unwrap_or_default());
                }
            }
            Fault::Http { fault, .. } => match fault {
                HttpFault::OAuthError {
                    status,
                    error,
                    description,
                } => {
                    parts.status = status_code(status);
                    let mut doc = serde_json::json!({ "error": error });
                    if let (Some(d), Some(obj)) = (description, doc.as_object_mut()) {
                        obj.insert("error_description".into(), d.into());
                    }
                    body = Bytes::from(doc.to_string());
                    parts.headers.insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    );
                }
                HttpFault::Replace {
                    status,
                    content_type,
                    body: replacement,
                } => {
                    parts.status = status_code(status);
                    parts.headers.remove(header::CONTENT_TYPE);
                    if let Some(value) = content_type.and_then(|ct| HeaderValue::from_str(&ct).ok())
                    {
                        parts.headers.insert(header::CONTENT_TYPE, value);
                    }
                    body = Bytes::from(replacement);
                }
                HttpFault::Huge { bytes, chunked } => {
                    body = padded(&body, bytes);
                    if chunked {
                        pace = Some(Pace::Chunked);
                    }
                }
                HttpFault::HugeGzip { bytes } => {
                    body = gzip(&padded(&body, bytes));
                    parts
                        .headers
                        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                }
                HttpFault::Trickle { interval } => pace = Some(Pace::Trickle(interval)),
                HttpFault::Delay(duration) => delay = Some(duration),
                HttpFault::Redirect { status, location } => {
                    parts.status = status_code(status);
                    if let Ok(value) = HeaderValue::from_str(&location) {
                        parts.headers.insert(header::LOCATION, value);
                    }
                    body = Bytes::new();
                }
            },
            _ => {}
        }
    }
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = match pace {
        None => Body::from(body),
        Some(pace) => streamed(body, pace),
    };
    Response::from_parts(parts, body)
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// `body` followed by spaces up to `size` bytes.
pub(super) fn padded(body: &[u8], size: usize) -> Bytes {
    let mut out = Vec::with_capacity(size.max(body.len()));
    out.extend_from_slice(body);
    out.resize(size.max(body.len()), b' ');
    Bytes::from(out)
}

pub(super) fn gzip(data: &[u8]) -> Bytes {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    match encoder.write_all(data).and_then(|()| encoder.finish()) {
        Ok(compressed) => Bytes::from(compressed),
        Err(_) => Bytes::new(),
    }
}

#[derive(Debug, Clone, Copy)]
enum Pace {
    /// 64 KiB chunks, as fast as the client reads.
    Chunked,
    /// One byte, then a pause.
    Trickle(Duration),
}

/// A streamed body (no `Content-Length`).
fn streamed(body: Bytes, pace: Pace) -> Body {
    let stream = futures_util::stream::unfold((body, pace), |(mut rest, pace)| async move {
        if rest.is_empty() {
            return None;
        }
        let chunk = match pace {
            Pace::Chunked => rest.split_to(rest.len().min(64 * 1024)),
            Pace::Trickle(interval) => {
                tokio::time::sleep(interval).await;
                rest.split_to(1)
            }
        };
        Some((Ok::<_, std::io::Error>(chunk), (rest, pace)))
    });
    Body::from_stream(stream)
}
