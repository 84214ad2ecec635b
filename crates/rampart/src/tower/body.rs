//! Bounded body buffering shared by the CSRF layer and the report collector.

use bytes::Bytes;
use http::HeaderMap;
use http_body::Body;
use http_body_util::{BodyExt, Limited};

/// The outcome of reading a body under a limit.
#[derive(Debug)]
pub(crate) enum Buffered<B> {
    /// The whole body.
    Complete(Bytes),
    /// `Content-Length` announced more than the limit; nothing was read, so the
    /// body is handed back intact.
    DeclaredTooLarge(B),
    /// The body grew past the limit while being read (part of it is consumed).
    TooLarge,
    /// The client or connection failed while sending it.
    Broken,
}

/// Reads a whole body of at most `limit` bytes.
pub(crate) async fn read_limited<B>(headers: &HeaderMap, body: B, limit: usize) -> Buffered<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Buffered::DeclaredTooLarge(body);
    }
    match Limited::new(body, limit).collect().await {
        Ok(c) => Buffered::Complete(c.to_bytes()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Buffered::TooLarge
        }
        Err(_) => Buffered::Broken,
    }
}
