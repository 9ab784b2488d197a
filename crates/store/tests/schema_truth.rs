//! Schema truth (issue 16, decision 0024): the SQLite and PostgreSQL migration sets, applied by the
//! store itself, must build the same schema once both are read into one common vocabulary.
//!
//! Both schemas are read from the database catalogues (SQLite's `pragma_*` functions and
//! `sqlite_master`, PostgreSQL's `pg_catalog`), turned into *facts* — a key naming a thing
//! (`projects.name`, `index payments_paid_on`, `projects check (…)`) and its description in the
//! common vocabulary — and every difference is reported at once. The PostgreSQL side runs when
//! `JIXIAO_TEST_DATABASE_URL` is set, in a schema of its own that is dropped afterwards.
//!
//! The common vocabulary (see decision 0024 for the reasons):
//!
//! | SQLite declared type             | PostgreSQL type            | common       |
//! |----------------------------------|----------------------------|--------------|
//! | `INTEGER PRIMARY KEY` (rowid)    | `BIGINT … AS IDENTITY`     | `bigint identity` |
//! | `INTEGER`, `INT`                 | `integer` (int4)           | `integer`    |
//! | `BIGINT`, `INT8`                 | `bigint` (int8)            | `bigint`     |
//! | `SMALLINT`                       | `smallint` (int2)          | `smallint`   |
//! | `TEXT`                           | `text`                     | `text`       |
//! | `BOOLEAN`, `BOOL`                | `boolean`                  | `boolean`    |
//! | `BLOB`                           | `bytea`                    | `bytes`      |
//! | `REAL`, `DOUBLE`, `FLOAT`        | `double precision` (float8)| `real`       |
//!
//! Anything else keeps its own name prefixed by the backend (`postgres character varying(10)`), so
//! it can never match by accident. A `BIGSERIAL`/`nextval` column reads as `serial`, not
//! `identity`: the project's one way to number rows is an identity column.

use jixiao_store::Store;
use jixiao_store::test_support::TEST_DATABASE_ENV;
use sqlx::{Connection, Row};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// Differences that are the dialects', not drift: the fact's key and why it may differ. Each
/// entry must still match a difference (a stale entry fails the test), so the list stays short.
const ALLOWED: &[(&str, &str)] = &[
    // SQLite has no TRUNCATE statement; `DELETE FROM t` without WHERE fires the row-level DELETE
    // trigger there (SQLite turns off its truncate optimisation when a table has triggers), so
    // the BEFORE DELETE trigger on both sides already covers it.
    (
        "audit_log trigger before truncate",
        "PostgreSQL-only statement; SQLite's DELETE trigger covers a whole-table delete",
    ),
    (
        "ledger_entries trigger before truncate",
        "PostgreSQL-only statement; SQLite's DELETE trigger covers a whole-table delete",
    ),
    // The payment months (migration 0037): PostgreSQL adds each INSERT's rows grouped from its
    // transition table (one upsert per allotment-month per group commit); SQLite has only row
    // triggers. Both leave the same sums.
    (
        "payments trigger after insert",
        "statement trigger with a transition table on PostgreSQL, row trigger on SQLite",
    ),
    // The name search index (migration 0039): a province's `%…%` search on PostgreSQL; SQLite
    // serves a county, whose names are scanned in a few milliseconds.
    (
        "index projects_search_grams",
        "PostgreSQL-only GIN index of the names' characters and pairs (a province's search)",
    ),
    // The rollups' marks (migration 0043): SQLite's row triggers look a mark up before adding
    // it; PostgreSQL only appends them and takes them all at once.
    (
        "index rollup_changes_scope",
        "SQLite-only index: its triggers look a mark up before adding one",
    ),
    // The session cache's notices (migration 0042): servers on PostgreSQL cache sessions and
    // hear of changes by NOTIFY; a server on SQLite does not cache them.
    (
        "sessions trigger after delete",
        "PostgreSQL-only NOTIFY to servers that cache sessions",
    ),
    (
        "sessions trigger after update",
        "PostgreSQL-only NOTIFY to servers that cache sessions",
    ),
    (
        "users trigger after update",
        "PostgreSQL-only NOTIFY to servers that cache sessions",
    ),
    (
        "jurisdictions trigger after update",
        "PostgreSQL-only NOTIFY to servers that cache sessions",
    ),
    (
        "agencies trigger after update",
        "PostgreSQL-only NOTIFY to servers that cache sessions",
    ),
    (
        "sessions trigger after truncate",
        "PostgreSQL-only NOTIFY to servers that cache sessions",
    ),
    (
        "users trigger after truncate",
        "PostgreSQL-only NOTIFY to servers that cache sessions",
    ),
    (
        "agencies trigger after truncate",
        "PostgreSQL-only NOTIFY to servers that cache sessions",
    ),
    (
        "jurisdictions trigger after truncate",
        "PostgreSQL-only NOTIFY to servers that cache sessions",
    ),
];

/// The tables whose changes mark the dashboards' rollups for a rebuild (migration 0043, decision
/// 0055). Each has a trigger after insert, update and delete on both backends — per statement
/// with transition tables on PostgreSQL, per row on SQLite — and PostgreSQL one after truncate
/// (SQLite has no TRUNCATE; its whole-table DELETE fires the row triggers). Read as one fact per
/// table, so that a missing trigger on either side is still a difference.
const ROLLUP_SOURCES: &[&str] = &[
    "projects",
    "allotments",
    "payment_months",
    "alerts",
    "self_evaluations",
    "rectifications",
    "adjustments",
];

