//! The last `tools/list` answer of each era, reused while a request lists the very same
//! tools: a thousand tool definitions are copied once instead of serialized again.
//!
//! Two ways to know the tools are the same. When the catalog has a revision
//! ([`crate::Provider::tools_revision`]) and the answer is the one every caller gets (the
//! first page, no session hiding a tool, no tool or server policy that depends on the
//! caller), an answer made at the same revision is reused without listing at all.
//! Otherwise the request lists, and the answer is reused when it lists the same entries,
//! by identity, with the same next cursor. Entries are immutable, and the cache holds the
//! ones it was made from, so identity cannot be mistaken for sameness.
//!
//! A revision is read before the list it tags is made, so the answer kept with it is never
//! older than the revision says: a request that starts after a change has completed gets
//! an answer that shows it.

use std::sync::{Arc, Mutex};

use serde_json::value::RawValue;

use crate::lock::lock;
use crate::provider::ToolEntry;

struct Listed {
    tools: Vec<ToolEntry>,
    next: Option<String>,
    result: Box<RawValue>,
}

/// The last answer and, when it is the answer for every caller, the catalog's revision
/// it was made at.
#[derive(Default)]
struct Slot {
    listed: Option<Arc<Listed>>,
    revision: Option<u64>,
}

/// One answer per era: handshake (`[0]`) and stateless (`[1]`).
#[derive(Default)]
pub(crate) struct ToolListCache([Mutex<Slot>; 2]);

impl ToolListCache {
    /// The answer for every caller made at `revision`, if it is the last one made.
    pub(crate) fn at(&self, stateless: bool, revision: u64) -> Option<Box<RawValue>> {
        let last = {
            let slot = lock(&self.0[stateless as usize]);
            if slot.revision != Some(revision) {
                return None;
            }
            slot.listed.clone()?
        };
        Some(last.result.clone())
    }

    /// The answer made for exactly `tools` and `next`, if it is the last one made; it is
    /// then the answer for every caller at `revision`, when that is given.
    pub(crate) fn get(
        &self,
        stateless: bool,
        tools: &[ToolEntry],
        next: &Option<String>,
        revision: Option<u64>,
    ) -> Option<Box<RawValue>> {
        let last = {
            let mut slot = lock(&self.0[stateless as usize]);
            let last = slot.listed.clone()?;
            let same = last.next == *next
                && last.tools.len() == tools.len()
                && last.tools.iter().zip(tools).all(|(a, b)| a.same(b));
            if !same {
                return None;
            }
            if revision.is_some() {
                slot.revision = revision;
            }
            last
        };
        Some(last.result.clone())
    }

    /// Keep `result`, the answer listing `tools` with `next`; the answer for every caller
    /// at `revision`, when that is given.
    pub(crate) fn put(
        &self,
        stateless: bool,
        tools: Vec<ToolEntry>,
        next: Option<String>,
        revision: Option<u64>,
        result: &RawValue,
    ) {
        let listed = Listed {
            tools,
            next,
            result: result.to_owned(),
        };
        *lock(&self.0[stateless as usize]) = Slot {
            listed: Some(Arc::new(listed)),
            revision,
        };
    }
}
