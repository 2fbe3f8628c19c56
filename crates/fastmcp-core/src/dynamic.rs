//! Handlers built from closures: what the macros generate, and dynamic components at run time.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use fastmcp_protocol::{
    CallToolResult, CompleteResult, GetPromptResult, Prompt, ReadResourceResult, Resource,
    ResourceTemplate, TaskSupport, Tool, ToolExecution,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::handler::{
    PromptHandler, ResourceHandler, ResourceTemplateHandler, TaskStart, TemplateVars,
    ToolArguments, ToolHandler,
};
use crate::output::IntoToolResult;
use crate::peer::BoxFuture;
use crate::schema::schema_for;
use crate::{Context, Error, Require};

type ToolFn = dyn Fn(Context, ToolArguments) -> BoxFuture<'static, Result<CallToolResult, Error>>
    + Send
    + Sync;

/// A tool made of a definition and a closure.
///
/// ```
/// use fastmcp_core::{FnTool, Context};
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Args { a: i64, b: i64 }
/// let add = FnTool::typed("add", "Add two numbers.", |_ctx: Context, args: Args| async move {
///     Ok::<_, fastmcp_core::Error>(args.a + args.b)
/// });
/// assert_eq!(add.definition().input_schema["required"], serde_json::json!(["a", "b"]));
/// ```
pub struct FnTool {
    pub(crate) tool: Tool,
    timeout: Option<Duration>,
    task_start: TaskStart,
    call: Box<ToolFn>,
    pub(crate) auth: Option<Require>,
}

impl FnTool {
    /// A tool from a definition and a closure over raw arguments.
    pub fn new<F, Fut>(tool: Tool, f: F) -> Self
    where
        F: Fn(Context, ToolArguments) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CallToolResult, Error>> + Send + 'static,
    {
        FnTool {
            tool,
            timeout: None,
            task_start: TaskStart::Immediate,
            call: Box::new(move |ctx, args| Box::pin(f(ctx, args))),
            auth: None,
        }
    }

    /// A tool whose arguments are the fields of `A` and whose result is any
    /// [`IntoToolResult`]; the input and output schemas are generated.
    pub fn typed<A, R, F, Fut>(name: &str, description: &str, f: F) -> Self
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
        R: IntoToolResult + Send + 'static,
        F: Fn(Context, A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
    {
        let mut tool = Tool::new(name, schema_for::<A>());
        tool.description = Some(description.to_owned()).filter(|d| !d.is_empty());
        tool.output_schema = R::output_schema();
        let f = Arc::new(f);
        Self::new(tool, move |ctx, args| {
            let f = f.clone();
            async move {
                let a: A = args.parse()?;
                f(ctx, a).await.into_tool_result()
            }
        })
    }

    /// Set a per-tool timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Declare whether calls may (`Optional`) or must (`Required`) run as tasks
    /// (`execution.taskSupport`). A client that declares the tasks extension then gets a
    /// `CreateTaskResult` and polls `tasks/get`; one that does not runs an `Optional`
    /// tool synchronously and is refused a `Required` one (-32021).
    ///
    /// ```
    /// use fastmcp_core::{FnTool, Context, TaskStart};
    /// use fastmcp_protocol::TaskSupport;
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Args { seconds: u64 }
    /// let t = FnTool::typed("slow", "Sleep.", |ctx: Context, a: Args| async move {
    ///     ctx.sleep(std::time::Duration::from_secs(a.seconds)).await?;
    ///     Ok::<_, fastmcp_core::Error>("done")
    /// })
    /// .with_task_support(TaskSupport::Optional)
    /// .with_task_start(TaskStart::Immediate);
    /// assert_eq!(t.definition().execution.as_ref().unwrap().task_support, Some(TaskSupport::Optional));
    /// ```
    pub fn with_task_support(mut self, support: TaskSupport) -> Self {
        self.tool
            .execution
            .get_or_insert_with(ToolExecution::default)
            .task_support = Some(support);
        self
    }

    /// When a call becomes a task: at once (default) or when the handler calls
    /// [`Context::detach`].
    pub fn with_task_start(mut self, start: TaskStart) -> Self {
        self.task_start = start;
        self
    }

    /// The definition.
    pub fn definition(&self) -> &Tool {
        &self.tool
    }

    /// Mutable access to the definition (title, annotations, icons, meta, ...).
    pub fn definition_mut(&mut self) -> &mut Tool {
        &mut self.tool
    }
}

impl ToolHandler for FnTool {
    fn tool(&self) -> &Tool {
        &self.tool
    }

