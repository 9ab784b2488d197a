//! `jixiao bench uploads`: starts the server (this binary, `serve --demo`, a scratch SQLite file)
//! as its own process, has several agency users upload the largest workbook the bulk target
//! upload accepts — all at once, round after round — while another client polls `/healthz`,
//! and reports the server's peak memory (VmHWM of its process) and the health check's latency.

use crate::bench_server::Server;
use anyhow::anyhow;
use jixiao_core::target::IndicatorInput;
use jixiao_interop::intake::TARGET_SHEET;
use jixiao_interop::target_sheet_xlsx::{TemplateLists, TemplateSheet, write_templates};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The largest workbook a bulk upload accepts: as many sheets as allowed, each with every
/// indicator row of the template filled with long texts.
fn largest_workbook() -> anyhow::Result<Vec<u8>> {
    let lists = TemplateLists {
        rulebook_name: "全国通用默认规则".to_owned(),
        level1: vec!["产出指标".to_owned(), "效益指标".to_owned()],
        level2: vec!["数量指标".to_owned(), "社会效益指标".to_owned()],
    };
    let sheets: Vec<TemplateSheet> = (0..TARGET_SHEET.sheets - 1)
        .map(|n| {
            let code = format!("999-2020-{n:06}");
            TemplateSheet {
                sheet_name: code.clone(),
                year: 2020,
                category_code: "specific".to_owned(),
                category_name: "专项业务类".to_owned(),
                project_code: code,
                overall_goal: "通过实施本项目，全面提升服务能力和群众满意度。".repeat(8),
                annual_goal: "年度内完成全部建设任务，资金执行率达到百分之九十以上。".repeat(8),
                rows: (0..jixiao_interop::target_sheet_xlsx::TEMPLATE_ROWS)
                    .map(|r| IndicatorInput {
                        level1: "产出指标".to_owned(),
                        level2: "数量指标".to_owned(),
                        name: format!("第{n}张表第{r}项指标：完成培训人次"),
                        op: "≥".to_owned(),
                        value: format!("{}", 100 + r),
                        unit: "人次".to_owned(),
                        points: "1.5".to_owned(),
                        value_basis: format!("依据项目实施方案第{r}条及上年度完成情况确定"),
                        explanation: format!(
                            "第{n}张表：指年度内实际完成的培训人次，按签到记录统计"
                        ),
                        data_source: "项目单位统计报表".to_owned(),
                    })
                    .collect(),
                ..TemplateSheet::default()
            }
        })
        .collect();
    write_templates(&lists, &sheets).map_err(|e| anyhow!("{e}"))
}

/// A signed-in browser session of `username`.
async fn sign_in(base: &str, username: &str) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let token = csrf_of(&page).ok_or_else(|| anyhow!("no form token on /login"))?;
    let response = client
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", username),
            ("password", jixiao_store::demo::DEMO_PASSWORD),
        ])
        .send()
        .await?;
    if !response.status().is_redirection() {
        return Err(anyhow!("login of {username}: {}", response.status()));
    }
    Ok(client)
}

fn csrf_of(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

async fn upload(base: &str, client: &reqwest::Client, file: Vec<u8>) -> anyhow::Result<u16> {
    let page = client
        .get(format!("{base}/projects"))
        .send()
        .await?
        .text()
        .await?;
    let token = csrf_of(&page).ok_or_else(|| anyhow!("no form token on /projects"))?;
    let form = reqwest::multipart::Form::new().text("_csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(file).file_name("目标表.xlsx"),
    );
    let response = client
        .post(format!("{base}/targets/upload"))
        .multipart(form)
        .send()
        .await?;
    let status = response.status().as_u16();
    let _ = response.bytes().await?;
    Ok(status)
}

/// Runs the benchmark: `users` uploading at once, `rounds` times.
pub async fn run(users: usize, rounds: usize) -> anyhow::Result<ExitCode> {
    let workbook = largest_workbook()?;
    let sheets =
        jixiao_interop::target_sheet_xlsx::read_workbook(&workbook, TARGET_SHEET.file_bytes)
            .map_err(|e| anyhow!("the benchmark workbook is refused: {e}"))?;
    println!(
        "workbook: {} sheets, {} indicator rows, {:.1} MB",
        sheets.len(),
        sheets.iter().map(|s| s.rows.len()).sum::<usize>(),
        workbook.len() as f64 / 1_048_576.0
    );
    let dir = tempfile::tempdir()?;
    let database = format!("sqlite://{}", dir.path().join("bench.db").display());
    let server = Server::start(&database, &["--demo"]).await?;
    let base = server.base.clone();
    let mut clients = Vec::new();
    for _ in 0..users {
        clients.push(sign_in(&base, "canlian").await?);
    }
    let idle_kb = server.memory_kib("VmHWM:")?;

    let done = Arc::new(AtomicBool::new(false));
    let poller = {
        let (done, base) = (done.clone(), base.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut times = Vec::new();
            let mut failures = 0usize;
            while !done.load(Ordering::Relaxed) {
                let sent = Instant::now();
                match client.get(format!("{base}/healthz")).send().await {
                    Ok(r) if r.status().is_success() => times.push(sent.elapsed()),
                    _ => failures += 1,
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            (times, failures)
        })
    };
    let uploads_started = Instant::now();
    let mut statuses: Vec<u16> = Vec::new();
    for _ in 0..rounds {
        let mut tasks = Vec::new();
        for client in &clients {
            let (client, base, file) = (client.clone(), base.clone(), workbook.clone());
            tasks.push(tokio::spawn(
                async move { upload(&base, &client, file).await },
            ));
        }
        for task in tasks {
            statuses.push(task.await??);
        }
    }
    let upload_time = uploads_started.elapsed();
    done.store(true, Ordering::Relaxed);
    let (times, failures) = poller.await?;
    let peak_kb = server.memory_kib("VmHWM:")?;
    drop(server);
    let answers = times.len();
    let health = crate::bench::figures(times);
    let refused_busy = statuses.iter().filter(|s| **s == 503).count();
    let parsed = statuses.iter().filter(|s| matches!(**s, 200 | 422)).count();
    println!(
        "uploads: {} ({users} users × {rounds} rounds) in {:.1} s; parsed and reported {parsed}, busy {refused_busy}, other {}",
        statuses.len(),
        upload_time.as_secs_f64(),
        statuses.len() - parsed - refused_busy
    );
    println!(
        "server peak RSS (VmHWM): {:.1} MB (after start and sign-in: {:.1} MB)",
        peak_kb as f64 / 1024.0,
        idle_kb as f64 / 1024.0
    );
    println!(
        "/healthz meanwhile: {} answers, {failures} failed; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        answers,
        health.median.as_secs_f64() * 1e3,
        health.p99.as_secs_f64() * 1e3,
        health.max.as_secs_f64() * 1e3
    );
    Ok(ExitCode::SUCCESS)
}
