//! The sheet-wide checks: satisfaction present where people are served, points adding up to the
//! rulebook's total, and cost indicators that fit inside the amount requested.

use super::lexicon::Hits;
use super::rows::{Cost, RowFacts};
use super::{FindingCode as Code, Findings, Reviewer, SheetUnderReview, list, value};
use crate::money::format_wan_exact;
use crate::target::format_points;

pub(super) fn review_sheet(
    reviewer: &Reviewer,
    sheet: &SheetUnderReview,
    facts: &RowFacts<'_>,
    hits: &mut Hits,
    out: &mut Findings<'_>,
) {
    let gate = &reviewer.rulebook.gate;
    if let Some(level) = gate.satisfaction_level1.as_deref()
        && facts.satisfaction_rows == 0
        && serves_people(reviewer, sheet, facts, hits)
    {
        out.push(
            Code::SatisfactionMissing,
            None,
            "",
            format!("项目服务对象为群众，应在“{level}”下设置满意度指标，如“服务对象满意度≥90%”"),
        );
    }
    if let Some(total) = gate.points_total
        && facts.any_points
        && facts.points_x100 != i64::from(total) * 100
    {
        out.push(
            Code::WeightsTotal,
            None,
            "",
            format!(
                "指标分值合计应为{total}分，现为{}分：请调整各指标分值",
                format_points(facts.points_x100)
            ),
        );
    }
    if let Some(amount) = sheet.amount_fen.filter(|a| *a > 0) {
        review_costs(reviewer, sheet, &facts.costs, amount, out);
    }
}

fn serves_people(
    reviewer: &Reviewer,
    sheet: &SheetUnderReview,
    facts: &RowFacts<'_>,
    hits: &mut Hits,
) -> bool {
    if let Some(serves) = sheet.serves_people {
        return serves;
    }
    facts.served
        || [&sheet.project_name, &sheet.overall_goal, &sheet.annual_goal]
            .into_iter()
            .any(|text| {
                reviewer.words.scan(text, hits);
                reviewer.words.has(list::SERVED, hits)
            })
}

fn wan(fen: i64) -> String {
    format_wan_exact(fen)
}

/// How the findings name the amount the costs are held against.
fn amount_name(sheet: &SheetUnderReview) -> &'static str {
    if sheet.amount_approved {
        "批复金额"
    } else {
        "项目申报金额"
    }
}

fn review_costs(
    reviewer: &Reviewer,
    sheet: &SheetUnderReview,
    costs: &[Cost<'_>],
    amount: i64,
    out: &mut Findings<'_>,
) {
    let tolerance = i128::from(reviewer.rulebook.target_review.budget_tolerance_percent);
    let over = |fen: i128| fen * 100 > i128::from(amount) * (100 + tolerance);
    let under = |fen: i128| fen * 100 < i128::from(amount) * (100 - tolerance);
    let mut sum: i128 = 0;
    let mut totals = 0;
    let mut exceeded = false;
    for cost in costs.iter().filter(|c| c.per.is_none() && !c.per_by_name) {
        if cost.fen > amount {
            exceeded = true;
            out.push(
                Code::CostExceedsBudget,
                Some(cost.row),
                cost.name,
                format!(
                    "“{}”超过{}{}万元：成本指标不能大于预算，请核实",
                    cost.value,
                    amount_name(sheet),
                    wan(amount)
                ),
            );
        } else if cost.total_named && under(i128::from(cost.fen)) {
            out.push(
                Code::BudgetMismatch,
                Some(cost.row),
                cost.name,
                format!(
                    "“{}”为{}万元，与{}{}万元不一致：请核实",
                    cost.name,
                    wan(cost.fen),
                    amount_name(sheet),
                    wan(amount)
                ),
            );
        }
        sum += i128::from(cost.fen);
        totals += 1;
    }
    if !exceeded && totals > 1 && over(sum) {
        out.push(
            Code::BudgetMismatch,
            None,
            "",
            format!(
                "成本指标合计{}万元，超过{}{}万元：请核实各项成本",
                wan(i64::try_from(sum).unwrap_or(i64::MAX)),
                amount_name(sheet),
                wan(amount)
            ),
        );
    }
    for cost in costs {
        let Some(per) = cost.per else { continue };
        let count = sheet
            .indicators
            .iter()
            .filter_map(|i| {
                let reading = value::read(i.value.trim());
                let unit = if reading.unit.is_empty() {
                    i.unit.as_deref().unwrap_or("").trim()
                } else {
                    reading.unit
                };
                let less = reading
                    .comparison
                    .is_some_and(value::Comparison::wants_less);
                (unit == per && !less).then_some((reading.milli?, i.name.trim()))
            })
            .max_by_key(|(milli, _)| *milli);
        let Some((count_milli, count_name)) = count else {
            continue;
        };
        let needed = i128::from(cost.fen) * i128::from(count_milli) / 1000;
        if over(needed) {
            out.push(
                Code::BudgetMismatch,
                Some(cost.row),
                cost.name,
                format!(
                    "按“{}”{}与“{}”测算需{}万元，超过{}{}万元：请核实成本标准或数量",
                    cost.name,
                    cost.value,
                    count_name,
                    wan(i64::try_from(needed).unwrap_or(i64::MAX)),
                    amount_name(sheet),
                    wan(amount)
                ),
            );
        }
    }
}
