//! Skills (SEP-2640, feature `skills`): list a server's skills, and load one only when it
//! is needed, checking what is read against the entry the server listed.
//!
//! Nothing is read ahead: [`Client::list_skills`] and [`Client::get_skill`] return entries
//! only. [`Client::load_skill`] reads the skill's `SKILL.md` and refuses it unless its
//! size and SHA-256 digest are those of the entry's manifest and its YAML front matter is
//! the entry's `frontmatter`, field by field; [`Client::read_skill_file`] checks any other
//! file of the skill the same way. A skill whose `resources` is `"dynamic"` publishes no
//! manifest: its files cannot be checked, and are refused unless asked for with
//! [`Client::read_skill_file_unverified`].
//!
//! ```no_run
//! # async fn f(client: fastmcp_client::Client) -> Result<(), fastmcp_core::Error> {
//! for entry in client.list_skills().await? {
//!     println!("{}: {}", entry.name(), entry.description());
//! }
//! # let entry = client.list_skills().await?.remove(0);
//! let skill = client.load_skill(&entry).await?; // verified
//! println!("{}", skill.text);
//! # Ok(()) }
//! ```

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use fastmcp_core::Error;
use fastmcp_protocol::{JsonObject, ReadResourceResult, ResourceContents};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::client::Client;

/// One skill as a server lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillEntry {
    /// The URI of its `SKILL.md`.
    pub uri: String,
    /// The front matter of its `SKILL.md`, as JSON.
    pub frontmatter: JsonObject,
    /// Its files, or `"dynamic"`.
    pub resources: SkillResources,
}

/// The files of a skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SkillResources {
    /// Every file with its digest and size.
    Files(Vec<SkillFile>),
    /// No manifest (the string `"dynamic"`).
    Dynamic(String),
}

/// One file of a skill's manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillFile {
    /// Its URI.
    pub uri: String,
    /// `sha256:` and 64 lowercase hexadecimal digits.
    pub digest: String,
    /// Its length in bytes.
    pub size: u64,
}

impl SkillEntry {
    /// The skill's name (from its front matter).
    pub fn name(&self) -> &str {
        self.frontmatter
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The skill's description (from its front matter).
    pub fn description(&self) -> &str {
        self.frontmatter
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    fn file(&self, uri: &str) -> Result<Option<&SkillFile>, Error> {
        match &self.resources {
            SkillResources::Dynamic(_) => Ok(None),
            SkillResources::Files(files) => match files.iter().find(|f| f.uri == uri) {
                Some(f) => Ok(Some(f)),
                None => Err(Error::invalid_params(format!(
                    "{uri} is not in the manifest of the skill {}",
                    self.uri
                ))),
            },
        }
    }
}

/// A skill whose `SKILL.md` was read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedSkill {
    /// Its entry.
    pub entry: SkillEntry,
    /// The text of its `SKILL.md`.
    pub text: String,
}

/// The bytes of the first contents of a read.
fn bytes_of(r: ReadResourceResult, uri: &str) -> Result<Vec<u8>, Error> {
    match r.contents.into_iter().next() {
        Some(ResourceContents::Text(t)) => Ok(t.text.into_bytes()),
        Some(ResourceContents::Blob(b)) => STANDARD
            .decode(b.blob.as_bytes())
            .map_err(|e| Error::internal(format!("{uri}: a blob that is not base64: {e}"))),
        None => Err(Error::internal(format!(
            "{uri}: the server returned no contents"
        ))),
    }
}

/// Check `bytes` against a manifest entry: size first, then digest.
fn verify(file: &SkillFile, bytes: &[u8]) -> Result<(), Error> {
    if bytes.len() as u64 != file.size {
        return Err(Error::internal(format!(
            "{}: {} bytes where the skill's manifest says {}: not used",
            file.uri,
            bytes.len(),
            file.size
        )));
    }
    let digest = format!("sha256:{:x}", Sha256::digest(bytes));
    if digest != file.digest {
        return Err(Error::internal(format!(
            "{}: its digest is not the manifest's: not used",
            file.uri
        )));
    }
    Ok(())
}

/// The front matter of a `SKILL.md` (the block between the first two `---` lines).
fn frontmatter(text: &str) -> Result<JsonObject, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bad = |why: &str| Error::internal(format!("SKILL.md: {why}: not used"));
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("---") {
        return Err(bad("no front matter"));
    }
    let mut yaml = String::new();
    for l in lines {
        if l.trim_end() == "---" {
            let v: Value = serde_yaml_ng::from_str(&yaml).map_err(|e| bad(&e.to_string()))?;
            return match v {
                Value::Object(m) => Ok(m),
                _ => Err(bad("front matter that is not a mapping")),
            };
        }
        yaml.push_str(l);
    }
    Err(bad("front matter without its closing ---"))
}

