#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rampart_core::fuzz::csp_policy(data));
