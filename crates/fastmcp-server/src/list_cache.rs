//! The last `tools/list` answer of each era, reused while a request lists the very same
//! tools (the same entries, by identity, and the same next cursor): a thousand tool
//! definitions are copied once instead of serialized again. Entries are immutable, and the
//! cache holds the ones it was made from, so identity cannot be mistaken for sameness.

use std::sync::{Arc, Mutex};

use serde_json::value::RawValue;

use crate::lock::lock;
use crate::provider::ToolEntry;

struct Listed {
    tools: Vec<ToolEntry>,
    next: Option<String>,
    result: Box<RawValue>,
}

/// One answer per era: handshake (`[0]`) and stateless (`[1]`).
#[derive(Default)]
pub(crate) struct ToolListCache([Mutex<Option<Arc<Listed>>>; 2]);

impl ToolListCache {
    /// The answer made for exactly `tools` and `next`, if it is the last one made.
    pub(crate) fn get(
        &self,
        stateless: bool,
        tools: &[ToolEntry],
        next: &Option<String>,
    ) -> Option<Box<RawValue>> {
        let last = lock(&self.0[stateless as usize]).clone()?;
        let same = last.next == *next
            && last.tools.len() == tools.len()
            && last.tools.iter().zip(tools).all(|(a, b)| a.same(b));
        same.then(|| last.result.clone())
    }

    /// Keep `result`, the answer listing `tools` with `next`.
    pub(crate) fn put(
        &self,
        stateless: bool,
        tools: Vec<ToolEntry>,
        next: Option<String>,
        result: &RawValue,
    ) {
        let listed = Listed {
            tools,
            next,
            result: result.to_owned(),
        };
        *lock(&self.0[stateless as usize]) = Some(Arc::new(listed));
    }
}
