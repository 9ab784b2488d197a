//! The dashboard (绩效看板): a year's projects and money under performance management, execution
//! by month against time progress and by agency, alerts, grades, money cut through results and
//! rectification progress — SVG charts drawn on the server with their numbers as tables and as
//! Excel. Drills down from all agencies to a department to its projects; an agency user sees its
//! own tree.

use super::exports::{download, failed, off_workers, place};
use super::projects::years;
use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::charts::{Series, Slice, bars_against_mark, donut, horizontal_bars, lines};
use crate::error::PageError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use jixiao_core::ledger::format_rate;
use jixiao_core::money;
use jixiao_interop::xlsx_export::{Cell, Column, ColumnKind, ExportWriter};
use jixiao_store::{SessionUser, Tally};
use serde::Deserialize;

struct TallyRow {
    key: String,
    label: String,
    projects: i64,
    requested: String,
    approved: String,
}

impl From<&Tally> for TallyRow {
    fn from(t: &Tally) -> Self {
        TallyRow {
            key: t.key.clone(),
            label: t.label.clone(),
            projects: t.projects,
            requested: money::format_wan(t.requested_fen),
            approved: money::format_wan(t.approved_fen),
        }
    }
}

struct AgencyRow {
    code: String,
    name: String,
    drill: bool,
    /// A jurisdiction below: the link opens its dashboard.
    area: bool,
    projects: i64,
    approved_projects: i64,
    approved: String,
    limit: String,
    used: String,
    rate: String,
    behind: bool,
    red: i64,
    yellow: i64,
}

struct ProjectRow {
    id: i64,
    code: String,
    name: String,
    agency: String,
    approved: String,
    used: String,
    rate: String,
    alert: &'static str,
    grade: String,
}

struct MonthRow {
    month: u32,
    paid: String,
    cumulative: String,
    rate: String,
    time_progress: String,
}

struct CountRow {
    label: String,
    count: i64,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    /// What every figure of the page counts: the year, whose projects and money, on what date.
    basis: String,
    /// The jurisdiction looked at (code, name) when it is not the user's own.
    jurisdiction: Option<(String, String)>,
    /// The jurisdictions above it the user sees, each a link.
    trail: Vec<(String, String)>,
    /// What the rows are: 各市, 各县（市、区）, 各部门（含所属单位） or 各单位.
    rows_label: String,
    /// The first column's heading.
    row_heading: &'static str,
    by_jurisdiction: bool,
    /// When the rows of the levels below were summed, when they come from the rollups.
    as_of: Option<String>,
    /// How current the data is, when read from the read-only database.
    freshness: Option<String>,
    department: Option<(String, String)>,
    projects: i64,
    requested: String,
    covered_projects: i64,
    covered: String,
    limit: String,
    used: String,
    rate: String,
    time_progress: String,
    red: i64,
    yellow: i64,
    alerts_undecided: i64,
    grades_pending_review: i64,
    cut_from: String,
    cut_from_projects: i64,
    cut_into: String,
    cut_into_projects: i64,
    months: Vec<MonthRow>,
    agencies: Vec<AgencyRow>,
    project_lines: Vec<ProjectRow>,
    grades: Vec<CountRow>,
    rectifications: Vec<CountRow>,
    by_state: Vec<TallyRow>,
    month_chart: String,
    agency_chart: String,
    money_chart: String,
    alert_chart: String,
    grade_chart: String,
    rectification_chart: String,
}

/// The year and the department asked for.
#[derive(Deserialize)]
pub struct DashboardQuery {
    year: Option<String>,
    jurisdiction: Option<String>,
    department: Option<String>,
}

impl DashboardQuery {
    fn jurisdiction(&self) -> Option<&str> {
        self.jurisdiction
            .as_deref()
            .map(str::trim)
            .filter(|j| !j.is_empty())
    }

    fn department(&self) -> Option<&str> {
        self.department
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
    }
}