    fn call(
        self: Arc<Self>,
        ctx: Context,
        args: ToolArguments,
    ) -> BoxFuture<'static, Result<CallToolResult, Error>> {
        (self.call)(ctx, args)
    }

    fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    fn task_start(&self) -> TaskStart {
        self.task_start
    }

    fn auth(&self) -> Option<&Require> {
        self.auth.as_ref()
    }
}

type ReadFn =
    dyn Fn(Context, String) -> BoxFuture<'static, Result<ReadResourceResult, Error>> + Send + Sync;

/// A resource made of a definition and a closure.
pub struct FnResource {
    pub(crate) resource: Resource,
    read: Box<ReadFn>,
    pub(crate) auth: Option<Require>,
}

impl FnResource {
    /// A resource from a definition and a closure that returns any [`IntoResourceResult`].
    pub fn new<F, Fut, R>(resource: Resource, f: F) -> Self
    where
        F: Fn(Context, String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoResourceResult,
    {
        let mime = resource.mime_type.clone();
        FnResource {
            resource,
            read: Box::new(move |ctx, uri| {
                let fut = f(ctx, uri.clone());
                let mime = mime.clone();
                Box::pin(async move { fut.await.into_resource_result(&uri, mime.as_deref()) })
            }),
            auth: None,
        }
    }
}

impl ResourceHandler for FnResource {
    fn resource(&self) -> &Resource {
        &self.resource
    }

    fn auth(&self) -> Option<&Require> {
        self.auth.as_ref()
    }

    fn read(
        self: Arc<Self>,
        ctx: Context,
        uri: String,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        (self.read)(ctx, uri)
    }
}

type TemplateFn = dyn Fn(Context, String, TemplateVars) -> BoxFuture<'static, Result<ReadResourceResult, Error>>
    + Send
    + Sync;
type CompleteFn = dyn Fn(
        Context,
        String,
        String,
        Map<String, Value>,
    ) -> BoxFuture<'static, Result<CompleteResult, Error>>
    + Send
    + Sync;

/// A resource template made of a definition and closures.
pub struct FnResourceTemplate {
    pub(crate) template: ResourceTemplate,
    read: Box<TemplateFn>,
    complete: Option<Box<CompleteFn>>,
    pub(crate) auth: Option<Require>,
}

impl FnResourceTemplate {
    /// A template from a definition and a closure over the matched variables.
    pub fn new<F, Fut, R>(template: ResourceTemplate, f: F) -> Self
    where
        F: Fn(Context, String, TemplateVars) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoResourceResult,
    {
        let mime = template.mime_type.clone();
        FnResourceTemplate {
            template,
            read: Box::new(move |ctx, uri, vars| {
                let fut = f(ctx, uri.clone(), vars);
                let mime = mime.clone();
                Box::pin(async move { fut.await.into_resource_result(&uri, mime.as_deref()) })
            }),
            complete: None,
            auth: None,
        }
    }

    /// Complete template variables with a closure `(ctx, argument, value, context)`.
    pub fn with_completion<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Context, String, String, Map<String, Value>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CompleteResult, Error>> + Send + 'static,
    {
        self.complete = Some(Box::new(move |c, a, v, x| Box::pin(f(c, a, v, x))));
        self
    }
}

impl ResourceTemplateHandler for FnResourceTemplate {
    fn template(&self) -> &ResourceTemplate {
        &self.template
    }

    fn auth(&self) -> Option<&Require> {
        self.auth.as_ref()
    }

    fn read(
        self: Arc<Self>,
        ctx: Context,
        uri: String,
        vars: TemplateVars,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        (self.read)(ctx, uri, vars)
    }

    fn complete(
        self: Arc<Self>,
        ctx: Context,
        argument: String,
        value: String,
        context: Map<String, Value>,
    ) -> BoxFuture<'static, Result<CompleteResult, Error>> {
        match &self.complete {
            Some(f) => f(ctx, argument, value, context),
            None => Box::pin(async { Ok(CompleteResult::default()) }),
        }
    }
}

type PromptFn = dyn Fn(Context, Map<String, Value>) -> BoxFuture<'static, Result<GetPromptResult, Error>>
    + Send
    + Sync;

/// A prompt made of a definition and closures.
pub struct FnPrompt {
    pub(crate) prompt: Prompt,
    get: Box<PromptFn>,
    complete: Option<Box<CompleteFn>>,
    pub(crate) auth: Option<Require>,
}

