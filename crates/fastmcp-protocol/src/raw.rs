//! A [`RawValue`] made from text known to be one JSON value (read by `scan`, or written
//! by this crate), without serde_json parsing it again.
//!
//! serde_json makes a `Box<RawValue>` without a parse only from its own reading or
//! writing; these go through `Box<RawValue>`'s own `Deserialize`, given the text as
//! serde_json's deserializer gives it (the one entry of a map, keyed by the name serde_json
//! gives raw values). Should serde_json ever change that name, they return `None` (the
//! tests below fail) and the callers read or write the value through serde instead.

use serde::de::value::{Error as ValueError, MapDeserializer};
use serde::Deserialize;
use serde_json::value::RawValue;

/// The name under which `serde_json` hands a [`RawValue`]'s text to its `Deserialize`
/// (`serde_json::raw::TOKEN`, the same since serde_json 1.0.29).
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// `json`, one JSON value, as a [`RawValue`]: one allocation of its length and a copy.
pub(crate) fn raw(json: &str) -> Option<Box<RawValue>> {
    let entry = std::iter::once((RAW_VALUE_TOKEN, json));
    Box::<RawValue>::deserialize(MapDeserializer::<_, ValueError>::new(entry)).ok()
}

/// `json`, one JSON value, as a [`RawValue`] without a copy (nor a reallocation, when
/// the string's capacity is its length).
pub(crate) fn raw_string(json: String) -> Option<Box<RawValue>> {
    let entry = std::iter::once((RAW_VALUE_TOKEN, json));
    Box::<RawValue>::deserialize(MapDeserializer::<_, ValueError>::new(entry)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_value_is_made_without_a_second_parse() {
        let r = raw(r#"{"a": [1, 2]}"#).unwrap();
        assert_eq!(r.get(), r#"{"a": [1, 2]}"#);
        let text = String::from(r#"[true, "x"]"#);
        let at = text.as_ptr();
        let r = raw_string(text).unwrap();
        assert_eq!(r.get(), r#"[true, "x"]"#);
        // The same bytes: moved, not copied.
        assert_eq!(r.get().as_ptr(), at);
    }
}
