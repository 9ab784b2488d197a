//! Rollups for the dashboards of cities and the province (decisions 0049 and 0055, migrations
//! 0038 and 0043): figures by year, jurisdiction and agency, summed from the projects,
//! allotments, payment months, alerts, self-evaluations, rectifications and cuts, and read
//! instead of those rows when a dashboard spans the counties below a city or the province.
//! Triggers mark each (jurisdiction, year) whose rows change; a refresh rebuilds the marked ones
//! in one transaction (everything the first time, after a truncate, or when asked). Readers see
//! the previous figures until it commits; the time of the last refresh is shown with them.

use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, time};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// The rollups' name in `rollup_refreshes`.
const NAME: &str = "scope";

/// The advisory lock that lets one refresh run at a time on PostgreSQL.
const REFRESH_LOCK: &str = "dashboards.rollup_rows";

/// When the rollups were last refreshed: they hold every change committed before that time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct RollupRefresh {
    /// Microseconds since the epoch (UTC).
    pub refreshed_at: i64,
    /// How long the refresh took.
    pub took_ms: i64,
}

/// What one refresh rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RollupRound {
    /// When, and how long it took.
    pub refresh: RollupRefresh,
    /// Everything was rebuilt: the first refresh, after a table was truncated, or when asked.
    pub whole: bool,
    /// Otherwise the jurisdictions and years rebuilt, in order (`None`: every year of that
    /// jurisdiction); empty when nothing had changed.
    pub rebuilt: Vec<(String, Option<i32>)>,
}

/// Which rows a rebuild statement covers.
enum Scope<'a> {
    Everything,
    Jurisdiction(&'a str),
    Year(&'a str, i32),
}

/// A rollup: its table, the columns every fill gives in order, and the statements that fill it.
pub(crate) struct Rollup {
    pub(crate) table: &'static str,
    pub(crate) columns: &'static str,
    pub(crate) fills: &'static [Fill],
}

/// One query that sums rows of a rollup, with `{scope}` where its rows are narrowed, and the
/// columns naming the jurisdiction and the year that the rollup's rows are keyed by.
pub(crate) struct Fill {
    sql: &'static str,
    jurisdiction: &'static str,
    year: &'static str,
}

/// Every rollup (same SQL on both backends).
pub(crate) const ROLLUPS: &[Rollup] = &[
    Rollup {
        table: "rollup_projects",
        columns: "year, jurisdiction_code, agency_id, state, projects, requested_fen, approved_fen",
        fills: &[Fill {
            sql: "SELECT year, jurisdiction_code, agency_id, state, COUNT(*), \
                  CAST(COALESCE(SUM(requested_fen), 0) AS BIGINT), \
                  CAST(COALESCE(SUM(approved_fen), 0) AS BIGINT) \
                  FROM projects WHERE {scope} GROUP BY year, jurisdiction_code, agency_id, state",
            jurisdiction: "jurisdiction_code",
            year: "year",
        }],
    },
    Rollup {
        table: "rollup_allotments",
        columns: "year, jurisdiction_code, agency_id, limit_fen, used_fen",
        fills: &[Fill {
            sql: "SELECT year, jurisdiction_code, agency_id, CAST(SUM(limit_fen) AS BIGINT), \
                  CAST(SUM(used_fen) AS BIGINT) \
                  FROM allotments WHERE {scope} GROUP BY year, jurisdiction_code, agency_id",
            jurisdiction: "jurisdiction_code",
            year: "year",
        }],
    },
    Rollup {
        table: "rollup_payment_months",
        columns: "year, jurisdiction_code, agency_id, month, paid_fen",
        fills: &[Fill {
            sql: "SELECT l.year, l.jurisdiction_code, l.agency_id, substr(m.month, 6, 2), \
                  CAST(SUM(m.paid_fen) AS BIGINT) \
                  FROM payment_months m JOIN allotments l ON l.id = m.allotment_id \
                  WHERE substr(m.month, 1, 4) = CAST(l.year AS TEXT) AND {scope} \
                  GROUP BY l.year, l.jurisdiction_code, l.agency_id, substr(m.month, 6, 2)",
            jurisdiction: "l.jurisdiction_code",
            year: "l.year",
        }],
    },
    Rollup {
        table: "rollup_counts",
        columns: "year, jurisdiction_code, agency_id, kind, item, entries, amount_fen",
        fills: &[
            Fill {
                sql: "SELECT p.year, p.jurisdiction_code, p.agency_id, 'alert', \
                      a.level || ':' || a.status, COUNT(*), 0 \
                      FROM alerts a JOIN projects p ON p.id = a.project_id WHERE {scope} \
                      GROUP BY p.year, p.jurisdiction_code, p.agency_id, a.level, a.status",
                jurisdiction: "p.jurisdiction_code",
                year: "p.year",
            },
            Fill {
                sql: "SELECT p.year, p.jurisdiction_code, p.agency_id, 'grade', \
                      s.state || ':' || COALESCE(s.grade, ''), COUNT(*), 0 \
                      FROM self_evaluations s JOIN projects p ON p.id = s.project_id \
                      WHERE s.state IN ('submitted', 'approved') AND {scope} \
                      GROUP BY p.year, p.jurisdiction_code, p.agency_id, s.state, \
                      COALESCE(s.grade, '')",
                jurisdiction: "p.jurisdiction_code",
                year: "p.year",
            },
            Fill {
                sql: "SELECT r.year, p.jurisdiction_code, p.agency_id, 'rectification', \
                      r.state, COUNT(*), 0 \
                      FROM rectifications r JOIN projects p ON p.id = r.project_id \
                      WHERE {scope} GROUP BY r.year, p.jurisdiction_code, p.agency_id, r.state",
                jurisdiction: "p.jurisdiction_code",
                year: "r.year",
            },
            Fill {
                sql: "SELECT x.year, p.jurisdiction_code, p.agency_id, 'cut', '', COUNT(*), \
                      CAST(SUM(x.cut_fen) AS BIGINT) \
                      FROM adjustments x JOIN projects p ON p.id = x.evaluated_project_id \
                      WHERE x.status IN ('accepted', 'changed') AND x.cut_fen > 0 AND {scope} \
                      GROUP BY x.year, p.jurisdiction_code, p.agency_id",
                jurisdiction: "p.jurisdiction_code",
                year: "x.year",
            },
        ],
    },
];

impl Rollup {
    /// The rollup's rows as summed afresh from every row they replace. The first member reads
    /// no row: it names the columns and gives their types, as the table has them, to the fills'
    /// sums and literals after it.
    pub(crate) fn summed_afresh(&self) -> String {
        let mut sql = format!("SELECT {} FROM {} WHERE 1 = 0", self.columns, self.table);
        for fill in self.fills {
            sql.push_str(" UNION ALL ");
            sql.push_str(&fill.sql.replace("{scope}", "1 = 1"));
        }
        sql
    }
}

impl Scope<'_> {
    /// The condition narrowing a statement to this scope, given its columns.
    fn condition(&self, jurisdiction: &str, year: &str) -> String {
        match self {
            Scope::Everything => "1 = 1".to_owned(),
            Scope::Jurisdiction(_) => format!("{jurisdiction} = $1"),
            Scope::Year(_, _) => format!("{jurisdiction} = $1 AND {year} = $2"),
        }
    }
}

