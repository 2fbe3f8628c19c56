//! Text helpers for diagnostics.

use serde_json::Value;

/// `s` cut to at most `max` characters, with an ellipsis when cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

/// A JSON value as clipped compact text.
pub(crate) fn show(v: &Value) -> String {
    clip(&v.to_string(), 300)
}
