//! Hidden entry points for the fuzz targets of `fuzz/` (feature `fuzzing`): the crate's
//! private parsers behind plain functions. Not a public API; it may change at any time.

use bytes::Bytes;

use crate::channel::FrameError;
use crate::sse_parse::SseParser;

/// What an SSE body parses to: the events (type and data), then the last event id and
/// the last `retry:` delay in milliseconds.
pub type SseOutcome = (
    Vec<(Option<String>, Result<Bytes, FrameError>)>,
    Option<String>,
    Option<u128>,
);

/// Parse an SSE body given as `chunks` (fed one after the other) with a data limit of
/// `max` bytes per event.
pub fn sse_parse(max: usize, chunks: &[&[u8]]) -> SseOutcome {
    let mut p = SseParser::new(max);
    let mut out = Vec::new();
    for c in chunks {
        p.feed(c, &mut out);
    }
    let events = out.into_iter().map(|e| (e.event, e.data)).collect();
    (events, p.last_id, p.retry.map(|d| d.as_millis()))
}
