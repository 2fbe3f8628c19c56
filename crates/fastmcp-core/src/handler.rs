//! The handler traits that the macros generate and that closures implement.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use fastmcp_protocol::{
    CallToolResult, CompleteResult, GetPromptResult, Prompt, ReadResourceResult, Resource,
    ResourceTemplate, TaskSupport, Tool,
};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::peer::BoxFuture;
use crate::{Context, Error, Require};

/// The arguments of a tool call, still raw: the handler parses them once into its own type.
#[derive(Clone, Default)]
pub struct ToolArguments {
    raw: Option<Raw>,
    lenient: Option<LenientSchema>,
    /// Says what is wrong with arguments that do not parse (every problem, against the
    /// tool's input schema), instead of the deserializer's first error.
    explain: Option<Arc<dyn ExplainArguments>>,
}

/// Where the arguments' text is: a value of its own, or a part of a request's params kept
/// as they came (no copy of what may be megabytes; made a value of its own only when
/// [`ToolArguments::raw`] asks).
#[derive(Clone)]
enum Raw {
    Whole(Box<RawValue>),
    Within {
        params: Box<RawValue>,
        range: Range<usize>,
        whole: OnceLock<Option<Box<RawValue>>>,
    },
}

impl Raw {
    fn text(&self) -> &str {
        match self {
            Raw::Whole(r) => r.get(),
            Raw::Within { params, range, .. } => &params.get()[range.clone()],
        }
    }

    fn value(&self) -> Option<&RawValue> {
        match self {
            Raw::Whole(r) => Some(r),
            Raw::Within { whole, .. } => whole
                .get_or_init(|| RawValue::from_string(self.text().to_owned()).ok())
                .as_deref(),
        }
    }
}

/// Explains why arguments do not fit a tool (see [`ToolArguments::explained_by`]).
pub trait ExplainArguments: Send + Sync {
    /// What is wrong with `arguments` (a JSON object's text), naming each field and what
    /// it should be; `None` when nothing is found (the deserializer's message is used).
    fn explain(&self, arguments: &str) -> Option<String>;
}

impl std::fmt::Debug for ToolArguments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolArguments")
            .field("raw", &self.raw.as_ref().map(Raw::text))
            .field("lenient", &self.lenient.as_ref().map(LenientSchema::get))
            .finish()
    }
}

/// The input schema that lenient parsing follows: given, or a tool's own (not copied).
#[derive(Clone)]
enum LenientSchema {
    Owned(Value),
    Tool(Arc<dyn ToolHandler>),
}

impl LenientSchema {
    fn get(&self) -> &Value {
        match self {
            LenientSchema::Owned(v) => v,
            LenientSchema::Tool(t) => &t.tool().input_schema,
        }
    }
}

impl ToolArguments {
    /// Wrap raw arguments.
    pub fn new(raw: Option<Box<RawValue>>) -> Self {
        ToolArguments {
            raw: raw.map(Raw::Whole),
            lenient: None,
            explain: None,
        }
    }

    /// The arguments at `range` of `params` (found with [`ToolArguments::range_in`]): kept
    /// where they are, with no copy of their text. `None` when `range` is not a part of
    /// `params`' text. What the range holds is parsed when the handler asks; if it is not
    /// one JSON value, [`ToolArguments::parse`] fails and [`ToolArguments::raw`] is `None`.
    ///
    /// ```
    /// use fastmcp_core::ToolArguments;
    /// use serde_json::value::RawValue;
    ///
    /// let params = RawValue::from_string(r#"{"name":"echo","arguments":{"m":"hi"}}"#.into())?;
    /// #[derive(serde::Deserialize)]
    /// struct Call<'a> {
    ///     #[serde(borrow)]
    ///     arguments: &'a RawValue,
    /// }
    /// let call: Call = serde_json::from_str(params.get())?;
    /// let range = ToolArguments::range_in(&params, call.arguments);
    /// let args = ToolArguments::within(params, range.unwrap()).unwrap();
    /// assert_eq!(args.raw().unwrap().get(), r#"{"m":"hi"}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn within(params: Box<RawValue>, range: Range<usize>) -> Option<Self> {
        params.get().get(range.clone())?;
        Some(ToolArguments {
            raw: Some(Raw::Within {
                params,
                range,
                whole: OnceLock::new(),
            }),
            lenient: None,
            explain: None,
        })
    }

    /// Where `part` lies in `params`: `None` when it is not a part of them.
    pub fn range_in(params: &RawValue, part: &RawValue) -> Option<Range<usize>> {
        let (whole, part) = (params.get(), part.get());
        let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
        let end = start.checked_add(part.len())?;
        (end <= whole.len()).then_some(start..end)
    }

    /// From a JSON value (for tests and dynamic calls).
    pub fn from_value(v: Value) -> Self {
        Self::new(Some(fastmcp_protocol::jsonrpc::to_raw(&v)))
    }

    /// Accept JSON-encoded strings where `schema` wants another type (`"5"` for an
    /// integer): tried only when the arguments do not parse as they are.
    pub fn lenient(mut self, schema: Value) -> Self {
        self.lenient = Some(LenientSchema::Owned(schema));
        self
    }

    /// [`ToolArguments::lenient`] with `tool`'s input schema.
    pub fn lenient_for(mut self, tool: Arc<dyn ToolHandler>) -> Self {
        self.lenient = Some(LenientSchema::Tool(tool));
        self
    }

    /// Explain arguments that fail to parse with `explain` (the server does this with the
    /// tool's input schema, listing every problem at once).
    pub fn explained_by(mut self, explain: Arc<dyn ExplainArguments>) -> Self {
        self.explain = Some(explain);
        self
    }

    /// The raw JSON (`None` when the client sent no arguments).
    pub fn raw(&self) -> Option<&RawValue> {
        self.raw.as_ref().and_then(Raw::value)
    }

    /// Parse into `T`; missing arguments parse as `{}`. Errors are invalid-params errors
    /// naming the offending field.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let text = self.raw.as_ref().map_or("{}", Raw::text);
        let text = if text == "null" { "{}" } else { text };
        if !text.trim_start().starts_with('{') {
            return Err(Error::invalid_params(
                "Invalid arguments: expected an object",
            ));
        }
        match serde_json::from_str(text) {
            Ok(t) => Ok(t),
            Err(e) => {
                if let Some(coerced) = self.lenient.as_ref().and_then(|s| coerce(text, s.get())) {
                    if let Ok(t) = serde_json::from_value(coerced) {
                        return Ok(t);
                    }
                }
                let why = self
                    .explain
                    .as_ref()
                    .and_then(|x| x.explain(text))
                    .unwrap_or_else(|| without_position(&e));
                Err(Error::invalid_params(format!("Invalid arguments: {why}")))
            }
        }
    }

    /// Parse into a JSON object map.
    pub fn to_map(&self) -> Result<Map<String, Value>, Error> {
        self.parse()
    }
}

