//! Per-component authorization: whether the caller of a request meets what the server
//! ([`crate::Server::auth_policy`]) and a component (`#[tool(auth = …)]`) require, and the
//! error of a refusal.
//!
//! A refusal is JSON-RPC error -32003. When scopes would fix it, its data names them
//! (`requiredScopes`, `missingScopes`) and the HTTP transport answers a 403
//! `insufficient_scope` step-up challenge instead.

use fastmcp_core::{authz, Decision, Error, ErrorKind, Require};
use serde_json::json;

use crate::call::Call;
use crate::runtime::Runtime;

/// The JSON-RPC code of a refusal.
pub(crate) const FORBIDDEN: i32 = -32003;

/// What the caller of `call` gets for a component requiring `own`.
pub(crate) fn decide(rt: &Runtime, call: &Call, own: Option<&Require>) -> Decision {
    if rt.config.auth_policy.is_none() && own.is_none() {
        return Decision::Allowed;
    }
    authz::check_all(
        rt.config.auth_policy.iter().chain(own),
        call.caller.auth.as_deref(),
    )
}

/// Whether [`decide`] answers the same for every caller of components requiring `own`:
/// no server policy, and no requirement of their own.
pub(crate) fn same_for_all<'r>(
    rt: &Runtime,
    mut own: impl Iterator<Item = Option<&'r Require>>,
) -> bool {
    rt.config.auth_policy.is_none() && own.all(|r| r.is_none())
}

/// `Ok` when the caller may use the component `what` (e.g. `tool notes.delete`), else
/// the refusal.
pub(crate) fn admit(
    rt: &Runtime,
    call: &Call,
    own: Option<&Require>,
    what: &dyn std::fmt::Display,
) -> Result<(), Error> {
    match decide(rt, call, own) {
        Decision::Allowed => Ok(()),
        Decision::MissingScopes(missing) => {
            let granted: Vec<&str> = call
                .caller
                .auth
                .as_ref()
                .map(|a| a.scopes.iter().map(String::as_str).collect())
                .unwrap_or_default();
            let mut required: Vec<&str> = granted;
            required.extend(missing.iter().map(String::as_str));
            Err(Error::new(
                ErrorKind::Remote(FORBIDDEN),
                format!("Forbidden: {what} needs the scope(s) {}", missing.join(" ")),
            )
            .with_data(json!({"requiredScopes": required, "missingScopes": missing})))
        }
        Decision::Denied if call.caller.auth.is_none() => Err(Error::new(
            ErrorKind::Remote(FORBIDDEN),
            format!(
                "Forbidden: {what} is only for authenticated callers, and this request carries \
                 no identity (stdio and in-memory callers have none unless a middleware sets it)"
            ),
        )),
        Decision::Denied => Err(Error::new(
            ErrorKind::Remote(FORBIDDEN),
            format!("Forbidden: the caller may not use {what}"),
        )),
    }
}
