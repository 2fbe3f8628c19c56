//! Running a handler: in a cancellation scope with the request's budget, in a fresh
//! context; in the stateless era with its earlier input rounds replayed from the sealed
//! `requestState` and `inputResponses`, an unfinished round ending in `input_required`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::Either;

use fastmcp_core::runtime::{RequestContext, RequestHandle};
use fastmcp_core::{Budget, Context, Error, InputRounds, Outcome, RequestState, Scope};
use fastmcp_protocol::{InputRequiredResult, InputResponses, ResultType};
use serde_json::{Map, Value};

use crate::call::Call;
use crate::runtime::Runtime;

/// How a handler run in a scope ended, with the input requests of an unfinished round.
pub(crate) struct Ran<T> {
    pub(crate) outcome: Outcome<T>,
    pub(crate) input_required: Option<InputRequiredResult>,
}

impl<T: Default> Ran<T> {
    /// The result, or the input-required result of an unfinished round.
    pub(crate) fn finish(self) -> Result<(T, Option<InputRequiredResult>), Error> {
        if let Some(ir) = self.input_required {
            return Ok((T::default(), Some(ir)));
        }
        Ok((self.outcome.into_result()?, None))
    }
}

/// The multi-round-trip side of a request: what binds its `requestState` (method and
/// component) and the answers the client sent.
pub(crate) struct Rounds {
    /// `None` where the call cannot have rounds of its own (see [`Rounds::of`]).
    pub(crate) binding: Option<String>,
    pub(crate) responses: Option<InputResponses>,
    pub(crate) state: Option<String>,
}

impl Rounds {
    /// The rounds of `call` to `method` of `component`. Only a stateless-era call can
    /// have rounds of its own, so only its binding is written out (not on every call).
    pub(crate) fn of(
        call: &Call,
        method: &str,
        component: &dyn std::fmt::Display,
        responses: Option<InputResponses>,
        state: Option<String>,
    ) -> Rounds {
        let binding =
            (call.stateless() && call.rounds.is_none()).then(|| format!("{method}:{component}"));
        Rounds {
            binding,
            responses,
            state,
        }
    }
}

/// Run `f` in a child scope of the request with `timeout` (and the server's request
/// timeout), in a fresh context. In the stateless era with `rounds`, input rounds are
/// replayed and an unfinished round yields an `input_required` result.
///
/// The context is made and `f` called when the future is made, not in it: kept in its
/// state, `f` (often a handler and its arguments) and the rounds would be part of every
/// request's future, beside the handler's own future made from them. What is awaited is an
/// `async` block, not an `async fn`: an `async fn` keeps each argument still used after
/// an `.await` twice in its state (as received and as the local it is moved into).
#[inline]
pub(crate) fn run<'a, T, F, Fut>(
    rt: &'a Runtime,
    call: &'a Call,
    timeout: Option<Duration>,
    rounds: Option<Rounds>,
    f: F,
) -> impl std::future::Future<Output = Result<Ran<T>, Error>> + 'a
where
    F: FnOnce(Context) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>> + 'a,
    T: 'a,
{
    let Started {
        scope,
        handler,
        handle,
        binding,
    } = match start(rt, call, timeout, rounds, f) {
        Ok(started) => started,
        Err(e) => return Either::Left(std::future::ready(Err(e))),
    };
    Either::Right(async move {
        let grace = rt.config.cancel_grace;
        ran(rt, handle, binding, scope.run(handler, grace).await).await
    })
}

/// End a handler's run that ended with `outcome`: close its scope, and collect the input
/// requests of an unfinished round. An `async` block (see [`run`]).
#[allow(clippy::manual_async_fn)] // an `async fn` keeps its arguments twice
fn ran<'a, T: 'a>(
    rt: &'a Runtime,
    handle: RequestHandle,
    binding: Option<String>,
    outcome: Outcome<T>,
) -> impl std::future::Future<Output = Result<Ran<T>, Error>> + 'a {
    async move {
        handle.finish().await;
        let input_required = match (handle.input_rounds(), binding) {
            (Some(rounds), Some(binding)) => {
                let pending = rounds.take_pending();
                if pending.is_empty() {
                    None
                } else {
                    Some(input_required(rt, rounds.answers(), binding, pending)?)
                }
            }
            _ => None,
        };
        Ok(Ran {
            outcome,
            input_required,
        })
    }
}