/// Replaces the triggers of [`ROLLUP_SOURCES`] with one fact per table naming the events that
/// have one (the level differs by design), leaving every other fact as it was.
fn rollup_marks(mut facts: Facts, postgres: bool) -> Facts {
    for table in ROLLUP_SOURCES {
        let mut events: Vec<&str> = ["insert", "update", "delete"]
            .into_iter()
            .filter(|event| {
                facts
                    .remove(&format!("{table} trigger after {event}"))
                    .is_some()
            })
            .collect();
        let truncate = facts
            .remove(&format!("{table} trigger after truncate"))
            .is_some();
        if truncate != postgres {
            events.push(if truncate {
                "truncate (SQLite has none)"
            } else {
                "no truncate"
            });
        }
        facts.insert(format!("{table} rollup marks"), events.join(", "));
    }
    facts
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_build_the_same_schema() -> TestResult {
    let sqlite = sqlite_schema().await?;
    let sqlite_facts = facts(&sqlite);
    // The SQLite side is read whatever the environment: every table has columns, the catalogue
    // readers found the things every migration set has.
    assert!(
        sqlite.tables.len() >= 30,
        "too few SQLite tables read: {}",
        sqlite.tables.len()
    );
    for (name, table) in &sqlite.tables {
        assert!(
            !table.columns.is_empty(),
            "SQLite table {name} read without columns"
        );
    }
    for key in [
        "audit_log.seq",
        "projects primary key",
        "index payments_paid_on",
        "ledger_entries trigger before update",
    ] {
        assert!(sqlite_facts.contains_key(key), "SQLite schema lacks {key}");
    }
    assert!(
        sqlite_facts
            .keys()
            .any(|key| key.starts_with("projects check ")),
        "no CHECK constraint read from SQLite's table text"
    );

    let base = match std::env::var(TEST_DATABASE_ENV) {
        Ok(base) if !base.trim().is_empty() => base,
        _ => {
            println!(
                "schema truth: read the SQLite schema ({} tables, {} facts); {TEST_DATABASE_ENV} \
                 is not set, so the comparison with PostgreSQL was skipped",
                sqlite.tables.len(),
                sqlite_facts.len()
            );
            return Ok(());
        }
    };
    let postgres = postgres_schema(&base).await?;
    let report = compare(
        &rollup_marks(sqlite_facts.clone(), false),
        &rollup_marks(facts(&postgres), true),
        ALLOWED,
    );
    assert!(report.is_empty(), "{report}");
    println!(
        "schema truth: {} facts agree between SQLite and PostgreSQL ({} allowed differences)",
        sqlite_facts.len(),
        ALLOWED.len()
    );
    Ok(())
}

/// The comparison names every difference, and an allow-list entry that no longer matches is one.
#[test]
fn every_difference_is_reported_at_once() {
    let sqlite = Facts::from([
        ("t.a".to_owned(), "bigint not null".to_owned()),
        ("t.b".to_owned(), "text null".to_owned()),
        ("table t".to_owned(), "table".to_owned()),
    ]);
    let postgres = Facts::from([
        ("t.a".to_owned(), "bigint null".to_owned()),
        ("t.c".to_owned(), "text null".to_owned()),
        ("table t".to_owned(), "table".to_owned()),
    ]);
    let report = compare(&sqlite, &postgres, &[("t.c", "test"), ("u.x", "stale")]);
    assert!(
        report.contains("t.a: sqlite `bigint not null` vs postgres `bigint null`"),
        "{report}"
    );
    assert!(
        report.contains("t.b: sqlite `text null` vs postgres (missing)"),
        "{report}"
    );
    assert!(!report.contains("t.c: sqlite"), "{report}");
    assert!(report.contains("u.x"), "{report}");
    assert!(report.contains("2 differences"), "{report}");
    assert!(report.contains("1 stale"), "{report}");
}

/// The same CHECK written in each dialect, and PostgreSQL's rendering of it, get one fingerprint.
#[test]
fn check_fingerprints_agree_across_dialects() {
    let columns: BTreeSet<String> = ["name", "kind", "parent_id", "a", "b", "year"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    for (sqlite, postgres) in [
        (
            "length(name) BETWEEN 1 AND 50",
            "CHECK (((char_length(name) >= 1) AND (char_length(name) <= 50)))",
        ),
        (
            "kind IN ('department', 'unit')",
            "CHECK ((kind = ANY (ARRAY['department'::text, 'unit'::text])))",
        ),
        (
            "(kind = 'unit') = (parent_id IS NOT NULL)",
            "CHECK (((kind = 'unit'::text) = (parent_id IS NOT NULL)))",
        ),
        ("a != b", "CHECK ((a <> b))"),
        (
            "year IS NULL OR NOT a",
            "CHECK (((year IS NULL) OR (NOT a)))",
        ),
    ] {
        assert_eq!(
            check_fingerprint(&tokens(sqlite), &columns),
            check_fingerprint(&tokens(postgres), &columns),
            "{sqlite}"
        );
    }
    assert_ne!(
        check_fingerprint(&tokens("year > 2000"), &columns),
        check_fingerprint(&tokens("year >= 2000"), &columns)
    );
}

#[test]
fn defaults_are_normalised() {
    for (raw, ty, want) in [
        ("''", "text", "''"),
        ("''::text", "text", "''"),
        ("'[]'::text", "text", "'[]'"),
        ("FALSE", "boolean", "false"),
        ("0", "boolean", "false"),
        ("false", "boolean", "false"),
        ("(0)", "bigint", "0"),
        ("'5'::bigint", "bigint", "5"),
    ] {
        assert_eq!(normalise_default(raw, ty), want, "{raw}");
    }
}

/// Migration 0018 rebuilds four SQLite tables and renumbers four PostgreSQL ones: a database
/// migrated to 0017 with rows in them keeps every row, its foreign keys and its triggers.
#[tokio::test]
async fn upgrading_through_0018_keeps_rows_keys_and_guards() -> TestResult {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    use std::str::FromStr;

    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("upgrade.db").display());
    // One connection, so the foreign-key setting the migration leaves behind can be read back.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::from_str(&url)?
                .create_if_missing(true)
                .foreign_keys(true),
        )
        .await?;
    let migrations = sqlx::migrate!("./migrations/sqlite");
    migrations.run_to(17, &pool).await?;
    for statement in [
        "INSERT INTO jurisdictions (code, name, parent_code, created_at) VALUES \
         ('371400', '德州市', NULL, 1), ('371481', '乐陵市', '371400', 2)",
        "INSERT INTO agencies (id, jurisdiction_code, code, name, kind, created_at) \
         VALUES (7, '371481', '105', '乐陵市财政局', 'department', 3)",
        "INSERT INTO users (id, username, display_name, password_hash, role, jurisdiction_code, \
         created_at) VALUES (5, 'finance', '财政', 'x', 'finance', '371481', 4)",
        "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, expires_at) \
         VALUES ('token', 5, 'web', 'csrf', 5, 6)",
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, jurisdiction_code, \
         details, prev_hash, hash) VALUES (1, 7, 'system', 'add', 'jurisdiction', '371400', NULL, \
         '{}', 'p1', 'h1'), (2, 8, 'system', 'add', 'jurisdiction', '371481', '371481', '{}', \
         'h1', 'h2')",
        "INSERT INTO projects (id, jurisdiction_code, agency_id, year, code, name, category, \
         is_new, start_year, end_year, requested_fen, funding_superior_fen, funding_local_fen, \
         funding_other_fen, serves_people, state, created_at, updated_at) VALUES (11, '371481', 7, \
         2026, 'P1', '项目', 'other', TRUE, 2026, 2026, 100, 0, 100, 0, FALSE, 'draft', 9, 9)",
        "INSERT INTO publications (project_id, published_by, published_at) \
         VALUES (11, 'finance', 10)",
    ] {
        sqlx::query(statement).execute(&pool).await?;
    }
    let dump = "SELECT (SELECT group_concat(code || '/' || name || '/' || \
                    coalesce(parent_code, '-') || '/' || created_at, ';') FROM jurisdictions) \
                || ' | ' || (SELECT group_concat(token_hash || '/' || user_id || '/' || kind || \
                    '/' || csrf_token || '/' || created_at || '/' || expires_at, ';') FROM sessions) \
                || ' | ' || (SELECT group_concat(seq || '/' || at || '/' || actor || '/' || action \
                    || '/' || entity || '/' || entity_id || '/' || coalesce(jurisdiction_code, '-') \
                    || '/' || details || '/' || prev_hash || '/' || hash, ';') FROM audit_log) \
                || ' | ' || (SELECT group_concat(project_id || '/' || published_by || '/' || \
                    published_at, ';') FROM publications)";
    let before: String = sqlx::query_scalar(dump).fetch_one(&pool).await?;
    migrations.run(&pool).await?;
    let after: String = sqlx::query_scalar(dump).fetch_one(&pool).await?;
    assert_eq!(before, after);

    let foreign_keys: bool = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&pool)
        .await?;
    assert!(
        foreign_keys,
        "the migration left foreign keys off on its connection"
    );
    let violations: i64 = sqlx::query_scalar("SELECT count(*) FROM pragma_foreign_key_check")
        .fetch_one(&pool)
        .await?;
    assert_eq!(violations, 0);
    for (statement, why) in [
        (
            "INSERT INTO agencies (jurisdiction_code, code, name, kind, created_at) \
             VALUES ('999999', '1', 'x', 'department', 1)",
            "a child still refers to the rebuilt jurisdictions",
        ),
        (
            "DELETE FROM jurisdictions WHERE code = '371481'",
            "the rebuilt jurisdictions are still a parent",
        ),
        (
            "INSERT INTO jurisdictions (code, name, created_at) VALUES (NULL, 'x', 1)",
            "a NULL key is refused",
        ),
        (
            "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, expires_at) \
          VALUES (NULL, 5, 'web', 'c', 1, 2)",
            "a NULL key is refused",
        ),
        (
            "DELETE FROM users WHERE id = 5",
            "the rebuilt sessions still refer to users",
        ),
        (
            "DELETE FROM projects WHERE id = 11",
            "the rebuilt publications still refer to projects",
        ),
        (
            "UPDATE audit_log SET actor = 'x' WHERE seq = 1",
            "the audit log is append-only",
        ),
        ("DELETE FROM audit_log", "the audit log is append-only"),
    ] {
        assert!(
            sqlx::query(statement).execute(&pool).await.is_err(),
            "{why}: {statement}"
        );
    }
    pool.close().await;

    let Ok(base) = std::env::var(TEST_DATABASE_ENV) else {
        return Ok(());
    };
    if base.trim().is_empty() {
        return Ok(());
    }
    in_fresh_postgres_schema(&base, "jixiao_upgrade", |url, _| upgrade_postgres(url)).await
}

