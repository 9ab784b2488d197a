//! Synthetic project libraries for benchmarks: many projects spread over the agencies of a
//! jurisdiction, in every state, written fast in one transaction. Never used on real data.

use crate::{Error, Result, Store};
use jixiao_core::time;

const NAMES: &[&str] = &[
    "慢性病患者免费体检",
    "扶贫专岗",
    "高标准农田建设",
    "城乡低保资金",
    "校舍维修改造",
    "残疾人就业帮扶",
    "就业创业培训",
    "农村道路维修",
    "医疗设备购置",
    "留守儿童关爱",
];
const STATES: &[&str] = &[
    "draft",
    "submitted",
    "returned",
    "approved",
    "approved",
    "approved",
];

impl Store {
    /// Adds `count` approved synthetic projects for `year`, each with an allotment of
    /// `limit_fen` (and its opening ledger entry), in one transaction. Returns the project ids.
    pub async fn seed_benchmark_allotments(
        &self,
        jurisdiction: &str,
        year: i32,
        count: usize,
        limit_fen: i64,
    ) -> Result<Vec<i64>> {
        let agencies: Vec<(i64, String)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as("SELECT id, code FROM agencies WHERE jurisdiction_code = $1 ORDER BY id")
                .bind(jurisdiction)
                .fetch_all(pool)
                .await?
        });
        if agencies.is_empty() {
            return Err(Error::Config("没有部门单位，无法生成基准数据".to_owned()));
        }
        let now = time::now();
        let mut ids = Vec::with_capacity(count);
        let mut tx = self.begin().await?;
        for i in 0..count {
            let (agency_id, agency_code) = &agencies[i % agencies.len()];
            let code = format!("{agency_code}-{year}-P{i:07}");
            let id: i64 = on_tx!(&mut tx, |conn| {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO projects (jurisdiction_code, agency_id, year, code, name, \
                     category, is_new, start_year, end_year, requested_fen, \
                     funding_superior_fen, funding_local_fen, funding_other_fen, serves_people, \
                     state, approved_fen, approved_revision, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'specific', FALSE, $3, $3, $6, 0, $6, 0, TRUE, \
                     'approved', $6, 1, $7, $7) RETURNING id",
                )
                .bind(jurisdiction)
                .bind(agency_id)
                .bind(year)
                .bind(&code)
                .bind(format!("{year}年基准项目{i}"))
                .bind(limit_fen)
                .bind(now)
                .fetch_one(&mut *conn)
                .await?;
                let allotment: i64 = sqlx::query_scalar(
                    "INSERT INTO allotments (jurisdiction_code, project_id, agency_id, year, code, \
                     limit_fen, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                     RETURNING id",
                )
                .bind(jurisdiction)
                .bind(id)
                .bind(agency_id)
                .bind(year)
                .bind(format!("ZB-{code}"))
                .bind(limit_fen)
                .bind(now)
                .fetch_one(&mut *conn)
                .await?;
                sqlx::query(
                    "INSERT INTO ledger_entries (allotment_id, kind, amount_fen, limit_after, \
                     frozen_after, used_after, actor, at) VALUES ($1, 'open', $2, $2, 0, 0, 'bench', $3)",
                )
                .bind(allotment)
                .bind(limit_fen)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                id
            });
            ids.push(id);
        }
        tx.commit().await?;
        on_pool!(&self.pool, |pool| {
            sqlx::query("ANALYZE").execute(pool).await?;
        });
        Ok(ids)
    }

    /// Adds `count` synthetic projects for `year` to the agencies of `jurisdiction`.
    pub async fn seed_benchmark_projects(
        &self,
        jurisdiction: &str,
        year: i32,
        count: usize,
    ) -> Result<()> {
        let agencies: Vec<(i64, String)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as("SELECT id, code FROM agencies WHERE jurisdiction_code = $1 ORDER BY id")
                .bind(jurisdiction)
                .fetch_all(pool)
                .await?
        });
        if agencies.is_empty() {
            return Err(Error::Config("没有部门单位，无法生成基准数据".to_owned()));
        }
        let now = time::now();
        let mut seed: u64 = 42;
        let mut tx = self.begin().await?;
        for i in 0..count {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let draw = usize::try_from(seed >> 33).unwrap_or(0);
            let (agency_id, agency_code) = &agencies[draw % agencies.len()];
            let state = STATES[(draw / 7) % STATES.len()];
            let fen = i64::try_from(1 + draw % 5_000).unwrap_or(1) * 10_000;
            let step = if state == "submitted" {
                Some("budget")
            } else {
                None
            };
            let approved = (state == "approved").then_some(fen);
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "INSERT INTO projects (jurisdiction_code, agency_id, year, code, name, \
                     category, is_new, start_year, end_year, requested_fen, \
                     funding_superior_fen, funding_local_fen, funding_other_fen, serves_people, \
                     state, review_step, approved_fen, approved_revision, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'specific', FALSE, $3, $3, $6, 0, $6, 0, TRUE, \
                     $7, $8, $9, $10, $11, $11)",
                )
                .bind(jurisdiction)
                .bind(agency_id)
                .bind(year)
                .bind(format!("{agency_code}-{year}-B{i:07}"))
                .bind(format!("{year}年{}（{}）", NAMES[draw % NAMES.len()], i))
                .bind(fen)
                .bind(state)
                .bind(step)
                .bind(approved)
                .bind(approved.map(|_| 1_i32))
                .bind(now)
                .execute(&mut *conn)
                .await?;
            });
        }
        tx.commit().await?;
        // Fresh statistics, as a running database keeps them (autovacuum / optimize).
        on_pool!(&self.pool, |pool| {
            sqlx::query("ANALYZE").execute(pool).await?;
        });
        Ok(())
    }
}
