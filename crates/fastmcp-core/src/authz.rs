//! Who may use a component: [`Require`], a requirement on the caller's verified identity
//! ([`AuthInfo`]), checked by the server before a component is listed, called, read or
//! rendered.
//!
//! ```
//! use fastmcp_core::{AuthInfo, Decision, Require};
//! let admin = Require::scopes(["notes:admin"]);
//! let reader = AuthInfo::new().with_scopes(["notes:read"]);
//! assert_eq!(admin.check(Some(&reader)), Decision::MissingScopes(vec!["notes:admin".into()]));
//! assert_eq!(admin.check(None), Decision::Denied);
//! let ops = Require::roles(["ops"]).or(Require::scopes(["notes:admin"]));
//! let who = AuthInfo::new().with_claims(serde_json::json!({"roles": ["ops"]}).as_object().unwrap().clone());
//! assert!(ops.check(Some(&who)).allowed());
//! ```

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::auth::AuthInfo;

type Predicate = dyn Fn(&AuthInfo) -> bool + Send + Sync;

/// A requirement on the caller: scopes, roles, a predicate, or a combination. A caller
/// without an identity (stdio, in memory, a server without auth) never meets one: a
/// component that requires something is only for callers who proved who they are.
#[derive(Clone)]
pub struct Require(Rule);

#[derive(Clone)]
enum Rule {
    Scopes(Vec<String>),
    Roles { claim: String, any_of: Vec<String> },
    Predicate(Arc<Predicate>),
    All(Vec<Require>),
    Any(Vec<Require>),
}

/// The outcome of checking a [`Require`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The caller may use the component.
    Allowed,
    /// A token with these further scopes would be allowed (a step-up can fix it).
    MissingScopes(Vec<String>),
    /// The caller may not use it, and no scope would change that.
    Denied,
}

impl Decision {
    /// Whether the caller may use the component.
    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Allowed)
    }

    /// Both must hold.
    fn and(self, other: Decision) -> Decision {
        match (self, other) {
            (Decision::Denied, _) | (_, Decision::Denied) => Decision::Denied,
            (Decision::Allowed, d) | (d, Decision::Allowed) => d,
            (Decision::MissingScopes(mut a), Decision::MissingScopes(b)) => {
                for s in b {
                    if !a.contains(&s) {
                        a.push(s);
                    }
                }
                Decision::MissingScopes(a)
            }
        }
    }
}

impl fmt::Debug for Require {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Rule::Scopes(s) => f.debug_tuple("scopes").field(s).finish(),
            Rule::Roles { claim, any_of } => f
                .debug_struct("roles")
                .field("claim", claim)
                .field("any_of", any_of)
                .finish(),
            Rule::Predicate(_) => f.write_str("predicate"),
            Rule::All(r) => f.debug_tuple("all").field(r).finish(),
            Rule::Any(r) => f.debug_tuple("any").field(r).finish(),
        }
    }
}

impl Require {
    /// Every one of `scopes` must be granted. A shortfall is
    /// [`Decision::MissingScopes`]: over HTTP a 403 `insufficient_scope` naming them.
    pub fn scopes<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> Require {
        Require(Rule::Scopes(scopes.into_iter().map(Into::into).collect()))
    }

    /// One of `roles` in the token's `roles` claim (an array of strings, or one string of
    /// space-separated roles).
    pub fn roles<S: Into<String>>(roles: impl IntoIterator<Item = S>) -> Require {
        Require::roles_in("roles", roles)
    }

    /// One of `roles` in the claim `claim` (e.g. `groups`).
    pub fn roles_in<S: Into<String>>(
        claim: impl Into<String>,
        roles: impl IntoIterator<Item = S>,
    ) -> Require {
        Require(Rule::Roles {
            claim: claim.into(),
            any_of: roles.into_iter().map(Into::into).collect(),
        })
    }

    /// `f` says yes.
    pub fn predicate(f: impl Fn(&AuthInfo) -> bool + Send + Sync + 'static) -> Require {
        Require(Rule::Predicate(Arc::new(f)))
    }

    /// All of `rules` hold.
    pub fn all(rules: impl IntoIterator<Item = Require>) -> Require {
        Require(Rule::All(rules.into_iter().collect()))
    }

    /// At least one of `rules` holds.
    pub fn any(rules: impl IntoIterator<Item = Require>) -> Require {
        Require(Rule::Any(rules.into_iter().collect()))
    }

    /// This and `other`.
    pub fn and(self, other: Require) -> Require {
        Require::all([self, other])
    }

    /// This or `other`.
    pub fn or(self, other: Require) -> Require {
        Require::any([self, other])
    }

