//! The scoring rules against the worked examples and every variant, and properties of sheets.
use super::*;
use proptest::prelude::*;

fn item(level1: &str, name: &str, op: &str, target: &str, points: &str, actual: &str) -> ItemInput {
    ItemInput {
        level1: level1.to_owned(),
        name: name.to_owned(),
        op: op.to_owned(),
        target: target.to_owned(),
        points: points.to_owned(),
        actual: actual.to_owned(),
        ..ItemInput::default()
    }
}

/// The worked example (national default, ratio rule).
fn worked_example() -> (BudgetBlock, Vec<ItemInput>) {
    let budget = BudgetBlock {
        initial_fen: 200_000_000,
        full_year_fen: 200_000_000,
        executed_fen: 180_000_000,
    };
    let mut benefit = item("效益指标", "培训效果", "qualitative", "效果明显", "30", "");
    benefit.band = "部分达成".to_owned();
    benefit.band_percent = "70".to_owned();
    let items = vec![
        item("产出指标", "培训人次", ">=", "500", "20", "450"),
        item("产出指标", "合格率", ">=", "95", "15", "98"),
        item("产出指标", "人均培训成本", "<=", "2000", "15", "2500"),
        benefit,
        item("满意度指标", "学员满意度", ">=", "90", "10", "85"),
    ];
    (budget, items)
}

#[test]
fn the_worked_example_scores_exactly_by_the_ratio_rule() -> Result<(), Vec<RowError>> {
    let (budget, items) = worked_example();
    let scored = score(&ScoringRules::default(), &budget, &items)?;
    assert_eq!(scored.execution.score_x100, 900);
    assert_eq!(scored.execution.rate_bp, 9_000);
    let finals: Vec<i64> = scored.items.iter().map(|s| s.final_x100).collect();
    assert_eq!(finals, vec![1800, 1500, 1200, 2100, 944]);
    assert_eq!(scored.total_x100, 8444);
    assert_eq!(scored.grade, "良");
    assert!(scored.findings.is_empty(), "{:?}", scored.findings);
    let missed: Vec<bool> = scored.items.iter().map(|s| s.missed).collect();
    assert_eq!(missed, vec![true, false, true, true, true]);
    Ok(())
}

#[test]
fn the_worked_example_scores_exactly_by_the_linear_rule() -> Result<(), Vec<RowError>> {
    let (budget, items) = worked_example();
    let rules = ScoringRules {
        at_most_rule: AtMostRule::Linear,
        ..ScoringRules::default()
    };
    let scored = score(&rules, &budget, &items)?;
    assert_eq!(scored.items[2].final_x100, 1125);
    assert_eq!(scored.total_x100, 8369);
    assert_eq!(scored.grade, "良");
    Ok(())
}

#[test]
fn linear_reaches_zero_at_twice_the_target_and_ratio_does_not() -> Result<(), Vec<RowError>> {
    let items = vec![item("产出指标", "成本", "<=", "2000", "90", "4000")];
    let budget = BudgetBlock::default();
    let linear = ScoringRules {
        at_most_rule: AtMostRule::Linear,
        ..ScoringRules::default()
    };
    assert_eq!(score(&linear, &budget, &items)?.items[0].final_x100, 0);
    assert_eq!(
        score(&ScoringRules::default(), &budget, &items)?.items[0].final_x100,
        4500
    );
    let beyond = vec![item("产出指标", "成本", "<=", "2000", "90", "9000")];
    assert_eq!(score(&linear, &budget, &beyond)?.items[0].final_x100, 0);
    Ok(())
}

#[test]
fn execution_can_carry_twenty_points() -> Result<(), Vec<RowError>> {
    let rules = ScoringRules {
        execution_points: 20,
        level1_points: vec![],
        ..ScoringRules::default()
    };
    let budget = BudgetBlock {
        initial_fen: 100,
        full_year_fen: 200,
        executed_fen: 180,
    };
    let items = vec![
        item("产出指标", "数量", ">=", "10", "40", "10"),
        item("效益指标", "效益", ">=", "10", "40", "5"),
    ];
    let scored = score(&rules, &budget, &items)?;
    assert_eq!(scored.execution.score_x100, 1800);
    assert_eq!(scored.total_x100, 1800 + 4000 + 2000);
    assert!(scored.findings.is_empty());
    // Overspending does not earn more than the points.
    let over = BudgetBlock {
        executed_fen: 300,
        ..budget
    };
    assert_eq!(score(&rules, &over, &items)?.execution.score_x100, 2000);
    Ok(())
}

