//! The JSON-RPC 2.0 envelope: one parse per message, params and results kept raw.
//!
//! ```
//! use fastmcp_protocol::jsonrpc::{Message, RequestId};
//! let m = Message::parse(br#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#).unwrap();
//! match m {
//!     Message::Request(r) => {
//!         assert_eq!(r.id, RequestId::Number(7));
//!         assert_eq!(r.method, "ping");
//!     }
//!     _ => unreachable!(),
//! }
//! ```

use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::envelope_fields::{IdField, IsVersion2};
use crate::error_code;
use crate::method::MethodField;
pub use crate::method::{method, Method, METHODS};

/// A request id: a string or an integer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestId {
    /// A numeric id.
    Number(i64),
    /// A string id.
    String(Arc<str>),
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestId::Number(n) => write!(f, "{n}"),
            RequestId::String(s) => f.write_str(s),
        }
    }
}

impl From<i64> for RequestId {
    fn from(n: i64) -> Self {
        RequestId::Number(n)
    }
}

impl From<&str> for RequestId {
    fn from(s: &str) -> Self {
        RequestId::String(s.into())
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RequestId::Number(n) => s.serialize_i64(*n),
            RequestId::String(v) => s.serialize_str(v),
        }
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RequestId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or integer request id")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RequestId, E> {
                Ok(RequestId::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RequestId, E> {
                i64::try_from(v)
                    .map(RequestId::Number)
                    .map_err(|_| E::custom("request id out of range"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RequestId, E> {
                Ok(RequestId::String(v.into()))
            }
        }
        d.deserialize_any(V)
    }
}

/// The `error` member of an error response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// The error code (see [`crate::error_code`]).
    pub code: i32,
    /// A short description.
    pub message: String,
    /// Additional information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl ErrorObject {
    /// An error with a code and message.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        ErrorObject {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Attach `data`.
    pub fn with_data(mut self, data: serde_json::Value) -> Self {
        self.data = Some(data);
        self
    }
}

/// A request: it expects a response with the same id.
#[derive(Debug, Clone)]
pub struct Request {
    /// The id.
    pub id: RequestId,
    /// The method name.
    pub method: Method,
    /// The params, unparsed.
    pub params: Option<Box<RawValue>>,
}

/// A notification: no id, no response.
#[derive(Debug, Clone)]
pub struct Notification {
    /// The method name.
    pub method: Method,
    /// The params, unparsed.
    pub params: Option<Box<RawValue>>,
}

/// A successful response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The id of the request this answers.
    pub id: RequestId,
    /// The result, unparsed.
    pub result: Box<RawValue>,
}

impl Response {
    /// Append what comes before the result in this response's JSON
    /// (`{"jsonrpc":"2.0","id":…,"result":`): that, the result's text and `}` are the
    /// same bytes as [`Message::write_to`] writes, so a writer can send a large result
    /// from where it is instead of copying it into one buffer with its envelope.
    ///
    /// ```
    /// use fastmcp_protocol::jsonrpc::{Message, Response};
    /// use serde_json::value::RawValue;
    /// let r = Response { id: 7.into(), result: RawValue::from_string("{}".into()).unwrap() };
    /// let mut out = Vec::new();
    /// r.write_head(&mut out);
    /// out.extend_from_slice(r.result.get().as_bytes());
    /// out.push(b'}');
    /// assert_eq!(out, Message::Response(r).to_vec());
    /// ```
    pub fn write_head(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(HEAD);
        write_id(out, &self.id);
        out.extend_from_slice(RESULT);
    }
}

/// A response's JSON up to its id, and between its id and its result.
const HEAD: &[u8] = br#"{"jsonrpc":"2.0","id":"#;
const RESULT: &[u8] = br#","result":"#;

/// The length of `id` written as JSON (as serde_json writes it: a string escapes `"`, `\`
/// and the control characters, nothing else).
fn json_len(id: &RequestId) -> usize {
    match id {
        RequestId::Number(n) => {
            let digits = n.unsigned_abs().checked_ilog10().unwrap_or(0) as usize + 1;
            digits + usize::from(*n < 0)
        }
        RequestId::String(s) => {
            let escaped: usize = s
                .bytes()
                .map(|b| match b {
                    b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
                    0..=0x1f => 6,
                    _ => 1,
                })
                .sum();
            escaped + 2
        }
    }
}

