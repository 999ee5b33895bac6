//! libFuzzer entry for [`textkg::fuzz::extract_text`]; the stable `cargo test` driver runs the same function.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| textkg::fuzz::extract_text(data));