/// The year asked for, else the year of the business date when the user has it, else the
/// newest year that has projects.
async fn year_of(
    state: &AppState,
    session: &SessionUser,
    query: &DashboardQuery,
    years: &[i32],
) -> Result<i32, PageError> {
    if let Some(year) = query
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
    {
        return Ok(year);
    }
    let business_year = session.business_date.year();
    if years.contains(&business_year) {
        return Ok(business_year);
    }
    let actor = session.actor();
    for year in years {
        let figures = state.reads.year_figures(&actor, *year).await?;
        if figures.by_state.iter().any(|t| t.projects > 0) {
            return Ok(*year);
        }
    }
    Ok(years.first().copied().unwrap_or(business_year))
}

/// The time progress of `year` on the business date: the share of the year's days gone by
/// (all of a past year, none of a future one). The same for every user on the same date.
pub(crate) fn time_mark(year: i32, business_date: NaiveDate) -> i64 {
    match business_date.year().cmp(&year) {
        std::cmp::Ordering::Greater => 10_000,
        std::cmp::Ordering::Less => 0,
        std::cmp::Ordering::Equal => jixiao_core::monitoring::time_progress_bp(business_date),
    }
}

/// What the dashboard's rows are, and the heading of their first column.
fn rows_label(d: &jixiao_store::Dashboard) -> (String, &'static str) {
    if d.by_jurisdiction {
        // Below a province are its cities; below a city, its counties.
        let province = d
            .jurisdiction
            .as_ref()
            .is_none_or(|j| j.code.ends_with("0000"));
        if province {
            ("各市".to_owned(), "地区")
        } else {
            ("各县（市、区）".to_owned(), "地区")
        }
    } else if d.department.is_some() {
        ("各单位".to_owned(), "单位")
    } else {
        ("各部门（含所属单位）".to_owned(), "部门")
    }
}

fn alert_label(level: Option<&str>) -> &'static str {
    match level {
        Some("red") => "红色预警",
        Some("yellow") => "黄色预警",
        _ => "",
    }
}

