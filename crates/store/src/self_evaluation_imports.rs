//! Published self-evaluation tables stored against their projects: finding the approved project
//! a table is for (by name, year and the table's units), and storing the table's items with its
//! own scores beside ours, as submitted.

use crate::projects::Project;
use crate::self_evaluation_writes::{SheetWrite, write_sheet};
use crate::self_evaluations::{SelfEvaluation, scored_items};
use crate::workflow;
use crate::{Error, Result, Store};
use jixiao_core::rulebook::Rulebook;
use jixiao_core::scoring::{BudgetBlock, Finding, ItemInput, SheetScore, format_score};
use jixiao_core::workflow::{SelfEvaluation as Sheet, SelfEvaluationAction};
use jixiao_core::{Actor, Role, time};
use serde_json::json;
use sqlx::QueryBuilder;

/// A sheet read from a published table, to store against a project.
#[derive(Debug, Clone)]
pub struct ImportedSheet {
    /// Budget block as the table gives it.
    pub budget: BudgetBlock,
    /// Items as the table gives them.
    pub items: Vec<ItemInput>,
    /// The table's own item scores.
    pub published: Vec<Option<i64>>,
    /// The table's total.
    pub published_total_x100: Option<i64>,
    /// Our score of it.
    pub scored: SheetScore,
    /// Findings, ours and the comparison's.
    pub findings: Vec<Finding>,
    /// The file it came from.
    pub file_name: String,
}

impl Store {
    /// Stores a sheet read from a published table against a project, as submitted by its agency
    /// (finance or the project's agency; not over an approved sheet).
    pub async fn store_imported_self_evaluation(
        &self,
        actor: &Actor,
        project_id: i64,
        sheet: &ImportedSheet,
    ) -> Result<SelfEvaluation> {
        if !matches!(actor.role, Role::Agency | Role::Finance | Role::Admin) {
            return Err(Error::Forbidden);
        }
        let current = self.self_evaluation(actor, project_id).await?;
        workflow::check::<Sheet>(
            current.workflow_state()?,
            SelfEvaluationAction::Import,
            actor,
        )?;
        let mut items = scored_items(&sheet.items, &sheet.scored, &sheet.published);
        let mut findings = sheet.findings.clone();
        bound_rows(&current, &mut items, &mut findings);
        let mut tx = self.begin().await?;
        let id = write_sheet(
            &mut tx,
            &current,
            SelfEvaluationAction::Import,
            actor,
            SheetWrite {
                state: "submitted",
                source: "import",
                budget: &sheet.budget,
                scored: &sheet.scored,
                items: &items,
                findings: &findings,
                published_total_x100: sheet.published_total_x100,
                summary: "",
                actor: &actor.name,
            },
            json!({
                "project_id": project_id,
                "file": sheet.file_name,
                "total_published": sheet.published_total_x100.map(format_score),
                "total_computed": format_score(sheet.scored.total_x100),
                "findings": findings.len(),
            }),
        )
        .await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE self_evaluations SET submitted_by = $1, submitted_at = $2 WHERE id = $3",
            )
            .bind(&actor.name)
            .bind(time::now())
            .bind(id)
            .execute(&mut *conn)
            .await?;
        });
        tx.commit().await?;
        self.self_evaluation(actor, project_id).await
    }
}

