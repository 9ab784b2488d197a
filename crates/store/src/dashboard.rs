//! The dashboard's figures for a year (绩效看板): projects and money under performance management,
//! execution by month against time progress and by agency, alerts by level, the grade
//! distribution, money cut through results application and rectification progress — for all the
//! actor may see, or for one department with its units and projects (drill-down). Over a
//! jurisdiction with levels below it (a city, the province) the rows are those levels (cities,
//! then counties), each a drill-down into its own dashboard.

use crate::project_scope::ProjectScope;
use crate::{Error, Result, Store};
use jixiao_core::Actor;
use jixiao_core::ledger::execution_rate_bp as rate;
use serde::Serialize;
use sqlx::QueryBuilder;
use std::collections::{BTreeMap, HashMap};

/// A jurisdiction the figures are narrowed to, or one above it on the way there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JurisdictionRef {
    /// Six-digit code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// A department the figures are narrowed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentRef {
    /// Agency code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// Execution in one month of the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthExecution {
    /// Month, 1–12.
    pub month: u32,
    /// Paid in the month, net of refunds, fen.
    pub paid_fen: i64,
    /// Paid from January to the month's end, fen.
    pub cumulative_fen: i64,
    /// Cumulative paid over the allotments' limit, basis points.
    pub rate_bp: i64,
    /// Share of the year elapsed at the month's end, basis points.
    pub time_progress_bp: i64,
}

/// One agency's figures: a department (its units included) in the overall view, a unit or the
/// department itself in a department's view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgencyFigures {
    /// Agency code (the drill-down key).
    pub code: String,
    /// Name.
    pub name: String,
    /// Whether the row is a department with its units (drill down) rather than one agency.
    pub department: bool,
    /// Whether the row is a jurisdiction below the one looked at (drill down into its
    /// dashboard); its code is the jurisdiction's.
    pub jurisdiction: bool,
    /// Projects of the year.
    pub projects: i64,
    /// Approved projects.
    pub approved_projects: i64,
    /// Approved money, fen.
    pub approved_fen: i64,
    /// Allotments' limit, fen.
    pub limit_fen: i64,
    /// Paid, fen.
    pub used_fen: i64,
    /// Execution rate, basis points (0 without a limit).
    pub rate_bp: i64,
    /// Red alerts of the year's monitoring.
    pub red_alerts: i64,
    /// Yellow alerts.
    pub yellow_alerts: i64,
}

/// One approved project's figures in a department's view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProjectFigures {
    /// Project id (link to its page).
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Agency name.
    pub agency_name: String,
    /// Approved, fen.
    pub approved_fen: i64,
    /// Allotment limit, fen.
    pub limit_fen: i64,
    /// Paid, fen.
    pub used_fen: i64,
    /// The worst alert level of the year (`red`, `yellow`), if any.
    pub alert_level: Option<String>,
    /// Self-evaluation grade, once submitted.
    pub grade: Option<String>,
}

/// A count under a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Code (level, grade, state).
    pub key: String,
    /// Chinese label.
    pub label: String,
    /// How many.
    pub count: i64,
}

/// Money cut through results application.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CutFigures {
    /// The evaluation year whose results cut.
    pub evaluation_year: i32,
    /// The budget year cut.
    pub budget_year: i32,
    /// Money cut, fen.
    pub amount_fen: i64,
    /// Projects cut.
    pub projects: i64,
}

