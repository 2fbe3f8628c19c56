//! The JSON-RPC envelope: how an incoming line or body is classified (batch or single
//! message; request, notification, response or error) by `Message::is_batch`,
//! `Message::parse` and `batch::batch_items`, as the server's session loop
//! (`fastmcp-server/src/session/channel.rs`) and the client's inbound loop call them.
//!
//! Checks: nothing panics; a failure carries -32700 or -32600; a parsed message
//! re-serializes to JSON that parses back to the same kind, id and method; a batch never
//! yields more items than its cap. What is read (by the one-pass reading of the common
//! shape or by serde) is JSON, and its method and params are the text's; what
//! `scan::tool_call` reads of a call's params is JSON too, with the same name and
//! arguments.
#![no_main]

use fastmcp_protocol::batch::{batch_items, BatchError};
use fastmcp_protocol::error_code::{INVALID_REQUEST, PARSE_ERROR};
use fastmcp_protocol::jsonrpc::Message;
use fastmcp_protocol::scan::tool_call;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn kind(m: &Message) -> (u8, Option<String>, Option<String>) {
    match m {
        Message::Request(r) => (0, Some(format!("{:?}", r.id)), Some(r.method.to_string())),
        Message::Notification(n) => (1, None, Some(n.method.to_string())),
        Message::Response(r) => (2, Some(format!("{:?}", r.id)), None),
        Message::Error(e) => (3, e.id.as_ref().map(|i| format!("{i:?}")), None),
    }
}

/// Classify one message and check the round trip.
fn one(bytes: &[u8]) {
    match Message::parse(bytes) {
        Ok(m) => {
            let v: Value = serde_json::from_slice(bytes).expect("a message read is JSON");
            let params = match &m {
                Message::Request(r) => r.params.as_deref(),
                Message::Notification(n) => n.params.as_deref(),
                _ => None,
            };
            if let Some(method) = m.method() {
                assert_eq!(v["method"], method);
            }
            if let Some(p) = params {
                let read: Value = serde_json::from_str(p.get()).expect("params are JSON");
                assert_eq!(read, v["params"]);
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
    if let Some(call) = std::str::from_utf8(data).ok().and_then(|t| tool_call(t).map(|c| (t, c))) {
        let (text, call) = call;
        let v: Value = serde_json::from_str(text).expect("a call's params read are JSON");
        assert_eq!(v["name"], call.name);
        match call.arguments {
            Some(r) => {
                let args: Value = serde_json::from_str(&text[r]).expect("arguments are JSON");
                assert_eq!(args, v["arguments"]);
            }
            None => assert!(v.get("arguments").is_none()),
        }
    }
});
