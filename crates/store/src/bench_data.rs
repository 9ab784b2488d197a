//! Synthetic project libraries for benchmarks: many projects spread over the agencies of a
//! jurisdiction, in every state, written fast in one transaction. Never used on real data.

use crate::{Error, Result, Store};
use jixiao_core::indicator_library::TEMPLATES;
use jixiao_core::{target, time};
use sqlx::QueryBuilder;

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
        // Statistics and the visibility map of what was loaded, in this schema only.
        self.refresh_planner_statistics(&["projects", "allotments", "ledger_entries"])
            .await?;
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
        // Statistics and the visibility map of what was loaded, in this schema only.
        self.refresh_planner_statistics(&["projects"]).await?;
        Ok(())
    }

    /// Adds `count` synthetic projects for `year`, each with a saved working target sheet of
    /// 10 indicators — an indicator-library template (its points scaled to 60) and four more
    /// rows of 10 points, about half of them poor as published sheets are (adjectives, a
    /// percentage on an idea, no unit, ≥100% on a rate, template residue, the wrong direction)
    /// — and goals of which some are missing or repeated; in one transaction of multi-row
    /// inserts. Returns the number of indicators written.
    pub async fn seed_benchmark_target_sheets(
        &self,
        jurisdiction: &str,
        year: i32,
        count: usize,
    ) -> Result<usize> {
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
        let projects: Vec<BenchProject> = (0..count)
            .map(|i| BenchProject::draw(i, year, &agencies))
            .collect();
        let mut tx = self.begin().await?;
        for chunk in projects.chunks(500) {
            on_tx!(&mut tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO projects (jurisdiction_code, agency_id, year, code, name, \
                     category, is_new, start_year, end_year, requested_fen, \
                     funding_superior_fen, funding_local_fen, funding_other_fen, serves_people, \
                     state, review_step, approved_fen, approved_revision, created_at, \
                     updated_at) ",
                );
                query.push_values(chunk, |mut row, p| {
                    let approved = (p.state == "approved").then_some(p.fen);
                    row.push_bind(jurisdiction.to_owned())
                        .push_bind(p.agency_id)
                        .push_bind(year)
                        .push_bind(p.code.clone())
                        .push_bind(p.name.clone())
                        .push("'specific', FALSE")
                        .push_bind(year)
                        .push_bind(year)
                        .push_bind(p.fen)
                        .push("0")
                        .push_bind(p.fen)
                        .push("0, TRUE")
                        .push_bind(p.state)
                        .push_bind((p.state == "submitted").then_some("budget"))
                        .push_bind(approved)
                        .push_bind(approved.map(|_| 1_i32))
                        .push_bind(now)
                        .push_bind(now);
                });
                query.build().execute(&mut *conn).await?;
            });
        }
        // The ids just given, by the index in the code.
        let ids: Vec<(i64, String)> = on_tx!(&mut tx, |conn| {
            sqlx::query_as(
                "SELECT id, code FROM projects WHERE jurisdiction_code = $1 AND year = $2",
            )
            .bind(jurisdiction)
            .bind(year)
            .fetch_all(&mut *conn)
            .await?
        });
        let mut id_of = vec![0_i64; count];
        for (id, code) in ids {
            if let Some(i) = code
                .rsplit_once("-T")
                .and_then(|(_, n)| n.parse::<usize>().ok())
                .filter(|i| *i < count)
            {
                id_of[i] = id;
            }
        }
        for (chunk_no, chunk) in projects.chunks(1000).enumerate() {
            let ids = &id_of[chunk_no * 1000..];
            on_tx!(&mut tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO target_sheets (project_id, revision, overall_goal, \
                     annual_goal, saved_at, saved_by) ",
                );
                query.push_values(chunk.iter().zip(ids), |mut row, (p, id)| {
                    row.push_bind(*id)
                        .push("1")
                        .push_bind(p.overall_goal.clone())
                        .push_bind(p.annual_goal.clone())
                        .push_bind(now)
                        .push("'bench'");
                });
                query.build().execute(&mut *conn).await?;
            });
        }
        let rows: Vec<(i64, i32, &BenchIndicator)> = projects
            .iter()
            .zip(&id_of)
            .flat_map(|(p, id)| {
                p.indicators
                    .iter()
                    .zip(1_i32..)
                    .map(move |(indicator, row_no)| (*id, row_no, indicator))
            })
            .collect();
        for chunk in rows.chunks(2000) {
            on_tx!(&mut tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO target_indicators (project_id, revision, row_no, level1, \
                     level2, name, op, value, unit, points_x100) ",
                );
                query.push_values(chunk, |mut row, (id, row_no, i)| {
                    // Integers we made are written as literals: fewer parameters a statement.
                    row.push(format!("{id}, 1, {row_no}"))
                        .push_bind(i.level1.clone())
                        .push_bind(i.level2.clone())
                        .push_bind(i.name.clone())
                        .push_bind(i.op.clone())
                        .push_bind(i.value.clone())
                        .push_bind(i.unit.clone())
                        .push(i.points_x100.to_string());
                });
                query.build().execute(&mut *conn).await?;
            });
        }
        tx.commit().await?;
        // Statistics and the visibility map of what was loaded, in this schema only.
        self.refresh_planner_statistics(&["projects", "target_sheets", "target_indicators"])
            .await?;
        Ok(rows.len())
    }
}

