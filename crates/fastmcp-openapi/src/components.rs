//! The API's operations as components: a tool per operation, or a resource or template
//! for a `GET` the route maps say so of.

use std::sync::Arc;

use fastmcp_core::{
    BoxFuture, Context, Error, ResourceHandler, ResourceTemplateHandler, TemplateVars,
    ToolArguments, ToolHandler,
};
use fastmcp_protocol::{CallToolResult, ReadResourceResult, Resource, ResourceTemplate, Tool};
use serde_json::{Map, Value};

use crate::call::{resource_result, send, tool_result, Http};
use crate::input::{input, Args};
use crate::spec::{Location, Operation};

/// One operation, with how calls reach it.
pub(crate) struct Endpoint {
    pub(crate) op: Operation,
    pub(crate) args: Args,
    pub(crate) http: Http,
}

impl Endpoint {
    pub(crate) fn new(op: Operation, http: Http) -> (Self, Value) {
        let (schema, args) = input(&op);
        (Endpoint { op, args, http }, schema)
    }

    fn description(&self) -> Option<String> {
        let o = &self.op;
        match (&o.summary, &o.description) {
            (Some(s), Some(d)) if s != d => Some(format!("{s}\n\n{d}")),
            (Some(s), _) => Some(s.clone()),
            (None, d) => d.clone(),
        }
    }
}

/// An operation as a tool.
pub(crate) struct ApiTool {
    def: Tool,
    endpoint: Endpoint,
}

impl ApiTool {
    pub(crate) fn new(name: String, op: Operation, http: Http) -> Self {
        let (endpoint, schema) = Endpoint::new(op, http);
        let mut def = Tool::new(name, schema);
        def.description = endpoint.description();
        // Structured results are checked against an object output schema.
        def.output_schema = endpoint
            .op
            .output
            .clone()
            .filter(|s| s.get("type") == Some(&Value::String("object".into())));
        if !endpoint.op.tags.is_empty() {
            fastmcp_core::component_meta::add_tags(&mut def.meta, endpoint.op.tags.clone());
        }
        ApiTool { def, endpoint }
    }
}

impl ToolHandler for ApiTool {
    fn tool(&self) -> &Tool {
        &self.def
    }
    fn call(
        self: Arc<Self>,
        _ctx: Context,
        args: ToolArguments,
    ) -> BoxFuture<'static, Result<CallToolResult, Error>> {
        Box::pin(async move {
            let values: Map<String, Value> = match args.raw() {
                Some(raw) => serde_json::from_str(raw.get())
                    .map_err(|e| Error::invalid_params(format!("Invalid arguments: {e}")))?,
                None => Map::new(),
            };
            let e = &self.endpoint;
            let answer = send(&e.http, &e.op, &e.args, &values).await?;
            Ok(tool_result(answer))
        })
    }
}

/// A `GET` without path parameters as a resource.
pub(crate) struct ApiResource {
    def: Resource,
    endpoint: Endpoint,
}

impl ApiResource {
    pub(crate) fn new(uri: String, name: String, op: Operation, http: Http) -> Self {
        let (endpoint, _) = Endpoint::new(op, http);
        let mut def = Resource::new(uri, name);
        def.description = endpoint.description();
        ApiResource { def, endpoint }
    }
}

impl ResourceHandler for ApiResource {
    fn resource(&self) -> &Resource {
        &self.def
    }
    fn read(
        self: Arc<Self>,
        _ctx: Context,
        uri: String,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move {
            let e = &self.endpoint;
            let answer = send(&e.http, &e.op, &e.args, &Map::new()).await?;
            resource_result(&uri, answer)
        })
    }
}

/// A `GET` with path parameters as a template: `{prefix}{path}` with `{name}` for each.
pub(crate) struct ApiTemplate {
    def: ResourceTemplate,
    endpoint: Endpoint,
}

impl ApiTemplate {
    pub(crate) fn new(uri_template: String, name: String, op: Operation, http: Http) -> Self {
        let (endpoint, _) = Endpoint::new(op, http);
        let mut def = ResourceTemplate::new(uri_template, name);
        def.description = endpoint.description();
        ApiTemplate { def, endpoint }
    }
}

impl ResourceTemplateHandler for ApiTemplate {
    fn template(&self) -> &ResourceTemplate {
        &self.def
    }
    fn read(
        self: Arc<Self>,
        _ctx: Context,
        uri: String,
        vars: TemplateVars,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move {
            let e = &self.endpoint;
            let mut values = Map::new();
            for (name, target) in &e.args.0 {
                if let crate::input::Target::Param(i) = target {
                    let p = &e.op.params[*i];
                    if p.location == Location::Path {
                        if let Some(v) = vars.get(&p.name) {
                            values.insert(name.clone(), Value::String(v.to_string()));
                        }
                    }
                }
            }
            let answer = send(&e.http, &e.op, &e.args, &values).await?;
            resource_result(&uri, answer)
        })
    }
}
