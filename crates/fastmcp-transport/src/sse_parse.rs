//! An incremental parser of `text/event-stream` bodies (the event stream format of the
//! HTML Living Standard), with a limit on the size of one event's data.
//!
//! Kept rather than a crate (see `benches/sse_parse.rs`, 2026-12, on a loaded machine):
//! `eventsource-stream` 0.2 takes 2.6-3.7x our time on small events and 6.7-7.5x on 100 KB
//! ones; `sse-stream` 0.2 is a little faster (0.6-0.8x and 0.8-1.0x of our time) but fails
//! the whole stream where the standard says to ignore or go on
//! (a line without `:`, an unknown field, a repeated `event`/`id`/`retry`, a non-numeric
//! `retry`, invalid UTF-8), and neither limits the size of an event.

use std::time::Duration;

use bytes::{Bytes, BytesMut};

use crate::channel::FrameError;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The event type (`event:` field); `None` means the default, `message`.
    pub(crate) event: Option<String>,
    /// The data (lines joined with `\n`), or why it was discarded.
    pub(crate) data: Result<Bytes, FrameError>,
}

impl SseEvent {
    /// The event type, `message` by default.
    pub(crate) fn kind(&self) -> &str {
        self.event.as_deref().unwrap_or("message")
    }
}

/// Feeds on body chunks and yields events. Remembers the last event id and the server's
/// reconnection delay across reconnections (call [`SseParser::reset_stream`] between them).
#[derive(Debug)]
pub(crate) struct SseParser {
    max: usize,
    line: BytesMut,
    line_too_long: bool,
    after_cr: bool,
    started: bool,
    /// The first bytes of a stream while they may still be a byte order mark.
    bom: Vec<u8>,
    data: BytesMut,
    has_data: bool,
    too_large: bool,
    event: Option<String>,
    /// The last `id:` seen (the `Last-Event-ID` to resume with).
    pub(crate) last_id: Option<String>,
    /// The last `retry:` seen.
    pub(crate) retry: Option<Duration>,
    /// Whether any field line was seen since the last call of [`SseParser::take_progress`].
    progress: bool,
}

impl SseParser {
    /// A parser whose events' data may be at most `max` bytes.
    pub(crate) fn new(max: usize) -> Self {
        SseParser {
            max,
            line: BytesMut::new(),
            line_too_long: false,
            after_cr: false,
            started: false,
            bom: Vec::new(),
            data: BytesMut::new(),
            has_data: false,
            too_large: false,
            event: None,
            last_id: None,
            retry: None,
            progress: false,
        }
    }

    /// Forget a partial event (the connection dropped); keep the last id and retry delay.
    pub(crate) fn reset_stream(&mut self) {
        self.line.clear();
        self.line_too_long = false;
        self.after_cr = false;
        self.started = false;
        self.bom.clear();
        self.reset_event();
    }

    fn reset_event(&mut self) {
        self.data.clear();
        self.has_data = false;
        self.too_large = false;
        self.event = None;
    }

    /// Whether an event or an id arrived since the last call.
    pub(crate) fn take_progress(&mut self) -> bool {
        std::mem::take(&mut self.progress)
    }

    /// Parse a chunk; complete events are pushed to `out`.
    pub(crate) fn feed(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) {
        if self.started {
            return self.feed_lines(chunk, out);
        }
        // A leading byte order mark is skipped, also when it is split across chunks: the
        // first bytes are held until they are known to be one or not.
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let take = chunk.len().min(BOM.len() - self.bom.len());
        self.bom.extend_from_slice(&chunk[..take]);
        if self.bom.len() < BOM.len() && BOM.starts_with(&self.bom) {
            return; // all of `chunk` is held
        }
        self.started = true;
        let held = std::mem::take(&mut self.bom);
        if held != BOM {
            self.feed_lines(&held, out);
        }
        self.feed_lines(&chunk[take..], out);
    }

    fn feed_lines(&mut self, mut chunk: &[u8], out: &mut Vec<SseEvent>) {
        while !chunk.is_empty() {
            if self.after_cr {
                self.after_cr = false;
                if chunk[0] == b'\n' {
                    chunk = &chunk[1..];
                    continue;
                }
            }
            match chunk.iter().position(|b| *b == b'\n' || *b == b'\r') {
                Some(i) => {
                    self.push_line_part(&chunk[..i]);
                    self.after_cr = chunk[i] == b'\r';
                    chunk = &chunk[i + 1..];
                    self.end_line(out);
                }
                None => {
                    self.push_line_part(chunk);
                    chunk = &[];
                }
            }
        }
    }

    fn push_line_part(&mut self, part: &[u8]) {
        if self.line_too_long {
            return;
        }
        // A field line is at most the data limit plus the field name.
        if self.line.len() + part.len() > self.max.saturating_add(64) {
            self.line_too_long = true;
            self.line.clear();
        } else {
            self.line.extend_from_slice(part);
        }
    }

