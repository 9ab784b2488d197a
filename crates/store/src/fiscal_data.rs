//! The year's budget for open data (Fiscal Data Package): each approved project with its agency,
//! department, functional and economic classification and its money in every phase (requested,
//! approved, adjusted, executed); and the functional classification of allotments (支出功能分类),
//! set by finance department by department.

use crate::audit::append;
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, time, tree};
use serde_json::json;
use sqlx::QueryBuilder;

/// One approved project of the year with its money by phase.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BudgetLine {
    /// Project code.
    pub project_code: String,
    /// Project name.
    pub project_name: String,
    /// Agency code.
    pub agency_code: String,
    /// Agency name.
    pub agency_name: String,
    /// Department code (the agency itself when it is a department).
    pub department_code: String,
    /// Department name.
    pub department_name: String,
    /// Functional classification code (支出功能分类), empty when not classified.
    pub function_code: String,
    /// Economic classification code (支出经济分类), empty when not classified.
    pub economic_code: String,
    /// Funding source (`local`, `superior`, `mixed`).
    pub funding_source: String,
    /// Requested, fen.
    pub requested_fen: i64,
    /// Approved, fen.
    pub approved_fen: i64,
    /// The allotment's limit after increases, decreases and transfers, fen.
    pub adjusted_fen: i64,
    /// Paid net of refunds, fen.
    pub executed_fen: i64,
}

impl Store {
    /// The year's approved projects with their money by phase, within the actor's scope.
    pub async fn budget_lines(&self, actor: &Actor, year: i32) -> Result<Vec<BudgetLine>> {
        let scope = self.project_scope(actor).await?;
        Ok(on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT p.code AS project_code, p.name AS project_name, a.code AS agency_code, \
                 a.name AS agency_name, d.code AS department_code, d.name AS department_name, \
                 COALESCE(l.function_code, '') AS function_code, \
                 COALESCE(l.economic_code, '') AS economic_code, \
                 COALESCE(l.funding_source, '') AS funding_source, p.requested_fen, \
                 COALESCE(p.approved_fen, 0) AS approved_fen, \
                 COALESCE(l.limit_fen, 0) AS adjusted_fen, COALESCE(l.used_fen, 0) AS executed_fen \
                 FROM projects p JOIN agencies a ON a.id = p.agency_id \
                 JOIN agencies d ON d.id = COALESCE(a.parent_id, a.id) \
                 LEFT JOIN allotments l ON l.project_id = p.id \
                 WHERE p.state = 'approved' AND p.year = ",
            );
            query.push_bind(year);
            scope.push(&mut query);
            query.push(" ORDER BY d.code, a.code, p.code");
            query.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Sets the functional classification of the year's unclassified allotments of a department
    /// and its units (finance only); returns how many were classified. Audited in the same
    /// transaction.
    pub async fn classify_allotments(
        &self,
        actor: &Actor,
        year: i32,
        department_code: &str,
        function_code: &str,
    ) -> Result<u64> {
        actor.require(jixiao_core::Capability::RunFinance)?;
        if function_code.len() < 3
            || function_code.len() > 7
            || !function_code.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::invalid(
                "function_code",
                "format",
                "支出功能分类科目编码应为3至7位数字",
            ));
        }
        let agencies = self.agencies(actor).await?;
        let department = agencies
            .iter()
            .find(|a| a.code == department_code && a.parent_id.is_none())
            .ok_or_else(|| Error::NotFound("部门不存在".to_owned()))?;
        let parents: Vec<(i64, Option<i64>)> =
            agencies.iter().map(|a| (a.id, a.parent_id)).collect();
        let ids = tree::subtree(&department.id, &parents);
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |conn| {
            let mut query = QueryBuilder::new("UPDATE allotments SET function_code = ");
            query.push_bind(function_code.to_owned());
            query.push(", updated_at = ").push_bind(time::now());
            query
                .push(" WHERE function_code = '' AND year = ")
                .push_bind(year);
            query.push(" AND agency_id IN (");
            let mut list = query.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            query.push(")");
            query.build().execute(&mut *conn).await?.rows_affected()
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "allotment.classify",
                "agency",
                &department.code,
            )
            .in_jurisdiction(Some(&department.jurisdiction_code))
            .with_details(json!({
                "year": year,
                "function_code": function_code,
                "allotments": changed,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(changed)
    }
}
