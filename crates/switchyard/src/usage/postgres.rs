//! LiteLLM's spend logs read straight from the proxy's PostgreSQL
//! (`usage import --from-postgres`), so nobody has to export a CSV first.
//!
//! The rows are not parsed here: one `COPY (SELECT …) TO STDOUT WITH (FORMAT
//! csv, HEADER true)` turns them into the CSV that `psql \copy … CSV HEADER`
//! writes, and that stream goes through [`super::read::read`] with the
//! `litellm-spend` reader, so bad-row handling, progress, the memory bound,
//! the aggregates and the SHA-256 (of the streamed CSV) are those of a file
//! import, to the byte.
//!
//! - **Read only.** The session runs one `START TRANSACTION READ ONLY` (and
//!   checks that the server agrees), so nothing it sends can change the
//!   proxy's data, whatever the role may do.
//! - **A time range.** `startTime >= since AND startTime < until`, both
//!   optional; the bounds are parsed times ([`super::time::parse_bound`]) written back as
//!   `TIMESTAMP '2026-11-01 00:00:00.000'` from their millisecond count, never
//!   the user's text, so nothing the user types reaches the SQL.
//! - **Deterministic.** Rows come ordered by `startTime`, then the primary key
//!   `request_id`: the same rows give the same bytes, so the same range
//!   imported twice has the same SHA-256 and is refused as a duplicate.
//! - **Secrets.** The connection string holds a password: it comes from an
//!   environment variable ([`url_from_env`]), is kept as a [`Secret`], and
//!   every message passes through its redaction; what names the source
//!   ([`Target::label`]) is built from host, port and database only.

use std::ops::ControlFlow;
use std::str::FromStr;
use std::time::Duration;

use postgres::config::{Host, SslMode};
use postgres::{Client, Config, NoTls, Transaction};

use super::UsageFormat;
use super::error::UsageError;
use super::litellm_spend::COLUMNS;
use super::read::{ReadOptions, UsageRead, read};
use crate::secret::{Secret, check_env_name};
use crate::utc::rfc3339_millis;

/// The variable LiteLLM itself reads its connection string from.
pub const DEFAULT_URL_ENV: &str = "DATABASE_URL";

/// The table, as Prisma names it from LiteLLM's `schema.prisma`.
pub const TABLE: &str = "LiteLLM_SpendLogs";

/// A server that does not answer within this is reported, not waited for.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest server message kept in an error (after redaction).
const MESSAGE_MAX: usize = 600;

/// Query parameters of a Prisma connection string that libpq does not know:
/// LiteLLM's `DATABASE_URL` is Prisma's, so they are dropped rather than
/// refused (`schema` is used, below).
const PRISMA_ONLY: [&str; 7] = [
    "schema",
    "connection_limit",
    "pool_timeout",
    "pgbouncer",
    "socket_timeout",
    "statement_cache_size",
    "sslaccept",
];

/// The half-open range `[since, until)` of `startTime`, in milliseconds
/// since the epoch (UTC); an absent end is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

impl TimeRange {
    /// A range, refused when it is empty (`since` not before `until`).
    pub fn new(since_ms: Option<i64>, until_ms: Option<i64>) -> Result<Self, String> {
        if let (Some(s), Some(u)) = (since_ms, until_ms)
            && s >= u
        {
            return Err(format!(
                "--since {} is not before --until {}: the range [since, until) is empty",
                rfc3339_millis(s),
                rfc3339_millis(u)
            ));
        }
        Ok(Self { since_ms, until_ms })
    }

    /// `[2026-11-01T00:00:00.000Z, 2026-12-01T00:00:00.000Z)`, `…` for an
    /// open end.
    pub fn label(&self) -> String {
        let end = |ms: Option<i64>| ms.map_or_else(|| "…".to_owned(), rfc3339_millis);
        format!("[{}, {})", end(self.since_ms), end(self.until_ms))
    }

    /// The `WHERE` condition, or `TRUE`.
    fn condition(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.since_ms {
            parts.push(format!("\"startTime\" >= {}", sql_timestamp(s)));
        }
        if let Some(u) = self.until_ms {
            parts.push(format!("\"startTime\" < {}", sql_timestamp(u)));
        }
        if parts.is_empty() {
            "TRUE".to_owned()
        } else {
            parts.join(" AND ")
        }
    }
}

/// `TIMESTAMP '2026-11-01 00:00:00.000'`: `startTime` is a `timestamp(3)`
/// without zone that LiteLLM fills in UTC, so the bound is written in UTC
/// without zone too. Built from a number: only digits, `-`, `:`, `.` and a
/// space can appear between the quotes.
fn sql_timestamp(ms: i64) -> String {
    let text = rfc3339_millis(ms).replace('T', " ").replace('Z', "");
    format!("TIMESTAMP '{text}'")
}

