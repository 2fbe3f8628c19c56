//! Values built with the Rust types validate against the JSON schema of each version.

use std::collections::BTreeMap;
use std::path::Path;

use fastmcp_protocol::*;
use serde::Serialize;
use serde_json::{json, Value};

const HANDSHAKE: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];
const STATELESS: &str = "2026-07-28";

fn schema(version: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../fixtures/spec/{version}.schema.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A validator for `$defs/<name>` (or `definitions/<name>`) of the schema of `version`.
fn validator(version: &str, name: &str) -> jsonschema::Validator {
    let mut doc = schema(version);
    let key = if doc.get("$defs").is_some() {
        "$defs"
    } else {
        "definitions"
    };
    assert!(doc[key].get(name).is_some(), "{version} has no {name}");
    doc.as_object_mut()
        .unwrap()
        .insert("allOf".into(), json!([{"$ref": format!("#/{key}/{name}")}]));
    jsonschema::validator_for(&doc).unwrap_or_else(|e| panic!("{version}/{name}: {e}"))
}

fn errors(version: &str, name: &str, value: &Value) -> Vec<String> {
    validator(version, name)
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[track_caller]
fn assert_valid(version: &str, name: &str, value: &impl Serialize) {
    let v = serde_json::to_value(value).unwrap();
    let errs = errors(version, name, &v);
    assert!(
        errs.is_empty(),
        "{version} {name} is invalid: {errs:#?}\n{}",
        serde_json::to_string_pretty(&v).unwrap()
    );
}

#[track_caller]
fn assert_invalid(version: &str, name: &str, value: &Value) {
    assert!(
        !errors(version, name, value).is_empty(),
        "{version} {name} should be invalid: {value}"
    );
}

/// A value with one member removed.
fn without(value: &impl Serialize, member: &str) -> Value {
    let mut v = serde_json::to_value(value).unwrap();
    v.as_object_mut().unwrap().remove(member);
    v
}

fn at_least(version: &str, since: &str) -> bool {
    version >= since
}

fn server_info(version: &str) -> Implementation {
    let mut i = Implementation::new("example-server", "1.0.0");
    if at_least(version, "2025-06-18") {
        i.title = Some("Example Server".into());
    }
    if at_least(version, "2025-11-25") {
        i.description = Some("An example".into());
        i.website_url = Some("https://example.com".into());
        i.icons = Some(vec![icon()]);
    }
    i
}

fn icon() -> Icon {
    Icon {
        mime_type: Some("image/png".into()),
        sizes: Some(vec!["48x48".into()]),
        theme: Some(IconTheme::Dark),
        ..Icon::new("https://example.com/icon.png")
    }
}

fn server_capabilities(version: &str) -> ServerCapabilities {
    let mut c = ServerCapabilities {
        logging: Some(JsonObject::new()),
        prompts: Some(PromptsCapability {
            list_changed: Some(true),
        }),
        resources: Some(ResourcesCapability {
            subscribe: Some(true),
            list_changed: Some(true),
        }),
        tools: Some(ToolsCapability::default()),
        experimental: Some(BTreeMap::from([("x".to_owned(), JsonObject::new())])),
        ..Default::default()
    };
    if at_least(version, "2025-03-26") {
        c.completions = Some(JsonObject::new());
    }
    if version == "2025-11-25" {
        let mut requests = JsonObject::new();
        requests.insert("tools".into(), json!({"call": {}}));
        c.tasks = Some(TasksCapability {
            list: Some(JsonObject::new()),
            cancel: Some(JsonObject::new()),
            requests: Some(requests),
        });
    }
    if version == STATELESS {
        c.extensions = Some(BTreeMap::from([(
            "io.modelcontextprotocol/ui".to_owned(),
            JsonObject::new(),
        )]));
    }
    c
}

fn server_info_meta() -> Meta {
    let mut m = Meta::new();
    m.insert(
        META_SERVER_INFO.into(),
        serde_json::to_value(server_info(STATELESS)).unwrap(),
    );
    m
}

#[test]
fn initialize_result_of_every_handshake_version() {
    for v in HANDSHAKE {
        let r = InitializeResult {
            protocol_version: v.into(),
            capabilities: server_capabilities(v),
            server_info: server_info(v),
            instructions: Some("Use the tools.".into()),
            meta: None,
        };
        assert_valid(v, "InitializeResult", &r);
        assert_invalid(v, "InitializeResult", &without(&r, "serverInfo"));
        assert_invalid(v, "InitializeResult", &without(&r, "protocolVersion"));

        let p = InitializeRequestParams {
            protocol_version: v.into(),
            capabilities: ClientCapabilities {
                roots: Some(RootsCapability {
                    list_changed: Some(true),
                }),
                sampling: Some(SamplingCapability::default()),
                ..Default::default()
            },
            client_info: Implementation::new("client", "0.1"),
            meta: None,
        };
        let req = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": p});
        assert_valid(v, "InitializeRequest", &req);
    }
}

#[test]
fn discover_result() {
    let r = DiscoverResult {
        result_type: Some(ResultType::Complete),
        supported_versions: ProtocolVersion::all_strings(),
        capabilities: server_capabilities(STATELESS),
        instructions: Some("Use the tools.".into()),
        ttl_ms: Some(3_600_000),
        cache_scope: Some(CacheScope::Public),
        meta: Some(server_info_meta()),
    };
    assert_valid(STATELESS, "DiscoverResult", &r);
    for m in [
        "resultType",
        "ttlMs",
        "cacheScope",
        "supportedVersions",
        "capabilities",
    ] {
        assert_invalid(STATELESS, "DiscoverResult", &without(&r, m));
    }
}

fn rich_tool(version: &str) -> Tool {
    let mut t = Tool::new(
        "get_weather",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
    .with_description("Get the weather");
    if at_least(version, "2025-03-26") {
        t.annotations = Some(ToolAnnotations {
            title: Some("Weather".into()),
            read_only_hint: Some(true),
            destructive_hint: Some(false),
            idempotent_hint: Some(true),
            open_world_hint: Some(true),
            ..Default::default()
        });
    }
    if at_least(version, "2025-06-18") {
        t.title = Some("Weather".into());
        t.output_schema = Some(json!({
            "type": "object",
            "properties": {"temperature": {"type": "number"}},
            "required": ["temperature"]
        }));
        t.meta = Some(Meta::new());
    }
    if at_least(version, "2025-11-25") {
        t.icons = Some(vec![icon()]);
    }
    if version == "2025-11-25" {
        t.execution = Some(ToolExecution {
            task_support: Some(TaskSupport::Optional),
        });
    }
    t
}

#[test]
fn list_tools_result() {
    for v in HANDSHAKE {
        let r = ListToolsResult {
            tools: vec![rich_tool(v), Tool::new("noop", json!({"type": "object"}))],
            next_cursor: Some("next".into()),
            ..Default::default()
        };
        assert_valid(v, "ListToolsResult", &r);
        assert_invalid(v, "ListToolsResult", &without(&r, "tools"));
    }
    let r = ListToolsResult {
        result_type: Some(ResultType::Complete),
        tools: vec![rich_tool(STATELESS)],
        next_cursor: None,
        ttl_ms: Some(300_000),
        cache_scope: Some(CacheScope::Private),
        meta: Some(server_info_meta()),
    };
    assert_valid(STATELESS, "ListToolsResult", &r);
    for m in ["resultType", "ttlMs", "cacheScope"] {
        assert_invalid(STATELESS, "ListToolsResult", &without(&r, m));
    }
}

fn content_of(version: &str) -> Vec<ContentBlock> {
    let mut c = vec![
        ContentBlock::text("hello"),
        ContentBlock::Text(TextContent {
            annotations: Some(Annotations {
                audience: Some(vec![Role::User, Role::Assistant]),
                priority: Some(0.5),
                last_modified: at_least(version, "2025-06-18")
                    .then(|| "2025-01-12T15:00:58Z".to_owned()),
            }),
            ..TextContent::new("annotated")
        }),
        ContentBlock::image("iVBORw0KGgo=", "image/png"),
        ContentBlock::resource(ResourceContents::text("file:///a.txt", "text/plain", "a")),
        ContentBlock::resource(ResourceContents::blob(
            "file:///a.bin",
            "application/octet-stream",
            "AAEC",
        )),
    ];
    if at_least(version, "2025-03-26") {
        c.push(ContentBlock::audio("UklGRg==", "audio/wav"));
    }
    if at_least(version, "2025-06-18") {
        c.push(ContentBlock::ResourceLink(ResourceLink {
            description: Some("the main file".into()),
            mime_type: Some("text/x-rust".into()),
            size: Some(12),
            ..ResourceLink::new("file:///main.rs", "main.rs")
        }));
    }
    c
}

#[test]
fn call_tool_result() {
    for v in HANDSHAKE.into_iter().chain([STATELESS]) {
        let mut r = CallToolResult::new(content_of(v));
        if at_least(v, "2025-06-18") {
            r.structured_content = Some(json!({"temperature": 22.5}));
        }
        if v == STATELESS {
            r.result_type = Some(ResultType::Complete);
        }
        assert_valid(v, "CallToolResult", &r);
        assert_invalid(v, "CallToolResult", &without(&r, "content"));

        let mut e = CallToolResult::error_text("boom");
        if v == STATELESS {
            e.result_type = Some(ResultType::Complete);
        }
        assert_valid(v, "CallToolResult", &e);
    }
    // resultType is required in 2026-07-28, and structured content may be any value there.
    assert_invalid(
        STATELESS,
        "CallToolResult",
        &serde_json::to_value(CallToolResult::text("x")).unwrap(),
    );
    let mut s = CallToolResult::structured(json!([1, 2, 3]));
    s.result_type = Some(ResultType::Complete);
    assert_valid(STATELESS, "CallToolResult", &s);
    assert_valid(
        "2025-06-18",
        "CallToolResult",
        &CallToolResult::structured(json!({"a": 1})),
    );
}

#[test]
fn read_resource_result() {
    let contents = vec![
        ResourceContents::text("file:///a.txt", "text/plain", "hello"),
        ResourceContents::blob("file:///a.png", "image/png", "iVBORw0KGgo="),
    ];
    for v in HANDSHAKE {
        let r = ReadResourceResult {
            contents: contents.clone(),
            ..Default::default()
        };
        assert_valid(v, "ReadResourceResult", &r);
        assert_invalid(v, "ReadResourceResult", &without(&r, "contents"));
    }
    let r = ReadResourceResult {
        result_type: Some(ResultType::Complete),
        contents,
        ttl_ms: Some(60_000),
        cache_scope: Some(CacheScope::Private),
        meta: None,
    };
    assert_valid(STATELESS, "ReadResourceResult", &r);
    for m in ["resultType", "ttlMs", "cacheScope"] {
        assert_invalid(STATELESS, "ReadResourceResult", &without(&r, m));
    }

    let list = ListResourcesResult {
        result_type: Some(ResultType::Complete),
        resources: vec![Resource {
            title: Some("README".into()),
            mime_type: Some("text/markdown".into()),
            size: Some(10),
            icons: Some(vec![icon()]),
            ..Resource::new("file:///README.md", "README.md")
        }],
        ttl_ms: Some(1),
        cache_scope: Some(CacheScope::Public),
        ..Default::default()
    };
    assert_valid(STATELESS, "ListResourcesResult", &list);
    let templates = ListResourceTemplatesResult {
        result_type: Some(ResultType::Complete),
        resource_templates: vec![ResourceTemplate::new("file:///{path}", "files")],
        ttl_ms: Some(1),
        cache_scope: Some(CacheScope::Public),
        ..Default::default()
    };
    assert_valid(STATELESS, "ListResourceTemplatesResult", &templates);
}

#[test]
fn prompt_results() {
    for v in HANDSHAKE.into_iter().chain([STATELESS]) {
        let mut r = GetPromptResult::new(vec![
            PromptMessage::user_text("Review this"),
            PromptMessage::new(
                Role::Assistant,
                ContentBlock::image("iVBORw0KGgo=", "image/png"),
            ),
        ]);
        r.description = Some("Code review".into());
        let mut list = ListPromptsResult {
            prompts: vec![Prompt {
                description: Some("Review code".into()),
                arguments: Some(vec![PromptArgument {
                    name: "code".into(),
                    required: Some(true),
                    ..Default::default()
                }]),
                ..Prompt::new("code_review")
            }],
            ..Default::default()
        };
        if v == STATELESS {
            r.result_type = Some(ResultType::Complete);
            list.result_type = Some(ResultType::Complete);
            list.ttl_ms = Some(0);
            list.cache_scope = Some(CacheScope::Private);
        }
        assert_valid(v, "GetPromptResult", &r);
        assert_invalid(v, "GetPromptResult", &without(&r, "messages"));
        assert_valid(v, "ListPromptsResult", &list);
    }
}

#[test]
fn complete_result() {
    for v in ["2025-03-26", "2025-06-18", "2025-11-25", STATELESS] {
        let mut r = CompleteResult::new(vec!["python".into(), "pytorch".into()]);
        r.completion.total = Some(10);
        r.completion.has_more = Some(true);
        if v == STATELESS {
            r.result_type = Some(ResultType::Complete);
        }
        assert_valid(v, "CompleteResult", &r);
        assert_invalid(v, "CompleteResult", &without(&r, "completion"));
    }
    assert_valid(
        "2024-11-05",
        "CompleteResult",
        &CompleteResult::new(vec!["a".into()]),
    );
}

#[test]
fn input_required_result() {
    let schema = RequestedSchema {
        properties: BTreeMap::from([
            (
                "name".to_owned(),
                PrimitiveSchemaDefinition::String(StringSchema {
                    title: Some("Name".into()),
                    ..Default::default()
                }),
            ),
            (
                "age".to_owned(),
                PrimitiveSchemaDefinition::Number(NumberSchema {
                    kind: NumberType::Integer,
                    minimum: Some(0.0),
                    ..Default::default()
                }),
            ),
            (
                "ok".to_owned(),
                PrimitiveSchemaDefinition::Boolean(BooleanSchema::default()),
            ),
        ]),
        required: Some(vec!["name".into()]),
        ..Default::default()
    };
    let requests = InputRequests::from([
        (
            "login".to_owned(),
            InputRequest::Elicitation(ElicitRequestParams::form("Who are you?", schema.to_value())),
        ),
        (
            "key".to_owned(),
            InputRequest::Elicitation(ElicitRequestParams::url(
                "Set your key",
                "https://example.com/key",
            )),
        ),
        (
            "capital".to_owned(),
            InputRequest::Sampling(CreateMessageRequestParams {
                messages: vec![SamplingMessage::user_text("Capital of France?")],
                max_tokens: 100,
                ..Default::default()
            }),
        ),
        ("roots".to_owned(), InputRequest::ListRoots(None)),
    ]);
    let r = InputRequiredResult::new(requests).with_request_state("opaque");
    assert_valid(STATELESS, "InputRequiredResult", &r);
    assert_invalid(STATELESS, "InputRequiredResult", &without(&r, "resultType"));
    assert_valid(
        STATELESS,
        "InputRequiredResult",
        &InputRequiredResult::default().with_request_state("s"),
    );

    let responses = InputResponses::from([
        (
            "login".to_owned(),
            InputResponse::Elicitation(ElicitResult::accept(Some(
                json!({"name": "octocat"}).as_object().unwrap().clone(),
            ))),
        ),
        (
            "capital".to_owned(),
            InputResponse::Sampling(CreateMessageResult {
                role: Role::Assistant,
                content: SamplingMessageContentBlock::text("Paris").into(),
                model: "m".into(),
                stop_reason: Some("endTurn".into()),
                meta: None,
            }),
        ),
        (
            "roots".to_owned(),
            InputResponse::ListRoots(ListRootsResult {
                roots: vec![Root {
                    uri: "file:///home".into(),
                    name: Some("home".into()),
                    meta: None,
                }],
                meta: None,
            }),
        ),
    ]);
    assert_valid(STATELESS, "InputResponses", &responses);
}

#[test]
fn params_and_notifications() {
    let mut meta = RequestMeta {
        protocol_version: Some(STATELESS.into()),
        client_capabilities: Some(ClientCapabilities::default()),
        client_info: Some(Implementation::new("c", "1")),
        log_level: Some(LoggingLevel::Info),
        progress_token: Some(ProgressToken::from("t")),
        ..Default::default()
    }
    .to_meta();
    let p = CallToolRequestParams {
        meta: Some(meta.clone()),
        ..CallToolRequestParams::new("add", &json!({"a": 1}))
    };
    assert_valid(STATELESS, "CallToolRequestParams", &p);
    meta.remove(META_PROTOCOL_VERSION);
    let missing = CallToolRequestParams {
        meta: Some(meta),
        ..p.clone()
    };
    assert_invalid(
        STATELESS,
        "CallToolRequestParams",
        &serde_json::to_value(&missing).unwrap(),
    );

    let progress = ProgressNotificationParams {
        message: Some("half".into()),
        ..ProgressNotificationParams::new(ProgressToken::from(7), 50.0, Some(100.0))
    };
    let log = LoggingMessageNotificationParams {
        logger: Some("db".into()),
        ..LoggingMessageNotificationParams::new(LoggingLevel::Error, json!({"e": 1}))
    };
    let note = |method: &str, params: &dyn erased::Ser| json!({"jsonrpc": "2.0", "method": method, "params": params.value()});
    for v in ["2025-03-26", "2025-06-18", "2025-11-25", STATELESS] {
        let n = note("notifications/progress", &progress);
        assert_valid(v, "ProgressNotification", &n);
        let mut bad = n.clone();
        bad["params"]
            .as_object_mut()
            .unwrap()
            .remove("progressToken");
        assert_invalid(v, "ProgressNotification", &bad);
        assert_valid(
            v,
            "LoggingMessageNotification",
            &note("notifications/message", &log),
        );
        assert_valid(
            v,
            "CancelledNotification",
            &note(
                "notifications/cancelled",
                &CancelledNotificationParams {
                    request_id: Some(RequestId::from(3)),
                    reason: Some("bored".into()),
                    meta: None,
                },
            ),
        );
    }
    let ack = SubscriptionsAcknowledgedNotificationParams {
        meta: None,
        notifications: SubscriptionFilter {
            tools_list_changed: Some(true),
            resource_subscriptions: Some(vec!["file:///a".into()]),
            ..Default::default()
        },
    };
    assert_valid(
        STATELESS,
        "SubscriptionsAcknowledgedNotificationParams",
        &ack,
    );
    assert_valid(
        STATELESS,
        "SubscriptionsListenResult",
        &SubscriptionsListenResult::closed(&RequestId::from("listen-1")),
    );
}

#[test]
fn tasks_of_2025_11_25() {
    let task = Task {
        task_id: "t1".into(),
        status: TaskStatus::Working,
        status_message: Some("busy".into()),
        created_at: "2025-11-25T00:00:00Z".into(),
        last_updated_at: "2025-11-25T00:00:01Z".into(),
        ttl: None,
        poll_interval: Some(1000),
    };
    assert_valid("2025-11-25", "Task", &task);
    assert_invalid("2025-11-25", "Task", &without(&task, "ttl"));
    assert_valid(
        "2025-11-25",
        "CreateTaskResult",
        &CreateTaskResult {
            task: task.clone(),
            meta: None,
        },
    );
    assert_valid(
        "2025-11-25",
        "GetTaskResult",
        &GetTaskResult {
            task: Task {
                ttl: Some(60_000),
                ..task.clone()
            },
            meta: None,
        },
    );
    assert_valid(
        "2025-11-25",
        "ListTasksResult",
        &ListTasksResult {
            tasks: vec![task.clone()],
            ..Default::default()
        },
    );
    assert_valid(
        "2025-11-25",
        "TaskStatusNotificationParams",
        &TaskStatusNotificationParams { task, meta: None },
    );
}

/// Object-safe serialization to a JSON value.
mod erased {
    pub trait Ser {
        fn value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }
}

#[test]
fn server_to_client_requests_of_the_handshake_era() {
    let tool_use = SamplingMessage {
        role: Role::Assistant,
        content: SamplingContent::Multiple(vec![SamplingMessageContentBlock::ToolUse(
            ToolUseContent {
                id: "call_1".into(),
                name: "get_weather".into(),
                input: json!({"city": "Paris"}).as_object().unwrap().clone(),
                ..Default::default()
            },
        )]),
        meta: None,
    };
    let tool_result = SamplingMessage {
        role: Role::User,
        content: SamplingContent::Multiple(vec![SamplingMessageContentBlock::ToolResult(
            ToolResultContent {
                tool_use_id: "call_1".into(),
                content: vec![ContentBlock::text("18C")],
                ..Default::default()
            },
        )]),
        meta: None,
    };
    let params = CreateMessageRequestParams {
        messages: vec![
            SamplingMessage::user_text("Weather?"),
            tool_use,
            tool_result,
        ],
        model_preferences: Some(ModelPreferences {
            hints: Some(vec![ModelHint {
                name: Some("claude".into()),
            }]),
            intelligence_priority: Some(0.8),
            ..Default::default()
        }),
        system_prompt: Some("Be brief.".into()),
        include_context: Some(IncludeContext::None),
        temperature: Some(0.2),
        max_tokens: 100,
        tools: Some(vec![rich_tool("2025-11-25")]),
        tool_choice: Some(ToolChoice {
            mode: Some(ToolChoiceMode::Auto),
        }),
        ..Default::default()
    };
    let req = |method: &str, params: &dyn erased::Ser| json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params.value()});
    assert_valid(
        "2025-11-25",
        "CreateMessageRequest",
        &req("sampling/createMessage", &params),
    );
    assert_valid(
        STATELESS,
        "CreateMessageRequestParams",
        &CreateMessageRequestParams {
            meta: None,
            ..params
        },
    );

    let form = ElicitRequestParams::form(
        "Name?",
        json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
    );
    for v in ["2025-06-18", "2025-11-25"] {
        assert_valid(v, "ElicitRequest", &req("elicitation/create", &form));
    }
    let url = ElicitRequestParams::Url(ElicitRequestUrlParams {
        elicitation_id: Some("e1".into()),
        ..ElicitRequestUrlParams {
            message: "Log in".into(),
            url: "https://example.com/login".into(),
            ..Default::default()
        }
    });
    assert_valid(
        "2025-11-25",
        "ElicitRequest",
        &req("elicitation/create", &url),
    );
    assert_valid(
        "2025-11-25",
        "ElicitationCompleteNotification",
        &json!({"jsonrpc": "2.0", "method": "notifications/elicitation/complete",
        "params": ElicitationCompleteNotificationParams {
            meta: None,
            elicitation_id: "e1".into(),
        }}),
    );
    for v in ["2025-06-18", "2025-11-25"] {
        assert_valid(v, "ElicitResult", &ElicitResult::decline());
        assert_invalid(v, "ElicitResult", &json!({"content": {}}));
    }
}

/// Every method of every version's schema (the `const` of a `method` property) is one the
/// envelope reads without a copy of its name.
#[test]
fn every_method_of_the_schemas_is_read_without_a_copy() {
    fn methods_in(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(c) = m.get("method").and_then(|p| p.get("const")) {
                    out.push(c.as_str().unwrap().to_owned());
                }
                m.values().for_each(|x| methods_in(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| methods_in(x, out)),
            _ => {}
        }
    }
    let mut names = Vec::new();
    for version in HANDSHAKE.iter().chain([&STATELESS]) {
        methods_in(&schema(version), &mut names);
    }
    names.sort();
    names.dedup();
    assert!(names.len() > 30, "{names:?}");
    for name in names {
        assert!(jsonrpc::METHODS.contains(&name.as_str()), "{name}");
        let line = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{name}"}}"#);
        match Message::parse(line.as_bytes()).unwrap() {
            Message::Request(r) => {
                assert!(matches!(r.method, std::borrow::Cow::Borrowed(_)), "{name}");
                assert_eq!(r.method, name);
            }
            other => panic!("{other:?}"),
        }
    }
}
