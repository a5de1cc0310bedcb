//! Opening the catalog database: where it lives, how it is configured, and
//! bringing it to the current schema (seeding a new one from the embedded
//! default catalog).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::error::{CatalogError, SqlContext};
use super::{migrate, seed};

/// The environment variable that overrides the default database path.
pub const DB_ENV: &str = "SWITCHYARD_DB";
/// The file name inside the app-data directory.
pub const DB_FILE_NAME: &str = "catalog.sqlite3";
/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the database is: `--db` if given, else `SWITCHYARD_DB`, else the
/// platform's app-data directory (`~/.local/share/switchyard` on Linux,
/// `~/Library/Application Support/switchyard` on macOS, `%APPDATA%` on Windows).
/// The second value is true when the path was chosen explicitly.
pub fn db_path(explicit: Option<&Path>) -> Result<(PathBuf, bool), CatalogError> {
    if let Some(path) = explicit_db_path(explicit) {
        return Ok((path, true));
    }
    let dirs =
        directories::ProjectDirs::from("", "", "switchyard").ok_or(CatalogError::NoDataDir)?;
    Ok((dirs.data_dir().join(DB_FILE_NAME), false))
}

/// `--db` if given, else `SWITCHYARD_DB` if set: the database the user chose,
/// if any.
pub fn explicit_db_path(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit.map(Path::to_owned).or_else(|| {
        std::env::var_os(DB_ENV)
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    })
}

/// How to open: seeding is on for users; off for tests and benchmarks that
/// need an empty catalog.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions {
    /// Seed a new database from the embedded default catalog.
    pub seed: bool,
    /// Create the database's directory when it is missing. Only for the
    /// default location: a path the user typed with a missing directory is
    /// more likely a typo than a wish for a new tree of directories.
    pub create_dir: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            seed: true,
            create_dir: false,
        }
    }
}

/// An open catalog database.
#[derive(Debug)]
pub struct Catalog {
    pub(crate) conn: Connection,
    /// The path, for messages.
    pub(crate) file: String,
}

impl Catalog {
    /// Opens (creating if needed) the catalog at `path`, migrates it, and
    /// seeds it from the default catalog if it is new.
    pub fn open(path: &Path) -> Result<Self, CatalogError> {
        Self::open_with(path, OpenOptions::default())
    }

    /// Opens the catalog the user chose (`--db`, else `SWITCHYARD_DB`), whose
    /// directory must exist, or else the default one, whose directory is
    /// created on first use.
    pub fn open_chosen(explicit: Option<&Path>) -> Result<Self, CatalogError> {
        let (path, chosen) = db_path(explicit)?;
        Self::open_with(
            &path,
            OpenOptions {
                create_dir: !chosen,
                ..OpenOptions::default()
            },
        )
    }

    pub fn open_with(path: &Path, options: OpenOptions) -> Result<Self, CatalogError> {
        let file = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if options.create_dir {
                std::fs::create_dir_all(dir).map_err(|source| CatalogError::CreateDir {
                    file: file.clone(),
                    source,
                })?;
            } else if !dir.is_dir() {
                return Err(CatalogError::File {
                    file,
                    reason: format!(
                        "the directory `{}` does not exist (create it first, or leave out --db for the default catalog)",
                        dir.display()
                    ),
                });
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| CatalogError::Open {
            file: file.clone(),
            source,
        })?;
        let mut catalog = Catalog { conn, file };
        catalog.configure()?;
        let file = catalog.file.clone();
        migrate::migrate(&mut catalog.conn, &file, |tx, found| {
            if found == 0 && options.seed {
                seed::seed(tx, &file)?;
            }
            if found < migrate::HISTORIES_VERSION && options.seed {
                seed::seed_histories(tx, &file)?;
            }
            if found < migrate::RATE_TIERS_VERSION && options.seed {
                super::rate_tiers::seed(tx, &file)?;
            }
            Ok(())
        })?;
        Ok(catalog)
    }

    /// First makes sure the file is ours (or new), so that another program's
    /// SQLite file is refused before anything is changed in it; then WAL so
    /// that readers never wait for an import; NORMAL sync, which in WAL mode
    /// keeps the database consistent through a crash (a killed process loses
    /// no committed transaction; a power cut may lose the last one); foreign
    /// keys, which SQLite leaves off by default.
    fn configure(&self) -> Result<(), CatalogError> {
        let f = &self.file;
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .doing(f, "setting the busy timeout")?;
        // The first read: a file that is not SQLite fails here.
        self.conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|source| CatalogError::Open {
                file: f.clone(),
                source,
            })?;
        let found = migrate::version(&self.conn, f)?;
        migrate::check(&self.conn, f, found)?;
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .doing(f, "switching to WAL mode")?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(CatalogError::File {
                file: f.clone(),
                reason: format!("cannot switch the database to WAL mode (it stays in {mode})"),
            });
        }
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .doing(f, "setting synchronous")?;
        self.conn
            .pragma_update(None, "foreign_keys", true)
            .doing(f, "turning foreign keys on")?;
        Ok(())
    }

    /// The database file, as given.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The schema version of the open database (always the latest after
    /// [`Catalog::open`]).
    pub fn schema_version(&self) -> Result<i64, CatalogError> {
        migrate::version(&self.conn, &self.file)
    }

    /// The underlying connection, read-only use intended (tests, probes).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// UTC now as RFC 3339 with milliseconds, from SQLite's clock, so that
    /// every timestamp in the database has one format.
    pub(crate) fn now(conn: &Connection, file: &str) -> Result<String, CatalogError> {
        conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", [], |r| {
            r.get(0)
        })
        .doing(file, "reading the clock")
    }
}
