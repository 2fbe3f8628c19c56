//! The core of FastMCP for Rust: [`Context`], [`Error`], [`Outcome`], [`Budget`] and
//! cancellation [`Scope`]s, the handler traits, return conversions and schema generation.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod answer;
mod auth;
pub mod authz;
pub mod combinators;
pub mod component_meta;
mod components;
mod context;
mod conversion_bounds;
mod display;
mod dynamic;
mod elicit;
mod error;
mod file_output;
mod handler;
mod mrtr;
mod outcome;
mod output;
mod peer;
mod resource_output;
pub mod runtime;
pub mod schema;
mod scope;
mod session;
mod session_view;
mod state;
mod url_elicitation;

pub use answer::{is_tool_error, record_answer, record_target};
pub use auth::{AuthInfo, HttpParts};
pub use authz::{Decision, Require};
pub use components::{Components, IntoComponents};
pub use context::{Context, Extensions, Keyed, TaskControl};
pub use conversion_bounds::{
    arg_default, insert_schema_default, ArgDefault, IntoError, MaybeSerialize, NoSerialize,
    ToolArgument,
};
pub use dynamic::{
    prompt_arg, template_var, AnyResource, FnPrompt, FnResource, FnResourceTemplate, FnTool,
    IntoPrompt, IntoPromptResult, IntoResource, IntoResourceResult, IntoTool,
};
pub use elicit::{elicitation_schema, Elicited};
pub use error::{Error, ErrorKind};
pub use file_output::{guess_mime, sniff, File, DEFAULT_MAX_FILE_SIZE};
pub use handler::{
    ExplainArguments, PromptHandler, ResourceHandler, ResourceTemplateHandler, TaskStart,
    TemplateVars, ToolArguments, ToolHandler,
};
pub use mrtr::{InputRounds, RequestState, StateSealer};
pub use outcome::{panic_message, CancelReason, Outcome};
pub use output::{Audio, Image, IntoToolResult, Json};
pub use peer::{boxed, BoxFuture, Dispatch, FnPeer, NullPeer, Peer};
pub use scope::{Budget, Scope};
pub use session::Session;
pub use session_view::SessionView;
pub use state::{SessionState, State, StateMap};