/// The dashboard of a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dashboard {
    /// The year.
    pub year: i32,
    /// When the figures were summed (microseconds since the epoch), when they come from the
    /// rollups of a city's or the province's levels; `None`: read from the rows just now.
    pub as_of: Option<i64>,
    /// The jurisdiction looked at (`None`: the whole deployment of several provinces).
    pub jurisdiction: Option<JurisdictionRef>,
    /// The jurisdictions from the user's own down to the one above the one looked at.
    pub trail: Vec<JurisdictionRef>,
    /// Whether the rows are the jurisdictions below the one looked at rather than agencies.
    pub by_jurisdiction: bool,
    /// The department narrowed to, if any.
    pub department: Option<DepartmentRef>,
    /// Projects of the year (any state).
    pub projects: i64,
    /// Requested money of those projects, fen.
    pub requested_fen: i64,
    /// Approved projects: under performance management.
    pub covered_projects: i64,
    /// Their approved money, fen.
    pub covered_fen: i64,
    /// Allotments' limit, fen.
    pub limit_fen: i64,
    /// Paid, fen.
    pub used_fen: i64,
    /// Execution rate, basis points.
    pub rate_bp: i64,
    /// Execution by month, up to the last month with payments (all twelve for a closed year).
    pub months: Vec<MonthExecution>,
    /// By agency: departments overall, units within a department.
    pub agencies: Vec<AgencyFigures>,
    /// A department's approved projects (empty overall).
    pub project_lines: Vec<ProjectFigures>,
    /// Alerts by level.
    pub alerts: Vec<Count>,
    /// Alerts not yet decided.
    pub alerts_undecided: i64,
    /// Submitted and approved self-evaluations by grade (优, 良, 中, 差).
    pub grades: Vec<Count>,
    /// Self-evaluations submitted and awaiting finance review.
    pub grades_pending_review: i64,
    /// Cuts the year's evaluations made to next year's budget.
    pub cuts_from_year: CutFigures,
    /// Cuts last year's evaluations made to this year's budget.
    pub cuts_into_year: CutFigures,
    /// Rectification items of the year by state (open, answered, closed).
    pub rectifications: Vec<Count>,
}

#[derive(sqlx::FromRow)]
struct AgencyRow {
    agency_id: i64,
    projects: i64,
    approved_projects: i64,
    requested_fen: i64,
    approved_fen: i64,
}

#[derive(sqlx::FromRow)]
struct AgencyMoney {
    agency_id: i64,
    limit_fen: i64,
    used_fen: i64,
}

#[derive(sqlx::FromRow)]
struct AgencyAlerts {
    agency_id: i64,
    level: String,
    status: String,
    alerts: i64,
}

#[derive(sqlx::FromRow)]
struct KeyCount {
    key: String,
    count: i64,
}

impl Store {
    /// The year's dashboard within the actor's scope, or within one department (`department` an
    /// agency code) of it.
    pub async fn dashboard(
        &self,
        actor: &Actor,
        year: i32,
        department: Option<&str>,
    ) -> Result<Dashboard> {
        self.dashboard_of(actor, year, None, department).await
    }