/// A handler's future, made in its scope and context, with what ends it.
struct Started<Fut> {
    scope: Arc<Scope>,
    handler: Fut,
    handle: RequestHandle,
    binding: Option<String>,
}

/// The scope and context of a call (see [`run`]), and `f`'s future in them.
fn start<F, Fut>(
    rt: &Runtime,
    call: &Call,
    timeout: Option<Duration>,
    rounds: Option<Rounds>,
    f: F,
) -> Result<Started<Fut>, Error>
where
    F: FnOnce(Context) -> Fut,
{
    let timeouts = [rt.config.request_timeout, timeout];
    let scope = if timeouts.iter().all(Option::is_none) && !call.nested {
        // Nothing to tighten: the handler runs in the request's own scope.
        call.scope.clone()
    } else {
        let mut budget = Budget::unlimited();
        for t in timeouts.into_iter().flatten() {
            budget = budget.with_timeout(t);
        }
        call.scope.child(budget)
    };
    let (ctx, handle, binding) = context(rt, call, &scope, rounds)?;
    Ok(Started {
        handler: f(ctx),
        scope,
        handle,
        binding,
    })
}

/// The context of a call in `scope`, the handle that ends it, and the binding of its input
/// rounds (the stateless era's, when this call keeps them). Not part of [`run`]'s future: a
/// builder there would be kept in its state for as long as the handler runs.
fn context(
    rt: &Runtime,
    call: &Call,
    scope: &Arc<Scope>,
    rounds: Option<Rounds>,
) -> Result<(Context, RequestHandle, Option<String>), Error> {
    let mut b = RequestContext::builder(scope.clone(), call.session.clone());
    b.request_id(call.id.clone())
        .progress_token(call.progress_token.clone())
        .peer(call.peer.clone())
        .server_state(rt.state.clone())
        .grace(rt.config.cancel_grace);
    call.caller.apply(&mut b);
    if let Some(d) = rt.dispatcher() {
        b.dispatch(d);
    }
    let mut binding = None;
    if call.rounds.is_some() {
        // The outer request's rounds: it seals and answers them, not this call.
        b.shared_input_rounds(call.rounds.clone());
    } else if let Some(Rounds {
        binding: Some(bound),
        responses,
        state,
    }) = rounds
    {
        let answers = answers(rt, &bound, responses, state)?;
        b.input_rounds(InputRounds::new(answers));
        binding = Some(bound);
    }
    let (ctx, handle) = b.build();
    Ok((ctx, handle, binding))
}

/// The answers of a stateless-era request's earlier rounds: those sealed in its
/// `requestState` (checked against `binding`) and its `inputResponses`.
pub(crate) fn answers(
    rt: &Runtime,
    binding: &str,
    responses: Option<InputResponses>,
    state: Option<String>,
) -> Result<Map<String, Value>, Error> {
    let mut answers = match state {
        Some(s) => rt.config.sealer.open(&s, binding)?.answers,
        None => Map::new(),
    };
    answers.extend(answer_values(responses.unwrap_or_default())?);
    Ok(answers)
}

/// Answers given as `InputResponses` (typed), as stored values.
pub(crate) fn answer_values(responses: InputResponses) -> Result<Map<String, Value>, Error> {
    responses
        .into_iter()
        .map(|(k, v)| {
            serde_json::to_value(v)
                .map(|v| (k, v))
                .map_err(|e| Error::internal(e.to_string()))
        })
        .collect()
}

/// The `input_required` result of a round that ended with `pending` requests, with the
/// answers so far sealed into `requestState`.
pub(crate) fn input_required(
    rt: &Runtime,
    answers: &Map<String, Value>,
    binding: String,
    pending: BTreeMap<String, Value>,
) -> Result<InputRequiredResult, Error> {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + rt.config.request_state_ttl.as_secs();
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
        request_state: Some(rt.config.sealer.seal(&state)),
        meta: None,
    })
}
