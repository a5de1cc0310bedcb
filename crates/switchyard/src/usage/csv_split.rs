//! One CSV record (RFC 4180, as `psql \copy ... CSV` and spreadsheets write
//! it) split into its fields. Records come whole from [`super::lines`], which
//! already joined quoted newlines and capped the length, so this needs no
//! reader of its own and allocates only for fields with doubled quotes.

use std::borrow::Cow;

/// The fields of `record`; `None` when a quoted field is never closed.
/// Lenient like most readers: a quote inside an unquoted field is kept as
/// is, text after a closing quote is appended.
pub fn split(record: &str) -> Option<Vec<Cow<'_, str>>> {
    split_expecting(record, 0)
}

/// [`split`], with room for `expected` fields made at once: a reader that
/// knows its header's width saves the growing of the list on every line.
///
/// One pass over the record, eight bytes at a time ([`MarkScan`]), finds
/// every comma and quote; the fields are cut between them. A LiteLLM row has
/// some 36 fields, most of them short, and a metadata field of some 100
/// quotes and commas, where a search per mark (`memchr2`) cost more than
/// the mark: 14% of a replay, against about 4% for this scan.
pub fn split_expecting(record: &str, expected: usize) -> Option<Vec<Cow<'_, str>>> {
    let mut fields = Vec::with_capacity(expected);
    let bytes = record.as_bytes();
    let mut marks = Marks {
        inner: MarkScan::new(bytes),
        bytes,
    };
    let mut at = 0;
    loop {
        let end = if bytes.get(at) == Some(&b'"') {
            let (field, end) = quoted(record, at, &mut marks)?;
            fields.push(field);
            end
        } else {
            let end = marks.next_comma(at).unwrap_or(bytes.len());
            fields.push(Cow::Borrowed(record.get(at..end)?));
            end
        };
        if end >= bytes.len() {
            return Some(fields);
        }
        at = end + 1; // past the comma
        if at == bytes.len() {
            fields.push(Cow::Borrowed(""));
            return Some(fields);
        }
    }
}

/// Every byte of each of eight 7-bit lanes.
const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const EVERY_BYTE: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `word` that is `byte`, and of no other: the
/// low seven bits are added without a carry out of their byte, so, unlike
/// the usual zero-byte test, no lane borrows from its neighbour.
fn lanes_equal(word: u64, byte: u8) -> u64 {
    let x = word ^ (EVERY_BYTE * u64::from(byte));
    !(((x & LOW_SEVEN) + LOW_SEVEN) | x | LOW_SEVEN)
}

/// The positions of the commas and quotes of a record, in order, found a
/// word of eight bytes at a time: a few operations a word and one per mark,
/// where a search call per mark pays its set-up for a few bytes each.
struct MarkScan<'a> {
    bytes: &'a [u8],
    /// Where the next word starts.
    next_word: usize,
    /// Where the word of `lanes` started.
    word_start: usize,
    /// The marks of that word not yet given, a high bit per byte.
    lanes: u64,
}

impl<'a> MarkScan<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            next_word: 0,
            word_start: 0,
            lanes: 0,
        }
    }
}

impl Iterator for MarkScan<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.lanes == 0 {
            let rest = self.bytes.get(self.next_word..).unwrap_or_default();
            if rest.is_empty() {
                return None;
            }
            let word = match rest.first_chunk::<8>() {
                Some(eight) => u64::from_le_bytes(*eight),
                None => {
                    // The tail, padded with zeros (neither a comma nor a quote).
                    let mut padded = [0u8; 8];
                    padded
                        .iter_mut()
                        .zip(rest)
                        .for_each(|(to, from)| *to = *from);
                    u64::from_le_bytes(padded)
                }
            };
            self.lanes = lanes_equal(word, b',') | lanes_equal(word, b'"');
            self.word_start = self.next_word;
            self.next_word += 8;
        }
        let lane = self.lanes.trailing_zeros() as usize / 8;
        self.lanes &= self.lanes - 1;
        Some(self.word_start + lane)
    }
}

/// The commas and quotes of a record, in order, from one scan.
struct Marks<'a, I> {
    inner: I,
    bytes: &'a [u8],
}

impl<I: Iterator<Item = usize>> Marks<'_, I> {
    /// The first mark at or after `from` that is `byte`.
    fn next(&mut self, from: usize, byte: u8) -> Option<usize> {
        self.inner
            .by_ref()
            .find(|&p| p >= from && self.bytes.get(p) == Some(&byte))
    }

    fn next_comma(&mut self, from: usize) -> Option<usize> {
        self.next(from, b',')
    }
}