    /// The year's dashboard of a jurisdiction the actor sees (`None`: the actor's own), or of
    /// one department of a county-level one.
    pub async fn dashboard_of(
        &self,
        actor: &Actor,
        year: i32,
        jurisdiction: Option<&str>,
        department: Option<&str>,
    ) -> Result<Dashboard> {
        let base = self.project_scope(actor).await?;
        let all = self.jurisdictions().await?;
        let sees = |code: &str| {
            base.jurisdictions
                .as_ref()
                .is_none_or(|v| v.iter().any(|c| c == code))
        };
        let mut root: Option<String> = match jurisdiction.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => {
                if !all.iter().any(|j| j.code == code) || !sees(code) {
                    return Err(Error::NotFound(
                        "财政区划不存在或不在您的查看范围内".to_owned(),
                    ));
                }
                Some(code.to_owned())
            }
            None => actor.jurisdiction.clone().or_else(|| {
                let mut roots = all.iter().filter(|j| j.parent_code.is_none());
                match (roots.next(), roots.next()) {
                    (Some(only), None) => Some(only.code.clone()),
                    _ => None,
                }
            }),
        };
        let agencies = self.agencies(actor).await?;
        // Unasked, a chain of single levels without agencies of their own (a deployment of one
        // county under its city and province) opens at the level that has rows to show.
        if jurisdiction.map(str::trim).is_none_or(str::is_empty) {
            while let Some(code) = root.clone() {
                let mut below = all
                    .iter()
                    .filter(|j| j.parent_code.as_deref() == Some(&code));
                let own = agencies.iter().any(|a| a.jurisdiction_code == code);
                match (below.next(), below.next(), own) {
                    (Some(only), None, false) => root = Some(only.code.clone()),
                    _ => break,
                }
            }
        }
        let department = department.map(str::trim).filter(|c| !c.is_empty());
        // A department is one county's: over several, look at the county it is in, when only
        // one of them has it.
        if let Some(code) = department {
            let under = JurisdictionTree::new(&all, root.as_deref());
            let mut places: Vec<&str> = agencies
                .iter()
                .filter(|a| a.code == code && under.contains(&a.jurisdiction_code))
                .map(|a| a.jurisdiction_code.as_str())
                .collect();
            places.dedup();
            match places.as_slice() {
                [] => return Err(Error::NotFound("部门不存在或不在您的查看范围内".to_owned())),
                [only] => root = Some((*only).to_owned()),
                _ => {
                    return Err(Error::invalid(
                        "department",
                        "needs_jurisdiction",
                        "多个县（市、区）都有此部门，请先选择县（市、区）",
                    ));
                }
            }
        }
        let tree = JurisdictionTree::new(&all, root.as_deref());
        let by_jurisdiction = department.is_none() && !tree.children.is_empty();
        let scope = ProjectScope {
            jurisdictions: if tree.codes.len() == all.len() && base.jurisdictions.is_none() {
                None
            } else {
                Some(tree.codes.clone())
            },
            agencies: base.agencies.clone(),
            breadth: tree.codes.len(),
        };
        let agencies: Vec<crate::Agency> = agencies
            .into_iter()
            .filter(|a| tree.contains(&a.jurisdiction_code))
            .collect();
        let (scope, department) = match department {
            None => (scope, None),
            Some(code) => {
                let Some(dept) = agencies.iter().find(|a| a.code == code) else {
                    return Err(Error::NotFound("部门不存在或不在您的查看范围内".to_owned()));
                };
                let mut ids: Vec<i64> = agencies
                    .iter()
                    .filter(|a| a.id == dept.id || a.parent_id == Some(dept.id))
                    .map(|a| a.id)
                    .collect();
                if let Some(allowed) = &scope.agencies {
                    ids.retain(|id| allowed.contains(id));
                }
                if ids.is_empty() {
                    return Err(Error::NotFound("部门不存在或不在您的查看范围内".to_owned()));
                }
                (
                    ProjectScope {
                        jurisdictions: scope.jurisdictions.clone(),
                        agencies: Some(ids),
                        breadth: scope.breadth,
                    },
                    Some(DepartmentRef {
                        code: dept.code.clone(),
                        name: dept.name.clone(),
                    }),
                )
            }
        };
        let groups = RowGroups::new(&agencies, &tree, by_jurisdiction, department.is_none());
        let looked_at = root.as_deref().and_then(|code| tree.reference(code));
        let mut trail = Vec::new();
        let mut up = root
            .as_deref()
            .and_then(|code| all.iter().find(|j| j.code == code))
            .and_then(|j| j.parent_code.clone());
        while let Some(code) = up.take() {
            if !sees(&code) {
                break;
            }
            let Some(j) = all.iter().find(|j| j.code == code) else {
                break;
            };
            trail.push(JurisdictionRef {
                code: j.code.clone(),
                name: j.name.clone(),
            });
            up = j.parent_code.clone();
        }
        trail.reverse();
        // Over the levels below a city or the province: the rollups, once built.
        let as_of = if by_jurisdiction && scope.agencies.is_none() {
            self.scope_rollups_refreshed().await?
        } else {
            None
        };
        let rollup = as_of.is_some();
        let (by_agency, money, alert_rows, monthly, grades, rectifications, project_lines) =
            on_pool!(&self.pool, |pool| {
                let mut query = QueryBuilder::new(if rollup {
                    "SELECT p.agency_id, CAST(SUM(p.projects) AS BIGINT) AS projects, \
                     CAST(SUM(CASE WHEN p.state = 'approved' THEN p.projects ELSE 0 END) \
                     AS BIGINT) AS approved_projects, \
                     CAST(COALESCE(SUM(p.requested_fen), 0) AS BIGINT) AS requested_fen, \
                     CAST(COALESCE(SUM(CASE WHEN p.state = 'approved' \
                     THEN p.approved_fen ELSE 0 END), 0) AS BIGINT) AS approved_fen \
                     FROM rollup_projects p WHERE p.year = "
                } else {
                    "SELECT p.agency_id, COUNT(*) AS projects, \
                     CAST(SUM(CASE WHEN p.state = 'approved' THEN 1 ELSE 0 END) \
                     AS BIGINT) AS approved_projects, \
                     CAST(COALESCE(SUM(p.requested_fen), 0) AS BIGINT) AS requested_fen, \
                     CAST(COALESCE(SUM(CASE WHEN p.state = 'approved' \
                     THEN p.approved_fen ELSE 0 END), 0) AS BIGINT) AS approved_fen \
                     FROM projects p WHERE p.year = "
                });
                query.push_bind(year);
                scope.push(&mut query);
                query.push(" GROUP BY p.agency_id");
                let by_agency: Vec<AgencyRow> = query.build_query_as().fetch_all(pool).await?;

                let mut query = QueryBuilder::new(if rollup {
                    "SELECT p.agency_id, CAST(SUM(p.limit_fen) AS BIGINT) AS limit_fen, \
                     CAST(SUM(p.used_fen) AS BIGINT) AS used_fen \
                     FROM rollup_allotments p WHERE p.year = "
                } else {
                    // An allotment carries its project's jurisdiction and agency: the scope
                    // applies to it directly (alias p), by its own index.
                    "SELECT p.agency_id, CAST(SUM(p.limit_fen) AS BIGINT) AS limit_fen, \
                     CAST(SUM(p.used_fen) AS BIGINT) AS used_fen \
                     FROM allotments p WHERE p.year = "
                });
                query.push_bind(year);
                scope.push(&mut query);
                query.push(" GROUP BY p.agency_id");
                let money: Vec<AgencyMoney> = query.build_query_as().fetch_all(pool).await?;

                let mut query = QueryBuilder::new(if rollup {
                    // The item is `level:status`, split below.
                    "SELECT p.agency_id, p.item AS level, '' AS status, \
                     CAST(SUM(p.entries) AS BIGINT) AS alerts \
                     FROM rollup_counts p WHERE p.kind = 'alert' AND p.year = "
                } else {
                    "SELECT p.agency_id, a.level, a.status, COUNT(*) AS alerts \
                     FROM alerts a JOIN projects p ON p.id = a.project_id WHERE p.year = "
                });
                query.push_bind(year);
                scope.push(&mut query);
                query.push(if rollup {
                    " GROUP BY p.agency_id, p.item"
                } else {
                    " GROUP BY p.agency_id, a.level, a.status"
                });
                let mut alert_rows: Vec<AgencyAlerts> =
                    query.build_query_as().fetch_all(pool).await?;
                for row in &mut alert_rows {
                    if let Some((level, status)) = row.level.split_once(':') {
                        (row.level, row.status) = (level.to_owned(), status.to_owned());
                    }
                }

                // Execution by month from the allotments' months (migration 0037, kept with
                // each payment), not from the year's payments.
                let mut query = QueryBuilder::new(if rollup {
                    "SELECT p.month AS key, CAST(SUM(p.paid_fen) AS BIGINT) AS count \
                     FROM rollup_payment_months p WHERE p.year = "
                } else {
                    // From the scope's allotments (alias p, their own jurisdiction and agency)
                    // to their months: a county reads its own, whatever the province holds.
                    "SELECT substr(m.month, 6, 2) AS key, CAST(SUM(m.paid_fen) AS BIGINT) AS count \
                     FROM allotments p JOIN payment_months m ON m.allotment_id = p.id \
                     WHERE p.year = "
                });
                query.push_bind(year);
                scope.push(&mut query);
                if rollup {
                    query.push(" GROUP BY p.month");
                } else {
                    query.push(" AND substr(m.month, 1, 4) = ");
                    query.push_bind(year.to_string());
                    query.push(" GROUP BY substr(m.month, 6, 2)");
                }
                let monthly: Vec<KeyCount> = query.build_query_as().fetch_all(pool).await?;

                let mut query = QueryBuilder::new(if rollup {
                    "SELECT p.item AS key, CAST(SUM(p.entries) AS BIGINT) AS count \
                     FROM rollup_counts p WHERE p.kind = 'grade' AND p.year = "
                } else {
                    "SELECT s.state || ':' || s.grade AS key, COUNT(*) AS count \
                     FROM self_evaluations s JOIN projects p ON p.id = s.project_id \
                     WHERE s.state IN ('submitted', 'approved') AND p.year = "
                });
                query.push_bind(year);
                scope.push(&mut query);
                query.push(if rollup {
                    " GROUP BY p.item"
                } else {
                    " GROUP BY s.state, s.grade"
                });
                let grades: Vec<KeyCount> = query.build_query_as().fetch_all(pool).await?;

                let mut query = QueryBuilder::new(if rollup {
                    "SELECT p.item AS key, CAST(SUM(p.entries) AS BIGINT) AS count \
                     FROM rollup_counts p WHERE p.kind = 'rectification' AND p.year = "
                } else {
                    "SELECT r.state AS key, COUNT(*) AS count FROM rectifications r \
                     JOIN projects p ON p.id = r.project_id WHERE r.year = "
                });
                query.push_bind(year);
                scope.push(&mut query);
                query.push(if rollup {
                    " GROUP BY p.item"
                } else {
                    " GROUP BY r.state"
                });
                let rectifications: Vec<KeyCount> = query.build_query_as().fetch_all(pool).await?;

                let project_lines: Vec<ProjectFigures> = if department.is_some() {
                    let mut query = QueryBuilder::new(
                        "SELECT p.id, p.code, p.name, ag.name AS agency_name, \
                         COALESCE(p.approved_fen, 0) AS approved_fen, \
                         COALESCE(l.limit_fen, 0) AS limit_fen, \
                         COALESCE(l.used_fen, 0) AS used_fen, \
                         (SELECT MIN(a.level) FROM alerts a WHERE a.project_id = p.id) \
                         AS alert_level, \
                         (SELECT s.grade FROM self_evaluations s WHERE s.project_id = p.id \
                         AND s.state IN ('submitted', 'approved')) AS grade \
                         FROM projects p JOIN agencies ag ON ag.id = p.agency_id \
                         LEFT JOIN allotments l ON l.project_id = p.id \
                         WHERE p.state = 'approved' AND p.year = ",
                    );
                    query.push_bind(year);
                    scope.push(&mut query);
                    query.push(" ORDER BY p.approved_fen DESC, p.code");
                    query.build_query_as().fetch_all(pool).await?
                } else {
                    Vec::new()
                };
                (
                    by_agency,
                    money,
                    alert_rows,
                    monthly,
                    grades,
                    rectifications,
                    project_lines,
                )
            });

