//! `jixiao review targets`: the automatic target review (智能预审) over every project of a year,
//! each working sheet under the rulebook in force for its jurisdiction and year — the sheets read
//! in batches (one query a batch) and each batch reviewed on a blocking thread while the next
//! is read — or over a target sheet workbook that is not in Jixiao. Reads only.

use crate::cli::ReviewCommand;
use anyhow::{Context, anyhow};
use jixiao_core::Actor;
use jixiao_core::rulebook::Rulebook;
use jixiao_core::target_review::{
    Finding, IndicatorUnderReview, Reviewer, SheetUnderReview, blocks_submission,
};
use jixiao_interop::target_sheet_xlsx::{CellProblem, UploadedSheet, read_workbook};
use jixiao_store::{Store, WorkingTargetSheet};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Projects read (and reviewed) per batch.
const BATCH: i64 = 2000;

/// The exit code of a workbook review that found a problem blocking submission.
const BLOCKED: u8 = 2;

/// One project of the year with what the review found.
#[derive(Debug, Clone)]
pub struct ReviewedProject {
    /// Project id.
    pub project_id: i64,
    /// Project code.
    pub code: String,
    /// Project name.
    pub name: String,
    /// Jurisdiction.
    pub jurisdiction_code: String,
    /// Indicator rows of the working sheet.
    pub indicators: usize,
    /// Every finding.
    pub findings: Vec<Finding>,
}

/// Whether the command reviews a workbook under a rulebook file, needing no database.
pub fn needs_no_database(command: &ReviewCommand) -> bool {
    let ReviewCommand::Targets { file, rulebook, .. } = command;
    file.is_some() && rulebook.is_some()
}