/// The quoted field opening at byte `open` of `record`, its doubled quotes
/// made single, and where it ends (at its comma, or the record's end).
fn quoted<'r, I: Iterator<Item = usize>>(
    record: &'r str,
    open: usize,
    marks: &mut Marks<'_, I>,
) -> Option<(Cow<'r, str>, usize)> {
    let bytes = record.as_bytes();
    let mut value = String::new();
    let mut start = open + 1;
    let mut plain: Option<&str> = None;
    let close = loop {
        let q = marks.next(start, b'"')?;
        if bytes.get(q + 1) == Some(&b'"') {
            if value.is_empty() {
                // Room for the rest of the record at once: a metadata field
                // has dozens of doubled quotes, each a piece to append.
                value.reserve(bytes.len() - start);
            }
            value.push_str(record.get(start..=q)?);
            // The second quote of the pair is a mark too.
            marks.next(q + 1, b'"')?;
            start = q + 2;
        } else {
            if value.is_empty() {
                plain = record.get(start..q);
            } else {
                value.push_str(record.get(start..q)?);
            }
            break q;
        }
    };
    // Text between the closing quote and the comma is kept.
    let end = marks.next_comma(close + 1).unwrap_or(bytes.len());
    let tail = record.get(close + 1..end)?;
    let field = match (plain, tail.is_empty()) {
        (Some(p), true) => Cow::Borrowed(p),
        (Some(p), false) => Cow::Owned(format!("{p}{tail}")),
        (None, _) => {
            value.push_str(tail);
            Cow::Owned(value)
        }
    };
    Some((field, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(record: &str) -> Option<Vec<String>> {
        split(record).map(|f| f.into_iter().map(Cow::into_owned).collect())
    }

    #[test]
    fn fields_split_on_commas_outside_quotes() {
        assert_eq!(
            strings("a,b,,c"),
            Some(vec!["a".into(), "b".into(), "".into(), "c".into()])
        );
        assert_eq!(strings(""), Some(vec!["".into()]));
        assert_eq!(strings("a,"), Some(vec!["a".into(), "".into()]));
        assert_eq!(
            strings(r#""{""a"": 1, ""b"": ""x,y""}",2"#),
            Some(vec![r#"{"a": 1, "b": "x,y"}"#.into(), "2".into()])
        );
        assert_eq!(
            strings("\"multi\nline\",z"),
            Some(vec!["multi\nline".into(), "z".into()])
        );
        assert_eq!(strings("\"\",x"), Some(vec!["".into(), "x".into()]));
    }

    #[test]
    fn an_open_quote_is_refused() {
        assert_eq!(strings("a,\"never closed"), None);
        assert_eq!(strings("\""), None);
    }

    proptest::proptest! {
        /// Any fields written as a CSV writer writes them (quoted when they
        /// hold a comma, a quote or a newline, quotes doubled) split back
        /// into the same fields.
        #[test]
        fn written_fields_split_back(fields in proptest::collection::vec("[a,\"\n ]{0,6}", 1..12)) {
            let record: Vec<String> = fields
                .iter()
                .map(|f| {
                    if f.contains([',', '"', '\n']) {
                        format!("\"{}\"", f.replace('"', "\"\""))
                    } else {
                        f.clone()
                    }
                })
                .collect();
            let got = strings(&record.join(","));
            proptest::prop_assert_eq!(got, Some(fields));
        }
    }

    proptest::proptest! {
        /// The word-at-a-time scan finds exactly the commas and quotes a
        /// byte-by-byte look finds, whatever the other bytes (high ones
        /// included) and wherever the record's end falls in its last word.
        #[test]
        fn the_scan_finds_every_comma_and_quote(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let by_byte: Vec<usize> = bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b',' || **b == b'"')
                .map(|(i, _)| i)
                .collect();
            proptest::prop_assert_eq!(MarkScan::new(&bytes).collect::<Vec<_>>(), by_byte);
        }
    }

    #[test]
    fn stray_quotes_are_kept() {
        assert_eq!(
            strings("5\" disk,x"),
            Some(vec!["5\" disk".into(), "x".into()])
        );
        assert_eq!(strings("\"a\"b,c"), Some(vec!["ab".into(), "c".into()]));
    }
}
