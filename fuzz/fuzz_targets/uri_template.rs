//! RFC 6570 templates (`fastmcp-uri-template`): parsing arbitrary templates, matching
//! arbitrary URIs against those that parse, and expanding values then matching the result.
//!
//! Checks: nothing panics (nor runs away: libFuzzer's timeout catches exponential
//! matching); a template's text is kept as given; a matched URI's variables are among
//! the template's; matching what a template expanded from the variables of a match
//! matches again (for templates where that must hold: see `invertible`).
#![no_main]

use std::collections::BTreeMap;

use fastmcp_uri_template::UriTemplate;
use libfuzzer_sys::fuzz_target;

/// The input, NUL-separated: the template, a URI, then values of the template's
/// variables in order (plain text, so the seeds and the dictionary stay readable).
struct Input {
    template: String,
    uri: String,
    values: Vec<String>,
}

impl Input {
    fn parse(data: &[u8]) -> Option<Input> {
        let text = std::str::from_utf8(data).ok()?;
        let mut fields = text.split('\0').map(str::to_owned);
        Some(Input {
            template: fields.next()?,
            uri: fields.next().unwrap_or_default(),
            values: fields.collect(),
        })
    }
}

/// Whether a match of an expansion must succeed: each variable appears once, and
/// nothing but query expressions follows the first query expression (else a value may
/// run into the query, as `{?q}{v}` expands `v` right after `q`'s value).
fn invertible(t: &UriTemplate, names: &[String]) -> bool {
    let mut seen = std::collections::HashSet::new();
    if !t.var_specs().all(|(_, s)| seen.insert(s.name.clone())) || seen.len() != names.len() {
        return false;
    }
    let text = t.as_str();
    let Some(start) = text.find("{?").or_else(|| text.find("{&")) else {
        return true;
    };
    text[start..]
        .split_inclusive('}')
        .all(|e| e.starts_with("{?") || e.starts_with("{&"))
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else {
        return;
    };
    let _ = fastmcp_uri_template::has_scheme(&input.template);
    let Ok(t) = UriTemplate::parse(&input.template) else {
        return;
    };
    assert_eq!(t.as_str(), input.template);
    let names: Vec<String> = t.variables().into_iter().map(str::to_owned).collect();
    let _ = t.var_specs().count();
    if let Ok(Some(vars)) = t.match_uri(&input.uri) {
        assert!(vars.keys().all(|k| names.contains(k)), "unknown variable");
        if !invertible(&t, &names) {
            return;
        }
        let uri = t.expand(&vars);
        let again = t.match_uri(&uri);
        assert!(
            matches!(again, Ok(Some(_))),
            "{uri:?} (expanded from {vars:?}, a match of {:?}) does not match: {again:?}",
            input.uri
        );
    }
    let vars: BTreeMap<String, String> = names.into_iter().zip(input.values).collect();
    let uri = t.expand(&vars);
    let _ = t.match_uri(&uri);
});
