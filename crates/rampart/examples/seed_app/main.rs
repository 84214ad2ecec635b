//! The seed app: `cargo run --release --example seed_app [-- --addr 127.0.0.1:8000] [--csp-report-uri /csp-report] [--allowed-host HOST]...`.
//!
//! The Flask app of the seed post, on axum, secured by rampart with the post's
//! CSP (nonce in script-src and script-src-elem) and CSRF protection. It trusts
//! forwarded headers from loopback peers only (a TLS proxy on the same host),
//! serves loopback hosts over plain http and redirects other hosts to https.

use rampart_seed::axum_app as app;

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
    rt.block_on(app::serve(addr, router))?;
    Ok(())
}
