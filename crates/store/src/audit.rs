//! The audit log: appending a chained record inside the caller's transaction, listing it with
//! filters, and re-computing the chain.

use crate::tx::Tx;
use crate::{Result, Store};
use jixiao_core::audit::{AuditEntry, AuditRecord, ChainVerifier};
use jixiao_core::time::{self, Micros};
use jixiao_core::{Actor, Capability};
use sqlx::QueryBuilder;

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    jurisdiction_code: Option<String>,
    details: String,
    prev_hash: String,
    hash: String,
}

impl From<AuditRow> for AuditRecord {
    fn from(row: AuditRow) -> Self {
        AuditRecord {
            seq: row.seq,
            at: row.at,
            actor: row.actor,
            action: row.action,
            entity: row.entity,
            entity_id: row.entity_id,
            jurisdiction: row.jurisdiction_code,
            details: row.details,
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

const COLUMNS: &str =
    "seq, at, actor, action, entity, entity_id, jurisdiction_code, details, prev_hash, hash";

/// Appends `entry` to the chain inside `tx`. The head row is locked (PostgreSQL `FOR UPDATE`;
/// SQLite holds the write lock already), so concurrent writers queue and the chain never forks.
pub(crate) async fn append(tx: &mut Tx, entry: AuditEntry) -> Result<i64> {
    let head_sql = if tx.is_postgres() {
        "SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE"
    } else {
        "SELECT last_seq, last_hash FROM audit_head WHERE id = 1"
    };
    let details = entry.details.to_string();
    on_tx!(tx, |conn| {
        let (last_seq, last_hash): (i64, String) =
            sqlx::query_as(head_sql).fetch_one(&mut *conn).await?;
        let mut record = AuditRecord {
            seq: last_seq + 1,
            at: time::now(),
            actor: entry.actor,
            action: entry.action,
            entity: entry.entity,
            entity_id: entry.entity_id,
            jurisdiction: entry.jurisdiction,
            details,
            prev_hash: last_hash,
            hash: String::new(),
        };
        record.hash = record.expected_hash();
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, jurisdiction_code, \
             details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(record.seq)
        .bind(record.at)
        .bind(&record.actor)
        .bind(&record.action)
        .bind(&record.entity)
        .bind(&record.entity_id)
        .bind(&record.jurisdiction)
        .bind(&record.details)
        .bind(&record.prev_hash)
        .bind(&record.hash)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1")
            .bind(record.seq)
            .bind(&record.hash)
            .execute(&mut *conn)
            .await?;
        Ok(record.seq)
    })
}

/// Appends several entries inside `tx`, chained in order, with one read of the head, one
/// multi-row insert and one head update.
pub(crate) async fn append_many(tx: &mut Tx, entries: Vec<AuditEntry>) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let head_sql = if tx.is_postgres() {
        "SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE"
    } else {
        "SELECT last_seq, last_hash FROM audit_head WHERE id = 1"
    };
    let (mut seq, mut prev): (i64, String) = on_tx!(tx, |conn| {
        sqlx::query_as(head_sql).fetch_one(&mut *conn).await?
    });
    let at = time::now();
    let mut records = Vec::with_capacity(entries.len());
    for entry in entries {
        seq += 1;
        let mut record = AuditRecord {
            seq,
            at,
            details: entry.details.to_string(),
            actor: entry.actor,
            action: entry.action,
            entity: entry.entity,
            entity_id: entry.entity_id,
            jurisdiction: entry.jurisdiction,
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        record.hash = record.expected_hash();
        prev.clone_from(&record.hash);
        records.push(record);
    }
    if let crate::tx::Tx::Postgres(t) = tx {
        // On PostgreSQL, the records as arrays and the head moved in one statement: the same
        // text whatever the count (prepared once), one round trip while the head is locked.
        let conn: &mut sqlx::PgConnection = &mut *t;
        let column = |f: fn(&AuditRecord) -> String| records.iter().map(f).collect::<Vec<_>>();
        sqlx::query(
            "WITH written AS (INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, \
             jurisdiction_code, details, prev_hash, hash) \
             SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[], \
             $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[])) \
             UPDATE audit_head SET last_seq = $11, last_hash = $12 WHERE id = 1",
        )
        .bind(records.iter().map(|r| r.seq).collect::<Vec<_>>())
        .bind(records.iter().map(|r| r.at).collect::<Vec<_>>())
        .bind(column(|r| r.actor.clone()))
        .bind(column(|r| r.action.clone()))
        .bind(column(|r| r.entity.clone()))
        .bind(column(|r| r.entity_id.clone()))
        .bind(
            records
                .iter()
                .map(|r| r.jurisdiction.clone())
                .collect::<Vec<_>>(),
        )
        .bind(column(|r| r.details.clone()))
        .bind(column(|r| r.prev_hash.clone()))
        .bind(column(|r| r.hash.clone()))
        .bind(seq)
        .bind(&prev)
        .execute(&mut *conn)
        .await?;
        return Ok(());
    }
    // Keep each statement well under the bind-parameter limits.
    for chunk in records.chunks(1000) {
        on_tx!(tx, |conn| {
            let mut query = QueryBuilder::new(
                "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, \
                 jurisdiction_code, details, prev_hash, hash) ",
            );
            query.push_values(chunk, |mut row, r| {
                row.push_bind(r.seq)
                    .push_bind(r.at)
                    .push_bind(r.actor.clone())
                    .push_bind(r.action.clone())
                    .push_bind(r.entity.clone())
                    .push_bind(r.entity_id.clone())
                    .push_bind(r.jurisdiction.clone())
                    .push_bind(r.details.clone())
                    .push_bind(r.prev_hash.clone())
                    .push_bind(r.hash.clone());
            });
            query.build().execute(&mut *conn).await?;
        });
    }
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(&prev)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// Filters for the audit log listing; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Exact actor name.
    pub actor: Option<String>,
    /// Exact entity kind (`user`, `agency`, `session`, …).
    pub entity: Option<String>,
    /// From this instant (inclusive).
    pub from: Option<Micros>,
    /// Before this instant (exclusive).
    pub to: Option<Micros>,
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone)]
pub struct AuditPage {
    /// The records on this page.
    pub records: Vec<AuditRecord>,
    /// How many records match the filter in all.
    pub total: i64,
    /// This page's number, from 1.
    pub page: i64,
    /// Records per page.
    pub per_page: i64,
}

impl AuditPage {
    /// The number of pages (at least 1).
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

fn push_filter<DB: sqlx::Database>(
    query: &mut QueryBuilder<DB>,
    filter: &AuditFilter,
    jurisdictions: &Option<Vec<String>>,
) where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> &'t str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    query.push(" WHERE 1 = 1");
    if let Some(actor) = &filter.actor {
        query.push(" AND actor = ").push_bind(actor.clone());
    }
    if let Some(entity) = &filter.entity {
        query.push(" AND entity = ").push_bind(entity.clone());
    }
    if let Some(from) = filter.from {
        query.push(" AND at >= ").push_bind(from);
    }
    if let Some(to) = filter.to {
        query.push(" AND at < ").push_bind(to);
    }
    if let Some(codes) = jurisdictions {
        query.push(" AND jurisdiction_code IN (");
        let mut list = query.separated(", ");
        list.push_bind("");
        for code in codes {
            list.push_bind(code.clone());
        }
        query.push(")");
    }
}

impl Store {
    /// A page of the audit log matching `filter`, newest first, within the actor's jurisdiction.
    pub async fn audit_log(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: i64,
        per_page: i64,
    ) -> Result<AuditPage> {
        actor.require(Capability::ReadAuditLog)?;
        let jurisdictions = self.visible_jurisdiction_codes(actor).await?;
        let page = page.max(1);
        let per_page = per_page.clamp(1, 500);
        let (records, total) = on_pool!(&self.pool, |pool| {
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM audit_log");
            push_filter(&mut count, filter, &jurisdictions);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut list = QueryBuilder::new(format!("SELECT {COLUMNS} FROM audit_log"));
            push_filter(&mut list, filter, &jurisdictions);
            list.push(" ORDER BY seq DESC LIMIT ")
                .push_bind(per_page)
                .push(" OFFSET ")
                .push_bind((page - 1).saturating_mul(per_page));
            let rows: Vec<AuditRow> = list.build_query_as().fetch_all(pool).await?;
            (rows, total)
        });
        Ok(AuditPage {
            records: records.into_iter().map(AuditRecord::from).collect(),
            total,
            page,
            per_page,
        })
    }

    /// The next `limit` records matching `filter` older than `before` (a `seq`; `None` to start
    /// from the newest), newest first — for reading the whole log batch by batch without paging
    /// offsets.
    pub async fn audit_log_before(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>> {
        actor.require(Capability::ReadAuditLog)?;
        let jurisdictions = self.visible_jurisdiction_codes(actor).await?;
        let limit = limit.clamp(1, 5000);
        let rows: Vec<AuditRow> = on_pool!(&self.pool, |pool| {
            let mut list = QueryBuilder::new(format!("SELECT {COLUMNS} FROM audit_log"));
            push_filter(&mut list, filter, &jurisdictions);
            list.push(" AND seq < ")
                .push_bind(before.unwrap_or(i64::MAX));
            list.push(" ORDER BY seq DESC LIMIT ").push_bind(limit);
            list.build_query_as().fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(AuditRecord::from).collect())
    }

    /// Re-computes the whole chain in batches. Returns the number of intact records, or the
    /// first break ([`crate::Error::AuditChain`]).
    pub async fn verify_audit_chain(&self) -> Result<i64> {
        const BATCH: i64 = 2000;
        let mut verifier = ChainVerifier::default();
        let mut after = 0i64;
        let head: i64 = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar("SELECT last_seq FROM audit_head WHERE id = 1")
                .fetch_one(pool)
                .await?
        });
        loop {
            let rows: Vec<AuditRow> = on_pool!(&self.pool, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
                )))
                .bind(after)
                .bind(BATCH)
                .fetch_all(pool)
                .await?
            });
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for row in rows {
                verifier.check(&AuditRecord::from(row))?;
            }
        }
        Ok(verifier.finish(head)?)
    }
}
