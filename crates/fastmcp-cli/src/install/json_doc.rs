//! Adding a server to a JSON configuration file: every other key and server is kept, in
//! its order and with its own text (values are carried as raw JSON), and the file's
//! indentation is reused.

use std::path::Path;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::merge::{bad_shape, name_taken, unparsable, Merged};
use crate::error::{CliError, CliResult};

/// A top-level value: as the file had it, or the servers map being edited.
#[derive(Serialize)]
#[serde(untagged)]
enum Node {
    Raw(Box<RawValue>),
    Servers(IndexMap<String, Box<RawValue>>),
}

/// The text of `old` (None: no file) with `entry` as `root[key][name]`.
pub fn merge(
    path: &Path,
    old: Option<&str>,
    key: &str,
    name: &str,
    entry: Value,
    force: bool,
) -> CliResult<Merged> {
    let old = old.filter(|t| !t.trim().is_empty());
    let mut root: IndexMap<String, Node> = match old {
        None => IndexMap::new(),
        Some(text) => match serde_json::from_str::<IndexMap<String, Box<RawValue>>>(text) {
            Ok(m) => m.into_iter().map(|(k, v)| (k, Node::Raw(v))).collect(),
            Err(e) if e.is_data() => {
                return Err(bad_shape(path, "the top level is not a JSON object"))
            }
            Err(e) => return Err(unparsable(path, "JSON", e)),
        },
    };
    let mut servers = match root.get(key) {
        None => IndexMap::new(),
        Some(Node::Raw(raw)) => serde_json::from_str::<IndexMap<String, Box<RawValue>>>(raw.get())
            .map_err(|_| bad_shape(path, &format!("{key:?} is not a JSON object")))?,
        Some(Node::Servers(m)) => m.clone(),
    };
    let replaced = servers.contains_key(name);
    if replaced && !force {
        return Err(name_taken(path, key, name));
    }
    let indent = old.map(detect_indent).unwrap_or("  ");
    // The entry sits two levels deep: its lines after the first are indented to there.
    let entry_text = render(&entry, indent)?.replace('\n', &format!("\n{}", indent.repeat(2)));
    let raw = RawValue::from_string(entry_text)
        .map_err(|e| CliError::failed(format!("cannot write JSON: {e}")))?;
    // On an existing key, `insert` keeps the entry's position.
    servers.insert(name.to_owned(), raw);
    root.insert(key.to_owned(), Node::Servers(servers));
    let mut text = render(&root, indent)?;
    if old.is_none_or(|t| t.ends_with('\n')) {
        text.push('\n');
    }
    Ok(Merged { text, replaced })
}

/// The indentation of the first indented line (spaces or tabs), else two spaces.
fn detect_indent(text: &str) -> &str {
    text.lines()
        .skip(1)
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .find(|ws| !ws.is_empty())
        .filter(|ws| ws.chars().all(|c| c == ' ') || ws.chars().all(|c| c == '\t'))
        .unwrap_or("  ")
}

fn render(value: &impl Serialize, indent: &str) -> CliResult<String> {
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    value
        .serialize(&mut ser)
        .map_err(|e| CliError::failed(format!("cannot write JSON: {e}")))?;
    Ok(String::from_utf8(out).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p() -> &'static Path {
        Path::new("f.json")
    }

    #[test]
    fn other_servers_keep_their_text() {
        let old = "{\n  \"mcpServers\": {\n    \"b\": {\"command\": \"x\", \"args\": []}\n  }\n}\n";
        let m = merge(
            p(),
            Some(old),
            "mcpServers",
            "c",
            json!({"command": "y"}),
            false,
        )
        .unwrap();
        assert_eq!(
            m.text,
            "{\n  \"mcpServers\": {\n    \"b\": {\"command\": \"x\", \"args\": []},\n    \"c\": {\n      \"command\": \"y\"\n    }\n  }\n}\n"
        );
    }

    #[test]
    fn other_keys_keep_their_order_and_indent() {
        let old = "{\n    \"z\": 1,\n    \"mcpServers\": {\"b\": {}},\n    \"a\": [1, 2]\n}\n";
        let m = merge(
            p(),
            Some(old),
            "mcpServers",
            "c",
            json!({"command": "x"}),
            false,
        )
        .unwrap();
        let keys: Vec<_> = serde_json::from_str::<IndexMap<String, Value>>(&m.text)
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["z", "mcpServers", "a"]);
        assert!(m.text.starts_with("{\n    \"z\": 1,"));
        assert!(m.text.ends_with("}\n"));
        assert!(!m.replaced);
    }

    #[test]
    fn a_taken_name_needs_force() {
        let old = r#"{"mcpServers": {"a": {"command": "old"}, "b": {}}}"#;
        let e = merge(p(), Some(old), "mcpServers", "a", json!({}), false).unwrap_err();
        assert_eq!(e.exit as i32, 2);
        assert!(e.hint.unwrap().contains("--force"));
        let m = merge(
            p(),
            Some(old),
            "mcpServers",
            "a",
            json!({"command": "new"}),
            true,
        )
        .unwrap();
        assert!(m.replaced);
        let v: IndexMap<String, IndexMap<String, Value>> = serde_json::from_str(&m.text).unwrap();
        let names: Vec<_> = v["mcpServers"].keys().collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(v["mcpServers"]["a"]["command"], "new");
    }

    #[test]
    fn unparsable_or_misshapen_files_are_refused() {
        let with_comment = "{\n  // mine\n  \"servers\": {}\n}";
        assert!(merge(p(), Some(with_comment), "servers", "a", json!({}), false).is_err());
        assert!(merge(p(), Some("[1]"), "servers", "a", json!({}), false).is_err());
        let wrong = r#"{"servers": []}"#;
        assert!(merge(p(), Some(wrong), "servers", "a", json!({}), false).is_err());
        let empty = merge(p(), Some("  \n"), "servers", "a", json!({}), false).unwrap();
        assert_eq!(empty.text, "{\n  \"servers\": {\n    \"a\": {}\n  }\n}\n");
    }
}
