//! The providers of a server, asked in order: the first that has a name wins, and a list
//! shows each name once (the one a lookup finds).

use std::collections::HashSet;
use std::sync::Arc;

use fastmcp_core::{BoxFuture, Error, PromptHandler, ResourceHandler};

use super::{walk, Kinds, Page, Provider, ResourceTarget, TemplateEntry, ToolEntry};
use crate::changes::ChangeNotifier;

/// Several providers as one.
pub(crate) struct ProviderSet {
    providers: Vec<Arc<dyn Provider>>,
}

impl ProviderSet {
    pub(crate) fn new(providers: Vec<Arc<dyn Provider>>) -> Self {
        ProviderSet { providers }
    }

    /// Every item of every provider, the first of each key only.
    async fn all<'a, T, L, K>(&'a self, list: L, key: K) -> Result<Vec<T>, Error>
    where
        L: Fn(&'a dyn Provider, Option<String>) -> BoxFuture<'a, Result<Page<T>, Error>>,
        K: Fn(&T) -> String,
    {
        if let [only] = self.providers.as_slice() {
            return walk(|c| list(&**only, c)).await;
        }
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for p in &self.providers {
            let items = walk(|c| list(&**p, c)).await?;
            out.extend(items.into_iter().filter(|t| seen.insert(key(t))));
        }
        Ok(out)
    }
}

impl Provider for ProviderSet {
    fn kinds(&self) -> Kinds {
        self.providers
            .iter()
            .fold(Kinds::default(), |k, p| k.union(p.kinds()))
    }

    fn attach(&self, changes: &ChangeNotifier) {
        for p in &self.providers {
            p.attach(changes);
        }
    }

    fn tools_revision(&self) -> Option<u64> {
        super::sum_of(self.providers.iter().map(|p| p.tools_revision()))
    }

    fn list_tools(&self, _: Option<String>) -> BoxFuture<'_, Result<Page<ToolEntry>, Error>> {
        Box::pin(async move {
            let all = self
                .all(|p, c| p.list_tools(c), |t| t.name().to_owned())
                .await?;
            Ok(Page::all(all))
        })
    }

    fn get_tool<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
        Box::pin(async move {
            for p in &self.providers {
                if let Some(t) = p.get_tool(name).await? {
                    return Ok(Some(t));
                }
            }
            Ok(None)
        })
    }

    fn get_tool_now(&self, name: &str) -> Option<Result<Option<ToolEntry>, Error>> {
        // In order, as `get_tool`: the first provider that cannot answer at once makes the
        // whole lookup asynchronous (it might have the tool).
        for p in &self.providers {
            match p.get_tool_now(name)? {
                Ok(None) => continue,
                found => return Some(found),
            }
        }
        Some(Ok(None))
    }

    fn list_resources(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn ResourceHandler>>, Error>> {
        Box::pin(async move {
            let all = self
                .all(|p, c| p.list_resources(c), |r| r.resource().uri.clone())
                .await?;
            Ok(Page::all(all))
        })
    }

    fn list_templates(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move {
            let all = self
                .all(|p, c| p.list_templates(c), |t| t.uri_template().to_owned())
                .await?;
            Ok(Page::all(all))
        })
    }

    fn resolve_resource<'a>(
        &'a self,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<Option<ResourceTarget>, Error>> {
        Box::pin(async move {
            for p in &self.providers {
                if let Some(t) = p.resolve_resource(uri).await? {
                    return Ok(Some(t));
                }
            }
            Ok(None)
        })
    }

    fn get_template<'a>(
        &'a self,
        uri_template: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move {
            for p in &self.providers {
                if let Some(t) = p.get_template(uri_template).await? {
                    return Ok(Some(t));
                }
            }
            Ok(None)
        })
    }

    fn list_prompts(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn PromptHandler>>, Error>> {
        Box::pin(async move {
            let all = self
                .all(|p, c| p.list_prompts(c), |p| p.prompt().name.clone())
                .await?;
            Ok(Page::all(all))
        })
    }

    fn get_prompt<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<dyn PromptHandler>>, Error>> {
        Box::pin(async move {
            for p in &self.providers {
                if let Some(h) = p.get_prompt(name).await? {
                    return Ok(Some(h));
                }
            }
            Ok(None)
        })
    }
}

#[cfg(test)]
mod tests {
    use fastmcp_core::FnTool;
    use fastmcp_protocol::{CallToolResult, Tool};

    use super::*;
    use crate::provider::local::LocalProvider;

    fn tool(name: &str) -> Arc<dyn fastmcp_core::ToolHandler> {
        let def = Tool::new(name, serde_json::json!({"type": "object"}));
        Arc::new(FnTool::new(def, |_, _| async {
            Ok(CallToolResult::text("t"))
        }))
    }

    fn local(names: &[&str]) -> Arc<dyn Provider> {
        let p = LocalProvider::new(ChangeNotifier::new());
        for n in names {
            p.add_tool(tool(n)).unwrap();
        }
        Arc::new(p)
    }

    /// A provider that only answers by waiting (the default `get_tool_now`).
    struct Waits(Vec<ToolEntry>);

    impl Provider for Waits {
        fn kinds(&self) -> Kinds {
            Kinds::default()
        }
        fn list_tools(&self, _: Option<String>) -> BoxFuture<'_, Result<Page<ToolEntry>, Error>> {
            Box::pin(async move { Ok(Page::all(self.0.clone())) })
        }
    }

    fn name(found: Option<Result<Option<ToolEntry>, Error>>) -> Option<Option<String>> {
        found.map(|r| r.unwrap().map(|t| t.name().to_owned()))
    }

    #[test]
    fn a_lookup_is_answered_at_once_only_when_every_provider_before_the_answer_can() {
        let waits = || Arc::new(Waits(vec![ToolEntry::new(tool("w"))])) as Arc<dyn Provider>;
        let first_local = ProviderSet::new(vec![local(&["a"]), waits()]);
        assert_eq!(name(first_local.get_tool_now("a")), Some(Some("a".into())));
        assert_eq!(
            name(first_local.get_tool_now("w")),
            None,
            "the second might have it"
        );
        let first_waits = ProviderSet::new(vec![waits(), local(&["a"])]);
        assert_eq!(
            name(first_waits.get_tool_now("a")),
            None,
            "the first might shadow it"
        );
        let only_local = ProviderSet::new(vec![local(&["a"]), local(&["b"])]);
        assert_eq!(name(only_local.get_tool_now("b")), Some(Some("b".into())));
        assert_eq!(name(only_local.get_tool_now("c")), Some(None));
    }

    #[tokio::test]
    async fn the_lookup_that_waits_agrees() {
        let w = ToolEntry::new(tool("w"));
        let set = ProviderSet::new(vec![Arc::new(Waits(vec![w.clone()])), local(&["a", "w"])]);
        assert_eq!(name(set.get_tool_now("w")), None);
        let found = set.get_tool("w").await.unwrap().unwrap();
        assert!(found.same(&w), "the first provider's, as the list shows it");
        assert!(set.get_tool("a").await.unwrap().is_some());
    }
}
