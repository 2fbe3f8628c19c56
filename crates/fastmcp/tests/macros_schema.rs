//! What `#[tool]`, `#[resource]`, `#[prompt]` and `#[tools]` generate: definitions,
//! schemas, argument parsing and calls.

use std::sync::atomic::{AtomicI64, Ordering};

use fastmcp::core::{
    AnyResource, ErrorKind, IntoComponents, IntoPrompt, IntoResource, IntoTool,
    ResourceTemplateHandler, TemplateVars, ToolArguments, ToolHandler,
};
use fastmcp::prelude::*;
use fastmcp::protocol::{CallToolResult, Icon, ResourceContents, Role, ToolAnnotations};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

#[derive(Debug, Deserialize, JsonSchema)]
enum Unit {
    Celsius,
    Fahrenheit,
}

/// A point on Earth.
#[derive(Debug, Deserialize, JsonSchema)]
struct Location {
    /// Latitude in degrees.
    lat: f64,
    lon: f64,
}

#[derive(Serialize, JsonSchema)]
struct Forecast {
    temperature: f64,
    summary: String,
}

/// Forecast the weather.
///
/// For one city.
#[tool]
#[allow(clippy::too_many_arguments)]
async fn weather(
    /// The city.
    city: String,
    #[arg(description = "How many days")] days: i64,
    threshold: f64,
    metric: bool,
    note: Option<String>,
    tags: Vec<String>,
    unit: Unit,
    location: Location,
) -> Json<Forecast> {
    Json(Forecast {
        temperature: if metric {
            threshold
        } else {
            threshold * 1.8 + 32.0
        },
        summary: format!(
            "{city} {days} {note:?} {tags:?} {unit:?} {} {}",
            location.lat, location.lon
        ),
    })
}

/// Add two numbers.
#[tool(
    name = "add",
    title = "Add",
    tags("math", "arithmetic"),
    annotations(read_only = true, destructive = false, idempotent = true, open_world = false),
    meta = {"k": 1},
    version = "1.0",
    timeout_ms = 500,
    icons("https://example.com/icon.png")
)]
async fn add(
    #[arg(description = "first", default = 0)] a: i64,
    b: Option<i64>,
    ctx: &Context,
) -> i64 {
    ctx.checkpoint().unwrap();
    a + b.unwrap_or(0)
}

#[tool]
fn shout(text: String, ctx: Context) -> String {
    let _ = ctx;
    text.to_uppercase()
}

/// Divide.
#[tool(meta(owner = "calc", level = 2), annotations(title = "Division"))]
fn divide(
    #[arg(rename = "numerator", title = "Numerator")] n: f64,
    #[arg(rename = "denominator")] d: f64,
) -> Result<f64, String> {
    if d == 0.0 {
        return Err("division by zero".into());
    }
    Ok(n / d)
}

/// Raw identifiers and renamed arguments.
#[tool(name = "kinds")]
fn r#kinds(r#type: String, #[arg(rename = "max-count")] max_count: u8) -> String {
    format!("{type}:{max_count}", type = r#type)
}

fn tool(t: impl IntoTool) -> std::sync::Arc<dyn ToolHandler> {
    t.into_tool()
}

async fn call(t: impl IntoTool, args: Value) -> Result<CallToolResult, Error> {
    tool(t)
        .call(Context::for_testing(), ToolArguments::from_value(args))
        .await
}

#[test]
fn input_schema_of_common_types() {
    let t = tool(weather);
    assert_eq!(
        t.tool().input_schema,
        json!({
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city."},
                "days": {"type": "integer", "format": "int64", "description": "How many days"},
                "threshold": {"type": "number", "format": "double"},
                "metric": {"type": "boolean"},
                "note": {"type": ["string", "null"]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "unit": {"type": "string", "enum": ["Celsius", "Fahrenheit"]},
                "location": {
                    "type": "object",
                    "description": "A point on Earth.",
                    "properties": {
                        "lat": {"type": "number", "format": "double", "description": "Latitude in degrees."},
                        "lon": {"type": "number", "format": "double"}
                    },
                    "required": ["lat", "lon"]
                }
            },
            "required": ["city", "days", "threshold", "metric", "tags", "unit", "location"]
        })
    );
    assert_eq!(
        t.tool().description.as_deref(),
        Some("Forecast the weather.\n\nFor one city.")
    );
    assert_eq!(t.tool().name, "weather");
    assert_eq!(t.tool().title, None);
    assert_eq!(t.tool().annotations, None);
    assert_eq!(t.tool().meta, None);
}

