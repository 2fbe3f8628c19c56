//! The messages a server reads most, read in one pass without serde.
//!
//! A request or a notification whose members are `jsonrpc` (`"2.0"`), `id` (an integer
//! of up to 18 digits or a string), `method` and `params` (an object or an array), in any
//! order, each once, with no escape in the names or in `jsonrpc`, `id` and `method`: that
//! is every message a client sends but its responses. For such a message `request` does
//! what serde's reading of the envelope does (the same message, the params checked to be
//! one JSON value as strictly), in about half of its instructions and without its
//! allocations; [`tool_call`] does the same for the params of a `tools/call`. Anything
//! else (a response, another member, an escape, a number id with a sign, a fraction or
//! 19 digits, any malformed JSON) is `None`: left to serde, which reads it or says what
//! is wrong with it, so that what the two accept never differs.

use std::ops::Range;

use serde_json::value::RawValue;

use crate::jsonrpc::{self, Message, Notification, Request, RequestId};
use crate::raw::raw;

/// Read `text` if it is a request or notification of the common shape (see the module).
pub(crate) fn request(text: &str) -> Option<Message> {
    let (mut version, mut id, mut method, mut params) = (false, None, None, None);
    members(
        text,
        &[b"jsonrpc", b"id", b"method", b"params"],
        |key, c| {
            match key {
                0 if !version => {
                    c.word(b"\"2.0\"")?;
                    version = true;
                }
                1 if id.is_none() => id = Some(c.id()?),
                2 if method.is_none() => method = Some(c.plain_str()?),
                3 if params.is_none() => params = Some(c.container()?),
                _ => return None,
            }
            Some(())
        },
    )?;
    if !version {
        return None;
    }
    let method = jsonrpc::method(method?);
    let params = match params {
        Some(p) => Some(raw(&text[p])?),
        None => None,
    };
    Some(match id {
        Some(id) => Message::Request(Request { id, method, params }),
        None => Message::Notification(Notification { method, params }),
    })
}

/// The params of a `tools/call` of the common shape, as [`tool_call`] reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall<'a> {
    /// The tool's name.
    pub name: &'a str,
    /// Where the arguments (an object) are in the params' text, if they are there.
    pub arguments: Option<Range<usize>>,
}

/// Read the params of a `tools/call` if their members are `name` (a string without
/// escapes) and `arguments` (an object), in either order, each once, with no escape in
/// those two names; `None` for anything else (`_meta`, `task`, an escape in the name...),
/// which a server reads with serde instead. The params are JSON already checked (a
/// [`RawValue`] is): the arguments are skipped over, not checked again.
///
/// ```
/// use fastmcp_protocol::scan::tool_call;
/// use serde_json::value::RawValue;
/// let params = RawValue::from_string(r#"{"name":"echo","arguments":{"message":"hi"}}"#.into())?;
/// let call = tool_call(&params).unwrap();
/// assert_eq!(call.name, "echo");
/// assert_eq!(&params.get()[call.arguments.unwrap()], r#"{"message":"hi"}"#);
/// let other = RawValue::from_string(r#"{"name":"echo","_meta":{}}"#.into())?;
/// assert_eq!(tool_call(&other), None);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn tool_call(params: &RawValue) -> Option<ToolCall<'_>> {
    let (mut name, mut arguments) = (None, None);
    members(params.get(), &[b"name", b"arguments"], |key, c| {
        match key {
            0 if name.is_none() => name = Some(c.plain_str()?),
            1 if arguments.is_none() => arguments = Some(c.checked_object()?),
            _ => return None,
        }
        Some(())
    })?;
    Some(ToolCall {
        name: name?,
        arguments,
    })
}

/// Walk `text`, one JSON object with whitespace around it whose members are all named in
/// `keys` (without escapes, else `None`): `member` reads the value of each, given the
/// index of its name in `keys` and the cursor at the value.
fn members<'a>(
    text: &'a str,
    keys: &[&[u8]],
    mut member: impl FnMut(usize, &mut Cursor<'a>) -> Option<()>,
) -> Option<()> {
    let mut c = Cursor { text, at: 0 };
    c.ws();
    c.eat(b'{')?;
    loop {
        c.ws();
        let key = c.key_of(keys)?;
        c.ws();
        c.eat(b':')?;
        c.ws();
        member(key, &mut c)?;
        c.ws();
        match c.next()? {
            b',' => continue,
            b'}' => break,
            _ => return None,
        }
    }
    c.ws();
    (c.at == text.len()).then_some(())
}

