//! Method dispatch for both eras: a request's session is chosen, its context built, its
//! handler run in a cancellation scope, and its result stamped for the era.

use std::sync::{Arc, Weak};

use fastmcp_core::runtime::RequestContext;
use fastmcp_core::{
    Context, Dispatch, Error, ErrorKind, InputRounds, Outcome, Peer, RequestState, Scope, Session,
};
use fastmcp_protocol::{
    ClientCapabilities, Era, Implementation, InputRequiredResult, InputResponses, LoggingLevel,
    ProgressToken, ProtocolVersion, RequestId, ResultType, META_CLIENT_CAPABILITIES,
    META_CLIENT_INFO, META_LOG_LEVEL, META_PROGRESS_TOKEN, META_PROTOCOL_VERSION,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use crate::config::ServerConfig;
use crate::registry::Registry;
use crate::tasks::{TaskStore, Tasks};

/// One request on its way through the router.
pub(crate) struct Call {
    pub(crate) id: RequestId,
    pub(crate) session: Arc<Session>,
    pub(crate) peer: Arc<dyn Peer>,
    pub(crate) scope: Arc<Scope>,
    pub(crate) progress_token: Option<ProgressToken>,
    /// A call a handler made into its own server (`ctx.call_tool`): never a task.
    pub(crate) nested: bool,
}

impl Call {
    pub(crate) fn stateless(&self) -> bool {
        self.session.era() == Era::Stateless
    }
}

/// `_meta` as far as the router reads it.
#[derive(Deserialize, Default)]
struct MetaProbe {
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Deserialize, Default)]
struct RequestMeta {
    #[serde(rename = "io.modelcontextprotocol/protocolVersion", default)]
    protocol_version: Option<String>,
    #[serde(rename = "io.modelcontextprotocol/clientInfo", default)]
    client_info: Option<Implementation>,
    #[serde(rename = "io.modelcontextprotocol/clientCapabilities", default)]
    client_capabilities: Option<ClientCapabilities>,
    #[serde(rename = "io.modelcontextprotocol/logLevel", default)]
    log_level: Option<LoggingLevel>,
    #[serde(rename = "progressToken", default)]
    progress_token: Option<ProgressToken>,
}

const _: [&str; 5] = [
    META_PROTOCOL_VERSION,
    META_CLIENT_INFO,
    META_CLIENT_CAPABILITIES,
    META_LOG_LEVEL,
    META_PROGRESS_TOKEN,
];

/// Whether params may carry `_meta` (a fast scan before parsing them for it).
fn has_meta(params: &RawValue) -> bool {
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("\"_meta\""));
    FINDER.find(params.get().as_bytes()).is_some()
}

/// What a request's `_meta` decides: which session serves it and its progress token.
pub(crate) struct Prepared {
    pub(crate) session: Arc<Session>,
    pub(crate) progress_token: Option<ProgressToken>,
}

/// Parse params (absent params read as `{}`).
pub(crate) fn parse<T: DeserializeOwned>(params: Option<&RawValue>) -> Result<T, Error> {
    let text = params.map_or("{}", RawValue::get);
    serde_json::from_str(text).map_err(|e| Error::invalid_params(format!("Invalid params: {e}")))
}

/// Serialize a result.
pub(crate) fn raw<T: Serialize>(v: &T) -> Result<Box<RawValue>, Error> {
    serde_json::value::to_raw_value(v).map_err(|e| Error::internal(e.to_string()))
}

pub(crate) struct Router {
    pub(crate) config: ServerConfig,
    pub(crate) registry: Arc<Registry>,
    /// Cancelled when the server shuts down (ends long-lived requests at once).
    pub(crate) shutdown: tokio_util::sync::CancellationToken,
    /// Tasks (the tasks extension): their store and the runs in flight.
    pub(crate) tasks: Tasks,
    me: Weak<Router>,
}

/// How a handler run in a scope ended, with the input requests of an unfinished round.
pub(crate) struct Ran<T> {
    pub(crate) outcome: Outcome<T>,
    pub(crate) input_required: Option<InputRequiredResult>,
}

impl Router {
    pub(crate) fn new(
        config: ServerConfig,
        registry: Arc<Registry>,
        shutdown: tokio_util::sync::CancellationToken,
        task_store: Arc<dyn TaskStore>,
    ) -> Arc<Router> {
        // A Weak to itself lets nested calls (ctx.call_tool) dispatch back into the router.
        Arc::new_cyclic(|me| Router {
            config,
            registry,
            shutdown,
            tasks: Tasks::new(task_store),
            me: me.clone(),
        })
    }