/// On PostgreSQL: ids the BIGSERIAL sequences handed out are not handed out again by the identity
/// columns that replace them, audit_head keeps its row, and the ledger refuses TRUNCATE.
async fn upgrade_postgres(url: String) -> TestResult {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await?;
    let migrations = sqlx::migrate!("./migrations/postgres");
    migrations.run_to(17, &pool).await?;
    // Numbers taken and lost to rolled-back inserts: the identity must start past them.
    for _ in 0..3 {
        sqlx::query("SELECT nextval('rectifications_id_seq')")
            .execute(&pool)
            .await?;
    }
    let head_before: (i64, String) =
        sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(&pool)
            .await?;
    migrations.run(&pool).await?;
    for table in [
        "self_evaluations",
        "adjustments",
        "evaluations",
        "rectifications",
    ] {
        let next: i64 = sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence($1, 'id'))")
            .bind(table)
            .fetch_one(&pool)
            .await?;
        let want = if table == "rectifications" { 4 } else { 1 };
        assert_eq!(next, want, "{table}: first id after the upgrade");
    }
    let head_after: (i64, String) =
        sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(&pool)
            .await?;
    assert_eq!(head_before, head_after);
    let truncated = sqlx::query("TRUNCATE ledger_entries").execute(&pool).await;
    assert!(truncated.is_err(), "the ledger refuses TRUNCATE");
    pool.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The model both catalogues are read into.

