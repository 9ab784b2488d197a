//! `advance`: the one way a document changes state. Inside the caller's write transaction it
//! re-reads the row (`FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already holds the
//! write lock), checks the version the caller read and the move against the workflow table of
//! `jixiao_core::workflow`, writes the new state and version, and appends the audit record whose
//! action code the workflow derives. The caller writes the document's other columns in the same
//! transaction.
//!
//! The older tables (alerts, alert decisions, adjustments, assignments, pool members) keep their
//! state in `status` and have no version (`Document::STATE_COLUMN`, `Document::VERSIONED`): for
//! them the write is a compare-and-set on the state read under the lock, so a second mover finds
//! the state moved on and is refused by the table (`409 invalid_transition`).

use crate::audit::append;
use crate::stored::Cell;
use crate::tx::Tx;
use crate::{Error, Result};
use jixiao_core::audit::AuditEntry;
use jixiao_core::workflow::{self, Document, StateCode};
use jixiao_core::{Actor, time};

/// What a move did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Moved<S> {
    /// The state before.
    pub(crate) from: S,
    /// The state after.
    pub(crate) to: S,
    /// The document's version after the move (`None` for a table without versions).
    pub(crate) version: Option<i32>,
}

/// The audit side of a move: the jurisdiction it belongs to and what else to record.
pub(crate) struct Trail<'a> {
    /// The jurisdiction of the document.
    pub(crate) jurisdiction: Option<&'a str>,
    /// Details for the audit record.
    pub(crate) details: serde_json::Value,
}

/// A value written with a move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// Text or NULL.
    Text(Option<String>),
    /// A whole number or NULL.
    Int(Option<i64>),
    /// A flag.
    Bool(bool),
}

/// A column of the document that changes together with its state (in the same statement, so a
/// table constraint tying the state to it holds at every statement).
pub(crate) type Set = (&'static str, Value);

/// Reads the state of `D` row `id` inside `tx` (locking it on PostgreSQL): the state and the
/// version (`None` for a table without versions). A missing row is `NotFound`; a state the
/// workflow does not know is `Unreadable`.
pub(crate) async fn current<D: Document>(tx: &mut Tx, id: i64) -> Result<(D::State, Option<i32>)> {
    let version = if D::VERSIONED { "version" } else { "NULL" };
    let mut sql = format!(
        "SELECT {}, CAST({version} AS INTEGER) FROM {} WHERE id = $1",
        D::STATE_COLUMN,
        D::TABLE
    );
    if tx.is_postgres() {
        sql.push_str(" FOR UPDATE");
    }
    let row: Option<(String, Option<i32>)> = on_tx!(tx, |conn| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
    });
    let Some((code, version)) = row else {
        return Err(Error::NotFound(format!("{}不存在", D::LABEL)));
    };
    let state = parse_state::<D>(&code, id)?;
    Ok((state, version))
}

/// Parses a stored state code of `D` row `id`, or says which row holds what.
pub(crate) fn parse_state<D: Document>(code: &str, id: i64) -> Result<D::State> {
    D::STATES
        .iter()
        .copied()
        .find(|s| s.code() == code)
        .ok_or_else(|| Cell::at(D::TABLE, id, D::STATE_COLUMN).unreadable(code))
}

