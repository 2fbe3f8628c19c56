//! [`PromptTransform`]: one prompt reshaped (name, title, description, tags, arguments
//! renamed or re-described); a get or a completion reaches the original with its own
//! argument names.

use std::sync::Arc;

use fastmcp_core::{BoxFuture, Context, Error, PromptHandler, Require};
use fastmcp_protocol::{CompleteResult, GetPromptResult, Prompt};
use serde_json::{Map, Value};

use super::relabel::{relabel_methods, Relabel};
use crate::transform::{Next, Transform};
use crate::wrap_cache::LastWrap;

/// A prompt reshaped: a [`Transform`] that changes the prompt named `name` wherever it
/// comes from.
///
/// ```
/// use fastmcp_server::{PromptTransform, Server};
///
/// let review = PromptTransform::new("code_review_v2")
///     .rename("review")
///     .description("Review a piece of code.")
///     .arg("src", Some("code"), Some("The code to review."));
/// let server = Server::new("helper", "1.0.0").transform(review);
/// # let _ = server;
/// ```
pub struct PromptTransform {
    target: String,
    name: Option<String>,
    label: Relabel,
    /// (original name, shown name, new description).
    args: Vec<(String, Option<String>, Option<String>)>,
    made: LastWrap<Arc<dyn PromptHandler>>,
}

impl PromptTransform {
    /// Changes to the prompt called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        PromptTransform {
            target: name.into(),
            name: None,
            label: Relabel::default(),
            args: vec![],
            made: LastWrap::default(),
        }
    }

    /// Clients see (and get) it as `name`; the old name is no longer found.
    pub fn rename(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    relabel_methods!();

    /// The argument the original calls `name`: shown as `rename`, described as
    /// `describe` (`None`: unchanged).
    pub fn arg(mut self, name: &str, rename: Option<&str>, describe: Option<&str>) -> Self {
        self.args.push((
            name.into(),
            rename.map(Into::into),
            describe.map(Into::into),
        ));
        self
    }

    fn shown_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.target)
    }

    fn definition(&self, original: &Prompt) -> Prompt {
        let mut def = original.clone();
        def.name = self.shown_name().to_owned();
        self.label
            .apply(&mut def.title, &mut def.description, &mut def.meta);
        for a in def.arguments.iter_mut().flatten() {
            if let Some((_, rename, describe)) = self.args.iter().find(|(o, _, _)| *o == a.name) {
                if let Some(r) = rename {
                    a.name = r.clone();
                }
                if let Some(d) = describe {
                    a.description = Some(d.clone());
                }
            }
        }
        def
    }

    fn wrap(&self, original: Arc<dyn PromptHandler>) -> Arc<dyn PromptHandler> {
        let key = crate::wrap_cache::addr(&original);
        self.made.get_or(key, || {
            let renames = self
                .args
                .iter()
                .filter_map(|(o, r, _)| r.as_ref().map(|r| (o.clone(), r.clone())))
                .collect();
            Arc::new(ReshapedPrompt {
                def: self.definition(original.prompt()),
                renames,
                inner: original,
            })
        })
    }
}

impl Transform for PromptTransform {
    fn tools_revision(&self) -> Option<u64> {
        Some(0) // the same tools in, the same list out
    }

    fn prompts(&self, prompts: Vec<Arc<dyn PromptHandler>>) -> Vec<Arc<dyn PromptHandler>> {
        prompts
            .into_iter()
            .map(|p| {
                if p.prompt().name == self.target {
                    self.wrap(p)
                } else {
                    p
                }
            })
            .collect()
    }

    fn prompt<'a>(
        &'a self,
        name: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<Arc<dyn PromptHandler>>, Error>> {
        if name == self.shown_name() {
            return Box::pin(
                async move { Ok(next.prompt(&self.target).await?.map(|p| self.wrap(p))) },
            );
        }
        if name == self.target {
            return Box::pin(async { Ok(None) });
        }
        next.prompt(name)
    }
}

/// The reshaped prompt: arguments renamed back on the way in.
struct ReshapedPrompt {
    def: Prompt,
    /// (original, shown).
    renames: Vec<(String, String)>,
    inner: Arc<dyn PromptHandler>,
}

impl ReshapedPrompt {
    fn original_name(&self, shown: String) -> String {
        match self.renames.iter().find(|(_, s)| *s == shown) {
            Some((o, _)) => o.clone(),
            None => shown,
        }
    }

    fn map_back(&self, args: Map<String, Value>) -> Map<String, Value> {
        args.into_iter()
            // The original name of a renamed argument is not the reshaped prompt's.
            .filter(|(k, _)| !self.renames.iter().any(|(o, s)| o == k && o != s))
            .map(|(k, v)| (self.original_name(k), v))
            .collect()
    }
}

impl PromptHandler for ReshapedPrompt {
    fn prompt(&self) -> &Prompt {
        &self.def
    }
    fn auth(&self) -> Option<&Require> {
        self.inner.auth()
    }
    fn get(
        self: Arc<Self>,
        ctx: Context,
        args: Map<String, Value>,
    ) -> BoxFuture<'static, Result<GetPromptResult, Error>> {
        let args = self.map_back(args);
        self.inner.clone().get(ctx, args)
    }
    fn complete(
        self: Arc<Self>,
        ctx: Context,
        argument: String,
        value: String,
        context: Map<String, Value>,
    ) -> BoxFuture<'static, Result<CompleteResult, Error>> {
        let (argument, context) = (self.original_name(argument), self.map_back(context));
        self.inner.clone().complete(ctx, argument, value, context)
    }
}
