//! rampart
#![forbid(unsafe_code)]
pub use rampart_core as core;
