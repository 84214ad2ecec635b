//! The seed app without rampart: `cargo run --release --bin bare_seed -- --addr
//! 127.0.0.1:8001 [--same-headers]` (see `rampart_bench::bare`).

use std::net::SocketAddr;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut addr: SocketAddr = "127.0.0.1:8001".parse()?;
    let mut same_headers = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--addr" => addr = args.next().ok_or("--addr needs HOST:PORT")?.parse()?,
            "--same-headers" => same_headers = true,
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    let app = rampart_bench::bare::router(same_headers);
    println!(
        "bare seed app (no rampart{}) on http://{addr}/",
        if same_headers {
            ", seed header bytes"
        } else {
            ""
        }
    );
    let rt = tokio::runtime::Runtime::new()?;
    // The seed app's server loop (hyper with a header-read timeout): the two
    // apps differ by rampart alone.
    rt.block_on(rampart_seed::axum_app::serve(addr, app))?;
    Ok(())
}