/// Eight bytes, one in each byte of a `u64`: the high bit set in the byte of the first
/// quote, backslash or control character (bytes after it may be flagged wrongly, by the
/// borrow of a subtraction; the lowest flag is always right).
fn special(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_in = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let quote = zero_in(x ^ (ONES * u64::from(b'"')));
    let backslash = zero_in(x ^ (ONES * u64::from(b'\\')));
    // Below 0x20: the subtraction borrows into the high bit of a byte that had none.
    let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
    quote | backslash | control
}

/// Whether `text` holds a character JSON escapes in a string (a quote, a backslash, a
/// control character): if not, its JSON string is the text between quotes.
pub(crate) fn needs_escape(text: &str) -> bool {
    first_special(text.as_bytes()).is_some()
}

/// Where the first quote, backslash or control character of `bytes` is: eight bytes at a
/// time, then one at a time.
#[inline(always)]
fn first_special(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let chunk: [u8; 8] = chunk.try_into().expect("chunks of eight");
        let found = special(u64::from_le_bytes(chunk));
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let rest = chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    Some(at + rest)
}

/// A place in the text.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

/// The deepest nesting [`Cursor::value`] follows (one bit of a `u64` per level).
const MAX_DEPTH: u32 = 64;

impl<'a> Cursor<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.next()? == b).then_some(())
    }

    /// Skip JSON's whitespace (space, tab, line feed, carriage return).
    #[inline(always)]
    fn ws(&mut self) {
        // Mostly there is none: one comparison says so (whitespace is at most a space).
        if self.peek().is_some_and(|b| b > b' ') {
            return;
        }
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// A string without escapes: its text.
    fn plain_str(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let rest = self.bytes().get(start..)?;
        let len = first_special(rest)?;
        if rest[len] != b'"' {
            return None;
        }
        self.at += len + 1;
        // Both ends are next to a quote: character boundaries.
        self.text.get(start..start + len)
    }

    /// A member's name that is one of `keys` (written without escapes): its index.
    fn key_of(&mut self, keys: &[&[u8]]) -> Option<usize> {
        let rest = self.bytes().get(self.at + 1..)?;
        if self.peek()? != b'"' {
            return None;
        }
        let i = keys.iter().position(|k| {
            rest.len() > k.len() && rest[..k.len()] == **k && rest[k.len()] == b'"'
        })?;
        self.at += keys[i].len() + 2;
        Some(i)
    }

    /// An object of text already checked to be JSON: where it is. Only strings and
    /// brackets are followed, and escapes are stepped over unchecked (a quote or a
    /// backslash found eight bytes at a time); `None` if the text turns out not to be JSON
    /// after all.
    fn checked_object(&mut self) -> Option<Range<usize>> {
        let start = self.at;
        if self.peek()? != b'{' {
            return None;
        }
        let mut depth = 0usize;
        loop {
            match self.next()? {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(start..self.at);
                    }
                }
                b'"' => loop {
                    self.at += first_special(self.bytes().get(self.at..)?)?;
                    if self.next()? == b'"' {
                        break;
                    }
                    self.at += 1;
                },
                _ => {}
            }
        }
    }

    /// Skip a string, escapes and all.
    fn string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            let rest = self.bytes().get(self.at..)?;
            let len = first_special(rest)?;
            self.at += len + 1;
            match rest[len] {
                b'"' => return Some(()),
                b'\\' => {}
                _ => return None,
            }
            match self.next()? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                b'u' => {
                    let hex = self.bytes().get(self.at..self.at + 4)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    self.at += 4;
                }
                _ => return None,
            }
        }
    }

    /// The digits from here: how many.
    fn digits(&mut self) -> usize {
        let n = self.bytes()[self.at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.at += n;
        n
    }

    /// Skip a number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    /// Skip `word` (`true`, `false` or `null`).
    fn word(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes().get(self.at..end)? == word).then(|| self.at = end)
    }

    /// An id: a string without escapes, or an integer of up to 18 digits (never out of
    /// an `i64`'s range), with no sign, fraction or exponent.
    fn id(&mut self) -> Option<RequestId> {
        if self.peek()? == b'"' {
            return Some(RequestId::String(self.plain_str()?.into()));
        }
        let start = self.at;
        let n = self.digits();
        if n == 0 || n > 18 || (n > 1 && self.bytes()[start] == b'0') {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = self.peek() {
            return None;
        }
        // At most 18 digits: below `i64::MAX`.
        let digits = &self.bytes()[start..self.at];
        let value = digits
            .iter()
            .fold(0i64, |v, d| v * 10 + i64::from(d - b'0'));
        Some(RequestId::Number(value))
    }

    /// A member's name and its colon.
    fn key(&mut self) -> Option<()> {
        self.string()?;
        self.ws();
        self.eat(b':')
    }

    /// An object or an array: where it is.
    fn container(&mut self) -> Option<Range<usize>> {
        let start = self.at;
        if !matches!(self.peek(), Some(b'{' | b'[')) {
            return None;
        }
        self.value()?;
        Some(start..self.at)
    }

    /// Skip one JSON value, checked as strictly as serde_json does: nested up to
    /// [`MAX_DEPTH`] (deeper: `None`).
    fn value(&mut self) -> Option<()> {
        // The open containers, innermost in the lowest bit (1: an object).
        let (mut open, mut depth) = (0u64, 0u32);
        loop {
            self.ws();
            match self.peek()? {
                b'{' | b'[' => {
                    let object = self.next()? == b'{';
                    self.ws();
                    if self.peek() == Some(if object { b'}' } else { b']' }) {
                        self.at += 1;
                    } else {
                        if depth == MAX_DEPTH {
                            return None;
                        }
                        (open, depth) = (open << 1 | u64::from(object), depth + 1);
                        if object {
                            self.key()?;
                        }
                        continue;
                    }
                }
                b'"' => self.string()?,
                b't' => self.word(b"true")?,
                b'f' => self.word(b"false")?,
                b'n' => self.word(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // After a value: close what ends here, then go on to the next value.
            loop {
                if depth == 0 {
                    return Some(());
                }
                self.ws();
                let object = open & 1 == 1;
                match self.next()? {
                    b',' => {
                        if object {
                            self.ws();
                            self.key()?;
                        }
                        break;
                    }
                    b'}' if object => {}
                    b']' if !object => {}
                    _ => return None,
                }
                (open, depth) = (open >> 1, depth - 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde's reading of the envelope makes of `text`.
    fn by_serde(text: &str) -> Result<Message, crate::jsonrpc::ParseFailure> {
        crate::jsonrpc::parse_with_serde(text.as_bytes())
    }

    /// The fast reading of `text` agrees with serde's: when it reads a message, serde
    /// reads the same one.
    fn agrees(text: &str) -> bool {
        match request(text) {
            None => false,
            Some(m) => {
                let s = by_serde(text).unwrap_or_else(|e| panic!("{text}: serde: {e:?}"));
                assert_eq!(format!("{m:?}"), format!("{s:?}"), "{text}");
                true
            }
        }
    }

    #[test]
    fn reads_the_common_shapes_as_serde_does() {
        for text in [
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"m":"hi"}}}"#,
            r#" { "method" : "ping" , "id" : "a b" , "jsonrpc" : "2.0" } "#,
            "{\"jsonrpc\":\"2.0\",\r\n\t\"method\":\"notifications/initialized\"}",
            r#"{"jsonrpc":"2.0","id":0,"method":"x/y","params":[]}"#,
            r#"{"jsonrpc":"2.0","id":999999999999999999,"method":"m","params":{}}"#,
            r#"{"params":{"a":[1,-2.5e+3,0.0,1E9,true,false,null,{},[],"\u00e9\n\"\\\/"]},"jsonrpc":"2.0","method":"m"}"#,
            r#"{"jsonrpc":"2.0","id":"é","method":"tools/call","params":{"k":"日本","n":{"o":{"p":[[[]]]}}}}"#,
        ] {
            assert!(agrees(text), "{text}");
        }
        // The params are the exact text, whitespace inside kept.
        let m = request(r#"{"jsonrpc":"2.0","method":"m","params":{ "a" : 1 }}"#).unwrap();
        assert_eq!(
            m.to_vec(),
            br#"{"jsonrpc":"2.0","method":"m","params":{ "a" : 1 }}"#
        );
    }

    #[test]
    fn leaves_everything_else_to_serde() {
        for text in [
            // Not of the common shape: serde reads them.
            r#"{"jsonrpc":"2.0","id":1,"result":{}}"#,
            r#"{"jsonrpc":"2.0","id":-1,"method":"m"}"#,
            r#"{"jsonrpc":"2.0","id":1234567890123456789,"method":"m"}"#,
            r#"{"jsonrpc":"2.0","id":"a\"b","method":"m"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools\/call"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","extra":1}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}"#,
            // Refused by serde.
            r#"{"jsonrpc":"2.0","id":1,"method":"m","method":"n"}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"m"}"#,
            r#"{"jsonrpc":"2.0","id":1.0,"method":"m"}"#,
            r#"{"jsonrpc":"2.0","id":01,"method":"m"}"#,
            r#"{"jsonrpc":"1.0","id":1,"method":"m"}"#,
            r#"{"id":1,"method":"m"}"#,
            r#"{"jsonrpc":"2.0","id":1}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":3}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":01}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":1.}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":-}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":1e}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":tru}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":"\x"}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":"\u12g4"}}"#,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":{\"a\":\"\t\"}}",
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":1,}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a" 1}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{1:1}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":[1,]}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":[1}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":[}]}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":1}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m",}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m"} x"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m"}{}"#,
            "{\"jsonrpc\":\"2.0\",\u{a0}\"id\":1,\"method\":\"m\"}",
            r#"{}"#,
            r#""#,
        ] {
            assert!(request(text).is_none(), "{text}");
        }
    }

    /// Every text made by cutting, doubling or changing one byte of the common shapes:
    /// the fast reading never reads one that serde refuses, and reads what it reads alike.
    #[test]
    fn agrees_with_serde_on_every_one_byte_change() {
        let seeds = [
            r#"{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"e","arguments":{"m":"h\u00e9\n","n":[1,-2.5e+3,true,null,{}]}}}"#,
            r#"{"method":"notifications/progress","jsonrpc":"2.0","params":{"progressToken":"t","progress":0.5}}"#,
        ];
        let alphabet = b" \t\n{}[]\",:0123456789.eE+-\\/utrfanlx\x01\x7f";
        let (mut read, mut total) = (0, 0);
        for seed in seeds {
            let bytes = seed.as_bytes();
            for i in 0..bytes.len() {
                let mut variants = vec![
                    [&bytes[..i], &bytes[i + 1..]].concat(),
                    [&bytes[..i], &bytes[i..]].concat(),
                    bytes[..i].to_vec(),
                ];
                variants.extend(alphabet.iter().map(|&b| {
                    let mut v = bytes.to_vec();
                    v[i] = b;
                    v
                }));
                for v in variants {
                    let Ok(text) = std::str::from_utf8(&v) else {
                        continue;
                    };
                    total += 1;
                    if agrees(text) {
                        read += 1;
                    }
                }
            }
        }
        // Most changes break the message or leave the common shape; some do not.
        assert!(read > 100 && read < total, "{read} of {total}");
    }

    #[test]
    fn a_call_s_arguments_are_found_past_brackets_and_escapes_in_strings() {
        let read = |text: &str| {
            let raw = RawValue::from_string(text.to_owned()).unwrap();
            tool_call(&raw).map(|c| {
                (
                    c.name.to_owned(),
                    c.arguments.map(|r| raw.get()[r].to_owned()),
                )
            })
        };
        let args = r#"{"a":"}\"{\\","b":[{"c":"]"},[],{}],"d":-1.5e3,"e":"\u007d"}"#;
        let text = format!(r#"{{ "arguments" : {args} , "name":"x"}}"#);
        assert_eq!(read(&text), Some(("x".into(), Some(args.into()))));
        assert_eq!(read(r#"{"name":"x"}"#), Some(("x".into(), None)));
        // Not an object, a name twice, another member, an escape in a name: left to serde.
        for text in [
            r#"{"name":"x","arguments":[1]}"#,
            r#"{"name":"x","arguments":"{}"}"#,
            r#"{"name":"x","arguments":null}"#,
            r#"{"name":"x","name":"y"}"#,
            r#"{"name":"x","_meta":{}}"#,
            r#"{"n\u0061me":"x"}"#,
            r#"{"name":"\u0078"}"#,
            r#"{"arguments":{}}"#,
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }

    #[test]
    fn finds_the_first_quote_backslash_or_control_character() {
        // The run of string characters up to a quote or a backslash; `None` if a
        // control character comes first, or the text ends.
        let at =
            |text: &str| first_special(text.as_bytes()).filter(|&i| text.as_bytes()[i] >= 0x20);
        assert_eq!(at("abcdefghijklmnop\"..."), Some(16));
        assert_eq!(at("abc\\defghijklmnop"), Some(3));
        assert_eq!(at("abcdefgh\u{1}ijklmnop\""), None);
        assert_eq!(at("\u{1f}\""), None);
        assert_eq!(at(" !#$%&'()*+,-./[]^_`{|}~\u{7f}\u{80}é日本\""), Some(35));
        assert_eq!(at("é\"\u{1}"), Some(2));
        assert_eq!(at("abcdefghijklmnop"), None);
        // After a byte whose subtraction borrows, the first one is still the one found.
        assert_eq!(at("\u{0}\u{1}\"\\"), None);
        assert_eq!(at("!\"!\u{0}"), Some(1));
        assert_eq!(at("\u{21}\u{20}\u{1f}\"aaaaaaaa"), None);
        for b in 0..=0x7fu8 {
            for pad in 0..12 {
                let text = format!("{}{}mnop\"", "a".repeat(pad), b as char);
                let want = match b {
                    0..=0x1f => None,
                    b'"' | b'\\' => Some(pad),
                    _ => Some(pad + 5),
                };
                assert_eq!(at(&text), want, "{b:#x} after {pad}");
            }
        }
    }
}