/// `GET /dashboard?year=Y&department=CODE`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let years = years(&state, &session).await?;
    let year = year_of(&state, &session, &query, &years).await?;
    let actor = session.actor();
    let d = state
        .reads
        .dashboard_of(&actor, year, query.jurisdiction(), query.department())
        .await?;
    let by_state = if d.department.is_none() {
        state
            .reads
            .year_figures_in(
                &actor,
                year,
                d.jurisdiction.as_ref().map(|j| j.code.as_str()),
            )
            .await?
            .by_state
            .iter()
            .map(TallyRow::from)
            .collect()
    } else {
        Vec::new()
    };
    let mark = time_mark(year, session.business_date);
    let month_chart = lines(
        "预算执行进度与时间进度（按月累计）",
        &d.months
            .iter()
            .map(|m| format!("{}月", m.month))
            .collect::<Vec<_>>(),
        &[
            Series {
                name: "时间进度".to_owned(),
                color: "#6b7280",
                dashed: true,
                values: d.months.iter().map(|m| m.time_progress_bp).collect(),
            },
            Series {
                name: "预算执行率".to_owned(),
                color: "#9b1c1c",
                dashed: false,
                values: d.months.iter().map(|m| m.rate_bp).collect(),
            },
        ],
        10_000,
        |v| format!("{}%", v / 100),
        format_rate,
    );
    let (rows_label, row_heading) = rows_label(&d);
    let with_limit: Vec<_> = d.agencies.iter().filter(|a| a.limit_fen > 0).collect();
    let agency_chart = bars_against_mark(
        &format!(
            "{}预算执行率（虚线为时间进度 {}）",
            rows_label.trim_end_matches("（含所属单位）"),
            format_rate(mark)
        ),
        &with_limit
            .iter()
            .take(25)
            .map(|a| (a.name.clone(), a.rate_bp, format_rate(a.rate_bp)))
            .collect::<Vec<_>>(),
        10_000,
        mark,
    );
    let mut by_money: Vec<_> = d.agencies.iter().collect();
    by_money.sort_by_key(|a| std::cmp::Reverse(a.approved_fen));
    let money_chart = horizontal_bars(
        "纳入绩效管理资金（批复，万元，前15位）",
        &by_money
            .iter()
            .filter(|a| a.approved_fen > 0)
            .take(15)
            .map(|a| {
                (
                    a.name.clone(),
                    a.approved_fen,
                    format!("{} 万元", money::format_wan(a.approved_fen)),
                )
            })
            .collect::<Vec<_>>(),
    );
    let count_of = |counts: &[jixiao_store::Count], key: &str| {
        counts.iter().find(|c| c.key == key).map_or(0, |c| c.count)
    };
    let red = count_of(&d.alerts, "red");
    let yellow = count_of(&d.alerts, "yellow");
    let alert_chart = donut(
        "监控预警（按等级）",
        &[
            Slice {
                label: "红色预警".to_owned(),
                value: red,
                shown: format!("{red} 个"),
                color: "#b91c1c",
            },
            Slice {
                label: "黄色预警".to_owned(),
                value: yellow,
                shown: format!("{yellow} 个"),
                color: "#d97706",
            },
        ],
        &format!("{} 个", red + yellow),
    );
    const GRADE_COLORS: [&str; 4] = ["#166534", "#2563eb", "#d97706", "#b91c1c"];
    let graded: i64 = d.grades.iter().map(|g| g.count).sum();
    let grade_chart = donut(
        "绩效自评等级分布",
        &d.grades
            .iter()
            .zip(GRADE_COLORS)
            .map(|(g, color)| Slice {
                label: g.label.clone(),
                value: g.count,
                shown: format!("{} 个", g.count),
                color,
            })
            .collect::<Vec<_>>(),
        &format!("{graded} 个"),
    );
    const RECTIFICATION_COLORS: [&str; 3] = ["#b91c1c", "#d97706", "#166534"];
    let rectification_total: i64 = d.rectifications.iter().map(|r| r.count).sum();
    let rectification_chart = donut(
        "问题整改进度",
        &d.rectifications
            .iter()
            .zip(RECTIFICATION_COLORS)
            .map(|(r, color)| Slice {
                label: r.label.clone(),
                value: r.count,
                shown: format!("{} 项", r.count),
                color,
            })
            .collect::<Vec<_>>(),
        &format!("{rectification_total} 项"),
    );
    let whose = match (&d.department, &session.user.agency_name, &d.jurisdiction) {
        (Some(department), _, _) => format!("{}及所属单位", department.name),
        (None, Some(agency), _) => format!("{agency}及所属单位"),
        (None, None, Some(j)) if d.by_jurisdiction => format!("{}及所辖地区全部部门单位", j.name),
        (None, None, Some(j)) => format!("{}全部部门单位", j.name),
        (None, None, None) => format!("{}全部部门单位", place(&state, &session).await),
    };
    let own = session.user.jurisdiction.as_deref();
    let basis = format!(
        "口径：{year}年度，{whose}，截至业务日期{}。",
        session.business_date.format("%Y年%-m月%-d日")
    );
    let view = DashboardPage {
        chrome: Chrome::for_session(&session, "dashboard"),
        year,
        years,
        basis,
        jurisdiction: d
            .jurisdiction
            .as_ref()
            .filter(|j| Some(j.code.as_str()) != own || !d.trail.is_empty())
            .map(|j| (j.code.clone(), j.name.clone())),
        trail: d
            .trail
            .iter()
            .map(|j| (j.code.clone(), j.name.clone()))
            .collect(),
        rows_label,
        row_heading,
        by_jurisdiction: d.by_jurisdiction,
        as_of: d.as_of.map(jixiao_core::time::display),
        freshness: crate::read_database::freshness_note(&state).await,
        department: d
            .department
            .as_ref()
            .map(|x| (x.code.clone(), x.name.clone())),
        projects: d.projects,
        requested: money::format_wan(d.requested_fen),
        covered_projects: d.covered_projects,
        covered: money::format_wan(d.covered_fen),
        limit: money::format_wan(d.limit_fen),
        used: money::format_wan(d.used_fen),
        rate: format_rate(d.rate_bp),
        time_progress: format_rate(mark),
        red,
        yellow,
        alerts_undecided: d.alerts_undecided,
        grades_pending_review: d.grades_pending_review,
        cut_from: money::format_wan(d.cuts_from_year.amount_fen),
        cut_from_projects: d.cuts_from_year.projects,
        cut_into: money::format_wan(d.cuts_into_year.amount_fen),
        cut_into_projects: d.cuts_into_year.projects,
        months: d
            .months
            .iter()
            .map(|m| MonthRow {
                month: m.month,
                paid: money::format_wan(m.paid_fen),
                cumulative: money::format_wan(m.cumulative_fen),
                rate: format_rate(m.rate_bp),
                time_progress: format_rate(m.time_progress_bp),
            })
            .collect(),
        agencies: d
            .agencies
            .iter()
            .map(|a| AgencyRow {
                code: a.code.clone(),
                name: a.name.clone(),
                drill: a.department,
                area: a.jurisdiction,
                projects: a.projects,
                approved_projects: a.approved_projects,
                approved: money::format_wan(a.approved_fen),
                limit: money::format_wan(a.limit_fen),
                used: money::format_wan(a.used_fen),
                rate: format_rate(a.rate_bp),
                behind: a.limit_fen > 0 && a.rate_bp < mark,
                red: a.red_alerts,
                yellow: a.yellow_alerts,
            })
            .collect(),
        project_lines: d
            .project_lines
            .iter()
            .map(|p| ProjectRow {
                id: p.id,
                code: p.code.clone(),
                name: p.name.clone(),
                agency: p.agency_name.clone(),
                approved: money::format_wan(p.approved_fen),
                used: money::format_wan(p.used_fen),
                rate: if p.limit_fen > 0 {
                    format_rate(jixiao_core::ledger::execution_rate_bp(
                        p.used_fen,
                        p.limit_fen,
                    ))
                } else {
                    "—".to_owned()
                },
                alert: alert_label(p.alert_level.as_deref()),
                grade: p.grade.clone().unwrap_or_else(|| "—".to_owned()),
            })
            .collect(),
        grades: d
            .grades
            .iter()
            .map(|g| CountRow {
                label: g.label.clone(),
                count: g.count,
            })
            .collect(),
        rectifications: d
            .rectifications
            .iter()
            .map(|r| CountRow {
                label: r.label.clone(),
                count: r.count,
            })
            .collect(),
        by_state,
        month_chart,
        agency_chart,
        money_chart,
        alert_chart,
        grade_chart,
        rectification_chart,
    };
    Ok(render(StatusCode::OK, &view))
}

