//! Tests of the target review with sheets written the way counties publish them: values with
//! the operator, number and unit in one cell, levels merged down the rows, no operator column.

mod goals_and_costs;
mod library;
mod rows;
mod sheet_level;

use super::*;
use crate::rulebook::Rulebook;

pub(super) fn rulebook() -> Rulebook {
    Rulebook::national_default().unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn row(
    level1: &str,
    level2: &str,
    name: &str,
    value: &str,
    points: i64,
) -> IndicatorUnderReview {
    IndicatorUnderReview {
        level1: level1.into(),
        level2: level2.into(),
        name: name.into(),
        value: value.into(),
        points_x100: Some(points * 100),
        op: None,
        unit: None,
    }
}

/// A sound sheet: a county's 2020 left-behind children care project of 50万元.
pub(super) fn good_sheet() -> SheetUnderReview {
    SheetUnderReview {
        year: 2020,
        amount_fen: Some(50_000_000),
        amount_approved: false,
        project_name: "2020年农村留守儿童关爱服务项目".into(),
        serves_people: None,
        overall_goal: "建立农村留守儿童关爱服务体系，到2022年实现全县留守儿童关爱服务全覆盖".into(),
        annual_goal:
            "2020年为300名留守儿童提供关爱服务，每学年入户家访4次，家长及儿童满意度达到90%以上"
                .into(),
        last_year_annual_goal: Some("2019年为260名留守儿童提供关爱服务".into()),
        indicators: vec![
            row("产出指标", "数量指标", "关爱服务留守儿童人数", "≥300人", 20),
            row("", "", "入户家访次数", "≥4次", 10),
            row("", "质量指标", "关爱服务覆盖率", "=100%", 15),
            row("", "时效指标", "服务完成时间", "2020年12月底前", 5),
            row("", "成本指标", "人均关爱服务成本", "≤1500元/人", 10),
            row(
                "效益指标",
                "社会效益指标",
                "留守儿童心理健康状况",
                "明显改善",
                20,
            ),
            row(
                "",
                "可持续影响指标",
                "关爱服务机制",
                "建立健全并长期运行",
                5,
            ),
            row(
                "满意度指标",
                "服务对象满意度指标",
                "家长及儿童满意度",
                "≥90%",
                15,
            ),
        ],
    }
}

/// The national default's reviewer, compiled once for all tests.
fn reviewer() -> &'static Reviewer {
    static REVIEWER: std::sync::OnceLock<Reviewer> = std::sync::OnceLock::new();
    REVIEWER.get_or_init(|| Reviewer::new(&rulebook()).unwrap_or_else(|e| panic!("{e}")))
}

pub(super) fn findings_of(sheet: &SheetUnderReview) -> Vec<Finding> {
    reviewer().review(sheet)
}

pub(super) fn codes_of(sheet: &SheetUnderReview) -> Vec<FindingCode> {
    findings_of(sheet).iter().map(|f| f.code).collect()
}

/// The findings on row 2 when it is replaced by `name` / `value` under 产出指标—数量指标 (or the
/// levels given).
pub(super) fn row_codes(level1: &str, level2: &str, name: &str, value: &str) -> Vec<FindingCode> {
    let mut sheet = good_sheet();
    sheet.indicators[1] = row(level1, level2, name, value, 10);
    findings_of(&sheet)
        .iter()
        .filter(|f| f.row == Some(2))
        .map(|f| f.code)
        .collect()
}

pub(super) fn output(name: &str, value: &str) -> Vec<FindingCode> {
    row_codes("产出指标", "数量指标", name, value)
}

pub(super) fn benefit(name: &str, value: &str) -> Vec<FindingCode> {
    row_codes("效益指标", "社会效益指标", name, value)
}

#[test]
fn a_sound_sheet_gets_no_finding() {
    let findings = findings_of(&good_sheet());
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn the_shipped_rulebooks_write_out_the_defaults() -> Result<(), Box<dyn std::error::Error>> {
    for (name, _) in crate::rulebook::SHIPPED {
        let rulebook = Rulebook::shipped(name).ok_or("missing")??;
        assert_eq!(
            rulebook.target_review,
            TargetReviewRules::default(),
            "{name}"
        );
    }
    Ok(())
}

#[test]
fn a_province_changes_one_list_and_one_severity_and_keeps_the_rest()
-> Result<(), Box<dyn std::error::Error>> {
    let text = crate::rulebook::NATIONAL_DEFAULT;
    let start = text.find("\n[target_review]").ok_or("no section")?;
    let province = format!(
        "{}\n[target_review]\nvague_words = [\"提高\", \"尚可\"]\n\n[target_review.severity]\nascii_operator = \"error\"\n",
        &text[..start]
    );
    let rulebook = Rulebook::parse(&province)?;
    let rules = &rulebook.target_review;
    assert_eq!(rules.vague_words, ["提高", "尚可"]);
    assert_eq!(rules.objects, TargetReviewRules::default().objects);
    assert_eq!(
        rules.severity_of(FindingCode::AsciiOperator),
        Severity::Error
    );
    assert_eq!(rules.severity_of(FindingCode::EmptyRow), Severity::Warning);
    let mut sheet = good_sheet();
    sheet.indicators[5].value = "尚可".into();
    let codes = review(&rulebook, &sheet)?
        .iter()
        .map(|f| f.code)
        .collect::<Vec<_>>();
    assert_eq!(codes, [FindingCode::VagueValue]);
    let typo = format!(
        "{}\n[target_review.severity]\nvague = \"error\"\n",
        &text[..start]
    );
    assert!(Rulebook::parse(&typo).is_err());
    Ok(())
}

#[test]
fn findings_serialize_as_the_api_sends_them() -> Result<(), serde_json::Error> {
    let mut sheet = good_sheet();
    sheet.indicators[0].value = "≤300人".into();
    let findings = findings_of(&sheet);
    let json = serde_json::to_value(&findings)?;
    assert_eq!(json[0]["code"], "wrong_direction");
    assert_eq!(json[0]["severity"], "error");
    assert_eq!(json[0]["row"], 1);
    assert_eq!(json[0]["indicator"], "关爱服务留守儿童人数");
    assert_eq!(
        json[0]["message"],
        "“关爱服务留守儿童人数”越多越好，不应使用“≤”：请改为“≥300人”"
    );
    let input: SheetUnderReview = serde_json::from_str(
        r#"{"year":2020,"overall_goal":"a","annual_goal":"b","indicators":[{"level1":"产出指标","level2":"数量指标","name":"x","value":"≥1人","points":12.5},{"name":"y","value":"1","points":"7"}]}"#,
    )?;
    assert_eq!(input.indicators[0].points_x100, Some(1250));
    assert_eq!(input.indicators[1].points_x100, Some(700));
    assert_eq!(input.amount_fen, None);
    Ok(())
}
