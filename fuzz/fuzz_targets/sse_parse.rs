//! The client's `text/event-stream` parser (`fastmcp-transport/src/sse_parse.rs`), fed a
//! body cut into arbitrary chunks.
//!
//! Checks: nothing panics; the events, last id and retry delay are the same whether the
//! body comes in those chunks, all at once, or one byte at a time; delivered data is
//! UTF-8 within the limit and never empty.
#![no_main]

use arbitrary::Arbitrary;
use fastmcp_transport::__fuzz::sse_parse;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    /// The data limit of one event, 1 to 256 bytes.
    max: u8,
    /// The body, as the network delivers it.
    chunks: Vec<Vec<u8>>,
}

fuzz_target!(|input: Input| {
    let max = usize::from(input.max) + 1;
    let chunks: Vec<&[u8]> = input.chunks.iter().map(Vec::as_slice).collect();
    let all = input.chunks.concat();
    let chunked = sse_parse(max, &chunks);
    let whole = sse_parse(max, &[&all]);
    for (_, data) in &chunked.0 {
        if let Ok(d) = data {
            assert!(!d.is_empty() && d.len() <= max);
            assert!(std::str::from_utf8(d).is_ok());
        }
    }
    assert_eq!(chunked, whole, "chunked and whole bodies parse differently");
    let bytes: Vec<&[u8]> = all.chunks(1).collect();
    assert_eq!(sse_parse(max, &bytes), whole, "byte by byte differs");
});
