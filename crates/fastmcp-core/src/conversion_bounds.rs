//! The bounds that a handler's argument and error types meet, as traits of our own so that
//! a type that does not meet them gets an error saying what to do
//! (`#[diagnostic::on_unimplemented]`), rather than one about serde's internals.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use crate::Error;

/// A type that can be a tool's JSON argument: `Deserialize` and `JsonSchema`.
///
/// Implemented for every such type; the `#[tool]` attribute requires it of each argument.
///
/// ```
/// fn argument<T: fastmcp_core::ToolArgument>() {}
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Point { x: i64, y: i64 }
/// argument::<Point>();
/// argument::<Option<String>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` can't be a tool argument: it must implement `serde::Deserialize` and `schemars::JsonSchema`",
    label = "not a tool argument",
    note = "add `#[derive(serde::Deserialize, schemars::JsonSchema)]` to its definition (or use a type that has them)"
)]
pub trait ToolArgument: DeserializeOwned + JsonSchema {}

#[diagnostic::do_not_recommend]
impl<T: DeserializeOwned + JsonSchema> ToolArgument for T {}

/// An error type a handler may return in `Result<T, E>`: anything `Into<Error>` (strings,
/// `std::io::Error`, `serde_json::Error`, `Box<dyn std::error::Error + Send + Sync>`, ...).
///
/// ```
/// use fastmcp_core::{Error, IntoError};
/// let e = std::io::Error::other("disk full").into_error();
/// assert!(e.to_string().contains("disk full"));
/// let boxed: Box<dyn std::error::Error + Send + Sync> = "bad".into();
/// assert_eq!(Error::from(boxed).kind(), fastmcp_core::ErrorKind::Tool);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` can't be a handler's error: it does not convert into `fastmcp::Error`",
    label = "this error type does not convert into `fastmcp::Error`",
    note = "convert it with `.map_err(|e| fastmcp::Error::tool(e.to_string()))`, or return `Result<_, fastmcp::Error>`",
    note = "errors that convert: `fastmcp::Error`, `String`, `&str`, `std::io::Error`, `serde_json::Error`, `Box<dyn std::error::Error + Send + Sync>` (so `anyhow::Error` after `.map_err(Into::into)`)"
)]
pub trait IntoError {
    /// Convert into an [`Error`].
    fn into_error(self) -> Error;
}

#[diagnostic::do_not_recommend]
impl<E: Into<Error>> IntoError for E {
    fn into_error(self) -> Error {
        self.into()
    }
}

impl From<Box<dyn std::error::Error + Send + Sync>> for Error {
    fn from(e: Box<dyn std::error::Error + Send + Sync>) -> Self {
        Error::tool(e.to_string())
    }
}

/// The default value of a `#[arg(default = …)]` argument, implemented by the `#[tool]` macro
/// on a marker type per argument: the argument's field stays generic (so a type that is not
/// a [`ToolArgument`] gets that one error), and serde reaches the default through this.
#[doc(hidden)]
pub trait ArgDefault<T> {
    /// The argument's default.
    fn value() -> T;
}

/// `"default"` in a defaulted argument's schema, when its type is `Serialize` (the derived
/// schema is generic over the type and cannot tell, so the macro adds it at the real type).
#[doc(hidden)]
pub fn insert_schema_default<T: serde::Serialize>(schema: &mut schemars::Schema, value: T) {
    if let Ok(v) = serde_json::to_value(value) {
        schema.insert("default".into(), v);
    }
}

/// A value whose type may or may not be `Serialize`: the inherent `insert_default` (only
/// for `Serialize` types) wins over [`NoSerialize`]'s, which does nothing.
#[doc(hidden)]
pub struct MaybeSerialize<T>(pub T);

impl<T: serde::Serialize> MaybeSerialize<T> {
    /// Puts the value into `schema` as its `"default"`.
    pub fn insert_default(self, schema: &mut schemars::Schema) {
        insert_schema_default(schema, self.0);
    }
}

/// The fallback of [`MaybeSerialize::insert_default`] for types that are not `Serialize`.
#[doc(hidden)]
pub trait NoSerialize {
    /// Does nothing: the value cannot be shown in the schema.
    fn insert_default(self, _schema: &mut schemars::Schema)
    where
        Self: Sized,
    {
    }
}

impl<T> NoSerialize for MaybeSerialize<T> {}

/// Calls `D`'s [`ArgDefault`]: the function a defaulted argument's `#[serde(default = …)]`
/// names.
#[doc(hidden)]
pub fn arg_default<D: ArgDefault<T>, T>() -> T {
    D::value()
}
