//! The MCP methods.

use fastmcp_core::{Error, ErrorKind, Outcome, ToolArguments};
use fastmcp_protocol::{
    CallToolRequestParams, CallToolResult, CompleteRequestParams, CompleteResult, DiscoverResult,
    EmptyResult, GetPromptRequestParams, InitializeRequestParams, InitializeResult,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, PromptsCapability, ProtocolVersion, ReadResourceRequestParams,
    Reference, ResourcesCapability, ResultType, ServerCapabilities, SetLevelRequestParams,
    SubscribeRequestParams, ToolsCapability,
};
use fastmcp_protocol::{TaskSupport, TasksCapability, TASKS_EXTENSION};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::pagination::page;
use crate::router::{parse, raw, Call, Ran, Router};

/// What the stateless era adds to every result.
macro_rules! stamp {
    ($self:ident, $call:ident, $r:expr) => {
        if $call.stateless() {
            $r.result_type = Some(ResultType::Complete);
        }
    };
    ($self:ident, $call:ident, $r:expr, list) => {
        if $call.stateless() {
            $r.result_type = Some(ResultType::Complete);
            $r.ttl_ms = Some($self.config.list_ttl_ms);
            $r.cache_scope = Some($self.config.cache_scope);
        }
    };
}

impl Router {
    pub(crate) fn capabilities(&self) -> ServerCapabilities {
        let (tools, resources, prompts) = self.registry.counts();
        let has_templates = !self.registry.templates().is_empty();
        ServerCapabilities {
            logging: Some(Map::new()),
            completions: (prompts > 0 || has_templates).then(Map::new),
            tools: (tools > 0).then_some(ToolsCapability {
                list_changed: Some(true),
            }),
            resources: (resources > 0).then_some(ResourcesCapability {
                subscribe: Some(true),
                list_changed: Some(true),
            }),
            prompts: (prompts > 0).then_some(PromptsCapability {
                list_changed: Some(true),
            }),
            ..Default::default()
        }
    }

    pub(crate) fn initialize(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let p: InitializeRequestParams = parse(params)?;
        let version = ProtocolVersion::negotiate_handshake(&p.protocol_version);
        call.session
            .initialize(version, p.client_info, p.capabilities);
        let mut capabilities = self.capabilities();
        if version >= ProtocolVersion::V2025_11_25 && self.has_task_tools() {
            capabilities.tasks = Some(TasksCapability {
                list: Some(Map::new()),
                cancel: Some(Map::new()),
                requests: Some(json_object(serde_json::json!({ "tools": { "call": {} } }))),
            });
        }
        raw(&InitializeResult {
            protocol_version: version.as_str().to_owned(),
            capabilities,
            server_info: self.config.info.clone(),
            instructions: self.config.instructions.clone(),
            meta: None,
        })
    }

    pub(crate) fn ping(&self, call: &Call) -> Result<Box<RawValue>, Error> {
        let mut r = EmptyResult::default();
        stamp!(self, call, r);
        raw(&r)
    }

    /// Whether a registered tool supports tasks (then the server declares the tasks
    /// extension in the stateless era).
    pub(crate) fn has_task_tools(&self) -> bool {
        self.registry
            .tools()
            .iter()
            .any(|t| t.task_support() != TaskSupport::Forbidden)
    }

    pub(crate) fn discover(&self) -> Result<Box<RawValue>, Error> {
        let mut meta = Map::new();
        meta.insert(
            "io.modelcontextprotocol/serverInfo".into(),
            serde_json::to_value(&self.config.info).map_err(|e| Error::internal(e.to_string()))?,
        );
        let mut capabilities = self.capabilities();
        if self.has_task_tools() {
            capabilities
                .extensions
                .get_or_insert_with(Default::default)
                .insert(TASKS_EXTENSION.to_owned(), Map::new());
        }
        raw(&DiscoverResult {
            result_type: Some(ResultType::Complete),
            supported_versions: ProtocolVersion::all_strings(),
            capabilities,
            instructions: self.config.instructions.clone(),
            ttl_ms: Some(self.config.list_ttl_ms),
            cache_scope: Some(self.config.cache_scope),
            meta: Some(meta),
        })
    }

    pub(crate) fn set_level(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let p: SetLevelRequestParams = parse(params)?;
        call.session.set_log_level(p.level);
        self.ping(call)
    }

    fn cursor(params: Option<&RawValue>) -> Result<Option<String>, Error> {
        let p: PaginatedRequestParams = parse(params)?;
        Ok(p.cursor)
    }

    pub(crate) fn list_tools(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let cursor = Self::cursor(params)?;
        let mut all = self.registry.listed_tools();
        if call.session.has_disabled() {
            all.retain(|t| {
                !call
                    .session
                    .is_disabled(&format!("tool:{}", t.handler.tool().name))
            });
        }
        let (items, next) = page(&all, cursor.as_deref(), self.config.page_size)?;
        let stateless = call.stateless();
        let mut r = ListToolsResult {
            tools: items.iter().map(|t| t.json(stateless)).collect(),
            next_cursor: next,
            ..Default::default()
        };
        stamp!(self, call, r, list);
        raw(&r)
    }

