//! `jixiao export fiscal-data-package`: the year's budget by phase with the published targets and
//! results, as a Fiscal Data Package for open-data portals.

use anyhow::{Context, anyhow};
use jixiao_interop::fiscal_data_package::{
    BudgetRow, PackageInfo, ResultRow, TargetRow, write_package,
};
use jixiao_store::Store;
use std::path::Path;
use std::process::ExitCode;

/// Writes the package of `year` into `dir`.
pub async fn export(
    store: &Store,
    year: i32,
    jurisdiction: Option<String>,
    dir: &Path,
) -> anyhow::Result<ExitCode> {
    let jurisdiction = crate::commands::pick_jurisdiction(store, jurisdiction).await?;
    let name = store
        .jurisdictions()
        .await
        .map_err(|e| anyhow!("{e}"))?
        .into_iter()
        .find(|j| j.code == jurisdiction)
        .map(|j| j.name)
        .unwrap_or_default();
    let actor = crate::transfer::treasury_actor(jurisdiction.clone());
    let lines = store
        .budget_lines(&actor, year)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    if lines.is_empty() {
        return Err(anyhow!("{year}年度没有已批复的项目，未导出"));
    }
    let budget: Vec<BudgetRow> = lines
        .into_iter()
        .map(|l| BudgetRow {
            department_code: l.department_code,
            department_name: l.department_name,
            agency_code: l.agency_code,
            agency_name: l.agency_name,
            function_code: l.function_code,
            economic_code: l.economic_code,
            project_code: l.project_code,
            project_name: l.project_name,
            funding_source: l.funding_source,
            proposed_fen: l.requested_fen,
            approved_fen: l.approved_fen,
            adjusted_fen: l.adjusted_fen,
            executed_fen: l.executed_fen,
        })
        .collect();
    let published = store
        .public_projects(&jurisdiction, Some(year))
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let mut targets = Vec::new();
    let mut results = Vec::with_capacity(published.len());
    let progress = crate::progress::Progress::new(
        u64::try_from(published.len()).unwrap_or(u64::MAX),
        "读取公开项目的绩效目标",
    );
    for project in &published {
        progress.advance(1);
        let detail = store
            .public_project(project.id)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        for indicator in &detail.targets.indicators {
            targets.push(TargetRow {
                project_code: project.code.clone(),
                project_name: project.name.clone(),
                level1: indicator.level1.clone(),
                level2: indicator.level2.clone(),
                indicator: indicator.name.clone(),
                operator: indicator.op.label().to_owned(),
                value: indicator.value.clone(),
                unit: indicator.unit.clone(),
                points_x100: indicator.points_x100,
            });
        }
        results.push(ResultRow {
            project_code: project.code.clone(),
            project_name: project.name.clone(),
            agency_name: project.agency_name.clone(),
            approved_fen: project.approved_fen,
            executed_fen: project.executed_fen,
            self_score_x100: project.self_total_x100,
            self_grade: project.self_grade.clone(),
            key_score_x100: project.key_total_x100,
            key_grade: project.key_grade.clone(),
            cut_fen: project.cut_fen,
        });
    }
    progress.finish();
    let info = PackageInfo {
        jurisdiction_code: jurisdiction,
        jurisdiction_name: name,
        year,
    };
    let written = write_package(dir, &info, &budget, &targets, &results)
        .with_context(|| format!("无法写入 {}", dir.display()))?;
    for path in &written {
        println!("{}", path.display());
    }
    eprintln!(
        "已导出{year}年度财政开放数据包：项目{}个，公开绩效目标{}条、评价结果{}个。",
        budget.len(),
        targets.len(),
        results.len()
    );
    Ok(ExitCode::SUCCESS)
}
