//! The attributes of FastMCP for Rust: `#[tool]`, `#[resource]`, `#[prompt]` on functions,
//! and `#[tools]` (alias `#[resources]`, `#[prompts]`) on impl blocks.
//!
//! Use them through the `fastmcp` crate (`use fastmcp::prelude::*;`): the generated code
//! refers to `::fastmcp::__private`.
//!
//! Each attribute is parsed (`attrs`, `args`), validated (tool names, URI templates, which
//! parameters are arguments) and expanded (`tool`, `resource`, `prompt`, `component_set`).
//! Errors point at the offending token; the item is still emitted so that one mistake does
//! not cascade into unrelated errors.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use proc_macro::TokenStream;

mod args;
mod attrs;
mod auth;
mod completion;
mod component;
mod component_set;
mod forward;
mod prompt;
mod registration;
mod resource;
mod schema;
mod tool;
mod tool_args;
mod uri_template;

/// Turn a function into an MCP tool.
///
/// The function becomes a struct of the same name that implements `IntoTool`, and a
/// constant of that struct (so `Server::new(..).tool(add)` works); the function itself
/// stays callable as `add::run(..)`. Its doc comment is the tool's description. A
/// component that is never registered gets one warning on its name: "constant `add` is
/// never used".
///
/// Parameters are the tool's JSON arguments, except a `Context` or `&Context` parameter,
/// which is injected, and `State<T>` and `SessionState<T>` parameters, taken from the
/// server's and the session's typed state (none of them is in the schema). Their types must implement `Deserialize` and `JsonSchema`; an
/// `Option<T>` argument may be omitted. The return type is anything `IntoToolResult`
/// (numbers and `Json<T>` give structured output with an output schema).
///
/// ```rust,ignore
/// use fastmcp::prelude::*;
///
/// /// Add two numbers.
/// #[tool(
///     name = "add",                  // default: the function's name
///     title = "Add",
///     tags("math"),                  // listed in `_meta["fastmcp/tags"]`
///     version = "1.0",               // `_meta["fastmcp/version"]`
///     annotations(read_only, destructive = false, idempotent = true, open_world = false),
///     meta = {"owner": "calc"},      // or meta(owner = "calc")
///     icons("https://example.com/add.png"),
///     timeout_ms = 500,
/// )]
/// async fn add(
///     #[arg(description = "The first number", default = 0)] a: i64,
///     #[arg(rename = "second")] b: Option<i64>,
///     ctx: &Context,
/// ) -> Result<i64, Error> {
///     ctx.checkpoint()?;
///     Ok(a + b.unwrap_or(0))
/// }
///
/// let server = Server::new("calc", "1.0.0").tool(add);
/// ```
///
/// `#[arg(...)]` keys on tool parameters: `description = "..."` (also taken from a doc
/// comment on the parameter), `title = "..."`, `rename = "wire_name"`, `default = expr`
/// (the argument becomes optional and the schema shows the default).
///
/// Tasks (the 2026-07-28 tasks extension, `io.modelcontextprotocol/tasks`):
/// `task = "optional"` lets a client that declares the extension get a `CreateTaskResult`
/// and poll `tasks/get` while the handler runs in the background (other clients call it
/// synchronously); `task = "required"` refuses clients without the extension (-32021);
/// `task = "forbidden"` is the default. `task_start = "detach"` makes the call synchronous
/// until the handler calls `ctx.detach()` (input asked for before that is a multi-round-trip
/// exchange of the request; after it, the task waits `input_required` for `tasks/update`);
/// the default, `task_start = "immediate"`, makes the task before the handler runs.
///
/// ```rust,ignore
/// /// Deletes a file after the user confirms.
/// #[tool(task = "optional")]
/// async fn delete(ctx: &Context, path: String) -> Result<String, Error> {
///     let ok = ctx.elicit::<Confirm>("Really delete?").await?;   // task: input_required
///     Ok(format!("deleted {path}"))
/// }
/// ```
///
/// Who may use it (`auth = …`, also on `#[resource]` and `#[prompt]`): callers who do not
/// meet the requirement don't see the component in their lists, and using it anyway is
/// refused (-32003; over HTTP a 403 `insufficient_scope` naming the scopes when scopes
/// would help). Rules: `scopes("a", ..)` (every one), `roles("r", ..)` (one of them in the
/// token's `roles` claim), `roles(claim = "groups", "r", ..)`, `with(path::to::predicate)`
/// (a `fn(&AuthInfo) -> bool`), and `all(..)`/`any(..)` of rules. A caller without an
/// identity (stdio, in memory, HTTP without auth) meets no rule. See
/// `fastmcp::core::Require` and `Server::auth_policy`.
///
/// ```rust,ignore
/// /// Delete a note.
/// #[tool(auth = scopes("notes:write"))]
/// async fn delete_note(id: String) -> String { format!("deleted {id}") }
///
/// fn is_owner(who: &AuthInfo) -> bool { who.subject.as_deref() == Some("owner") }
///
/// /// Purge everything.
/// #[tool(auth = any(roles("admin"), with(is_owner)))]
/// async fn purge() -> String { "purged".into() }
/// ```
///
/// Tool names are checked at compile time (1 to 128 characters among `A-Z a-z 0-9 _ - .`).
/// Generic functions are refused. On a method, use `#[tools]` on the impl block instead.
///
/// The same holds for `#[resource]` and `#[prompt]`: the function's name becomes a
/// constant, a value in its module, so no parameter in that module can bear the same name
/// (rustc says "function parameters cannot shadow constants"). Rename the parameter;
/// `#[arg(rename = "...")]` keeps the argument's name on the wire.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    component::free_fn(args::Kind::Tool, attr.into(), item.into()).into()
}