    pub(crate) fn me(&self) -> Option<Arc<Router>> {
        self.me.upgrade()
    }

    /// Choose the session of a request: a request whose `_meta` names a protocol version is
    /// a stateless-era request with a session of its own; any other belongs to the
    /// connection's handshake session.
    pub(crate) fn prepare(
        &self,
        conn_session: &Arc<Session>,
        params: Option<&RawValue>,
    ) -> Result<Prepared, Error> {
        let meta = match params {
            Some(p) if has_meta(p) => serde_json::from_str::<MetaProbe>(p.get())
                .map_err(|e| Error::invalid_params(format!("Invalid _meta: {e}")))?
                .meta
                .unwrap_or_default(),
            _ => RequestMeta::default(),
        };
        let Some(requested) = meta.protocol_version else {
            return Ok(Prepared {
                session: conn_session.clone(),
                progress_token: meta.progress_token,
            });
        };
        let version = match requested.parse::<ProtocolVersion>() {
            Ok(v) if v.era() == Era::Stateless => v,
            _ => {
                return Err(Error::new(
                    ErrorKind::UnsupportedVersion,
                    format!("Unsupported protocol version: {requested}"),
                )
                .with_data(json!({
                    "requested": requested,
                    "supported": supported_stateless(),
                })))
            }
        };
        let Some(capabilities) = meta.client_capabilities else {
            return Err(missing_capabilities());
        };
        Ok(Prepared {
            session: Session::stateless(version, meta.client_info, capabilities, meta.log_level),
            progress_token: meta.progress_token,
        })
    }

    /// Check that a stateless-era request's `_meta` has what it must (before dispatch, so
    /// that HTTP can answer 400).
    pub(crate) fn check_stateless_meta(&self, params: Option<&RawValue>) -> Result<(), Error> {
        let conn = Session::handshake(None);
        self.prepare(&conn, params).map(|_| ())
    }

