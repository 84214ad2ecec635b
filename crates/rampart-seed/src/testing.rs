//! Fixtures for the end-to-end tests that drive both seed apps.

use std::net::SocketAddr;

use crate::shared::SeedConfig;

/// Both seed apps on 127.0.0.1, built from the same configuration: the axum
/// app on the current Tokio runtime, the actix-web app on its own thread.
/// Returns their addresses (axum first) and the actix server's handle (the
/// server stops when it is dropped by the test's end).
pub async fn spawn_both(
    cfg: impl Fn() -> SeedConfig,
) -> std::io::Result<(
    [(&'static str, SocketAddr); 2],
    actix_web::dev::ServerHandle,
)> {
    let axum = crate::axum_app::build(cfg())
        .map_err(std::io::Error::other)?
        .spawn_on_loopback()
        .await?;
    let (actix, handle) = crate::actix_app::build(cfg())
        .map_err(std::io::Error::other)?
        .spawn_on_loopback()?;
    Ok(([("axum", axum), ("actix", actix)], handle))
}

/// The `name=value` pair a `Set-Cookie` value sets.
///
/// ```
/// assert_eq!(rampart_seed::testing::cookie_pair("csrf=abc; Path=/; HttpOnly"), "csrf=abc");
/// ```
pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or("").trim().to_owned()
}
