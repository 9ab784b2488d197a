//! The province of `jixiao demo --province` and `jixiao bench province` (issue 21): Shandong's 16
//! cities and 136 counties with their real codes, each county with its finance bureau's
//! departments and units, a year of synthetic projects in every state with target sheets of ten
//! indicators, allotments for the approved ones and their payments with ledger entries, written
//! in one transaction per county (multi-row statements) with an audit entry per county.
//! `scale` 1.0 is a province's year: about 3,700 projects a county (≈ 503,000 in all), 5 million
//! indicators and, at 40 payments a funded project, about 10 million payments. Synthetic data
//! only: never loaded beside real data.

use super::shandong::{CITIES, COUNTIES, PROVINCE, city_of};
use crate::audit::append;
use crate::bench_data::BenchProject;
use crate::{Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::jurisdiction::NewJurisdiction;
use jixiao_core::user::NewUser;
use jixiao_core::{Actor, time};
use serde_json::json;
use sqlx::QueryBuilder;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// Projects a county asks for in a year at scale 1.0 (Shandong: ≈ 500,000 over 136 counties).
pub const PROJECTS_PER_COUNTY: f64 = 3_700.0;

/// What to generate.
#[derive(Debug, Clone)]
pub struct ProvinceOptions {
    /// The budget year of the projects.
    pub year: i32,
    /// 1.0 for a province's year; CI runs about 0.001.
    pub scale: f64,
    /// Payments of each approved project's allotment (10 million in all at 40 and scale 1.0).
    pub payments_per_allotment: usize,
    /// Leave alone a county that already has projects in the year (the Leling demo).
    pub skip_counties_with_projects: bool,
    /// Payments are dated from January to the end of this month (1–12).
    pub paid_through_month: u32,
    /// The counties' business date (业务日期), when the demo fixes one.
    pub business_date: Option<chrono::NaiveDate>,
}

impl ProvinceOptions {
    /// The province of `demo --province`: 2020 at `scale`, 12 payments a funded project, paid
    /// until the demo's business date (31 August 2020), Leling's own demo left as it is.
    pub fn demo(scale: f64) -> ProvinceOptions {
        ProvinceOptions {
            year: 2020,
            scale,
            payments_per_allotment: 12,
            skip_counties_with_projects: true,
            paid_through_month: 8,
            business_date: Some(super::BUSINESS_DATE),
        }
    }
}

/// What was generated, and how long it took.
#[derive(Debug, Clone, Default)]
pub struct ProvinceReport {
    /// Counties filled.
    pub counties: usize,
    /// Counties left alone (they had projects).
    pub skipped: Vec<String>,
    /// Agencies added.
    pub agencies: usize,
    /// Projects added.
    pub projects: usize,
    /// Indicators added.
    pub indicators: usize,
    /// Allotments added.
    pub allotments: usize,
    /// Payments added.
    pub payments: usize,
    /// Jurisdictions, fiscal years, the rulebook.
    pub setup: Duration,
    /// The counties' data.
    pub data: Duration,
    /// Planner statistics and the dashboards' rollups afterwards.
    pub statistics: Duration,
}

/// (code, name after the county's name, department above) of each county's agencies.
const AGENCIES: &[(&str, &str, Option<&str>)] = &[
    ("105", "财政局", None),
    ("105001", "国库集中支付中心", Some("105")),
    ("110", "扶贫开发领导小组办公室", None),
    ("111", "民政局", None),
    ("111001", "社会福利中心", Some("111")),
    ("112", "残疾人联合会", None),
    ("113", "人力资源和社会保障局", None),
    ("113001", "公共就业和人才服务中心", Some("113")),
    ("114", "卫生健康局", None),
    ("114001", "人民医院", Some("114")),
    ("114002", "疾病预防控制中心", Some("114")),
    ("115", "农业农村局", None),
    ("115001", "农业综合开发服务中心", Some("115")),
    ("116", "教育和体育局", None),
    ("116001", "第一中学", Some("116")),
    ("116002", "职业中等专业学校", Some("116")),
    ("117", "妇女联合会", None),
    ("118", "交通运输局", None),
    ("118001", "公路事业发展中心", Some("118")),
    ("119", "水利局", None),
    ("120", "住房和城乡建设局", None),
    ("121", "自然资源和规划局", None),
    ("122", "文化和旅游局", None),
    ("123", "应急管理局", None),
];

/// Payees of generated payments (after the county's name).
const PAYEES: &[&str] = &[
    "人民医院",
    "第二建筑工程有限公司",
    "城乡居民（代发）",
    "农业机械供应站",
    "公共就业和人才服务中心",
    "交通工程有限公司",
];

/// The finance users of the province demo: (user name, display name, jurisdiction).
pub const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("sheng", "山东省财政厅 预算绩效管理处 周静", "370000"),
    ("dezhou", "德州市财政局 绩效科 韩雪", "371400"),
    ("yucheng", "禹城市财政局 绩效股 马亮", "371482"),
];

