//! The search transform over a catalogue of 10,000 tools: one BM25 search and one regular
//! expression search (`SearchTools`'s `ToolIndex`), the index built once.
//! Run: `cargo bench -p fastmcp-bench --bench search`.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use fastmcp::core::FnTool;
use fastmcp::protocol::{CallToolResult, Tool};
use fastmcp::server::{ToolEntry, ToolIndex};
use serde_json::json;

const WORDS: [[&str; 10]; 4] = [
    [
        "fetch",
        "archive",
        "convert",
        "translate",
        "summarise",
        "encrypt",
        "schedule",
        "resize",
        "validate",
        "publish",
    ],
    [
        "red",
        "quarterly",
        "private",
        "large",
        "ancient",
        "binary",
        "urgent",
        "shared",
        "frozen",
        "daily",
    ],
    [
        "invoice", "photo", "ledger", "contract", "playlist", "forecast", "roster", "recipe",
        "ticket", "manifest",
    ],
    [
        "oslo", "lima", "kyoto", "nairobi", "quito", "tallinn", "perth", "dakar", "hanoi", "reno",
    ],
];

fn catalogue() -> ToolIndex {
    let tools = (0..10_000usize).map(|i| {
        let w = |k: usize| WORDS[k][i / 10usize.pow(k as u32) % 10];
        let def = Tool::new(
            format!("tool_{i}"),
            json!({"type": "object", "properties": {"note": {"type": "string", "description": "A note."}}}),
        )
        .with_description(format!("{} the {} {} of {}", w(0), w(1), w(2), w(3)));
        let f = FnTool::new(def, |_, _| async { Ok(CallToolResult::text("")) });
        ToolEntry::new(Arc::new(f))
    });
    ToolIndex::new(tools.collect())
}

fn search(c: &mut Criterion) {
    let index = catalogue();
    c.bench_function("bm25 search, 10,000 tools", |b| {
        b.iter(|| index.bm25("encrypt the frozen ledger of hanoi", 10).len())
    });
    c.bench_function("regex search, 10,000 tools", |b| {
        b.iter(|| index.regex("frozen ledger of han", 10).unwrap().len())
    });
}

criterion_group!(benches, search);
criterion_main!(benches);
