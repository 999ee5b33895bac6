//! libFuzzer entry for [`textkg::fuzz::read_jsonl`]; the stable `cargo test` driver runs the same function.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| textkg::fuzz::read_jsonl(data));