/// A schema as read from one backend, already in the common vocabulary.
#[derive(Debug, Default)]
struct Schema {
    tables: BTreeMap<String, Table>,
    /// Indexes made by CREATE INDEX (not those behind a PRIMARY KEY or UNIQUE constraint).
    indexes: BTreeMap<String, Index>,
    views: BTreeSet<String>,
}

#[derive(Debug, Default)]
struct Table {
    columns: Vec<Column>,
    primary_key: Vec<String>,
    /// UNIQUE constraints, by their columns in order.
    uniques: Vec<Vec<String>>,
    foreign_keys: Vec<ForeignKey>,
    /// CHECK constraints, by fingerprint (see [`check_fingerprint`]).
    checks: Vec<String>,
    /// Triggers, as (timing, event, level): one per event a trigger fires on.
    triggers: Vec<(String, String, String)>,
}

#[derive(Debug)]
struct Column {
    name: String,
    ty: String,
    /// `identity`, `identity always` or `serial` when the database numbers the rows.
    auto: Option<String>,
    not_null: bool,
    default: Option<String>,
}

#[derive(Debug)]
struct ForeignKey {
    columns: Vec<String>,
    parent: String,
    parent_columns: Vec<String>,
    on_update: String,
    on_delete: String,
}

#[derive(Debug)]
struct Index {
    table: String,
    columns: Vec<String>,
    unique: bool,
    predicate: Option<String>,
}

/// One schema as facts: what (key) → how, in the common vocabulary.
type Facts = BTreeMap<String, String>;

fn facts(schema: &Schema) -> Facts {
    let mut out = Facts::new();
    // Facts that may repeat (two identical CHECKs) count their copies.
    let count = |out: &mut Facts, key: String| {
        let n = out
            .get(&key)
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        out.insert(key, (n + 1).to_string());
    };
    for (name, table) in &schema.tables {
        out.insert(format!("table {name}"), "table".to_owned());
        let order: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        out.insert(format!("{name} column order"), order.join(", "));
        for column in &table.columns {
            let mut text = column.ty.clone();
            if let Some(auto) = &column.auto {
                text.push(' ');
                text.push_str(auto);
            }
            text.push_str(if column.not_null {
                " not null"
            } else {
                " null"
            });
            if let Some(default) = &column.default {
                text.push_str(" default ");
                text.push_str(default);
            }
            out.insert(format!("{name}.{}", column.name), text);
        }
        out.insert(
            format!("{name} primary key"),
            format!("({})", table.primary_key.join(", ")),
        );
        for unique in &table.uniques {
            count(&mut out, format!("{name} unique ({})", unique.join(", ")));
        }
        for fk in &table.foreign_keys {
            out.insert(
                format!(
                    "{name} foreign key ({}) references {} ({})",
                    fk.columns.join(", "),
                    fk.parent,
                    fk.parent_columns.join(", ")
                ),
                format!("on update {}, on delete {}", fk.on_update, fk.on_delete),
            );
        }
        for check in &table.checks {
            count(&mut out, format!("{name} check {check}"));
        }
        for (timing, event, level) in &table.triggers {
            out.insert(
                format!("{name} trigger {timing} {event}"),
                format!("for each {level}"),
            );
        }
    }
    for (name, index) in &schema.indexes {
        let mut text = format!("on {} ({})", index.table, index.columns.join(", "));
        if index.unique {
            text.push_str(", unique");
        }
        if let Some(predicate) = &index.predicate {
            text.push_str(", where ");
            text.push_str(predicate);
        }
        out.insert(format!("index {name}"), text);
    }
    for view in &schema.views {
        out.insert(format!("view {view}"), "view".to_owned());
    }
    out
}

/// Every difference between the two fact sets not allowed by `allowed`, and every allowed entry
/// that no longer matches one, as a readable report (empty when they agree).
fn compare(sqlite: &Facts, postgres: &Facts, allowed: &[(&str, &str)]) -> String {
    let keys: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    let shown = |value: Option<&String>| match value {
        Some(v) => format!("`{v}`"),
        None => "(missing)".to_owned(),
    };
    let mut differences = Vec::new();
    let mut used = BTreeSet::new();
    for key in keys {
        let (s, p) = (sqlite.get(key), postgres.get(key));
        if s == p {
            continue;
        }
        if allowed.iter().any(|(k, _)| *k == key.as_str()) {
            used.insert(key.as_str());
            continue;
        }
        differences.push(format!(
            "  {key}: sqlite {} vs postgres {}",
            shown(s),
            shown(p)
        ));
    }
    let stale: Vec<String> = allowed
        .iter()
        .filter(|(key, _)| !used.contains(key))
        .map(|(key, reason)| {
            format!("  allow-list entry `{key}` ({reason}) matches no difference: remove it")
        })
        .collect();
    if differences.is_empty() && stale.is_empty() {
        return String::new();
    }
    let mut report = format!(
        "schema truth: {} differences between the SQLite and PostgreSQL migrations, {} stale \
         allow-list entries (fix a drift in a new migration pair; allow-list only a dialect \
         difference, with its reason):\n",
        differences.len(),
        stale.len()
    );
    for line in differences.iter().chain(&stale) {
        let _ = writeln!(report, "{line}");
    }
    report
}

// ---------------------------------------------------------------------------------------------
// SQLite.