#[test]
fn output_schemas() {
    assert_eq!(
        tool(weather).tool().output_schema,
        Some(json!({
            "type": "object",
            "properties": {
                "temperature": {"type": "number", "format": "double"},
                "summary": {"type": "string"}
            },
            "required": ["temperature", "summary"]
        }))
    );
    assert_eq!(
        tool(add).tool().output_schema,
        Some(json!({
            "type": "object",
            "properties": {"result": {"type": "integer", "format": "int64"}},
            "required": ["result"],
            "x-fastmcp-wrap-result": true
        }))
    );
    // `Result<f64, _>` delegates to `f64`.
    assert_eq!(
        tool(divide).tool().output_schema.clone().unwrap()["properties"]["result"],
        json!({"type": "number", "format": "double"})
    );
    // Text has no output schema.
    assert_eq!(tool(shout).tool().output_schema, None);
}

#[test]
fn definition_from_attributes() {
    let t = tool(add);
    let def = t.tool();
    assert_eq!(def.name, "add");
    assert_eq!(def.title.as_deref(), Some("Add"));
    assert_eq!(def.description.as_deref(), Some("Add two numbers."));
    assert_eq!(
        def.input_schema,
        json!({
            "type": "object",
            "properties": {
                "a": {"type": "integer", "format": "int64", "description": "first", "default": 0},
                "b": {"type": ["integer", "null"], "format": "int64"}
            }
        })
    );
    assert_eq!(
        def.annotations,
        Some(ToolAnnotations {
            read_only_hint: Some(true),
            destructive_hint: Some(false),
            idempotent_hint: Some(true),
            open_world_hint: Some(false),
            ..Default::default()
        })
    );
    assert_eq!(
        Value::Object(def.meta.clone().unwrap()),
        json!({"k": 1, "fastmcp/tags": ["arithmetic", "math"], "fastmcp/version": "1.0"})
    );
    assert_eq!(
        def.icons,
        Some(vec![Icon::new("https://example.com/icon.png")])
    );
    assert_eq!(t.timeout(), Some(std::time::Duration::from_millis(500)));

    let d = tool(divide);
    let def = d.tool();
    assert_eq!(def.description.as_deref(), Some("Divide."));
    assert_eq!(
        def.annotations.as_ref().unwrap().title.as_deref(),
        Some("Division")
    );
    assert_eq!(
        Value::Object(def.meta.clone().unwrap()),
        json!({"owner": "calc", "level": 2})
    );
    assert_eq!(
        def.input_schema["properties"]["numerator"],
        json!({"type": "number", "format": "double", "title": "Numerator"})
    );
    assert_eq!(
        def.input_schema["required"],
        json!(["numerator", "denominator"])
    );
    assert_eq!(tool(shout).tool().description, None);
    assert_eq!(tool(shout).timeout(), None);
}

#[tokio::test]
async fn calling_tools() {
    let r = call(add, json!({"a": 1, "b": 2})).await.unwrap();
    assert_eq!(r.structured_content, Some(json!({"result": 3})));
    assert_eq!(r.content[0].as_text(), Some("3"));

    // The default and the optional argument.
    let r = call(add, json!({})).await.unwrap();
    assert_eq!(r.structured_content, Some(json!({"result": 0})));
    let r = call(add, json!({"b": null, "a": 5})).await.unwrap();
    assert_eq!(r.structured_content, Some(json!({"result": 5})));

    let r = call(shout, json!({"text": "hi"})).await.unwrap();
    assert_eq!(r.content[0].as_text(), Some("HI"));

    let r = call(divide, json!({"numerator": 1.0, "denominator": 4.0}))
        .await
        .unwrap();
    assert_eq!(r.structured_content, Some(json!({"result": 0.25})));
    let e = call(divide, json!({"numerator": 1.0, "denominator": 0.0}))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tool);

    let r = call(
        weather,
        json!({
            "city": "Oslo", "days": 2, "threshold": 10.0, "metric": true, "tags": [],
            "unit": "Celsius", "location": {"lat": 1.5, "lon": 2.5}
        }),
    )
    .await
    .unwrap();
    assert_eq!(
        r.structured_content,
        Some(json!({"temperature": 10.0, "summary": "Oslo 2 None [] Celsius 1.5 2.5"}))
    );
}