/// An error response. The id is `None` when the request's id could not be read.
#[derive(Debug, Clone)]
pub struct ErrorResponse {
    /// The id of the request this answers, if known.
    pub id: Option<RequestId>,
    /// The error.
    pub error: ErrorObject,
}

/// Any JSON-RPC message.
#[derive(Debug, Clone)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A notification.
    Notification(Notification),
    /// A successful response.
    Response(Response),
    /// An error response.
    Error(ErrorResponse),
}

/// Why a message could not be read: the error response to send (if any) is built from this.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseFailure {
    /// The id of the offending message, when it could be read.
    pub id: Option<RequestId>,
    /// The error to report (-32700 or -32600).
    pub error: ErrorObject,
    /// Whether the message looked like a response or notification (no reply is owed then).
    pub reply: bool,
}

/// The envelope as read off the wire, before it is classified.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    jsonrpc: IsVersion2,
    #[serde(default)]
    id: IdField,
    #[serde(default)]
    method: Option<MethodField>,
    #[serde(default)]
    params: Option<Box<RawValue>>,
    #[serde(default)]
    result: Option<Box<RawValue>>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

/// Read a message's envelope with serde (`text`: `bytes`, if they are UTF-8).
fn envelope(bytes: &[u8], text: Option<&str>) -> Result<Message, ParseFailure> {
    let env = match text {
        Some(text) => serde_json::from_str::<Envelope>(text),
        None => serde_json::from_slice::<Envelope>(bytes),
    };
    let env = match env {
        Ok(e) => e,
        Err(e) => return Err(envelope_error(bytes, &e)),
    };
    let null_id = matches!(env.id, IdField::Null);
    let id = match env.id {
        IdField::Id(id) => Some(id),
        IdField::Invalid => {
            return Err(invalid(
                None,
                "Invalid request: id must be a string or integer",
                true,
            ))
        }
        IdField::Missing | IdField::Null => None,
    };
    if !env.jsonrpc.0 {
        // Answer anything but what looks like a response (answering those could loop).
        let reply = env.result.is_none() && env.error.is_none();
        return Err(invalid(
            id,
            "Invalid request: jsonrpc must be \"2.0\"",
            reply,
        ));
    }
    if let Some(p) = &env.params {
        let first = p.get().as_bytes().first().copied();
        if !matches!(first, Some(b'{') | Some(b'[')) {
            return Err(invalid(
                id,
                "Invalid request: params must be an object",
                true,
            ));
        }
    }
    match (env.method, env.result, env.error) {
        // `"id": null` is not a notification (those have no id): refused as invalid.
        (Some(_), None, None) if null_id => Err(invalid(
            None,
            "Invalid request: id must be a string or integer, not null",
            true,
        )),
        (Some(MethodField(method)), None, None) => Ok(match id {
            Some(id) => Message::Request(Request {
                id,
                method,
                params: env.params,
            }),
            None => Message::Notification(Notification {
                method,
                params: env.params,
            }),
        }),
        (None, Some(result), None) => match id {
            Some(id) => Ok(Message::Response(Response { id, result })),
            None => Err(invalid(None, "Invalid response: missing id", false)),
        },
        (None, None, Some(error)) => match serde_json::from_value::<ErrorObject>(error) {
            Ok(error) => Ok(Message::Error(ErrorResponse { id, error })),
            Err(_) => Err(invalid(id, "Invalid response: malformed error", false)),
        },
        _ => Err(invalid(
            id,
            "Invalid request: expected exactly one of method, result or error",
            true,
        )),
    }
}

/// [`Message::parse`] without its one-pass reading of the common shape: what that reading
/// is checked against.
#[cfg(test)]
pub(crate) fn parse_with_serde(bytes: &[u8]) -> Result<Message, ParseFailure> {
    envelope(bytes, std::str::from_utf8(bytes).ok())
}

fn invalid(id: Option<RequestId>, msg: &str, reply: bool) -> ParseFailure {
    ParseFailure {
        id,
        error: ErrorObject::new(error_code::INVALID_REQUEST, msg),
        reply,
    }
}

