//! The seed app: `cargo run --release --example seed_app [-- --addr 127.0.0.1:8000] [--csp-report-uri /csp-report]`.
//!
//! The Flask app of the seed post, on axum, secured by rampart with the post's
//! CSP (nonce in script-src and script-src-elem) and CSRF protection. It trusts
//! forwarded headers from loopback peers only (a TLS proxy on the same host),
//! serves loopback hosts over plain http and redirects other hosts to https.

mod app;

use std::net::SocketAddr;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let mut addr: SocketAddr = "127.0.0.1:8000".parse()?;
    let mut cfg = app::SeedConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => addr = args.next().ok_or("--addr needs HOST:PORT")?.parse()?,
            "--csp-report-uri" => {
                cfg.csp_report_uri = Some(args.next().ok_or("--csp-report-uri needs a path")?)
            }
            "-h" | "--help" => {
                println!("usage: seed_app [--addr HOST:PORT] [--csp-report-uri /csp-report]");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}` (try --help)").into()),
        }
    }

    let app::Seed { router, headers, .. } = app::build(cfg)?;

    println!("rampart seed app on http://{addr}/  (login form: http://{addr}/login)");
    println!("\nSecurity headers sent on a secure response (the nonce is added per response when a page uses it):");
    for (name, value) in headers.header_values() {
        println!("  {name}: {value}");
    }
    println!("  plus, per response that renders a form: the CSRF secret cookie and Vary: Cookie");
    if let Some(csp) = headers.csp() {
        println!("\nCSP linter findings for this policy:");
        for f in csp.findings() {
            println!("  {f}");
        }
    }
    println!();

    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    })?;
    Ok(())
}
