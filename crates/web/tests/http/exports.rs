//! Excel downloads over HTTP: the project library with the page's filters and the user's rights,
//! money as numbers that add up to the seed's figure, and the evaluation lists.

use crate::support::TestApp;
use crate::support::TestResult;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::StatusCode;
use std::io::Cursor;

pub(crate) async fn sheet(
    browser: &crate::support::Browser,
    path: &str,
) -> Result<calamine::Range<Data>, Box<dyn std::error::Error>> {
    let response = browser
        .client
        .get(format!("{}{}", browser.base, path))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let bytes = response.bytes().await?.to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))?;
    let name = book.sheet_names().first().cloned().ok_or("sheet")?;
    Ok(book.worksheet_range(&name)?)
}

#[tokio::test]
async fn lists_download_as_excel_with_filters_and_rights() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.signed_in("finance").await?;
    let projects = sheet(&finance, "/projects/export.xlsx?year=2019").await?;
    assert_eq!(
        projects.get_value((0, 0)),
        Some(&Data::String("乐陵市2019年度项目库（全部单位）".to_owned()))
    );
    // 705 projects and the total row (合计) of the amounts.
    assert_eq!(projects.height(), 2 + 705 + 1);
    assert_eq!(
        projects.get_value((2 + 705, 0)),
        Some(&Data::String("合计".to_owned()))
    );
    match projects.get_value((2 + 705, 6)) {
        Some(Data::Float(total)) => assert!((total - 273_180.48).abs() < 0.001, "{total}"),
        other => return Err(format!("total approved: {other:?}").into()),
    }
    let approved: f64 = (2..projects.height() - 1)
        .filter_map(|r| match projects.get_value((u32::try_from(r).ok()?, 6)) {
            Some(Data::Float(v)) => Some(*v),
            _ => None,
        })
        .sum();
    assert!((approved - 273_180.48).abs() < 0.001, "{approved}");

    // An agency gets its own projects only.
    let agency = app.signed_in("canlian").await?;
    let own = sheet(&agency, "/projects/export.xlsx?year=2019").await?;
    assert!(own.height() > 2 && own.height() < 2 + 705);
    for r in 2..own.height() - 1 {
        assert_eq!(
            own.get_value((u32::try_from(r)?, 2)),
            Some(&Data::String("乐陵市残疾人联合会".to_owned()))
        );
    }

    let graded = sheet(&finance, "/evaluation/export.xlsx?year=2019&grade=差").await?;
    assert_eq!(graded.height(), 2 + 15 + 1);
    let results = sheet(&finance, "/evaluation/results.xlsx?year=2019").await?;
    let total_cut = results.get_value((u32::try_from(results.height() - 1)?, 9));
    assert_eq!(total_cut, Some(&Data::Float(1_000.0)), "合计 of the cuts");
    let cut: f64 = (2..results.height() - 1)
        .filter_map(|r| match results.get_value((u32::try_from(r).ok()?, 9)) {
            Some(Data::Float(v)) => Some(*v),
            _ => None,
        })
        .sum();
    assert!((cut - 1_000.0).abs() < 0.001, "{cut}");
    let items = sheet(&finance, "/rectifications/export.xlsx").await?;
    assert!(items.height() > 2);
    let keys = sheet(&finance, "/evaluations/export.xlsx").await?;
    assert_eq!(keys.height(), 2 + 3 + 1);
    let payments = sheet(&finance, "/payments/export.xlsx?year=2020").await?;
    assert!(payments.height() > 2);
    assert!(
        matches!(payments.get_value((2, 8)), Some(Data::Float(_))),
        "amounts are numbers"
    );
    // A year of payments (several batches read by key): every one, netting to the API's figure.
    let token = app.token("finance").await?;
    let (_, list) = crate::support::call(
        &app,
        &token,
        reqwest::Method::GET,
        "/api/v1/payments?year=2019",
        None,
    )
    .await?;
    let all = sheet(&finance, "/payments/export.xlsx?year=2019").await?;
    let total = list["total"].as_u64().ok_or("total")?;
    assert!(total > 1000);
    assert_eq!(u64::try_from(all.height())?, 2 + total + 1);
    let net: f64 = (2..all.height() - 1)
        .filter_map(|r| match all.get_value((u32::try_from(r).ok()?, 8)) {
            Some(Data::Float(v)) => Some(*v),
            _ => None,
        })
        .sum();
    let net_fen = list["net_fen"].as_f64().ok_or("net")?;
    assert!(
        (net * 100.0 - net_fen).abs() < 1.0,
        "{net} 元 vs {net_fen} fen"
    );
    // The total row (合计) nets refunds against payments, added in whole fen.
    assert_eq!(
        all.get_value((u32::try_from(all.height() - 1)?, 8)),
        Some(&Data::Float(net_fen / 100.0))
    );

    // The demo's monitoring round, with its alerts.
    let (_, rounds) = finance.get("/monitoring").await?;
    let at = rounds.find("/monitoring/").ok_or("round link")? + "/monitoring/".len();
    let round: String = rounds[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let monitoring = sheet(&finance, &format!("/monitoring/{round}/export.xlsx")).await?;
    assert_eq!(
        monitoring.height(),
        2 + 10 + 1,
        "ten reports and their total"
    );
    let red = (2..monitoring.height())
        .filter(|r| {
            monitoring.get_value((u32::try_from(*r).unwrap_or(0), 7))
                == Some(&Data::String("红色预警".to_owned()))
        })
        .count();
    assert_eq!(red, 3);

    // The audit log for administrators only.
    let admin = app.signed_in("admin").await?;
    let audit = sheet(&admin, "/admin/audit/export.xlsx?entity=self_evaluation").await?;
    assert!(audit.height() > 2);
    // The whole log (several batches read by key): every record once, newest first.
    let admin_token = app.token("admin").await?;
    let (_, log) = crate::support::call(
        &app,
        &admin_token,
        reqwest::Method::GET,
        "/api/v1/audit",
        None,
    )
    .await?;
    let whole = sheet(&admin, "/admin/audit/export.xlsx").await?;
    let total = log["total"].as_u64().ok_or("total")?;
    assert!(total > 1000, "{total}");
    // Signing in as admin adds records after the API read; the file has at least those.
    assert!(u64::try_from(whole.height())? >= 2 + total);
    let seqs: Vec<f64> = (2..whole.height())
        .filter_map(|r| match whole.get_value((u32::try_from(r).ok()?, 0)) {
            Some(Data::Float(v)) => Some(*v),
            _ => None,
        })
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] - w[1] == 1.0),
        "every seq once, newest first"
    );
    let (status, _) = finance.get("/admin/audit/export.xlsx").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Signed out: to the login page.
    let anonymous = app.browser()?;
    let (status, _) = anonymous.get("/projects/export.xlsx").await?;
    assert_eq!(status, StatusCode::SEE_OTHER);
    Ok(())
}

#[tokio::test]
async fn allotments_download_with_amounts_in_yuan() -> TestResult {
    let app = TestApp::start_full().await?;
    let finance = app.signed_in("finance").await?;
    let (_, page) = finance.get("/payments?year=2019").await?;
    assert!(page.contains("/allotments/export.xlsx?year=2019"));
    let allotments = sheet(&finance, "/allotments/export.xlsx?year=2019").await?;
    assert_eq!(allotments.height(), 2 + 705 + 1);
    let column = |n: u32| -> f64 {
        (2..allotments.height() - 1)
            .filter_map(
                |r| match allotments.get_value((u32::try_from(r).ok()?, n)) {
                    Some(Data::Float(v)) => Some(*v),
                    _ => None,
                },
            )
            .sum()
    };
    assert!((column(9) - 2_731_804_800.0).abs() < 0.01, "limits in 元");
    let available = column(12);
    assert!((column(9) - column(10) - column(11) - available).abs() < 0.01);
    // An agency gets its own allotments only.
    let agency = app.signed_in("canlian").await?;
    let own = sheet(&agency, "/allotments/export.xlsx?year=2019").await?;
    assert!(own.height() > 2 && own.height() < 2 + 705);
    Ok(())
}
