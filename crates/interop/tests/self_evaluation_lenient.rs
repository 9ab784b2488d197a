//! Self-evaluation tables as counties rebuild them in their own layout (level-1 indicators in
//! column A, the execution block's points printed, 产出指标（40分） labels, 实际完成值 in words), read
//! the way a finance reviewer reads them: completion words and `100%` mean met, `≥90%` is 90, a
//! sentence takes the table's own score; the variant (execution 10 or 20) is taken from the
//! table's printed points; tables that break their own sums or dock met targets are flagged;
//! only files that are no self-evaluation table, or numbers that cannot be read, are refused.

#[path = "self_evaluation_lenient/sheet.rs"]
mod sheet;

use jixiao_interop::self_evaluation_xlsx::{TableError, Variant, import};
use rust_xlsxwriter::Workbook;
use sheet::{
    FULL_BUDGET, Row, Sheet, TestResult, Value, build, codes, has, message, national_table, row,
    run, shipped,
};

#[test]
fn completion_words_against_qualitative_targets_mean_met() -> TestResult {
    use Value::Text;
    let words = [
        "完成",
        "已完成",
        "达成",
        "达到",
        "及时",
        "按时",
        "通过",
        "合格",
        "是",
        "无",
    ];
    let names = [
        "技术规程编制",
        "培训教材印发",
        "示范基地建设",
        "培训场地落实",
        "培训资金拨付",
        "培训按期开班",
        "结业考核",
        "培训质量",
        "建立培训档案",
        "安全事故",
    ];
    let mut rows: Vec<Row> = words
        .iter()
        .zip(names)
        .map(|(word, name)| {
            row(
                "产出指标",
                "质量指标",
                name,
                "按计划完成",
                Text(word),
                5.0,
                5.0,
            )
        })
        .collect();
    rows.push(row(
        "效益指标",
        "社会效益指标",
        "农民种植技术水平",
        "明显提高",
        Text("显著提升"),
        30.0,
        30.0,
    ));
    rows.push(row(
        "满意度指标",
        "服务对象满意度指标",
        "参训农民满意度",
        "≥90%",
        Value::Number(96.0),
        10.0,
        10.0,
    ));
    let done = run(&national_table(rows, 99.5), "national-default")?;
    assert_eq!(done.variant.name, "national-default");
    assert_eq!(done.report.total_published.as_deref(), Some("99.50"));
    assert_eq!(done.report.total_computed, "99.50", "{:?}", codes(&done));
    for (item, word) in done.report.items.iter().skip(1).zip(words) {
        assert_eq!(item.computed, "5.00", "{word}");
        assert!(item.agrees, "{word}");
    }
    assert!(
        done.report
            .findings
            .iter()
            .all(|f| f.code == "actual_interpreted"),
        "{:?}",
        codes(&done)
    );
    // Band words of the rulebook (达成, 达到, 是) are read as before; the others are noted.
    for (i, word) in words.iter().enumerate() {
        let row = Some(9 + i);
        let noted = has(&done, "actual_interpreted", row);
        assert_eq!(noted, !["达成", "达到", "是"].contains(word), "{word}");
    }
    assert!(has(&done, "actual_interpreted", Some(19)), "显著提升");
    assert!(
        message(&done, "actual_interpreted")
            .contains("第9行“技术规程编制”实际完成值“完成”视为已完成年度指标，按“达成”档满分计"),
        "{}",
        message(&done, "actual_interpreted")
    );
    Ok(())
}

