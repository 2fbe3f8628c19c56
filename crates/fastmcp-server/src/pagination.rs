//! Opaque cursors over a list in deterministic order.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use fastmcp_core::Error;
use fastmcp_protocol::PaginatedRequestParams;
use serde_json::value::RawValue;

use crate::call::parse;

/// The page of `items` that a list request with `params` asks for (its `cursor`), and the
/// cursor of the next page.
pub(crate) fn requested<T>(
    items: Vec<T>,
    params: Option<&RawValue>,
    page_size: Option<usize>,
) -> Result<(Vec<T>, Option<String>), Error> {
    page(items, cursor(params)?.as_deref(), page_size)
}

/// The cursor a list request with `params` asks for (params that are not a list
/// request's are invalid params).
pub(crate) fn cursor(params: Option<&RawValue>) -> Result<Option<String>, Error> {
    let p: PaginatedRequestParams = parse(params)?;
    Ok(p.cursor)
}

/// One page of `items` starting at `cursor`: the page and the next cursor. With no page
/// size, everything in one page (the list as it is, not a copy).
pub(crate) fn page<T>(
    mut items: Vec<T>,
    cursor: Option<&str>,
    page_size: Option<usize>,
) -> Result<(Vec<T>, Option<String>), Error> {
    let start = match cursor {
        None => 0,
        Some(c) => decode(c)
            .filter(|s| *s <= items.len())
            .ok_or_else(|| Error::invalid_params(format!("Invalid cursor: {c:?}")))?,
    };
    let end = match page_size.filter(|s| *s > 0) {
        Some(size) => (start + size).min(items.len()),
        None => items.len(),
    };
    let next = (end < items.len()).then(|| encode(end));
    items.truncate(end);
    items.drain(..start);
    Ok((items, next))
}

fn encode(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

fn decode(c: &str) -> Option<usize> {
    let raw = URL_SAFE_NO_PAD.decode(c).ok()?;
    std::str::from_utf8(&raw)
        .ok()?
        .strip_prefix("o:")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_through_everything_once() {
        let items: Vec<u32> = (0..7).collect();
        let mut cursor = None;
        let mut seen = vec![];
        loop {
            let (p, next) = page(items.clone(), cursor.as_deref(), Some(3)).unwrap();
            seen.extend(p);
            match next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, items);
        assert!(page(items.clone(), Some("garbage"), Some(3)).is_err());
        assert!(page(items.clone(), Some(&encode(99)), Some(3)).is_err());
        assert_eq!(page(items.clone(), None, None).unwrap().0, items);
        let (rest, next) = page(items.clone(), Some(&encode(5)), None).unwrap();
        assert_eq!((rest, next), (vec![5, 6], None));
        let (end, next) = page(items, Some(&encode(7)), Some(3)).unwrap();
        assert_eq!((end.len(), next), (0, None));
    }
}
