//! Fuzz: any text as a narrative or free page (front matter, Markdown, sanitising).
#![no_main]

use ftc::render::markdown;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let html = match markdown::parse(text) {
        Ok(doc) => doc.html,
        Err(_) => markdown::to_html(text),
    };
    // The sanitiser's promise: no script element ever reaches a page.
    assert!(!html.to_ascii_lowercase().contains("<script"), "script survived: {html}");
});
