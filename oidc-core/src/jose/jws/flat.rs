//! A fast path for the common shape of a JWT payload: one object whose
//! members are strings without escapes, non-negative integers, `true`,
//! `false`, `null` or arrays of those. It builds the same `Map` as
//! `serde_json` with [`StrictObject`](super::StrictObject) would, and gives
//! up (`None`) on anything else -- escapes, floats, negative numbers,
//! nested objects, a duplicate member, a syntax error -- so that the
//! caller parses with `serde_json`, which then accepts or refuses exactly
//! as before, with the same error.

use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

/// The object `json` holds, if it has the simple shape (see the module).
pub(super) fn flat_object(json: &str) -> Option<Map<String, Value>> {
    let mut p = Parser {
        json,
        bytes: json.as_bytes(),
        at: 0,
    };
    p.skip_ws();
    p.expect(b'{')?;
    let mut map = Map::new();
    p.skip_ws();
    if p.peek() == Some(b'}') {
        p.at += 1;
    } else {
        loop {
            p.skip_ws();
            let name = p.string()?;
            p.skip_ws();
            p.expect(b':')?;
            p.skip_ws();
            let value = p.value(true)?;
            match map.entry(name) {
                Entry::Vacant(entry) => {
                    entry.insert(value);
                }
                // `serde_json` reports it, with its position.
                Entry::Occupied(_) => return None,
            }
            p.skip_ws();
            match p.next()? {
                b',' => {}
                b'}' => break,
                _ => return None,
            }
        }
    }
    p.skip_ws();
    (p.at == p.bytes.len()).then_some(map)
}

/// The length of the string that starts `rest` up to its closing quote;
/// `None` at a backslash, a control character or the end. Eight bytes at
/// a time: a chunk with none of those bytes is skipped at once.
fn plain_len(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    /// Some byte of `x` is below `n` (exact for `n <= 0x80`).
    fn has_less(x: u64, n: u8) -> bool {
        x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH != 0
    }
    let mut at = 0;
    for chunk in rest.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        if has_less(x, 0x20)
            || has_less(x ^ (ONES * u64::from(b'"')), 1)
            || has_less(x ^ (ONES * u64::from(b'\\')), 1)
        {
            break;
        }
        at += 8;
    }
    for (offset, b) in rest.get(at..)?.iter().enumerate() {
        match b {
            b'"' => return Some(at + offset),
            b'\\' | 0..=0x1f => return None,
            _ => {}
        }
    }
    None
}

struct Parser<'a> {
    json: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.next()? == b).then_some(())
    }

    /// JSON whitespace (RFC 8259), as `serde_json` skips it.
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// A string without escapes or control characters (the input is
    /// already UTF-8).
    fn string(&mut self) -> Option<String> {
        self.expect(b'"')?;
        let start = self.at;
        let end = start.checked_add(plain_len(self.bytes.get(start..)?)?)?;
        self.at = end + 1;
        // `start` and `end` are next to ASCII quotes: char boundaries.
        self.json.get(start..end).map(str::to_owned)
    }

    /// A member value; arrays only at the top (`array_allowed`).
    fn value(&mut self, array_allowed: bool) -> Option<Value> {
        match self.peek()? {
            b'"' => self.string().map(Value::String),
            b'0'..=b'9' => self.integer(),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            b'[' if array_allowed => self.array(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Option<Value> {
        let end = self.at.checked_add(word.len())?;
        (self.bytes.get(self.at..end)? == word).then_some(())?;
        self.at = end;
        self.delimited().then_some(value)
    }

    /// A non-negative integer that fits a `u64`, as `serde_json` reads it
    /// (no leading zero, no fraction or exponent).
    fn integer(&mut self) -> Option<Value> {
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.at += 1;
        }
        if self.bytes.get(start) == Some(&b'0') && self.at - start > 1 {
            return None;
        }
        self.delimited().then(|| Value::Number(Number::from(n)))
    }

    /// Whether what follows a value (after whitespace) may end it.
    fn delimited(&self) -> bool {
        let mut at = self.at;
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes.get(at) {
            at += 1;
        }
        matches!(self.bytes.get(at), Some(b',' | b'}' | b']'))
    }

    fn array(&mut self) -> Option<Value> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.at += 1;
        } else {
            loop {
                self.skip_ws();
                items.push(self.value(false)?);
                self.skip_ws();
                match self.next()? {
                    b',' => {}
                    b']' => break,
                    _ => return None,
                }
            }
        }
        Some(Value::Array(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path gives what `serde_json` gives, or nothing.
    fn same(json: &str) {
        if let Some(map) = flat_object(json) {
            let slow = serde_json::from_str::<super::super::StrictObject>(json).ok();
            assert_eq!(Some(map), slow.map(|o| o.0), "{json}");
        }
    }

    #[test]
    fn agrees_with_serde_json() {
        for json in [
            r#"{}"#,
            r#" { } "#,
            r#"{"a":"b","n":123,"t":true,"f":false,"z":null,"l":["x",1,true,null],"e":[]}"#,
            "{\n\t\"a\" : \"b\" ,\r\n \"c\":[ \"d\" , 2 ]}\n",
            r#"{"n":18446744073709551615}"#,
            r#"{"é":"ü"}"#,
            r#"{"long name with spaces":"a value longer than eight bytes, then some"}"#,
        ] {
            assert!(flat_object(json).is_some(), "{json}");
            same(json);
        }
    }

    #[test]
    fn gives_up_on_everything_else() {
        for json in [
            r#"{"a":"b","a":"c"}"#,
            r#"{"a":"\u0062"}"#,
            r#"{"a\"":1}"#,
            r#"{"abcdefghijklmnop\"":1}"#,
            "{\"abcdefghij\u{7}klmnop\":1}",
            r#"{"abcdefghijklmnopqrs"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"n":1.5}"#,
            r#"{"n":1e3}"#,
            r#"{"n":-1}"#,
            r#"{"n":-0}"#,
            r#"{"n":01}"#,
            r#"{"n":18446744073709551616}"#,
            r#"{"o":{}}"#,
            r#"{"l":[[1]]}"#,
            r#"{"l":[1,]}"#,
            r#"{"a":1,}"#,
            r#"{"a":truex}"#,
            r#"{"a":1 2}"#,
            r#"{"a":1} x"#,
            r#"{"a":1}}"#,
            r#"["a"]"#,
            r#"{"a" 1}"#,
            "\u{feff}{}",
            "",
            "{",
        ] {
            assert_eq!(flat_object(json), None, "{json}");
        }
    }
}
