//! Bounded body buffering shared by the CSRF layer and the report collector:
//! the policy lives in [`rampart_core::adapter::read_limited`]; this only turns
//! an `http_body::Body` into its stream of data chunks.

use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use http_body::Body;
use http_body_util::BodyDataStream;
use rampart_core::adapter::{self, BodyRead};

static NO_TIMER_LOGGED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

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
    // The deadline needs Tokio's timer (axum::serve and #[tokio::main] have it).
    // Driven by another executor, the layer reads without one, and says so once.
    let deadline = async move {
        if tokio::runtime::Handle::try_current().is_ok() {
            tokio::time::sleep(timeout).await;
        } else {
            if !NO_TIMER_LOGGED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                tracing::warn!(
                    "rampart: no Tokio runtime drives this service, so request bodies are read \
                     without a deadline (run it on Tokio, as axum::serve does)"
                );
            }
            std::future::pending::<()>().await;
        }
    };
    adapter::read_limited(headers, body, limit, BodyDataStream::new, deadline).await
}