#[tokio::test]
async fn raw_identifiers_and_renames() {
    let t = tool(kinds);
    assert_eq!(
        t.tool().input_schema,
        json!({
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "max-count": {"type": "integer", "format": "uint8", "minimum": 0, "maximum": 255}
            },
            "required": ["type", "max-count"]
        })
    );
    let r = call(kinds, json!({"type": "a", "max-count": 3}))
        .await
        .unwrap();
    assert_eq!(r.content[0].as_text(), Some("a:3"));
    let e = call(kinds, json!({"type": "a", "max-count": 300}))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidParams);
}

#[tokio::test]
async fn invalid_arguments_are_invalid_params() {
    for args in [json!({"a": "one"}), json!({"a": 1.5}), json!("x")] {
        let e = call(add, args.clone()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidParams, "{args}");
    }
    let e = call(shout, json!({})).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidParams);
    assert!(e.message().contains("text"), "{}", e.message());
    let e = call(weather, json!({"city": "Oslo", "unit": "Kelvin"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidParams);
}

/// Deserializable but not `Serialize`: its default cannot be shown in the schema.
#[derive(Deserialize, JsonSchema, Debug)]
enum Level {
    Low,
    High,
}

#[tool]
fn leveled(
    #[arg(default = Level::Low)] level: Level,
    #[arg(default = vec![2])] n: Vec<u8>,
) -> String {
    format!("{level:?}{n:?}")
}

#[tokio::test]
async fn defaults_of_types_that_are_not_serialize() {
    let t = tool(leveled);
    let props = &t.tool().input_schema["properties"];
    assert_eq!(props["level"].get("default"), None, "{props}");
    assert_eq!(props["n"]["default"], json!([2]));
    assert_eq!(t.tool().input_schema.get("required"), None);
    let r = call(leveled, json!({})).await.unwrap();
    assert_eq!(r.content[0].as_text(), Some("Low[2]"));
    let r = call(leveled, json!({"level": "High", "n": [1]}))
        .await
        .unwrap();
    assert_eq!(r.content[0].as_text(), Some("High[1]"));
}

#[tokio::test]
async fn the_function_stays_callable() {
    let ctx = Context::for_testing();
    assert_eq!(add::run(1, None, &ctx).await, 1);
    assert_eq!(add::run(1, Some(2), &ctx).await, 3);
    assert_eq!(shout::run("a".into(), ctx.clone()), "A");
    assert_eq!(divide::run(6.0, 3.0), Ok(2.0));
    // The constant is a value.
    let copy = add;
    let _ = (copy, add, format!("{add:?}"));
}

// ---- resources ----

/// The app's configuration.
#[resource("config://app", mime_type = "application/json", title = "Config")]
fn config() -> Json<Value> {
    Json(json!({"debug": false}))
}

fn user_ids(prefix: &str) -> Vec<String> {
    (1..=150)
        .map(|i| i.to_string())
        .filter(|i| i.starts_with(prefix))
        .collect()
}

/// A user's post.
#[resource(
    "users://{id}/posts/{post}{?lang,verbose}",
    name = "user_post",
    tags("users"),
    annotations(audience = ["user", "assistant"], priority = 0.5),
    complete(id = user_ids)
)]
async fn post(
    id: u64,
    #[arg(rename = "post")] slug: String,
    lang: Option<String>,
    #[arg(rename = "verbose")] loud: Option<bool>,
    ctx: &Context,
) -> Result<String, Error> {
    ctx.checkpoint()?;
    Ok(format!("{id}/{slug}/{lang:?}/{loud:?}"))
}

fn template(r: impl IntoResource) -> std::sync::Arc<dyn ResourceTemplateHandler> {
    match r.into_resource() {
        AnyResource::Template(t) => t,
        AnyResource::Static(_) => panic!("expected a template"),
    }
}

fn text_of(c: &ResourceContents) -> &str {
    match c {
        ResourceContents::Text(t) => &t.text,
        ResourceContents::Blob(_) => panic!("expected text"),
    }
}

