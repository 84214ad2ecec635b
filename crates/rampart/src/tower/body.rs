//! Bounded body buffering shared by the CSRF layer and the report collector:
//! the policy lives in [`rampart_core::adapter::read_limited`]; this only turns
//! an `http_body::Body` into its stream of data chunks.

use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use http_body::Body;
use http_body_util::BodyDataStream;
use rampart_core::adapter::{self, BodyRead};

/// Reads a whole body of at most `limit` bytes, for at most `timeout`.
pub(crate) async fn read_limited<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
    timeout: Duration,
) -> BodyRead<B>
where
    B: Body<Data = Bytes>,
{
    let deadline = tokio::time::sleep(timeout);
    adapter::read_limited(headers, body, limit, BodyDataStream::new, deadline).await
}