#[test]
fn a_hundred_percent_is_met_and_an_operator_is_read_as_its_number() -> TestResult {
    use Value::{Number, Text};
    let rows = vec![
        row(
            "产出指标",
            "数量指标",
            "培训人次",
            "≥500人次",
            Number(520.0),
            20.0,
            20.0,
        ),
        // 10 × 90 / 95 = 9.47
        row(
            "产出指标",
            "质量指标",
            "培训合格率",
            "≥95%",
            Text("≥90%"),
            10.0,
            9.47,
        ),
        row(
            "产出指标",
            "时效指标",
            "补贴资金发放及时率",
            "=100%",
            Text("已完成"),
            10.0,
            10.0,
        ),
        row(
            "产出指标",
            "成本指标",
            "人均培训成本",
            "≤2000元",
            Number(1900.0),
            10.0,
            10.0,
        ),
        row(
            "效益指标",
            "社会效益指标",
            "农民增收渠道",
            "有效拓宽",
            Text("100%"),
            30.0,
            30.0,
        ),
        row(
            "满意度指标",
            "服务对象满意度指标",
            "参训农民满意度",
            "≥90%",
            Text("≥92%"),
            10.0,
            10.0,
        ),
    ];
    let read = run(&national_table(rows, 98.97), "national-default")?;
    assert_eq!(read.report.total_computed, "98.97", "{:?}", codes(&read));
    assert_eq!(read.table.items[1].input.actual, "90");
    assert_eq!(read.table.items[2].input.actual, "100");
    assert_eq!(read.table.items[4].input.band, "达成");
    assert!(read.report.items.iter().all(|i| i.agrees));
    for row in [10, 11, 13, 14] {
        assert!(
            has(&read, "actual_interpreted", Some(row)),
            "{row}: {:?}",
            codes(&read)
        );
    }
    let said = message(&read, "actual_interpreted");
    assert!(
        said.contains("实际完成值“≥90%”带有比较符号，按90%计"),
        "{said}"
    );
    assert!(
        said.contains("实际完成值“已完成”视为达到年度指标值=100%，按满分计"),
        "{said}"
    );
    assert!(
        said.contains("实际完成值“100%”视为已全部完成定性指标"),
        "{said}"
    );
    Ok(())
}

#[test]
fn a_sentence_takes_the_tables_own_score() -> TestResult {
    use Value::{Number, Text};
    let rows = vec![
        row(
            "产出指标",
            "数量指标",
            "培训人次",
            "≥500人次",
            Text("全年分三期开展培训，参训农民反响良好"),
            30.0,
            27.5,
        ),
        row(
            "产出指标",
            "质量指标",
            "培训合格率",
            "≥95%",
            Number(98.0),
            20.0,
            20.0,
        ),
        row(
            "效益指标",
            "社会效益指标",
            "带动农民增收",
            "效果明显",
            Text("参训农户多数掌握了新技术，增收效果初步显现"),
            30.0,
            21.0,
        ),
        row(
            "满意度指标",
            "服务对象满意度指标",
            "参训农民满意度",
            "≥90%",
            Number(95.0),
            10.0,
            10.0,
        ),
    ];
    let read = run(&national_table(rows, 88.0), "national-default")?;
    assert_eq!(read.report.total_computed, "88.00", "{:?}", codes(&read));
    assert!(read.report.items.iter().all(|i| i.agrees));
    assert!(has(&read, "score_taken_from_sheet", Some(9)));
    assert!(has(&read, "score_taken_from_sheet", Some(11)));
    let said = message(&read, "score_taken_from_sheet");
    assert!(
        said.contains("第9行“培训人次”实际完成值“全年分三期开展培训，参训农民反响良好”无法与年度指标值比较计分，采用表内得分27.50分"),
        "{said}"
    );
    // 21 of 30 is 70%: graded 部分达成 at exactly the table's score.
    assert_eq!(read.table.items[2].input.band, "部分达成");
    Ok(())
}

/// A 20-point template: execution 20, 产出指标（40分）, 效益指标（30分）, 满意度指标（10分).
fn twenty_point_table() -> Sheet {
    use Value::{Number, Text};
    Sheet {
        budget: FULL_BUDGET,
        execution_points: 20.0,
        execution_score: 19.0,
        rows: vec![
            row(
                "产出指标（40分）",
                "数量指标",
                "培训人次",
                "≥500人次",
                Number(520.0),
                15.0,
                15.0,
            ),
            row(
                "产出指标（40分）",
                "质量指标",
                "培训合格率",
                "≥95%",
                Number(98.0),
                15.0,
                15.0,
            ),
            row(
                "产出指标（40分）",
                "时效指标",
                "培训完成时间",
                "年底前完成",
                Text("按时"),
                10.0,
                10.0,
            ),
            // 部分达成 at 55%: within execution-20's 50–80%, below national-default's 60%.
            row(
                "效益指标（30分）",
                "社会效益指标",
                "就业能力提升",
                "效果明显",
                Text("部分达成"),
                30.0,
                16.5,
            ),
            // 10 × 85 / 90 = 9.44
            row(
                "满意度指标（10分）",
                "服务对象满意度指标",
                "学员满意度",
                "≥90%",
                Number(85.0),
                10.0,
                9.44,
            ),
        ],
        points_total: 100.0,
        total: Some(84.94),
    }
}