/// Reads the marks left by the triggers: the (jurisdiction, year) to rebuild, each once and in
/// order, a jurisdiction's every year as `None` (year 0); `None` for everything (`'*'`).
fn marked(marks: Vec<(String, i32)>) -> Option<Vec<(String, Option<i32>)>> {
    let mut scopes: BTreeMap<String, Option<BTreeSet<i32>>> = BTreeMap::new();
    for (jurisdiction, year) in marks {
        if jurisdiction == "*" {
            return None;
        }
        let years = scopes
            .entry(jurisdiction)
            .or_insert_with(|| Some(BTreeSet::new()));
        match years {
            Some(set) if year != 0 => {
                set.insert(year);
            }
            _ => *years = None,
        }
    }
    Some(
        scopes
            .into_iter()
            .flat_map(|(jurisdiction, years)| match years {
                None => vec![(jurisdiction, None)],
                Some(years) => years
                    .into_iter()
                    .map(|year| (jurisdiction.clone(), Some(year)))
                    .collect(),
            })
            .collect(),
    )
}

impl Store {
    /// Rebuilds the rollups of every (jurisdiction, year) whose rows changed since the last
    /// refresh, in one transaction (readers keep the previous figures until it commits), and
    /// records when; with no changes it only records the time. Everything is rebuilt the first
    /// time and after a truncate. Background work: the server runs it every minute, one server
    /// at a time.
    pub async fn refresh_scope_rollups(&self) -> Result<RollupRound> {
        self.refresh_rollups(false, None).await
    }

    /// Rebuilds every rollup, whatever changed: after a bulk load, and when a server starts
    /// (changes made with the triggers switched off are then counted too).
    pub async fn rebuild_scope_rollups(&self) -> Result<RollupRound> {
        self.refresh_rollups(true, None).await
    }

    /// Rebuilds every rollup when an administrator of the whole deployment asks
    /// (`jixiao rollups rebuild`, after maintenance with the triggers switched off), and audits
    /// it in the same transaction.
    pub async fn rebuild_scope_rollups_as(&self, actor: &Actor) -> Result<RollupRound> {
        actor.require(Capability::ManageSettings)?;
        if actor.jurisdiction.is_some() {
            return Err(Error::Forbidden);
        }
        self.refresh_rollups(true, Some(actor)).await
    }

