//! Multi-round-trip requests: unsealing the `requestState` a client sends back
//! (`fastmcp_core::StateSealer::open`).
//!
//! Checks: nothing panics; an arbitrary token is refused (a forgery would need the HMAC
//! key); a state sealed with the key opens to itself under its binding and is refused
//! under another binding, with another key, and with any byte of it changed.
#![no_main]

use arbitrary::Arbitrary;
use fastmcp_core::{RequestState, StateSealer};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

#[derive(Arbitrary, Debug)]
struct Input {
    /// A token as a client sends it.
    token: String,
    binding: String,
    /// Answers of the rounds (key, JSON value).
    answers: Vec<(String, String)>,
    /// Which byte of the sealed token to change, and to what.
    flip: (u16, u8),
}

const KEY: &[u8] = b"the fuzzer's shared secret";

fuzz_target!(|input: Input| {
    let sealer = StateSealer::new(KEY.to_vec());
    assert!(
        sealer.open(&input.token, &input.binding).is_err(),
        "forged token accepted"
    );
    let answers: Map<String, Value> = input
        .answers
        .into_iter()
        .filter_map(|(k, v)| Some((k, serde_json::from_str(&v).ok()?)))
        .collect();
    let state = RequestState {
        binding: input.binding.clone(),
        answers,
        exp: u64::MAX,
    };
    let token = sealer.seal(&state);
    assert_eq!(sealer.open(&token, &input.binding).ok(), Some(state));
    let other = format!("{}x", input.binding);
    assert!(
        sealer.open(&token, &other).is_err(),
        "opened under another binding"
    );
    let stranger = StateSealer::new(b"another key".to_vec());
    assert!(
        stranger.open(&token, &input.binding).is_err(),
        "opened with another key"
    );
    let mut bytes = token.into_bytes();
    let i = usize::from(input.flip.0) % bytes.len();
    let b = input.flip.1 & 0x7f;
    if bytes[i] != b {
        bytes[i] = b;
        let tampered = String::from_utf8(bytes).expect("ASCII");
        assert!(
            sealer.open(&tampered, &input.binding).is_err(),
            "tampered token accepted"
        );
    }
});
