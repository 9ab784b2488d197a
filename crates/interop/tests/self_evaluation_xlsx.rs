//! Published self-evaluation tables: written in the published layout, read back by their labels,
//! recomputed and compared — the worked example reproduces its total; tables that break the rules
//! are flagged; broken files and cells are refused with the cell named. Lenient reading of actual
//! values and rulebook variants: `self_evaluation_lenient.rs`.

use jixiao_core::rulebook::Rulebook;
use jixiao_core::scoring::{AtMostRule, BudgetBlock, ItemInput, ScoringRules};
use jixiao_core::target::Operator;
use jixiao_interop::intake::IntakeError;
use jixiao_interop::self_evaluation_xlsx::{
    MoneyUnit, SelfEvaluationTable, TableError, TableItem, compare, parse_value, read_table,
    write_table,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

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

/// The worked example as a county would publish it.
fn worked_example(unit: MoneyUnit) -> SelfEvaluationTable {
    SelfEvaluationTable {
        sheet: "自评表".to_owned(),
        project: "2019年职业技能培训".to_owned(),
        department: "乐陵市人力资源和社会保障局".to_owned(),
        implementing_unit: "乐陵市公共就业和人才服务中心".to_owned(),
        year: Some(2019),
        unit,
        budget: BudgetBlock {
            initial_fen: 200_000_000,
            full_year_fen: 200_000_000,
            executed_fen: 180_000_000,
        },
        execution_points_x100: Some(1000),
        execution_published_x100: Some(900),
        goal_expected: "全年培训500人次，合格率95%以上".to_owned(),
        goal_actual: "培训450人次，合格率98%".to_owned(),
        items: vec![
            item(
                [
                    "产出指标",
                    "数量指标",
                    "培训人次",
                    ">=",
                    "500",
                    "人",
                    "20",
                    "450",
                ],
                1800,
            ),
            item(
                [
                    "产出指标",
                    "质量指标",
                    "合格率",
                    ">=",
                    "95",
                    "%",
                    "15",
                    "98",
                ],
                1500,
            ),
            item(
                [
                    "产出指标",
                    "成本指标",
                    "人均培训成本",
                    "<=",
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
                    "就业能力提升",
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
                    "学员满意度",
                    ">=",
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

fn national() -> Result<ScoringRules, Box<dyn std::error::Error>> {
    Ok(Rulebook::national_default()?.self_evaluation)
}

#[test]
fn the_worked_example_reproduces_its_total_in_wan_and_in_yuan() -> TestResult {
    for unit in [MoneyUnit::Wan, MoneyUnit::Yuan] {
        let bytes = write_table(&worked_example(unit))?;
        let table = read_table(&bytes, &national()?)?;
        assert_eq!(table.unit, unit);
        assert_eq!(table.project, "2019年职业技能培训");
        assert_eq!(table.department, "乐陵市人力资源和社会保障局");
        assert_eq!(table.implementing_unit, "乐陵市公共就业和人才服务中心");
        assert_eq!(table.year, Some(2019));
        assert_eq!(table.budget.full_year_fen, 200_000_000);
        assert_eq!(table.budget.executed_fen, 180_000_000);
        assert_eq!(table.items.len(), 5);
        // Level-1 cells are merged down; every row still knows its level-1.
        assert_eq!(table.items[2].input.level1, "产出指标");
        assert_eq!(table.items[2].input.op, "<=");
        assert_eq!(table.items[2].input.unit, "元");
        assert_eq!(table.items[3].input.band, "部分达成");
        assert_eq!(table.items[0].sheet_row, 12);
        let report = compare(&table, &national()?, "national-default")?;
        assert_eq!(report.total_published.as_deref(), Some("84.44"));
        assert_eq!(report.total_computed, "84.44");
        assert_eq!(report.grade, "良");
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        assert!(report.items.iter().all(|i| i.agrees));
        let json = serde_json::to_value(&report)?;
        for key in [
            "project",
            "total_published",
            "total_computed",
            "grade",
            "items",
            "findings",
        ] {
            assert!(json.get(key).is_some(), "{key} in {json}");
        }
    }
    Ok(())
}

#[test]
fn the_linear_rule_recomputes_the_cost_indicator_and_flags_the_table() -> TestResult {
    let bytes = write_table(&worked_example(MoneyUnit::Wan))?;
    let linear = ScoringRules {
        at_most_rule: AtMostRule::Linear,
        ..national()?
    };
    let table = read_table(&bytes, &linear)?;
    let report = compare(&table, &linear, "linear")?;
    assert_eq!(report.total_computed, "83.69");
    assert_eq!(report.grade, "良");
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(
        codes,
        vec!["item_differs", "total_differs"],
        "{:?}",
        report.findings
    );
    assert_eq!(report.findings[0].row, Some(14));
    Ok(())
}

#[test]
fn a_table_that_breaks_the_rules_is_flagged_item_by_item() -> TestResult {
    let mut broken = worked_example(MoneyUnit::Wan);
    broken.items[4].published_x100 = Some(1000); // 满意度 85 of 90 given full marks
    broken.items[1].published_x100 = Some(1600); // above its 15 points
    broken.total_published_x100 = Some(8700); // neither the items' sum (86.00) nor right
    let table = read_table(&write_table(&broken)?, &national()?)?;
    let report = compare(&table, &national()?, "national-default")?;
    assert_eq!(report.total_computed, "84.44");
    let codes: Vec<(&str, Option<usize>)> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.row))
        .collect();
    assert!(
        codes.contains(&("score_above_points", Some(13))),
        "{codes:?}"
    );
    assert!(codes.contains(&("item_differs", Some(13))), "{codes:?}");
    assert!(codes.contains(&("item_differs", Some(16))), "{codes:?}");
    assert!(codes.contains(&("points_not_sum", None)), "{codes:?}");
    assert!(codes.contains(&("total_differs", None)), "{codes:?}");
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.message.contains("表内总分87.00"))
    );
    Ok(())
}

#[test]
fn points_that_do_not_add_up_are_found() -> TestResult {
    let mut short = worked_example(MoneyUnit::Wan);
    short.items[0].input.points = "15".to_owned();
    short.items[0].published_x100 = Some(1350);
    short.total_published_x100 = Some(7994);
    let table = read_table(&write_table(&short)?, &national()?)?;
    let report = compare(&table, &national()?, "national-default")?;
    assert!(report.findings.iter().any(|f| f.code == "points_not_100"));
    assert!(report.findings.iter().any(|f| f.code == "level1_points"));
    Ok(())
}

#[test]
fn values_are_split_into_operator_number_and_unit() {
    let cases = [
        ("≥50个", Operator::AtLeast, "50", "个"),
        ("≤90万元", Operator::AtMost, "90", "万元"),
        ("=100%", Operator::Equal, "100", "%"),
        (">=90%", Operator::AtLeast, "90", "%"),
        ("不低于95%", Operator::AtLeast, "95", "%"),
        ("＜ 30 天", Operator::AtMost, "30", "天"),
        ("1,200人次", Operator::AtLeast, "1200", "人次"),
        ("效果明显", Operator::Qualitative, "效果明显", ""),
        ("达成预期指标", Operator::Qualitative, "达成预期指标", ""),
    ];
    for (text, op, value, unit) in cases {
        assert_eq!(
            parse_value(text),
            (op, value.to_owned(), unit.to_owned()),
            "{text}"
        );
    }
}

#[test]
fn broken_files_and_cells_are_refused_naming_the_cell() -> TestResult {
    let rules = national()?;
    assert!(matches!(
        read_table(b"not a workbook at all", &rules),
        Err(TableError::Intake(IntakeError::NotXlsx))
    ));

    // A workbook that is not a self-evaluation table.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook
        .add_worksheet()
        .write_string(0, 0, "部门预算收支总表")?;
    let other = workbook.save_to_buffer()?;
    assert_eq!(
        read_table(&other, &rules),
        Err(TableError::Missing("项目名称"))
    );

    // A table without its indicator block.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "项目名称")?;
    sheet.write_string(0, 1, "某项目")?;
    for (c, label) in ["", "年初预算数", "全年预算数", "全年执行数"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, c as u16, *label)?;
    }
    sheet.write_string(2, 0, "年度资金总额")?;
    sheet.write_number(2, 2, 100.0)?;
    assert_eq!(
        read_table(&workbook.save_to_buffer()?, &rules),
        Err(TableError::NoIndicators)
    );

    // Text where numbers belong: points are refused; an actual value in words is refused only
    // when its row has no score of its own to fall back on.
    let mut wrong = worked_example(MoneyUnit::Wan);
    wrong.items[1].input.points = "十五".to_owned();
    wrong.items[0].input.actual = "约四百五十人".to_owned();
    wrong.items[0].published_x100 = None;
    let bytes = write_table(&wrong)?;
    let Err(TableError::Cells(errors)) = read_table(&bytes, &rules) else {
        panic!("accepted text where numbers belong");
    };
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("F12") && m.contains("实际完成值") && m.contains("没有表内得分")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("G13") && m.contains("分值")),
        "{messages:?}"
    );
    Ok(())
}

#[test]
fn percent_cells_holding_fractions_are_read_as_percent() -> TestResult {
    let table = worked_example(MoneyUnit::Wan);
    let mut bytes_table = table.clone();
    bytes_table.items[1].input.actual = "0.98".to_owned();
    let read = read_table(&write_table(&bytes_table)?, &national()?)?;
    assert_eq!(read.items[1].input.actual, "98");
    Ok(())
}

/// Writes the worked example into the fuzz corpus (`cargo test -- --ignored seed`).
#[test]
#[ignore = "writes the fuzz corpus; run by hand"]
fn seed_the_fuzz_corpus_with_the_worked_example() -> TestResult {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/xlsx");
    std::fs::write(
        dir.join("self_evaluation_wan.xlsx"),
        write_table(&worked_example(MoneyUnit::Wan))?,
    )?;
    Ok(())
}