impl FnPrompt {
    /// A prompt from a definition and a closure that returns any [`IntoPromptResult`].
    pub fn new<F, Fut, R>(prompt: Prompt, f: F) -> Self
    where
        F: Fn(Context, Map<String, Value>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoPromptResult,
    {
        FnPrompt {
            prompt,
            get: Box::new(move |ctx, args| {
                let fut = f(ctx, args);
                Box::pin(async move { fut.await.into_prompt_result() })
            }),
            complete: None,
            auth: None,
        }
    }

    /// Complete argument values with a closure `(ctx, argument, value, context)`.
    pub fn with_completion<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Context, String, String, Map<String, Value>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CompleteResult, Error>> + Send + 'static,
    {
        self.complete = Some(Box::new(move |c, a, v, x| Box::pin(f(c, a, v, x))));
        self
    }
}

impl PromptHandler for FnPrompt {
    fn prompt(&self) -> &Prompt {
        &self.prompt
    }

    fn auth(&self) -> Option<&Require> {
        self.auth.as_ref()
    }

    fn get(
        self: Arc<Self>,
        ctx: Context,
        args: Map<String, Value>,
    ) -> BoxFuture<'static, Result<GetPromptResult, Error>> {
        (self.get)(ctx, args)
    }

    fn complete(
        self: Arc<Self>,
        ctx: Context,
        argument: String,
        value: String,
        context: Map<String, Value>,
    ) -> BoxFuture<'static, Result<CompleteResult, Error>> {
        match &self.complete {
            Some(f) => f(ctx, argument, value, context),
            None => Box::pin(async { Ok(CompleteResult::default()) }),
        }
    }
}

pub use crate::resource_output::{IntoPromptResult, IntoResourceResult};

/// Anything a server accepts as a tool.
pub trait IntoTool {
    /// Convert.
    fn into_tool(self) -> Arc<dyn ToolHandler>;
}

impl IntoTool for FnTool {
    fn into_tool(self) -> Arc<dyn ToolHandler> {
        Arc::new(self)
    }
}

impl IntoTool for Arc<dyn ToolHandler> {
    fn into_tool(self) -> Arc<dyn ToolHandler> {
        self
    }
}

/// Anything a server accepts as a resource or resource template.
pub enum AnyResource {
    /// A fixed URI.
    Static(Arc<dyn ResourceHandler>),
    /// A URI template.
    Template(Arc<dyn ResourceTemplateHandler>),
}

/// Conversion into [`AnyResource`].
pub trait IntoResource {
    /// Convert.
    fn into_resource(self) -> AnyResource;
}

impl IntoResource for FnResource {
    fn into_resource(self) -> AnyResource {
        AnyResource::Static(Arc::new(self))
    }
}

impl IntoResource for FnResourceTemplate {
    fn into_resource(self) -> AnyResource {
        AnyResource::Template(Arc::new(self))
    }
}

impl IntoResource for AnyResource {
    fn into_resource(self) -> AnyResource {
        self
    }
}

/// Anything a server accepts as a prompt.
pub trait IntoPrompt {
    /// Convert.
    fn into_prompt(self) -> Arc<dyn PromptHandler>;
}

impl IntoPrompt for FnPrompt {
    fn into_prompt(self) -> Arc<dyn PromptHandler> {
        Arc::new(self)
    }
}

impl IntoPrompt for Arc<dyn PromptHandler> {
    fn into_prompt(self) -> Arc<dyn PromptHandler> {
        self
    }
}

/// Read a prompt argument as `T`: the JSON value as is, or a string parsed as JSON (prompt
/// arguments are strings on the wire). `None` when absent or null.
pub fn prompt_arg<T: DeserializeOwned>(
    args: &Map<String, Value>,
    name: &str,
) -> Result<Option<T>, Error> {
    let Some(v) = args.get(name).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    match serde_json::from_value::<T>(v.clone()) {
        Ok(t) => Ok(Some(t)),
        Err(e) => match v.as_str().map(serde_json::from_str::<T>) {
            Some(Ok(t)) => Ok(Some(t)),
            _ => Err(Error::invalid_params(format!(
                "Invalid argument `{name}`: {e}"
            ))),
        },
    }
}

/// Read a template variable as `T` via `FromStr`.
pub fn template_var<T: std::str::FromStr>(vars: &TemplateVars, name: &str) -> Result<T, Error>
where
    T::Err: std::fmt::Display,
{
    let s = vars
        .get(name)
        .ok_or_else(|| Error::invalid_params(format!("missing template variable `{name}`")))?;
    s.parse()
        .map_err(|e| Error::invalid_params(format!("Invalid value for `{name}`: {e}")))
}
