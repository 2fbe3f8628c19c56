//! The JSON file of a run: every figure of every cell, the implementations, and the table.

use std::path::Path;

use serde_json::json;

use crate::cli::Opts;
use crate::table::Results;

pub fn write_json(path: &Path, opts: &Opts, results: &Results, table: &str) -> anyhow::Result<()> {
    let mut j = serde_json::Map::new();
    for ((s, i), cell) in results {
        j.entry(s.clone())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("object")
            .insert(i.clone(), serde_json::to_value(cell)?);
    }
    let impls: Vec<_> = opts
        .impls
        .iter()
        .map(|i| {
            // Header names only: their values may be credentials.
            let headers: Vec<&str> = i
                .headers
                .iter()
                .filter_map(|h| h.split(':').next())
                .collect();
            json!({"name": i.name, "command": i.cmd.join(" "), "path": i.path, "headers": headers})
        })
        .collect();
    let skipped: Vec<_> = opts
        .skipped
        .iter()
        .map(|(n, w)| json!({"name": n, "why": w}))
        .collect();
    let doc = json!({
        "quick": opts.quick,
        "rounds": opts.rounds,
        "context": opts.context,
        "impls": impls,
        "skipped": skipped,
        "results": j,
        "table": table,
    });
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_vec_pretty(&doc)?)?;
    Ok(())
}