    pub(crate) async fn call_tool(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let p: CallToolRequestParams = parse(params)?;
        let tool = self
            .registry
            .tool(&p.name)
            .filter(|_| {
                !(call.session.has_disabled()
                    && call.session.is_disabled(&format!("tool:{}", p.name)))
            })
            .ok_or_else(|| Error::invalid_params(format!("Unknown tool: {}", p.name)))?;
        let mut args = ToolArguments::new(p.arguments);
        if self.config.lenient_arguments {
            args = args.lenient_for(tool.clone());
        }
        if self.config.strict_input_validation {
            if let Err(e) = check_known_arguments(&args, &tool.tool().input_schema) {
                return raw(&self.tool_result(call, CallToolResult::error_text(e)));
            }
        }
        let binding = format!("tools/call:{}", p.name);
        let may_be_task = p.task.is_some() || tool.task_support() == TaskSupport::Required;
        if may_be_task && !call.nested && self.core_tasks(call) {
            // 2025-11-25: the client asks for a task with `task`.
            match (p.task.as_ref(), tool.task_support()) {
                (Some(_), TaskSupport::Forbidden) => {
                    return Err(Error::new(
                        ErrorKind::MethodNotFound,
                        format!("Tool {} does not support task-augmented calls", p.name),
                    ))
                }
                (None, TaskSupport::Required) => {
                    return Err(Error::new(
                        ErrorKind::MethodNotFound,
                        format!("Tool {} must be called as a task", p.name),
                    ))
                }
                (Some(meta), _) => {
                    let ttl = meta.ttl;
                    return self
                        .call_tool_as_core_task(call, tool, args, p.name, ttl)
                        .await;
                }
                (None, _) => {}
            }
        }
        let support = tool.task_support();
        if call.stateless() && !call.nested && support != TaskSupport::Forbidden {
            // 2026-07-28: the server decides, for clients that declare the extension.
            let declared = crate::tasks::declares_tasks(&call.session);
            if support == TaskSupport::Required && !declared {
                return Err(crate::tasks::missing_tasks_extension());
            }
            if declared {
                let answers = self.mrtr_answers(&binding, p.input_responses, p.request_state)?;
                return self
                    .call_tool_as_task(call, tool, args, p.name, answers)
                    .await;
            }
        }
        let handler = tool.clone();
        let ran = self
            .run(
                call,
                tool.timeout(),
                Some((binding, p.input_responses, p.request_state)),
                |ctx| handler.call(ctx, args),
            )
            .await?;
        if let Some(ir) = ran.input_required {
            return raw(&ir);
        }
        let result = self.tool_outcome(&p.name, ran.outcome)?;
        raw(&self.tool_result(call, result))
    }

    /// What a tool's run ended with as a tool result: failures of the tool itself are
    /// results with `isError: true`; protocol errors, cancellations and panics are errors.
    pub(crate) fn tool_outcome(
        &self,
        name: &str,
        outcome: Outcome<CallToolResult>,
    ) -> Result<CallToolResult, Error> {
        match outcome {
            Outcome::Ok(r) => Ok(r),
            Outcome::Err(e) => match e.kind() {
                ErrorKind::Tool | ErrorKind::InvalidParams | ErrorKind::Remote(_) => {
                    Ok(CallToolResult::error_text(e.message().to_owned()))
                }
                ErrorKind::Internal | ErrorKind::Transport => {
                    let msg = if self.config.mask_error_details {
                        format!("Error calling tool '{name}'")
                    } else {
                        format!("Error calling tool '{name}': {}", e.message())
                    };
                    Ok(CallToolResult::error_text(msg))
                }
                _ => Err(e),
            },
            other => Err(other
                .into_result()
                .err()
                .unwrap_or_else(|| Error::internal("?"))),
        }
    }

    pub(crate) fn tool_result(&self, call: &Call, mut r: CallToolResult) -> CallToolResult {
        stamp!(self, call, r);
        r
    }

    pub(crate) fn list_resources(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let cursor = Self::cursor(params)?;
        let all = self.registry.resources();
        let (items, next) = page(&all, cursor.as_deref(), self.config.page_size)?;
        let mut r = ListResourcesResult {
            resources: items.iter().map(|h| h.resource().clone()).collect(),
            next_cursor: next,
            ..Default::default()
        };
        stamp!(self, call, r, list);
        raw(&r)
    }

    pub(crate) fn list_templates(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let cursor = Self::cursor(params)?;
        let all = self.registry.templates();
        let (items, next) = page(&all, cursor.as_deref(), self.config.page_size)?;
        let mut r = ListResourceTemplatesResult {
            resource_templates: items.iter().map(|t| t.handler.template().clone()).collect(),
            next_cursor: next,
            ..Default::default()
        };
        stamp!(self, call, r, list);
        raw(&r)
    }