#[tokio::test]
async fn static_resource() {
    let AnyResource::Static(r) = config.into_resource() else {
        panic!("expected a static resource");
    };
    let def = r.resource();
    assert_eq!(def.uri, "config://app");
    assert_eq!(def.name, "config");
    assert_eq!(def.title.as_deref(), Some("Config"));
    assert_eq!(def.description.as_deref(), Some("The app's configuration."));
    assert_eq!(def.mime_type.as_deref(), Some("application/json"));
    let read = r
        .clone()
        .read(Context::for_testing(), "config://app".into())
        .await
        .unwrap();
    assert_eq!(text_of(&read.contents[0]), r#"{"debug":false}"#);
}

#[tokio::test]
async fn template_variables_are_parsed() {
    let t = template(post);
    let def = t.template();
    assert_eq!(def.uri_template, "users://{id}/posts/{post}{?lang,verbose}");
    assert_eq!(def.name, "user_post");
    assert_eq!(def.description.as_deref(), Some("A user's post."));
    let ann = def.annotations.as_ref().unwrap();
    assert_eq!(ann.audience, Some(vec![Role::User, Role::Assistant]));
    assert_eq!(ann.priority, Some(0.5));
    assert_eq!(
        Value::Object(def.meta.clone().unwrap()),
        json!({"fastmcp/tags": ["users"]})
    );

    let vars = |pairs: &[(&str, &str)]| -> TemplateVars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let read = t
        .clone()
        .read(
            Context::for_testing(),
            "users://7/posts/hello?lang=en&verbose=true".into(),
            vars(&[
                ("id", "7"),
                ("post", "hello"),
                ("lang", "en"),
                ("verbose", "true"),
            ]),
        )
        .await
        .unwrap();
    assert_eq!(
        text_of(&read.contents[0]),
        r#"7/hello/Some("en")/Some(true)"#
    );

    // Absent query variables are `None`.
    let read = t
        .clone()
        .read(
            Context::for_testing(),
            "users://7/posts/hello".into(),
            vars(&[("id", "7"), ("post", "hello")]),
        )
        .await
        .unwrap();
    assert_eq!(text_of(&read.contents[0]), "7/hello/None/None");

    // A value that does not parse is an invalid-params error.
    let e = t
        .clone()
        .read(
            Context::for_testing(),
            "users://x/posts/hello".into(),
            vars(&[("id", "x"), ("post", "hello")]),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidParams);
}

#[tokio::test]
async fn template_completion() {
    let t = template(post);
    let r = t
        .clone()
        .complete(Context::for_testing(), "id".into(), "1".into(), Map::new())
        .await
        .unwrap();
    let v = serde_json::to_value(&r).unwrap();
    // 1, 10..=19, 100..=150: 1 + 10 + 51 = 62 candidates.
    assert_eq!(v["completion"]["total"], 62);
    assert_eq!(v["completion"]["hasMore"], false);
    assert_eq!(v["completion"]["values"][0], "1");

    let r = t
        .clone()
        .complete(Context::for_testing(), "id".into(), "".into(), Map::new())
        .await
        .unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["completion"]["values"].as_array().unwrap().len(), 100);
    assert_eq!(v["completion"]["total"], 150);
    assert_eq!(v["completion"]["hasMore"], true);

    let r = t
        .complete(Context::for_testing(), "post".into(), "".into(), Map::new())
        .await
        .unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["completion"]["values"], json!([]));
}

// ---- prompts ----

fn languages(prefix: &str) -> Vec<&'static str> {
    ["rust", "ruby", "python"]
        .into_iter()
        .filter(|l| l.starts_with(prefix))
        .collect()
}

/// Ask for a review.
#[prompt(name = "review", title = "Review")]
fn review(
    #[arg(description = "The code")] code: String,
    #[arg(complete = languages)] language: Option<String>,
    #[arg(default = 3)] points: u32,
    strict: bool,
) -> String {
    format!("{code}|{language:?}|{points}|{strict}")
}

#[prompt]
async fn greet(name: String, ctx: &Context) -> Result<Vec<PromptMessage>, Error> {
    ctx.checkpoint()?;
    Ok(vec![
        PromptMessage::user_text(format!("Hello {name}")),
        PromptMessage::assistant_text("Hi"),
    ])
}

async fn get(p: impl IntoPrompt, args: Value) -> Result<Vec<PromptMessage>, Error> {
    let Value::Object(args) = args else {
        panic!("object expected")
    };
    Ok(p.into_prompt()
        .get(Context::for_testing(), args)
        .await?
        .messages)
}