/// A text written into a generated statement as an SQL literal (our own constants and names).
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// How many projects `county` asks for at `scale`: 70–130% of the mean, fixed per county.
pub fn projects_of(county: &str, scale: f64) -> usize {
    let h = county.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    let spread = 0.7 + 0.6 * f64::from(h % 1000) / 1000.0;
    ((PROJECTS_PER_COUNTY * scale * spread).round() as usize).max(1)
}

/// Generates the province around what is there: adds the missing cities and counties, a
/// province-wide rulebook and each county's fiscal year, then fills every county (but those
/// with projects in the year, when asked) with its agencies and a year of projects.
pub async fn load_province(store: &Store, options: &ProvinceOptions) -> Result<ProvinceReport> {
    let system = Actor::system();
    let started = Instant::now();
    let mut report = ProvinceReport::default();
    let existing: HashSet<String> = store
        .jurisdictions()
        .await?
        .into_iter()
        .map(|j| j.code)
        .collect();
    let levels = std::iter::once((PROVINCE.0, PROVINCE.1, None))
        .chain(CITIES.iter().map(|(c, n)| (*c, *n, Some(PROVINCE.0))))
        .chain(
            COUNTIES
                .iter()
                .map(|(c, n)| (*c, *n, city_of(c).map(|city| city.0))),
        );
    for (code, name, parent) in levels {
        if !existing.contains(code) {
            store
                .add_jurisdiction(
                    &system,
                    &NewJurisdiction {
                        code: code.to_owned(),
                        name: name.to_owned(),
                        parent_code: parent.map(str::to_owned),
                    },
                )
                .await?;
        }
    }
    // One rulebook for the province; the counties follow it unless they load their own.
    if store
        .rulebook_in_force(PROVINCE.0, options.year)
        .await
        .is_err()
    {
        store
            .load_rulebook(
                &system,
                PROVINCE.0,
                options.year,
                jixiao_core::rulebook::NATIONAL_DEFAULT,
            )
            .await?;
    }
    let years: HashSet<String> = store
        .fiscal_years(&system)
        .await?
        .into_iter()
        .filter(|y| y.year == options.year)
        .map(|y| y.jurisdiction_code)
        .collect();
    let dated: HashSet<String> = store
        .jurisdictions()
        .await?
        .into_iter()
        .filter(|j| j.business_date.is_some())
        .map(|j| j.code)
        .collect();
    // The business date, where the demo fixes one, for the province and cities too: every
    // level reads the same day.
    if let Some(date) = options.business_date {
        for code in std::iter::once(PROVINCE.0).chain(CITIES.iter().map(|(c, _)| *c)) {
            if !dated.contains(code) {
                store.set_business_date(&system, code, Some(date)).await?;
            }
        }
    }
    for (code, _) in COUNTIES {
        if !years.contains(*code) {
            store.add_fiscal_year(&system, code, options.year).await?;
        }
        if let Some(date) = options.business_date
            && !dated.contains(*code)
        {
            store.set_business_date(&system, code, Some(date)).await?;
        }
    }
    report.setup = started.elapsed();

    let started = Instant::now();
    // The name-search index is built once after the counties, not updated with each project
    // (PostgreSQL; decisions 0050 and 0053). It is rebuilt even when a county fails, and if
    // this process dies first, by the next start (`Store::migrate`).
    let search_index = store.set_index_aside("projects_search_grams").await?;
    let loaded = load_counties(store, options, &mut report).await;
    let rebuilt = match search_index {
        Some(index) => store.rebuild_index(index).await,
        None => Ok(()),
    };
    // The load's own error first; a failed rebuild stays recorded for the next start.
    match (loaded, rebuilt) {
        (Err(error), Err(rebuild)) => {
            tracing::warn!("the name-search index was not rebuilt after a failed load: {rebuild}");
            return Err(error);
        }
        (Err(error), Ok(())) | (Ok(()), Err(error)) => return Err(error),
        (Ok(()), Ok(())) => {}
    }
    report.data = started.elapsed();

    let started = Instant::now();
    store
        .refresh_planner_statistics(&[
            "agencies",
            "projects",
            "target_sheets",
            "target_indicators",
            "allotments",
            "payments",
            "payment_months",
            "ledger_entries",
        ])
        .await?;
    // The city and province dashboards read the rollups: build them now.
    store.rebuild_scope_rollups().await?;
    report.statistics = started.elapsed();
    Ok(report)
}