async fn sqlite_schema() -> TestResult<Schema> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("schema-truth.db").display());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    store.close().await;
    let mut conn = sqlx::SqliteConnection::connect(&url).await?;
    let schema = read_sqlite(&mut conn).await;
    conn.close().await?;
    schema
}

async fn read_sqlite(conn: &mut sqlx::SqliteConnection) -> TestResult<Schema> {
    let mut schema = Schema::default();
    let objects = sqlx::query(
        "SELECT type, name, tbl_name, sql FROM sqlite_master \
         WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> '_sqlx_migrations' ORDER BY type, name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut index_sql = BTreeMap::new();
    let mut trigger_sql = Vec::new();
    let mut table_sql = BTreeMap::new();
    for row in &objects {
        let kind: String = row.try_get("type")?;
        let name: String = row.try_get("name")?;
        let table: String = row.try_get("tbl_name")?;
        let sql: Option<String> = row.try_get("sql")?;
        match kind.as_str() {
            "table" => {
                table_sql.insert(name, sql.unwrap_or_default());
            }
            "index" => {
                index_sql.insert(name, sql.unwrap_or_default());
            }
            "trigger" => trigger_sql.push((table, sql.unwrap_or_default())),
            "view" => {
                schema.views.insert(name);
            }
            _ => {}
        }
    }

    for (name, sql) in &table_sql {
        let sql_tokens = tokens(sql);
        let without_rowid = sql_tokens
            .windows(2)
            .any(|w| w[0] == word("without") && w[1] == word("rowid"));
        let mut table = Table::default();
        let rows = sqlx::query(
            "SELECT name, type, \"notnull\" AS not_null, dflt_value, pk \
             FROM pragma_table_info(?1) ORDER BY cid",
        )
        .bind(name)
        .fetch_all(&mut *conn)
        .await?;
        let mut pk = Vec::new();
        for row in &rows {
            let column: String = row.try_get("name")?;
            let position: i64 = row.try_get("pk")?;
            if position > 0 {
                pk.push((position, column));
            }
        }
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        for row in &rows {
            let column: String = row.try_get("name")?;
            let declared: String = row.try_get("type")?;
            let not_null: bool = row.try_get("not_null")?;
            let default: Option<String> = row.try_get("dflt_value")?;
            // `INTEGER PRIMARY KEY` (exactly that type, the only key column, a rowid table) is the
            // rowid itself: 64-bit, never NULL, numbered by the database when not given.
            let rowid = !without_rowid
                && table.primary_key == [column.clone()]
                && declared.eq_ignore_ascii_case("integer");
            let ty = if rowid {
                "bigint".to_owned()
            } else {
                sqlite_type(&declared)
            };
            table.columns.push(Column {
                default: default.map(|d| normalise_default(&d, &ty)),
                name: column,
                ty,
                auto: rowid.then(|| "identity".to_owned()),
                not_null: not_null || rowid,
            });
        }

        let indexes = sqlx::query(
            "SELECT name, \"unique\" AS is_unique, origin FROM pragma_index_list(?1) ORDER BY name",
        )
        .bind(name)
        .fetch_all(&mut *conn)
        .await?;
        for row in &indexes {
            let index: String = row.try_get("name")?;
            let unique: bool = row.try_get("is_unique")?;
            let origin: String = row.try_get("origin")?;
            let columns = sqlite_index_columns(conn, &index).await?;
            match origin.as_str() {
                "pk" => {}
                "u" => table.uniques.push(columns),
                _ => {
                    let predicate = index_sql.get(&index).and_then(|sql| {
                        let t = tokens(sql);
                        let at = t.iter().position(|t| *t == word("where"))?;
                        Some(canonical(&t[at + 1..]))
                    });
                    schema.indexes.insert(
                        index,
                        Index {
                            table: name.clone(),
                            columns,
                            unique,
                            predicate,
                        },
                    );
                }
            }
        }

        let keys = sqlx::query(
            "SELECT id, seq, \"table\" AS parent, \"from\" AS child_column, \"to\" AS parent_column, \
             on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        )
        .bind(name)
        .fetch_all(&mut *conn)
        .await?;
        let mut grouped: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        for row in &keys {
            let id: i64 = row.try_get("id")?;
            let parent: String = row.try_get("parent")?;
            let from: String = row.try_get("child_column")?;
            let to: Option<String> = row.try_get("parent_column")?;
            let on_update: String = row.try_get("on_update")?;
            let on_delete: String = row.try_get("on_delete")?;
            let fk = grouped.entry(id).or_insert_with(|| ForeignKey {
                columns: Vec::new(),
                parent: parent.clone(),
                parent_columns: Vec::new(),
                on_update: on_update.to_lowercase(),
                on_delete: on_delete.to_lowercase(),
            });
            fk.columns.push(from);
            // No column named: the parent's primary key (resolved below).
            fk.parent_columns.push(to.unwrap_or_default());
        }
        table.foreign_keys = grouped.into_values().collect();

        let column_names: BTreeSet<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        table.checks = sqlite_checks(&sql_tokens)
            .iter()
            .map(|expr| check_fingerprint(expr, &column_names))
            .collect();
        schema.tables.insert(name.clone(), table);
    }

    // A foreign key that names no parent column refers to the parent's primary key.
    let keys_of: BTreeMap<String, Vec<String>> = schema
        .tables
        .iter()
        .map(|(n, t)| (n.clone(), t.primary_key.clone()))
        .collect();
    for table in schema.tables.values_mut() {
        for fk in &mut table.foreign_keys {
            if fk.parent_columns.iter().any(String::is_empty)
                && let Some(pk) = keys_of.get(&fk.parent)
            {
                fk.parent_columns = pk.clone();
            }
        }
    }

    for (table, sql) in trigger_sql {
        // `CREATE TRIGGER name [BEFORE|AFTER|INSTEAD OF] event ON table …`: read up to ON.
        let all = tokens(&sql);
        let head = all
            .iter()
            .position(|t| *t == word("on"))
            .unwrap_or(all.len());
        let t = &all[..head];
        let timing = if t.contains(&word("instead")) {
            "instead of"
        } else if t.contains(&word("after")) {
            "after"
        } else {
            "before"
        };
        let event = ["insert", "update", "delete"]
            .into_iter()
            .filter_map(|e| t.iter().position(|x| *x == word(e)).map(|at| (at, e)))
            .min();
        if let (Some((_, event)), Some(entry)) = (event, schema.tables.get_mut(&table)) {
            entry
                .triggers
                .push((timing.to_owned(), event.to_owned(), "row".to_owned()));
        }
    }
    Ok(schema)
}

async fn sqlite_index_columns(
    conn: &mut sqlx::SqliteConnection,
    index: &str,
) -> TestResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT name, \"desc\" AS descending FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno",
    )
    .bind(index)
    .fetch_all(&mut *conn)
    .await?;
    let mut columns = Vec::new();
    for row in &rows {
        let name: Option<String> = row.try_get("name")?;
        let descending: bool = row.try_get("descending")?;
        let mut column = name.unwrap_or_else(|| "<expression>".to_owned());
        if descending {
            column.push_str(" desc");
        }
        columns.push(column);
    }
    Ok(columns)
}