/// Moves `D` row `id` by `action` of `actor`, if the row is still at `expected_version` (when
/// given) and the workflow allows the move from the state it is in now. Writes the state, the
/// next version (where the table has one) and `updated_at` (where the table has it), and the
/// audit record. A table without versions takes no `expected_version`: its write is a
/// compare-and-set on the state read under the lock.
///
/// Refusals: `StaleVersion` when the version (or the state) moved on, `InvalidTransition` when
/// the state does not allow the action, `Forbidden` when the role may not take it.
pub(crate) async fn advance<D: Document>(
    tx: &mut Tx,
    id: i64,
    expected_version: Option<i32>,
    action: D::Action,
    actor: &Actor,
    also: &[Set],
    trail: Trail<'_>,
) -> Result<Moved<D::State>> {
    if !D::VERSIONED && expected_version.is_some() {
        return Err(Error::Internal(format!(
            "{} has no version to compare",
            D::TABLE
        )));
    }
    let (from, version) = current::<D>(tx, id).await?;
    if let Some(expected) = expected_version
        && Some(expected) != version
    {
        return Err(stale::<D>());
    }
    let to = workflow::next::<D>(from, action, actor.role)?;
    // The tables that keep a last-change time (evaluations and rectifications keep theirs per
    // step, alert decisions and adjustments their decision time, written by the caller).
    let touches_updated_at = matches!(
        D::TABLE,
        "projects"
            | "monitoring_reports"
            | "self_evaluations"
            | "alerts"
            | "assignments"
            | "pool_members"
    );
    let mut sql = format!("UPDATE {} SET {} = $1", D::TABLE, D::STATE_COLUMN);
    if version.is_some() {
        sql.push_str(", version = version + 1");
    }
    let mut n = 3;
    if touches_updated_at {
        n += 1;
        sql.push_str(&format!(", updated_at = ${n}"));
    }
    for (column, _) in also {
        n += 1;
        sql.push_str(&format!(", {column} = ${n}"));
    }
    match version {
        Some(_) => sql.push_str(" WHERE id = $2 AND version = $3"),
        None => sql.push_str(&format!(" WHERE id = $2 AND {} = $3", D::STATE_COLUMN)),
    }
    let changed = on_tx!(tx, |conn| {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(to.code())
            .bind(id);
        query = match version {
            Some(version) => query.bind(version),
            None => query.bind(from.code()),
        };
        if touches_updated_at {
            query = query.bind(time::now());
        }
        for (_, value) in also {
            query = match value {
                Value::Text(text) => query.bind(text.clone()),
                Value::Int(number) => query.bind(*number),
                Value::Bool(flag) => query.bind(*flag),
            };
        }
        query.execute(&mut *conn).await?.rows_affected()
    });
    if changed != 1 {
        return Err(stale::<D>());
    }
    append(
        tx,
        AuditEntry::new(
            &actor.name,
            &workflow::audit_code::<D>(action),
            D::ENTITY,
            &id.to_string(),
        )
        .in_jurisdiction(trail.jurisdiction)
        .with_details(with_move(trail.details, from.code(), to.code())),
    )
    .await?;
    Ok(Moved {
        from,
        to,
        version: version.map(|v| v + 1),
    })
}

/// Checks, before the transaction, that the workflow allows `action` by `actor` on a `D` read in
/// `state` (so a refusal comes before any question about the input); `advance` checks again.
pub(crate) fn check<D: Document>(state: D::State, action: D::Action, actor: &Actor) -> Result<()> {
    workflow::next::<D>(state, action, actor.role)?;
    Ok(())
}

/// Checks that `actor` may create a `D` by `action` and returns the state it starts in.
pub(crate) fn create<D: Document>(action: D::Action, actor: &Actor) -> Result<D::State> {
    Ok(workflow::create::<D>(action, actor.role)?)
}

/// Appends the audit record of creating `D` row `id` by `action` in state `state`.
pub(crate) async fn record_creation<D: Document>(
    tx: &mut Tx,
    id: i64,
    action: D::Action,
    state: D::State,
    actor: &Actor,
    trail: Trail<'_>,
) -> Result<()> {
    append(
        tx,
        AuditEntry::new(
            &actor.name,
            &workflow::audit_code::<D>(action),
            D::ENTITY,
            &id.to_string(),
        )
        .in_jurisdiction(trail.jurisdiction)
        .with_details(with_move(trail.details, "", state.code())),
    )
    .await?;
    Ok(())
}

/// The stale-version refusal of `D`.
pub(crate) fn stale<D: Document>() -> Error {
    Error::StaleVersion(format!(
        "该{}已被他人修改，请刷新页面后重试（您的操作未保存）",
        D::LABEL
    ))
}

