//! `jixiao`: the one binary — serve the system, migrate, back up, verify the audit log, and
//! manage jurisdictions, agencies and users from the command line.

mod audit_checkpoints;
mod bench;
mod bench_http_payments;
mod bench_payments;
mod bench_province;
mod bench_registry;
mod bench_server;
mod bench_target_review;
mod bench_uploads;
mod bench_visits;
mod cli;
mod commands;
mod household_import;
mod open_data;
mod progress;
mod self_evaluation_import;
mod target_review;
mod transfer;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("错误：无法启动运行时：{error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("错误：{error:#}");
            ExitCode::FAILURE
        }
    }
}
