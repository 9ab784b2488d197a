//! Goal findings and the reconciliation of cost indicators with the amount requested.

use super::*;
use FindingCode::*;

fn with_goals(overall: &str, annual: &str) -> Vec<FindingCode> {
    let sheet = SheetUnderReview {
        overall_goal: overall.into(),
        annual_goal: annual.into(),
        ..good_sheet()
    };
    codes_of(&sheet)
}

const OVERALL: &str = "建立农村留守儿童关爱服务体系，到2022年实现全县留守儿童关爱服务全覆盖";
const ANNUAL: &str = "2020年为300名留守儿童提供关爱服务，家长及儿童满意度达到90%以上";

#[test]
fn goals_must_be_stated_and_differ() {
    assert_eq!(with_goals(OVERALL, ""), [GoalMissing]);
    assert_eq!(with_goals("", ANNUAL), [GoalMissing]);
    assert_eq!(with_goals("", "").len(), 2);
    assert_eq!(with_goals(ANNUAL, &format!("{ANNUAL}。")), [GoalIdentical]);
    assert!(with_goals(OVERALL, ANNUAL).is_empty());
}

#[test]
fn goals_from_another_year_are_stale() {
    assert_eq!(
        with_goals(OVERALL, "完成明年的关爱服务任务300人"),
        [GoalStale]
    );
    assert_eq!(
        with_goals(OVERALL, "2019年为300名留守儿童提供关爱服务"),
        [GoalStale]
    );
    assert_eq!(
        with_goals("2016—2018年建立关爱服务体系，覆盖300人", ANNUAL),
        [GoalStale]
    );
    assert_eq!(
        with_goals(OVERALL, "2019年为260名留守儿童提供关爱服务"),
        [GoalStale]
    );
    let sheet = SheetUnderReview {
        annual_goal: "2019年为260名留守儿童提供关爱服务".into(),
        year: 2019,
        ..good_sheet()
    };
    let findings = findings_of(&sheet);
    assert!(
        findings
            .iter()
            .any(|f| f.message == "年度目标与上年完全相同：请按本年度的任务和数量重新填写")
    );
    assert!(with_goals(OVERALL, "关爱服务人数比2019年增长10%，达到300人").is_empty());
    assert!(with_goals("2019—2021年建立关爱服务体系，覆盖300人", ANNUAL).is_empty());
}

#[test]
fn goals_that_only_name_the_activity_are_found() {
    assert_eq!(
        with_goals(OVERALL, "做好农村留守儿童关爱服务工作"),
        [GoalRestatesActivity]
    );
    assert_eq!(
        with_goals(OVERALL, "2020年保障单位正常运转"),
        [GoalRestatesActivity]
    );
    assert_eq!(with_goals("完成项目建设", ANNUAL), [GoalRestatesActivity]);
    assert!(
        with_goals(
            OVERALL,
            "为留守儿童提供学业辅导、心理疏导和亲情陪伴，改善其生活学习状况"
        )
        .is_empty()
    );
}

#[test]
fn cost_indicators_must_fit_the_amount_requested() {
    let cost = |name: &str, value: &str| row_codes("产出指标", "成本指标", name, value);
    assert_eq!(cost("项目总成本", "≤80万元"), [CostExceedsBudget]);
    assert!(cost("项目总成本", "≤50万元").is_empty());
    assert!(
        cost("项目总成本", "≤49万元").is_empty(),
        "within the tolerance"
    );
    assert_eq!(cost("项目总成本", "≤30万元"), [BudgetMismatch]);
    assert!(
        cost("设备购置成本", "≤30万元").is_empty(),
        "a part of the cost"
    );
    let mut sheet = good_sheet();
    sheet.indicators[4].value = "≤2000元/人".into();
    let findings = findings_of(&sheet);
    assert_eq!(
        findings.iter().map(|f| (f.code, f.row)).collect::<Vec<_>>(),
        [(BudgetMismatch, Some(5))]
    );
    assert_eq!(
        findings[0].message,
        "按“人均关爱服务成本”≤2000元/人与“关爱服务留守儿童人数”测算需60万元，超过项目申报金额50万元：请核实成本标准或数量"
    );
    // Held against an approved amount, the finding names it so (decision 0043).
    let approved = SheetUnderReview {
        amount_approved: true,
        ..sheet.clone()
    };
    assert_eq!(
        findings_of(&approved)[0].message,
        "按“人均关爱服务成本”≤2000元/人与“关爱服务留守儿童人数”测算需60万元，超过批复金额50万元：请核实成本标准或数量"
    );
    sheet.indicators[4].value = "≤1700元/人".into();
    assert!(findings_of(&sheet).is_empty(), "51万 is within 5%");
    let mut parts = good_sheet();
    parts.indicators[1] = row("产出指标", "成本指标", "设备购置成本", "≤30万元", 10);
    parts.indicators[2] = row("产出指标", "成本指标", "培训组织成本", "≤30万元", 15);
    assert_eq!(codes_of(&parts), [BudgetMismatch]);
    parts.amount_fen = None;
    assert!(findings_of(&parts).is_empty(), "nothing to reconcile with");
}
