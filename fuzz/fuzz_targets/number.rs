//! Fuzz: any text as a typed number.
#![no_main]

use ftc::ingest::number::{self, Parsed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Parsed::Number(v) = number::parse_number(text) {
        assert!(v.is_finite(), "{text:?} parsed to {v}");
    }
    let _ = number::ascii_digits(text);
});
