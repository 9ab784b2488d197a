//! `jixiao import self-evaluation FILE.xlsx`: reads a published 项目支出绩效自评表, recomputes it by
//! the rulebook its printed points fit (the one asked for or the project's, else a shipped
//! variant), prints the rules used and the table's scores beside ours with every finding, and
//! (unless `--dry-run`) stores it against the matching approved project.

use anyhow::anyhow;
use jixiao_core::Actor;
use jixiao_core::rulebook::Rulebook;
use jixiao_core::scoring::Finding;
use jixiao_interop::self_evaluation_xlsx::{Comparison, Variant, import, read_table};
use jixiao_store::{Error, ImportedSheet, Store};
use std::path::PathBuf;
use std::process::ExitCode;

/// What the command was asked.
pub struct Options {
    /// The file.
    pub file: PathBuf,
    /// A shipped rulebook to score by.
    pub rulebook: Option<String>,
    /// Store nothing.
    pub dry_run: bool,
    /// Print JSON.
    pub json: bool,
    /// The project's year.
    pub year: Option<i32>,
}

/// Runs the import as `actor`.
pub async fn run(store: &Store, actor: Actor, options: Options) -> anyhow::Result<ExitCode> {
    let bytes = crate::transfer::read_bounded(
        &options.file,
        jixiao_interop::intake::SELF_EVALUATION.file_bytes,
    )?;
    let chosen = match &options.rulebook {
        Some(name) => Some(
            Rulebook::shipped(name)
                .ok_or_else(|| {
                    anyhow!("没有名为“{name}”的规则（可用：national-default、execution-20）")
                })?
                .map_err(|e| anyhow!("{e}"))?,
        ),
        None => None,
    };
    let national = Rulebook::national_default().map_err(|e| anyhow!("{e}"))?;
    // A first reading (by the chosen or national rules) finds the project and its rulebook.
    let first_rules = chosen.as_ref().unwrap_or(&national);
    let table = read_table(&bytes, &first_rules.self_evaluation)
        .map_err(|e| anyhow!("{}：{e}", options.file.display()))?;
    let project = match store
        .project_for_table(
            &actor,
            &table.project,
            options.year.or(table.year),
            &table.implementing_unit,
            &table.department,
        )
        .await
    {
        Ok(project) => Some(project),
        Err(Error::NotFound(message)) if options.dry_run => {
            eprintln!("提示：{message}（试运行仍按规则重算）");
            None
        }
        Err(error) => return Err(anyhow!("{}", error.user_message())),
    };
    let rulebook = match (chosen, &project) {
        (Some(rulebook), _) => rulebook,
        (None, Some(project)) => store
            .scoring_rulebook(project)
            .await
            .map_err(|e| anyhow!("{}", e.user_message()))?,
        (None, None) => national,
    };
    let imported = import(&bytes, &Variant::of(&rulebook), &Variant::shipped())
        .map_err(|e| anyhow!("{}：{e}", options.file.display()))?;
    let (table, report) = (imported.table, imported.report);
    let stored = match (&project, options.dry_run) {
        (Some(project), false) => {
            let sheet = ImportedSheet {
                budget: table.budget,
                items: table.items.iter().map(|i| i.input.clone()).collect(),
                published: table.items.iter().map(|i| i.published_x100).collect(),
                published_total_x100: table.total_published_x100,
                scored: report.scored.clone(),
                findings: report.findings.clone(),
                file_name: options
                    .file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            };
            store
                .store_imported_self_evaluation(&actor, project.id, &sheet)
                .await
                .map_err(|e| anyhow!("{}", e.user_message()))?;
            Some(project.code.clone())
        }
        _ => None,
    };
    if options.json {
        let mut value = serde_json::to_value(&report)?;
        value["project_code"] = serde_json::json!(project.as_ref().map(|p| p.code.clone()));
        value["stored"] = serde_json::json!(stored.is_some());
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print_report(&report);
        match (&stored, options.dry_run) {
            (Some(code), _) => println!("已保存为项目{code}的单位自评（待审核）。"),
            (None, true) => println!("（试运行，未作任何改动）"),
            (None, false) => {}
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &Comparison) {
    println!(
        "项目：{}（{}，主管部门：{}）",
        report.project, report.implementing_unit, report.department
    );
    println!("评分规则：{}", report.rulebook_title);
    println!("行号\t指标\t分值\t表内得分\t重算得分");
    for item in &report.items {
        let row = if item.row == 0 {
            "-".to_owned()
        } else {
            item.row.to_string()
        };
        println!(
            "{row}\t{}\t{}\t{}\t{}{}",
            item.name,
            item.points,
            item.published.as_deref().unwrap_or("—"),
            item.computed,
            if item.agrees { "" } else { "\t✗" }
        );
    }
    println!(
        "总分：表内{}，重算{}，等级{}",
        report.total_published.as_deref().unwrap_or("—"),
        report.total_computed,
        report.grade
    );
    print_findings(&report.findings);
}

fn print_findings(findings: &[Finding]) {
    if findings.is_empty() {
        println!("核对结果：未发现问题");
    } else {
        println!("核对发现{}项：", findings.len());
        for finding in findings {
            println!("  {}", finding.message);
        }
    }
}
