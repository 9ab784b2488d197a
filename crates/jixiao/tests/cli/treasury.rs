//! Files exchanged with the treasury, durability across a killed server, and the payments
//! benchmarks (through the store, and over HTTP).

use crate::*;
use jixiao_store::test_support::TestDatabase;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::Command;
use std::time::Duration;

#[tokio::test]
async fn the_treasury_csv_pays_good_rows_and_reports_bad_ones() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    succeeds(url, &["demo"])?;
    let exported = succeeds(url, &["export", "allotments", "--year", "2019"])?;
    let mut rows = exported.lines();
    assert!(
        rows.next()
            .is_some_and(|h| h.starts_with("code,document_number,year"))
    );
    let all: Vec<&str> = rows.collect();
    assert_eq!(all.len(), 705, "one line per 2019 allotment");
    let posts = all
        .iter()
        .find(|l| l.contains(",2019年扶贫专岗,"))
        .ok_or("扶贫专岗 exported")?;
    let fields: Vec<&str> = posts.split(',').collect();
    let (code, available) = (fields[0], fields[13]);
    let file = std::env::temp_dir().join(format!("jixiao-payments-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        format!(
            "request_id,date,code,amount_yuan,payee,purpose,type\n\
             GK-CSV-1,2019-12-30,{code},1000.00,乐陵经济技术开发区,岗位补贴,payment\n\
             GK-CSV-2,2019-12-30,{code},99999999.00,乐陵经济技术开发区,岗位补贴,payment\n\
             GK-CSV-3,2019-13-01,{code},1.00,x,y,payment\n\
             GK-CSV-1,2019-12-30,{code},1000.00,乐陵经济技术开发区,岗位补贴,payment\n\
             GK-CSV-4,2019-12-31,{code},200.00,乐陵经济技术开发区,多付退回,refund\n"
        ),
    )?;
    let path = file.to_str().ok_or("path")?;
    let dry = jixiao(url, &["import", "payments", path, "--dry-run"])?;
    let report = stdout(&dry);
    assert!(
        report.contains("第2行 GK-CSV-1：已支付1,000.00元"),
        "{report}"
    );
    assert!(
        report.contains("第3行 GK-CSV-2：失败，可用指标不足"),
        "{report}"
    );
    assert!(report.contains("第4行：日期“2019-13-01”无效"), "{report}");
    assert!(report.contains("第5行 GK-CSV-1：重复请求"), "{report}");
    assert!(report.contains("试运行，未作任何改动"));
    let unchanged = succeeds(url, &["export", "allotments", "--year", "2019"])?;
    assert_eq!(unchanged, exported, "a dry run changes nothing");

    let real = jixiao(url, &["import", "payments", path])?;
    assert_eq!(real.status.code(), Some(1), "some rows failed");
    let report = stdout(&real);
    assert!(
        report.contains("共5行：成功2行，重复1行，失败2行"),
        "{report}"
    );
    let after = succeeds(url, &["export", "allotments", "--year", "2019"])?;
    let line = after
        .lines()
        .find(|l| l.starts_with(&format!("{code},")))
        .ok_or("line")?;
    let available_after = line.split(',').nth(13).ok_or("available")?;
    let before_fen = jixiao_core::money::parse_yuan(available)?;
    let after_fen = jixiao_core::money::parse_yuan(available_after)?;
    assert_eq!(before_fen - after_fen, 80_000, "1,000 paid, 200 refunded");
    let again = jixiao(url, &["import", "payments", path])?;
    assert!(
        stdout(&again).contains("成功0行，重复3行"),
        "re-importing the file pays nothing twice"
    );
    std::fs::remove_file(&file)?;
    Ok(())
}