/// The deserializer's message without its ` at line 1 column 13` (of a text the user never
/// saw).
fn without_position(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains(" column ") => msg[..i].to_owned(),
        _ => msg,
    }
}

/// Replace string values whose property is not a string type by what the string parses to.
fn coerce(text: &str, schema: &Value) -> Option<Value> {
    let mut args: Map<String, Value> = serde_json::from_str(text).ok()?;
    let props = schema.get("properties")?.as_object()?;
    let mut changed = false;
    for (k, v) in args.iter_mut() {
        let Some(s) = v.as_str() else { continue };
        let wants_string = props.get(k).is_none_or(|p| {
            let t = &p["type"];
            t == "string"
                || t.as_array()
                    .is_some_and(|a| a.iter().any(|x| x == "string"))
        });
        if wants_string {
            continue;
        }
        if let Ok(parsed) = serde_json::from_str::<Value>(s) {
            *v = parsed;
            changed = true;
        }
    }
    changed.then_some(Value::Object(args))
}

/// When a call of a task-supporting tool becomes a task (tasks extension,
/// `io.modelcontextprotocol/tasks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TaskStart {
    /// Before the handler runs: the client gets a `CreateTaskResult` at once and the
    /// handler runs in the background (the default).
    #[default]
    Immediate,
    /// When the handler calls [`Context::detach`]: until then the call is synchronous
    /// (input it asks for is a multi-round-trip exchange of the request itself), and a
    /// handler that returns without detaching answers synchronously.
    OnDetach,
}

/// A tool: its definition and how to call it.
pub trait ToolHandler: Send + Sync + 'static {
    /// The definition listed by `tools/list`.
    fn tool(&self) -> &Tool;

    /// Who may use it (`None`: anyone the server lets in). The server hides it from
    /// callers who do not meet it and refuses their calls.
    fn auth(&self) -> Option<&Require> {
        None
    }

    /// Call the tool.
    fn call(
        self: Arc<Self>,
        ctx: Context,
        args: ToolArguments,
    ) -> BoxFuture<'static, Result<CallToolResult, Error>>;

    /// The per-tool timeout, if it has one.
    fn timeout(&self) -> Option<std::time::Duration> {
        None
    }

    /// Whether calls may (or must) run as tasks: `execution.taskSupport` of the
    /// definition (`forbidden` when absent).
    fn task_support(&self) -> TaskSupport {
        self.tool()
            .execution
            .as_ref()
            .and_then(|e| e.task_support)
            .unwrap_or_default()
    }

    /// When a call becomes a task (when it runs as one at all).
    fn task_start(&self) -> TaskStart {
        TaskStart::Immediate
    }
}

/// A resource with a fixed URI.
pub trait ResourceHandler: Send + Sync + 'static {
    /// The definition listed by `resources/list`.
    fn resource(&self) -> &Resource;

    /// Who may use it (`None`: anyone the server lets in). The server hides it from
    /// callers who do not meet it and refuses their calls.
    fn auth(&self) -> Option<&Require> {
        None
    }

    /// Read it.
    fn read(
        self: Arc<Self>,
        ctx: Context,
        uri: String,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>>;
}

