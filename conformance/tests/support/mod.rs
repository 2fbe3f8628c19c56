//! A raw JSON-RPC driver for `conformance-server --stdio`: the suite checks wire JSON, so
//! these tests do too.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use fastmcp::protocol::{META_CLIENT_CAPABILITIES, META_CLIENT_INFO, META_PROTOCOL_VERSION};
use serde_json::{json, Value};

/// How long to wait for one message.
const TIMEOUT: Duration = Duration::from_secs(20);

/// What the driver answers to a request from the server.
pub type OnRequest = Box<dyn FnMut(&str, &Value) -> Value>;

/// A running `conformance-server --stdio`.
pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    next_id: u64,
    /// Notifications received so far.
    pub notifications: Vec<Value>,
    /// Requests the server sent, with their params.
    pub server_requests: Vec<(String, Value)>,
    on_request: OnRequest,
}

impl Server {
    /// Start the server.
    pub fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_conformance-server"))
            .arg("--stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn conformance-server");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Server {
            stdin: child.stdin.take(),
            child,
            lines,
            next_id: 1,
            notifications: vec![],
            server_requests: vec![],
            on_request: Box::new(|method, _| panic!("unexpected server request {method}")),
        }
    }

    /// Start and initialize a handshake-era session (2025-11-25) with sampling,
    /// elicitation and roots.
    pub fn legacy() -> Server {
        let mut s = Server::start();
        let r = s.request(
            "initialize",
            json!({
                "protocolVersion": "2025-11-25",
                "capabilities": { "sampling": {}, "elicitation": {}, "roots": {} },
                "clientInfo": { "name": "fixtures-test", "version": "1.0.0" }
            }),
        );
        assert_eq!(r["result"]["protocolVersion"], "2025-11-25", "{r}");
        s.notify("notifications/initialized", json!({}));
        s
    }

    /// Set how requests from the server are answered.
    pub fn on_request(&mut self, f: impl FnMut(&str, &Value) -> Value + 'static) {
        self.on_request = Box::new(f);
    }

    fn send(&mut self, msg: &Value) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{msg}").expect("write to the server");
        stdin.flush().expect("flush");
    }

    /// Send a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Send a request and return the whole response message (`result` or `error`),
    /// answering the server's own requests and recording notifications meanwhile.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let line = self
                .lines
                .recv_timeout(TIMEOUT)
                .unwrap_or_else(|_| panic!("no response to {method} within {TIMEOUT:?}"));
            let msg: Value = serde_json::from_str(&line).expect("the server writes JSON lines");
            match (msg.get("id"), msg.get("method")) {
                (Some(rid), None) if *rid == json!(id) => return msg,
                (Some(rid), None) => panic!("response to an unknown id {rid}: {msg}"),
                (Some(rid), Some(m)) => {
                    let m = m.as_str().expect("method is a string").to_owned();
                    let params = msg.get("params").cloned().unwrap_or(Value::Null);
                    let result = (self.on_request)(&m, &params);
                    self.server_requests.push((m, params));
                    let rid = rid.clone();
                    self.send(&json!({ "jsonrpc": "2.0", "id": rid, "result": result }));
                }
                (None, Some(_)) => self.notifications.push(msg),
                (None, None) => panic!("not a JSON-RPC message: {msg}"),
            }
        }
    }

    /// `request`, expecting a result.
    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// `request`, expecting an error.
    pub fn error(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        assert!(r.get("result").is_none(), "{method} did not fail: {r}");
        r["error"].clone()
    }

    /// Notifications of one method, drained.
    pub fn take_notifications(&mut self, method: &str) -> Vec<Value> {
        let (hit, rest) = std::mem::take(&mut self.notifications)
            .into_iter()
            .partition(|n| n["method"] == method);
        self.notifications = rest;
        hit
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.stdin.take());
        for _ in 0..40 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `_meta` of a stateless-era (2026-07-28) request, with these client capabilities.
pub fn meta(capabilities: Value) -> Value {
    json!({
        META_PROTOCOL_VERSION: "2026-07-28",
        META_CLIENT_INFO: { "name": "fixtures-test", "version": "1.0.0" },
        META_CLIENT_CAPABILITIES: capabilities
    })
}

/// The capabilities the suite's stateless requests declare.
pub fn all_caps() -> Value {
    json!({ "sampling": {}, "elicitation": {}, "roots": { "listChanged": true } })
}

/// `params` with the stateless `_meta` added.
pub fn modern(mut params: Value, capabilities: Value) -> Value {
    params["_meta"] = meta(capabilities);
    params
}

/// The text of the first text block of a tool result.
pub fn first_text(result: &Value) -> String {
    result["content"]
        .as_array()
        .and_then(|c| c.iter().find(|b| b["type"] == "text"))
        .and_then(|b| b["text"].as_str())
        .unwrap_or_else(|| panic!("no text content in {result}"))
        .to_owned()
}

/// An accepted elicitation answer.
pub fn accept(content: Value) -> Value {
    json!({ "action": "accept", "content": content })
}

/// A sampling answer.
pub fn sampled(text: &str) -> Value {
    json!({
        "role": "assistant",
        "content": { "type": "text", "text": text },
        "model": "test-model",
        "stopReason": "endTurn"
    })
}