    /// Check the caller `who` (`None`: no identity).
    pub fn check(&self, who: Option<&AuthInfo>) -> Decision {
        let Some(who) = who else {
            return Decision::Denied;
        };
        match &self.0 {
            Rule::Scopes(s) => {
                let missing: Vec<String> =
                    s.iter().filter(|s| !who.has_scope(s)).cloned().collect();
                if missing.is_empty() {
                    Decision::Allowed
                } else {
                    Decision::MissingScopes(missing)
                }
            }
            Rule::Roles { claim, any_of } => {
                let has = |r: &str| match who.claim(claim) {
                    Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(r)),
                    Some(Value::String(s)) => s.split_whitespace().any(|x| x == r),
                    _ => false,
                };
                if any_of.iter().any(|r| has(r)) {
                    Decision::Allowed
                } else {
                    Decision::Denied
                }
            }
            Rule::Predicate(f) => {
                if f(who) {
                    Decision::Allowed
                } else {
                    Decision::Denied
                }
            }
            Rule::All(rules) => rules
                .iter()
                .fold(Decision::Allowed, |d, r| d.and(r.check(Some(who)))),
            Rule::Any(rules) => {
                // Allowed if any is; else the smallest step-up one offers; else denied.
                let mut best: Option<Vec<String>> = None;
                for r in rules {
                    match r.check(Some(who)) {
                        Decision::Allowed => return Decision::Allowed,
                        Decision::MissingScopes(m) => {
                            if best.as_ref().is_none_or(|b| m.len() < b.len()) {
                                best = Some(m);
                            }
                        }
                        Decision::Denied => {}
                    }
                }
                best.map_or(Decision::Denied, Decision::MissingScopes)
            }
        }
    }
}

/// Check `who` against every requirement that applies (the server's, the component's).
pub fn check_all<'a>(
    rules: impl IntoIterator<Item = &'a Require>,
    who: Option<&AuthInfo>,
) -> Decision {
    rules
        .into_iter()
        .fold(Decision::Allowed, |d, r| d.and(r.check(who)))
}

macro_rules! with_auth {
    ($($ty:ident),*) => {$(
        impl crate::dynamic::$ty {
            /// Only callers who meet `req` may use it: the server hides it from the others
            /// and refuses their calls (see [`Require`]).
            pub fn with_auth(mut self, req: Require) -> Self {
                self.auth = Some(req);
                self
            }
        }
    )*};
}

with_auth!(FnTool, FnResource, FnResourceTemplate, FnPrompt);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn with_claims(v: Value) -> AuthInfo {
        AuthInfo::new().with_claims(v.as_object().unwrap().clone())
    }

    #[test]
    fn scopes_roles_predicates_and_combinations() {
        let who = AuthInfo::new().with_scopes(["a", "b"]).with_subject("u");
        assert!(Require::scopes(["a", "b"]).check(Some(&who)).allowed());
        assert_eq!(
            Require::scopes(["a", "c", "d"]).check(Some(&who)),
            Decision::MissingScopes(vec!["c".into(), "d".into()])
        );
        let groups = with_claims(json!({"groups": "staff ops", "roles": ["admin"]}));
        assert!(Require::roles(["admin"]).check(Some(&groups)).allowed());
        assert!(Require::roles_in("groups", ["ops"])
            .check(Some(&groups))
            .allowed());
        assert_eq!(
            Require::roles(["ops"]).check(Some(&groups)),
            Decision::Denied
        );
        let is_u = Require::predicate(|w| w.subject.as_deref() == Some("u"));
        assert!(is_u.check(Some(&who)).allowed());
        assert_eq!(is_u.check(Some(&groups)), Decision::Denied);
        // all: denied wins; scopes add up.
        let both = Require::scopes(["c"]).and(Require::scopes(["d"]));
        assert_eq!(
            both.check(Some(&who)),
            Decision::MissingScopes(vec!["c".into(), "d".into()])
        );
        assert_eq!(
            Require::scopes(["c"])
                .and(is_u.clone())
                .check(Some(&groups)),
            Decision::Denied
        );
        // any: the smallest step-up.
        let either = Require::scopes(["x", "y"])
            .or(Require::scopes(["z"]))
            .or(Require::roles(["no"]));
        assert_eq!(
            either.check(Some(&who)),
            Decision::MissingScopes(vec!["z".into()])
        );
        assert!(Require::roles(["no"]).or(is_u).check(Some(&who)).allowed());
    }

    #[test]
    fn no_identity_meets_no_requirement() {
        assert_eq!(
            Require::scopes(Vec::<String>::new()).check(None),
            Decision::Denied
        );
        assert_eq!(check_all([], None), Decision::Allowed);
        let r = Require::scopes(["a"]);
        assert_eq!(check_all([&r], None), Decision::Denied);
    }
}
