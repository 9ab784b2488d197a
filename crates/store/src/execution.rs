//! Reading money as it moves: the payments list with filters and totals, and execution against
//! allotments by department — read from the balances kept on write, never by summing payments.

use crate::{Result, Store};
use jixiao_core::Actor;
use jixiao_core::ledger::execution_rate_bp;
use serde::Serialize;
use sqlx::QueryBuilder;

/// A payment or refund as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PaymentRow {
    /// Id.
    pub id: i64,
    /// The sender's request id.
    pub request_id: String,
    /// `payment` or `refund`.
    pub kind: String,
    /// Amount, fen.
    pub amount_fen: i64,
    /// Payee.
    pub payee: String,
    /// Purpose.
    pub purpose: String,
    /// Date (YYYY-MM-DD).
    pub paid_on: String,
    /// The project.
    pub project_id: i64,
    /// Its name.
    pub project_name: String,
    /// Its agency's name.
    pub agency_name: String,
    /// The allotment code.
    pub allotment_code: String,
}

/// Filters for the payments list.
#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    /// Budget year of the allotment.
    pub year: Option<i32>,
    /// Agency code (that agency only).
    pub agency_code: Option<String>,
    /// One project.
    pub project_id: Option<i64>,
    /// `payment` or `refund`.
    pub kind: Option<String>,
    /// Paid on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Paid on or before (YYYY-MM-DD).
    pub to: Option<String>,
}

/// A page of payments with the totals of all matching.
#[derive(Debug, Clone)]
pub struct PaymentPage {
    /// This page's rows, newest first.
    pub rows: Vec<PaymentRow>,
    /// Matching rows in all.
    pub total: i64,
    /// Paid minus refunded over all matching rows, fen.
    pub net_fen: i64,
    /// This page.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
}

impl PaymentPage {
    /// Pages in all.
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// Execution of one department (its units included) or of the whole year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ExecutionRow {
    /// Department code (empty for the total).
    pub key: String,
    /// Department name.
    pub label: String,
    /// Allotments' limits together, fen.
    pub limit_fen: i64,
    /// Paid, net of refunds, fen.
    pub used_fen: i64,
}

impl ExecutionRow {
    /// Execution rate in hundredths of a percent.
    pub fn rate_bp(&self) -> i64 {
        execution_rate_bp(self.used_fen, self.limit_fen)
    }
}

impl Store {
    /// Payments and refunds within the actor's scope.
    pub async fn payments(
        &self,
        actor: &Actor,
        filter: &PaymentFilter,
        page: i64,
        per_page: i64,
    ) -> Result<PaymentPage> {
        self.payment_list(actor, filter, page, per_page, None).await
    }

    /// The next `limit` payments and refunds matching `filter` after `after` (payment date and id
    /// of the last one read; `None` to start), in the list's order (newest first) — for reading a
    /// whole list batch by batch without paging offsets. Totals are not computed.
    pub async fn payments_after(
        &self,
        actor: &Actor,
        filter: &PaymentFilter,
        after: Option<(String, i64)>,
        limit: i64,
    ) -> Result<Vec<PaymentRow>> {
        let cursor = Some(after.unwrap_or(("9999-12-31".to_owned(), i64::MAX)));
        Ok(self
            .payment_list(actor, filter, 1, limit, cursor)
            .await?
            .rows)
    }

