//! The JSON-RPC envelope: how an incoming line or body is classified (batch or single
//! message; request, notification, response or error) by `Message::is_batch`,
//! `Message::parse` and `batch::batch_items`, as the server's session loop
//! (`fastmcp-server/src/session/channel.rs`) and the client's inbound loop call them.
//!
//! Checks: nothing panics; a failure carries -32700 or -32600; a parsed message
//! re-serializes to JSON that parses back to the same kind, id and method; a batch never
//! yields more items than its cap. What is read (by the one-pass reading of the common
//! shape or by serde) has the method and the params' text that serde reads in it; what
//! `scan::tool_call` reads of a call's params, the name and the arguments' text serde
//! reads. (Compared with serde's reading of those members, not with a `Value`: serde
//! skips a member it does not keep without checking that its bytes are UTF-8 or that
//! its `\u` escapes are whole characters, in both readings alike.)
#![no_main]

use fastmcp_protocol::batch::{batch_items, BatchError};
use fastmcp_protocol::error_code::{INVALID_REQUEST, PARSE_ERROR};
use fastmcp_protocol::jsonrpc::Message;
use fastmcp_protocol::scan::tool_call;
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::value::RawValue;

fn kind(m: &Message) -> (u8, Option<String>, Option<String>) {
    match m {
        Message::Request(r) => (0, Some(format!("{:?}", r.id)), Some(r.method.to_string())),
        Message::Notification(n) => (1, None, Some(n.method.to_string())),
        Message::Response(r) => (2, Some(format!("{:?}", r.id)), None),
        Message::Error(e) => (3, e.id.as_ref().map(|i| format!("{i:?}")), None),
    }
}

/// The members of a request as serde reads them (others skipped).
#[derive(Deserialize)]
struct Call<'a> {
    method: Option<String>,
    #[serde(borrow)]
    params: Option<&'a RawValue>,
}

/// The params of `tools/call` as serde reads them (others skipped).
#[derive(Deserialize)]
struct ToolCall<'a> {
    name: String,
    #[serde(borrow)]
    arguments: Option<&'a RawValue>,
}

/// Classify one message and check the round trip.
fn one(bytes: &[u8]) {
    match Message::parse(bytes) {
        Ok(m) => {
            let read: Call = serde_json::from_slice(bytes).expect("serde reads a message read");
            let params = match &m {
                Message::Request(r) => r.params.as_deref(),
                Message::Notification(n) => n.params.as_deref(),
                _ => None,
            };
            if m.method().is_some() {
                assert_eq!(m.method(), read.method.as_deref());
                assert_eq!(params.map(RawValue::get), read.params.map(RawValue::get));
            }
            let json = m.to_json();
            let again = Message::parse(json.as_bytes()).expect("a serialized message parses");
            assert_eq!(kind(&m), kind(&again), "round trip of {json}");
            assert_eq!(m.method(), again.method());
        }
        Err(f) => {
            let code = f.error.code;
            assert!(
                code == PARSE_ERROR || code == INVALID_REQUEST,
                "code {code}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if Message::is_batch(data) {
        let max = 1 + usize::from(data.first().copied().unwrap_or(0) % 8);
        match batch_items(data, max) {
            Ok(items) => {
                assert!(items.len() <= max);
                for item in items {
                    one(item.get().as_bytes());
                }
            }
            Err(BatchError::TooLong { max: m }) => assert_eq!(m, max),
            Err(BatchError::Parse(_)) => {}
        }
    }
    one(data);
    // `tool_call` reads JSON already checked: a params value serde accepts.
    let params = std::str::from_utf8(data)
        .ok()
        .and_then(|t| serde_json::from_str::<&RawValue>(t).ok());
    if let Some((params, call)) = params.and_then(|p| tool_call(p).map(|c| (p, c))) {
        let text = params.get();
        let read: ToolCall = serde_json::from_str(text).expect("serde reads a call read");
        assert_eq!(call.name, read.name);
        let arguments = call.arguments.map(|r| &text[r]);
        assert_eq!(arguments, read.arguments.map(RawValue::get));
    }
});
