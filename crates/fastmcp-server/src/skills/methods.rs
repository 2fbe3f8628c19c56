//! `skills/list`, `skills/get` and `resources/directory/read`.

use fastmcp_core::Error;
use fastmcp_protocol::CacheScope;
use serde_json::{json, Value};

use super::scan::Skill;
use crate::filesystem::path::{resolve, uri_path};

/// Add the list-caching attributes of 2026-07-28 to `r`.
fn cached(mut r: Value, cache: Option<(u64, CacheScope)>) -> Value {
    if let Some((ttl, scope)) = cache {
        r["ttlMs"] = json!(ttl);
        r["cacheScope"] = json!(scope);
    }
    r
}

pub(crate) fn list(
    skills: &[Skill],
    p: &Value,
    cache: Option<(u64, CacheScope)>,
) -> Result<Value, Error> {
    if let Some(c) = p.get("cursor").filter(|c| !c.is_null()) {
        return Err(Error::invalid_params(format!("Invalid cursor: {c}")));
    }
    let entries: Vec<Value> = skills.iter().map(Skill::entry).collect();
    Ok(cached(json!({ "skills": entries }), cache))
}

fn uri_param(p: &Value) -> Result<&str, Error> {
    p.get("uri")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid_params("Invalid params: `uri` (a string) is required"))
}

pub(crate) fn get(
    skills: &[Skill],
    p: &Value,
    cache: Option<(u64, CacheScope)>,
) -> Result<Value, Error> {
    let uri = uri_param(p)?;
    let Some(s) = skills.iter().find(|s| s.uri() == uri) else {
        return Err(Error::invalid_params(format!("Unknown skill: {uri}")));
    };
    Ok(cached(json!({ "skill": s.entry() }), cache))
}

/// The skill `uri` is within, and the path after its base (`""` for the base itself).
pub(crate) fn within<'s, 'u>(skills: &'s [Skill], uri: &'u str) -> Option<(&'s Skill, &'u str)> {
    skills.iter().find_map(|s| {
        let rest = uri.strip_prefix(s.base.as_str())?;
        match rest {
            "" | "/" => Some((s, "")),
            r => r.strip_prefix('/').map(|r| (s, r)),
        }
    })
}

pub(crate) async fn directory(skills: &[Skill], p: &Value) -> Result<Value, Error> {
    let uri = uri_param(p)?.to_owned();
    if let Some(c) = p.get("cursor").filter(|c| !c.is_null()) {
        return Err(Error::invalid_params(format!("Invalid cursor: {c}")));
    }
    let not_dir = || Error::invalid_params(format!("Not a directory of a skill: {uri}"));
    let Some((skill, rel)) = within(skills, &uri) else {
        return Err(not_dir());
    };
    let hidden = crate::filesystem::path::components(rel)
        .map_or(true, |parts| parts.iter().any(|p| p.starts_with('.')));
    if hidden {
        return Err(not_dir());
    }
    let (dir, rel) = (skill.dir.clone(), rel.trim_end_matches('/').to_owned());
    let base = skill.base.clone();
    let children = tokio::task::spawn_blocking(move || -> Option<Vec<Value>> {
        let here = resolve(&dir, &rel).ok()?;
        if !here.is_dir() {
            return None;
        }
        let mut out = vec![];
        let mut entries: Vec<_> = std::fs::read_dir(&here)
            .ok()?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            let real = std::fs::canonicalize(&path).ok()?;
            if name.starts_with('.') || !real.starts_with(&dir) {
                continue;
            }
            let rel = uri_path(&dir, &path)?;
            let mut child = json!({ "uri": format!("{base}/{rel}"), "name": name });
            if real.is_dir() {
                child["mimeType"] = json!("inode/directory");
            } else if let Some(t) = fastmcp_core::guess_mime(&path) {
                child["mimeType"] = json!(t);
            }
            out.push(child);
        }
        Some(out)
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?;
    match children {
        Some(c) => Ok(json!({ "resources": c })),
        None => Err(not_dir()),
    }
}
