//! API keys: looked up by the *name* of an environment variable (or, where one is
//! available, the OS keychain) and never written anywhere. The key itself and
//! the redaction of server text are in [`crate::secret`].

pub use crate::secret::Secret;
use crate::secret::{EnvNameError, check_env_name};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the key variable `{name}` is not set (set it, or store the key in the OS keychain under service `switchyard`, account `{name}`)"
    )]
    Missing { name: String },
    /// The value is not repeated: it may be a key pasted in place of a name.
    #[error("the key variable {0}")]
    BadName(#[from] EnvNameError),
}

/// The key named `name`: the environment variable first, then the OS keychain.
pub fn lookup(name: &str) -> Result<Secret, KeyError> {
    lookup_with(name, |n| std::env::var(n).ok())
}

/// [`lookup`] with the environment supplied, for tests.
pub fn lookup_with(name: &str, env: impl Fn(&str) -> Option<String>) -> Result<Secret, KeyError> {
    check_env_name(name)?;
    if let Some(value) = env(name).filter(|v| !v.is_empty()) {
        return Ok(Secret::new(value));
    }
    keychain(name).ok_or_else(|| KeyError::Missing {
        name: name.to_owned(),
    })
}

/// The keychain service under which Switchyard's keys are stored.
pub const KEYCHAIN_SERVICE: &str = "switchyard";

/// The keychain entry `switchyard` / `name`, where the platform has a keychain.
/// No keychain (a headless machine without a Secret Service), no entry, or a
/// locked keychain all read as "not there": the caller then names the variable.
fn keychain(name: &str) -> Option<Secret> {
    let entry = keyring::Entry::new(KEYCHAIN_SERVICE, name).ok()?;
    entry
        .get_password()
        .ok()
        .filter(|v| !v.is_empty())
        .map(Secret::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_reads_the_named_variable_and_says_which_is_missing() {
        let env = |n: &str| (n == "GOOD_KEY").then(|| "v".to_owned());
        assert_eq!(lookup_with("GOOD_KEY", env), Ok(Secret::new("v")));
        let missing = lookup_with("NOPE_KEY", env).unwrap_err().to_string();
        assert!(
            missing.starts_with("the key variable `NOPE_KEY` is not set"),
            "{missing}"
        );
        let pasted = lookup_with("pasted-by-mistake-0000-key", env).unwrap_err();
        assert!(matches!(pasted, KeyError::BadName(_)));
        assert!(!pasted.to_string().contains("pasted"), "{pasted}");
    }

    #[test]
    fn without_a_keychain_entry_the_variable_is_named() {
        // No Secret Service runs in tests: the keychain answers "nothing".
        let err = lookup_with("SWITCHYARD_TEST_NO_SUCH_KEY", |_| None).unwrap_err();
        assert_eq!(
            err,
            KeyError::Missing {
                name: "SWITCHYARD_TEST_NO_SUCH_KEY".into()
            }
        );
    }

    /// Run by hand inside a Secret Service session (README, "Keys"): stores nothing,
    /// reads the entry `switchyard` / `SWITCHYARD_KEYCHAIN_CHECK` made with
    /// `secret-tool store --label=x service switchyard username SWITCHYARD_KEYCHAIN_CHECK`.
    #[test]
    #[ignore = "needs a running Secret Service with the entry stored"]
    fn reads_a_key_from_the_os_keychain() {
        let key = lookup_with("SWITCHYARD_KEYCHAIN_CHECK", |_| None).expect("the keychain has it");
        assert_eq!(key.expose(), "keychain-canary");
    }
}