#[tokio::test]
async fn prompts() {
    let p = review.into_prompt();
    let def = p.prompt();
    assert_eq!(def.name, "review");
    assert_eq!(def.title.as_deref(), Some("Review"));
    assert_eq!(def.description.as_deref(), Some("Ask for a review."));
    assert_eq!(
        serde_json::to_value(def.arguments.as_ref().unwrap()).unwrap(),
        json!([
            {"name": "code", "description": "The code", "required": true},
            {"name": "language", "required": false},
            {"name": "points", "required": false},
            {"name": "strict", "required": true}
        ])
    );

    // Typed arguments are parsed from strings.
    let m = get(
        review,
        json!({"code": "x", "points": "5", "strict": "true"}),
    )
    .await
    .unwrap();
    assert_eq!(m[0].content.as_text(), Some("x|None|5|true"));
    let m = get(
        review,
        json!({"code": "x", "language": "rust", "strict": false}),
    )
    .await
    .unwrap();
    assert_eq!(m[0].content.as_text(), Some(r#"x|Some("rust")|3|false"#));

    let e = get(review, json!({"strict": "true"})).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidParams);
    assert_eq!(e.message(), "Missing required argument `code`");
    let e = get(review, json!({"code": "x", "strict": "maybe"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidParams);

    let m = get(greet, json!({"name": "Ada"})).await.unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].content.as_text(), Some("Hello Ada"));
    assert_eq!(m[1].role, Role::Assistant);
    assert_eq!(greet.into_prompt().prompt().description, None);
}

#[tokio::test]
async fn prompt_completion() {
    let r = review
        .into_prompt()
        .complete(
            Context::for_testing(),
            "language".into(),
            "ru".into(),
            Map::new(),
        )
        .await
        .unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(
        v["completion"],
        json!({"values": ["rust", "ruby"], "total": 2, "hasMore": false})
    );
}

// ---- impl blocks ----

#[derive(Default)]
struct Counter {
    n: AtomicI64,
}

#[tools]
impl Counter {
    /// Add to the counter.
    #[tool]
    fn increment(&self, #[arg(default = 1)] by: i64) -> i64 {
        self.n.fetch_add(by, Ordering::SeqCst) + by
    }

    /// Read the counter.
    #[tool(name = "counter.get", annotations(read_only))]
    async fn get(&self, ctx: &Context) -> Json<Self> {
        ctx.checkpoint().unwrap();
        Json(Counter {
            n: AtomicI64::new(self.n.load(Ordering::SeqCst)),
        })
    }

    /// The counter as a resource.
    #[resource("counter://value")]
    fn value(&self) -> String {
        self.n.load(Ordering::SeqCst).to_string()
    }

    /// The counter plus something.
    #[resource("counter://plus/{x}")]
    fn plus(&self, x: i64) -> String {
        (self.n.load(Ordering::SeqCst) + x).to_string()
    }

    #[prompt]
    fn describe(&self, prefix: String) -> String {
        format!("{prefix}{}", self.n.load(Ordering::SeqCst))
    }

    /// No receiver.
    #[tool]
    fn version() -> &'static str {
        "1"
    }

    /// Not a component.
    fn reset(&self) {
        self.n.store(0, Ordering::SeqCst);
    }
}

impl Serialize for Counter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        json!({"n": self.n.load(Ordering::SeqCst)}).serialize(s)
    }
}

impl JsonSchema for Counter {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Counter".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "object", "properties": {"n": {"type": "integer"}}})
    }
}

