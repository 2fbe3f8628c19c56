//! [`SearchTools`]: a large catalogue behind two tools, `search_tools` and `call_tool`.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use fastmcp_core::{BoxFuture, Context, Error, FnTool, ToolArguments, ToolHandler};
use fastmcp_protocol::{CallToolResult, Tool};
use serde::Deserialize;
use serde_json::{json, Value};

use super::index::ToolIndex;
use crate::provider::ToolEntry;
use crate::transform::{Next, Transform};

/// How `search_tools` ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ranking {
    Bm25,
    Regex,
}

/// Replaces the tool list by `search_tools` (a query → the best matching tools'
/// definitions) and `call_tool` (a name and arguments → the call), plus any pinned tools:
/// a model sees two tools instead of thousands and finds the one it needs.
///
/// The catalogue is indexed once per version of the list. `call_tool` reaches only
/// tools the caller may use (each tool's own [`fastmcp_core::Require`]).
///
/// ```
/// use fastmcp_server::{SearchTools, Server};
///
/// let server = Server::new("big", "1.0.0").transform(SearchTools::bm25().pin(["help"]));
/// # let _ = server;
/// ```
pub struct SearchTools {
    ranking: Ranking,
    pinned: Vec<String>,
    max_results: usize,
    /// The index of the last list seen, by its fingerprint, and the two tools over it.
    built: Mutex<Option<(u64, [ToolEntry; 2])>>,
}

const SEARCH: &str = "search_tools";
const CALL: &str = "call_tool";

impl SearchTools {
    /// Rank by BM25 over each tool's name, title, description and arguments.
    pub fn bm25() -> Self {
        Self::with(Ranking::Bm25)
    }

    /// Match a regular expression (case insensitive) over the same text.
    pub fn regex() -> Self {
        Self::with(Ranking::Regex)
    }

    fn with(ranking: Ranking) -> Self {
        SearchTools {
            ranking,
            pinned: vec![],
            max_results: 10,
            built: Mutex::new(None),
        }
    }

    /// Keep these tools in the list beside the two.
    pub fn pin<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.pinned.extend(names.into_iter().map(Into::into));
        self
    }

    /// At most this many results per search (default 10; a search may ask for fewer).
    pub fn max_results(mut self, n: usize) -> Self {
        self.max_results = n.max(1);
        self
    }

    /// The two tools over `tools` (made again only when the list changed).
    fn tools_over(&self, tools: Vec<ToolEntry>) -> [ToolEntry; 2] {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for t in &tools {
            crate::wrap_cache::addr(t.handler()).hash(&mut h);
        }
        let key = h.finish();
        let mut built = self
            .built
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((k, pair)) = &*built {
            if *k == key {
                return pair.clone();
            }
        }
        let index = Arc::new(ToolIndex::new(tools));
        let pair = [self.search_tool(index.clone()), call_tool(index)];
        *built = Some((key, pair.clone()));
        pair
    }

    fn search_tool(&self, index: Arc<ToolIndex>) -> ToolEntry {
        let (ranking, max) = (self.ranking, self.max_results);
        let what = match ranking {
            Ranking::Bm25 => "Words describing what the tool should do.",
            Ranking::Regex => {
                "A regular expression (case insensitive) over tool names and descriptions."
            }
        };
        let def = Tool::new(
            SEARCH,
            json!({"type": "object", "properties": {
                "query": {"type": "string", "description": what},
                "limit": {"type": "integer", "minimum": 1, "description": "How many tools at most."}
            }, "required": ["query"]}),
        )
        .with_description("Find the tools that can do something; call one with call_tool.");
        let f = FnTool::new(def, move |ctx: Context, args: ToolArguments| {
            let index = index.clone();
            async move {
                let a: SearchArgs = args.parse()?;
                let limit = a.limit.unwrap_or(max).clamp(1, max);
                let found = match ranking {
                    Ranking::Bm25 => index.bm25(&a.query, limit * 2),
                    Ranking::Regex => index.regex(&a.query, limit * 2).map_err(Error::tool)?,
                };
                let defs: Vec<Value> = found
                    .into_iter()
                    .filter(|t| may_use(&ctx, t))
                    .take(limit)
                    .map(|t| {
                        let d = t.handler().tool();
                        json!({"name": d.name, "description": d.description, "inputSchema": d.input_schema})
                    })
                    .collect();
                let out = json!({ "tools": defs });
                let mut r = CallToolResult::text(out.to_string());
                r.structured_content = Some(out);
                Ok(r)
            }
        });
        ToolEntry::new(Arc::new(f))
    }
}

#[derive(Deserialize)]
struct SearchArgs {
    query: String,
    #[serde(default)]
    limit: Option<usize>,
}

#[derive(Deserialize)]
struct CallArgs {
    name: String,
    #[serde(default)]
    arguments: Option<Value>,
}

/// Whether the caller of `ctx` may use `t` (its own requirement).
fn may_use(ctx: &Context, t: &ToolEntry) -> bool {
    t.handler()
        .auth()
        .is_none_or(|r| r.check(ctx.auth()).allowed())
}

fn call_tool(index: Arc<ToolIndex>) -> ToolEntry {
    let def = Tool::new(
        CALL,
        json!({"type": "object", "properties": {
            "name": {"type": "string", "description": "The tool's name, from search_tools."},
            "arguments": {"type": "object", "description": "The tool's arguments."}
        }, "required": ["name"]}),
    )
    .with_description("Call a tool found with search_tools.");
    let f = FnTool::new(def, move |ctx: Context, args: ToolArguments| {
        let index = index.clone();
        async move {
            let a: CallArgs = args.parse()?;
            let tool: Arc<dyn ToolHandler> = match index.get(&a.name) {
                Some(t) if may_use(&ctx, t) => t.handler().clone(),
                _ => return Err(Error::tool(format!("Unknown tool: {}", a.name))),
            };
            let args = ToolArguments::from_value(a.arguments.unwrap_or_else(|| json!({})));
            tool.call(ctx, args).await
        }
    });
    ToolEntry::new(Arc::new(f))
}

impl Transform for SearchTools {
    fn tools_revision(&self) -> Option<u64> {
        Some(0) // the same tools in, the same list out
    }

    fn tools(&self, tools: Vec<ToolEntry>) -> Vec<ToolEntry> {
        let pinned: Vec<ToolEntry> = tools
            .iter()
            .filter(|t| self.pinned.iter().any(|p| p == t.name()))
            .cloned()
            .collect();
        let [search, call] = self.tools_over(tools);
        let mut out = vec![search, call];
        out.extend(pinned);
        out
    }

    fn tool<'a>(
        &'a self,
        name: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
        if self.pinned.iter().any(|p| p == name) {
            return next.tool(name);
        }
        let which = match name {
            SEARCH => 0,
            CALL => 1,
            _ => return Box::pin(async { Ok(None) }),
        };
        Box::pin(async move {
            let all = next.list_tools().await?;
            Ok(Some(self.tools_over(all)[which].clone()))
        })
    }
}
