//! Sheet findings: satisfaction and points.

use super::*;
use FindingCode::*;

fn without_satisfaction() -> SheetUnderReview {
    let mut sheet = good_sheet();
    sheet.indicators.pop();
    sheet.indicators[0].points_x100 = Some(3500);
    sheet
}

#[test]
fn a_project_serving_people_needs_satisfaction() {
    let sheet = without_satisfaction();
    let findings = findings_of(&sheet);
    assert_eq!(
        findings.iter().map(|f| (f.code, f.row)).collect::<Vec<_>>(),
        [(SatisfactionMissing, None)]
    );
    assert_eq!(
        findings[0].message,
        "项目服务对象为群众，应在“满意度指标”下设置满意度指标，如“服务对象满意度≥90%”"
    );
    let internal = SheetUnderReview {
        serves_people: Some(false),
        ..sheet.clone()
    };
    assert!(findings_of(&internal).is_empty());
    let mut office = SheetUnderReview {
        project_name: "机关公用经费".into(),
        overall_goal: "保障机关日常运转，公用经费支出控制在预算以内".into(),
        annual_goal: "2020年保障在编人员50人日常办公，公用经费控制率≤100%".into(),
        last_year_annual_goal: None,
        indicators: vec![
            row("产出指标", "数量指标", "保障在编人员数", "≥50人", 40),
            row("", "成本指标", "公用经费控制率", "≤100%", 30),
            row("效益指标", "社会效益指标", "单位职能履行", "正常运转", 30),
        ],
        ..good_sheet()
    };
    assert!(
        findings_of(&office).is_empty(),
        "nobody served is judged from the words"
    );
    office.serves_people = Some(true);
    assert_eq!(codes_of(&office), [SatisfactionMissing]);
}

#[test]
fn satisfaction_must_be_a_rate_under_its_own_level() {
    assert_eq!(
        row_codes("满意度指标", "服务对象满意度指标", "群众满意度", "满意"),
        [SatisfactionNotRate]
    );
    assert_eq!(
        row_codes("满意度指标", "服务对象满意度指标", "群众满意度", "≥90分"),
        [SatisfactionNotRate]
    );
    assert_eq!(benefit("群众满意度", "≥90%"), [SatisfactionMisplaced]);
    assert!(row_codes("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%").is_empty());
    let mut sheet = without_satisfaction();
    sheet.indicators[5] = row("效益指标", "社会效益指标", "群众满意度", "≥90%", 20);
    assert_eq!(
        codes_of(&sheet),
        [SatisfactionMisplaced],
        "misplaced, not missing"
    );
    assert_eq!(findings_of(&sheet)[0].severity, Severity::Warning);
}

#[test]
fn points_must_add_up_when_the_sheet_has_them() {
    let mut sheet = good_sheet();
    sheet.indicators[0].points_x100 = Some(1550);
    let findings = findings_of(&sheet);
    assert_eq!(
        findings.iter().map(|f| f.code).collect::<Vec<_>>(),
        [WeightsTotal]
    );
    assert_eq!(
        findings[0].message,
        "指标分值合计应为100分，现为95.5分：请调整各指标分值"
    );
    for indicator in &mut sheet.indicators {
        indicator.points_x100 = None;
    }
    assert!(
        findings_of(&sheet).is_empty(),
        "a published sheet without points"
    );
}

#[test]
fn every_finding_of_a_poor_sheet_comes_at_once_in_row_order() {
    let sheet = SheetUnderReview {
        indicators: vec![
            row("产出指标", "数量指标", "指标1：培训人数", "≥**人", 30),
            row("", "", "培训人数", ">=180", 30),
            row("效益指标", "社会效益指标", "维护社会稳定", "≥95%", 20),
            row("", "", "群众满意度", "满意", 10),
        ],
        annual_goal: "做好明年的培训工作".into(),
        ..good_sheet()
    };
    let findings = findings_of(&sheet);
    let got: Vec<_> = findings.iter().map(|f| (f.code, f.row)).collect();
    assert_eq!(
        got,
        [
            (TemplateResidue, Some(1)),
            (AsciiOperator, Some(2)),
            (MissingUnit, Some(2)),
            (PseudoQuantified, Some(3)),
            (SatisfactionNotRate, Some(4)),
            (SatisfactionMisplaced, Some(4)),
            (WeightsTotal, None),
            (GoalStale, None),
        ]
    );
    assert!(blocks_submission(&findings));
}
