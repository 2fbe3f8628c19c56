//! Reading a request body: bounded in size and in time, and without a copy when it
//! arrives in one piece (as a small POST does).

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use fastmcp_protocol::error_code;
use http_body_util::BodyExt;
use hyper::body::Body;

use super::guard::{closing, rpc_error, too_large};

/// Why a body was not read.
#[derive(Debug)]
enum Unread {
    /// More than the limit.
    TooLarge,
    /// The connection failed it (a malformed chunk size, a connection cut short).
    Broken(axum::Error),
}

/// Read a request body of at most `max` bytes within `within`: 413 beyond the size, 408
/// past the time (a client that sends its body slowly, or never), 400 when the body cannot
/// be read.
pub(crate) async fn read_body<B>(body: B, max: usize, within: Duration) -> Result<Bytes, Response>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    // A small body has usually arrived with the head: read it without arming a timer.
    let mut read = std::pin::pin!(gather(body, max));
    let read = match futures::poll!(read.as_mut()) {
        std::task::Poll::Ready(r) => Ok(r),
        std::task::Poll::Pending => tokio::time::timeout(within, read).await,
    };
    let refusal = match read {
        Ok(Ok(b)) => return Ok(b),
        Ok(Err(Unread::TooLarge)) => return Err(too_large(max)),
        Ok(Err(Unread::Broken(e))) => rpc_error(
            StatusCode::BAD_REQUEST,
            None,
            error_code::INVALID_REQUEST,
            format!("Malformed request body: {e}"),
        ),
        Err(_) => rpc_error(
            StatusCode::REQUEST_TIMEOUT,
            None,
            error_code::INVALID_REQUEST,
            format!("Request body not received within {within:?}"),
        ),
    };
    Err(closing(refusal))
}

/// The body's bytes, at most `max`: a body of one frame is that frame (no copy, no
/// collection of frames); one of several is put together in one buffer. Trailers are
/// ignored.
async fn gather<B>(mut body: B, max: usize) -> Result<Bytes, Unread>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    if body.size_hint().lower() > max as u64 {
        return Err(Unread::TooLarge);
    }
    let mut first = Bytes::new();
    let mut joined: Option<BytesMut> = None;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| Unread::Broken(axum::Error::new(e)))?;
        let data = match frame.into_data() {
            Ok(d) if !d.is_empty() => d,
            _ => continue,
        };
        let held = joined.as_ref().map_or(first.len(), BytesMut::len);
        if data.len() > max.saturating_sub(held) {
            return Err(Unread::TooLarge);
        }
        match joined.as_mut() {
            Some(j) => j.extend_from_slice(&data),
            None if held == 0 => first = data,
            None => {
                let hint = body.size_hint().lower().min(max as u64) as usize;
                let mut j = BytesMut::with_capacity(held + data.len() + hint);
                j.extend_from_slice(&first);
                j.extend_from_slice(&data);
                joined = Some(j);
            }
        }
    }
    Ok(joined.map_or(first, BytesMut::freeze))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::header;
    use futures::stream;
    use http_body_util::StreamBody;

    /// A body sent in these frames (or failing after them with `fail`).
    fn body(frames: &[&'static str], fail: bool) -> Body {
        let mut items: Vec<Result<hyper::body::Frame<Bytes>, std::io::Error>> = frames
            .iter()
            .map(|f| Ok(hyper::body::Frame::data(Bytes::from_static(f.as_bytes()))))
            .collect();
        if fail {
            items.push(Err(std::io::Error::other("cut short")));
        }
        Body::new(StreamBody::new(stream::iter(items)))
    }

    async fn read(frames: &[&'static str], max: usize) -> Result<Bytes, Unread> {
        gather(body(frames, false), max).await
    }

    #[tokio::test]
    async fn a_body_of_one_frame_is_that_frame() {
        let b = read(&[r#"{"jsonrpc":"2.0"}"#], 100).await.unwrap();
        assert_eq!(&b[..], br#"{"jsonrpc":"2.0"}"#);
    }

    #[tokio::test]
    async fn frames_are_joined_in_order_and_empty_ones_skipped() {
        let b = read(&["", "ab", "", "cd", "e"], 100).await.unwrap();
        assert_eq!(&b[..], b"abcde");
        assert!(read(&[], 100).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_refused() {
        assert_eq!(read(&["abc", "de"], 5).await.unwrap().len(), 5);
        assert!(matches!(
            read(&["abc", "def"], 5).await,
            Err(Unread::TooLarge)
        ));
        assert!(matches!(read(&["abcdef"], 5).await, Err(Unread::TooLarge)));
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_before_reading() {
        let b = Body::from("x".repeat(10));
        assert!(matches!(gather(b, 9).await, Err(Unread::TooLarge)));
    }

    #[tokio::test]
    async fn a_broken_body_is_a_400_that_closes_the_connection() {
        let r = read_body(body(&["ab"], true), 100, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.headers()[header::CONNECTION], "close");
    }

    #[tokio::test]
    async fn a_body_that_never_ends_is_a_408() {
        let never = Body::new(StreamBody::new(stream::pending::<
            Result<hyper::body::Frame<Bytes>, std::io::Error>,
        >()));
        let r = read_body(never, 100, Duration::from_millis(20))
            .await
            .unwrap_err();
        assert_eq!(r.status(), StatusCode::REQUEST_TIMEOUT);
    }
}
