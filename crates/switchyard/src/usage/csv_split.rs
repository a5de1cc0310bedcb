//! One CSV record (RFC 4180, as `psql \copy ... CSV` and spreadsheets write
//! it) split into its fields. Records come whole from [`super::lines`], which
//! already joined quoted newlines and capped the length, so this needs no
//! reader of its own and allocates only for fields with doubled quotes.

use std::borrow::Cow;

/// The fields of `record`; `None` when a quoted field is never closed.
/// Lenient like most readers: a quote inside an unquoted field is kept as
/// is, text after a closing quote is appended.
pub fn split(record: &str) -> Option<Vec<Cow<'_, str>>> {
    let mut fields = Vec::new();
    let bytes = record.as_bytes();
    let mut at = 0;
    loop {
        if bytes.get(at) == Some(&b'"') {
            let mut value = String::new();
            let mut start = at + 1;
            let mut i = start;
            let mut plain: Option<&str> = None;
            loop {
                match bytes.get(i) {
                    None => return None,
                    Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                        value.push_str(record.get(start..=i)?);
                        i += 2;
                        start = i;
                    }
                    Some(b'"') => {
                        if value.is_empty() {
                            plain = record.get(start..i);
                        } else {
                            value.push_str(record.get(start..i)?);
                        }
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
            // Text between the closing quote and the comma is kept.
            let end = memchr::memchr(b',', bytes.get(i..)?).map_or(bytes.len(), |p| i + p);
            let tail = record.get(i..end)?;
            let field = match (plain, tail.is_empty()) {
                (Some(p), true) => Cow::Borrowed(p),
                (Some(p), false) => Cow::Owned(format!("{p}{tail}")),
                (None, _) => {
                    value.push_str(tail);
                    Cow::Owned(value)
                }
            };
            fields.push(field);
            at = end;
        } else {
            let end = memchr::memchr(b',', bytes.get(at..)?).map_or(bytes.len(), |p| at + p);
            fields.push(Cow::Borrowed(record.get(at..end)?));
            at = end;
        }
        if at >= bytes.len() {
            return Some(fields);
        }
        at += 1; // the comma
        if at == bytes.len() {
            fields.push(Cow::Borrowed(""));
            return Some(fields);
        }
    }
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

    #[test]
    fn stray_quotes_are_kept() {
        assert_eq!(
            strings("5\" disk,x"),
            Some(vec!["5\" disk".into(), "x".into()])
        );
        assert_eq!(strings("\"a\"b,c"), Some(vec!["ab".into(), "c".into()]));
    }
}