/// The SQLite declared type in the common vocabulary.
fn sqlite_type(declared: &str) -> String {
    let upper = declared.trim().to_uppercase();
    let base = upper
        .split('(')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    match base.as_str() {
        "INTEGER" | "INT" => "integer",
        "BIGINT" | "INT8" => "bigint",
        "SMALLINT" | "INT2" => "smallint",
        "TEXT" => "text",
        "BOOLEAN" | "BOOL" => "boolean",
        "BLOB" => "bytes",
        "REAL" | "DOUBLE" | "DOUBLE PRECISION" | "FLOAT" => "real",
        "" => "untyped",
        _ => return format!("sqlite {}", declared.trim()),
    }
    .to_owned()
}

/// The expressions of every CHECK constraint in a CREATE TABLE statement (column or table level).
fn sqlite_checks(sql: &[Token]) -> Vec<Vec<Token>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < sql.len() {
        if sql[i] == word("check") && sql[i + 1] == punct("(") {
            let mut depth = 0usize;
            let mut j = i + 1;
            let mut expr = Vec::new();
            while j < sql.len() {
                if sql[j] == punct("(") {
                    depth += 1;
                    if depth == 1 {
                        j += 1;
                        continue;
                    }
                } else if sql[j] == punct(")") {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                expr.push(sql[j].clone());
                j += 1;
            }
            out.push(expr);
            i = j;
        }
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL.

/// Runs `work` on a new schema of the database at `base` (given the URL that reaches it and its
/// name), then drops the schema whatever `work` returned.
async fn in_fresh_postgres_schema<T, F, Fut>(base: &str, prefix: &str, work: F) -> TestResult<T>
where
    F: FnOnce(String, String) -> Fut,
    Fut: std::future::Future<Output = TestResult<T>>,
{
    let secret = jixiao_core::token::new_secret()?;
    let name = format!("{prefix}_{}", &secret[..16]);
    let mut admin = sqlx::PgConnection::connect(base).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
        .execute(&mut admin)
        .await?;
    // As test_support does: the schema is the connection's search path, so the migrations (and
    // sqlx's own bookkeeping table) land in it.
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options[search_path]={name}");
    let outcome = work(url, name.clone()).await;
    let dropped = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {name} CASCADE")))
        .execute(&mut admin)
        .await;
    admin.close().await?;
    let value = outcome?;
    dropped?;
    Ok(value)
}

/// Migrates a fresh schema the store's way, reads it and drops it again.
async fn postgres_schema(base: &str) -> TestResult<Schema> {
    in_fresh_postgres_schema(base, "jixiao_truth", |url, name| async move {
        let store = Store::connect(&url).await?;
        let migrated = store.migrate().await;
        store.close().await;
        migrated?;
        let mut conn = sqlx::PgConnection::connect(&url).await?;
        let schema = read_postgres(&mut conn, &name).await;
        conn.close().await?;
        schema
    })
    .await
}

async fn read_postgres(conn: &mut sqlx::PgConnection, schema_name: &str) -> TestResult<Schema> {
    let mut schema = Schema::default();
    let relations = sqlx::query(
        "SELECT c.relname::text AS name, c.relkind::text AS kind FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relname <> '_sqlx_migrations'",
    )
    .bind(schema_name)
    .fetch_all(&mut *conn)
    .await?;
    for row in &relations {
        let name: String = row.try_get("name")?;
        let kind: String = row.try_get("kind")?;
        if kind == "v" || kind == "m" {
            schema.views.insert(name);
        } else {
            schema.tables.insert(name, Table::default());
        }
    }

    let columns = sqlx::query(
        "SELECT c.relname::text AS table_name, a.attname::text AS name, \
                format_type(a.atttypid, a.atttypmod) AS formatted, t.typname::text AS type_name, \
                a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_value, \
                a.attidentity::text AS identity \
         FROM pg_attribute a \
         JOIN pg_class c ON c.oid = a.attrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
         ORDER BY c.relname, a.attnum",
    )
    .bind(schema_name)
    .fetch_all(&mut *conn)
    .await?;
    for row in &columns {
        let table: String = row.try_get("table_name")?;
        let name: String = row.try_get("name")?;
        let formatted: String = row.try_get("formatted")?;
        let type_name: String = row.try_get("type_name")?;
        let not_null: bool = row.try_get("not_null")?;
        let default: Option<String> = row.try_get("default_value")?;
        let identity: String = row.try_get("identity")?;
        let ty = postgres_type(&type_name, &formatted);
        let mut auto = match identity.as_str() {
            "d" => Some("identity".to_owned()),
            "a" => Some("identity always".to_owned()),
            _ => None,
        };
        let default = match default {
            Some(d) if d.starts_with("nextval(") => {
                auto = Some("serial".to_owned());
                None
            }
            other => other.map(|d| normalise_default(&d, &ty)),
        };
        if let Some(entry) = schema.tables.get_mut(&table) {
            entry.columns.push(Column {
                name,
                ty,
                auto,
                not_null,
                default,
            });
        }
    }

    let constraints = sqlx::query(
        "SELECT c.relname::text AS table_name, k.contype::text AS kind, \
                ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS u(num, ord) \
                      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num \
                      ORDER BY u.ord) AS columns, \
                p.relname::text AS parent, \
                ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS u(num, ord) \
                      JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num \
                      ORDER BY u.ord) AS parent_columns, \
                k.confupdtype::text AS on_update, k.confdeltype::text AS on_delete, \
                pg_get_constraintdef(k.oid) AS definition \
         FROM pg_constraint k \
         JOIN pg_class c ON c.oid = k.conrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_class p ON p.oid = k.confrelid \
         WHERE n.nspname = $1 AND k.contype IN ('p', 'u', 'f', 'c') \
         ORDER BY c.relname, k.conname",
    )
    .bind(schema_name)
    .fetch_all(&mut *conn)
    .await?;
    for row in &constraints {
        let table: String = row.try_get("table_name")?;
        let kind: String = row.try_get("kind")?;
        let columns: Vec<String> = row.try_get("columns")?;
        let Some(entry) = schema.tables.get_mut(&table) else {
            continue;
        };
        match kind.as_str() {
            "p" => entry.primary_key = columns,
            "u" => entry.uniques.push(columns),
            "f" => {
                let parent: Option<String> = row.try_get("parent")?;
                let on_update: String = row.try_get("on_update")?;
                let on_delete: String = row.try_get("on_delete")?;
                entry.foreign_keys.push(ForeignKey {
                    columns,
                    parent: parent.unwrap_or_default(),
                    parent_columns: row.try_get("parent_columns")?,
                    on_update: postgres_action(&on_update),
                    on_delete: postgres_action(&on_delete),
                });
            }
            _ => {
                let definition: String = row.try_get("definition")?;
                let names: BTreeSet<String> =
                    entry.columns.iter().map(|c| c.name.clone()).collect();
                entry
                    .checks
                    .push(check_fingerprint(&tokens(&definition), &names));
            }
        }
    }

    let indexes = sqlx::query(
        "SELECT t.relname::text AS table_name, i.relname::text AS name, x.indisunique AS is_unique, \
                pg_get_expr(x.indpred, x.indrelid) AS predicate, \
                ARRAY(SELECT COALESCE(a.attname::text, '<expression>') \
                             || CASE WHEN (x.indoption[u.ord - 1] & 1) = 1 THEN ' desc' ELSE '' END \
                      FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS u(num, ord) \
                      LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.num \
                      WHERE u.ord <= x.indnkeyatts ORDER BY u.ord) AS columns \
         FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = $1 AND t.relname <> '_sqlx_migrations' \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid \
                           AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))",
    )
    .bind(schema_name)
    .fetch_all(&mut *conn)
    .await?;
    for row in &indexes {
        let predicate: Option<String> = row.try_get("predicate")?;
        schema.indexes.insert(
            row.try_get("name")?,
            Index {
                table: row.try_get("table_name")?,
                columns: row.try_get("columns")?,
                unique: row.try_get("is_unique")?,
                predicate: predicate.map(|p| canonical(&tokens(&p))),
            },
        );
    }

    let triggers = sqlx::query(
        "SELECT c.relname::text AS table_name, g.tgtype::int4 AS bits FROM pg_trigger g \
         JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND NOT g.tgisinternal",
    )
    .bind(schema_name)
    .fetch_all(&mut *conn)
    .await?;
    for row in &triggers {
        let table: String = row.try_get("table_name")?;
        let bits: i32 = row.try_get("bits")?;
        // pg_trigger.tgtype: 1 row, 2 before, 64 instead; 4 insert, 8 delete, 16 update, 32 truncate.
        let timing = if bits & 2 != 0 {
            "before"
        } else if bits & 64 != 0 {
            "instead of"
        } else {
            "after"
        };
        let level = if bits & 1 != 0 { "row" } else { "statement" };
        let Some(entry) = schema.tables.get_mut(&table) else {
            continue;
        };
        for (bit, event) in [
            (4, "insert"),
            (8, "delete"),
            (16, "update"),
            (32, "truncate"),
        ] {
            if bits & bit != 0 {
                entry
                    .triggers
                    .push((timing.to_owned(), event.to_owned(), level.to_owned()));
            }
        }
    }
    Ok(schema)
}

/// The PostgreSQL type in the common vocabulary.
fn postgres_type(type_name: &str, formatted: &str) -> String {
    match type_name {
        "int4" => "integer",
        "int8" => "bigint",
        "int2" => "smallint",
        "text" => "text",
        "bool" => "boolean",
        "bytea" => "bytes",
        "float8" => "real",
        _ => return format!("postgres {formatted}"),
    }
    .to_owned()
}

fn postgres_action(code: &str) -> String {
    match code {
        "a" => "no action",
        "r" => "restrict",
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        other => other,
    }
    .to_owned()
}

// ---------------------------------------------------------------------------------------------
// Normalising SQL text from either dialect.

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    /// Keyword or identifier, lower-cased (quoted identifiers unquoted).
    Word(String),
    /// String literal, unquoted.
    Str(String),
    Num(String),
    Punct(String),
}

fn word(w: &str) -> Token {
    Token::Word(w.to_owned())
}

fn punct(p: &str) -> Token {
    Token::Punct(p.to_owned())
}

/// Splits SQL into tokens, dropping comments and white space.
fn tokens(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let take_until = |from: usize, end: char| {
        let mut j = from;
        while j < chars.len() && chars[j] != end {
            j += 1;
        }
        j
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && next == Some('-') {
            i = take_until(i, '\n');
        } else if c == '/' && next == Some('*') {
            let mut j = i + 2;
            while j + 1 < chars.len() && !(chars[j] == '*' && chars[j + 1] == '/') {
                j += 1;
            }
            i = j + 2;
        } else if c == '\'' {
            let mut text = String::new();
            let mut j = i + 1;
            while j < chars.len() {
                if chars[j] == '\'' {
                    if chars.get(j + 1) == Some(&'\'') {
                        text.push('\'');
                        j += 2;
                        continue;
                    }
                    break;
                }
                text.push(chars[j]);
                j += 1;
            }
            out.push(Token::Str(text));
            i = j + 1;
        } else if c == '"' || c == '`' || c == '[' {
            let end = if c == '[' { ']' } else { c };
            let j = take_until(i + 1, end);
            let text: String = chars[i + 1..j.min(chars.len())].iter().collect();
            // `[` opens an array in PostgreSQL's rendering, a quoted name only in SQLite's text.
            if c == '[' && !text.chars().all(|ch| ch.is_alphanumeric() || ch == '_') {
                out.push(punct("["));
                i += 1;
                continue;
            }
            out.push(Token::Word(text.to_lowercase()));
            i = j + 1;
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            out.push(Token::Num(chars[i..j].iter().collect()));
            i = j;
        } else if c.is_alphanumeric() || c == '_' {
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '$')
            {
                j += 1;
            }
            let text: String = chars[i..j].iter().collect();
            out.push(Token::Word(text.to_lowercase()));
            i = j;
        } else {
            let pair: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["<=", ">=", "<>", "!=", "==", "::", "||"].contains(&pair.as_str()) {
                out.push(Token::Punct(pair));
                i += 2;
            } else {
                out.push(Token::Punct(c.to_string()));
                i += 1;
            }
        }
    }
    out
}