impl Message {
    /// Read one message from bytes. Batches (JSON arrays) are refused here;
    /// use [`Message::is_batch`] first where a version allows them.
    pub fn parse(bytes: &[u8]) -> Result<Message, ParseFailure> {
        // Checked as UTF-8 whole first: read as text, neither reading checks each string
        // again (a whole-message check is a fraction of the per-string ones). A request or
        // notification of the common shape is read in one pass (`scan`); anything else,
        // and bytes that are not UTF-8 (for the error that says where), by serde.
        let text = simdutf8::basic::from_utf8(bytes).ok();
        if let Some(m) = text.and_then(crate::scan::request) {
            return Ok(m);
        }
        envelope(bytes, text)
    }

    /// Whether the bytes hold a JSON array (a batch), judged by the first non-space byte.
    pub fn is_batch(bytes: &[u8]) -> bool {
        bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'[')
    }

    /// The method, for requests and notifications.
    pub fn method(&self) -> Option<&str> {
        match self {
            Message::Request(r) => Some(&r.method),
            Message::Notification(n) => Some(&n.method),
            _ => None,
        }
    }

    /// Serialize to a JSON string.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a message always serializes")
    }

    /// Serialize to JSON bytes, into a buffer sized for the message at once (a large
    /// result is copied once, not through a growing buffer).
    ///
    /// ```
    /// use fastmcp_protocol::Message;
    /// let m = Message::parse(br#"{"jsonrpc":"2.0","id":1,"result":{}}"#).unwrap();
    /// assert_eq!(m.to_vec(), m.to_json().into_bytes());
    /// ```
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }

    /// Append the message's JSON to `out`, made room for at once. The same bytes as
    /// serializing it with serde, written directly: the envelope's keys are fixed and its
    /// params or result are JSON already (through the serializer a small response cost
    /// twice the instructions of parsing one).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Message::Request(r) => {
                let params = r.params.as_deref().map(RawValue::get);
                out.reserve(params.map_or(0, str::len) + r.method.len() + 64);
                out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
                write_id(out, &r.id);
                write_call(out, &r.method, params);
            }
            Message::Notification(n) => {
                let params = n.params.as_deref().map(RawValue::get);
                out.reserve(params.map_or(0, str::len) + n.method.len() + 48);
                out.extend_from_slice(br#"{"jsonrpc":"2.0""#);
                write_call(out, &n.method, params);
            }
            Message::Response(r) => {
                let result = r.result.get();
                // Exactly the room needed: a buffer filled to its capacity becomes `Bytes`
                // without another allocation.
                out.reserve(HEAD.len() + json_len(&r.id) + RESULT.len() + result.len() + 1);
                r.write_head(out);
                out.extend_from_slice(result.as_bytes());
                out.push(b'}');
            }
            Message::Error(_) => {
                out.reserve(128);
                write_json(out, self);
            }
        }
    }
}

/// An id, written as serde_json writes it: an integer's digits, a string without a
/// character to escape between quotes (anything else through serde_json).
fn write_id(out: &mut Vec<u8>, id: &RequestId) {
    match id {
        RequestId::Number(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
        RequestId::String(s) if !crate::scan::needs_escape(s) => {
            out.push(b'"');
            out.extend_from_slice(s.as_bytes());
            out.push(b'"');
        }
        RequestId::String(_) => write_json(out, id),
    }
}

/// Append `value`'s JSON to `out`.
fn write_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    serde_json::to_writer(&mut *out, value).expect("protocol values always serialize");
}

/// The end of a request or a notification: `,"method":..,"params":..}`.
fn write_call(out: &mut Vec<u8>, method: &str, params: Option<&str>) {
    out.extend_from_slice(br#","method":"#);
    write_json(out, method);
    if let Some(p) = params {
        out.extend_from_slice(br#","params":"#);
        out.extend_from_slice(p.as_bytes());
    }
    out.push(b'}');
}

fn first_byte(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

fn is_json(bytes: &[u8]) -> bool {
    serde_json::from_slice::<IgnoredAny>(bytes).is_ok()
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Message::Request(r) => {
                let mut st = s.serialize_struct("Request", 4)?;
                st.serialize_field("jsonrpc", "2.0")?;
                st.serialize_field("id", &r.id)?;
                st.serialize_field("method", &r.method)?;
                if let Some(p) = &r.params {
                    st.serialize_field("params", p)?;
                }
                st.end()
            }
            Message::Notification(n) => {
                let mut st = s.serialize_struct("Notification", 3)?;
                st.serialize_field("jsonrpc", "2.0")?;
                st.serialize_field("method", &n.method)?;
                if let Some(p) = &n.params {
                    st.serialize_field("params", p)?;
                }
                st.end()
            }
            Message::Response(r) => {
                let mut st = s.serialize_struct("Response", 3)?;
                st.serialize_field("jsonrpc", "2.0")?;
                st.serialize_field("id", &r.id)?;
                st.serialize_field("result", &r.result)?;
                st.end()
            }
            Message::Error(e) => {
                let mut st = s.serialize_struct("Error", 3)?;
                st.serialize_field("jsonrpc", "2.0")?;
                st.serialize_field("id", &e.id)?;
                st.serialize_field("error", &e.error)?;
                st.end()
            }
        }
    }
}

/// Serialize any value into a raw JSON value (for params and results).
pub fn to_raw<T: Serialize + ?Sized>(value: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).expect("protocol values always serialize")
}

