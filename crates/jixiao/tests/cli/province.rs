//! The province from the command line (issue 21): `demo --province` generates Shandong's other
//! counties once around the Leling demo, with accounts for the province, a city and a county;
//! `bench province` seeds a scratch province and times each level's queries.

use crate::{TestResult, fails, stderr, stdout, succeeds};
use jixiao_store::test_support::TestDatabase;
use std::process::Command;

#[tokio::test]
async fn the_province_demo_is_generated_once_around_leling() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = &db.url;
    let refused = fails(url, &["demo", "--province", "--province-scale", "0"])?;
    assert!(refused.contains("规模系数"), "{refused}");
    let out = succeeds(url, &["demo", "--province", "--province-scale", "0.001"])?;
    assert!(
        out.contains("已生成全省演示数据：136 个县（市、区）"),
        "{out}"
    );
    assert!(out.contains("sheng") && out.contains("dezhou") && out.contains("yucheng"));
    let again = succeeds(url, &["demo", "--province"])?;
    assert!(again.contains("全省演示数据此前已生成"), "{again}");
    // Leling's own demo was left as it was; every ledger, generated or not, reconciles.
    let store = &db.store;
    let leling = store
        .projects(
            &jixiao_core::Actor::system(),
            &jixiao_store::ProjectFilter {
                jurisdiction: Some("371481".into()),
                year: Some(2020),
                search: Some("-T0".into()),
                ..jixiao_store::ProjectFilter::default()
            },
            1,
            50,
        )
        .await?;
    assert_eq!(leling.total, 0, "no generated project in 乐陵市");
    let yucheng = store
        .projects(
            &jixiao_core::Actor::system(),
            &jixiao_store::ProjectFilter {
                jurisdiction: Some("371482".into()),
                year: Some(2020),
                ..jixiao_store::ProjectFilter::default()
            },
            1,
            50,
        )
        .await?;
    assert!(yucheng.total > 0, "禹城市 has its generated projects");
    let verified = succeeds(url, &["ledger", "verify"])?;
    assert!(!verified.is_empty());

    // The rollups the loader built equal the sums of their rows; one altered by hand is named
    // (exit 2) until an operator rebuilds them.
    let checked = succeeds(url, &["rollups", "verify"])?;
    assert!(checked.contains("汇总数据核对一致"), "{checked}");
    crate::tamper(
        url,
        "UPDATE rollup_allotments SET used_fen = used_fen + 1 \
         WHERE jurisdiction_code = '371482' AND year = 2020",
    )
    .await?;
    let output = crate::jixiao(url, &["rollups", "verify"])?;
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let named = stderr(&output);
    assert!(
        named.contains("rollup_allotments 中区划 371482 的 2020 年度"),
        "{named}"
    );
    let rebuilt = succeeds(url, &["rollups", "rebuild"])?;
    assert!(rebuilt.contains("汇总数据已全部重算"), "{rebuilt}");
    let checked = succeeds(url, &["rollups", "verify"])?;
    assert!(checked.contains("汇总数据核对一致"), "{checked}");
    Ok(())
}

#[test]
fn the_province_benchmark_runs_on_a_scratch_database() -> TestResult {
    let output = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args([
            "bench",
            "province",
            "--scale",
            "0.001",
            "--payments-per-allotment",
            "2",
            "--runs",
            "1",
        ])
        .env_remove("JIXIAO_DATABASE")
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("seeded 136 counties"), "{text}");
    for line in [
        "county 乐陵市: list, page 1",
        "city 德州市: dashboard",
        "province 山东省: year figures",
        "rollups refreshed with nothing changed",
        "rollups checked against their rows (rollups verify)",
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }
    assert!(text.contains("0 discrepancies"), "{text}");
    Ok(())
}