#[test]
fn a_twenty_point_template_is_scored_by_execution_20_and_says_so() -> TestResult {
    let read = run(&twenty_point_table(), "national-default")?;
    assert_eq!(read.variant.name, "execution-20");
    assert_eq!(read.report.rulebook, "execution-20");
    assert_eq!(
        read.report.rulebook_title,
        "预算执行率20分规则（execution-20）"
    );
    assert_eq!(read.report.total_computed, "84.94", "{:?}", codes(&read));
    assert_eq!(read.report.items[0].computed, "19.00");
    assert_eq!(read.table.items[0].input.level1, "产出指标");
    assert!(
        read.report.items.iter().all(|i| i.agrees),
        "{:?}",
        codes(&read)
    );
    assert!(has(&read, "rulebook_mismatch", None), "{:?}", codes(&read));
    let said = message(&read, "rulebook_mismatch");
    assert!(
        said.contains("预算执行率20.00分")
            && said.contains("产出指标40.00分")
            && said
                .contains("所选评分规则“全国通用默认规则（national-default）”（预算执行率10分）")
            && said.contains("与“预算执行率20分规则（execution-20）”相符，已按后者计分"),
        "{said}"
    );
    // Asked for by name, it is used without a word.
    let asked = run(&twenty_point_table(), "execution-20")?;
    assert!(!has(&asked, "rulebook_mismatch", None));
    assert_eq!(asked.report.total_computed, "84.94");
    Ok(())
}

#[test]
fn points_fitting_no_rulebook_are_scored_by_the_tables_own() -> TestResult {
    let mut own = twenty_point_table();
    // Execution 15, 产出 45: neither shipped variant.
    own.execution_points = 15.0;
    own.execution_score = 14.25;
    for row in own.rows.iter_mut().take(3) {
        row.level1 = "产出指标（45分）";
    }
    own.rows[0].points = Value::Number(20.0);
    own.rows[0].score = Some(20.0);
    own.total = Some(85.19);
    let read = run(&own, "national-default")?;
    assert!(has(&read, "rulebook_unmatched", None), "{:?}", codes(&read));
    assert_eq!(read.variant.rules.execution_points, 15);
    // Level-1 points only check: 产出 45 is flagged against the rulebook's 50.
    assert!(has(&read, "level1_points", None), "{:?}", codes(&read));
    assert_eq!(read.report.items[0].computed, "14.25");
    assert!(
        message(&read, "rulebook_unmatched").contains(
            "已按表内所列预算执行率15分计分，其余按“全国通用默认规则（national-default）”"
        ),
        "{}",
        message(&read, "rulebook_unmatched")
    );
    Ok(())
}

#[test]
fn a_table_whose_sums_are_not_its_own_is_flagged() -> TestResult {
    use Value::Number;
    let rows = vec![
        // 55 points for 产出 while 100 is printed: the rows add up to 105.
        row(
            "产出指标",
            "数量指标",
            "培训人次",
            "≥500人次",
            Number(520.0),
            30.0,
            30.0,
        ),
        row(
            "产出指标",
            "质量指标",
            "培训合格率",
            "≥95%",
            Number(98.0),
            25.0,
            25.0,
        ),
        row(
            "效益指标",
            "社会效益指标",
            "带动增收户数",
            "≥200户",
            Number(210.0),
            30.0,
            30.0,
        ),
        row(
            "满意度指标",
            "服务对象满意度指标",
            "参训农民满意度",
            "≥90%",
            Number(95.0),
            10.0,
            10.0,
        ),
    ];
    // The items add up to 104.50; the table prints 100.
    let read = run(&national_table(rows, 100.0), "national-default")?;
    let said = message(&read, "points_not_sum");
    assert!(
        said.contains("预算执行率与各指标分值合计为105.00分，与表内总分栏所列100.00分不符"),
        "{said}"
    );
    assert!(
        said.contains("表内总分100.00不等于各项得分之和104.50"),
        "{said}"
    );
    assert!(!has(&read, "points_not_100", None), "{:?}", codes(&read));
    Ok(())
}

