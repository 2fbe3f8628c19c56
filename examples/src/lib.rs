//! Runnable examples of FastMCP for Rust; each binary in `src/bin` shows one feature.
//!
//! - `quickstart`: the README's calculator on stdio.
//! - `demo`: starts a server as a child process and exercises it with a client, in both
//!   protocol eras, printing what happens.
//! - `notes`: a notes server with most of what servers need (see `examples/README.md`).
//! - `resources`: static resources and RFC 6570 templates with completion.
//! - `prompts`: prompts with typed arguments.
//! - `context`: progress, logging, cancellation checkpoints, masked sections, budgets.
//! - `elicitation`: asking the user for structured input.
#![warn(missing_docs)]
#![forbid(unsafe_code)]
