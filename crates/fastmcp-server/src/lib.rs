//! The MCP server of FastMCP for Rust: one [`Server`] serves both protocol eras on every
//! transport.
//!
//! A request's way through the server, and the modules on it (arrows point one way: a
//! module only uses the modules below it):
//!
//! ```text
//! transport   http/ (Streamable HTTP, legacy SSE, WebSocket)   session/ (channel and
//!             byte-stream loops; Endpoint: requests in flight, server-to-client requests)
//!   -> meta      the request's session, from its connection or its `_meta` (2026-07-28)
//!   -> service   McpRequest through the tower pipeline: layers (middleware), then McpService
//!   -> methods/  one module per method family: lifecycle, tools, resources, prompts,
//!                completion, subscriptions; tasks/ (both eras of tasks)
//!   -> invoke    a handler run in its scope and budget, MRTR rounds replayed
//!   -> runtime   config, the catalog (providers seen through transforms), tasks, changes
//!   -> provider/ LocalProvider (the server's own components), any Provider; transform
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Some session internals are only used by the HTTP transports.
#![cfg_attr(not(feature = "http"), allow(dead_code))]

mod access;
pub mod apps;
mod builder;
mod call;
mod changes;
mod config;
mod console;
pub mod extensions;
#[cfg(feature = "filesystem")]
pub mod filesystem;
#[cfg(feature = "http")]
mod http;
mod input_check;
mod invoke;
mod keepalive;
mod limits;
mod list_cache;
mod lock;
mod meta;
mod methods;
pub mod middleware;
mod mount;
mod output_check;
mod pagination;
mod provider;
#[cfg(feature = "redis")]
mod redis_conn;
#[cfg(feature = "redis")]
mod redis_hub;
mod running;
mod runtime;
mod service;
mod session;
mod shared;
mod signals;
#[cfg(feature = "skills")]
pub mod skills;
mod store_url;
mod tag_filter;
mod tasks;
mod throttle;
mod tool_result;
mod transform;
mod transforms;
mod uri_template;
mod visibility;
mod wrap_cache;

pub use builder::{RuntimeConfig, Server, RUNTIME_ENV};
pub use changes::{ChangeNotifier, ServerEvent};
pub use config::ServerConfig;
pub use extensions::{client_declares, Extension, Extensions};
#[cfg(feature = "filesystem")]
pub use filesystem::{DirectoryResource, FileResource, FilesystemProvider};
#[cfg(feature = "http")]
pub use http::{
    encode_header_value, EventStore, HttpOptions, LiveEvent, MemoryEventStore, SessionRecord,
    SessionStore,
};
#[cfg(all(feature = "http", feature = "redis"))]
pub use http::{RedisEventStore, RedisSessionStore};
pub use keepalive::KeepAlive;
pub use limits::Limits;
pub use middleware::{CallNext, Middleware};
pub use mount::{Namespace, NamespaceTransform};
pub use provider::{
    match_templates, walk, Kinds, LocalProvider, OnDuplicate, Page, Provider, RegistrationError,
    ResourceTarget, TemplateEntry, ToolEntry,
};
pub use running::{RunningServer, ServerHandle};
pub use service::{BoxMcpService, McpNotification, McpRequest, McpService};
#[cfg(feature = "skills")]
pub use skills::{SkillsProvider, SKILLS_EXTENSION};
#[cfg(feature = "http")]
pub use store_url::{event_store_from_url, session_store_from_url};
pub use store_url::{task_queue_from_url, task_store_from_url};
pub use tag_filter::TagFilter;
pub use tasks::{
    Delivery, MemoryTaskStore, TaskPage, TaskQueue, TaskRecord, TaskRequest, TaskStore,
    WorkerOptions,
};
#[cfg(feature = "redis")]
pub use tasks::{RedisTaskQueue, RedisTaskStore};
pub use transform::{Next, Transform, Transformed};
pub use transforms::{
    ArgTransform, Forward, PromptTransform, PromptsAsTools, ResourceTransform, ResourcesAsTools,
    SearchTools, ToolIndex, ToolTransform,
};
pub use uri_template::{TemplateError, UnsafeValue, UriTemplate};
pub use visibility::Visibility;

/// What stops [`RunningServer::work`] (re-exported from `tokio-util`).
pub use tokio_util::sync::CancellationToken;
