//! Row findings: each code on a row written as counties write them, and the near miss that is
//! sound.

use super::*;
use FindingCode::*;

#[test]
fn vague_values_are_found_whatever_the_adjective() {
    assert_eq!(benefit("城镇登记失业人员就业率", "明显提升"), [VagueValue]);
    let findings = {
        let mut sheet = good_sheet();
        sheet.indicators[1] = row("效益指标", "社会效益指标", "就业率", "明显提升", 10);
        findings_of(&sheet)
    };
    assert_eq!(
        findings[0].message,
        "“明显提升”无法考核，请改为可计量的值，如“就业率≥90%”"
    );
    for word in [
        "提高",
        "明显",
        "显著",
        "良好",
        "有效",
        "长期",
        "持续",
        "逐步提高",
        "进一步加强",
        "长期有效",
    ] {
        assert_eq!(benefit("群众生活水平", word), [VagueValue], "{word}");
    }
    assert_eq!(output("受益人数", "全体村民"), [VagueValue]);
    assert_eq!(output("培训人次", ""), [VagueValue]);
}

#[test]
fn qualitative_statements_with_content_or_a_grade_are_not_vague() {
    for value in [
        "明显提高",
        "有效改善",
        "达到国家二级标准",
        "得到有效保障",
        "正常运转",
        "无重大安全事故",
    ] {
        assert!(benefit("群众生活水平", value).is_empty(), "{value}");
    }
    assert!(output("就业率", "≥80%").is_empty());
    assert!(
        row_codes("产出指标", "质量指标", "资金使用合规性", "合规").is_empty(),
        "a quality, not money"
    );
    assert_eq!(
        row_codes("产出指标", "质量指标", "资金使用合规率", "合规"),
        [VagueValue]
    );
    assert!(row_codes("产出指标", "时效指标", "补助资金发放时间", "每季度末前").is_empty());
    assert_eq!(
        row_codes("产出指标", "时效指标", "补助资金发放时间", "及时"),
        [VagueValue]
    );
    let mut strict = rulebook();
    strict.target_review.graded_qualitative = false;
    let mut sheet = good_sheet();
    sheet.indicators[1] = row("效益指标", "社会效益指标", "群众生活水平", "明显提高", 10);
    let codes: Vec<_> = review(&strict, &sheet)
        .unwrap_or_default()
        .iter()
        .filter(|f| f.row == Some(2))
        .map(|f| f.code)
        .collect();
    assert_eq!(codes, [VagueValue]);
}

#[test]
fn numbers_on_ideas_that_cannot_be_counted_are_pseudo_quantified() {
    assert_eq!(benefit("维护社会稳定", "≥95%"), [PseudoQuantified]);
    assert_eq!(benefit("群众获得感", "≥90%"), [PseudoQuantified]);
    assert_eq!(benefit("项目实施", "100%"), [PseudoQuantified]);
    assert!(benefit("矛盾纠纷化解率", "≥95%").is_empty());
    assert!(benefit("补助资金按时发放", "=100%").is_empty());
    assert!(benefit("粮食产量比上年提高", "≥5%").is_empty());
}

#[test]
fn numbers_need_an_operator_and_a_unit() {
    assert_eq!(output("购置救护车", "10辆"), [MissingOperator]);
    assert_eq!(
        row_codes("产出指标", "质量指标", "验收合格率", "100%"),
        [MissingOperator]
    );
    assert_eq!(output("培训人数", "180"), [MissingOperator, MissingUnit]);
    assert_eq!(
        row_codes("产出指标", "质量指标", "验收合格率", "≥85"),
        [MissingUnit]
    );
    assert_eq!(
        row_codes("产出指标", "成本指标", "设备购置费用", "250万"),
        [MissingOperator, MissingUnit]
    );
    assert!(output("购置救护车", "=10辆").is_empty());
    assert!(output("购置救护车", "3-5辆").is_empty());
    assert!(output("购置救护车", "10辆以上").is_empty());
    assert!(benefit("粮食单产提高", "提高5%").is_empty());
    assert!(benefit("空气质量综合指数", "≤4.5").is_empty());
    let mut sheet = good_sheet();
    sheet.indicators[1] = row("产出指标", "数量指标", "培训人数", "180", 10);
    let findings = findings_of(&sheet);
    assert_eq!(
        findings[0].message,
        "“180”缺少比较符：请写明“≥180”“≤180”或“=180”"
    );
    assert_eq!(
        findings[1].message,
        "“180”缺少计量单位：请写明单位，如“180人”"
    );
}

#[test]
fn separate_operator_and_unit_columns_are_read_too() {
    let mut sheet = good_sheet();
    sheet.indicators[1] = IndicatorUnderReview {
        op: Some(">=".into()),
        unit: Some("%".into()),
        ..row("产出指标", "质量指标", "验收合格率", "95", 10)
    };
    assert!(
        findings_of(&sheet).is_empty(),
        "the API code >= is not typed text"
    );
    sheet.indicators[1].unit = Some(String::new());
    assert_eq!(codes_of(&sheet), [MissingUnit]);
    sheet.indicators[1] = IndicatorUnderReview {
        op: Some("定性".into()),
        ..row("效益指标", "社会效益指标", "就业能力", "明显提升", 10)
    };
    assert!(findings_of(&sheet).iter().all(|f| f.row != Some(2)));
    // A rate filed as 定性 is still a rate: words cannot be checked against it.
    sheet.indicators[1] = IndicatorUnderReview {
        op: Some("定性".into()),
        ..row("效益指标", "社会效益指标", "培训后就业率", "明显提升", 10)
    };
    let on_row: Vec<_> = findings_of(&sheet)
        .into_iter()
        .filter(|f| f.row == Some(2))
        .map(|f| f.code)
        .collect();
    assert_eq!(on_row, [VagueValue]);
}