/// A CHECK expression as the columns it reads, the comparisons, logic and arithmetic it uses and
/// the literals it names — what both dialects keep when PostgreSQL rewrites `BETWEEN` into `>= AND
/// <=`, `IN (…)` into `= ANY (ARRAY[…])` and adds casts and parentheses.
fn check_fingerprint(expr: &[Token], columns: &BTreeSet<String>) -> String {
    let mut used = BTreeSet::new();
    let mut ops = Vec::new();
    let mut literals = Vec::new();
    let mut after_cast = false;
    for token in expr {
        match token {
            // The type of a `::type` cast is no column.
            Token::Word(_) if after_cast => {}
            Token::Word(w) if columns.contains(w) => {
                used.insert(w.clone());
            }
            Token::Word(w) if w == "between" => {
                ops.push(">=".to_owned());
                ops.push("<=".to_owned());
            }
            Token::Word(w) if w == "in" => ops.push("=".to_owned()),
            // `BETWEEN a AND b` brings its own AND, as PostgreSQL's `>= a AND <= b` does.
            Token::Word(w) if ["and", "or", "not", "is", "null"].contains(&w.as_str()) => {
                ops.push(w.clone());
            }
            Token::Word(w) if w == "true" || w == "false" => literals.push(w.clone()),
            Token::Str(s) => literals.push(format!("'{s}'")),
            Token::Num(n) => literals.push(n.clone()),
            Token::Punct(p) => {
                let op = match p.as_str() {
                    "==" => "=",
                    "!=" => "<>",
                    other => other,
                };
                if [
                    "=", "<>", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "||",
                ]
                .contains(&op)
                {
                    ops.push(op.to_owned());
                }
            }
            Token::Word(_) => {}
        }
        after_cast = *token == punct("::");
    }
    ops.sort();
    literals.sort();
    format!(
        "({}; {}; {})",
        used.into_iter().collect::<Vec<_>>().join(", "),
        ops.join(" "),
        literals.join(", ")
    )
}