/// The connection string in the environment variable `name`, which must be
/// a variable name (a pasted connection string is refused without being
/// repeated).
pub fn url_from_env(name: &str) -> Result<Secret, UsageError> {
    let label = format!("${name}");
    check_env_name(name).map_err(|e| UsageError::file("--database-url-env", e.to_string()))?;
    match std::env::var(name) {
        Ok(url) if !url.trim().is_empty() => Ok(Secret::new(url.trim())),
        Ok(_) | Err(std::env::VarError::NotPresent) => Err(UsageError::file(
            &label,
            format!(
                "not set: export the LiteLLM proxy's connection string \
                 (postgresql://USER:PASSWORD@HOST:PORT/DATABASE, what the proxy reads from \
                 {DEFAULT_URL_ENV}) or name the variable that holds it with --database-url-env"
            ),
        )),
        Err(std::env::VarError::NotUnicode(_)) => Err(UsageError::file(
            &label,
            "not UTF-8 text: not a connection string",
        )),
    }
}

/// Where the spend logs are: the parsed connection string, without ever
/// showing its password.
#[derive(Debug)]
pub struct Target {
    config: Config,
    /// The password, to take out of any message a server or driver writes.
    password: Secret,
    /// `postgresql://host:port/db`.
    place: String,
    /// The schema of the table (Prisma's `?schema=`), else the search path's.
    schema: Option<String>,
}

impl Target {
    /// Parses a libpq connection string (URL or `key=value` pairs). Prisma's
    /// own parameters are dropped, `schema` kept as the table's schema.
    pub fn parse(url: &Secret) -> Result<Self, UsageError> {
        let (text, schema) = without_prisma_params(url.expose());
        let mut config = Config::from_str(&text).map_err(|e| {
            UsageError::file(
                "the connection string",
                format!(
                    "not a PostgreSQL connection string \
                     (postgresql://USER:PASSWORD@HOST:PORT/DATABASE): {}",
                    config_detail(&e)
                ),
            )
        })?;
        if config.get_ssl_mode() == SslMode::Require {
            return Err(UsageError::file(
                &place(&config),
                "sslmode=require: this build connects without TLS; reach the database \
                 through an SSH tunnel or a local TLS proxy (sslmode=prefer or disable), \
                 or export a CSV with psql's \\copy",
            ));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("switchyard usage import");
        let password = Secret::new(
            config
                .get_password()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .unwrap_or_default(),
        );
        Ok(Self {
            place: place(&config),
            config,
            password,
            schema,
        })
    }

    /// What names the source in messages and in the catalog:
    /// `postgresql://127.0.0.1:5432/litellm LiteLLM_SpendLogs [since, until)`.
    pub fn label(&self, range: &TimeRange) -> String {
        format!("{} {} {}", self.place, self.table_name(), range.label())
    }

    fn table_name(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{TABLE}"),
            None => TABLE.to_owned(),
        }
    }

    /// `"schema"."LiteLLM_SpendLogs"`, quoted.
    fn table_sql(&self) -> String {
        match &self.schema {
            Some(s) => format!("{}.{}", ident(s), ident(TABLE)),
            None => ident(TABLE),
        }
    }

    /// An error from the driver or server, its password taken out.
    fn error(&self, doing: &str, e: &postgres::Error) -> UsageError {
        let text = format!("{doing}: {}", chain(e));
        let text = if self.password.expose().is_empty() {
            text
        } else {
            self.password.redact(&text, MESSAGE_MAX).to_string()
        };
        UsageError::file(&self.place, text)
    }

    /// Opens a session (bounded by the connect timeout).
    pub fn connect(&self) -> Result<Client, UsageError> {
        self.config
            .connect(NoTls)
            .map_err(|e| self.error("cannot connect", &e))
    }

