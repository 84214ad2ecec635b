//! The seed app: `cargo run --release --example seed_app [-- --addr 127.0.0.1:8000] [--csp-report-uri /csp-report] [--allowed-host HOST]...`.
//!
//! The Flask app of the seed post, on axum, secured by rampart with the post's
//! CSP (nonce in script-src and script-src-elem) and CSRF protection. It trusts
//! forwarded headers from loopback peers only (a TLS proxy on the same host),
//! serves loopback hosts over plain http and redirects other hosts to https.

use rampart_seed::axum_app as app;

use std::net::SocketAddr;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let Some((addr, cfg)) = app::parse_args("seed_app")? else {
        return Ok(());
    };
    let app::Seed {
        router, headers, ..
    } = app::build(cfg)?;
    app::print_banner("axum", addr, &headers);

    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(serve(addr, router))?;
    Ok(())
}

/// axum's `serve` without its one gap: hyper's header-read timeout, so a client
/// that never finishes its request head is dropped (the CSRF layer bounds the
/// body read). Each connection gets the peer address as axum's `ConnectInfo`.
async fn serve(addr: SocketAddr, router: axum::Router) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto;
    use hyper_util::service::TowerToHyperService;

    let listener = tokio::net::TcpListener::bind(addr).await?;
    let mut make = router.into_make_service_with_connect_info::<SocketAddr>();
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(svc) = tower::Service::call(&mut make, peer).await;
        tokio::spawn(async move {
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(app::HEADER_READ_TIMEOUT);
            let conn = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(svc),
            );
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
}
