//! Tower adapter: layers and services over the framework-neutral core.

pub(crate) mod body;
pub(crate) mod connection;
pub mod csrf;
pub mod headers;
pub mod overrides;
pub mod report;
