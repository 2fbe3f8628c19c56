//! Form bodies and query strings (`application/x-www-form-urlencoded`), read strictly: a
//! parameter given twice is an error (RFC 6749 §3.1, §3.2).

use std::collections::HashMap;

/// The parameters of `raw`, or the name of one given twice.
///
/// An empty value counts as absent (RFC 6749 §3.1).
pub(crate) fn parse(raw: &[u8]) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for (k, v) in form_urlencoded::parse(raw) {
        if v.is_empty() {
            continue;
        }
        if out.insert(k.to_string(), v.into_owned()).is_some() {
            return Err(format!("{k} is given more than once"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_refused_and_empty_values_ignored() {
        let p = parse(b"a=1&b=&c=x%20y").unwrap();
        assert_eq!(p["a"], "1");
        assert_eq!(p["c"], "x y");
        assert!(!p.contains_key("b"));
        assert_eq!(parse(b"a=1&a=2").unwrap_err(), "a is given more than once");
    }
}