        // Rows: the jurisdictions below, or departments overall, or each agency within a
        // department.
        let mut rows: BTreeMap<String, AgencyFigures> = BTreeMap::new();
        let mut requested_fen = 0;
        for row in &by_agency {
            requested_fen += row.requested_fen;
            if let Some(figures) = groups.figures(&mut rows, row.agency_id) {
                figures.projects += row.projects;
                figures.approved_projects += row.approved_projects;
                figures.approved_fen += row.approved_fen;
            }
        }
        for row in &money {
            if let Some(figures) = groups.figures(&mut rows, row.agency_id) {
                figures.limit_fen += row.limit_fen;
                figures.used_fen += row.used_fen;
            }
        }
        let mut red = 0;
        let mut yellow = 0;
        let mut alerts_undecided = 0;
        for row in &alert_rows {
            if row.status != "decided" {
                alerts_undecided += row.alerts;
            }
            let is_red = row.level == "red";
            if is_red {
                red += row.alerts;
            } else {
                yellow += row.alerts;
            }
            if let Some(figures) = groups.figures(&mut rows, row.agency_id) {
                if is_red {
                    figures.red_alerts += row.alerts;
                } else {
                    figures.yellow_alerts += row.alerts;
                }
            }
        }
        let mut agency_rows: Vec<AgencyFigures> = rows.into_values().collect();
        for row in &mut agency_rows {
            row.rate_bp = rate(row.used_fen, row.limit_fen);
        }
        let projects = agency_rows.iter().map(|r| r.projects).sum();
        let covered_projects = agency_rows.iter().map(|r| r.approved_projects).sum();
        let covered_fen = agency_rows.iter().map(|r| r.approved_fen).sum();
        let limit_fen: i64 = agency_rows.iter().map(|r| r.limit_fen).sum();
        let used_fen: i64 = agency_rows.iter().map(|r| r.used_fen).sum();

