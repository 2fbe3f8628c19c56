//! Timing comparison of the SSE parser of this crate with two maintained parsers of
//! reqwest-style byte streams (`eventsource-stream`, `sse-stream`), on 10,000 events of
//! 100 bytes and on 100 events of 100 KB, fed in 16 KiB chunks as a socket delivers them.
//!
//! Run with `cargo bench -p fastmcp-transport --bench sse_parse --no-default-features` (the
//! HTTP clients are not needed); it prints the time per run of each parser and its ratio
//! to ours.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::executor::block_on;
use futures::StreamExt;

/// What `sse_parse.rs` imports from the crate.
mod channel {
    pub use fastmcp_transport::FrameError;
}

/// The parser of this crate, compiled from its own source (it is not public API).
#[allow(dead_code)]
#[path = "../src/sse_parse.rs"]
mod sse_parse;

const CHUNK: usize = 16 * 1024;

/// A parser under test: parses the chunks, returns how many events with data it saw.
type Parser = fn(&[Bytes]) -> usize;

/// An event stream of `n` events whose data (a JSON-like text) is `size` bytes, with ids.
fn body(n: usize, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * (size + 40));
    out.extend_from_slice(b": a comment\nretry: 1000\n\n");
    for i in 0..n {
        let data = format!(
            "{{\"i\":{i},\"p\":\"{}\"}}",
            "x".repeat(size.saturating_sub(16))
        );
        out.extend_from_slice(format!("id: {i}\nevent: message\ndata: {data}\n\n").as_bytes());
    }
    out
}

fn chunks(body: &[u8]) -> Vec<Bytes> {
    body.chunks(CHUNK).map(Bytes::copy_from_slice).collect()
}

fn ours(input: &[Bytes]) -> usize {
    let mut p = sse_parse::SseParser::new(usize::MAX);
    let mut events = Vec::new();
    let mut n = 0;
    for c in input {
        p.feed(c, &mut events);
        n += events.drain(..).filter(|e| e.data.is_ok()).count();
    }
    n
}

fn eventsource(input: &[Bytes]) -> usize {
    use eventsource_stream::Eventsource;
    let s = futures::stream::iter(input.iter().cloned().map(Ok::<_, std::io::Error>));
    block_on(
        s.eventsource()
            .filter(|e| std::future::ready(e.is_ok()))
            .count(),
    )
}

fn sse_stream(input: &[Bytes]) -> usize {
    let s = futures::stream::iter(input.iter().cloned().map(Ok::<_, std::io::Error>));
    let s = sse_stream::SseStream::from_bytes_stream(s);
    // It also yields the `retry:`-only block (no data) as an item.
    let with_data = |e: &Result<sse_stream::Sse, _>| e.as_ref().is_ok_and(|s| s.data.is_some());
    block_on(s.filter(|e| std::future::ready(with_data(e))).count())
}

/// The best of several runs, each repeated until it took 200 ms or more.
fn time(f: Parser, input: &[Bytes], events: usize) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        let mut runs = 0u32;
        while start.elapsed() < Duration::from_millis(200) {
            assert_eq!(f(input), events);
            runs += 1;
        }
        best = best.min(start.elapsed() / runs);
    }
    best
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        // `cargo test --all-targets`: check that every parser sees every event, once.
        let input = chunks(&body(100, 1000));
        assert!([ours, eventsource, sse_stream as Parser]
            .iter()
            .all(|f| f(&input) == 100));
        return;
    }
    for (n, size) in [(10_000, 100), (100, 100_000)] {
        let input = chunks(&body(n, size));
        let base = time(ours, &input, n);
        println!("{n} events of {size} bytes:");
        println!("  fastmcp sse_parse   {base:>10.2?}  1.00");
        let others: [(&str, Parser); 2] = [
            ("eventsource-stream", eventsource),
            ("sse-stream", sse_stream),
        ];
        for (name, f) in others {
            let t = time(f, &input, n);
            let ratio = t.as_secs_f64() / base.as_secs_f64();
            println!("  {name:<19} {t:>10.2?}  {ratio:.2}");
        }
    }
}
