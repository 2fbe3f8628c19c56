//! Adding an extension to Goose's `config.yaml`: every other key and extension is kept, in
//! its order. Comments do not survive (Goose itself rewrites the file the same way).

use std::path::Path;

use serde_yaml_ng::{Mapping, Value};

use super::merge::{bad_shape, name_taken, unparsable, Merged};
use crate::error::{CliError, CliResult};

/// The key Goose gives an extension named `name` (its `name_to_key`): lower case, no
/// white space, other characters than letters, digits, `_` and `-` become `_`.
pub fn goose_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The text of `old` (None: no file) with `entry` as `root[key][goose_key(name)]`.
pub fn merge(
    path: &Path,
    old: Option<&str>,
    key: &str,
    name: &str,
    entry: Value,
    force: bool,
) -> CliResult<Merged> {
    let mut root = match old.map(serde_yaml_ng::from_str::<Value>) {
        None => Mapping::new(),
        Some(Ok(Value::Null)) => Mapping::new(),
        Some(Ok(Value::Mapping(m))) => m,
        Some(Ok(_)) => return Err(bad_shape(path, "the top level is not a YAML mapping")),
        Some(Err(e)) => return Err(unparsable(path, "YAML", e)),
    };
    let servers = root
        .entry(Value::from(key))
        .or_insert_with(|| Value::Mapping(Mapping::new()));
    if servers.is_null() {
        *servers = Value::Mapping(Mapping::new());
    }
    let Value::Mapping(servers) = servers else {
        return Err(bad_shape(path, &format!("{key:?} is not a YAML mapping")));
    };
    let id = Value::from(goose_key(name));
    let replaced = servers.contains_key(&id);
    if replaced && !force {
        return Err(name_taken(path, key, name));
    }
    servers.insert(id, entry);
    let text = serde_yaml_ng::to_string(&Value::Mapping(root))
        .map_err(|e| CliError::failed(format!("cannot write YAML: {e}")))?;
    Ok(Merged { text, replaced })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_goose_keys() {
        assert_eq!(goose_key("My Server"), "myserver");
        assert_eq!(goose_key("a.b-c_D"), "a_b-c_d");
    }

    #[test]
    fn other_extensions_and_keys_are_kept() {
        let old = "GOOSE_PROVIDER: openai\nextensions:\n  developer:\n    enabled: true\n    \
                   type: builtin\n    name: developer\nGOOSE_MODEL: gpt-4o\n";
        let p = Path::new("config.yaml");
        let m = merge(p, Some(old), "extensions", "calc", Value::from(1), false).unwrap();
        let v: Value = serde_yaml_ng::from_str(&m.text).unwrap();
        let keys: Vec<_> = v.as_mapping().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            ["GOOSE_PROVIDER", "extensions", "GOOSE_MODEL"].map(Value::from)
        );
        assert_eq!(v["extensions"]["developer"]["type"], Value::from("builtin"));
        assert_eq!(v["extensions"]["calc"], Value::from(1));
        let again = merge(
            p,
            Some(&m.text),
            "extensions",
            "calc",
            Value::from(2),
            false,
        );
        assert_eq!(again.unwrap_err().exit as i32, 2);
        assert!(merge(p, Some("a: [\n"), "extensions", "x", Value::from(1), false).is_err());
        assert!(merge(
            p,
            Some("extensions: 3\n"),
            "extensions",
            "x",
            Value::Null,
            false
        )
        .is_err());
    }
}
