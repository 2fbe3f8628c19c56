//! [`ToolIndex`]: a catalogue of tools ranked for a query, by BM25 over the words of each
//! tool's name, title, description and arguments, or by a regular expression.

use std::collections::HashMap;

use serde_json::Value;

use crate::provider::ToolEntry;

/// BM25's term-frequency saturation.
const K1: f32 = 1.2;
/// BM25's length normalisation.
const B: f32 = 0.75;
/// The longest regular expression a search accepts (bytes).
const MAX_PATTERN: usize = 512;

/// Tools, indexed for search. Built once per catalogue; searches do not allocate per tool
/// beyond one score per candidate.
///
/// ```
/// use std::sync::Arc;
/// use fastmcp_core::FnTool;
/// use fastmcp_server::{ToolEntry, ToolIndex};
///
/// let tool = |name: &str, description: &str| {
///     let def = fastmcp_protocol::Tool::new(name, serde_json::json!({"type": "object"}))
///         .with_description(description);
///     ToolEntry::new(Arc::new(FnTool::new(def, |_, _| async {
///         Ok(fastmcp_protocol::CallToolResult::text(""))
///     })))
/// };
/// let index = ToolIndex::new(vec![
///     tool("get_weather", "Tomorrow's weather forecast for a city."),
///     tool("send_mail", "Send an email message."),
/// ]);
/// assert_eq!(index.bm25("weather in paris", 5)[0].name(), "get_weather");
/// assert_eq!(index.regex("mail$", 5).unwrap()[0].name(), "send_mail");
/// ```
pub struct ToolIndex {
    tools: Vec<ToolEntry>,
    /// The searchable text of each tool (for regular expressions).
    texts: Vec<String>,
    /// For each word, the tools holding it and how often.
    postings: HashMap<String, Vec<(u32, u16)>>,
    lengths: Vec<u32>,
    average: f32,
}

impl ToolIndex {
    /// Index `tools`.
    pub fn new(tools: Vec<ToolEntry>) -> Self {
        let mut postings: HashMap<String, Vec<(u32, u16)>> = HashMap::new();
        let mut lengths = Vec::with_capacity(tools.len());
        let mut texts = Vec::with_capacity(tools.len());
        for (i, t) in tools.iter().enumerate() {
            let text = searchable(t);
            let mut counts: HashMap<String, u16> = HashMap::new();
            let mut n = 0u32;
            for w in words(&text) {
                *counts.entry(w).or_default() += 1;
                n += 1;
            }
            for (w, c) in counts {
                postings.entry(w).or_default().push((i as u32, c));
            }
            lengths.push(n);
            texts.push(text);
        }
        let total: u64 = lengths.iter().map(|&l| u64::from(l)).sum();
        let average = (total as f32 / tools.len().max(1) as f32).max(1.0);
        ToolIndex {
            tools,
            texts,
            postings,
            lengths,
            average,
        }
    }

    /// How many tools.
    pub fn len(&self) -> usize {
        self.tools.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }

    /// The tools holding any word of `query`, best first by BM25 (at most `limit`).
    pub fn bm25(&self, query: &str, limit: usize) -> Vec<&ToolEntry> {
        let n = self.tools.len() as f32;
        // One score per tool, dense: cheaper than a map when common words reach most.
        let mut scores = vec![0f32; self.tools.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for w in words(query) {
            if !seen.insert(w.clone()) {
                continue;
            }
            let Some(list) = self.postings.get(&w) else {
                continue;
            };
            let df = list.len() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(doc, tf) in list {
                let (tf, len) = (f32::from(tf), self.lengths[doc as usize] as f32);
                let norm = tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / self.average));
                let s = &mut scores[doc as usize];
                if *s == 0.0 {
                    touched.push(doc);
                }
                *s += idf * norm;
            }
        }
        let mut ranked: Vec<(u32, f32)> =
            touched.iter().map(|&d| (d, scores[d as usize])).collect();
        let by_score = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > limit && limit > 0 {
            ranked.select_nth_unstable_by(limit - 1, by_score);
            ranked.truncate(limit);
        }
        ranked.sort_unstable_by(by_score);
        ranked.truncate(limit);
        ranked
            .iter()
            .map(|&(d, _)| &self.tools[d as usize])
            .collect()
    }

    /// The tools whose name, title, description or arguments match `pattern` (case
    /// insensitive; `^` and `$` match at the start and end of each of those), in
    /// catalogue order (at most `limit`); a pattern that does not
    /// compile, or is too long, is an error.
    pub fn regex(&self, pattern: &str, limit: usize) -> Result<Vec<&ToolEntry>, String> {
        if pattern.len() > MAX_PATTERN {
            return Err(format!("the pattern is longer than {MAX_PATTERN} bytes"));
        }
        let re = regex::RegexBuilder::new(pattern)
            .case_insensitive(true)
            // `^` and `$` at each line: the name, title, description and each argument
            // are lines of their own.
            .multi_line(true)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| format!("invalid pattern: {e}"))?;
        let hits = self
            .texts
            .iter()
            .enumerate()
            .filter(|(_, t)| re.is_match(t));
        Ok(hits.take(limit).map(|(i, _)| &self.tools[i]).collect())
    }

    /// The tool called `name`.
    pub fn get(&self, name: &str) -> Option<&ToolEntry> {
        self.tools.iter().find(|t| t.name() == name)
    }
}

/// The text a tool is found by: name, title, description, argument names and
/// descriptions.
fn searchable(t: &ToolEntry) -> String {
    let def = t.handler().tool();
    let mut s = def.name.clone();
    for part in [&def.title, &def.description].into_iter().flatten() {
        s.push('\n');
        s.push_str(part);
    }
    if let Some(Value::Object(props)) = def.input_schema.get("properties") {
        for (name, p) in props {
            s.push('\n');
            s.push_str(name);
            if let Some(d) = p.get("description").and_then(Value::as_str) {
                s.push(' ');
                s.push_str(d);
            }
        }
    }
    s
}

/// The lower-case words of a text (runs of letters and digits; `snake_case` and
/// `kebab-case` names split into their words).
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}
