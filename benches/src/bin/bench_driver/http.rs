//! A raw HTTP/1.1 client connection: requests are written as one buffer (the header lines
//! are prepared once), responses parsed with httparse; bodies by Content-Length or chunked.

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{anyhow, bail};
use bytes::Bytes;
use tokio::io::AsyncWriteExt;

use crate::jsonrpc::{check_echo, check_init, initialize_body, request, response_id};
use crate::jsonrpc::{INITIALIZED, PROTOCOL};
use crate::sse::sse_message;

/// Where an implementation's MCP endpoint is, and the extra header lines its requests carry.
#[derive(Clone)]
pub struct Target {
    pub path: String,
    pub headers: Vec<String>,
}

pub struct HttpConn {
    addr: SocketAddr,
    stream: Option<tokio::net::TcpStream>,
    authority: String,
    path: String,
    extra: String,
    session: Option<String>,
    /// The request head up to (not including) Content-Length, for requests after
    /// initialize.
    head: Vec<u8>,
    out: Vec<u8>,
    buf: Vec<u8>,
}

pub struct HttpReply {
    pub status: u16,
    pub session: Option<String>,
    /// The JSON-RPC message answering the request (from a JSON body or the SSE stream).
    pub message: Option<Bytes>,
}

/// What the driver reads from a response's head.
struct ResponseHead {
    status: u16,
    len: usize,
    length: Option<usize>,
    chunked: bool,
    sse: bool,
    session: Option<String>,
    close: bool,
}

