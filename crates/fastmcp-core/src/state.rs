//! Typed state: values of any type, one per type, shared by reference. The server's
//! state ([`StateMap`], filled by `Server::state` and the lifespan hooks) reaches handlers
//! through [`Context::server_state`] and the [`State`] extractor; each session has one too
//! ([`SessionView::typed_state`](crate::SessionView::typed_state) and the [`SessionState`]
//! extractor).

use std::any::{type_name, Any, TypeId};
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

use crate::{Context, Error};

type Entry = Arc<dyn Any + Send + Sync>;

/// Values looked up by type, each shared as an `Arc`.
///
/// ```
/// use fastmcp_core::StateMap;
///
/// struct Config { greeting: &'static str }
/// let mut map = StateMap::default();
/// map.insert(Config { greeting: "hello" });
/// assert_eq!(map.get::<Config>().unwrap().greeting, "hello");
/// assert!(map.get::<String>().is_none());
/// ```
#[derive(Default, Clone)]
pub struct StateMap(HashMap<TypeId, Entry>);

impl StateMap {
    /// Insert `value`, replacing a value of the same type.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.insert_arc(Arc::new(value));
    }

    /// Insert a shared value, replacing a value of the same type.
    pub fn insert_arc<T: Send + Sync + 'static>(&mut self, value: Arc<T>) {
        self.0.insert(TypeId::of::<T>(), value);
    }

    /// The value of type `T`.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.0
            .get(&TypeId::of::<T>())
            .and_then(|v| v.clone().downcast().ok())
    }

    /// How many values there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for StateMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StateMap({} values)", self.0.len())
    }
}

/// A [`StateMap`] that many threads read and write: a session's typed state.
#[derive(Default)]
pub(crate) struct SharedStateMap(Mutex<StateMap>);

impl SharedStateMap {
    pub(crate) fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).get()
    }

    pub(crate) fn insert<T: Send + Sync + 'static>(&self, value: T) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(value);
    }

    /// The value of type `T`, made by `init` (under the lock, so once) when missing.
    pub(crate) fn get_or_insert_with<T: Send + Sync + 'static>(
        &self,
        init: impl FnOnce() -> T,
    ) -> Arc<T> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = map.get() {
            return v;
        }
        let v = Arc::new(init());
        map.insert_arc(v.clone());
        v
    }
}

impl std::fmt::Debug for SharedStateMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().unwrap_or_else(PoisonError::into_inner).len();
        write!(f, "SharedStateMap({n} values)")
    }
}

/// The server's state of type `T`, as a handler's argument (in the style of axum's
/// `State`): in a `#[tool]`, `#[resource]` or `#[prompt]` function, a parameter of type
/// `State<T>` is filled from the server's state and is not part of the arguments' schema.
/// Register the value with `Server::state` or produce it in `Server::lifespan`; a handler
/// asking for a type the server does not have fails with an internal error naming it.
///
/// ```
/// use fastmcp_core::{Context, State};
///
/// struct Greeting(String);
///
/// fn greet(greeting: State<Greeting>, name: &str) -> String {
///     format!("{}, {name}!", greeting.0)
/// }
/// # let _ = greet;
/// ```
pub struct State<T>(Arc<T>);

impl<T> State<T> {
    /// The shared value itself.
    pub fn arc(&self) -> &Arc<T> {
        &self.0
    }

    /// The shared value, unwrapped from the extractor.
    pub fn into_arc(self) -> Arc<T> {
        self.0
    }
}

impl<T: Send + Sync + 'static> State<T> {
    /// The server's state of type `T` in the request's context.
    pub fn from_context(ctx: &Context) -> Result<Self, Error> {
        ctx.server_state::<T>().map(State).ok_or_else(|| {
            Error::internal(format!(
                "the server has no state of type `{}` (register it with Server::state or Server::lifespan)",
                type_name::<T>()
            ))
        })
    }
}

impl<T> Deref for State<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Clone for State<T> {
    fn clone(&self) -> Self {
        State(self.0.clone())
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for State<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("State").field(&self.0).finish()
    }
}

/// The session's typed state of type `T`, as a handler's argument: made with
/// `T::default()` on the session's first use, then the same value for every later request
/// of the session (in the stateless era of 2026-07-28 a session lasts one request). Not
/// part of the arguments' schema. Use interior mutability (`Mutex`, atomics) to change it.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use fastmcp_core::{Context, SessionState};
///
/// #[derive(Default)]
/// struct Visits(AtomicU64);
///
/// fn visit(visits: SessionState<Visits>) -> u64 {
///     visits.0.fetch_add(1, Ordering::Relaxed) + 1
/// }
/// let ctx = Context::for_testing();
/// assert_eq!(visit(SessionState::from_context(&ctx).unwrap()), 1);
/// assert_eq!(visit(SessionState::from_context(&ctx).unwrap()), 2);
/// ```
pub struct SessionState<T>(Arc<T>);

impl<T> SessionState<T> {
    /// The shared value itself.
    pub fn arc(&self) -> &Arc<T> {
        &self.0
    }

    /// The shared value, unwrapped from the extractor.
    pub fn into_arc(self) -> Arc<T> {
        self.0
    }
}

impl<T: Default + Send + Sync + 'static> SessionState<T> {
    /// The session's value of type `T` (made with `T::default()` when missing).
    pub fn from_context(ctx: &Context) -> Result<Self, Error> {
        Ok(SessionState(
            ctx.session().typed_state_or_insert_with(T::default),
        ))
    }
}

impl<T> Deref for SessionState<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Clone for SessionState<T> {
    fn clone(&self) -> Self {
        SessionState(self.0.clone())
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for SessionState<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SessionState").field(&self.0).finish()
    }
}
