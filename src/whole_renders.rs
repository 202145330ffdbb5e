//! A page render runs to its end even when the client hangs up.
//!
//! Leptos disposes a render's reactive state when its handler's future or its response
//! stream is dropped. A client hanging up drops them on one thread while parts of the page
//! may still be rendering on another, which then read disposed signals and panic (seen under
//! the fault tests' waves of hang-ups). Here the handler runs in a task of its own, which a
//! hang-up does not cancel, and a body dropped before its end is handed to a task that reads
//! it to the end and only then drops it, so disposal always comes after the render.

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use axum::{
    body::Body,
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use hyper::body::{Body as HttpBody, Frame, SizeHint};

/// For `middleware::from_fn` on the page routes.
pub async fn finish_renders(request: Request, next: Next) -> Response {
    let response = match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    response.map(|body| {
        Body::new(Whole {
            body: Some(body),
            ended: false,
        })
    })
}

struct Whole {
    body: Option<Body>,
    ended: bool,
}

impl HttpBody for Whole {
    type Data = <Body as HttpBody>::Data;
    type Error = <Body as HttpBody>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let Some(body) = self.body.as_mut() else {
            return Poll::Ready(None);
        };
        let frame = Pin::new(body).poll_frame(cx);
        if let Poll::Ready(None) = frame {
            self.ended = true;
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.ended || self.body.as_ref().is_none_or(HttpBody::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.body
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), HttpBody::size_hint)
    }
}

impl Drop for Whole {
    fn drop(&mut self) {
        let Some(body) = self.body.take() else {
            return;
        };
        if self.ended || body.is_end_stream() {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = axum::body::to_bytes(body, usize::MAX).await;
            });
        }
    }
}
