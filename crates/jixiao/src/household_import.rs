//! `jixiao import households FILE` and `jixiao export households`: the national system's person
//! export (.xlsx, or CSV in UTF-8 or GBK) read into the registry — printing what would change (new,
//! changed, moved, left, absent) and every problem by its cell, storing only without `--dry-run`
//! and when nothing is wrong — and the registry written back in the same layout.

use anyhow::anyhow;
use chrono::NaiveDate;
use jixiao_core::{Actor, Role};
use jixiao_interop::household_export;
use jixiao_store::{Error, Store};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The changes printed one by one (the counts always cover all).
const SHOWN: usize = 200;

/// The county assistance office acting from the command line.
fn office(jurisdiction: String) -> Actor {
    Actor {
        user_id: None,
        name: "system".to_owned(),
        role: Role::Assistance,
        jurisdiction: Some(jurisdiction),
        agency_id: None,
    }
}

/// Reads, plans and (unless `dry_run`) stores the file; exit code 1 when it has problems.
pub async fn import(
    store: &Store,
    jurisdiction: String,
    file: &Path,
    as_of: NaiveDate,
    dry_run: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let bytes =
        crate::transfer::read_bounded(file, jixiao_interop::intake::HOUSEHOLD_EXPORT.file_bytes)?;
    let read =
        household_export::read(&bytes, as_of).map_err(|e| anyhow!("{}：{e}", file.display()))?;
    let actor = office(jurisdiction);
    // Always plan first: the plan names every problem; storing refuses a file with any.
    let plan = store
        .import_households(&actor, &read.households, &read.errors, as_of, true)
        .await
        .map_err(|e| anyhow!("{}", e.user_message()))?;
    let outcome = if dry_run || !plan.errors.is_empty() {
        plan
    } else {
        match store
            .import_households(&actor, &read.households, &read.errors, as_of, false)
            .await
        {
            Ok(done) => done,
            Err(Error::InvalidImport(errors)) => jixiao_store::HouseholdImport { errors, ..plan },
            Err(e) => return Err(anyhow!("{}", e.user_message())),
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&outcome)?);
    } else {
        println!(
            "{}：表头在第{}行，{}户{}人",
            file.display(),
            read.header_row,
            outcome.counts.households,
            read.rows
        );
        if !read.missing_columns.is_empty() {
            println!(
                "缺少的列（按空值处理）：{}",
                read.missing_columns.join("、")
            );
        }
        if !read.kept_columns.is_empty() {
            println!("保留但不使用的列：{}", read.kept_columns.join("、"));
        }
        for change in outcome.changes.iter().take(SHOWN) {
            let row = change.row.map(|r| format!("第{r}行 ")).unwrap_or_default();
            println!(
                "{row}{}：户{} {} {} {}",
                change.kind.label(),
                change.household,
                change.village,
                change.person,
                change.detail
            );
        }
        if outcome.changes.len() > SHOWN {
            println!("……另有{}项变化（见 --json）", outcome.changes.len() - SHOWN);
        }
        for error in &outcome.errors {
            println!(
                "第{}行 {}（{}）：{}",
                error.row, error.cell, error.column, error.message
            );
        }
        let c = outcome.counts;
        println!(
            "新增{}户、变更{}户、未变{}户；新增{}人、变更{}人、迁入{}人、离户{}人；文件中没有的户{}户（未改动）",
            c.new_households,
            c.changed_households,
            c.unchanged_households,
            c.new_people,
            c.changed_people,
            c.moved_people,
            c.left_people,
            c.absent_households
        );
        println!(
            "{}",
            if outcome.stored {
                "已导入。".to_owned()
            } else if !outcome.errors.is_empty() {
                format!("有{}处问题，未导入任何数据。", outcome.errors.len())
            } else {
                "试运行：未保存。".to_owned()
            }
        );
    }
    Ok(if outcome.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Writes the registry (or one township or village) in the national layout to `output`.
pub async fn export(
    store: &Store,
    jurisdiction: String,
    area: Option<String>,
    as_of: NaiveDate,
    output: PathBuf,
) -> anyhow::Result<ExitCode> {
    let actor = office(jurisdiction.clone());
    let households = store
        .export_households(&actor, area.as_deref(), as_of)
        .await
        .map_err(|e| anyhow!("{}", e.user_message()))?;
    let people: usize = households.iter().map(|h| h.members.len()).sum();
    let bytes = household_export::write_xlsx(
        &households,
        "防返贫监测信息系统 人员信息表",
        &format!("导出单位：{jurisdiction}  数据日期：{as_of}"),
    )?;
    std::fs::write(&output, bytes)?;
    println!("{}：{}户{}人", output.display(), households.len(), people);
    Ok(ExitCode::SUCCESS)
}