/// The project's indicators fed from records (decision 0046) in an imported table: each bound
/// row is found in the table by its name, keeps the records' value beside the table's and, where
/// the table says otherwise (or nothing), carries a finding for the reviewer — the table is
/// what the agency submitted, so its value stands, marked as differing. A bound indicator the
/// table lacks is a finding too.
fn bound_rows(
    current: &SelfEvaluation,
    items: &mut [crate::self_evaluations::EvaluationItem],
    findings: &mut Vec<Finding>,
) {
    for computed in &current.computed {
        let Some(bound) = current.items.iter().find(|i| i.row_no == computed.row_no) else {
            continue;
        };
        let Some(item) = items.iter_mut().find(|i| i.name == bound.name) else {
            findings.push(Finding {
                code: "record_value_missing".to_owned(),
                row: None,
                message: format!(
                    "指标“{}”从业务记录取数（{}）为{}{}，导入表中没有该指标",
                    bound.name, computed.label, computed.value, computed.unit
                ),
            });
            continue;
        };
        item.record_value = Some(computed.value);
        let row = usize::try_from(item.row_no).ok();
        if item.actual.trim().is_empty() {
            findings.push(Finding {
                code: "record_value_differs".to_owned(),
                row,
                message: format!(
                    "第{}行“{}”：表中未填实际完成值，业务记录取数为{}{}（{}），请核实",
                    item.row_no, item.name, computed.value, computed.unit, computed.label
                ),
            });
            item.override_reason = "导入表格未填实际完成值".to_owned();
        } else if !jixiao_core::indicator_binding::keeps_to_computed(&item.actual, computed.value) {
            findings.push(Finding {
                code: "record_value_differs".to_owned(),
                row,
                message: format!(
                    "第{}行“{}”：表中实际完成值为{}，业务记录取数为{}{}（{}），二者不一致，请核实",
                    item.row_no,
                    item.name,
                    item.actual,
                    computed.value,
                    computed.unit,
                    computed.label
                ),
            });
            item.override_reason = "导入表格所填，与业务记录取数不一致".to_owned();
        }
    }
}

impl Store {
    /// The approved project a published table is for: by name (and year, when the table gives
    /// one), checked against the table's 实施单位 (the project's agency) or, without one, its
    /// 主管部门 (the agency or its department). A name that matches only another agency's project is
    /// refused, naming both.
    pub async fn project_for_table(
        &self,
        actor: &Actor,
        name: &str,
        year: Option<i32>,
        implementing_unit: &str,
        department: &str,
    ) -> Result<Project> {
        let scope = self.project_scope(actor).await?;
        let found: Vec<Project> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(format!(
                "{} WHERE p.approved_revision IS NOT NULL AND p.name = ",
                crate::projects::SELECT_PROJECT
            ));
            query.push_bind(name.trim().to_owned());
            if let Some(year) = year {
                query.push(" AND p.year = ").push_bind(year);
            }
            scope.push(&mut query);
            query.push(" ORDER BY p.year DESC, p.code");
            query.build_query_as().fetch_all(pool).await?
        });
        let found = crate::stored::all(found)?;
        if found.is_empty() {
            return Err(Error::NotFound(format!(
                "未找到名为“{}”的已批复项目",
                name.trim()
            )));
        }
        let (unit, department) = (implementing_unit.trim(), department.trim());
        let mut matching = Vec::new();
        for project in &found {
            let parent: Option<String> = match project.agency_parent_id {
                Some(parent) => on_pool!(&self.pool, |pool| {
                    sqlx::query_scalar("SELECT name FROM agencies WHERE id = $1")
                        .bind(parent)
                        .fetch_optional(pool)
                        .await?
                }),
                None => None,
            };
            let fits = if !unit.is_empty() {
                project.agency_name == unit
            } else if !department.is_empty() {
                project.agency_name == department || parent.as_deref() == Some(department)
            } else {
                true
            };
            if fits {
                matching.push(project.clone());
            }
        }
        match matching.len() {
            1 => Ok(matching.remove(0)),
            0 => Err(Error::conflict(
                crate::ConflictCode::WrongDocument,
                format!(
                    "表中单位“{}”与项目“{}”所属单位“{}”不符，不能导入",
                    if unit.is_empty() { department } else { unit },
                    name.trim(),
                    found[0].agency_name
                ),
            )),
            _ => Err(Error::conflict(
                crate::ConflictCode::WrongDocument,
                format!(
                    "有{}个名为“{}”的项目，请指定预算年度",
                    matching.len(),
                    name.trim()
                ),
            )),
        }
    }

    /// The scoring rulebook of a project and its name.
    pub async fn scoring_rulebook(&self, project: &Project) -> Result<Rulebook> {
        Ok(self.project_rulebook(project).await?.1)
    }
}
