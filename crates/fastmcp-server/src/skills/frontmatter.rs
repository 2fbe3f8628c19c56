//! The YAML front matter of a `SKILL.md`: the block between a first line `---` and the
//! next `---`, as a JSON object with at least a non-empty `name` and `description`.

use serde_json::{Map, Value};

/// The front matter of `text`, or why there is none that will do.
pub(crate) fn parse(text: &str) -> Result<Map<String, Value>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(l) if l.trim_end() == "---" => {}
        _ => return Err("SKILL.md does not begin with a `---` front matter block".into()),
    }
    let mut yaml = String::new();
    let mut closed = false;
    for l in lines {
        if l.trim_end() == "---" {
            closed = true;
            break;
        }
        yaml.push_str(l);
    }
    if !closed {
        return Err("SKILL.md's front matter has no closing `---`".into());
    }
    let v: Value = serde_yaml_ng::from_str(&yaml).map_err(|e| format!("front matter: {e}"))?;
    let Value::Object(m) = v else {
        return Err("front matter is not a mapping".into());
    };
    for field in ["name", "description"] {
        match m.get(field) {
            Some(Value::String(s)) if !s.is_empty() => {}
            _ => return Err(format!("front matter has no non-empty `{field}`")),
        }
    }
    Ok(m)
}

/// Whether `name` follows the Agent Skills naming rules: 1 to 64 lowercase letters,
/// digits and hyphens, no hyphen first, last or twice in a row.
pub(crate) fn valid_name(name: &str) -> bool {
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (1..=64).contains(&name.len())
        && ok_chars
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_read_and_checked() {
        let m = parse("---\nname: pdf\ndescription: PDFs.\nmetadata:\n  version: 2\n---\nBody\n")
            .unwrap();
        assert_eq!(m["name"], "pdf");
        assert_eq!(m["metadata"]["version"], 2);
        assert!(parse("\u{feff}---\r\nname: a\r\ndescription: b\r\n---\r\n").is_ok());
        for bad in [
            "no front matter",
            "---\nname: a\ndescription: b\n",
            "---\n- a list\n---\n",
            "---\nname: a\n---\n",
            "---\nname: ''\ndescription: b\n---\n",
            "---\nname: [unclosed\n---\n",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_follow_the_agent_skills_rules() {
        for ok in ["pdf", "pdf-processing", "a1", &"a".repeat(64)] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "PDF", "-a", "a-", "a--b", "a_b", &"a".repeat(65)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