/// Fills every county (but those with projects in the year, when asked) into `report`.
async fn load_counties(
    store: &Store,
    options: &ProvinceOptions,
    report: &mut ProvinceReport,
) -> Result<()> {
    let mut first_index = 0_usize;
    for (code, name) in COUNTIES {
        let count = projects_of(code, options.scale);
        let filled = store
            .load_county(code, name, options, first_index, count)
            .await?;
        first_index += count;
        match filled {
            None => report.skipped.push((*code).to_owned()),
            Some(county) => {
                report.counties += 1;
                report.agencies += county.agencies;
                report.projects += county.projects;
                report.indicators += county.indicators;
                report.allotments += county.allotments;
                report.payments += county.payments;
            }
        }
    }
    Ok(())
}

/// The province of `demo --province` around the Leling demo (loaded first): `None` when the
/// province is already there.
pub async fn load_demo(store: &Store, scale: f64) -> Result<Option<ProvinceReport>> {
    let there = store
        .jurisdictions()
        .await?
        .iter()
        .any(|j| j.code == CITIES[0].0);
    if there {
        return Ok(None);
    }
    let report = load_province(store, &ProvinceOptions::demo(scale)).await?;
    load_province_accounts(store).await?;
    Ok(Some(report))
}

/// Adds the province demo's finance users (province, 德州市, 禹城市) unless they exist.
pub async fn load_province_accounts(store: &Store) -> Result<()> {
    let system = Actor::system();
    for (username, display_name, jurisdiction) in ACCOUNTS {
        if store.user(&system, username).await.is_ok() {
            continue;
        }
        store
            .add_user(
                &system,
                &NewUser {
                    username: (*username).to_owned(),
                    display_name: (*display_name).to_owned(),
                    role: "finance".to_owned(),
                    jurisdiction: Some((*jurisdiction).to_owned()),
                    agency_code: None,
                    password: super::DEMO_PASSWORD.to_owned(),
                    area_code: None,
                    sector: None,
                },
            )
            .await?;
    }
    Ok(())
}

/// What one county received.
struct CountyFigures {
    agencies: usize,
    projects: usize,
    indicators: usize,
    allotments: usize,
    payments: usize,
}

/// One payment as generated: (allotment id, amount, paid on, used after it, the limit).
type GeneratedPayment = (i64, i64, String, i64, i64);

