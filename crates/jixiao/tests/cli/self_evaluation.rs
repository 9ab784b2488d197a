//! `jixiao import self-evaluation`: a published table in .xlsx reproduces its total, is stored
//! against its project once, is flagged where it breaks the rules, and bad files or another
//! agency's table are refused with nothing stored.

use crate::*;
use jixiao_core::scoring::{BudgetBlock, ItemInput};
use jixiao_interop::self_evaluation_xlsx::{
    MoneyUnit, SelfEvaluationTable, TableItem, write_table,
};
use jixiao_store::test_support::TestDatabase;
use serde_json::Value;

fn item(fields: [&str; 8], published: i64) -> TableItem {
    let [level1, level2, name, op, target, unit, points, actual] = fields;
    TableItem {
        sheet_row: 0,
        input: ItemInput {
            level1: level1.to_owned(),
            level2: level2.to_owned(),
            name: name.to_owned(),
            op: op.to_owned(),
            target: target.to_owned(),
            unit: unit.to_owned(),
            points: points.to_owned(),
            actual: actual.to_owned(),
            ..ItemInput::default()
        },
        published_x100: Some(published),
    }
}

/// The worked example, published by the health bureau for its 2020 maternal and child project.
pub(crate) fn table(unit_name: &str) -> SelfEvaluationTable {
    SelfEvaluationTable {
        sheet: "Sheet1".to_owned(),
        project: "2020年妇幼健康服务".to_owned(),
        department: "乐陵市卫生健康局".to_owned(),
        implementing_unit: unit_name.to_owned(),
        year: Some(2020),
        unit: MoneyUnit::Yuan,
        budget: BudgetBlock {
            initial_fen: 200_000_000,
            full_year_fen: 200_000_000,
            executed_fen: 180_000_000,
        },
        execution_points_x100: Some(1000),
        execution_published_x100: Some(900),
        goal_expected: "孕产妇和儿童健康管理全覆盖".to_owned(),
        goal_actual: "基本完成".to_owned(),
        items: vec![
            item(
                [
                    "产出指标",
                    "数量指标",
                    "培训人次",
                    "≥",
                    "500",
                    "人",
                    "20",
                    "450",
                ],
                1800,
            ),
            item(
                ["产出指标", "质量指标", "合格率", "≥", "95", "%", "15", "98"],
                1500,
            ),
            item(
                [
                    "产出指标",
                    "成本指标",
                    "人均培训成本",
                    "≤",
                    "2000",
                    "元",
                    "15",
                    "2500",
                ],
                1200,
            ),
            item(
                [
                    "效益指标",
                    "社会效益指标",
                    "妇幼健康水平",
                    "qualitative",
                    "效果明显",
                    "",
                    "30",
                    "部分达成预期指标",
                ],
                2100,
            ),
            item(
                [
                    "满意度指标",
                    "服务对象满意度指标",
                    "服务对象满意度",
                    "≥",
                    "90",
                    "%",
                    "10",
                    "85",
                ],
                944,
            ),
        ],
        total_published_x100: Some(8444),
    }
}

/// The table written to a temporary .xlsx, removed when dropped.
fn write(
    name: &str,
    table: &SelfEvaluationTable,
) -> Result<crate::TempFile, Box<dyn std::error::Error>> {
    crate::temp_file(name, "xlsx", &write_table(table)?)
}

