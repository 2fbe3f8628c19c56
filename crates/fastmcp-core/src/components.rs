//! A set of components registered at once: what `#[tools]` on an impl block produces,
//! one `#[tool]`, `#[resource]` or `#[prompt]`, or a tuple or `Vec` of those.

use std::sync::Arc;

use crate::dynamic::AnyResource;
use crate::handler::{PromptHandler, ToolHandler};

/// A set of components, as an impl block with `#[tools]` produces.
#[derive(Default)]
pub struct Components {
    /// Tools.
    pub tools: Vec<Arc<dyn ToolHandler>>,
    /// Resources and templates.
    pub resources: Vec<AnyResource>,
    /// Prompts.
    pub prompts: Vec<Arc<dyn PromptHandler>>,
}

/// Anything that yields a set of components: an impl block with `#[tools]`, one
/// `#[tool]`, `#[resource]` or `#[prompt]`, or a tuple or `Vec` of those.
pub trait IntoComponents {
    /// Convert.
    fn into_components(self) -> Components;
}

impl IntoComponents for Components {
    fn into_components(self) -> Components {
        self
    }
}

impl Components {
    /// Add `other`'s components after these.
    pub fn extend(&mut self, other: Components) {
        self.tools.extend(other.tools);
        self.resources.extend(other.resources);
        self.prompts.extend(other.prompts);
    }
}

impl<T: IntoComponents> IntoComponents for Vec<T> {
    fn into_components(self) -> Components {
        let mut all = Components::default();
        for c in self {
            all.extend(c.into_components());
        }
        all
    }
}

/// Tuples of components (`(add, search, notes, summarize)`: tools, resources and prompts
/// mixed) register all of theirs, in order.
macro_rules! tuple_components {
    ($($t:ident),+) => {
        impl<$($t: IntoComponents),+> IntoComponents for ($($t,)+) {
            #[allow(non_snake_case)]
            fn into_components(self) -> Components {
                let mut all = Components::default();
                let ($($t,)+) = self;
                $(all.extend($t.into_components());)+
                all
            }
        }
    };
}

tuple_components!(A);
tuple_components!(A, B);
tuple_components!(A, B, C);
tuple_components!(A, B, C, D);
tuple_components!(A, B, C, D, E);
tuple_components!(A, B, C, D, E, F);
tuple_components!(A, B, C, D, E, F, G);
tuple_components!(A, B, C, D, E, F, G, H);
tuple_components!(A, B, C, D, E, F, G, H, I);
tuple_components!(A, B, C, D, E, F, G, H, I, J);
tuple_components!(A, B, C, D, E, F, G, H, I, J, K);
tuple_components!(A, B, C, D, E, F, G, H, I, J, K, L);
tuple_components!(A, B, C, D, E, F, G, H, I, J, K, L, M);
tuple_components!(A, B, C, D, E, F, G, H, I, J, K, L, M, N);
tuple_components!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O);
tuple_components!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P);