fn parse_head(resp: &httparse::Response, len: usize) -> anyhow::Result<ResponseHead> {
    let mut h = ResponseHead {
        status: resp.code.unwrap_or(0),
        len,
        length: None,
        chunked: false,
        sse: false,
        session: None,
        close: false,
    };
    for f in resp.headers.iter() {
        let v = std::str::from_utf8(f.value).unwrap_or("");
        let name = f.name;
        if name.eq_ignore_ascii_case("content-length") {
            h.length = Some(v.trim().parse::<usize>()?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            h.chunked = v.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("content-type") {
            h.sse = v.starts_with("text/event-stream");
        } else if name.eq_ignore_ascii_case("mcp-session-id") {
            h.session = Some(v.to_owned());
        } else if name.eq_ignore_ascii_case("connection") {
            h.close = v.eq_ignore_ascii_case("close");
        }
    }
    Ok(h)
}

impl HttpConn {
    pub async fn connect(addr: SocketAddr, target: &Target) -> anyhow::Result<HttpConn> {
        let mut c = HttpConn {
            addr,
            stream: None,
            authority: addr.to_string(),
            path: target.path.clone(),
            extra: target.headers.iter().map(|h| format!("{h}\r\n")).collect(),
            session: None,
            head: Vec::new(),
            out: Vec::with_capacity(1024),
            buf: Vec::with_capacity(1 << 14),
        };
        c.reconnect().await?;
        c.prepare_head(false);
        Ok(c)
    }

    async fn reconnect(&mut self) -> anyhow::Result<()> {
        let tcp = tokio::net::TcpStream::connect(self.addr).await?;
        tcp.set_nodelay(true)?;
        self.stream = Some(tcp);
        self.buf.clear();
        Ok(())
    }

    fn prepare_head(&mut self, initialized: bool) {
        let mut h = format!(
            "POST {} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n",
            self.path, self.authority
        );
        h.push_str(&self.extra);
        if initialized {
            let _ = write!(h, "mcp-protocol-version: {PROTOCOL}\r\n");
        }
        if let Some(s) = &self.session {
            let _ = write!(h, "mcp-session-id: {s}\r\n");
        }
        self.head = h.into_bytes();
    }

    /// Read more bytes into `buf`; error at end of stream.
    async fn fill(&mut self) -> anyhow::Result<()> {
        use tokio::io::AsyncReadExt;
        let stream = self
            .stream
            .as_mut()
            .ok_or_else(|| anyhow!("not connected"))?;
        self.buf.reserve(1 << 14);
        if stream.read_buf(&mut self.buf).await? == 0 {
            bail!("connection closed by the server");
        }
        Ok(())
    }

    pub async fn post(&mut self, body: &[u8]) -> anyhow::Result<HttpReply> {
        if self.stream.is_none() {
            self.reconnect().await?;
        }
        self.out.clear();
        self.out.extend_from_slice(&self.head);
        let _ = write!(self.out, "content-length: {}\r\n\r\n", body.len());
        self.out.extend_from_slice(body);
        self.stream
            .as_mut()
            .expect("connected")
            .write_all(&self.out)
            .await?;
        tokio::time::timeout(Duration::from_secs(60), self.read_response())
            .await
            .map_err(|_| anyhow!("no complete response within 60 s"))?
    }

    async fn read_head(&mut self) -> anyhow::Result<ResponseHead> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut resp = httparse::Response::new(&mut headers);
            match resp.parse(&self.buf)? {
                httparse::Status::Complete(n) => return parse_head(&resp, n),
                httparse::Status::Partial => self.fill().await?,
            }
        }
    }

    async fn read_chunked(&mut self) -> anyhow::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                    break i;
                }
                self.fill().await?;
            };
            let size_text = std::str::from_utf8(&self.buf[..line_end])?;
            let size_text = size_text.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|e| anyhow!("bad chunk size {size_text:?}: {e}"))?;
            while self.buf.len() < line_end + 2 + size + 2 {
                self.fill().await?;
            }
            if size == 0 {
                // No trailers expected: the last chunk is `0\r\n\r\n`.
                self.buf.drain(..line_end + 4);
                return Ok(body);
            }
            body.extend_from_slice(&self.buf[line_end + 2..line_end + 2 + size]);
            self.buf.drain(..line_end + 2 + size + 2);
        }
    }

    async fn read_body(&mut self, h: &ResponseHead) -> anyhow::Result<Vec<u8>> {
        if h.chunked {
            return self.read_chunked().await;
        }
        if let Some(n) = h.length {
            while self.buf.len() < n {
                self.fill().await?;
            }
            return Ok(self.buf.drain(..n).collect());
        }
        if h.status == 202 || h.status == 204 || h.status == 304 {
            return Ok(Vec::new());
        }
        // Delimited by the end of the connection.
        loop {
            if self.fill().await.is_err() {
                return Ok(std::mem::take(&mut self.buf));
            }
        }
    }

    async fn read_response(&mut self) -> anyhow::Result<HttpReply> {
        let h = self.read_head().await?;
        self.buf.drain(..h.len);
        let body = self.read_body(&h).await?;
        let delimited_by_close =
            h.length.is_none() && !h.chunked && h.status != 202 && h.status != 204;
        if h.close || delimited_by_close {
            self.stream = None;
        }
        let message = if body.is_empty() {
            None
        } else if h.sse {
            sse_message(&body)
        } else {
            Some(Bytes::from(body))
        };
        Ok(HttpReply {
            status: h.status,
            session: h.session,
            message,
        })
    }

    /// initialize (keeping the session id) and notifications/initialized.
    pub async fn initialize(&mut self) -> anyhow::Result<()> {
        self.session = None;
        self.prepare_head(false);
        let r = self.post(&initialize_body(0)).await?;
        if !(200..300).contains(&r.status) {
            bail!("initialize: HTTP {}", r.status);
        }
        let msg = r
            .message
            .ok_or_else(|| anyhow!("initialize: empty response"))?;
        check_init(&serde_json::from_slice(&msg)?)?;
        self.session = r.session;
        self.prepare_head(true);
        let r = self.post(INITIALIZED).await?;
        if !(200..300).contains(&r.status) {
            bail!("notifications/initialized: HTTP {}", r.status);
        }
        Ok(())
    }

    /// One tool call; the response is checked in full against `expected` when given.
    pub async fn call(
        &mut self,
        id: u64,
        suffix: &[u8],
        expected: Option<&str>,
    ) -> anyhow::Result<()> {
        let mut buf = Vec::with_capacity(suffix.len() + 32);
        request(id, suffix, &mut buf);
        let r = self.post(&buf).await?;
        if r.status != 200 {
            bail!("tools/call: HTTP {}", r.status);
        }
        let msg = r
            .message
            .ok_or_else(|| anyhow!("tools/call: no response message"))?;
        if let Some(text) = expected {
            check_echo(&serde_json::from_slice(&msg)?, text)?;
        }
        match response_id(&msg)? {
            Some(x) if x == id => Ok(()),
            other => bail!("tools/call: response id {other:?}, expected {id}"),
        }
    }
}