        let months = months_of(year, &monthly, limit_fen);

        let grade_count = |grade: &str, state: Option<&str>| -> i64 {
            grades
                .iter()
                .filter(|g| {
                    let (s, g) = g.key.split_once(':').unwrap_or(("", ""));
                    g == grade && state.is_none_or(|want| s == want)
                })
                .map(|g| g.count)
                .sum()
        };
        let grade_counts: Vec<Count> = ["优", "良", "中", "差"]
            .iter()
            .map(|g| Count {
                key: (*g).to_owned(),
                label: (*g).to_owned(),
                count: grade_count(g, None),
            })
            .collect();
        let grades_pending_review = grades
            .iter()
            .filter(|g| g.key.starts_with("submitted:"))
            .map(|g| g.count)
            .sum();
        let state_count = |state: &str| -> i64 {
            rectifications
                .iter()
                .filter(|r| r.key == state)
                .map(|r| r.count)
                .sum()
        };
        let rectification_counts = [
            ("open", "待整改"),
            ("answered", "已报送待核验"),
            ("closed", "已完成"),
        ]
        .iter()
        .map(|(key, label)| Count {
            key: (*key).to_owned(),
            label: (*label).to_owned(),
            count: state_count(key),
        })
        .collect();
        let cuts_from_year = self.cut_figures(&scope, year, rollup).await?;
        let cuts_into_year = self
            .cut_figures(&scope, year.saturating_sub(1), rollup)
            .await?;
        Ok(Dashboard {
            year,
            as_of: as_of.map(|r| r.refreshed_at),
            jurisdiction: looked_at,
            trail,
            by_jurisdiction,
            department,
            projects,
            requested_fen,
            covered_projects,
            covered_fen,
            limit_fen,
            used_fen,
            rate_bp: rate(used_fen, limit_fen),
            months,
            agencies: agency_rows,
            project_lines,
            alerts: vec![
                Count {
                    key: "red".to_owned(),
                    label: "红色预警".to_owned(),
                    count: red,
                },
                Count {
                    key: "yellow".to_owned(),
                    label: "黄色预警".to_owned(),
                    count: yellow,
                },
            ],
            alerts_undecided,
            grades: grade_counts,
            grades_pending_review,
            cuts_from_year,
            cuts_into_year,
            rectifications: rectification_counts,
        })
    }

    /// Decided cuts of an evaluation year's results, on projects within the scope.
    async fn cut_figures(
        &self,
        scope: &ProjectScope,
        evaluation_year: i32,
        rollup: bool,
    ) -> Result<CutFigures> {
        let (amount_fen, projects): (i64, i64) = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(if rollup {
                "SELECT CAST(COALESCE(SUM(p.amount_fen), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(p.entries), 0) AS BIGINT) \
                 FROM rollup_counts p WHERE p.kind = 'cut' AND p.year = "
            } else {
                "SELECT CAST(COALESCE(SUM(x.cut_fen), 0) AS BIGINT), COUNT(*) \
                 FROM adjustments x JOIN projects p ON p.id = x.evaluated_project_id \
                 WHERE x.status IN ('accepted', 'changed') AND x.cut_fen > 0 AND x.year = "
            });
            query.push_bind(evaluation_year);
            scope.push(&mut query);
            query.build_query_as().fetch_one(pool).await?
        });
        Ok(CutFigures {
            evaluation_year,
            budget_year: evaluation_year.saturating_add(1),
            amount_fen,
            projects,
        })
    }
}