/// SQL text without parentheses, casts and case: `(status = 'open'::text)` → `status = 'open'`.
fn canonical(expr: &[Token]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut after_cast = false;
    for token in expr {
        let cast = *token == punct("::");
        if !cast && !after_cast {
            match token {
                Token::Punct(p) if p == "(" || p == ")" => {}
                Token::Punct(p) if p == "!=" => out.push("<>".to_owned()),
                Token::Punct(p) if p == "==" => out.push("=".to_owned()),
                Token::Word(w) | Token::Num(w) | Token::Punct(w) => out.push(w.clone()),
                Token::Str(s) => out.push(format!("'{s}'")),
            }
        }
        after_cast = cast;
    }
    out.join(" ")
}

/// A column default in the common vocabulary: no casts or outer parentheses, booleans as
/// `true`/`false` (SQLite's `0`/`1` on a boolean column included), numbers unquoted.
fn normalise_default(raw: &str, ty: &str) -> String {
    let t = tokens(raw);
    let mut text = canonical(&t);
    if ty == "boolean" {
        text = match text.as_str() {
            "0" | "false" | "'f'" => "false".to_owned(),
            "1" | "true" | "'t'" => "true".to_owned(),
            _ => text,
        };
    }
    let numeric = matches!(ty, "integer" | "bigint" | "smallint" | "real");
    if numeric
        && let [Token::Str(s), ..] = t.as_slice()
        && s.parse::<f64>().is_ok()
    {
        text = s.clone();
    }
    text
}