    async fn payment_list(
        &self,
        actor: &Actor,
        filter: &PaymentFilter,
        page: i64,
        per_page: i64,
        cursor: Option<(String, i64)>,
    ) -> Result<PaymentPage> {
        let scope = self.project_scope(actor).await?;
        let page = page.max(1);
        let per_page = per_page.clamp(1, if cursor.is_some() { 5000 } else { 500 });
        let (rows, totals) = on_pool!(&self.pool, |pool| {
            let build = |head: &str| {
                let mut query = QueryBuilder::new(head);
                query.push(
                    " FROM payments m JOIN allotments l ON l.id = m.allotment_id \
                     JOIN projects p ON p.id = l.project_id JOIN agencies a ON a.id = p.agency_id \
                     WHERE 1 = 1",
                );
                scope.push(&mut query);
                if let Some(year) = filter.year {
                    query.push(" AND l.year = ").push_bind(year);
                }
                if let Some(code) = &filter.agency_code {
                    query.push(" AND a.code = ").push_bind(code.clone());
                }
                if let Some(id) = filter.project_id {
                    query.push(" AND p.id = ").push_bind(id);
                }
                if let Some(kind) = &filter.kind {
                    query.push(" AND m.kind = ").push_bind(kind.clone());
                }
                if let Some(from) = &filter.from {
                    query.push(" AND m.paid_on >= ").push_bind(from.clone());
                }
                if let Some(to) = &filter.to {
                    query.push(" AND m.paid_on <= ").push_bind(to.clone());
                }
                if let Some((paid_on, id)) = &cursor {
                    // After (date, id) in the order newest first.
                    query
                        .push(" AND (m.paid_on < ")
                        .push_bind(paid_on.clone())
                        .push(" OR (m.paid_on = ")
                        .push_bind(paid_on.clone())
                        .push(" AND m.id < ")
                        .push_bind(*id)
                        .push("))");
                }
                query
            };
            let totals: (i64, i64) = if cursor.is_some() {
                (0, 0)
            } else {
                let mut totals = build(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN m.kind = 'refund' \
                     THEN -m.amount_fen ELSE m.amount_fen END), 0) AS BIGINT)",
                );
                totals.build_query_as().fetch_one(pool).await?
            };
            let mut list = build(
                "SELECT m.id, m.request_id, m.kind, m.amount_fen, m.payee, m.purpose, m.paid_on, \
                 p.id AS project_id, p.name AS project_name, a.name AS agency_name, \
                 l.code AS allotment_code",
            );
            list.push(" ORDER BY m.paid_on DESC, m.id DESC LIMIT ")
                .push_bind(per_page)
                .push(" OFFSET ")
                .push_bind((page - 1).saturating_mul(per_page));
            let rows: Vec<PaymentRow> = list.build_query_as().fetch_all(pool).await?;
            (rows, totals)
        });
        Ok(PaymentPage {
            rows,
            total: totals.0,
            net_fen: totals.1,
            page,
            per_page,
        })
    }

    /// Execution by department for a year (units rolled into their department), and the total.
    pub async fn execution_by_department(
        &self,
        actor: &Actor,
        year: i32,
    ) -> Result<(Vec<ExecutionRow>, ExecutionRow)> {
        let scope = self.project_scope(actor).await?;
        let rows: Vec<ExecutionRow> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT d.code AS key, d.name AS label, \
                 CAST(SUM(t.limit_fen) AS BIGINT) AS limit_fen, \
                 CAST(SUM(t.used_fen) AS BIGINT) AS used_fen FROM (\
                 SELECT l.agency_id, SUM(l.limit_fen) AS limit_fen, SUM(l.used_fen) AS used_fen \
                 FROM allotments l JOIN projects p ON p.id = l.project_id WHERE l.year = ",
            );
            query.push_bind(year);
            scope.push(&mut query);
            query.push(
                " GROUP BY l.agency_id) t JOIN agencies a ON a.id = t.agency_id \
                 JOIN agencies d ON d.id = COALESCE(a.parent_id, a.id) \
                 GROUP BY d.code, d.name ORDER BY d.code",
            );
            query.build_query_as().fetch_all(pool).await?
        });
        let total = ExecutionRow {
            key: String::new(),
            label: "合计".to_owned(),
            limit_fen: rows.iter().map(|r| r.limit_fen).sum(),
            used_fen: rows.iter().map(|r| r.used_fen).sum(),
        };
        Ok((rows, total))
    }
}

/// An allotment as exported for the treasury.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AllotmentExport {
    /// Allotment code.
    pub code: String,
    /// 指标文号.
    pub document_number: String,
    /// Year.
    pub year: i32,
    /// Project code.
    pub project_code: String,
    /// Project name.
    pub project_name: String,
    /// Agency code.
    pub agency_code: String,
    /// Agency name.
    pub agency_name: String,
    /// Funding source.
    pub funding_source: String,
    /// 功能分类.
    pub function_code: String,
    /// 经济分类.
    pub economic_code: String,
    /// Limit.
    pub limit_fen: i64,
    /// Frozen.
    pub frozen_fen: i64,
    /// Used.
    pub used_fen: i64,
    /// Suspended.
    pub suspended: bool,
}

impl Store {
    /// Every allotment the actor sees (of one year, if given), by code.
    pub async fn allotments_for_export(
        &self,
        actor: &Actor,
        year: Option<i32>,
    ) -> Result<Vec<AllotmentExport>> {
        let scope = self.project_scope(actor).await?;
        Ok(on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT l.code, l.document_number, l.year, p.code AS project_code, \
                 p.name AS project_name, a.code AS agency_code, a.name AS agency_name, \
                 l.funding_source, l.function_code, l.economic_code, l.limit_fen, l.frozen_fen, \
                 l.used_fen, l.suspended FROM allotments l JOIN projects p ON p.id = l.project_id \
                 JOIN agencies a ON a.id = p.agency_id WHERE 1 = 1",
            );
            scope.push(&mut query);
            if let Some(year) = year {
                query.push(" AND l.year = ").push_bind(year);
            }
            query.push(" ORDER BY l.code");
            query.build_query_as().fetch_all(pool).await?
        }))
    }
}