/// Why bytes that are not a JSON-RPC envelope are refused: not JSON (parse error), or JSON
/// that is not an object with the right member types (invalid request).
fn envelope_error(bytes: &[u8], e: &serde_json::Error) -> ParseFailure {
    let code = if e.is_syntax() || e.is_eof() || !is_json(bytes) {
        error_code::PARSE_ERROR
    } else {
        error_code::INVALID_REQUEST
    };
    let message = if code == error_code::PARSE_ERROR {
        format!("Parse error: {e}")
    } else if first_byte(bytes) != Some(b'{') {
        "Invalid request: a message must be a JSON object".to_owned()
    } else {
        format!("Invalid request: {e}")
    };
    ParseFailure {
        id: None,
        error: ErrorObject::new(code, message),
        reply: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_written_as_serde_writes_it() {
        let ids = [
            RequestId::Number(0),
            RequestId::Number(-1),
            RequestId::Number(i64::MAX),
            RequestId::Number(i64::MIN),
            RequestId::String("".into()),
            RequestId::String("a-b_c 日本".into()),
            RequestId::String("q\"b\\n\nt\tc\u{1}\u{7f}".into()),
        ];
        for id in ids {
            let mut out = Vec::new();
            write_id(&mut out, &id);
            assert_eq!(out, serde_json::to_vec(&id).unwrap(), "{id:?}");
        }
    }

    fn code(bytes: &[u8]) -> i32 {
        Message::parse(bytes).unwrap_err().error.code
    }

    #[test]
    fn classifies_messages() {
        assert!(matches!(
            Message::parse(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            Ok(Message::Notification(_))
        ));
        assert!(matches!(
            Message::parse(br#"{"jsonrpc":"2.0","id":"a","result":{}}"#),
            Ok(Message::Response(_))
        ));
        match Message::parse(
            br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}"#,
        ) {
            Ok(Message::Error(e)) => assert_eq!(e.id, None),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn messages_are_written_as_serde_writes_them() {
        let cases: &[&[u8]] = &[
            br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"a\"b"}}"#,
            br#"{"jsonrpc":"2.0","id":"x\u0001y","method":"ping"}"#,
            br#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"p":[1,2]}}"#,
            br#"{"jsonrpc":"2.0","method":"m\n\u00e9"}"#,
            br#"{"jsonrpc":"2.0","id":-3,"result":{"content":[]}}"#,
            br#"{"jsonrpc":"2.0","id":"r","result":"s"}"#,
            br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no"}}"#,
            br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x","data":[1]}}"#,
        ];
        for case in cases {
            let m = Message::parse(case).unwrap();
            let mut direct = b"prefix".to_vec();
            m.write_to(&mut direct);
            assert_eq!(
                std::str::from_utf8(&direct[6..]).unwrap(),
                serde_json::to_string(&m).unwrap()
            );
        }
    }

    #[test]
    fn a_response_is_written_into_exactly_the_room_it_needs() {
        let ids = [
            RequestId::Number(0),
            RequestId::Number(9),
            RequestId::Number(10),
            RequestId::Number(-1),
            RequestId::Number(i64::MAX),
            RequestId::Number(i64::MIN),
            RequestId::from(""),
            RequestId::from("é/ü"),
            RequestId::from("a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}"),
        ];
        for id in ids {
            let m = Message::Response(Response {
                id: id.clone(),
                result: to_raw(&serde_json::json!({"content": []})),
            });
            let v = m.to_vec();
            assert_eq!(v, serde_json::to_vec(&m).unwrap(), "{id:?}");
            assert_eq!(v.len(), v.capacity(), "{id:?}");
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_a_parse_error_that_says_where() {
        let f =
            Message::parse(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xffng\"}").unwrap_err();
        assert_eq!(f.error.code, error_code::PARSE_ERROR);
        assert!(f.error.message.contains("column"), "{}", f.error.message);
        // Text with characters beyond ASCII is read as before.
        match Message::parse("{\"jsonrpc\":\"2.0\",\"id\":\"é\",\"method\":\"ping\"}".as_bytes()) {
            Ok(Message::Request(r)) => assert_eq!(r.id, RequestId::String("é".into())),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reports_the_right_codes() {
        assert_eq!(code(b"{not json"), error_code::PARSE_ERROR);
        assert_eq!(
            code(br#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#),
            error_code::INVALID_REQUEST
        );
        assert_eq!(
            code(br#"{"id":null,"jsonrpc":"2.0","method":"tools/list"}"#),
            error_code::INVALID_REQUEST
        );
        assert_eq!(code(b""), error_code::PARSE_ERROR);
        assert_eq!(code(b"42"), error_code::INVALID_REQUEST);
        assert_eq!(
            code(br#"{"id":1,"method":"x"}"#),
            error_code::INVALID_REQUEST
        );
        assert_eq!(
            code(br#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#),
            error_code::INVALID_REQUEST
        );
        assert_eq!(
            code(br#"{"jsonrpc":"2.0","id":1,"method":"x","params":3}"#),
            error_code::INVALID_REQUEST
        );
        assert_eq!(
            code(br#"{"jsonrpc":"2.0","id":1}"#),
            error_code::INVALID_REQUEST
        );
        let f = Message::parse(br#"{"jsonrpc":"2.0","id":9,"method":5}"#).unwrap_err();
        assert_eq!(f.error.code, error_code::INVALID_REQUEST);
    }

    #[test]
    fn reads_the_version_of_any_json_type() {
        // Escaped, the version is still "2.0".
        assert!(matches!(
            Message::parse(br#"{"jsonrpc":"\u0032.0","id":1,"method":"ping"}"#),
            Ok(Message::Request(_))
        ));
        for v in [
            r#""2.00""#,
            "2.0",
            "2",
            "null",
            "true",
            "[\"2.0\"]",
            "{\"v\":\"2.0\"}",
        ] {
            let m = format!(r#"{{"jsonrpc":{v},"id":1,"method":"ping"}}"#);
            let f = Message::parse(m.as_bytes()).unwrap_err();
            assert_eq!(f.error.code, error_code::INVALID_REQUEST, "{v}");
            assert_eq!(f.id, Some(RequestId::Number(1)), "{v}");
        }
        let f = Message::parse(br#"{"id":1,"method":"ping"}"#).unwrap_err();
        assert_eq!(f.error.code, error_code::INVALID_REQUEST);
    }

    #[test]
    fn keeps_the_id_of_an_invalid_request() {
        let f = Message::parse(br#"{"jsonrpc":"1.0","id":"x","method":"ping"}"#).unwrap_err();
        assert_eq!(f.id, Some(RequestId::from("x")));
    }

    #[test]
    fn serializes_round_trip() {
        let src = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a"}}"#;
        let m = Message::parse(src.as_bytes()).unwrap();
        assert_eq!(m.to_json(), src);
    }

    #[test]
    fn a_response_written_in_parts_is_the_same_bytes() {
        for id in [RequestId::Number(-3), RequestId::from("a\"b\u{e9}\n")] {
            let result =
                RawValue::from_string(r#"{"content":[{"type":"text","text":"x"}]}"#.into())
                    .unwrap();
            let r = Response { id, result };
            let mut parts = Vec::new();
            r.write_head(&mut parts);
            parts.extend_from_slice(r.result.get().as_bytes());
            parts.push(b'}');
            assert_eq!(parts, Message::Response(r).to_vec());
        }
    }

    #[test]
    fn detects_batches() {
        assert!(Message::is_batch(b"  [ {} ]"));
        assert!(!Message::is_batch(b"{}"));
    }
}