#[test]
fn a_met_target_given_less_than_its_points_is_flagged() -> TestResult {
    use Value::{Number, Text};
    let rows = vec![
        row(
            "产出指标",
            "数量指标",
            "培训人次",
            "≥500人次",
            Number(520.0),
            30.0,
            28.0,
        ),
        row(
            "产出指标",
            "质量指标",
            "培训合格率",
            "≥95%",
            Number(98.0),
            20.0,
            20.0,
        ),
        row(
            "效益指标",
            "社会效益指标",
            "技术推广",
            "按计划完成",
            Text("完成"),
            30.0,
            27.0,
        ),
        row(
            "满意度指标",
            "服务对象满意度指标",
            "参训农民满意度",
            "≥90%",
            Number(95.0),
            10.0,
            10.0,
        ),
    ];
    let read = run(&national_table(rows, 94.5), "national-default")?;
    assert!(
        has(&read, "met_target_docked", Some(9)),
        "{:?}",
        codes(&read)
    );
    assert!(
        has(&read, "met_target_docked", Some(11)),
        "{:?}",
        codes(&read)
    );
    assert!(!has(&read, "item_differs", Some(9)));
    assert!(!has(&read, "item_differs", Some(11)));
    assert!(
        message(&read, "met_target_docked").contains(
            "第9行“培训人次”已完成年度指标（实际完成值520人次），表内得分28.00低于分值30.00，按规则应得满分"
        ),
        "{}",
        message(&read, "met_target_docked")
    );
    assert_eq!(read.report.total_computed, "99.50");
    assert!(has(&read, "total_differs", None));
    Ok(())
}

#[test]
fn a_workbook_that_is_no_self_evaluation_table_is_refused_plainly() -> TestResult {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "部门预算收支总表")?;
    sheet.write_string(1, 0, "收入")?;
    sheet.write_number(1, 1, 1200.0)?;
    let bytes = workbook.save_to_buffer()?;
    let refused = import(&bytes, &shipped("national-default")?, &Variant::shipped());
    let Err(error) = refused else {
        panic!("a budget table was read as a self-evaluation");
    };
    assert_eq!(
        error.to_string(),
        "未找到“项目名称”，该文件不是项目支出绩效自评表"
    );
    Ok(())
}

#[test]
fn numbers_that_cannot_be_read_are_refused_naming_the_cell() -> TestResult {
    use Value::{Number, Text};
    let mut table = national_table(
        vec![
            row(
                "产出指标",
                "数量指标",
                "培训人次",
                "≥500人次",
                Number(520.0),
                30.0,
                30.0,
            ),
            row(
                "产出指标",
                "质量指标",
                "培训合格率",
                "≥95%",
                Text("约九成"),
                20.0,
                18.0,
            ),
            row(
                "效益指标",
                "社会效益指标",
                "技术推广",
                "按计划完成",
                Text("完成"),
                30.0,
                30.0,
            ),
            row(
                "满意度指标",
                "服务对象满意度指标",
                "参训农民满意度",
                "≥90%",
                Number(95.0),
                10.0,
                10.0,
            ),
        ],
        98.0,
    );
    table.rows[0].points = Text("三十分");
    table.rows[1].score = None;
    table.budget[2] = Text("九十五万");
    let refused = import(
        &build(&table)?,
        &shipped("national-default")?,
        &Variant::shipped(),
    );
    let Err(TableError::Cells(errors)) = refused else {
        panic!("unreadable numbers were accepted");
    };
    let said: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert!(
        said.contains(&"单元格D5（全年执行数）“九十五万”不是金额"),
        "{said:?}"
    );
    assert!(
        said.contains(&"单元格F9（分值）“三十分”不是数字"),
        "{said:?}"
    );
    assert!(
        said.contains(&"单元格E10（实际完成值）“约九成”不是数字，该行也没有表内得分可以采用"),
        "{said:?}"
    );
    Ok(())
}