#[test]
fn qualitative_bands_bound_the_share_and_the_fifty_percent_variant_widens_them() {
    let budget = BudgetBlock::default();
    let mut q = item("效益指标", "社会效益", "qualitative", "效果明显", "90", "");
    q.band = "部分达成".to_owned();
    q.band_percent = "55".to_owned();
    let refused = score(&ScoringRules::default(), &budget, std::slice::from_ref(&q));
    assert!(matches!(&refused, Err(e) if e[0].field == "band_percent"));
    let mut rules = ScoringRules::default();
    rules.qualitative_bands[1].low_percent = 50;
    rules.qualitative_bands[2].high_percent = 50;
    let scored = score(&rules, &budget, &[q]).map(|s| s.items[0].final_x100);
    assert_eq!(scored, Ok(4950));
}

#[test]
fn a_qualitative_word_from_a_table_finds_its_band() -> Result<(), Vec<RowError>> {
    let mut q = item(
        "效益指标",
        "社会效益",
        "qualitative",
        "效果明显",
        "90",
        "达成预期指标",
    );
    q.band_percent = "100".to_owned();
    let scored = score(&ScoringRules::default(), &BudgetBlock::default(), &[q])?;
    assert_eq!(scored.items[0].band.as_deref(), Some("达成"));
    assert!(!scored.items[0].missed);
    assert_eq!(scored.items[0].final_x100, 9000);
    Ok(())
}

#[test]
fn not_applicable_indicators_are_dropped_and_the_rest_rescaled_to_100() -> Result<(), Vec<RowError>>
{
    let (budget, mut items) = worked_example();
    // Drop 合格率 (15 points): the other 85 points become 100.
    items[1].not_applicable = true;
    let scored = score(&ScoringRules::default(), &budget, &items)?;
    assert_eq!(scored.items[1].final_x100, 0);
    assert_eq!(scored.items[1].computed_x100, None);
    // 10 × 100/85 × 0.9 = 10.588… → 10.59
    assert_eq!(scored.execution.score_x100, 1059);
    assert_eq!(scored.execution.points_x100, 1176);
    // 20 × 100/85 × 0.9 = 21.176… → 21.18
    assert_eq!(scored.items[0].final_x100, 2118);
    assert_eq!(scored.items[0].effective_points_x100, 2353);
    let sum: i64 =
        scored.execution.score_x100 + scored.items.iter().map(|s| s.final_x100).sum::<i64>();
    assert_eq!(scored.total_x100, sum);
    Ok(())
}

#[test]
fn equal_indicators_follow_the_rulebook() -> Result<(), Vec<RowError>> {
    let items = vec![item("产出指标", "验收合格率", "=", "100", "90", "95")];
    let budget = BudgetBlock::default();
    assert_eq!(
        score(&ScoringRules::default(), &budget, &items)?.items[0].final_x100,
        8550
    );
    let exact = ScoringRules {
        equal_rule: EqualRule::Exact,
        ..ScoringRules::default()
    };
    assert_eq!(score(&exact, &budget, &items)?.items[0].final_x100, 0);
    Ok(())
}

#[test]
fn manual_scores_need_a_reason_and_stay_within_the_points() -> Result<(), Vec<RowError>> {
    let (budget, mut items) = worked_example();
    items[0].manual_score = "20.01".to_owned();
    items[0].manual_reason = "口径调整".to_owned();
    assert!(
        matches!(score(&ScoringRules::default(), &budget, &items), Err(e) if e[0].field == "manual_score")
    );
    items[0].manual_score = "19".to_owned();
    items[0].manual_reason = String::new();
    assert!(
        matches!(score(&ScoringRules::default(), &budget, &items), Err(e) if e[0].field == "manual_reason")
    );
    items[0].manual_reason = "培训人次统计口径调整，补录50人".to_owned();
    let scored = score(&ScoringRules::default(), &budget, &items)?;
    assert_eq!(scored.items[0].computed_x100, Some(1800));
    assert_eq!(scored.items[0].final_x100, 1900);
    assert_eq!(scored.total_x100, 8544);
    Ok(())
}

