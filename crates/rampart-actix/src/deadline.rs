//! The body-read deadline on actix-web's runtime (Tokio underneath).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static NO_TIMER_LOGGED: AtomicBool = AtomicBool::new(false);

/// Completes after `timeout`. Driven outside a Tokio runtime (a test harness
/// polling the service by hand), there is no timer: it never completes, and
/// says so once, instead of panicking.
pub(crate) async fn after(timeout: Duration) {
    if tokio::runtime::Handle::try_current().is_ok() {
        actix_web::rt::time::sleep(timeout).await;
    } else {
        if !NO_TIMER_LOGGED.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "rampart: no Tokio runtime drives this service, so request bodies are read \
                 without a deadline (actix-web's server provides one)"
            );
        }
        std::future::pending::<()>().await;
    }
}
