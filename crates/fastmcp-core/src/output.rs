//! What a tool may return, and how it becomes a `CallToolResult`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use fastmcp_protocol::{CallToolResult, ContentBlock};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::schema::{output_schema_for, output_wrap_for};
use crate::{Error, IntoError};

/// A return type of a tool: converts into a result and may declare an output schema.
///
/// Strings become text; numbers and booleans become structured output `{"result": x}`
/// with text alongside; [`Json`] of any serde type becomes structured output (wrapped as
/// `{"result": x}` unless every value of the type is a JSON object, see
/// [`output_schema_for`](crate::schema::output_schema_for); `Json<serde_json::Value>`
/// declares no output schema, passes an object as is and any other value as text); content
/// blocks, [`Image`], [`Audio`] and `Vec<ContentBlock>` become content; `Result<T, E>`
/// turns `Err` into an error (a tool error unless it is a protocol error).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tool result",
    label = "a tool can't return `{Self}`",
    note = "wrap it in `Json<T>` for structured output (`T: serde::Serialize + schemars::JsonSchema`), or return a `String`, a number, a `CallToolResult`, content (`ContentBlock`, `Image`, `Audio`), or a `Result<_, E>` of these"
)]
pub trait IntoToolResult {
    /// The output schema of this type, if it produces structured content.
    fn output_schema() -> Option<Value> {
        None
    }

    /// Convert.
    fn into_tool_result(self) -> Result<CallToolResult, Error>;
}

/// Structured output: any serde value with a JSON Schema.
///
/// ```
/// use fastmcp_core::{IntoToolResult, Json};
/// #[derive(serde::Serialize, schemars::JsonSchema)]
/// struct Weather { temperature: f64 }
/// let r = Json(Weather { temperature: 21.5 }).into_tool_result().unwrap();
/// assert_eq!(r.structured_content.unwrap()["temperature"], 21.5);
/// assert!(<Json<Weather> as IntoToolResult>::output_schema().is_some());
///
/// // A `serde_json::Value` may be anything: no output schema; an object is structured
/// // content as it is, anything else is text only.
/// let r = Json(serde_json::json!({"a": 1})).into_tool_result().unwrap();
/// assert_eq!(r.structured_content.unwrap(), serde_json::json!({"a": 1}));
/// let r = Json(serde_json::json!([1, 2])).into_tool_result().unwrap();
/// assert!(r.structured_content.is_none());
/// assert_eq!(r.content[0].as_text(), Some("[1,2]"));
/// assert!(<Json<serde_json::Value> as IntoToolResult>::output_schema().is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Json<T>(pub T);

fn structured(value: Value, wrap: bool) -> CallToolResult {
    let value = if wrap {
        serde_json::json!({ "result": value })
    } else {
        value
    };
    let text = serde_json::to_string(&value).unwrap_or_default();
    CallToolResult {
        content: vec![ContentBlock::text(text)],
        structured_content: Some(value),
        ..Default::default()
    }
}

impl<T: Serialize + JsonSchema> IntoToolResult for Json<T> {
    fn output_schema() -> Option<Value> {
        output_schema_for::<T>().map(|(s, _)| s)
    }

    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        let v = serde_json::to_value(&self.0).map_err(|e| Error::internal(e.to_string()))?;
        Ok(match output_wrap_for::<T>() {
            Some(wrap) => structured(v, wrap),
            // No schema declared: an object is structured content, anything else text.
            None if v.is_object() => structured(v, false),
            None => CallToolResult::text(v.to_string()),
        })
    }
}

macro_rules! scalar_output {
    ($($t:ty),*) => {$(
        impl IntoToolResult for $t {
            fn output_schema() -> Option<Value> {
                output_schema_for::<$t>().map(|(s, _)| s)
            }
            fn into_tool_result(self) -> Result<CallToolResult, Error> {
                let mut r = structured(serde_json::json!(self), true);
                r.content = vec![ContentBlock::text(self.to_string())];
                Ok(r)
            }
        }
    )*};
}
scalar_output!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64, bool);

impl IntoToolResult for String {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        Ok(CallToolResult::text(self))
    }
}

impl IntoToolResult for &'static str {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        Ok(CallToolResult::text(self))
    }
}

impl IntoToolResult for () {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        Ok(CallToolResult::default())
    }
}

impl IntoToolResult for CallToolResult {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        Ok(self)
    }
}

impl IntoToolResult for ContentBlock {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        Ok(CallToolResult {
            content: vec![self],
            ..Default::default()
        })
    }
}

impl IntoToolResult for Vec<ContentBlock> {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        Ok(CallToolResult {
            content: self,
            ..Default::default()
        })
    }
}

/// An image returned by a tool: raw bytes and a MIME type (base64-encoded on the wire).
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// The bytes.
    pub data: Vec<u8>,
    /// The MIME type, e.g. `image/png`.
    pub mime_type: String,
}

impl Image {
    /// A PNG image.
    pub fn png(data: impl Into<Vec<u8>>) -> Self {
        Image {
            data: data.into(),
            mime_type: "image/png".into(),
        }
    }
}

impl From<Image> for ContentBlock {
    fn from(i: Image) -> Self {
        ContentBlock::image(STANDARD.encode(&i.data), i.mime_type)
    }
}

impl IntoToolResult for Image {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        ContentBlock::from(self).into_tool_result()
    }
}

/// Audio returned by a tool: raw bytes and a MIME type (base64-encoded on the wire).
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// The bytes.
    pub data: Vec<u8>,
    /// The MIME type, e.g. `audio/wav`.
    pub mime_type: String,
}

impl From<Audio> for ContentBlock {
    fn from(a: Audio) -> Self {
        ContentBlock::audio(STANDARD.encode(&a.data), a.mime_type)
    }
}

impl IntoToolResult for Audio {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        ContentBlock::from(self).into_tool_result()
    }
}

impl<T: IntoToolResult, E: IntoError> IntoToolResult for Result<T, E> {
    fn output_schema() -> Option<Value> {
        T::output_schema()
    }

    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        self.map_err(IntoError::into_error)?.into_tool_result()
    }
}

impl From<String> for Error {
    fn from(s: String) -> Self {
        Error::tool(s)
    }
}

impl From<&str> for Error {
    fn from(s: &str) -> Self {
        Error::tool(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_wrapped_structured_output() {
        let r = 5i64.into_tool_result().unwrap();
        assert_eq!(r.structured_content, Some(serde_json::json!({"result": 5})));
        let schema = <i64 as IntoToolResult>::output_schema().unwrap();
        assert_eq!(schema["properties"]["result"]["type"], "integer");
        assert_eq!(schema["x-fastmcp-wrap-result"], true);
    }

    #[test]
    fn strings_are_plain_text() {
        assert!(<String as IntoToolResult>::output_schema().is_none());
        let r = "hi".to_string().into_tool_result().unwrap();
        assert_eq!(r.content, vec![ContentBlock::text("hi")]);
        assert!(r.structured_content.is_none());
    }

    #[test]
    fn errors_become_tool_errors() {
        let r: Result<String, String> = Err("nope".into());
        let e = r.into_tool_result().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Tool);
    }
}
