//! API keys and the text that may carry them.
//!
//! A key lives in a [`Secret`], whose `Debug` and `Display` print nothing of
//! it. Anything a server sends back (headers, bodies, SSE fields, request ids,
//! error details) can echo the key, through a careless error message or on
//! purpose, so such text is kept only as [`Redacted`]: the one way to make one
//! is [`Secret::redact`], which takes the key out first. A probe result holds
//! `Redacted` fields, so no call site can store or print server text without
//! passing through redaction.
//!
//! Where the user gives the *name* of an environment variable, a pasted key is
//! the likely mistake; [`check_env_name`] refuses it without ever repeating
//! the value.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Echoed fragments of a key at least this long are redacted too (a server
/// may echo part of it, e.g. `sk-proj-abcdefgh…`), or the whole key when it is
/// shorter. Eight characters of a random key do not occur by chance in error
/// text; a shared prefix such as `sk-proj-` being hidden is harmless.
const MIN_FRAGMENT_CHARS: usize = 8;

/// What replaces a key or a fragment of it.
pub const MASK: &str = "***";

/// An API key. Printing it shows `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The key itself, for the one place that needs it: the request header.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every copy of the key, and every run of at least
    /// [`MIN_FRAGMENT_CHARS`] characters that also occurs in the key, replaced
    /// by `***`; then cut to `max_chars` characters. Redaction comes before the
    /// cut, so a cut can never leave a piece of the key behind.
    pub fn redact(&self, text: &str, max_chars: usize) -> Redacted {
        let clean = mask_fragments(text, &self.0);
        Redacted(clean.chars().take(max_chars).collect())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// Text from a server with the key taken out ([`Secret::redact`]). Reading a
/// stored one back (serde) trusts the store: it was redacted when it was made.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Redacted(String);

impl Redacted {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl rusqlite::ToSql for Redacted {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

impl rusqlite::types::FromSql for Redacted {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        String::column_result(value).map(Redacted)
    }
}

/// `text` with every run of characters that also occurs in `key` and is at
/// least `min(MIN_FRAGMENT_CHARS, key length)` long replaced by [`MASK`].
/// Quadratic in the worst case, on texts already capped by the callers (a few
/// KiB) and keys of a few hundred characters.
fn mask_fragments(text: &str, key: &str) -> String {
    let key: Vec<char> = key.chars().collect();
    if key.is_empty() {
        return text.to_owned();
    }
    let min = MIN_FRAGMENT_CHARS.min(key.len());
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let longest = longest_key_run(&chars[i..], &key);
        if longest >= min {
            out.push_str(MASK);
            i += longest;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The length of the longest prefix of `text` that occurs somewhere in `key`.
fn longest_key_run(text: &[char], key: &[char]) -> usize {
    (0..key.len())
        .map(|start| {
            text.iter()
                .zip(&key[start..])
                .take_while(|(a, b)| a == b)
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// Why a value is not an environment variable name. The value itself is never
/// part of the message: it may be a key pasted in place of a name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "is not an environment variable name (letters, digits and _, not starting with a digit, \
     at most {MAX_ENV_NAME_CHARS} characters; the value, {chars} characters, is not repeated \
     here): it must name the variable that holds the key, never the key"
)]
pub struct EnvNameError {
    chars: usize,
}

/// Longest accepted variable name.
pub const MAX_ENV_NAME_CHARS: usize = 128;

/// `[A-Za-z_][A-Za-z0-9_]*`, at most [`MAX_ENV_NAME_CHARS`]: what every shell
/// and gateway accepts as a variable name. A pasted key (with `-`) fails it.
pub fn check_env_name(name: &str) -> Result<(), EnvNameError> {
    let mut chars = name.chars();
    let valid = name.len() <= MAX_ENV_NAME_CHARS
        && matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(EnvNameError {
            chars: name.chars().count(),
        })
    }
}

/// [`check_env_name`] as a yes or no.
pub fn is_env_name(name: &str) -> bool {
    check_env_name(name).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "canary-key-123456-abcdefgh";

    #[test]
    fn printing_a_secret_shows_nothing_of_it() {
        let s = Secret::new(KEY);
        assert_eq!(format!("{s:?} {s}"), "Secret(***) ***");
    }

    #[test]
    fn redaction_removes_every_copy_and_every_long_fragment() {
        let s = Secret::new(KEY);
        assert_eq!(
            s.redact(&format!("bad key {KEY} (Bearer {KEY})"), 1000)
                .as_str(),
            "bad key *** (Bearer ***)"
        );
        // A prefix, a middle and a tail of eight or more characters.
        assert_eq!(
            s.redact("canary-key-1 and 123456-ab and abcdefgh", 1000)
                .as_str(),
            "*** and *** and ***"
        );
        // Seven characters of it, or ordinary text, stay.
        assert_eq!(
            s.redact("canary-, rate limit reached", 1000).as_str(),
            "canary-, rate limit reached"
        );
    }

    #[test]
    fn the_cut_comes_after_redaction() {
        let s = Secret::new(KEY);
        let text = format!("id-{KEY}");
        let kept = s.redact(&text, 12);
        assert_eq!(kept.as_str(), "id-***");
        // Cutting first would have kept 9 characters of the key.
        assert!(!kept.as_str().contains("canary-key"));
    }

    #[test]
    fn short_keys_are_masked_whole_and_empty_keys_mask_nothing() {
        assert_eq!(
            Secret::new("abc").redact("x abc y ab", 100).as_str(),
            "x *** y ab"
        );
        assert_eq!(Secret::new("").redact("x abc", 100).as_str(), "x abc");
    }

    #[test]
    fn non_ascii_text_is_kept_whole() {
        let s = Secret::new(KEY);
        assert_eq!(
            s.redact(&format!("clé «{KEY}» 路由"), 100).as_str(),
            "clé «***» 路由"
        );
    }

    #[test]
    fn env_names_and_what_their_errors_never_say() {
        for good in ["OPENAI_API_KEY", "_K1", "k"] {
            assert!(is_env_name(good), "{good}");
        }
        for bad in ["1K", "K-1", "", "sk-proj-abc", &"A".repeat(129)] {
            assert!(!is_env_name(bad), "{bad}");
        }
        let message = check_env_name(KEY).unwrap_err().to_string();
        assert!(!message.contains("canary"), "{message}");
        assert!(message.contains("26 characters"), "{message}");
    }
}