#[tokio::test]
async fn impl_block_shares_state() {
    let c = Counter::default();
    c.reset();
    assert_eq!(c.increment(2), 2);
    let components = c.into_components();
    assert_eq!(components.tools.len(), 3);
    assert_eq!(components.resources.len(), 2);
    assert_eq!(components.prompts.len(), 1);
    let names: Vec<&str> = components
        .tools
        .iter()
        .map(|t| t.tool().name.as_str())
        .collect();
    assert_eq!(names, ["increment", "counter.get", "version"]);

    let inc = components.tools[0].clone();
    let get = components.tools[1].clone();
    assert_eq!(
        inc.tool().description.as_deref(),
        Some("Add to the counter.")
    );
    assert_eq!(
        inc.tool().input_schema["properties"]["by"],
        json!({"type": "integer", "format": "int64", "default": 1})
    );
    assert_eq!(
        get.tool().annotations.as_ref().unwrap().read_only_hint,
        Some(true)
    );

    let r = inc
        .clone()
        .call(Context::for_testing(), ToolArguments::from_value(json!({})))
        .await
        .unwrap();
    assert_eq!(r.structured_content, Some(json!({"result": 3})));
    let r = inc
        .clone()
        .call(
            Context::for_testing(),
            ToolArguments::from_value(json!({"by": 10})),
        )
        .await
        .unwrap();
    assert_eq!(r.structured_content, Some(json!({"result": 13})));
    let r = get
        .call(Context::for_testing(), ToolArguments::default())
        .await
        .unwrap();
    assert_eq!(r.structured_content, Some(json!({"n": 13})));

    let AnyResource::Static(value) = &components.resources[0] else {
        panic!("expected a static resource")
    };
    let read = value
        .clone()
        .read(Context::for_testing(), "counter://value".into())
        .await
        .unwrap();
    assert_eq!(text_of(&read.contents[0]), "13");
    let AnyResource::Template(plus) = &components.resources[1] else {
        panic!("expected a template")
    };
    let read = plus
        .clone()
        .read(
            Context::for_testing(),
            "counter://plus/2".into(),
            [("x".to_string(), "2".to_string())].into_iter().collect(),
        )
        .await
        .unwrap();
    assert_eq!(text_of(&read.contents[0]), "15");

    let m = components.prompts[0]
        .clone()
        .get(
            Context::for_testing(),
            json!({"prefix": "n="}).as_object().unwrap().clone(),
        )
        .await
        .unwrap();
    assert_eq!(m.messages[0].content.as_text(), Some("n=13"));

    let r = components.tools[2]
        .clone()
        .call(Context::for_testing(), ToolArguments::default())
        .await
        .unwrap();
    assert_eq!(r.content[0].as_text(), Some("1"));
}

const TIMEOUT_MS: u64 = 1_000;

#[tokio::test]
async fn local_items_and_opaque_returns() {
    /// Defined in a function body.
    #[tool(timeout_ms = TIMEOUT_MS)]
    fn local(x: u8) -> String {
        format!("{x}")
    }

    #[resource("mem://{key}")]
    fn opaque(key: String) -> impl fastmcp::core::IntoResourceResult + Send {
        key
    }

    let t = tool(local);
    assert_eq!(t.timeout(), Some(std::time::Duration::from_millis(1_000)));
    assert_eq!(
        t.tool().description.as_deref(),
        Some("Defined in a function body.")
    );
    let read = template(opaque)
        .read(
            Context::for_testing(),
            "mem://k".into(),
            [("key".to_string(), "k".to_string())].into_iter().collect(),
        )
        .await
        .unwrap();
    assert_eq!(text_of(&read.contents[0]), "k");
}

#[test]
fn components_register_on_a_server() {
    let _server = Server::new("t", "1.0.0")
        .tool(add)
        .tool(weather)
        .resource(config)
        .resource(post)
        .prompt(review)
        .components(Counter::default());
}

#[derive(Serialize, JsonSchema)]
#[serde(tag = "kind")]
enum Reading {
    Temperature { celsius: f64 },
}

/// An internally tagged enum: every value is an object.
#[tool]
async fn reading() -> Json<Reading> {
    Json(Reading::Temperature { celsius: 20.0 })
}

/// A list: not an object.
#[tool]
async fn readings() -> Json<Vec<f64>> {
    Json(vec![20.0])
}

#[test]
fn only_what_is_not_an_object_is_wrapped() {
    assert_eq!(
        tool(reading).tool().output_schema,
        Some(json!({
            "type": "object",
            "oneOf": [{
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "const": "Temperature"},
                    "celsius": {"type": "number", "format": "double"}
                },
                "required": ["kind", "celsius"]
            }]
        }))
    );
    assert_eq!(
        tool(readings).tool().output_schema,
        Some(json!({
            "type": "object",
            "properties": {
                "result": {"type": "array", "items": {"type": "number", "format": "double"}}
            },
            "required": ["result"],
            "x-fastmcp-wrap-result": true
        }))
    );
}
