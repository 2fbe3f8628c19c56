//! What resource and prompt handlers may return.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use fastmcp_protocol::{GetPromptResult, PromptMessage, ReadResourceResult, ResourceContents};
use serde::Serialize;

use crate::output::Json;
use crate::{Error, IntoError};

/// A return type of a resource handler.
///
/// `String` and `&str` become text (MIME type from the resource, else `text/plain`),
/// `Vec<u8>` becomes a base64 blob (else `application/octet-stream`), [`Json`] becomes
/// `application/json` text; `ResourceContents`, `Vec<ResourceContents>` and
/// `ReadResourceResult` pass through; `Result<T, E>` propagates errors.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a resource's contents",
    label = "a resource can't return `{Self}`",
    note = "return a `String` (text), a `Vec<u8>` (a blob), `Json<T>` (`T: serde::Serialize`), `ResourceContents`, a `ReadResourceResult`, or a `Result<_, E>` of these"
)]
pub trait IntoResourceResult {
    /// Convert, given the URI read and the resource's declared MIME type.
    fn into_resource_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, Error>;
}

fn one(c: ResourceContents) -> ReadResourceResult {
    ReadResourceResult {
        contents: vec![c],
        ..Default::default()
    }
}

impl IntoResourceResult for String {
    fn into_resource_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, Error> {
        Ok(one(ResourceContents::text(
            uri,
            mime.unwrap_or("text/plain"),
            self,
        )))
    }
}

impl IntoResourceResult for &'static str {
    fn into_resource_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, Error> {
        self.to_owned().into_resource_result(uri, mime)
    }
}

impl IntoResourceResult for Vec<u8> {
    fn into_resource_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, Error> {
        let mime = mime.unwrap_or("application/octet-stream");
        Ok(one(ResourceContents::blob(
            uri,
            mime,
            STANDARD.encode(self),
        )))
    }
}

impl<T: Serialize> IntoResourceResult for Json<T> {
    fn into_resource_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, Error> {
        let text = serde_json::to_string(&self.0).map_err(|e| Error::internal(e.to_string()))?;
        Ok(one(ResourceContents::text(
            uri,
            mime.unwrap_or("application/json"),
            text,
        )))
    }
}

impl IntoResourceResult for ResourceContents {
    fn into_resource_result(self, _: &str, _: Option<&str>) -> Result<ReadResourceResult, Error> {
        Ok(one(self))
    }
}

impl IntoResourceResult for Vec<ResourceContents> {
    fn into_resource_result(self, _: &str, _: Option<&str>) -> Result<ReadResourceResult, Error> {
        Ok(ReadResourceResult {
            contents: self,
            ..Default::default()
        })
    }
}

impl IntoResourceResult for ReadResourceResult {
    fn into_resource_result(self, _: &str, _: Option<&str>) -> Result<ReadResourceResult, Error> {
        Ok(self)
    }
}

impl<T: IntoResourceResult, E: IntoError> IntoResourceResult for Result<T, E> {
    fn into_resource_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, Error> {
        self.map_err(IntoError::into_error)?
            .into_resource_result(uri, mime)
    }
}

/// A return type of a prompt handler.
///
/// `String` becomes one user message; `PromptMessage` and `Vec<PromptMessage>` become the
/// messages; `GetPromptResult` passes through; `Result<T, E>` propagates errors.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a prompt's messages",
    label = "a prompt can't return `{Self}`",
    note = "return a `String` (one user message), a `PromptMessage`, a `Vec<PromptMessage>`, a `GetPromptResult`, or a `Result<_, E>` of these"
)]
pub trait IntoPromptResult {
    /// Convert.
    fn into_prompt_result(self) -> Result<GetPromptResult, Error>;
}

impl IntoPromptResult for String {
    fn into_prompt_result(self) -> Result<GetPromptResult, Error> {
        vec![PromptMessage::user_text(self)].into_prompt_result()
    }
}

impl IntoPromptResult for &'static str {
    fn into_prompt_result(self) -> Result<GetPromptResult, Error> {
        self.to_owned().into_prompt_result()
    }
}

impl IntoPromptResult for PromptMessage {
    fn into_prompt_result(self) -> Result<GetPromptResult, Error> {
        vec![self].into_prompt_result()
    }
}

impl IntoPromptResult for Vec<PromptMessage> {
    fn into_prompt_result(self) -> Result<GetPromptResult, Error> {
        Ok(GetPromptResult {
            messages: self,
            ..Default::default()
        })
    }
}

impl IntoPromptResult for GetPromptResult {
    fn into_prompt_result(self) -> Result<GetPromptResult, Error> {
        Ok(self)
    }
}

impl<T: IntoPromptResult, E: IntoError> IntoPromptResult for Result<T, E> {
    fn into_prompt_result(self) -> Result<GetPromptResult, Error> {
        self.map_err(IntoError::into_error)?.into_prompt_result()
    }
}
