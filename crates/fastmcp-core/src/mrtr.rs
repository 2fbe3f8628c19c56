//! Multi-round-trip requests (2026-07-28): input requests collected during a handler's
//! run, the answers of earlier rounds, and the sealed `requestState` that carries them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::sync::PoisonError;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::Error;

type HmacSha256 = Hmac<Sha256>;

/// The input state of one request in the stateless era.
///
/// With replay, a handler runs again on every round: each `ctx.elicit()` (or `sample`,
/// `list_roots`) whose answer is known returns it at once; the first unanswered one ends
/// the round with `input_required`.
#[derive(Debug, Default)]
pub struct InputRounds {
    answers: Map<String, Value>,
    next: AtomicUsize,
    pending: Mutex<BTreeMap<String, Value>>,
}

impl InputRounds {
    /// Rounds that start with the answers given so far.
    pub fn new(answers: Map<String, Value>) -> Self {
        InputRounds {
            answers,
            next: AtomicUsize::new(0),
            pending: Mutex::new(BTreeMap::new()),
        }
    }

    /// The answer to the next input request, or `Err(InputRequired)` after recording it.
    /// `request` is the input request object: `{"method": ..., "params": ...}`.
    pub fn ask(&self, kind: &str, request: Value) -> Result<Value, Error> {
        let key = format!("{kind}-{}", self.next.fetch_add(1, Ordering::SeqCst));
        self.ask_keyed(key, request)
    }

    /// Like [`InputRounds::ask`], under a key the handler chose (it must be unique within
    /// the request).
    pub fn ask_keyed(&self, key: String, request: Value) -> Result<Value, Error> {
        if let Some(answer) = self.answers.get(&key) {
            return Ok(answer.clone());
        }
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, request);
        Err(Error::new(
            crate::ErrorKind::InputRequired,
            "input required",
        ))
    }

    /// The input requests this round ended with.
    pub fn take_pending(&self) -> BTreeMap<String, Value> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// All answers known (to seal into the next `requestState`).
    pub fn answers(&self) -> &Map<String, Value> {
        &self.answers
    }
}

/// What a sealed `requestState` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestState {
    /// What the state is bound to: method and component name.
    pub binding: String,
    /// The answers of every round so far.
    pub answers: Map<String, Value>,
    /// Expiry, in seconds since the Unix epoch.
    pub exp: u64,
}

/// Seals and opens `requestState` with HMAC-SHA256, so a client cannot forge or alter it.
/// Give every replica the same key to serve behind a round-robin load balancer.
///
/// ```
/// use fastmcp_core::{RequestState, StateSealer};
/// let sealer = StateSealer::new(b"a shared secret of the replicas".to_vec());
/// let st = RequestState { binding: "tools/call:x".into(), answers: Default::default(), exp: u64::MAX };
/// let token = sealer.seal(&st);
/// assert_eq!(sealer.open(&token, "tools/call:x").unwrap(), st);
/// assert!(sealer.open(&token, "tools/call:y").is_err());
/// ```
#[derive(Clone)]
pub struct StateSealer {
    key: Vec<u8>,
}

impl std::fmt::Debug for StateSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateSealer(..)")
    }
}

impl StateSealer {
    /// A sealer with a given key.
    pub fn new(key: Vec<u8>) -> Self {
        StateSealer { key }
    }

    /// A sealer with a random key (one process).
    pub fn random() -> Self {
        let key: [u8; 32] = rand::random();
        StateSealer { key: key.to_vec() }
    }

    fn mac(&self, payload: &str) -> Vec<u8> {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("hmac takes any key length");
        mac.update(payload.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Seal a state into an opaque string.
    pub fn seal(&self, state: &RequestState) -> String {
        let json = serde_json::to_vec(state).expect("state serializes");
        let payload = URL_SAFE_NO_PAD.encode(json);
        let tag = URL_SAFE_NO_PAD.encode(self.mac(&payload));
        format!("{payload}.{tag}")
    }

    /// Open a sealed state, checking its tag, binding and expiry.
    pub fn open(&self, token: &str, binding: &str) -> Result<RequestState, Error> {
        let bad = || Error::invalid_params("invalid requestState");
        let (payload, tag) = token.split_once('.').ok_or_else(bad)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| bad())?;
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("hmac takes any key length");
        mac.update(payload.as_bytes());
        mac.verify_slice(&tag).map_err(|_| bad())?;
        let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| bad())?;
        let state: RequestState = serde_json::from_slice(&json).map_err(|_| bad())?;
        if state.binding != binding {
            return Err(Error::invalid_params(
                "requestState belongs to another request",
            ));
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        if state.exp < now {
            return Err(Error::invalid_params("requestState expired"));
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forged_state_is_refused() {
        let s = StateSealer::random();
        let st = RequestState {
            binding: "b".into(),
            answers: Map::new(),
            exp: u64::MAX,
        };
        let token = s.seal(&st);
        let (p, t) = token.split_once('.').unwrap();
        let mut forged = serde_json::to_value(&st).unwrap();
        forged["answers"]["elicit-0"] = serde_json::json!({"action": "accept"});
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert!(s.open(&format!("{forged_payload}.{t}"), "b").is_err());
        assert!(StateSealer::random().open(&token, "b").is_err());
        assert!(s.open(p, "b").is_err());
        assert!(s.open("", "b").is_err());
    }

    #[test]
    fn expired_state_is_refused() {
        let s = StateSealer::random();
        let st = RequestState {
            binding: "b".into(),
            answers: Map::new(),
            exp: 1,
        };
        assert!(s.open(&s.seal(&st), "b").is_err());
    }

    #[test]
    fn replay_answers_known_rounds_and_stops_at_the_first_unknown() {
        let mut answers = Map::new();
        answers.insert("elicit-0".into(), serde_json::json!({"action": "decline"}));
        let r = InputRounds::new(answers);
        assert!(r.ask("elicit", serde_json::json!({})).is_ok());
        let e = r.ask(
            "elicit",
            serde_json::json!({"method": "elicitation/create"}),
        );
        assert_eq!(e.unwrap_err().kind(), crate::ErrorKind::InputRequired);
        assert_eq!(r.take_pending().keys().collect::<Vec<_>>(), ["elicit-1"]);
    }
}
