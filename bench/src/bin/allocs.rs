//! Heap allocations per request, for every scenario of `rampart_bench`.
//!
//! A counting global allocator wraps the system allocator. For each scenario
//! the request is built outside the counted region; the count covers
//! `poll_ready` + `call` + polling to completion + dropping the response.
//! Printed: allocations (alloc + alloc_zeroed + realloc) and bytes requested
//! per request, and the same minus the workload's baseline router.
//!
//! `cargo run --release --bin allocs [-- --json FILE]`

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(l.size() as u64, Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(l.size() as u64, Relaxed);
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(new as u64, Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const N: u64 = 2000;

/// Counts one scenario: `run` takes a request made by `make` outside the count.
fn measure<R>(run: &mut dyn FnMut(R), make: &dyn Fn() -> R) -> (f64, f64) {
    for _ in 0..200 {
        run(make());
    }
    let (mut a, mut b) = (0u64, 0u64);
    for _ in 0..N {
        let req = make();
        let (a0, b0) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
        run(req);
        a += ALLOCS.load(Relaxed) - a0;
        b += BYTES.load(Relaxed) - b0;
    }
    (a as f64 / N as f64, b as f64 / N as f64)
}

fn main() {
    let json_out = std::env::args().skip_while(|a| a != "--json").nth(1);
    rampart_bench::check_refusals();
    rampart_bench::actix::check_refusals();
    let mut scenarios = rampart_bench::scenarios();
    let actix = rampart_bench::actix::scenarios();
    let mut baseline: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    let mut rows = Vec::new();
    println!(
        "{:<22} {:<40} {:>10} {:>10} {:>10} {:>10}",
        "workload", "implementation", "allocs/req", "bytes/req", "+allocs", "+bytes"
    );
    let mut record = |group: &'static str, name: &'static str, (a, b): (f64, f64)| {
        if name == "baseline" {
            baseline.insert(group, (a, b));
        }
        let (ba, bb) = baseline[group];
        println!(
            "{:<22} {:<40} {:>10.2} {:>10.0} {:>+10.2} {:>+10.0}",
            group,
            name,
            a,
            b,
            a - ba,
            b - bb
        );
        rows.push(format!(
            "{{\"group\":\"{}\",\"name\":\"{}\",\"allocs\":{a},\"bytes\":{b},\"added_allocs\":{},\"added_bytes\":{}}}",
            group,
            name,
            a - ba,
            b - bb
        ));
    };
    for s in &mut scenarios {
        let call = &mut s.call;
        let counted = measure(&mut |req| drop(call(req)), &*s.make_req);
        record(s.group, s.name, counted);
    }
    for s in &actix {
        let counted = measure(&mut |req| (s.run)(req), &*s.make_req);
        record(s.group, s.name, counted);
    }
    // The CSP header alone, without Tower.
    let csp = rampart_bench::seed_csp();
    for with_nonce in [false, true] {
        let (a0, b0) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
        for _ in 0..N {
            drop(rampart_bench::csp_only::write(&csp, with_nonce));
        }
        let a = (ALLOCS.load(Relaxed) - a0) as f64 / N as f64;
        let b = (BYTES.load(Relaxed) - b0) as f64 / N as f64;
        let name = if with_nonce {
            "core: seed CSP write_headers, nonce"
        } else {
            "core: seed CSP write_headers, no nonce"
        };
        println!("{:<20} {:<40} {:>10.2} {:>10.0}", "csp_only", name, a, b);
        rows.push(format!(
            "{{\"group\":\"csp_only\",\"name\":\"{name}\",\"allocs\":{a},\"bytes\":{b},\"added_allocs\":{a},\"added_bytes\":{b}}}"
        ));
    }
    if let Some(path) = json_out {
        std::fs::write(&path, format!("[\n{}\n]\n", rows.join(",\n"))).unwrap();
    }
}
