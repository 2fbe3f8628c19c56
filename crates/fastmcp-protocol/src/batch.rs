//! Reading a JSON-RPC batch (protocol 2025-03-26) with a cap on its length: the items are
//! taken as raw JSON, one after the other, and reading stops at the first one past the
//! cap, so a long batch costs no more memory than an allowed one.

use std::fmt;

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// Why a batch could not be read.
#[derive(Debug)]
pub enum BatchError {
    /// Not a JSON array.
    Parse(serde_json::Error),
    /// More items than the cap.
    TooLong {
        /// The cap.
        max: usize,
    },
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::Parse(e) => write!(f, "Parse error: {e}"),
            BatchError::TooLong { max } => {
                write!(f, "Batch has more than {max} messages (the limit)")
            }
        }
    }
}

/// The items of a batch, at most `max` of them, unparsed.
///
/// ```
/// use fastmcp_protocol::batch::{batch_items, BatchError};
/// let items = batch_items(br#"[{"a":1},{"b":2}]"#, 10).unwrap();
/// assert_eq!(items.len(), 2);
/// assert!(matches!(batch_items(b"[1,2,3]", 2), Err(BatchError::TooLong { max: 2 })));
/// ```
pub fn batch_items(bytes: &[u8], max: usize) -> Result<Vec<&RawValue>, BatchError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut too_long = false;
    let seed = Capped {
        max,
        too_long: &mut too_long,
    };
    let items = seed.deserialize(&mut de).and_then(|items| {
        de.end()?;
        Ok(items)
    });
    match items {
        Ok(items) => Ok(items),
        Err(_) if too_long => Err(BatchError::TooLong { max }),
        Err(e) => Err(BatchError::Parse(e)),
    }
}

struct Capped<'f> {
    max: usize,
    too_long: &'f mut bool,
}

impl<'de> DeserializeSeed<'de> for Capped<'_> {
    type Value = Vec<&'de RawValue>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Capped<'_> {
    type Value = Vec<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.max));
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            if items.len() == self.max {
                *self.too_long = true;
                return Err(serde::de::Error::custom("too many messages"));
            }
            items.push(item);
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_cap() {
        assert_eq!(batch_items(b" [ {}, [], 1 ] ", 3).unwrap().len(), 3);
        assert!(matches!(
            batch_items(b"[{},{}]", 1),
            Err(BatchError::TooLong { max: 1 })
        ));
        assert!(matches!(
            batch_items(b"[{},", 10),
            Err(BatchError::Parse(_))
        ));
        assert!(matches!(
            batch_items(b"[] x", 10),
            Err(BatchError::Parse(_))
        ));
        assert!(matches!(batch_items(b"{}", 10), Err(BatchError::Parse(_))));
        assert!(batch_items(b"[]", 0).unwrap().is_empty());
    }
}