impl Store {
    /// Fills one county in one transaction; `None` when it is left alone.
    async fn load_county(
        &self,
        county: &str,
        county_name: &str,
        options: &ProvinceOptions,
        first_index: usize,
        count: usize,
    ) -> Result<Option<CountyFigures>> {
        let year = options.year;
        let now = time::now();
        let mut tx = self.begin().await?;
        let has_projects: bool = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM projects WHERE jurisdiction_code = $1 AND year = $2",
            )
            .bind(county)
            .bind(year)
            .fetch_one(&mut *conn)
            .await?
                > 0
        });
        if has_projects && options.skip_counties_with_projects {
            return Ok(None);
        }
        // The county's agencies: those it has, or the template's.
        let mut agencies: Vec<(i64, String)> = on_tx!(&mut tx, |conn| {
            sqlx::query_as("SELECT id, code FROM agencies WHERE jurisdiction_code = $1 ORDER BY id")
                .bind(county)
                .fetch_all(&mut *conn)
                .await?
        });
        let mut agencies_added = 0;
        if agencies.is_empty() {
            for departments in [true, false] {
                let rows: Vec<(&str, &str, Option<i64>)> = AGENCIES
                    .iter()
                    .filter(|(_, _, parent)| parent.is_none() == departments)
                    .map(|(code, name, parent)| {
                        let parent_id = parent
                            .and_then(|p| agencies.iter().find(|(_, c)| c == p).map(|(id, _)| *id));
                        (*code, *name, parent_id)
                    })
                    .collect();
                let added: Vec<(i64, String)> = on_tx!(&mut tx, |conn| {
                    let mut query = QueryBuilder::new(
                        "INSERT INTO agencies (jurisdiction_code, code, name, kind, parent_id, \
                         created_at) ",
                    );
                    query.push_values(&rows, |mut row, (code, name, parent_id)| {
                        row.push_bind(county.to_owned())
                            .push_bind((*code).to_owned())
                            .push_bind(format!("{county_name}{name}"))
                            .push_bind(if departments { "department" } else { "unit" })
                            .push_bind(*parent_id)
                            .push_bind(now);
                    });
                    query.push(" RETURNING id, code");
                    query.build_query_as().fetch_all(&mut *conn).await?
                });
                agencies_added += added.len();
                agencies.extend(added);
            }
        }
        agencies.sort();

        // Drawn from the province-wide sequence; numbered within the county, so codes repeat
        // across counties as real ones do.
        let projects: Vec<BenchProject> = (0..count)
            .map(|k| {
                let mut p = BenchProject::draw(first_index + k, year, &agencies);
                if let Some((head, _)) = p.code.rsplit_once("-T") {
                    p.code = format!("{head}-T{k:07}");
                }
                p
            })
            .collect();
        let mut id_of: HashMap<String, i64> = HashMap::with_capacity(count);
        for chunk in projects.chunks(500) {
            let ids: Vec<(i64, String)> = on_tx!(&mut tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO projects (jurisdiction_code, agency_id, year, code, name, \
                     category, is_new, start_year, end_year, requested_fen, \
                     funding_superior_fen, funding_local_fen, funding_other_fen, serves_people, \
                     state, review_step, approved_fen, approved_revision, created_at, \
                     updated_at) ",
                );
                query.push_values(chunk, |mut row, p| {
                    let approved = (p.state == "approved").then_some(p.fen);
                    row.push_bind(county.to_owned())
                        .push(p.agency_id)
                        .push(year)
                        .push_bind(p.code.clone())
                        .push_bind(p.name.clone())
                        .push("'specific', FALSE")
                        .push(year)
                        .push(year)
                        .push(p.fen)
                        .push("0")
                        .push(p.fen)
                        .push("0, TRUE")
                        .push(literal(p.state))
                        .push(if p.state == "submitted" {
                            "'budget'"
                        } else {
                            "NULL"
                        })
                        .push(approved.map_or_else(|| "NULL".to_owned(), |f| f.to_string()))
                        .push(if approved.is_some() { "1" } else { "NULL" })
                        .push(now)
                        .push(now);
                });
                query.push(" RETURNING id, code");
                query.build_query_as().fetch_all(&mut *conn).await?
            });
            id_of.extend(ids.into_iter().map(|(id, code)| (code, id)));
        }
        let project_id = |p: &BenchProject| id_of.get(&p.code).copied().unwrap_or_default();

        for chunk in projects.chunks(1000) {
            on_tx!(&mut tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO target_sheets (project_id, revision, overall_goal, \
                     annual_goal, saved_at, saved_by) ",
                );
                query.push_values(chunk, |mut row, p| {
                    row.push(project_id(p))
                        .push("1")
                        .push_bind(p.overall_goal.clone())
                        .push_bind(p.annual_goal.clone())
                        .push(now)
                        .push("'province'");
                });
                query.build().execute(&mut *conn).await?;
            });
        }
        let rows: Vec<String> = projects
            .iter()
            .flat_map(|p| {
                let id = project_id(p);
                p.indicators.iter().zip(1_i32..).map(move |(i, row_no)| {
                    format!(
                        "({id}, 1, {row_no}, {}, {}, {}, {}, {}, {}, {})",
                        literal(&i.level1),
                        literal(&i.level2),
                        literal(&i.name),
                        literal(&i.op),
                        literal(&i.value),
                        literal(&i.unit),
                        i.points_x100
                    )
                })
            })
            .collect();
        for chunk in rows.chunks(5000) {
            on_tx!(&mut tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO target_indicators (project_id, revision, row_no, level1, \
                     level2, name, op, value, unit, points_x100) VALUES ",
                );
                query.push(chunk.join(", "));
                query.build().execute(&mut *conn).await?;
            });
        }

        // Allotments of the approved projects, with what will have been paid from them.
        let funded: Vec<(&BenchProject, i64, i64)> = projects
            .iter()
            .filter(|p| p.state == "approved")
            .map(|p| {
                let id = project_id(p);
                // 50–95% of the limit paid by the end of the generated months.
                let share = 50 + id.rem_euclid(46);
                (p, id, p.fen * share / 100)
            })
            .collect();
        let mut allotment_of: HashMap<i64, i64> = HashMap::with_capacity(funded.len());
        for chunk in funded.chunks(1000) {
            let ids: Vec<(i64, i64)> = on_tx!(&mut tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO allotments (jurisdiction_code, project_id, agency_id, year, \
                     code, limit_fen, used_fen, created_at, updated_at) ",
                );
                query.push_values(chunk, |mut row, (p, id, used)| {
                    row.push_bind(county.to_owned())
                        .push(*id)
                        .push(p.agency_id)
                        .push(year)
                        .push(literal(&format!("ZB-{}", p.code)))
                        .push(p.fen)
                        .push(*used)
                        .push(now)
                        .push(now);
                });
                query.push(" RETURNING id, project_id");
                query.build_query_as().fetch_all(&mut *conn).await?
            });
            allotment_of.extend(ids.into_iter().map(|(id, project)| (project, id)));
        }
        let opening: Vec<String> = funded
            .iter()
            .map(|(p, id, _)| {
                let allotment = allotment_of.get(id).copied().unwrap_or_default();
                format!(
                    "({allotment}, 'open', {fen}, {fen}, 0, 0, 'province', {now})",
                    fen = p.fen
                )
            })
            .collect();
        for chunk in opening.chunks(5000) {
            on_tx!(&mut tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO ledger_entries (allotment_id, kind, amount_fen, limit_after, \
                     frozen_after, used_after, actor, at) VALUES ",
                );
                query.push(chunk.join(", "));
                query.build().execute(&mut *conn).await?;
            });
        }

        // The payments, spread from January to the last month paid, each with its ledger entry.
        let months = i64::from(options.paid_through_month.clamp(1, 12));
        let payments: Vec<GeneratedPayment> = funded
            .iter()
            .flat_map(|(p, id, used)| {
                let allotment = allotment_of.get(id).copied().unwrap_or_default();
                let n = i64::try_from(options.payments_per_allotment)
                    .unwrap_or(1)
                    .clamp(0, *used);
                let limit = p.fen;
                (0..n).scan(0_i64, move |paid, k| {
                    let amount = if k + 1 == n { used - *paid } else { used / n };
                    *paid += amount;
                    let month = 1 + k * months / n.max(1);
                    let day = 1 + (allotment + k) % 28;
                    Some((
                        allotment,
                        amount,
                        format!("{year}-{month:02}-{day:02}"),
                        *paid,
                        limit,
                    ))
                })
            })
            .collect();
        for (chunk_no, chunk) in payments.chunks(5000).enumerate() {
            let payment_rows: Vec<String> = chunk
                .iter()
                .enumerate()
                .map(|(k, (allotment, amount, paid_on, _, _))| {
                    let payee = PAYEES[(*allotment as usize + k) % PAYEES.len()];
                    format!(
                        "({allotment}, {request}, 'payment', {amount}, {payee}, {purpose}, \
                         {paid_on}, {now})",
                        request = literal(&format!("S{county}-{chunk_no}-{k}")),
                        payee = literal(&format!("{county_name}{payee}")),
                        purpose = literal("项目资金支付"),
                        paid_on = literal(paid_on),
                    )
                })
                .collect();
            let ledger_rows: Vec<String> = chunk
                .iter()
                .enumerate()
                .map(|(k, (allotment, amount, _, used_after, limit))| {
                    format!(
                        "({allotment}, 'payment', {amount}, {limit}, 0, {used_after}, {reference}, \
                         'province', {now})",
                        reference = literal(&format!("S{county}-{chunk_no}-{k}")),
                    )
                })
                .collect();
            on_tx!(&mut tx, |conn| {
                let mut query = QueryBuilder::new(
                    "INSERT INTO payments (allotment_id, request_id, kind, amount_fen, payee, \
                     purpose, paid_on, created_at) VALUES ",
                );
                query.push(payment_rows.join(", "));
                query.build().execute(&mut *conn).await?;
                let mut query = QueryBuilder::new(
                    "INSERT INTO ledger_entries (allotment_id, kind, amount_fen, limit_after, \
                     frozen_after, used_after, reference, actor, at) VALUES ",
                );
                query.push(ledger_rows.join(", "));
                query.build().execute(&mut *conn).await?;
            });
        }
        let figures = CountyFigures {
            agencies: agencies_added,
            projects: projects.len(),
            indicators: projects.iter().map(|p| p.indicators.len()).sum(),
            allotments: funded.len(),
            payments: payments.len(),
        };
        append(
            &mut tx,
            AuditEntry::new(
                "system",
                "province.county_generated",
                "jurisdiction",
                county,
            )
            .in_jurisdiction(Some(county))
            .with_details(json!({
                "year": year,
                "scale": options.scale,
                "agencies": figures.agencies,
                "projects": figures.projects,
                "indicators": figures.indicators,
                "allotments": figures.allotments,
                "payments": figures.payments,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(figures))
    }
}
