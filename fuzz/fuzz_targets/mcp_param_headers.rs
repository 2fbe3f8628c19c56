//! The request headers of 2026-07-28 (`fastmcp_protocol::http_headers`): decoding
//! `Mcp-Name` / `Mcp-Param-*` values (the `=?base64?...?=` sentinel), encoding them, and
//! the `x-mcp-header` annotations of tool input schemas.
//!
//! Checks: nothing panics; every encoded value is a valid HTTP header value and decodes
//! back to the original; a plain value is sent and decodes as it is; an argument's header text,
//! encoded then decoded, matches the argument; annotations are found only where the
//! schema's rules allow them once the schema passes the check.
#![no_main]

use axum::http::HeaderValue;
use fastmcp_protocol::http_headers as h;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// The input, NUL-separated (plain text, so the seeds stay readable).
struct Input {
    /// A header value as received.
    raw: String,
    /// A value to send.
    text: String,
    /// A tool input schema (JSON).
    schema: String,
    /// The arguments of a call (JSON).
    arguments: String,
}

impl Input {
    fn parse(data: &[u8]) -> Option<Input> {
        let text = std::str::from_utf8(data).ok()?;
        let mut f = text.splitn(4, '\0').map(str::to_owned);
        let mut next = || f.next().unwrap_or_default();
        Some(Input {
            raw: next(),
            text: next(),
            schema: next(),
            arguments: next(),
        })
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else {
        return;
    };
    // Decoding what a peer sent.
    if let Some(d) = h::decode_header_value(&input.raw) {
        if !input.raw.starts_with("=?base64?") {
            assert_eq!(d, input.raw);
        }
    }
    let _ = h::is_token(&input.raw);
    let _ = h::name_param(&input.raw);
    // Encoding what we send.
    let enc = h::encode_header_value(&input.text);
    assert!(
        HeaderValue::from_str(&enc).is_ok(),
        "not a header value: {enc:?}"
    );
    if !h::needs_encoding(&input.text) {
        assert_eq!(enc, input.text, "a plain value is sent as it is");
    }
    assert_eq!(
        h::decode_header_value(&enc).as_deref(),
        Some(input.text.as_str())
    );
    // Schemas and arguments.
    let (Ok(schema), Ok(args)) = (
        serde_json::from_str::<Value>(&input.schema),
        serde_json::from_str::<Value>(&input.arguments),
    ) else {
        return;
    };
    let checked = h::check_header_annotations(&schema);
    for a in h::annotations(&schema) {
        if checked.is_ok() {
            assert!(
                h::is_token(&a.name),
                "accepted a bad header name {:?}",
                a.name
            );
        }
        let _ = h::param_header(&a.name);
        let Some(v) = a.value(&args) else { continue };
        if let Some(text) = h::param_text(v) {
            let sent = h::encode_header_value(&text);
            let got = h::decode_header_value(&sent).expect("our encoding decodes");
            assert!(
                h::param_matches(v, &got),
                "{v} does not match its header {sent:?}"
            );
        }
    }
});