/// Runs a `review` subcommand (`store` is `None` only when [`needs_no_database`]).
pub async fn run(store: Option<&Store>, command: ReviewCommand) -> anyhow::Result<ExitCode> {
    let ReviewCommand::Targets {
        file,
        year,
        jurisdiction,
        rulebook,
        json,
    } = command;
    if let Some(file) = file {
        return review_file(store, &file, year, jurisdiction, rulebook, json).await;
    }
    let store = store.ok_or_else(|| anyhow!("需要数据库"))?;
    let year = year.ok_or_else(|| anyhow!("请用 --year 指定年度，或给出要预审的 .xlsx 文件"))?;
    let reviewed = review_year(store, &Actor::system(), year, jurisdiction.as_deref()).await?;
    if json {
        let projects: Vec<serde_json::Value> = reviewed
            .iter()
            .map(|p| {
                json!({
                    "project_id": p.project_id,
                    "code": p.code,
                    "name": p.name,
                    "jurisdiction": p.jurisdiction_code,
                    "blocks_submission": blocks_submission(&p.findings),
                    "findings": p.findings,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&projects)?);
        return Ok(ExitCode::SUCCESS);
    }
    print_summary(year, &reviewed);
    Ok(ExitCode::SUCCESS)
}

/// Reviews the working target sheet of every project of `year` the actor may see (only
/// `jurisdiction`'s when given), in project-code order.
pub async fn review_year(
    store: &Store,
    actor: &Actor,
    year: i32,
    jurisdiction: Option<&str>,
) -> anyhow::Result<Vec<ReviewedProject>> {
    let mut reviewers: HashMap<String, Arc<Reviewer>> = HashMap::new();
    let mut reviewed: Vec<ReviewedProject> = Vec::new();
    let mut pending: Option<tokio::task::JoinHandle<Vec<ReviewedProject>>> = None;
    let mut after = None;
    loop {
        // Read the next batch while the last one is reviewed.
        let batch = store
            .working_target_sheets_after(actor, year, jurisdiction, after, BATCH)
            .await
            .map_err(|e| anyhow!("{}", e.user_message()))?;
        if let Some(task) = pending.take() {
            reviewed.extend(task.await.context("预审线程异常结束")?);
        }
        let Some(last) = batch.last() else { break };
        after = Some(last.project_id);
        for sheet in &batch {
            if !reviewers.contains_key(&sheet.jurisdiction_code) {
                let reviewer = reviewer_in_force(store, &sheet.jurisdiction_code, year).await?;
                reviewers.insert(sheet.jurisdiction_code.clone(), Arc::new(reviewer));
            }
        }
        let reviewers = reviewers.clone();
        pending = Some(tokio::task::spawn_blocking(move || {
            review_batch(&reviewers, year, batch)
        }));
    }
    reviewed.sort_by(|a, b| (&a.code, a.project_id).cmp(&(&b.code, b.project_id)));
    Ok(reviewed)
}

fn review_batch(
    reviewers: &HashMap<String, Arc<Reviewer>>,
    year: i32,
    batch: Vec<WorkingTargetSheet>,
) -> Vec<ReviewedProject> {
    batch
        .into_iter()
        .map(|p| {
            let sheet = SheetUnderReview::from_target_sheet(&p.target, year, Some(p.requested_fen));
            let findings = reviewers
                .get(&p.jurisdiction_code)
                .map(|r| r.review(&sheet))
                .unwrap_or_default();
            ReviewedProject {
                project_id: p.project_id,
                code: p.code,
                name: p.name,
                jurisdiction_code: p.jurisdiction_code,
                indicators: p.target.indicators.len(),
                findings,
            }
        })
        .collect()
}

/// The reviewer of the rulebook in force for a jurisdiction and year.
async fn reviewer_in_force(
    store: &Store,
    jurisdiction: &str,
    year: i32,
) -> anyhow::Result<Reviewer> {
    let record = store
        .rulebook_in_force(jurisdiction, year)
        .await
        .map_err(|e| anyhow!("{}", e.user_message()))
        .with_context(|| format!("{jurisdiction}{year}年度没有生效的规则"))?;
    let rulebook = record
        .rulebook()
        .map_err(|e| anyhow!("{}", e.user_message()))?;
    compile(&rulebook)
}

fn compile(rulebook: &Rulebook) -> anyhow::Result<Reviewer> {
    Reviewer::new(rulebook)
        .map_err(|e| anyhow!("{e}"))
        .context("规则中的智能预审词表无法使用")
}

fn code_of(finding: &Finding) -> &'static str {
    finding.code.as_str()
}

fn print_summary(year: i32, reviewed: &[ReviewedProject]) {
    let mut by_code: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut with_findings = 0;
    let mut blocked = 0;
    for project in reviewed {
        let findings = &project.findings;
        if findings.is_empty() {
            continue;
        }
        with_findings += 1;
        let blocks = blocks_submission(findings);
        if blocks {
            blocked += 1;
        }
        for finding in findings {
            *by_code.entry(code_of(finding)).or_default() += 1;
        }
        println!(
            "{}  {}  {}条{}",
            project.code,
            project.name,
            findings.len(),
            if blocks {
                "（有须退回修改的问题）"
            } else {
                ""
            }
        );
    }
    println!(
        "{year}年度共预审{}个项目的绩效目标表：{}个有问题，其中{}个有须退回修改的问题。",
        reviewed.len(),
        with_findings,
        blocked
    );
    for (code, count) in by_code {
        println!("  {code}: {count}");
    }
}

/// One worksheet of a reviewed workbook.
struct ReviewedSheet {
    sheet: UploadedSheet,
    findings: Vec<Finding>,
}

/// `jixiao review targets FILE.xlsx`: every target sheet of a workbook in Jixiao's layout,
/// reviewed under a rulebook file or the rulebook in force in the database. Exit code 2 when a
/// finding blocks submission.
async fn review_file(
    store: Option<&Store>,
    file: &Path,
    year: Option<i32>,
    jurisdiction: Option<String>,
    rulebook: Option<PathBuf>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let limit = jixiao_interop::intake::TARGET_SHEET.file_bytes;
    let bytes = crate::transfer::read_bounded(file, limit)?;
    let sheets = read_workbook(&bytes, limit).map_err(|e| anyhow!("{}：{e}", file.display()))?;
    let problems: Vec<CellProblem> = sheets
        .iter()
        .flat_map(|s| s.problems.iter().cloned().chain(points_problems(s)))
        .collect();
    if !problems.is_empty() {
        let lines: Vec<String> = problems
            .iter()
            .map(|p| format!("  - {}", p.message))
            .collect();
        return Err(anyhow!(
            "{}无法预审，请先改正：\n{}",
            file.display(),
            lines.join("\n")
        ));
    }
    // The year: as asked, else the one the sheets' headers give.
    let year = match year {
        Some(year) => year,
        None => {
            let years: Vec<i32> = sheets.iter().filter_map(|s| s.year).collect();
            match years.first() {
                Some(first) if years.iter().all(|y| y == first) => *first,
                _ => {
                    return Err(anyhow!(
                        "{}的表头没有一致的预算年度，请用 --year 指定",
                        file.display()
                    ));
                }
            }
        }
    };
    let (reviewer, rules_name) = match (&rulebook, store) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("无法读取规则文件 {}", path.display()))?;
            let rulebook =
                Rulebook::parse(&text).map_err(|e| anyhow!("{}：{e}", path.display()))?;
            (compile(&rulebook)?, rulebook.name)
        }
        (None, Some(store)) => {
            let code = crate::commands::pick_jurisdiction(store, jurisdiction).await?;
            let record = store
                .rulebook_in_force(&code, year)
                .await
                .map_err(|e| anyhow!("{}", e.user_message()))
                .with_context(|| format!("{code}{year}年度没有生效的规则"))?;
            let rulebook = record
                .rulebook()
                .map_err(|e| anyhow!("{}", e.user_message()))?;
            let name = format!(
                "{}（{code} {year}年度 第{}版）",
                record.name, record.version
            );
            (compile(&rulebook)?, name)
        }
        (None, None) => return Err(anyhow!("需要 --rulebook 规则文件或数据库")),
    };
    let reviewed: Vec<ReviewedSheet> = sheets
        .into_iter()
        .map(|sheet| {
            let findings = reviewer.review(&under_review(&sheet, year));
            ReviewedSheet { sheet, findings }
        })
        .collect();
    let blocks = reviewed.iter().any(|r| blocks_submission(&r.findings));
    if json {
        let findings: Vec<serde_json::Value> = reviewed
            .iter()
            .flat_map(|r| {
                r.findings.iter().map(|f| {
                    json!({
                        "sheet": r.sheet.sheet,
                        "code": f.code,
                        "severity": f.severity,
                        "row": f.row,
                        "excel_row": excel_row(&r.sheet, f),
                        "indicator": f.indicator,
                        "message": f.message,
                    })
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "file": file.display().to_string(),
                "year": year,
                "rulebook": rules_name,
                "findings": findings,
                "blocks_submission": blocks,
            }))?
        );
    } else {
        print_file_review(file, year, &rules_name, &reviewed, blocks);
    }
    Ok(if blocks {
        ExitCode::from(BLOCKED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Points that cannot be read, as the upload names them.
fn points_problems(sheet: &UploadedSheet) -> Vec<CellProblem> {
    sheet
        .rows
        .iter()
        .filter(|(_, r)| {
            let text = r.points.trim();
            !text.is_empty() && jixiao_core::target::parse_points(text).is_none()
        })
        .map(|(row, r)| {
            CellProblem::file(format!(
                "工作表“{}”G{row}单元格：分值“{}”应为最多两位小数的非负数",
                sheet.sheet,
                r.points.trim()
            ))
        })
        .collect()
}

/// A worksheet as the review reads it: every field as written.
fn under_review(sheet: &UploadedSheet, year: i32) -> SheetUnderReview {
    SheetUnderReview {
        year,
        overall_goal: sheet.overall_goal.clone(),
        annual_goal: sheet.annual_goal.clone(),
        indicators: sheet
            .rows
            .iter()
            .map(|(_, r)| IndicatorUnderReview {
                level1: r.level1.clone(),
                level2: r.level2.clone(),
                name: r.name.clone(),
                value: r.value.clone(),
                points_x100: jixiao_core::target::parse_points(r.points.trim()),
                op: Some(r.op.clone()),
                unit: Some(r.unit.clone()),
            })
            .collect(),
        ..SheetUnderReview::default()
    }
}

/// The row as Excel shows it of a finding on an indicator row.
fn excel_row(sheet: &UploadedSheet, finding: &Finding) -> Option<u32> {
    finding
        .row
        .and_then(|row| sheet.rows.get(row.checked_sub(1)?))
        .map(|(excel, _)| *excel)
}

fn print_file_review(
    file: &Path,
    year: i32,
    rules_name: &str,
    reviewed: &[ReviewedSheet],
    blocks: bool,
) {
    println!(
        "{}：按“{rules_name}”预审{year}年度绩效目标表",
        file.display()
    );
    let mut total = 0;
    for r in reviewed {
        println!(
            "工作表“{}”：{}行指标，{}条问题",
            r.sheet.sheet,
            r.sheet.rows.len(),
            r.findings.len()
        );
        for f in &r.findings {
            let place = match excel_row(&r.sheet, f) {
                Some(row) => format!("第{row}行"),
                None => "全表".to_owned(),
            };
            let indicator = if f.indicator.is_empty() {
                String::new()
            } else {
                format!("「{}」", f.indicator)
            };
            println!(
                "  {place}{indicator} [{}] {}：{}",
                code_of(f),
                f.severity.label(),
                f.message
            );
        }
        total += r.findings.len();
    }
    if total == 0 {
        println!("未发现问题。");
    } else if blocks {
        println!("共{total}条问题，其中有须退回修改的错误，不能提交。");
    } else {
        println!("共{total}条问题，均为提示，不妨碍提交。");
    }
}