#[test]
fn bad_numbers_are_reported_by_row() {
    let items = vec![
        item("产出指标", "人次", ">=", "500", "20", "四百五十"),
        item("产出指标", "率", ">=", "九十五", "十五", "98"),
    ];
    let Err(errors) = score(&ScoringRules::default(), &BudgetBlock::default(), &items) else {
        panic!("accepted");
    };
    let fields: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.field.as_str())).collect();
    assert!(fields.contains(&(1, "actual")));
    assert!(fields.contains(&(2, "points")));
    assert!(fields.contains(&(2, "target")));
    assert!(errors[0].message.starts_with("第1行"));
}

#[test]
fn points_not_adding_up_are_found() -> Result<(), Vec<RowError>> {
    let items = vec![item("产出指标", "人次", ">=", "500", "80", "500")];
    let scored = score(&ScoringRules::default(), &BudgetBlock::default(), &items)?;
    let codes: Vec<&str> = scored.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"points_not_100"));
    let level1 = level1_findings(&ScoringRules::default(), &items);
    assert_eq!(level1.len(), 1);
    assert!(
        level1[0]
            .message
            .contains("产出指标分值合计为80.00分，规则为50分")
    );
    Ok(())
}

#[test]
fn grades_follow_the_bands_with_inclusive_lower_bounds() {
    let rules = ScoringRules::default();
    assert_eq!(rules.grade(9000), "优");
    assert_eq!(rules.grade(8999), "良");
    assert_eq!(rules.grade(8000), "良");
    assert_eq!(rules.grade(6000), "中");
    assert_eq!(rules.grade(5999), "差");
    assert_eq!(rules.grade(0), "差");
    assert!(rules.problems().is_empty());
}

#[test]
fn table_wording_finds_the_band_worst_first() {
    let rules = ScoringRules::default();
    let band = |t: &str| rules.band_of_text(t).map(|b| b.name.clone());
    assert_eq!(band("部分达成预期指标").as_deref(), Some("部分达成"));
    assert_eq!(band("达成预期指标，效果明显").as_deref(), Some("达成"));
    assert_eq!(band("未达成预期指标").as_deref(), Some("未达成"));
    assert_eq!(band(" 效果明显 ").as_deref(), Some("达成"));
    assert_eq!(band("待定"), None);
    assert_eq!(band(""), None);
}

#[test]
fn target_points_are_scaled_to_the_indicator_share_exactly() {
    assert_eq!(
        table_points(&[2000, 1500, 1500, 3000, 1000], 9000),
        vec![2000, 1500, 1500, 3000, 1000]
    );
    assert_eq!(
        table_points(&[5000, 3000, 2000], 9000),
        vec![4500, 2700, 1800]
    );
    let odd = table_points(&[3333, 3333, 3334], 9000);
    assert_eq!(odd.iter().sum::<i64>(), 9000);
    assert_eq!(odd, vec![3000, 3000, 3000]);
    let thirds = table_points(&[1000, 1000, 1000], 8000);
    assert_eq!(thirds, vec![2667, 2667, 2666]);
}

proptest! {
    #[test]
    fn no_item_scores_above_its_points_and_the_total_is_the_sum(
        rows in proptest::collection::vec((0u8..3, 1i64..100_000, 0i64..200_000, 0i64..=3000), 1..12),
        full_year in 0i64..1_000_000_000,
        executed in 0i64..2_000_000_000,
        linear in any::<bool>(),
    ) {
        let rules = ScoringRules {
            at_most_rule: if linear { AtMostRule::Linear } else { AtMostRule::Ratio },
            ..ScoringRules::default()
        };
        let items: Vec<ItemInput> = rows
            .iter()
            .map(|(op, target, actual, points)| {
                item(
                    "产出指标",
                    "x",
                    [">=", "<=", "="][usize::from(*op)],
                    &format!("{}.{:02}", target / 100, target % 100),
                    &format_score(*points),
                    &format!("{}.{:02}", actual / 100, actual % 100),
                )
            })
            .collect();
        let budget = BudgetBlock { initial_fen: full_year, full_year_fen: full_year, executed_fen: executed };
        let scored = score(&rules, &budget, &items).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        for s in &scored.items {
            prop_assert!(s.final_x100 >= 0 && s.final_x100 <= s.effective_points_x100);
        }
        prop_assert!(scored.execution.score_x100 <= scored.execution.points_x100);
        let sum = scored.execution.score_x100 + scored.items.iter().map(|s| s.final_x100).sum::<i64>();
        prop_assert_eq!(scored.total_x100, sum);
    }
}