    fn end_line(&mut self, out: &mut Vec<SseEvent>) {
        if std::mem::take(&mut self.line_too_long) {
            self.too_large = true;
            self.has_data = true;
            self.data.clear();
            return;
        }
        let line = self.line.split();
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line[0] == b':' {
            return; // a comment (keep-alive)
        }
        let (field, value) = match line.iter().position(|b| *b == b':') {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (&line[..], &[][..]),
        };
        match field {
            b"data" => {
                self.has_data = true;
                if self.too_large {
                    return;
                }
                if self.data.len() + value.len() + 1 > self.max.saturating_add(1) {
                    self.too_large = true;
                    self.data.clear();
                } else {
                    self.data.extend_from_slice(value);
                    self.data.extend_from_slice(b"\n");
                }
            }
            b"event" => self.event = Some(String::from_utf8_lossy(value).into_owned()),
            b"id" if !value.contains(&0) => {
                self.last_id = Some(String::from_utf8_lossy(value).into_owned());
                self.progress = true;
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Ok(ms) = std::str::from_utf8(value).unwrap_or("").parse::<u64>() {
                    self.retry = Some(Duration::from_millis(ms));
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        if !self.has_data {
            self.reset_event();
            return;
        }
        self.progress = true;
        let event = self.event.take();
        let data = if self.too_large {
            Err(FrameError::TooLarge { limit: self.max })
        } else {
            let mut d = self.data.split();
            d.truncate(d.len().saturating_sub(1)); // the last line's '\n'
            let d = d.freeze();
            if std::str::from_utf8(&d).is_ok() {
                Ok(d)
            } else {
                Err(FrameError::InvalidUtf8)
            }
        };
        self.reset_event();
        if matches!(&data, Ok(d) if d.is_empty()) {
            return; // an empty `data:` line only: nothing to deliver
        }
        out.push(SseEvent { event, data });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(chunks: &[&[u8]], max: usize) -> (Vec<SseEvent>, SseParser) {
        let mut p = SseParser::new(max);
        let mut out = vec![];
        for c in chunks {
            p.feed(c, &mut out);
        }
        (out, p)
    }

    fn ok(event: Option<&str>, data: &'static str) -> SseEvent {
        SseEvent {
            event: event.map(str::to_owned),
            data: Ok(Bytes::from_static(data.as_bytes())),
        }
    }

    #[test]
    fn events_fields_and_line_endings() {
        let (ev, p) = parse(
            &[
                b"\xEF\xBB\xBF: comment\n",
                b"id: 1\nretry: 250\ndata: {\"a\"",
                b":1}\n\r\nevent: endpoint\r\ndata: /messages?s=1\r\r",
                b"data: line1\ndata:line2\n\n",
                b"id: s_7\ndata:\n\n", // priming: id and empty data
                b"data: tail-without-blank-line",
            ],
            1024,
        );
        assert_eq!(
            ev,
            vec![
                ok(None, "{\"a\":1}"),
                ok(Some("endpoint"), "/messages?s=1"),
                ok(None, "line1\nline2"),
            ]
        );
        assert_eq!(ev[1].kind(), "endpoint");
        assert_eq!(ev[0].kind(), "message");
        assert_eq!(p.last_id.as_deref(), Some("s_7"));
        assert_eq!(p.retry, Some(Duration::from_millis(250)));
    }

    #[test]
    fn crlf_split_across_chunks_is_one_line_end() {
        let (ev, _) = parse(&[b"data: x\r", b"\n\r", b"\ndata: y\n\n"], 64);
        assert_eq!(ev, vec![ok(None, "x"), ok(None, "y")]);
    }

    #[test]
    fn oversized_events_are_reported_once_and_skipped() {
        let big = vec![b'x'; 5000];
        let mut line = b"data: ".to_vec();
        line.extend_from_slice(&big);
        let (ev, _) = parse(
            &[
                &line[..100],
                &line[100..],
                b"\n\n",
                b"data: a\ndata: ",
                &big,
                b"\n\ndata: ok\n\n",
            ],
            1000,
        );
        assert_eq!(
            ev,
            vec![
                SseEvent {
                    event: None,
                    data: Err(FrameError::TooLarge { limit: 1000 })
                },
                SseEvent {
                    event: None,
                    data: Err(FrameError::TooLarge { limit: 1000 })
                },
                ok(None, "ok"),
            ]
        );
    }

    #[test]
    fn invalid_utf8_and_reset() {
        let (ev, mut p) = parse(&[b"data: \xff\n\n", b"data: partial"], 64);
        assert_eq!(ev[0].data, Err(FrameError::InvalidUtf8));
        p.reset_stream();
        let mut out = vec![];
        p.feed(b"data: fresh\n\n", &mut out);
        assert_eq!(out, vec![ok(None, "fresh")]);
    }

    /// A byte order mark split across chunks is skipped as a whole one is (the
    /// `sse_parse` fuzz target compares chunked and whole bodies).
    #[test]
    fn split_byte_order_mark_is_skipped() {
        let body: &[u8] = b"\xEF\xBB\xBFdata: x\n\n";
        let (whole, _) = parse(&[body], 64);
        assert_eq!(whole, vec![ok(None, "x")]);
        for cut in 1..3 {
            let (ev, _) = parse(&[&body[..cut], b"", &body[cut..]], 64);
            assert_eq!(ev, whole, "cut at {cut}");
        }
        let (ev, _) = parse(&[b"\xEF", b"\xBBdata: y\n\n", b"data: z\n\n"], 64);
        assert_eq!(
            ev,
            vec![ok(None, "z")],
            "not a mark: kept, so the line is no field"
        );
    }
}
