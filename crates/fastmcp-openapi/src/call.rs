//! A call forwarded to the API: the arguments placed where the operation says (path,
//! query, headers, cookies, JSON body), the request sent with reqwest, the answer read up
//! to a size limit and turned into a tool result or a resource's contents.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use fastmcp_core::Error;
use fastmcp_protocol::{
    BlobResourceContents, CallToolResult, ContentBlock, EmbeddedResource, ReadResourceResult,
    ResourceContents,
};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use crate::input::{Args, Target};
use crate::params::{in_path, in_query};
use crate::spec::{Location, Operation};

/// What a path parameter's value may hold as it is: unreserved characters and the
/// delimiters of the path styles.
const PATH_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b',')
    .remove(b';')
    .remove(b'=');

/// How calls reach the API.
#[derive(Clone)]
pub(crate) struct Http {
    pub(crate) client: reqwest::Client,
    /// The base URL, without a trailing `/`.
    pub(crate) base: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) max_response: usize,
}

/// The API's answer.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Vec<u8>,
    pub(crate) url: String,
}

/// Send `op` with `values` (the tool's arguments).
pub(crate) async fn send(
    http: &Http,
    op: &Operation,
    args: &Args,
    values: &Map<String, Value>,
) -> Result<Answer, Error> {
    let mut path = op.path.clone();
    let mut query = vec![];
    let mut cookies = vec![];
    let mut req_headers = vec![];
    let mut body_fields = Map::new();
    let mut body = None;
    for (name, target) in &args.0 {
        let value = values.get(name).filter(|v| !v.is_null());
        match (target, value) {
            (Target::Param(i), None) if op.params[*i].required => {
                return Err(Error::invalid_params(format!(
                    "Invalid arguments: `{name}` is required"
                )));
            }
            (_, None) => {}
            (Target::Param(i), Some(v)) => {
                let p = &op.params[*i];
                match p.location {
                    Location::Path => {
                        let text = in_path(&p.name, &p.style, p.explode, v);
                        let encoded = utf8_percent_encode(&text, PATH_VALUE).to_string();
                        path = path.replace(&format!("{{{}}}", p.name), &encoded);
                    }
                    Location::Query => query.extend(in_query(&p.name, &p.style, p.explode, v)),
                    Location::Header => {
                        req_headers.push((p.name.clone(), in_path(&p.name, "simple", p.explode, v)))
                    }
                    Location::Cookie => cookies.push(format!(
                        "{}={}",
                        p.name,
                        in_path(&p.name, "simple", false, v)
                    )),
                }
            }
            (Target::BodyField(k), Some(v)) => {
                body_fields.insert(k.clone(), v.clone());
            }
            (Target::Body, Some(v)) => body = Some(v.clone()),
        }
    }
    if body.is_none() && (!body_fields.is_empty() || op.body.as_ref().is_some_and(|(_, r)| *r)) {
        body = Some(Value::Object(body_fields));
    }
    let url = format!("{}{}", http.base, path);
    let method = reqwest::Method::from_bytes(op.method.as_bytes())
        .map_err(|e| Error::internal(format!("bad method {}: {e}", op.method)))?;
    let mut req = http.client.request(method, &url).query(&query);
    for (k, v) in http.headers.iter().chain(&req_headers) {
        req = req.header(k, v);
    }
    if !cookies.is_empty() {
        req = req.header(reqwest::header::COOKIE, cookies.join("; "));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req
        .send()
        .await
        .map_err(|e| Error::tool(format!("{} {url}: {e}", op.method)))?;
    read(resp, http.max_response, url).await
}

/// Read an answer's body, at most `max` bytes.
pub(crate) async fn read(
    mut resp: reqwest::Response,
    max: usize,
    url: String,
) -> Result<Answer, Error> {
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut body = vec![];
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| Error::tool(format!("{url}: reading the answer: {e}")))?
    {
        if body.len() + chunk.len() > max {
            return Err(Error::tool(format!(
                "{url}: the answer is larger than {max} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status,
        content_type,
        body,
        url,
    })
}

fn is_json(t: &Option<String>) -> bool {
    t.as_deref().is_some_and(|t| {
        let t = t.split(';').next().unwrap_or_default().trim();
        t == "application/json" || t.ends_with("+json")
    })
}

fn is_text(t: &Option<String>) -> bool {
    t.as_deref()
        .is_some_and(|t| t.starts_with("text/") || t.contains("xml"))
}

/// The tool result of an answer: JSON as structured content (objects) and text, text as
/// text, anything else embedded; a status other than 2xx is a tool error with the status
/// and the body.
pub(crate) fn tool_result(a: Answer) -> CallToolResult {
    let text = String::from_utf8_lossy(&a.body);
    if !(200..300).contains(&a.status) {
        let shown: String = text.chars().take(4000).collect();
        return CallToolResult::error_text(format!("HTTP {} from {}: {shown}", a.status, a.url));
    }
    if is_json(&a.content_type) {
        if let Ok(v) = serde_json::from_slice::<Value>(&a.body) {
            if v.is_object() {
                return CallToolResult::structured(v);
            }
            return CallToolResult::text(v.to_string());
        }
    }
    if a.body.is_empty() || is_text(&a.content_type) || std::str::from_utf8(&a.body).is_ok() {
        return CallToolResult::text(text.into_owned());
    }
    let blob = ResourceContents::Blob(BlobResourceContents {
        uri: a.url,
        mime_type: a.content_type,
        blob: STANDARD.encode(&a.body),
        meta: None,
    });
    CallToolResult::new(vec![ContentBlock::Resource(EmbeddedResource {
        kind: Default::default(),
        resource: blob,
        annotations: None,
        meta: None,
    })])
}

/// The contents of a resource read from an answer (a status other than 2xx is an error:
/// 404 as "resource not found").
pub(crate) fn resource_result(uri: &str, a: Answer) -> Result<ReadResourceResult, Error> {
    if a.status == 404 {
        return Err(Error::resource_not_found(uri));
    }
    if !(200..300).contains(&a.status) {
        let shown: String = String::from_utf8_lossy(&a.body)
            .chars()
            .take(4000)
            .collect();
        return Err(Error::internal(format!(
            "HTTP {} from {}: {shown}",
            a.status, a.url
        )));
    }
    let mime = a
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let contents = match String::from_utf8(a.body) {
        Ok(text) => ResourceContents::text(uri, mime, text),
        Err(e) => ResourceContents::blob(uri, mime, STANDARD.encode(e.as_bytes())),
    };
    Ok(ReadResourceResult {
        contents: vec![contents],
        ..Default::default()
    })
}
