//! `initialize`, `ping`, `server/discover`, `logging/setLevel`, and the capabilities they
//! announce.

use fastmcp_core::Error;
use fastmcp_protocol::{
    DiscoverResult, EmptyResult, InitializeRequestParams, InitializeResult, PromptsCapability,
    ProtocolVersion, ResourcesCapability, ResultType, ServerCapabilities, SetLevelRequestParams,
    TasksCapability, ToolsCapability, META_SERVER_INFO, TASKS_EXTENSION,
};
use serde_json::value::RawValue;
use serde_json::{json, Map};

use super::stamp::stamp;
use crate::call::{parse, raw, Call};
use crate::runtime::Runtime;

/// The capabilities the server announces now (from what its providers may offer).
pub(crate) fn capabilities(rt: &Runtime) -> ServerCapabilities {
    let k = rt.kinds();
    let mut extensions = None;
    rt.config.extensions.declare(&mut extensions);
    ServerCapabilities {
        extensions,
        logging: Some(Map::new()),
        completions: (k.prompts || k.templates).then(Map::new),
        tools: k.tools.then_some(ToolsCapability {
            list_changed: Some(true),
        }),
        resources: (k.resources || k.templates).then_some(ResourcesCapability {
            subscribe: Some(true),
            list_changed: Some(true),
        }),
        prompts: k.prompts.then_some(PromptsCapability {
            list_changed: Some(true),
        }),
        ..Default::default()
    }
}

pub(crate) fn initialize(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let p: InitializeRequestParams = parse(params)?;
    let version = ProtocolVersion::negotiate_handshake(&p.protocol_version);
    call.session
        .initialize(version, p.client_info, p.capabilities);
    let mut capabilities = capabilities(rt);
    if version >= ProtocolVersion::V2025_11_25 && rt.kinds().task_tools {
        let requests = json!({ "tools": { "call": {} } });
        capabilities.tasks = Some(TasksCapability {
            list: Some(Map::new()),
            cancel: Some(Map::new()),
            requests: requests.as_object().cloned(),
        });
    }
    raw(&InitializeResult {
        protocol_version: version.as_str().to_owned(),
        capabilities,
        server_info: rt.config.info.clone(),
        instructions: rt.config.instructions.clone(),
        meta: None,
    })
}

pub(crate) fn ping(call: &Call) -> Result<Box<RawValue>, Error> {
    let mut r = EmptyResult::default();
    stamp!(call, r);
    raw(&r)
}

pub(crate) fn discover(rt: &Runtime) -> Result<Box<RawValue>, Error> {
    let mut meta = Map::new();
    meta.insert(
        META_SERVER_INFO.into(),
        serde_json::to_value(&rt.config.info).map_err(|e| Error::internal(e.to_string()))?,
    );
    let mut capabilities = capabilities(rt);
    if rt.kinds().task_tools {
        capabilities
            .extensions
            .get_or_insert_with(Default::default)
            .insert(TASKS_EXTENSION.to_owned(), Map::new());
    }
    raw(&DiscoverResult {
        result_type: Some(ResultType::Complete),
        supported_versions: ProtocolVersion::all_strings(),
        capabilities,
        instructions: rt.config.instructions.clone(),
        ttl_ms: Some(rt.config.list_ttl_ms),
        cache_scope: Some(rt.config.cache_scope),
        meta: Some(meta),
    })
}

pub(crate) fn set_level(call: &Call, params: Option<&RawValue>) -> Result<Box<RawValue>, Error> {
    let p: SetLevelRequestParams = parse(params)?;
    call.session.set_log_level(p.level);
    ping(call)
}
