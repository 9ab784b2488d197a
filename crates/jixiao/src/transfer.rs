//! `jixiao import payments` and `jixiao export allotments`: the files exchanged with the treasury
//! payment system.

use crate::cli::{ExportCommand, ImportCommand};
use anyhow::{Context, anyhow};
use jixiao_core::{Actor, Role, money};
use jixiao_interop::allotments_csv::{self, AllotmentLine};
use jixiao_interop::intake;
use jixiao_interop::treasury_csv::{self, LineKind, PaymentLine};
use jixiao_store::{Store, TreasuryRequest};
use std::path::Path;
use std::process::ExitCode;

/// The treasury section of the jurisdiction's finance bureau, as the command line acts for it.
pub(crate) fn treasury_actor(jurisdiction: String) -> Actor {
    Actor {
        user_id: None,
        name: "system".to_owned(),
        role: Role::Finance,
        jurisdiction: Some(jurisdiction),
        agency_id: None,
    }
}

/// Reads a file to import, refusing it (by the intake's message) when it holds more than
/// `limit` bytes — without reading further than that.
pub(crate) fn read_bounded(file: &Path, limit: u64) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let opened =
        std::fs::File::open(file).with_context(|| format!("无法打开 {}", file.display()))?;
    let mut bytes = Vec::new();
    opened
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("无法读取 {}", file.display()))?;
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limit {
        let size = std::fs::metadata(file).map_or(size, |m| m.len().max(size));
        return Err(anyhow!(
            "{}：{}",
            file.display(),
            intake::IntakeError::TooLarge { size, limit }
        ));
    }
    Ok(bytes)
}

/// Runs an import.
pub async fn import(store: &Store, command: ImportCommand) -> anyhow::Result<ExitCode> {
    let (file, dry_run, jurisdiction) = match command {
        ImportCommand::Households {
            file,
            dry_run,
            json,
            date,
        } => {
            let jurisdiction = crate::commands::pick_jurisdiction(store, date.jurisdiction).await?;
            let as_of = date.as_of.unwrap_or_else(jixiao_core::time::today);
            return crate::household_import::import(
                store,
                jurisdiction,
                &file,
                as_of,
                dry_run,
                json,
            )
            .await;
        }
        ImportCommand::Payments {
            file,
            dry_run,
            jurisdiction,
        } => (file, dry_run, jurisdiction),
        ImportCommand::SelfEvaluation {
            file,
            rulebook,
            dry_run,
            json,
            year,
            jurisdiction,
        } => {
            let jurisdiction = crate::commands::pick_jurisdiction(store, jurisdiction).await?;
            return crate::self_evaluation_import::run(
                store,
                treasury_actor(jurisdiction),
                crate::self_evaluation_import::Options {
                    file,
                    rulebook,
                    dry_run,
                    json,
                    year,
                },
            )
            .await;
        }
    };
    let jurisdiction = crate::commands::pick_jurisdiction(store, jurisdiction).await?;
    let actor = treasury_actor(jurisdiction);
    let bytes = read_bounded(&file, intake::TREASURY_CSV.file_bytes)?;
    let lines = treasury_csv::read(&bytes).map_err(|e| anyhow!("{}：{e}", file.display()))?;
    let readable: Vec<&PaymentLine> = lines.iter().filter_map(|l| l.as_ref().ok()).collect();
    let requests: Vec<TreasuryRequest> = readable.iter().map(|l| l.to_request()).collect();
    let mut outcomes = Vec::with_capacity(requests.len());
    let progress = crate::progress::Progress::new(requests.len() as u64, "处理支付数据");
    for chunk in requests.chunks(1000) {
        let results = if dry_run {
            store.treasury_dry_run(&actor, chunk).await
        } else {
            store.treasury_batch(&actor, chunk).await
        }
        .map_err(|e| anyhow!("{e}"))?;
        outcomes.extend(results);
        progress.advance(chunk.len() as u64);
    }
    progress.finish();
    let (mut paid, mut replayed, mut failed) = (0, 0, 0);
    let mut outcomes = outcomes.into_iter();
    for line in &lines {
        match line {
            Err(error) => {
                failed += 1;
                println!("{error}：未处理");
            }
            Ok(line) => match outcomes.next() {
                Some(Ok(outcome)) if outcome.replayed => {
                    replayed += 1;
                    println!(
                        "第{}行 {}：重复请求，此前已处理，未重复入账",
                        line.line, line.request_id
                    );
                }
                Some(Ok(outcome)) => {
                    paid += 1;
                    let verb = if line.kind == LineKind::Refund {
                        "已退款"
                    } else {
                        "已支付"
                    };
                    println!(
                        "第{}行 {}：{verb}{}元，指标{}可用余额{}元",
                        line.line,
                        line.request_id,
                        money::format_yuan(outcome.receipt.amount_fen),
                        outcome.receipt.allotment_code,
                        money::format_yuan(outcome.receipt.available_fen)
                    );
                }
                Some(Err(error)) => {
                    failed += 1;
                    println!(
                        "第{}行 {}：失败，{}",
                        line.line,
                        line.request_id,
                        error.user_message()
                    );
                }
                None => {}
            },
        }
    }
    let mode = if dry_run {
        "（试运行，未作任何改动）"
    } else {
        ""
    };
    println!(
        "共{}行：成功{paid}行，重复{replayed}行，失败{failed}行{mode}",
        lines.len()
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs an export.
pub async fn export(store: &Store, command: ExportCommand) -> anyhow::Result<ExitCode> {
    let (year, jurisdiction, output) = match command {
        ExportCommand::Allotments {
            year,
            jurisdiction,
            output,
        } => (year, jurisdiction, output),
        ExportCommand::FiscalDataPackage {
            year,
            jurisdiction,
            dir,
        } => return crate::open_data::export(store, year, jurisdiction, &dir).await,
        ExportCommand::Households { area, date, output } => {
            let jurisdiction = crate::commands::pick_jurisdiction(store, date.jurisdiction).await?;
            let as_of = date.as_of.unwrap_or_else(jixiao_core::time::today);
            return crate::household_import::export(store, jurisdiction, area, as_of, output).await;
        }
    };
    let jurisdiction = crate::commands::pick_jurisdiction(store, jurisdiction).await?;
    let actor = treasury_actor(jurisdiction);
    let rows = store
        .allotments_for_export(&actor, year)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let lines: Vec<AllotmentLine> = rows
        .into_iter()
        .map(|r| AllotmentLine {
            code: r.code,
            document_number: r.document_number,
            year: r.year,
            project_code: r.project_code,
            project_name: r.project_name,
            agency_code: r.agency_code,
            agency_name: r.agency_name,
            funding_source: r.funding_source,
            function_code: r.function_code,
            economic_code: r.economic_code,
            limit_fen: r.limit_fen,
            frozen_fen: r.frozen_fen,
            used_fen: r.used_fen,
            suspended: r.suspended,
        })
        .collect();
    match output {
        Some(path) => {
            let file = std::fs::File::create(&path)
                .with_context(|| format!("无法写入 {}", path.display()))?;
            allotments_csv::write(file, &lines)?;
            eprintln!("已导出{}条预算指标到 {}", lines.len(), path.display());
        }
        None => allotments_csv::write(std::io::stdout().lock(), &lines)?,
    }
    Ok(ExitCode::SUCCESS)
}
