//! Per-request cost of rampart and its peers over a no-op axum handler, and of
//! rampart-actix and its peers over a no-op actix-web handler.
//!
//! One criterion group per workload; each group holds the workload's baseline
//! router (same handler, no layer) and every implementation doing that work,
//! all measured in the same run. See `rampart_bench` for the scenarios and
//! BENCHMARKS.md for the results. `cargo bench --bench layers [-- FILTER]`.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

fn layers(c: &mut Criterion) {
    let mut scenarios = rampart_bench::scenarios();
    let mut groups: Vec<&'static str> = Vec::new();
    for s in &scenarios {
        if !groups.contains(&s.group) {
            groups.push(s.group);
        }
    }
    for g in groups {
        let mut group = c.benchmark_group(g);
        for s in scenarios.iter_mut().filter(|s| s.group == g) {
            let make = &s.make_req;
            let call = &mut s.call;
            group.bench_function(s.name, |b| {
                b.iter_batched(make, |req| drop(call(req)), BatchSize::SmallInput)
            });
        }
        group.finish();
    }

    // actix-web: rampart-actix against actix-web's DefaultHeaders and
    // actix-csrf-middleware (`rampart_bench::actix`).
    let actix = rampart_bench::actix::scenarios();
    let mut groups: Vec<&'static str> = Vec::new();
    for s in &actix {
        if !groups.contains(&s.group) {
            groups.push(s.group);
        }
    }
    for g in groups {
        let mut group = c.benchmark_group(g);
        for s in actix.iter().filter(|s| s.group == g) {
            let make = &s.make_req;
            let run = &s.run;
            group.bench_function(s.name, |b| b.iter_batched(make, run, BatchSize::SmallInput));
        }
        group.finish();
    }

    // What the floors are made of, on this machine: an uncontended atomic
    // read-modify-write (every `Arc` clone and drop is one), and a small
    // allocation with its free.
    let mut group = c.benchmark_group("primitives");
    let counter = std::sync::atomic::AtomicUsize::new(0);
    group.bench_function("atomic fetch_add", |b| {
        b.iter(|| std::hint::black_box(&counter).fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    });
    let arc = std::sync::Arc::new(0u64);
    group.bench_function("Arc clone + drop", |b| {
        b.iter(|| drop(std::hint::black_box(std::sync::Arc::clone(&arc))))
    });
    group.bench_function("Box<[u64; 8]> alloc + free", |b| {
        b.iter(|| drop(std::hint::black_box(Box::new([0u64; 8]))))
    });
    group.finish();

    // The CSP header alone (no Tower, no router): what the policy itself costs.
    let csp = rampart_bench::seed_csp();
    let mut group = c.benchmark_group("csp_only");
    group.bench_function("empty HeaderMap", |b| {
        b.iter(|| drop(std::hint::black_box(http::HeaderMap::new())))
    });
    group.bench_function("seed CSP, no nonce", |b| {
        b.iter(|| drop(rampart_bench::csp_only::write(&csp, false)))
    });
    group.bench_function("seed CSP, nonce used", |b| {
        b.iter(|| drop(rampart_bench::csp_only::write(&csp, true)))
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .sample_size(40)
        .without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = layers
}
criterion_main!(benches);
