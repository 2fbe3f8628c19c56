//! Finding the JSON-RPC response in a Server-Sent Events body.

use bytes::Bytes;

use crate::jsonrpc::response_id;

/// The first JSON-RPC response (a message with an id and no method) in an SSE body.
pub fn sse_message(body: &[u8]) -> Option<Bytes> {
    let text = std::str::from_utf8(body).ok()?;
    let mut data = String::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            if is_response(&data) {
                return Some(Bytes::from(data));
            }
            data.clear();
        } else if let Some(d) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(d.strip_prefix(' ').unwrap_or(d));
        }
    }
    is_response(&data).then(|| Bytes::from(data))
}

fn is_response(data: &str) -> bool {
    !data.is_empty() && matches!(response_id(data.as_bytes()), Ok(Some(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_response_in_an_sse_body() {
        let body = b"id: 1\ndata: \n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n\n";
        let m = sse_message(body).unwrap();
        assert_eq!(response_id(&m).unwrap(), Some(3));
    }
}