/// Turn a function into an MCP resource or resource template.
///
/// The first argument is the URI. Without `{variables}` it is a static resource, and the
/// function takes no arguments (except an optional `Context`). With RFC 6570 variables
/// (`{id}`, `{+path}`, `{/seg}`, `{?q,lang}`, ...) it is a template: every parameter must be
/// named by a variable and every variable by a parameter; values are parsed with `FromStr`,
/// and `Option<T>` parameters are `None` when their variable is absent.
///
/// The return type is anything `IntoResourceResult` (`String`, `Vec<u8>`, `Json<T>`,
/// `ResourceContents`, `Result<_, _>` of those, ...).
///
/// ```rust,ignore
/// use fastmcp::prelude::*;
///
/// /// The app's configuration.
/// #[resource("config://app", mime_type = "application/json")]
/// fn config() -> Json<serde_json::Value> {
///     Json(serde_json::json!({"debug": false}))
/// }
///
/// fn user_ids(prefix: &str) -> Vec<String> {
///     ["1", "2", "10"].iter().filter(|i| i.starts_with(prefix)).map(|i| i.to_string()).collect()
/// }
///
/// /// A user's profile.
/// #[resource(
///     "users://{id}/profile{?fields}",
///     name = "profile",
///     title = "User profile",
///     annotations(audience = ["user"], priority = 0.5),
///     complete(id = user_ids),
/// )]
/// async fn profile(id: u64, fields: Option<String>, ctx: &Context) -> Result<String, Error> {
///     ctx.checkpoint()?;
///     Ok(format!("user {id} ({})", fields.unwrap_or_default()))
/// }
///
/// let server = Server::new("users", "1.0.0").resource(config).resource(profile);
/// ```
///
/// Keys: `uri = "..."` (instead of the first string), `name` (default: the function's
/// name), `title`, `description` (default: the doc comment), `mime_type`, `tags(...)`,
/// `version`, `meta`, `icons(...)`, `annotations(audience = [...], priority = 0.5,
/// last_modified = "...")`, `complete(var = path::to_fn)` where the function is
/// `fn(&str) -> Vec<String>` (prefix in, candidates out). `#[arg(rename = "var")]` and
/// `#[arg(complete = f)]` work on template parameters too.
#[proc_macro_attribute]
pub fn resource(attr: TokenStream, item: TokenStream) -> TokenStream {
    component::free_fn(args::Kind::Resource, attr.into(), item.into()).into()
}

