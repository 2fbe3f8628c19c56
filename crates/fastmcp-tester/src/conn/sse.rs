//! Server-sent events: the `data` of each event of a response body.

/// An incremental SSE parser: feed text, take the `data` of complete events.
#[derive(Default)]
pub(crate) struct SseParser {
    pending: String,
}

impl SseParser {
    /// Add received text; return the data of every event it completes.
    pub fn feed(&mut self, text: &str) -> Vec<String> {
        self.pending
            .push_str(&text.replace("\r\n", "\n").replace('\r', "\n"));
        let mut events = Vec::new();
        while let Some(end) = self.pending.find("\n\n") {
            let block: String = self.pending.drain(..end + 2).collect();
            let data: Vec<&str> = block
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            if !data.is_empty() {
                events.push(data.join("\n"));
            }
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::SseParser;

    #[test]
    fn events_split_across_chunks() {
        let mut p = SseParser::default();
        assert!(p.feed("id: 1\ndata: {\"a\"").is_empty());
        assert_eq!(
            p.feed(":1}\n\ndata: x\r\n\r\n: comment\n\n"),
            vec!["{\"a\":1}", "x"]
        );
    }
}
