//! `jixiao review targets`: the automatic target review (智能预审) over every project of a year,
//! each working sheet under the rulebook in force for its jurisdiction and year. Reads only.

use crate::cli::ReviewCommand;
use anyhow::Context;
use jixiao_core::Actor;
use jixiao_core::target_review::{Finding, Reviewer, SheetUnderReview, blocks_submission};
use jixiao_store::{ProjectFilter, Store};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;

/// Runs a `review` subcommand.
pub async fn run(store: &Store, command: ReviewCommand) -> anyhow::Result<ExitCode> {
    let ReviewCommand::Targets {
        year,
        jurisdiction,
        json,
    } = command;
    let system = Actor::system();
    let filter = ProjectFilter {
        year: Some(year),
        ..ProjectFilter::default()
    };
    let mut reviewers: HashMap<String, Reviewer> = HashMap::new();
    let mut reviewed = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .projects_after(&system, &filter, after.clone(), 1000)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.user_message()))?;
        let Some(last) = page.last() else { break };
        after = Some((last.year, last.code.clone()));
        for project in page {
            if jurisdiction
                .as_deref()
                .is_some_and(|j| j != project.jurisdiction_code)
            {
                continue;
            }
            if !reviewers.contains_key(&project.jurisdiction_code) {
                let record = store
                    .rulebook_in_force(&project.jurisdiction_code, year)
                    .await
                    .map_err(|e| anyhow::anyhow!("{}", e.user_message()))
                    .with_context(|| {
                        format!("{}{year}年度没有生效的规则", project.jurisdiction_code)
                    })?;
                let rulebook = record
                    .rulebook()
                    .map_err(|e| anyhow::anyhow!("{}", e.user_message()))?;
                let reviewer = Reviewer::new(&rulebook)
                    .map_err(|e| anyhow::anyhow!("{e}"))
                    .context("规则中的智能预审词表无法使用")?;
                reviewers.insert(project.jurisdiction_code.clone(), reviewer);
            }
            let detail = store
                .project_detail(&system, project.id)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.user_message()))?;
            let sheet = SheetUnderReview::from_target_sheet(
                &detail.target,
                year,
                Some(project.requested_fen),
            );
            let findings = reviewers
                .get(&project.jurisdiction_code)
                .map(|r| r.review(&sheet))
                .unwrap_or_default();
            reviewed.push((project, findings));
        }
    }
    if json {
        let projects: Vec<serde_json::Value> = reviewed
            .iter()
            .map(|(p, findings)| {
                json!({
                    "project_id": p.id,
                    "code": p.code,
                    "name": p.name,
                    "jurisdiction": p.jurisdiction_code,
                    "blocks_submission": blocks_submission(findings),
                    "findings": findings,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&projects)?);
        return Ok(ExitCode::SUCCESS);
    }
    print_summary(year, &reviewed);
    Ok(ExitCode::SUCCESS)
}

fn print_summary(year: i32, reviewed: &[(jixiao_store::Project, Vec<Finding>)]) {
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    let mut with_findings = 0;
    let mut blocked = 0;
    for (project, findings) in reviewed {
        if findings.is_empty() {
            continue;
        }
        with_findings += 1;
        let blocks = blocks_submission(findings);
        if blocks {
            blocked += 1;
        }
        for finding in findings {
            let code = serde_json::to_value(finding.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            *by_code.entry(code).or_default() += 1;
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
