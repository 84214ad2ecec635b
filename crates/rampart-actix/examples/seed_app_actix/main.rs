//! The seed app on actix-web: `cargo run --release --example seed_app_actix [-- --addr 127.0.0.1:8000] [--csp-report-uri /csp-report] [--allowed-host HOST]...`.
//!
//! The same app as `seed_app` (axum): the Flask post's CSP (nonce in
//! script-src and script-src-elem), CSRF protection, forwarded headers trusted
//! from loopback peers only, loopback hosts over plain http, other hosts
//! redirected to https. Same routes, templates, configuration and output.

use rampart_seed::actix_app as app;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let Some((addr, cfg)) = app::parse_args("seed_app_actix")? else {
        return Ok(());
    };
    let seed = app::build(cfg)?;
    app::print_banner("actix-web", addr, &seed.headers);

    let listener = std::net::TcpListener::bind(addr)?;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    actix_web::rt::System::new().block_on(seed.server(listener, workers)?)?;
    Ok(())
}
