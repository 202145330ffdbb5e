//! Response compression that costs nothing for responses it leaves alone.
//!
//! tower-http's `CompressionLayer` wraps every response body in its `CompressionBody`, an
//! enum that holds a whole brotli encoder inline: 5.8 KiB for each response, compressed or
//! not. Held by each open event stream, that was a sixth of what a stream cost the server.
//! Here the response is looked at first, and only one that will be compressed goes through
//! tower-http's compression (with the same rules); the others keep their own body.

use std::convert::Infallible;

use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderMap, HeaderValue},
    middleware::Next,
    response::Response,
};
use tower::{Layer as _, ServiceExt as _};
use tower_http::compression::{
    predicate::{NotForContentType, Predicate, SizeAbove},
    CompressionLayer,
};

/// Which responses get compressed: tower-http's defaults (no images, gRPC or event streams),
/// but only from 1 KiB up. Below that, setting up an encoder costs more time than the few
/// bytes it saves (it was a fifth of the server's CPU on single-task responses).
fn worth_compressing() -> impl Predicate {
    SizeAbove::new(1024)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE)
}

/// Middleware: compresses the response with brotli or gzip when the client accepts one, the
/// response is not encoded already and it is worth it; otherwise passes it on untouched.
pub async fn compress(request: Request, next: Next) -> Response {
    let accepted = request.headers().get(header::ACCEPT_ENCODING).cloned();
    let response = next.run(request).await;
    let Some(accepted) = accepted else {
        return response;
    };
    if response.headers().contains_key(header::CONTENT_ENCODING)
        || response.headers().contains_key(header::CONTENT_RANGE)
        || !worth_compressing().should_compress(&response)
    {
        return response;
    }
    compressed(response, accepted).await
}

/// `response` through tower-http's compression, as if for a request with `accepted`.
async fn compressed(response: Response, accepted: HeaderValue) -> Response {
    let mut response = Some(response);
    let answer = tower::service_fn(move |_: Request| {
        let response = response.take().unwrap_or_default();
        async move { Ok::<_, Infallible>(response) }
    });
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT_ENCODING, accepted);
    let mut request = Request::new(Body::empty());
    *request.headers_mut() = headers;
    let service = CompressionLayer::new()
        .compress_when(worth_compressing())
        .layer(answer);
    match service.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}