    /// A `READ ONLY` transaction on `client`, checked with the server's own
    /// `transaction_read_only`.
    pub fn read_only<'c>(&self, client: &'c mut Client) -> Result<Transaction<'c>, UsageError> {
        let mut tx = client
            .build_transaction()
            .read_only(true)
            .start()
            .map_err(|e| self.error("cannot start a read-only transaction", &e))?;
        let on: String = tx
            .query_one("SHOW transaction_read_only", &[])
            .and_then(|r| r.try_get(0))
            .map_err(|e| self.error("cannot check the transaction is read-only", &e))?;
        if on != "on" {
            return Err(UsageError::file(
                &self.place,
                format!("the server says the transaction is not read-only (`{on}`): stopped"),
            ));
        }
        Ok(tx)
    }

    /// The columns of [`COLUMNS`] the table has: older LiteLLM tables lack
    /// some optional ones (`status`, `request_duration_ms`), which then read
    /// as absent, as in a CSV export without them.
    fn columns(&self, tx: &mut Transaction<'_>) -> Result<Vec<&'static str>, UsageError> {
        let rows = tx
            .query(
                "SELECT a.attname::text FROM pg_catalog.pg_attribute a \
                 WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped",
                &[&self.table_sql()],
            )
            .map_err(|e| self.error(&format!("cannot read the columns of {TABLE}"), &e))?;
        let have: Vec<String> = rows.iter().filter_map(|r| r.try_get(0).ok()).collect();
        if have.is_empty() {
            return Err(UsageError::file(
                &self.place,
                format!(
                    "no table {} (or no permission to see it): is this the LiteLLM proxy's database?",
                    self.table_name()
                ),
            ));
        }
        Ok(COLUMNS
            .into_iter()
            .filter(|c| have.iter().any(|h| h == c))
            .collect())
    }

    /// `COPY (SELECT …) TO STDOUT` of `columns` of the rows in `range`.
    fn copy_sql(&self, columns: &[&str], range: &TimeRange) -> String {
        let list: Vec<String> = columns.iter().map(|c| ident(c)).collect();
        format!(
            "COPY (SELECT {} FROM {} WHERE {} ORDER BY \"startTime\", \"request_id\") \
             TO STDOUT WITH (FORMAT csv, HEADER true)",
            list.join(", "),
            self.table_sql(),
            range.condition()
        )
    }

    /// Reads the rows of `range` through the `litellm-spend` reader.
    /// `progress(bytes, 0)` is called as rows arrive (the total is unknown);
    /// `Break` cancels. The result's `file` is [`Target::label`].
    pub fn read_spend_logs(
        &self,
        range: &TimeRange,
        skip_bad: bool,
        progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
    ) -> Result<UsageRead, UsageError> {
        let label = self.label(range);
        let mut client = self.connect()?;
        let mut tx = self.read_only(&mut client)?;
        let columns = self.columns(&mut tx)?;
        let any: bool = tx
            .query_one(
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM {} WHERE {})",
                    self.table_sql(),
                    range.condition()
                ),
                &[],
            )
            .and_then(|r| r.try_get(0))
            .map_err(|e| self.error(&format!("cannot read {TABLE}"), &e))?;
        if !any {
            return Err(UsageError::file(
                &label,
                "no row with its startTime in the range",
            ));
        }
        let copy = tx
            .copy_out(&self.copy_sql(&columns, range))
            .map_err(|e| self.error(&format!("cannot read {TABLE}"), &e))?;
        let options = ReadOptions {
            format: UsageFormat::LitellmSpend,
            map: Vec::new(),
            skip_bad,
        };
        let mut read = read(copy, &label, 0, &options, progress).map_err(|e| match e {
            UsageError::Read { source, .. } => {
                let text = match source
                    .get_ref()
                    .and_then(|s| s.downcast_ref::<postgres::Error>())
                {
                    Some(pg) => chain(pg),
                    None => source.to_string(),
                };
                UsageError::file(
                    &label,
                    format!(
                        "reading the rows failed: {}",
                        self.password.redact(&text, MESSAGE_MAX)
                    ),
                )
            }
            other => other,
        })?;
        tx.commit()
            .map_err(|e| self.error("cannot end the read-only transaction", &e))?;
        read.file_name = format!("{} {}", self.table_name(), range.label());
        Ok(read)
    }
}

/// `postgresql://host:port/db` of a configuration: no user, no password.
fn place(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => config
            .get_hostaddrs()
            .first()
            .map_or_else(|| "localhost".to_owned(), |a| a.to_string()),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("postgresql://{host}:{port}/{db}")
}

/// A quoted SQL identifier (`"` doubled).
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// An error with its causes: `db error: FATAL: password authentication
/// failed for user "litellm"`.
fn chain(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.replace('\n', " ")
}