#[test]
fn ascii_operators_are_named_with_the_proper_sign() {
    let mut sheet = good_sheet();
    sheet.indicators[1] = row("产出指标", "质量指标", "验收合格率", ">=95%", 10);
    let findings = findings_of(&sheet);
    assert_eq!(
        findings.iter().map(|f| f.code).collect::<Vec<_>>(),
        [AsciiOperator]
    );
    assert_eq!(findings[0].message, "“>=95%”使用了半角符号，请改为“≥95%”");
    assert_eq!(findings[0].severity, Severity::Warning);
    assert!(row_codes("产出指标", "质量指标", "验收合格率", "≥95%").is_empty());
}

#[test]
fn the_direction_must_fit_what_is_measured() {
    assert_eq!(output("受益群众人数", "≤500人"), [WrongDirection]);
    assert_eq!(
        row_codes("产出指标", "成本指标", "人均培训成本", "≥2000元/人"),
        [WrongDirection]
    );
    assert_eq!(
        row_codes("产出指标", "时效指标", "体检报告反馈时间", "≥15天"),
        [WrongDirection]
    );
    assert!(output("受益群众人数", "≥500人").is_empty());
    assert!(row_codes("产出指标", "成本指标", "采购成本控制率", "≤100%").is_empty());
    assert!(row_codes("产出指标", "时效指标", "体检报告反馈时间", "≤15天").is_empty());
    assert!(row_codes("效益指标", "可持续影响指标", "设施使用年限", "≥20年").is_empty());
}

#[test]
fn units_must_fit_the_object() {
    assert_eq!(output("培训人数", "≥50个"), [UnitMismatch]);
    assert_eq!(
        row_codes("产出指标", "成本指标", "培训费用", "≤5个"),
        [UnitMismatch]
    );
    assert_eq!(
        row_codes("产出指标", "质量指标", "验收合格率", "≥95人"),
        [UnitMismatch]
    );
    assert!(output("培训人数", "≥50人").is_empty());
    assert!(row_codes("产出指标", "成本指标", "培训费用", "≤5万元").is_empty());
    assert!(output("培训人数", "≥50余人").is_empty());
    assert!(
        output("搭建大棚个数", "≥50棚").is_empty(),
        "an unknown unit is not judged"
    );
}

#[test]
fn rates_cannot_pass_one_hundred_percent() {
    let at_least = row_codes("产出指标", "质量指标", "验收合格率", "≥100%");
    assert_eq!(at_least, [ImpossibleValue]);
    assert_eq!(
        row_codes("产出指标", "质量指标", "覆盖率", "=120%"),
        [ImpossibleValue]
    );
    assert!(row_codes("产出指标", "质量指标", "验收合格率", "=100%").is_empty());
    assert!(benefit("产值增长率", "≥120%").is_empty());
}

#[test]
fn a_figure_in_the_name_must_match_the_value() {
    assert_eq!(
        row_codes("产出指标", "时效指标", "资金100%拨付到位", "≥98%"),
        [NameValueConflict]
    );
    assert!(row_codes("产出指标", "时效指标", "资金100%拨付到位", "=100%").is_empty());
    assert!(row_codes("产出指标", "质量指标", "稳定就业6个月以上比例", "≥80%").is_empty());
}

#[test]
fn template_residue_is_found_in_names_and_values() {
    for (name, value) in [
        ("指标1：培训人数", "≥100人"),
        ("指标2", "≥100人"),
        ("培训人数", "≥**%"),
        ("★培训人数", "≥100人"),
        ("培训人数*", "≥100人"),
        ("培训人数", "XX人"),
        ("XX县培训人数", "≥100人"),
        ("培训人数（注：含线上）", "≥100人"),
    ] {
        assert_eq!(output(name, value), [TemplateResidue], "{name} {value}");
    }
    assert!(output("“12345”关爱模式落实人数", "≥100人").is_empty());
    assert!(output("指标体系建设人数", "≥100人").is_empty());
}

#[test]
fn empty_rows_are_named_and_levels_carry_down() {
    let mut sheet = good_sheet();
    sheet.indicators.insert(2, row("", "质量指标", " ", "", 0));
    let findings = findings_of(&sheet);
    assert_eq!(
        findings.iter().map(|f| (f.code, f.row)).collect::<Vec<_>>(),
        [(EmptyRow, Some(3))]
    );
    assert_eq!(output("", ""), [EmptyRow]);
}

#[test]
fn levels_must_be_in_the_rulebooks_tree() {
    assert_eq!(
        row_codes("投入指标", "数量指标", "培训人数", "≥50人"),
        [LevelNonstandard]
    );
    assert_eq!(
        row_codes("产出指标", "社会效益指标", "培训人数", "≥50人"),
        [LevelNonstandard]
    );
    assert!(row_codes("产出", "数量", "培训人数", "≥50人").is_empty());
    assert!(row_codes("成本指标", "经济成本指标", "人均培训成本", "≤1000元/人").is_empty());
    let mut sheet = good_sheet();
    sheet.indicators[0].level1 = String::new();
    let findings = findings_of(&sheet);
    assert_eq!(findings[0].code, LevelNonstandard);
    assert_eq!(
        findings[0].message,
        "缺少一级指标，应为产出指标、效益指标、满意度指标之一"
    );
}