    /// Run `f` in a child scope of the request with `budget`, in a fresh context. In the
    /// stateless era with `binding`, input rounds are replayed from `requestState` and
    /// `inputResponses`, and an unfinished round yields an `input_required` result.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        call: &Call,
        timeout: Option<std::time::Duration>,
        mrtr: Option<(String, Option<InputResponses>, Option<String>)>,
        f: F,
    ) -> Result<Ran<T>, Error>
    where
        F: FnOnce(Context) -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let timeouts = [self.config.request_timeout, timeout];
        let scope = if timeouts.iter().all(Option::is_none) && !call.nested {
            // Nothing to tighten: the handler runs in the request's own scope.
            call.scope.clone()
        } else {
            let mut budget = fastmcp_core::Budget::unlimited();
            for t in timeouts.into_iter().flatten() {
                budget = budget.with_timeout(t);
            }
            call.scope.child(budget)
        };
        let mut b = RequestContext::builder(scope.clone(), call.session.clone())
            .request_id(call.id.clone())
            .progress_token(call.progress_token.clone())
            .peer(call.peer.clone())
            .grace(self.config.cancel_grace);
        if let Some(me) = self.me() {
            b = b.dispatch(me);
        }
        let mut binding = None;
        if let (true, Some((bind, responses, state))) = (call.stateless(), mrtr) {
            let answers = self.mrtr_answers(&bind, responses, state)?;
            b = b.input_rounds(InputRounds::new(answers));
            binding = Some(bind);
        }
        let (ctx, handle) = b.build();
        let outcome = scope.run(f(ctx), self.config.cancel_grace).await;
        handle.finish().await;
        let input_required = match (handle.input_rounds(), binding) {
            (Some(rounds), Some(binding)) => {
                let pending = rounds.take_pending();
                if pending.is_empty() {
                    None
                } else {
                    Some(self.input_required_result(rounds.answers(), binding, pending)?)
                }
            }
            _ => None,
        };
        Ok(Ran {
            outcome,
            input_required,
        })
    }

    /// The answers of a stateless-era request's earlier rounds: those sealed in its
    /// `requestState` (checked against `binding`) and its `inputResponses`.
    pub(crate) fn mrtr_answers(
        &self,
        binding: &str,
        responses: Option<InputResponses>,
        state: Option<String>,
    ) -> Result<Map<String, Value>, Error> {
        let mut answers = match state {
            Some(s) => self.config.sealer.open(&s, binding)?.answers,
            None => Map::new(),
        };
        answers.extend(crate::tasks::answer_values(responses.unwrap_or_default())?);
        Ok(answers)
    }

    /// The `input_required` result of a round that ended with `pending` requests, with the
    /// answers so far sealed into `requestState`.
    pub(crate) fn input_required_result(
        &self,
        answers: &Map<String, Value>,
        binding: String,
        pending: std::collections::BTreeMap<String, Value>,
    ) -> Result<InputRequiredResult, Error> {
        let exp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
            + self.config.request_state_ttl.as_secs();
        let state = RequestState {
            binding,
            answers: answers.clone(),
            exp,
        };
        let requests = serde_json::from_value(Value::Object(pending.into_iter().collect()))
            .map_err(|e| Error::internal(format!("bad input request: {e}")))?;
        Ok(InputRequiredResult {
            result_type: ResultType::InputRequired,
            input_requests: Some(requests),
            request_state: Some(self.config.sealer.seal(&state)),
            meta: None,
        })
    }

    /// Route a request to its method. In the stateless era a missing resource is
    /// -32602 (earlier versions use -32002).
    pub(crate) async fn handle(
        &self,
        call: &Call,
        method: &str,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let r = self.route(call, method, params).await;
        match r {
            Err(e) if e.kind() == ErrorKind::ResourceNotFound && call.stateless() => {
                let data = e.data().cloned();
                let e = Error::invalid_params(e.message().to_owned());
                Err(match data {
                    Some(d) => e.with_data(d),
                    None => e,
                })
            }
            other => other,
        }
    }

    async fn route(
        &self,
        call: &Call,
        method: &str,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        if !call.stateless()
            && call.session.protocol_version().is_none()
            && !matches!(method, "initialize" | "ping" | "server/discover")
        {
            return Err(Error::invalid_request(format!(
                "Received {method} before initialization"
            )));
        }
        if call.stateless() && HANDSHAKE_ONLY.contains(&method) {
            return Err(Error::method_not_found(method));
        }
        match method {
            "initialize" => self.initialize(call, params),
            "ping" => self.ping(call),
            "server/discover" => self.discover(),
            "logging/setLevel" => self.set_level(call, params),
            "tools/list" => self.list_tools(call, params),
            "tools/call" => self.call_tool(call, params).await,
            "resources/list" => self.list_resources(call, params),
            "resources/templates/list" => self.list_templates(call, params),
            "resources/read" => self.read_resource(call, params).await,
            "resources/subscribe" => self.subscribe(call, params, true),
            "resources/unsubscribe" => self.subscribe(call, params, false),
            "prompts/list" => self.list_prompts(call, params),
            "prompts/get" => self.get_prompt(call, params).await,
            "completion/complete" => self.complete(call, params).await,
            "subscriptions/listen" => self.listen(call, params).await,
            // The tasks extension (stateless era).
            "tasks/get" if call.stateless() => self.tasks_get(call, params).await,
            "tasks/update" if call.stateless() => self.tasks_update(call, params).await,
            "tasks/cancel" if call.stateless() => self.tasks_cancel(call, params).await,
            // The tasks of 2025-11-25 (handshake era).
            "tasks/get" if self.core_tasks(call) => self.core_tasks_get(call, params).await,
            "tasks/result" if self.core_tasks(call) => self.core_tasks_result(call, params).await,
            "tasks/list" if self.core_tasks(call) => self.core_tasks_list(call, params).await,
            "tasks/cancel" if self.core_tasks(call) => self.core_tasks_cancel(call, params).await,
            other => Err(Error::method_not_found(other)),
        }
    }
}

fn missing_capabilities() -> Error {
    Error::invalid_params(
        "Invalid params: _meta must carry io.modelcontextprotocol/clientCapabilities",
    )
}

/// Methods of the handshake era only.
const HANDSHAKE_ONLY: [&str; 6] = [
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
    "notifications/initialized",
];

pub(crate) fn supported_stateless() -> Vec<String> {
    ProtocolVersion::ALL
        .iter()
        .filter(|v| v.era() == Era::Stateless)
        .map(|v| v.as_str().to_owned())
        .collect()
}

impl Dispatch for Router {
    fn dispatch<'a>(
        &'a self,
        ctx: &'a Context,
        method: &'a str,
        params: Box<RawValue>,
    ) -> fastmcp_core::BoxFuture<'a, Result<Box<RawValue>, Error>> {
        Box::pin(async move {
            let call = Call {
                id: ctx.request_id().cloned().unwrap_or(RequestId::Number(0)),
                session: RequestContext::session_of(ctx).clone(),
                peer: RequestContext::peer_of(ctx).clone(),
                scope: RequestContext::scope_of(ctx).clone(),
                progress_token: None,
                nested: true,
            };
            self.handle(&call, method, Some(&params)).await
        })
    }
}
