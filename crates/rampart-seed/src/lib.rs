//! The seed app of the Flask post, on axum and on actix-web, secured by
//! rampart: shared by the two examples (`seed_app`, `seed_app_actix`), the
//! end-to-end tests and the benchmarks. Not published.
#![forbid(unsafe_code)]

pub mod actix_app;
pub mod axum_app;
pub mod engines;
pub mod shared;
pub mod testing;