    pub(crate) async fn read_resource(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let p: ReadResourceRequestParams = parse(params)?;
        let uri = p.uri.clone();
        let mrtr = Some((
            format!("resources/read:{uri}"),
            p.input_responses,
            p.request_state,
        ));
        let ran = if let Some(h) = self.registry.resource(&uri) {
            let u = uri.clone();
            self.run(call, None, mrtr, |ctx| h.read(ctx, u)).await?
        } else {
            let mut found = None;
            for t in self.registry.templates() {
                match t.parsed.match_uri(&uri) {
                    Ok(Some(vars)) => {
                        found = Some((t, vars));
                        break;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        return Err(Error::invalid_params(format!(
                            "Invalid resource URI: {}",
                            e.0
                        )))
                    }
                }
            }
            let (t, vars) = found.ok_or_else(|| Error::resource_not_found(&uri))?;
            let h = t.handler.clone();
            let u = uri.clone();
            self.run(call, None, mrtr, |ctx| h.read(ctx, u, vars))
                .await?
        };
        let mut r = finish(ran)?;
        if let Some(ir) = r.1 {
            return raw(&ir);
        }
        stamp!(self, call, (r.0), list);
        raw(&r.0)
    }

    pub(crate) fn subscribe(
        &self,
        call: &Call,
        params: Option<&RawValue>,
        on: bool,
    ) -> Result<Box<RawValue>, Error> {
        let p: SubscribeRequestParams = parse(params)?;
        if on {
            call.session.subscribe(&p.uri);
        } else {
            call.session.unsubscribe(&p.uri);
        }
        self.ping(call)
    }

    pub(crate) fn list_prompts(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let cursor = Self::cursor(params)?;
        let all = self.registry.prompts();
        let (items, next) = page(&all, cursor.as_deref(), self.config.page_size)?;
        let mut r = ListPromptsResult {
            prompts: items.iter().map(|h| h.prompt().clone()).collect(),
            next_cursor: next,
            ..Default::default()
        };
        stamp!(self, call, r, list);
        raw(&r)
    }

    pub(crate) async fn get_prompt(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let p: GetPromptRequestParams = parse(params)?;
        let h = self
            .registry
            .prompt(&p.name)
            .ok_or_else(|| Error::invalid_params(format!("Unknown prompt: {}", p.name)))?;
        if let Some(defs) = &h.prompt().arguments {
            let given = p.arguments.as_ref();
            for a in defs.iter().filter(|a| a.required == Some(true)) {
                if given.is_none_or(|g| g.get(&a.name).is_none_or(Value::is_null)) {
                    return Err(Error::invalid_params(format!(
                        "Missing required argument `{}`",
                        a.name
                    )));
                }
            }
        }
        let args = p.arguments.unwrap_or_default();
        let mrtr = Some((
            format!("prompts/get:{}", p.name),
            p.input_responses,
            p.request_state,
        ));
        let ran = self.run(call, None, mrtr, |ctx| h.get(ctx, args)).await?;
        let mut r = finish(ran)?;
        if let Some(ir) = r.1 {
            return raw(&ir);
        }
        stamp!(self, call, (r.0));
        raw(&r.0)
    }

    pub(crate) async fn complete(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let p: CompleteRequestParams = parse(params)?;
        let context: Map<String, Value> = p
            .context
            .and_then(|c| c.arguments)
            .map(|a| a.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
            .unwrap_or_default();
        let (name, value) = (p.argument.name, p.argument.value);
        let ran = match p.r#ref {
            Reference::Prompt(r) => {
                let h = self
                    .registry
                    .prompt(&r.name)
                    .ok_or_else(|| Error::invalid_params(format!("Unknown prompt: {}", r.name)))?;
                self.run(call, None, None, |ctx| {
                    h.complete(ctx, name, value, context)
                })
                .await?
            }
            Reference::Resource(r) => {
                let t = self.registry.template(&r.uri).ok_or_else(|| {
                    Error::invalid_params(format!("Unknown resource template: {}", r.uri))
                })?;
                let h = t.handler.clone();
                self.run(call, None, None, |ctx| {
                    h.complete(ctx, name, value, context)
                })
                .await?
            }
        };
        let mut r: CompleteResult = ran.outcome.into_result()?;
        r.completion.values.truncate(100);
        stamp!(self, call, r);
        raw(&r)
    }
}

/// The result of a handler run, or the input-required result of an unfinished round.
fn finish<T>(ran: Ran<T>) -> Result<(T, Option<fastmcp_protocol::InputRequiredResult>), Error>
where
    T: Default,
{
    if let Some(ir) = ran.input_required {
        return Ok((T::default(), Some(ir)));
    }
    Ok((ran.outcome.into_result()?, None))
}

fn check_known_arguments(args: &ToolArguments, schema: &Value) -> Result<(), String> {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Ok(());
    };
    let given = args.to_map().map_err(|e| e.message().to_owned())?;
    let unknown: Vec<&str> = given
        .keys()
        .filter(|k| !props.contains_key(*k))
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!("Unexpected argument(s): {}", unknown.join(", ")))
    }
}

fn json_object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