/// Turn a function into an MCP prompt.
///
/// Every parameter except the `Context` is a prompt argument; `Option<T>` arguments and
/// arguments with `#[arg(default = ...)]` are optional. Prompt arguments are strings on
/// the wire: a typed argument (`u32`, `bool`, an enum...) is parsed from its JSON value or
/// from the string. The return type is anything `IntoPromptResult` (`String`,
/// `PromptMessage`, `Vec<PromptMessage>`, `Result<_, _>` of those, ...).
///
/// ```rust,ignore
/// use fastmcp::prelude::*;
///
/// fn languages(prefix: &str) -> Vec<String> {
///     ["rust", "python"].iter().filter(|l| l.starts_with(prefix)).map(|l| l.to_string()).collect()
/// }
///
/// /// Ask for a code review.
/// #[prompt(name = "review", title = "Code review")]
/// fn review(
///     #[arg(description = "The code to review")] code: String,
///     #[arg(complete = languages)] language: Option<String>,
///     #[arg(default = 3)] points: u32,
/// ) -> String {
///     format!("Review this {} code in {points} points:\n{code}", language.unwrap_or_default())
/// }
///
/// let server = Server::new("review", "1.0.0").prompt(review);
/// ```
///
/// Keys: `name`, `title`, `description`, `tags(...)`, `version`, `meta`, `icons(...)`.
/// `#[arg(...)]` keys: `description`, `title`, `rename`, `default = expr`,
/// `complete = path::to_fn` (`fn(&str) -> Vec<String>`).
#[proc_macro_attribute]
pub fn prompt(attr: TokenStream, item: TokenStream) -> TokenStream {
    component::free_fn(args::Kind::Prompt, attr.into(), item.into()).into()
}

/// Turn the methods of an impl block marked `#[tool]`, `#[resource]` or `#[prompt]` into
/// components that share the value: the type implements `IntoComponents`, which puts the
/// value in an `Arc` and gives each component a clone of it.
///
/// Marked methods take `&self` (or no receiver) and otherwise follow the rules of the free
/// function attributes; they stay ordinary methods. Unmarked methods are left alone.
/// Generic impl blocks are not supported.
///
/// ```rust,ignore
/// use fastmcp::prelude::*;
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// #[derive(Default)]
/// struct Counter {
///     n: AtomicU64,
/// }
///
/// #[tools]
/// impl Counter {
///     /// Add to the counter.
///     #[tool]
///     fn increment(&self, #[arg(default = 1)] by: u64) -> u64 {
///         self.n.fetch_add(by, Ordering::SeqCst) + by
///     }
///
///     /// The counter's value.
///     #[resource("counter://value")]
///     fn value(&self) -> String {
///         self.n.load(Ordering::SeqCst).to_string()
///     }
/// }
///
/// let server = Server::new("counter", "1.0.0").components(Counter::default());
/// ```
#[proc_macro_attribute]
pub fn tools(attr: TokenStream, item: TokenStream) -> TokenStream {
    component_set::expand("tools", attr.into(), item.into()).into()
}

/// The same as [`macro@tools`], for impl blocks that hold resources.
#[proc_macro_attribute]
pub fn resources(attr: TokenStream, item: TokenStream) -> TokenStream {
    component_set::expand("resources", attr.into(), item.into()).into()
}

/// The same as [`macro@tools`], for impl blocks that hold prompts.
#[proc_macro_attribute]
pub fn prompts(attr: TokenStream, item: TokenStream) -> TokenStream {
    component_set::expand("prompts", attr.into(), item.into()).into()
}

/// Make a struct or enum usable as a tool's arguments or structured output with nothing but
/// `fastmcp` in `Cargo.toml`: derives `Serialize`, `Deserialize` and `JsonSchema` through
/// `fastmcp`'s own serde and schemars (name a subset to derive only those:
/// `#[schema(Deserialize, JsonSchema)]`). `#[serde(..)]` and `#[schemars(..)]` attributes
/// on the type and its fields work as usual.
///
/// ```rust,ignore
/// use fastmcp::prelude::*;
///
/// /// Where to look.
/// #[schema]
/// struct Query {
///     /// The city's name.
///     city: String,
///     #[serde(default)]
///     days: u8,
/// }
///
/// #[schema]
/// struct Forecast {
///     city: String,
///     high_c: f64,
/// }
///
/// /// The forecast of a city.
/// #[tool]
/// async fn forecast(query: Query) -> Json<Forecast> {
///     Json(Forecast { city: query.city, high_c: 21.5 })
/// }
/// ```
#[proc_macro_attribute]
pub fn schema(attr: TokenStream, item: TokenStream) -> TokenStream {
    schema::expand(attr.into(), item.into()).into()
}