impl Client {
    /// Every skill the server lists (`skills/list`, all pages). Nothing is read.
    pub async fn list_skills(&self) -> Result<Vec<SkillEntry>, Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            skills: Vec<SkillEntry>,
            next_cursor: Option<String>,
        }
        self.paginate("skills/list", |p: Page| (p.skills, p.next_cursor))
            .await
    }

    /// The entry of the skill whose `SKILL.md` is `uri` (`skills/get`).
    pub async fn get_skill(&self, uri: &str) -> Result<SkillEntry, Error> {
        let v: Value = self.request("skills/get", json!({ "uri": uri })).await?;
        serde_json::from_value(v["skill"].clone())
            .map_err(|e| Error::internal(format!("bad skills/get result: {e}")))
    }

    /// Read the skill's `SKILL.md` and check it against `entry` (size, digest, front
    /// matter); an error says what did not match, and nothing of it is returned.
    pub async fn load_skill(&self, entry: &SkillEntry) -> Result<LoadedSkill, Error> {
        let bytes = bytes_of(self.read_resource(&entry.uri).await?, &entry.uri)?;
        if let Some(f) = entry.file(&entry.uri)? {
            verify(f, &bytes)?;
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::internal(format!("{}: not UTF-8: not used", entry.uri)))?;
        let fm = frontmatter(&text)?;
        let keys: std::collections::BTreeSet<&String> =
            fm.keys().chain(entry.frontmatter.keys()).collect();
        for k in keys {
            if fm.get(k) != entry.frontmatter.get(k) {
                return Err(Error::internal(format!(
                    "{}: its front matter's {k:?} is not the entry's: not used",
                    entry.uri
                )));
            }
        }
        Ok(LoadedSkill {
            entry: entry.clone(),
            text,
        })
    }

    /// Read a file of the skill of `entry`, checked against its manifest.
    pub async fn read_skill_file(&self, entry: &SkillEntry, uri: &str) -> Result<Vec<u8>, Error> {
        let Some(f) = entry.file(uri)? else {
            return Err(Error::invalid_params(format!(
                "the skill {} publishes no manifest: {uri} cannot be checked \
                 (read_skill_file_unverified reads it anyway)",
                entry.uri
            )));
        };
        let bytes = bytes_of(self.read_resource(uri).await?, uri)?;
        verify(f, &bytes)?;
        Ok(bytes)
    }

    /// Read a file of a skill without checking it (for skills whose `resources` is
    /// `"dynamic"`).
    pub async fn read_skill_file_unverified(&self, uri: &str) -> Result<Vec<u8>, Error> {
        bytes_of(self.read_resource(uri).await?, uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SkillFile {
        SkillFile {
            uri: "skill://a/SKILL.md".into(),
            digest: format!("sha256:{:x}", Sha256::digest(text.as_bytes())),
            size: text.len() as u64,
        }
    }

    #[test]
    fn size_digest_and_front_matter_are_checked() {
        let text = "---\nname: a\ndescription: b\n---\nBody\n";
        let f = file(text);
        assert!(verify(&f, text.as_bytes()).is_ok());
        let e = verify(&f, format!("{text}more").as_bytes()).unwrap_err();
        assert!(
            e.message()
                .contains("bytes where the skill's manifest says"),
            "{e}"
        );
        let e = verify(&f, text.replace("Body", "Evil").as_bytes()).unwrap_err();
        assert!(e.message().contains("digest"), "{e}");
        let fm = frontmatter(text).unwrap();
        assert_eq!(fm["name"], "a");
        assert!(frontmatter("no front matter").is_err());
        assert!(frontmatter("---\nname: a\n").is_err());
    }

    #[test]
    fn entries_parse_with_a_manifest_or_dynamic() {
        let e: SkillEntry = serde_json::from_value(json!({
            "uri": "skill://a/SKILL.md", "frontmatter": {"name": "a", "description": "b"},
            "resources": "dynamic"
        }))
        .unwrap();
        assert_eq!(e.resources, SkillResources::Dynamic("dynamic".into()));
        assert_eq!((e.name(), e.description()), ("a", "b"));
        assert!(e.file("skill://a/x").unwrap().is_none());
    }
}