fn with_move(details: serde_json::Value, from: &str, to: &str) -> serde_json::Value {
    let mut details = match details {
        serde_json::Value::Object(map) => map,
        serde_json::Value::Null => serde_json::Map::new(),
        other => {
            let mut map = serde_json::Map::new();
            map.insert("details".to_owned(), other);
            map
        }
    };
    if !from.is_empty() {
        details.insert("from".to_owned(), from.into());
    }
    details.insert("to".to_owned(), to.into());
    serde_json::Value::Object(details)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::path::{Path, PathBuf};

    /// Files allowed to write a `state` column outside `advance` and `create`, each with its
    /// reason.
    const ALLOWED: &[(&str, &str)] = &[
        (
            "demo/projects_2019.rs",
            "the demo's 2019 history is imported as already approved: a creation of past \
             records, not a move of a live document",
        ),
        (
            "bench_data.rs",
            "benchmark data: approved projects written in bulk for `jixiao bench`, never a \
             live document",
        ),
        (
            "demo/province.rs",
            "the synthetic province of `demo --province` and `bench province`: a year of \
             projects in every state written in bulk (decision 0049), never a live document",
        ),
    ];

    /// Every `.rs` file under `dir` (for the source scans of the store's tests).
    pub(crate) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The state column of each table on the kernel that does not call it `state`.
    fn status_tables() -> Vec<(&'static str, &'static str)> {
        jixiao_core::workflow::documents()
            .into_iter()
            .filter(|d| d.state_column != "state")
            .map(|d| (d.table, d.state_column))
            .collect()
    }

    /// The SET lists of every `UPDATE … SET …` in `text` whose list assigns `state`, or the state
    /// column of a table in `status_tables` (`UPDATE alerts SET status = …`).
    fn state_updates(text: &str, status_tables: &[(&str, &str)]) -> Vec<String> {
        // Join string literals continued with `\` at line ends.
        let joined: String = text
            .split("\\\n")
            .map(str::trim_start)
            .collect::<Vec<_>>()
            .join("");
        let mut found = Vec::new();
        let mut rest = joined.as_str();
        while let Some(at) = rest.find("UPDATE ") {
            let after = &rest[at + "UPDATE ".len()..];
            let end = after
                .find(" WHERE ")
                .into_iter()
                .chain(after.find('"'))
                .min()
                .unwrap_or(after.len());
            let statement = &after[..end];
            if let Some((table, set)) = statement.split_once(" SET ") {
                let table = table.split_whitespace().next().unwrap_or("");
                let assigns_state = set.split(',').any(|part| {
                    let column = part.split('=').next().unwrap_or("").trim();
                    column == "state"
                        || status_tables
                            .iter()
                            .any(|(t, c)| *t == table && *c == column)
                });
                if assigns_state {
                    found.push(statement.to_owned());
                }
            }
            rest = after;
        }
        found
    }

    /// Every `INSERT INTO` a table on the kernel in `text`, with what is wrong with it: the state
    /// column left to the database's default, or written as a literal instead of the state
    /// `workflow::create` gave.
    fn state_inserts(text: &str) -> Vec<String> {
        let joined: String = text
            .split("\\\n")
            .map(str::trim_start)
            .collect::<Vec<_>>()
            .join("");
        let documents = jixiao_core::workflow::documents();
        let mut found = Vec::new();
        let mut rest = joined.as_str();
        while let Some(at) = rest.find("INSERT INTO ") {
            let after = &rest[at + "INSERT INTO ".len()..];
            rest = after;
            let end = after.find('"').unwrap_or(after.len());
            let statement = &after[..end];
            let table = statement
                .split(|c: char| c.is_whitespace() || c == '(')
                .next()
                .unwrap_or("");
            let Some(document) = documents.iter().find(|d| d.table == table) else {
                continue;
            };
            let columns: Vec<&str> = statement
                .split_once('(')
                .and_then(|(_, c)| c.split_once(')'))
                .map(|(c, _)| c.split(',').map(str::trim).collect())
                .unwrap_or_default();
            let Some(index) = columns.iter().position(|c| *c == document.state_column) else {
                found.push(format!(
                    "{table}: {} left to the default",
                    document.state_column
                ));
                continue;
            };
            let values = statement
                .split_once(" VALUES (")
                .or_else(|| statement.split_once(" SELECT "))
                .map(|(_, v)| v);
            if let Some(values) = values {
                let value = values.split(',').nth(index).unwrap_or("").trim();
                if !value.starts_with('$') {
                    found.push(format!(
                        "{table}: {} written as {value}",
                        document.state_column
                    ));
                }
            }
        }
        found
    }

    #[test]
    fn the_insert_scanner_sees_literal_and_missing_states() {
        let text = "\"INSERT INTO alerts (round_id, status) VALUES ($1, 'open')\"";
        assert_eq!(state_inserts(text).len(), 1);
        let text = "\"INSERT INTO pool_members (name, kind) VALUES ($1, $2)\"";
        assert_eq!(state_inserts(text).len(), 1);
        let text = "\"INSERT INTO rectifications (a, state) \\\n SELECT $1, 'open' FROM p\"";
        assert_eq!(state_inserts(text).len(), 1);
        let text = "\"INSERT INTO alerts (round_id, status) VALUES ($1, $2)\"";
        assert!(state_inserts(text).is_empty());
        assert!(state_inserts("\"INSERT INTO pool_designs (a, b) VALUES (1, 2)\"").is_empty());
    }

    /// Every insert of a document takes its first state from the workflow (`create`), never from
    /// a literal or the column's default.
    #[test]
    fn every_document_is_created_in_the_state_the_workflow_gives() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut offenders = Vec::new();
        let mut inserts = 0;
        for file in files {
            let relative = file
                .strip_prefix(&src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            if ALLOWED.iter().any(|(f, _)| *f == relative) || relative == "workflow.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("read");
            let documents = jixiao_core::workflow::documents();
            let touches = documents
                .iter()
                .any(|d| text.contains(&format!("INSERT INTO {} ", d.table)));
            if !touches {
                continue;
            }
            inserts += 1;
            for problem in state_inserts(&text) {
                offenders.push(format!("{relative}: {problem}"));
            }
            if !text.contains("workflow::create::<") {
                offenders.push(format!(
                    "{relative}: inserts a document without workflow::create"
                ));
            }
        }
        assert!(inserts >= 9, "the inserts were not found ({inserts} files)");
        assert!(
            offenders.is_empty(),
            "a document is created outside the workflow:\n{}",
            offenders.join("\n")
        );
    }

    #[test]
    fn the_scanner_sees_a_state_update_across_continued_lines() {
        let tables = status_tables();
        let text = "sqlx::query(\n  \"UPDATE projects SET review_step = NULL, \\\n   state = 'x' WHERE id = $1\")";
        assert_eq!(state_updates(text, &tables).len(), 1);
        assert!(
            state_updates("\"UPDATE x SET target_state = $1 WHERE id = $2\"", &tables).is_empty()
        );
        // The tables whose state lives in `status` are watched for that column.
        for table in [
            "alerts",
            "alert_decisions",
            "adjustments",
            "assignments",
            "pool_members",
        ] {
            assert!(
                tables.contains(&(table, "status")),
                "{table} is not on the kernel"
            );
        }
        let text = "sqlx::query(\n  \"UPDATE pool_members SET suspended_until = $1, \\\n   status = 'suspended' WHERE id = $2\")";
        assert_eq!(state_updates(text, &tables).len(), 1);
        assert_eq!(
            state_updates("\"UPDATE alerts SET status = $1 WHERE id = $2\"", &tables).len(),
            1
        );
        // Other columns of those tables, and `status` of tables not on the kernel, are not moves.
        assert!(
            state_updates(
                "\"UPDATE alerts SET suspended = TRUE WHERE id = $1 AND status <> 'decided'\"",
                &tables
            )
            .is_empty()
        );
        assert!(
            state_updates(
                "\"UPDATE jurisdictions SET status = $1 WHERE code = $2\"",
                &tables
            )
            .is_empty()
        );
    }

    /// No code but `advance` writes a `state` column, or the `status` column of a table on the
    /// kernel.
    #[test]
    fn no_code_but_advance_updates_a_state_column() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        assert!(files.len() > 30, "the store's sources were not found");
        let tables = status_tables();
        let mut offenders = Vec::new();
        for file in files {
            let relative = file
                .strip_prefix(&src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            if relative == "workflow.rs" || ALLOWED.iter().any(|(f, _)| *f == relative) {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("read");
            for statement in state_updates(&text, &tables) {
                offenders.push(format!("{relative}: UPDATE {statement}"));
            }
        }
        assert!(
            offenders.is_empty(),
            "a state column is written outside workflow::advance:\n{}",
            offenders.join("\n")
        );
    }
}