#[tokio::test]
async fn acknowledged_payments_survive_killing_the_server() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.clone();
    succeeds(&url, &["demo"])?;
    let server = serve(&url, &[])?;
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{}/api/v1/session", server.base))
        .json(&json!({"username": "finance", "password": "jixiao-demo"}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["token"].as_str().ok_or("token")?.to_owned();
    let found: Value = client
        .get(format!(
            "{}/api/v1/projects?year=2019&q=2019年扶贫专岗",
            server.base
        ))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let project = found["projects"]
        .as_array()
        .ok_or("list")?
        .iter()
        .find(|p| p["name"] == "2019年扶贫专岗")
        .ok_or("project")?
        .clone();
    let id = project["id"].as_i64().ok_or("id")?;
    let before: Value = client
        .get(format!("{}/api/v1/projects/{id}/allotment", server.base))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;

    // A stream of payments from several clients; keep what was acknowledged.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut clients = Vec::new();
    for worker in 0..6 {
        let (base, token, acknowledged) =
            (server.base.clone(), token.clone(), acknowledged.clone());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for n in 0.. {
                let request_id = format!("CRASH-{worker}-{n}");
                let sent = client
                    .post(format!("{base}/api/v1/payments"))
                    .bearer_auth(&token)
                    .json(&json!({"request_id": request_id, "project_id": id, "amount_fen": 1, "payee": "测试", "purpose": "崩溃测试"}))
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == StatusCode::CREATED => {
                        if let Ok(mut list) = acknowledged.lock() {
                            list.push(request_id);
                        }
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(server); // SIGKILL, mid-stream
    for task in clients {
        task.await?;
    }
    let acknowledged = acknowledged.lock().map_err(|_| "lock")?.clone();
    assert!(
        acknowledged.len() > 10,
        "the stream ran: {}",
        acknowledged.len()
    );

    // After a restart every acknowledged payment is there (a replay answers 200) and the
    // balances equal the ledger.
    let restarted = serve(&url, &[])?;
    for request_id in &acknowledged {
        let worker_and_n = request_id.clone();
        let response = client
            .post(format!("{}/api/v1/payments", restarted.base))
            .bearer_auth(&token)
            .json(&json!({"request_id": worker_and_n, "project_id": id, "amount_fen": 1, "payee": "测试", "purpose": "崩溃测试"}))
            .send()
            .await?;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{request_id} was acknowledged, so it must replay"
        );
    }
    let after: Value = client
        .get(format!("{}/api/v1/projects/{id}/allotment", restarted.base))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let paid = after["used_fen"].as_i64().unwrap_or(0) - before["used_fen"].as_i64().unwrap_or(0);
    assert!(
        paid >= i64::try_from(acknowledged.len())?,
        "every acknowledged fen is in used"
    );
    drop(restarted);
    let verified = succeeds(&url, &["ledger", "verify"])?;
    assert!(verified.contains("核对一致"), "{verified}");
    Ok(())
}

#[test]
fn the_payments_benchmark_checks_the_invariant() -> TestResult {
    let output = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args([
            "bench",
            "payments",
            "--payments",
            "300",
            "--naive-payments",
            "60",
            "--allotments",
            "20",
            "--clients",
            "4",
        ])
        .env_remove("JIXIAO_DATABASE")
        .output()?;
    let text = stdout(&output);
    assert!(output.status.success(), "{text}{}", stderr(&output));
    assert!(text.contains("naive: one transaction per payment") && text.contains("group commit"));
    assert!(
        text.contains(": yes; reconciliation: 20 allotments, 0 discrepancies"),
        "{text}"
    );
    Ok(())
}

/// `bench http-payments` with `extra` arguments: its output, after checking that it succeeded,
/// paid every payment over HTTP without a 5xx, and that the invariant held.
fn http_payments_bench(extra: &[&str]) -> Result<String, Box<dyn std::error::Error>> {
    let output = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args([
            "bench",
            "http-payments",
            "--payments",
            "200",
            "--allotments",
            "20",
            "--clients",
            "4",
        ])
        .args(extra)
        .env_remove("JIXIAO_DATABASE")
        .output()?;
    let text = stdout(&output);
    assert!(output.status.success(), "{text}{}", stderr(&output));
    assert!(
        text.contains("payments: 200 paid of 200 in ") && text.contains(" payments/s, "),
        "{text}"
    );
    assert!(
        text.contains("payments: 201 paid 200, 200 replayed 0, 4xx 0, 5xx 0, no answer 0"),
        "{text}"
    );
    assert!(text.contains("server memory: peak (VmHWM) "), "{text}");
    assert!(
        text.contains(": yes; reconciliation: 20 allotments, 0 discrepancies"),
        "{text}"
    );
    Ok(text)
}

#[test]
fn the_http_payments_benchmark_pays_each_over_the_api() -> TestResult {
    let text = http_payments_bench(&[])?;
    assert!(text.contains("statuses: requests 201 ×200;"), "{text}");
    Ok(())
}

#[test]
fn the_http_payments_benchmark_pays_in_batches() -> TestResult {
    let text = http_payments_bench(&["--batch", "10"])?;
    assert!(text.contains("statuses: requests 200 ×20;"), "{text}");
    Ok(())
}