/// One synthetic project of [`Store::seed_benchmark_target_sheets`] and of the province demo.
pub(crate) struct BenchProject {
    pub(crate) agency_id: i64,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) state: &'static str,
    pub(crate) fen: i64,
    pub(crate) overall_goal: String,
    pub(crate) annual_goal: String,
    pub(crate) indicators: Vec<BenchIndicator>,
}

/// An indicator row as stored.
pub(crate) struct BenchIndicator {
    pub(crate) level1: String,
    pub(crate) level2: String,
    pub(crate) name: String,
    pub(crate) op: String,
    pub(crate) value: String,
    pub(crate) unit: String,
    pub(crate) points_x100: i64,
}

/// Rows added to a template's: the first six sound, the rest as poor sheets write them.
const EXTRA_ROWS: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("产出指标", "数量指标", "受益人数", ">=", "1200", "人"),
    ("产出指标", "时效指标", "资金拨付及时率", ">=", "95", "%"),
    ("效益指标", "社会效益指标", "政策知晓率", ">=", "85", "%"),
    ("产出指标", "质量指标", "项目验收合格率", ">=", "98", "%"),
    (
        "效益指标",
        "可持续影响指标",
        "长效管护机制",
        "qualitative",
        "建立管护制度，责任落实到村到人",
        "",
    ),
    ("产出指标", "数量指标", "覆盖行政村数", ">=", "30", "个"),
    (
        "效益指标",
        "社会效益指标",
        "群众生活水平",
        "qualitative",
        "明显提高",
        "",
    ),
    ("效益指标", "社会效益指标", "维护社会稳定", ">=", "95", "%"),
    ("产出指标", "数量指标", "培训人数", ">=", "180", ""),
    ("产出指标", "质量指标", "验收合格率", ">=", "100", "%"),
    ("产出指标", "数量指标", "指标1：服务人数", ">=", "500", "个"),
    (
        "产出指标",
        "数量指标",
        "帮扶困难群众人数",
        "<=",
        "300",
        "人",
    ),
];

impl BenchProject {
    pub(crate) fn draw(i: usize, year: i32, agencies: &[(i64, String)]) -> BenchProject {
        // A fixed sequence (splitmix64 of the index): the same library every run.
        let mut z = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let draw = usize::try_from((z ^ (z >> 31)) >> 8).unwrap_or(i);
        let (agency_id, agency_code) = &agencies[draw % agencies.len()];
        let template = &TEMPLATES[(draw / 7) % TEMPLATES.len()];
        let mut indicators: Vec<BenchIndicator> = Vec::with_capacity(10);
        for row in template.rows().into_iter().take(6) {
            let points = target::parse_points(&row.points).unwrap_or(0);
            indicators.push(BenchIndicator {
                level1: row.level1,
                level2: row.level2,
                name: row.name,
                op: row.op,
                value: row.value,
                unit: row.unit,
                points_x100: points * 3 / 5,
            });
        }
        for k in 0..4 {
            let pick = (draw >> (8 + 5 * k)) % EXTRA_ROWS.len();
            let (level1, level2, name, op, value, unit) = EXTRA_ROWS[pick];
            indicators.push(BenchIndicator {
                level1: level1.to_owned(),
                level2: level2.to_owned(),
                name: name.to_owned(),
                op: op.to_owned(),
                value: value.to_owned(),
                unit: unit.to_owned(),
                points_x100: 1000,
            });
        }
        let what = NAMES[draw % NAMES.len()];
        let overall_goal = format!(
            "通过实施{what}项目，到{}年累计惠及群众{}人，群众满意度达到90%以上",
            year + 2,
            1000 + draw % 9000
        );
        let annual_goal = match draw % 20 {
            0 => String::new(),
            1 | 2 => overall_goal.clone(),
            3 => format!("实施{what}"),
            _ => format!(
                "{year}年完成{what}年度任务，惠及群众{}人，资金支付率达到100%",
                500 + draw % 4000
            ),
        };
        BenchProject {
            agency_id: *agency_id,
            code: format!("{agency_code}-{year}-T{i:07}"),
            name: format!("{year}年{what}（{i}）"),
            state: STATES[(draw / 13) % STATES.len()],
            fen: i64::try_from(1 + draw % 5_000).unwrap_or(1) * 10_000,
            overall_goal,
            annual_goal,
            indicators,
        }
    }
}

impl Store {
    /// Execution by month as the dashboard read it before the payment months (migration 0037):
    /// a scan of the year's payments, kept for the payments benchmark's comparison. (month,
    /// net fen) for the whole deployment.
    pub async fn benchmark_months_from_payments(&self, year: i32) -> Result<Vec<(String, i64)>> {
        let rows: Vec<(String, i64)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT substr(m.paid_on, 6, 2), CAST(SUM(CASE WHEN m.kind = 'refund' \
                 THEN -m.amount_fen ELSE m.amount_fen END) AS BIGINT) \
                 FROM payments m JOIN allotments l ON l.id = m.allotment_id \
                 JOIN projects p ON p.id = l.project_id \
                 WHERE l.year = $1 AND substr(m.paid_on, 1, 4) = $2 \
                 GROUP BY substr(m.paid_on, 6, 2) ORDER BY 1",
            )
            .bind(year)
            .bind(year.to_string())
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}