    async fn refresh_rollups(&self, whole: bool, asked_by: Option<&Actor>) -> Result<RollupRound> {
        let started = Instant::now();
        // Every change committed before the marks are taken is in the figures: the time shown.
        let refreshed_at = time::now();
        let mut tx = self.begin().await?;
        let postgres = tx.is_postgres();
        // One refresh at a time, whoever calls it (the job, a loader): a rebuild that reads no
        // mark would otherwise leave nothing for a concurrent one to wait on, and that one's
        // statements could miss the rows the first re-inserted. Not the job's lock key: the job
        // holds that in another transaction of the same server. SQLite's `BEGIN IMMEDIATE`
        // already admits one writer at a time.
        if postgres {
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext($1))",
                )
                .bind(REFRESH_LOCK)
                .execute(&mut *conn)
                .await?;
            });
        }
        // Taking the marks before rebuilding: a mark committed later stays for the next refresh
        // (on PostgreSQL each statement below sees what committed before it started, which may
        // already include that change; summing it again then is harmless). Migration 0043 left
        // a '*' mark, so the first refresh rebuilds everything.
        let scopes = if whole {
            on_tx!(&mut tx, |conn| {
                sqlx::query("DELETE FROM rollup_changes")
                    .execute(&mut *conn)
                    .await?;
            });
            None
        } else {
            // PostgreSQL appends a mark per statement: hand back each scope once.
            let take = if postgres {
                "WITH taken AS (DELETE FROM rollup_changes RETURNING jurisdiction_code, year) \
                 SELECT DISTINCT jurisdiction_code, year FROM taken"
            } else {
                "DELETE FROM rollup_changes RETURNING jurisdiction_code, year"
            };
            let marks: Vec<(String, i32)> = on_tx!(&mut tx, |conn| {
                sqlx::query_as(take).fetch_all(&mut *conn).await?
            });
            marked(marks)
        };
        match &scopes {
            None => rebuild(&mut tx, &Scope::Everything).await?,
            Some(scopes) => {
                for (jurisdiction, year) in scopes {
                    let scope = match year {
                        None => Scope::Jurisdiction(jurisdiction),
                        Some(year) => Scope::Year(jurisdiction, *year),
                    };
                    rebuild(&mut tx, &scope).await?;
                }
            }
        }
        let refresh = RollupRefresh {
            refreshed_at,
            took_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        };
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO rollup_refreshes (name, refreshed_at, took_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET refreshed_at = excluded.refreshed_at, \
                 took_ms = excluded.took_ms",
            )
            .bind(NAME)
            .bind(refresh.refreshed_at)
            .bind(refresh.took_ms)
            .execute(&mut *conn)
            .await?;
        });
        if let Some(actor) = asked_by {
            let entry = AuditEntry::new(&actor.name, "rollups.rebuild", "rollups", "全部")
                .with_details(serde_json::json!({ "took_ms": refresh.took_ms }));
            crate::audit::append(&mut tx, entry).await?;
        }
        tx.commit().await?;
        Ok(RollupRound {
            refresh,
            whole: scopes.is_none(),
            rebuilt: scopes.unwrap_or_default(),
        })
    }

    /// When the rollups were last rebuilt; `None` before the first time (then the dashboards
    /// read the rows themselves).
    pub async fn scope_rollups_refreshed(&self) -> Result<Option<RollupRefresh>> {
        Ok(on_pool!(&self.pool, |pool| {
            sqlx::query_as("SELECT refreshed_at, took_ms FROM rollup_refreshes WHERE name = $1")
                .bind(NAME)
                .fetch_optional(pool)
                .await?
        }))
    }
}

/// Deletes the rollups' rows of `scope` and sums them again from the rows they replace.
async fn rebuild(tx: &mut crate::tx::Tx, scope: &Scope<'_>) -> Result<()> {
    for rollup in ROLLUPS {
        let table = rollup.table;
        let delete = format!(
            "DELETE FROM {table} WHERE {}",
            scope.condition("jurisdiction_code", "year")
        );
        let statements = std::iter::once(delete).chain(rollup.fills.iter().map(|fill| {
            format!(
                "INSERT INTO {table} ({}) {}",
                rollup.columns,
                fill.sql
                    .replace("{scope}", &scope.condition(fill.jurisdiction, fill.year))
            )
        }));
        for sql in statements {
            on_tx!(&mut *tx, |conn| {
                // Built from this file's constants only: no value from outside is in the text.
                let query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                let query = match scope {
                    Scope::Everything => query,
                    Scope::Jurisdiction(jurisdiction) => query.bind(*jurisdiction),
                    Scope::Year(jurisdiction, year) => query.bind(*jurisdiction).bind(*year),
                };
                query.execute(&mut *conn).await?;
            });
        }
    }
    Ok(())
}
