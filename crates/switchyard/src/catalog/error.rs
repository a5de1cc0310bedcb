//! Catalog errors. Every message names the file (database or import file), the
//! entry and the field where there is one, and the reason, so a user can go
//! straight to what needs fixing.

/// Longest text quoted back in an error: a 10 MB key must not become a 10 MB
/// message.
const QUOTE_MAX: usize = 60;

/// `text` shortened for an error message, with its full length when cut.
pub fn quote(text: &str) -> String {
    if text.len() <= QUOTE_MAX {
        return text.to_owned();
    }
    let mut end = QUOTE_MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The database file cannot be opened or is not SQLite.
    #[error("{file}: cannot open the catalog database: {source}")]
    Open {
        file: String,
        #[source]
        source: rusqlite::Error,
    },
    /// A database written by a newer switchyard: refused, never downgraded.
    #[error(
        "{file}: the catalog database has schema version {found}, newer than this switchyard supports ({supported}); \
         upgrade switchyard, or pass another --db"
    )]
    NewerSchema {
        file: String,
        found: i64,
        supported: i64,
    },
    /// A SQLite file that some other program wrote.
    #[error(
        "{file}: not a switchyard catalog (SQLite application id {found:#x}); pass another --db"
    )]
    NotACatalog { file: String, found: i64 },
    /// A database operation failed; `doing` says which.
    #[error("{file}: {doing}: {source}")]
    Sql {
        file: String,
        doing: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// An import file that is not what its format says, as a whole (not JSON,
    /// truncated, too large).
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    /// One entry of an import file is wrong; the import is refused whole.
    #[error("{file}: entry `{entry}`: {field}: {reason}")]
    Entry {
        file: String,
        entry: String,
        field: String,
        reason: String,
    },
    #[error("unknown offering `{0}`; `switchyard catalog list` shows the ids")]
    UnknownOffering(String),
    #[error("unknown group `{id}`; the catalog's groups are: {known}")]
    UnknownGroup { id: String, known: String },
    #[error(
        "unknown provider `{provider}` for rate-limit tiers; the providers with tiers are: {known}"
    )]
    UnknownTierProvider { provider: String, known: String },
    #[error("unknown tier `{tier}` of provider `{provider}`; its tiers are: {known}")]
    UnknownTier {
        provider: String,
        tier: String,
        known: String,
    },
    #[error("unknown field `{field}`; the fields are: {known}")]
    UnknownField { field: String, known: String },
    #[error("{id}: {field}: {reason}")]
    InvalidValue {
        id: String,
        field: String,
        reason: String,
    },
    #[error(
        "cannot find the platform's app-data directory (is HOME set?); pass --db PATH or set SWITCHYARD_DB"
    )]
    NoDataDir,
    #[error("{file}: cannot create its directory: {source}")]
    CreateDir {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The embedded default catalog is broken: a bug, caught by its tests.
    #[error("the embedded default catalog: {0}")]
    DefaultCatalog(String),
    /// The import of `file` was stopped before its commit; it wrote nothing.
    #[error("{file}: the import was cancelled; nothing was written")]
    ImportCancelled { file: String },
    /// A previewed import no longer does what the preview showed: the
    /// catalog changed in between. Nothing was written.
    #[error(
        "{file}: the catalog changed since these changes were shown, so they were not written; check again"
    )]
    ChangedSincePreview { file: String },
    /// A usage log whose content (SHA-256) is already imported: its
    /// requests would count twice. Nothing was written.
    #[error(
        "{file}: this log is already imported (import {id}, `{previous}`, on {imported_at}, same SHA-256); nothing was written. Pass --replace to import it again in its place"
    )]
    DuplicateUsage {
        file: String,
        id: i64,
        previous: String,
        imported_at: String,
    },
    /// A price list could not be downloaded; nothing was written.
    #[error(transparent)]
    Fetch(#[from] super::fetch::FetchError),
}

impl CatalogError {
    pub(crate) fn entry(
        file: &str,
        entry: &str,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        CatalogError::Entry {
            file: file.to_owned(),
            entry: quote(entry),
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Shorthand for wrapping a rusqlite error with the database file and what was
/// being done.
pub(crate) trait SqlContext<T> {
    fn doing(self, file: &str, doing: &str) -> Result<T, CatalogError>;
}

impl<T> SqlContext<T> for Result<T, rusqlite::Error> {
    fn doing(self, file: &str, doing: &str) -> Result<T, CatalogError> {
        self.map_err(|source| CatalogError::Sql {
            file: file.to_owned(),
            doing: doing.to_owned(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn long_text_is_cut_on_a_char_boundary() {
        assert_eq!(quote("short"), "short");
        let long = "é".repeat(5_000_000);
        let q = quote(&long);
        assert!(q.len() < 100, "{q}");
        assert!(q.ends_with("(10000000 bytes)"), "{q}");
    }
}