#[tokio::test]
async fn a_published_table_is_recomputed_compared_and_stored_once() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    succeeds(url, &["demo"])?;
    let good = write("se-good", &table("乐陵市卫生健康局"))?;

    let dry = succeeds(
        url,
        &["import", "self-evaluation", &good, "--dry-run", "--json"],
    )?;
    let report: Value = serde_json::from_str(&dry)?;
    assert_eq!(report["project"], "2020年妇幼健康服务");
    assert_eq!(report["total_published"], "84.44");
    assert_eq!(report["total_computed"], "84.44");
    assert_eq!(report["grade"], "良");
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(report["items"].as_array().map(Vec::len), Some(6));
    assert_eq!(report["stored"], false);

    let linear_free = succeeds(
        url,
        &[
            "import",
            "self-evaluation",
            &good,
            "--dry-run",
            "--rulebook",
            "execution-20",
        ],
    )?;
    // The table prints execution 10 and 产出 50: it is scored by national-default, and says so.
    assert!(
        linear_free.contains("评分规则：全国通用默认规则（national-default）"),
        "{linear_free}"
    );
    assert!(
        linear_free
            .contains("与所选评分规则“预算执行率20分规则（execution-20）”（预算执行率20分）不符"),
        "{linear_free}"
    );
    assert!(
        linear_free.contains("总分：表内84.44，重算84.44"),
        "{linear_free}"
    );
    assert!(linear_free.contains("试运行，未作任何改动"));

    let stored = succeeds(url, &["import", "self-evaluation", &good])?;
    assert!(
        stored.contains("总分：表内84.44，重算84.44，等级良"),
        "{stored}"
    );
    assert!(stored.contains("已保存为项目"), "{stored}");
    let again = fails(url, &["import", "self-evaluation", &good])?;
    assert!(
        again.contains("当前为“待审核”，不能导入绩效自评表"),
        "{again}"
    );

    // Imported once, in the audit log.
    let audit = succeeds(url, &["audit", "verify"])?;
    assert!(!audit.is_empty());
    Ok(())
}

#[tokio::test]
async fn broken_tables_are_flagged_and_bad_files_refused() -> TestResult {
    let db = TestDatabase::new().await?;
    let url = db.url.as_str();
    succeeds(url, &["demo"])?;

    let mut broken = table("乐陵市卫生健康局");
    broken.items[4].published_x100 = Some(1000);
    broken.total_published_x100 = Some(8500);
    let flagged = succeeds(
        url,
        &[
            "import",
            "self-evaluation",
            &write("se-broken", &broken)?,
            "--dry-run",
        ],
    )?;
    assert!(flagged.contains("总分：表内85.00，重算84.44"), "{flagged}");
    assert!(
        flagged.contains("第16行“服务对象满意度”：表内得分10.00，按规则应为9.44"),
        "{flagged}"
    );

    // A sentence where a number belongs takes the row's own score, and says so.
    let mut sentence = table("乐陵市卫生健康局");
    sentence.items[0].input.actual = "全年培训450人次左右".to_owned();
    sentence.items[0].input.op = "qualitative".to_owned();
    let read = succeeds(
        url,
        &[
            "import",
            "self-evaluation",
            &write("se-sentence", &sentence)?,
            "--dry-run",
        ],
    )?;
    assert!(read.contains("总分：表内84.44，重算84.44"), "{read}");
    assert!(
        read.contains(
            "实际完成值“全年培训450人次左右”无法与年度指标值比较计分，采用表内得分18.00分"
        ),
        "{read}"
    );

    let other = fails(
        url,
        &[
            "import",
            "self-evaluation",
            &write("se-other", &table("乐陵市残疾人联合会"))?,
        ],
    )?;
    assert!(
        other.contains("与项目“2020年妇幼健康服务”所属单位“乐陵市卫生健康局”不符"),
        "{other}"
    );

    let mut wrong = table("乐陵市卫生健康局");
    wrong.items[0].input.actual = "四百五十".to_owned();
    // Refused only because the row has no score of its own to take instead.
    wrong.items[0].published_x100 = None;
    let cells = fails(
        url,
        &["import", "self-evaluation", &write("se-cells", &wrong)?],
    )?;
    assert!(
        cells.contains("单元格F12（实际完成值）“四百五十”不是数字，该行也没有表内得分可以采用"),
        "{cells}"
    );

    let not_xlsx = crate::temp_path("se-text", "xlsx", "项目名称,培训\n".as_bytes())?;
    let refused = fails(
        url,
        &[
            "import",
            "self-evaluation",
            not_xlsx.to_str().ok_or("path")?,
        ],
    )?;
    assert!(refused.contains("不是有效的 .xlsx 工作簿"), "{refused}");
    // Nothing was stored by any of these: a real import still goes through.
    let stored = succeeds(
        url,
        &[
            "import",
            "self-evaluation",
            &write("se-after", &table("乐陵市卫生健康局"))?,
        ],
    )?;
    assert!(stored.contains("已保存为项目"), "{stored}");
    Ok(())
}