/// What is wrong with a connection string, without any of its text: a
/// parser's "but got `x`" could quote a character of the password.
fn config_detail(e: &postgres::Error) -> String {
    let text = chain(e);
    match text.find(" but got") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// The URL without Prisma's parameters, and its `schema` if any. A
/// `key=value` string is left as it is.
fn without_prisma_params(url: &str) -> (String, Option<String>) {
    let is_url = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let Some((base, query)) = url.split_once('?').filter(|_| is_url) else {
        return (url.to_owned(), None);
    };
    let mut schema = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or("");
            if key == "schema" {
                schema = pair
                    .split_once('=')
                    .map(|(_, v)| v.to_owned())
                    .filter(|v| !v.is_empty() && v != "public");
            }
            !pair.is_empty() && !PRISMA_ONLY.contains(&key)
        })
        .collect();
    let text = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (text, schema)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::time::{MAX_BOUND_MS, parse_bound};

    const PASSWORD: &str = "pw-Canary-93b1f7";

    fn url(text: &str) -> Secret {
        Secret::new(text.replace("PW", PASSWORD))
    }

    #[test]
    fn bounds_are_dates_or_rfc3339_and_nothing_else() {
        assert_eq!(parse_bound("2026-11-01"), Ok(1_793_491_200_000));
        assert_eq!(parse_bound("2026-11-01T00:00:00Z"), Ok(1_793_491_200_000));
        assert_eq!(
            parse_bound("2026-11-01T01:00:00+01:00"),
            Ok(1_793_491_200_000)
        );
        assert_eq!(parse_bound("2026-11-01 00:00:00.5"), Ok(1_793_491_200_500));
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-11-01'; DROP TABLE x; --",
            "1969-12-31",
        ] {
            assert!(parse_bound(bad).is_err(), "{bad}");
        }
        let e = parse_bound("x".repeat(100).as_str()).unwrap_err();
        assert!(e.len() < 200, "{e}");
    }

    #[test]
    fn the_range_is_half_open_and_written_from_numbers() {
        let r = TimeRange::new(Some(1_793_491_200_000), Some(1_793_577_600_123)).expect("range");
        assert_eq!(
            r.condition(),
            "\"startTime\" >= TIMESTAMP '2026-11-01 00:00:00.000' AND \"startTime\" < TIMESTAMP '2026-11-02 00:00:00.123'"
        );
        assert_eq!(
            r.label(),
            "[2026-11-01T00:00:00.000Z, 2026-11-02T00:00:00.123Z)"
        );
        assert_eq!(TimeRange::default().condition(), "TRUE");
        assert_eq!(TimeRange::default().label(), "[…, …)");
        assert!(TimeRange::new(Some(5), Some(5)).is_err());
        // Every bound a user can give is digits and separators only.
        for ms in [0, 1, 86_399_999, MAX_BOUND_MS] {
            let t = sql_timestamp(ms);
            let inner = &t["TIMESTAMP '".len()..t.len() - 1];
            assert!(
                inner
                    .chars()
                    .all(|c| c.is_ascii_digit() || "-:. ".contains(c)),
                "{t}"
            );
        }
    }

    #[test]
    fn the_label_names_host_port_and_database_never_the_password() {
        let t = Target::parse(&url(
            "postgresql://litellm:PW@db.internal:6543/proxy?schema=litellm&connection_limit=5",
        ))
        .expect("parses");
        let label = t.label(&TimeRange::default());
        assert_eq!(
            label,
            "postgresql://db.internal:6543/proxy litellm.LiteLLM_SpendLogs […, …)"
        );
        assert!(!format!("{t:?}").contains(PASSWORD));
        assert_eq!(t.table_sql(), "\"litellm\".\"LiteLLM_SpendLogs\"");
        let kv = Target::parse(&url("host=127.0.0.1 port=5 user=u password=PW dbname=d"))
            .expect("parses");
        assert_eq!(
            kv.label(&TimeRange::default()),
            "postgresql://127.0.0.1:5/d LiteLLM_SpendLogs […, …)"
        );
    }

    #[test]
    fn a_bad_connection_string_is_refused_without_its_text() {
        for text in [
            "postgresql://u:PW@host:notaport/db",
            "host=x password='PW",
            "postgresql://u:PW@h/db?bogus=PW",
        ] {
            let e = Target::parse(&url(text)).unwrap_err().to_string();
            assert!(!e.contains(PASSWORD), "{e}");
            assert!(e.contains("not a PostgreSQL connection string"), "{e}");
        }
        let e = Target::parse(&url("postgresql://u:PW@h/db?sslmode=require"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("sslmode=require") && !e.contains(PASSWORD),
            "{e}"
        );
    }

    #[test]
    fn the_copy_selects_the_reader_columns_in_time_order() {
        let t = Target::parse(&url("postgresql://u:PW@h/db")).expect("parses");
        let sql = t.copy_sql(&["startTime", "model"], &TimeRange::default());
        assert_eq!(
            sql,
            "COPY (SELECT \"startTime\", \"model\" FROM \"LiteLLM_SpendLogs\" WHERE TRUE ORDER BY \"startTime\", \"request_id\") TO STDOUT WITH (FORMAT csv, HEADER true)"
        );
    }

    #[test]
    fn a_missing_variable_says_how_to_set_it() {
        let e = url_from_env("SWITCHYARD_TEST_NO_SUCH_VARIABLE_4711")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("$SWITCHYARD_TEST_NO_SUCH_VARIABLE_4711: not set"),
            "{e}"
        );
        let e = url_from_env("postgresql://u:pw@h/db")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("pw@h"), "{e}");
    }
}