/// The row an agency's figures go to: its department's overall, its own within a department;
/// `None` for an agency not visible.
/// The jurisdiction looked at with every one below it, and which of its direct children each
/// belongs to.
struct JurisdictionTree {
    /// Codes of the jurisdiction looked at and all below it (all, when it is the deployment).
    codes: Vec<String>,
    /// The direct children (code, name) of the one looked at.
    children: Vec<(String, String)>,
    /// Each code below → the child it is under (the looked-at one's own code maps to itself).
    row_of: HashMap<String, String>,
    /// Names by code.
    names: HashMap<String, String>,
    /// The jurisdiction looked at.
    root: Option<String>,
}

impl JurisdictionTree {
    fn new(all: &[crate::Jurisdiction], root: Option<&str>) -> JurisdictionTree {
        let parents: Vec<(String, Option<String>)> = all
            .iter()
            .map(|j| (j.code.clone(), j.parent_code.clone()))
            .collect();
        let codes = match root {
            Some(code) => jixiao_core::tree::subtree(&code.to_owned(), &parents),
            None => all.iter().map(|j| j.code.clone()).collect(),
        };
        let children: Vec<(String, String)> = all
            .iter()
            .filter(|j| j.parent_code.as_deref() == root)
            .map(|j| (j.code.clone(), j.name.clone()))
            .collect();
        let mut row_of = HashMap::new();
        if let Some(code) = root {
            row_of.insert(code.to_owned(), code.to_owned());
        }
        for (child, _) in &children {
            for code in jixiao_core::tree::subtree(child, &parents) {
                row_of.insert(code, child.clone());
            }
        }
        JurisdictionTree {
            codes,
            children,
            row_of,
            names: all
                .iter()
                .map(|j| (j.code.clone(), j.name.clone()))
                .collect(),
            root: root.map(str::to_owned),
        }
    }