/// Values of a URI template's variables, as matched from a URI.
pub type TemplateVars = std::collections::BTreeMap<String, String>;

/// A resource template (RFC 6570): resources whose URIs match it.
pub trait ResourceTemplateHandler: Send + Sync + 'static {
    /// The definition listed by `resources/templates/list`.
    fn template(&self) -> &ResourceTemplate;

    /// Who may use it (`None`: anyone the server lets in). The server hides it from
    /// callers who do not meet it and refuses their calls.
    fn auth(&self) -> Option<&Require> {
        None
    }

    /// Read the resource at `uri`, whose variables matched as `vars`.
    fn read(
        self: Arc<Self>,
        ctx: Context,
        uri: String,
        vars: TemplateVars,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>>;

    /// Complete the value of a template variable.
    fn complete(
        self: Arc<Self>,
        _ctx: Context,
        _argument: String,
        _value: String,
        _context: Map<String, Value>,
    ) -> BoxFuture<'static, Result<CompleteResult, Error>> {
        Box::pin(async { Ok(CompleteResult::default()) })
    }
}

/// A prompt.
pub trait PromptHandler: Send + Sync + 'static {
    /// The definition listed by `prompts/list`.
    fn prompt(&self) -> &Prompt;

    /// Who may use it (`None`: anyone the server lets in). The server hides it from
    /// callers who do not meet it and refuses their calls.
    fn auth(&self) -> Option<&Require> {
        None
    }

    /// Render it with arguments.
    fn get(
        self: Arc<Self>,
        ctx: Context,
        args: Map<String, Value>,
    ) -> BoxFuture<'static, Result<GetPromptResult, Error>>;

    /// Complete the value of an argument.
    fn complete(
        self: Arc<Self>,
        _ctx: Context,
        _argument: String,
        _value: String,
        _context: Map<String, Value>,
    ) -> BoxFuture<'static, Result<CompleteResult, Error>> {
        Box::pin(async { Ok(CompleteResult::default()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Note {
        title: String,
        body: String,
    }

    /// Finds one problem, whatever the arguments.
    struct Says(&'static str);

    impl ExplainArguments for Says {
        fn explain(&self, _: &str) -> Option<String> {
            Some(self.0.to_owned())
        }
    }

    #[test]
    fn a_parse_error_has_no_line_and_column() {
        let args = ToolArguments::from_value(serde_json::json!({"title": "t"}));
        let e = args.parse::<Note>().unwrap_err();
        assert_eq!(e.message(), "Invalid arguments: missing field `body`");
    }

    #[test]
    fn an_explainer_replaces_the_deserializers_message() {
        let args = ToolArguments::from_value(serde_json::json!({"title": 1}))
            .explained_by(Arc::new(Says("`title`: 1 is not of type \"string\"")));
        let e = args.parse::<Note>().unwrap_err();
        assert_eq!(
            e.message(),
            "Invalid arguments: `title`: 1 is not of type \"string\""
        );
        assert!(
            args.parse::<serde_json::Value>().is_ok(),
            "not asked when it parses"
        );
    }

    fn params(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn arguments_within_params_read_as_their_own() {
        let p = params(r#"{"name":"n","arguments":{"title":"é","body":"b"},"x":1}"#);
        #[derive(serde::Deserialize)]
        struct View<'a> {
            #[serde(borrow)]
            arguments: &'a RawValue,
        }
        let view: View<'_> = serde_json::from_str(p.get()).unwrap();
        let range = ToolArguments::range_in(&p, view.arguments).unwrap();
        let args = ToolArguments::within(p, range).unwrap();
        let note: Note = args.parse().unwrap();
        assert_eq!((note.title.as_str(), note.body.as_str()), ("é", "b"));
        assert_eq!(args.raw().unwrap().get(), r#"{"title":"é","body":"b"}"#);
        let copy = args.clone();
        assert_eq!(copy.to_map().unwrap().len(), 2);
        assert!(format!("{args:?}").contains(r#"{\"title\""#));
    }

    #[test]
    fn a_range_outside_the_params_or_inside_a_character_is_refused() {
        let p = params(r#"{"a":"é"}"#);
        let other = params("{}");
        assert_eq!(ToolArguments::range_in(&p, &other), None);
        assert!(ToolArguments::within(p.clone(), 0..100).is_none());
        let inside = p.get().find('é').unwrap() + 1;
        assert!(ToolArguments::within(p, 0..inside).is_none());
    }

    #[test]
    fn a_range_that_holds_no_json_value_fails_to_parse() {
        let p = params(r#"{"a":[1,2]}"#);
        let args = ToolArguments::within(p, 1..6).unwrap(); // `"a":[`
        assert!(args.raw().is_none());
        let e = args.parse::<serde_json::Value>().unwrap_err();
        assert!(
            e.message().starts_with("Invalid arguments"),
            "{}",
            e.message()
        );
    }
}
