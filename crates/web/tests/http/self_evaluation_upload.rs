//! Uploading a filled self-evaluation table (.xlsx) from the project's page: recomputed, compared
//! and stored once as the agency's submitted self-evaluation; another project's table, a broken
//! file or a second upload over a submitted sheet store nothing.

use crate::support::{TestApp, TestResult, call, project_named};
use jixiao_core::scoring::{BudgetBlock, ItemInput};
use jixiao_interop::self_evaluation_xlsx::{
    MoneyUnit, SelfEvaluationTable, TableItem, write_table,
};
use reqwest::{Method, StatusCode};

fn item(
    level1: &str,
    level2: &str,
    name: &str,
    target: &str,
    points: &str,
    actual: &str,
    published: i64,
) -> TableItem {
    TableItem {
        sheet_row: 0,
        input: ItemInput {
            level1: level1.to_owned(),
            level2: level2.to_owned(),
            name: name.to_owned(),
            op: "≥".to_owned(),
            target: target.to_owned(),
            unit: "人".to_owned(),
            points: points.to_owned(),
            actual: actual.to_owned(),
            ..ItemInput::default()
        },
        published_x100: Some(published),
    }
}

fn table(project: &str) -> SelfEvaluationTable {
    SelfEvaluationTable {
        sheet: "Sheet1".to_owned(),
        project: project.to_owned(),
        department: "乐陵市卫生健康局".to_owned(),
        implementing_unit: "乐陵市卫生健康局".to_owned(),
        year: Some(2020),
        unit: MoneyUnit::Yuan,
        budget: BudgetBlock {
            initial_fen: 300_000_000,
            full_year_fen: 300_000_000,
            executed_fen: 270_000_000,
        },
        execution_points_x100: Some(1000),
        execution_published_x100: Some(900),
        goal_expected: "孕产妇和儿童健康管理全覆盖".to_owned(),
        goal_actual: "基本完成".to_owned(),
        items: vec![
            item(
                "产出指标",
                "数量指标",
                "关爱服务留守儿童人数",
                "300",
                "50",
                "300",
                5000,
            ),
            item(
                "效益指标",
                "社会效益指标",
                "受益人数",
                "200",
                "20",
                "100",
                1500,
            ),
            item(
                "满意度指标",
                "服务对象满意度指标",
                "满意人数",
                "90",
                "20",
                "90",
                2000,
            ),
        ],
        total_published_x100: Some(9400),
    }
}

async fn upload(
    browser: &crate::support::Browser,
    id: i64,
    bytes: Vec<u8>,
) -> Result<(StatusCode, String), Box<dyn std::error::Error>> {
    let page = format!("/projects/{id}/self-evaluation");
    let action = format!("{page}/upload");
    let (status, _, html) = browser
        .upload(&page, &action, bytes, "自评表.xlsx", true)
        .await?;
    Ok((status, html))
}

#[tokio::test]
async fn an_agency_uploads_its_filled_self_evaluation_table() -> TestResult {
    let app = TestApp::start_full().await?;
    let token = app.token("agency").await?;
    let id = project_named(&app, &token, 2020, "2020年妇幼健康服务").await?;
    let path = format!("/api/v1/projects/{id}/self-evaluation");
    let (_, before) = call(&app, &token, Method::GET, &path, None).await?;
    let agency = app.signed_in("agency").await?;
    let (_, page) = agency
        .get(&format!("/projects/{id}/self-evaluation"))
        .await?;
    assert!(page.contains("从Excel自评表导入"));

    // Refused, nothing stored: not a workbook; another project's table.
    let (status, html) = upload(&agency, id, b"not a workbook".to_vec()).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不是有效的 .xlsx"), "{html}");
    let other = write_table(&table("2020年艾滋病防治"))?;
    let (status, html) = upload(&agency, id, other).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("与本项目“2020年妇幼健康服务”不符"), "{html}");
    let (_, unchanged) = call(&app, &token, Method::GET, &path, None).await?;
    assert_eq!(unchanged, before);

    // Its own table: recomputed, compared, stored as submitted.
    let (status, html) = upload(&agency, id, write_table(&table("2020年妇幼健康服务"))?).await?;
    assert_eq!(status, StatusCode::OK, "{html}");
    // The table's 效益 20 / 满意度 20 fit no rulebook: scored with the year's rulebook's
    // execution points, which the page names, and the difference is a finding.
    assert!(html.contains("重新计算并保存为单位自评"), "{html}");
    assert!(
        html.contains("评分规则：全国通用默认规则（national-default）"),
        "{html}"
    );
    assert!(html.contains("与现有评分规则均不相符"), "{html}");
    assert!(html.contains("关爱服务留守儿童人数") && html.contains("表内总分"));
    let (_, stored) = call(&app, &token, Method::GET, &path, None).await?;
    assert_eq!(stored["state"], "submitted", "{stored}");
    assert_eq!(stored["source"], "import");

    // A second upload over the submitted sheet is refused.
    let (status, html) = upload(&agency, id, write_table(&table("2020年妇幼健康服务"))?).await?;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    let (_, again) = call(&app, &token, Method::GET, &path, None).await?;
    assert_eq!(again, stored);
    Ok(())
}