/// `GET /dashboard/export.xlsx?year=Y&department=CODE`: the dashboard's numbers, one sheet per
/// table.
pub async fn export(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let years = years(&state, &session).await?;
    let year = year_of(&state, &session, &query, &years).await?;
    let d = state
        .store
        .dashboard_of(
            &session.actor(),
            year,
            query.jurisdiction(),
            query.department(),
        )
        .await?;
    let place = match &d.jurisdiction {
        Some(j) => j.name.clone(),
        None => place(&state, &session).await,
    };
    let scope = d
        .department
        .as_ref()
        .map_or_else(String::new, |x| x.name.clone());
    let (rows_label, row_heading) = rows_label(&d);
    let title = |what: &str| format!("{place}{year}年度{scope}{what}");
    let mut writer = ExportWriter::new(
        "执行进度",
        &title("预算执行进度（按月）"),
        &[
            Column::new("月份", 8.0, ColumnKind::Integer),
            Column::new("当月支付（万元）", 16.0, ColumnKind::Wan).with_total(),
            Column::new("累计支付（万元）", 16.0, ColumnKind::Wan),
            Column::new("累计执行率", 12.0, ColumnKind::Percent),
            Column::new("时间进度", 12.0, ColumnKind::Percent),
        ],
    )
    .map_err(failed)?;
    for m in &d.months {
        writer
            .row(&[
                Cell::Number(i64::from(m.month)),
                Cell::Number(m.paid_fen),
                Cell::Number(m.cumulative_fen),
                Cell::Number(m.rate_bp),
                Cell::Number(m.time_progress_bp),
            ])
            .map_err(failed)?;
    }
    writer
        .add_sheet(
            rows_label.trim_end_matches("（含所属单位）"),
            &title(&format!(
                "绩效管理与预算执行（{}）",
                if d.by_jurisdiction {
                    "按地区"
                } else {
                    "按部门单位"
                }
            )),
            &[
                Column::new(row_heading, 30.0, ColumnKind::Text),
                Column::new("项目数", 10.0, ColumnKind::Integer).with_total(),
                Column::new("已批复项目", 10.0, ColumnKind::Integer).with_total(),
                Column::new("批复金额（万元）", 16.0, ColumnKind::Wan).with_total(),
                Column::new("指标（万元）", 16.0, ColumnKind::Wan).with_total(),
                Column::new("已支付（万元）", 16.0, ColumnKind::Wan).with_total(),
                Column::new("执行率", 10.0, ColumnKind::Percent),
                Column::new("红色预警", 10.0, ColumnKind::Integer).with_total(),
                Column::new("黄色预警", 10.0, ColumnKind::Integer).with_total(),
            ],
        )
        .map_err(failed)?;
    for a in &d.agencies {
        writer
            .row(&[
                Cell::Text(a.name.clone()),
                Cell::Number(a.projects),
                Cell::Number(a.approved_projects),
                Cell::Number(a.approved_fen),
                Cell::Number(a.limit_fen),
                Cell::Number(a.used_fen),
                Cell::Number(a.rate_bp),
                Cell::Number(a.red_alerts),
                Cell::Number(a.yellow_alerts),
            ])
            .map_err(failed)?;
    }
    writer
        .add_sheet(
            "预警评价整改",
            &title("预警、评价等级与整改"),
            &[
                Column::new("类别", 16.0, ColumnKind::Text),
                Column::new("项目", 16.0, ColumnKind::Text),
                Column::new("数量", 10.0, ColumnKind::Integer),
                Column::new("金额（万元）", 16.0, ColumnKind::Wan),
            ],
        )
        .map_err(failed)?;
    let mut rows: Vec<[Cell; 4]> = Vec::new();
    for (kind, counts) in [
        ("监控预警", &d.alerts),
        ("自评等级", &d.grades),
        ("问题整改", &d.rectifications),
    ] {
        for c in counts {
            rows.push([
                kind.into(),
                Cell::Text(c.label.clone()),
                Cell::Number(c.count),
                Cell::Empty,
            ]);
        }
    }
    for cut in [&d.cuts_from_year, &d.cuts_into_year] {
        rows.push([
            "结果应用压减".into(),
            Cell::Text(format!(
                "{}年评价→{}年预算",
                cut.evaluation_year, cut.budget_year
            )),
            Cell::Number(cut.projects),
            Cell::Number(cut.amount_fen),
        ]);
    }
    for row in &rows {
        writer.row(row).map_err(failed)?;
    }
    if d.department.is_some() {
        writer
            .add_sheet(
                "项目",
                &title("项目绩效情况"),
                &[
                    Column::new("项目编码", 18.0, ColumnKind::Text),
                    Column::new("项目名称", 36.0, ColumnKind::Text),
                    Column::new("单位", 24.0, ColumnKind::Text),
                    Column::new("批复金额（万元）", 16.0, ColumnKind::Wan).with_total(),
                    Column::new("已支付（万元）", 16.0, ColumnKind::Wan).with_total(),
                    Column::new("预警", 10.0, ColumnKind::Text),
                    Column::new("自评等级", 10.0, ColumnKind::Text),
                ],
            )
            .map_err(failed)?;
        for p in &d.project_lines {
            writer
                .row(&[
                    Cell::Text(p.code.clone()),
                    Cell::Text(p.name.clone()),
                    Cell::Text(p.agency_name.clone()),
                    Cell::Number(p.approved_fen),
                    Cell::Number(p.used_fen),
                    Cell::Text(alert_label(p.alert_level.as_deref()).to_owned()),
                    Cell::Text(p.grade.clone().unwrap_or_default()),
                ])
                .map_err(failed)?;
        }
    }
    let bytes = off_workers(move || writer.finish()).await?;
    Ok(download(
        bytes,
        &format!("dashboard-{year}.xlsx"),
        &title("绩效看板"),
    ))
}