    fn contains(&self, code: &str) -> bool {
        self.row_of.contains_key(code) || (self.root.is_none() && self.names.contains_key(code))
    }

    fn reference(&self, code: &str) -> Option<JurisdictionRef> {
        self.names.get(code).map(|name| JurisdictionRef {
            code: code.to_owned(),
            name: name.clone(),
        })
    }
}

/// Which row of the dashboard each agency's figures go to.
struct RowGroups {
    /// Agency id → (row key, name, department row, jurisdiction row).
    rows: HashMap<i64, (String, String, bool, bool)>,
}

impl RowGroups {
    fn new(
        agencies: &[crate::Agency],
        tree: &JurisdictionTree,
        by_jurisdiction: bool,
        overall: bool,
    ) -> RowGroups {
        let by_id: HashMap<i64, &crate::Agency> = agencies.iter().map(|a| (a.id, a)).collect();
        let rows = agencies
            .iter()
            .filter_map(|agency| {
                let row = if by_jurisdiction {
                    let code = tree.row_of.get(&agency.jurisdiction_code)?;
                    let name = tree.names.get(code).cloned().unwrap_or_default();
                    let own = tree.root.as_deref() == Some(code.as_str());
                    (
                        code.clone(),
                        if own { format!("{name}本级") } else { name },
                        false,
                        !own,
                    )
                } else {
                    let group = match agency.parent_id {
                        Some(parent) if overall => by_id.get(&parent).copied().unwrap_or(agency),
                        _ => agency,
                    };
                    (group.code.clone(), group.name.clone(), overall, false)
                };
                Some((agency.id, row))
            })
            .collect();
        RowGroups { rows }
    }

    fn figures<'a>(
        &self,
        rows: &'a mut BTreeMap<String, AgencyFigures>,
        agency_id: i64,
    ) -> Option<&'a mut AgencyFigures> {
        let (key, name, department, jurisdiction) = self.rows.get(&agency_id)?;
        Some(rows.entry(key.clone()).or_insert_with(|| AgencyFigures {
            code: key.clone(),
            name: name.clone(),
            department: *department,
            jurisdiction: *jurisdiction,
            ..AgencyFigures::default()
        }))
    }
}

/// Month by month from January to the last month with payments (all twelve when December has
/// any, or when there are none and the year is over: then every month shows nothing paid).
fn months_of(year: i32, monthly: &[KeyCount], limit_fen: i64) -> Vec<MonthExecution> {
    let paid: BTreeMap<u32, i64> = monthly
        .iter()
        .filter_map(|m| Some((m.key.parse::<u32>().ok()?, m.count)))
        .collect();
    let last = paid.keys().next_back().copied().unwrap_or(0);
    let mut cumulative = 0;
    (1..=last)
        .map(|month| {
            let paid_fen = paid.get(&month).copied().unwrap_or(0);
            cumulative += paid_fen;
            let end = month_end(year, month);
            MonthExecution {
                month,
                paid_fen,
                cumulative_fen: cumulative,
                rate_bp: rate(cumulative, limit_fen),
                time_progress_bp: end.map_or(0, jixiao_core::monitoring::time_progress_bp),
            }
        })
        .collect()
}

fn month_end(year: i32, month: u32) -> Option<chrono::NaiveDate> {
    let (y, m) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    chrono::NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_run_to_the_last_paid_month_with_time_progress() {
        let monthly = vec![
            KeyCount {
                key: "01".to_owned(),
                count: 100,
            },
            KeyCount {
                key: "03".to_owned(),
                count: 300,
            },
        ];
        let months = months_of(2019, &monthly, 1_000);
        assert_eq!(months.len(), 3);
        assert_eq!(months[1].paid_fen, 0);
        assert_eq!(months[1].cumulative_fen, 100);
        assert_eq!(months[2].cumulative_fen, 400);
        assert_eq!(months[2].rate_bp, 4_000);
        assert_eq!(months[0].time_progress_bp, 31 * 10_000 / 365);
        assert_eq!(months[2].time_progress_bp, 90 * 10_000 / 365);
    }
}
