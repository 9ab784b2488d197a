//! Self-evaluation scoring (单位自评计分, 财预〔2020〕10号 practice): the rulebook's scoring rules
//! and their variants, the score of every item and of the sheet, the grade, and the consistency
//! findings on a published table. All arithmetic is exact: values are decimals, every item's score
//! is rounded half-up to hundredths of a point, and the total is the sum of the rounded items.

pub mod actual_words;

pub use actual_words::ActualWords;

use crate::monitoring::parse_decimal;
use crate::target::{Operator, RowError};
use serde::{Deserialize, Serialize};

/// Hundredths of a point in a whole sheet (100 points).
pub const FULL_MARKS_X100: i64 = 10_000;

/// How a `≤` indicator that was exceeded is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AtMostRule {
    /// points × target / actual.
    Ratio,
    /// points × (1 − (actual − target) / target), zero at twice the target.
    Linear,
}

/// How an `=` indicator that was missed is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EqualRule {
    /// points × smaller / larger of actual and target.
    Ratio,
    /// Full points only when met exactly, else none.
    Exact,
}

/// A band of a qualitative indicator's grading (达成 / 部分达成 / 未达成).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualitativeBand {
    /// Name users read: 达成.
    pub name: String,
    /// Lowest share of the points, in percent (inclusive).
    pub low_percent: u32,
    /// Highest share of the points, in percent (inclusive).
    pub high_percent: u32,
    /// Words in published tables that mean this band (达成预期指标, 效果明显 …).
    #[serde(default)]
    pub words: Vec<String>,
}

/// The points of a level-1 indicator in a self-evaluation sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level1Points {
    /// e.g. 产出指标.
    pub level1: String,
    /// Points.
    pub points: u32,
}

/// A grade and its lower bound (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeBand {
    /// 优 / 良 / 中 / 差.
    pub grade: String,
    /// Lowest total, in points, for this grade.
    pub min_points: u32,
}

/// The self-evaluation scoring rules of a rulebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringRules {
    /// Points of budget execution (预算执行率); the indicators carry the rest of 100.
    pub execution_points: u32,
    /// Points of each level-1 indicator (checked on sheets, not forced).
    #[serde(default)]
    pub level1_points: Vec<Level1Points>,
    /// The `≤` rule.
    pub at_most_rule: AtMostRule,
    /// The `=` rule.
    #[serde(default = "default_equal_rule")]
    pub equal_rule: EqualRule,
    /// Qualitative bands, best first.
    pub qualitative_bands: Vec<QualitativeBand>,
    /// Grades, best first.
    pub grades: Vec<GradeBand>,
    /// How a published table's 实际完成值 in words is read (completion words, their opposites,
    /// filler).
    #[serde(default)]
    pub actual_words: ActualWords,
}

fn default_equal_rule() -> EqualRule {
    EqualRule::Ratio
}

impl Default for ScoringRules {
    fn default() -> ScoringRules {
        let band = |name: &str, low, high, words: &[&str]| QualitativeBand {
            name: name.to_owned(),
            low_percent: low,
            high_percent: high,
            words: words.iter().map(|w| (*w).to_owned()).collect(),
        };
        ScoringRules {
            execution_points: 10,
            level1_points: [("产出指标", 50), ("效益指标", 30), ("满意度指标", 10)]
                .into_iter()
                .map(|(level1, points)| Level1Points {
                    level1: level1.to_owned(),
                    points,
                })
                .collect(),
            at_most_rule: AtMostRule::Ratio,
            equal_rule: EqualRule::Ratio,
            qualitative_bands: vec![
                band(
                    "达成",
                    80,
                    100,
                    &["达成预期指标", "达成目标", "效果明显", "达到", "是"],
                ),
                band(
                    "部分达成",
                    60,
                    80,
                    &[
                        "部分达成预期指标",
                        "部分达成",
                        "有一定效果",
                        "基本达到",
                        "基本达成",
                        "基本完成",
                        "部分完成",
                    ],
                ),
                band(
                    "未达成",
                    0,
                    60,
                    &["未达成预期指标", "效果较差", "未达到", "否"],
                ),
            ],
            grades: [("优", 90), ("良", 80), ("中", 60), ("差", 0)]
                .into_iter()
                .map(|(grade, min_points)| GradeBand {
                    grade: grade.to_owned(),
                    min_points,
                })
                .collect(),
            actual_words: ActualWords::default(),
        }
    }
}

impl ScoringRules {
    /// What is wrong with these rules, in Chinese.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.execution_points >= 100 {
            problems.push("预算执行率分值应小于100".to_owned());
        }
        let level1_total: u32 = self.level1_points.iter().map(|l| l.points).sum();
        if !self.level1_points.is_empty() && level1_total + self.execution_points != 100 {
            problems.push(format!(
                "预算执行率分值与各一级指标分值合计为{}，应为100",
                level1_total + self.execution_points
            ));
        }
        if self.qualitative_bands.is_empty() {
            problems.push("至少需要一个定性指标评分档次".to_owned());
        }
        for band in &self.qualitative_bands {
            if band.low_percent > band.high_percent || band.high_percent > 100 {
                problems.push(format!("定性指标档次“{}”的区间有误", band.name));
            }
        }
        if self.grades.last().is_none_or(|g| g.min_points != 0)
            || self
                .grades
                .windows(2)
                .any(|w| w[0].min_points <= w[1].min_points)
        {
            problems.push("评价等级应从高到低排列，且最低等级的下限为0".to_owned());
        }
        problems.extend(self.actual_words.problems());
        problems
    }

    /// The grade of a total (in hundredths of a point).
    pub fn grade(&self, total_x100: i64) -> &str {
        self.grades
            .iter()
            .find(|g| total_x100 >= i64::from(g.min_points) * 100)
            .map_or("", |g| g.grade.as_str())
    }

    /// The band named `name`, or whose words include `text`.
    pub fn band(&self, text: &str) -> Option<&QualitativeBand> {
        let text = text.trim();
        self.qualitative_bands
            .iter()
            .find(|b| b.name == text)
            .or_else(|| {
                self.qualitative_bands
                    .iter()
                    .find(|b| b.words.iter().any(|w| w == text))
            })
    }

    /// The band a table's wording means: an exact name or word, else the worst band one of whose
    /// names or words the text contains (部分达成预期指标 is 部分达成, not 达成).
    pub fn band_of_text(&self, text: &str) -> Option<&QualitativeBand> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if text.is_empty() {
            return None;
        }
        self.band(&text).or_else(|| {
            self.qualitative_bands.iter().rev().find(|b| {
                text.contains(b.name.as_str()) || b.words.iter().any(|w| text.contains(w.as_str()))
            })
        })
    }

    /// Points the indicators carry together.
    pub fn indicator_points_x100(&self) -> i64 {
        FULL_MARKS_X100 - i64::from(self.execution_points) * 100
    }
}

/// The budget block of a sheet (年初预算数, 全年预算数, 全年执行数), in fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetBlock {
    /// 年初预算数.
    pub initial_fen: i64,
    /// 全年预算数 (after adjustments).
    pub full_year_fen: i64,
    /// 全年执行数.
    pub executed_fen: i64,
}

/// One indicator of a sheet to score.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemInput {
    /// 一级指标.
    pub level1: String,
    /// 二级指标.
    pub level2: String,
    /// 三级指标.
    pub name: String,
    /// `>=`, `<=`, `=`, `qualitative`.
    pub op: String,
    /// 年度指标值: a number, or for a qualitative indicator its description.
    pub target: String,
    /// Unit.
    pub unit: String,
    /// 分值, up to two decimals.
    pub points: String,
    /// 实际完成值: a number for a quantitative indicator.
    pub actual: String,
    /// For a qualitative indicator: the band graded (达成 / 部分达成 / 未达成).
    pub band: String,
    /// For a qualitative indicator: the share of the points given within the band, in percent.
    pub band_percent: String,
    /// The indicator does not apply this year; it is left out and the rest rescaled.
    pub not_applicable: bool,
    /// A score set by hand instead of the computed one.
    pub manual_score: String,
    /// Why the score was set by hand (required with it).
    pub manual_reason: String,
    /// 偏差原因分析.
    pub deviation_reason: String,
    /// 改进措施.
    pub improvement: String,
}

/// The score of one indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemScore {
    /// Points as given.
    pub points_x100: i64,
    /// Points after rescaling for indicators that do not apply, rounded for display.
    pub effective_points_x100: i64,
    /// The rule's score; `None` when the indicator does not apply.
    pub computed_x100: Option<i64>,
    /// The score set by hand, if any.
    pub manual_x100: Option<i64>,
    /// The score that counts (manual when set, else computed; 0 when not applicable).
    pub final_x100: i64,
    /// The target was not reached in full (a deviation reason is expected).
    pub missed: bool,
    /// The band, for a qualitative indicator.
    pub band: Option<String>,
}

/// The execution item's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionScore {
    /// Points (after rescaling).
    pub points_x100: i64,
    /// Execution rate in basis points (10000 = 100%), rounded half-up.
    pub rate_bp: i64,
    /// Score.
    pub score_x100: i64,
}

/// A scored sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetScore {
    /// Budget execution.
    pub execution: ExecutionScore,
    /// Each indicator, in order.
    pub items: Vec<ItemScore>,
    /// Sum of the rounded items.
    pub total_x100: i64,
    /// Grade by the rulebook's bands.
    pub grade: String,
    /// Consistency findings (problems that do not stop scoring).
    pub findings: Vec<Finding>,
}

/// Something a reviewer should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Machine code: `points_not_100`, `score_above_points`, `points_not_sum`, `item_differs`,
    /// `total_differs`, `level1_points`, `deviation_reason_missing`; on imported tables also
    /// `execution_points`, `met_target_docked`, `actual_interpreted`, `score_taken_from_sheet`,
    /// `rulebook_mismatch`, `rulebook_unmatched`, and against the records (decision 0046)
    /// `record_value_differs`, `record_value_missing`.
    pub code: String,
    /// Row from 1 among the indicators; `None` for the sheet.
    pub row: Option<usize>,
    /// What, in Chinese.
    pub message: String,
}

/// Rounds `num / den` (both non-negative, `den > 0`) half-up to an integer.
fn round_half_up(num: i128, den: i128) -> i64 {
    let q = (2 * num + den) / (2 * den);
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// A decimal ×10⁴ as text; `None` for anything else.
fn decimal(text: &str) -> Option<i128> {
    let cleaned = text.trim().trim_end_matches('%').trim();
    parse_decimal(cleaned)
}

/// The share of the points an indicator earns, as a fraction `num / den` in 0..=1.
fn share(rules: &ScoringRules, op: Operator, target: i128, actual: i128) -> (i128, i128) {
    let full = (1, 1);
    let none = (0, 1);
    match op {
        Operator::AtLeast => {
            if actual >= target || target <= 0 {
                full
            } else if actual <= 0 {
                none
            } else {
                (actual, target)
            }
        }
        Operator::AtMost => {
            if actual <= target {
                full
            } else if target <= 0 {
                none
            } else {
                match rules.at_most_rule {
                    AtMostRule::Ratio => (target, actual),
                    AtMostRule::Linear => {
                        let over = actual - target;
                        if over >= target {
                            none
                        } else {
                            (target - over, target)
                        }
                    }
                }
            }
        }
        Operator::Equal => {
            if actual == target {
                full
            } else {
                match rules.equal_rule {
                    EqualRule::Exact => none,
                    EqualRule::Ratio => {
                        let (small, large) = (actual.min(target), actual.max(target));
                        if small <= 0 { none } else { (small, large) }
                    }
                }
            }
        }
        Operator::Qualitative => none,
    }
}

fn row_error(row: usize, field: &str, message: impl std::fmt::Display) -> RowError {
    RowError {
        row,
        field: field.to_owned(),
        message: if row == 0 {
            message.to_string()
        } else {
            format!("第{row}行：{message}")
        },
    }
}

/// Formats hundredths of a point with two decimals: `844` → `8.44`.
pub fn format_score(x100: i64) -> String {
    format!("{}.{:02}", x100 / 100, (x100 % 100).abs())
}

/// Executed ÷ full-year budget in basis points, rounded half-up (0 without a budget).
pub fn execution_rate_bp(budget: &BudgetBlock) -> i64 {
    if budget.full_year_fen <= 0 {
        0
    } else {
        round_half_up(
            i128::from(budget.executed_fen.max(0)) * 10_000,
            i128::from(budget.full_year_fen),
        )
    }
}

/// Scales a target sheet's indicator points to the points the indicators carry in a
/// self-evaluation (e.g. 100 → 90 when execution is worth 10), keeping two decimals and the exact
/// total (largest remainders take the odd hundredths). Points already adding up are kept.
pub fn table_points(points_x100: &[i64], indicators_x100: i64) -> Vec<i64> {
    let total: i64 = points_x100.iter().sum();
    if total <= 0 || total == indicators_x100 {
        return points_x100.to_vec();
    }
    let exact: Vec<(i64, i128)> = points_x100
        .iter()
        .map(|p| {
            let scaled = i128::from(*p) * i128::from(indicators_x100);
            (
                i64::try_from(scaled / i128::from(total)).unwrap_or(0),
                scaled % i128::from(total),
            )
        })
        .collect();
    let mut scaled: Vec<i64> = exact.iter().map(|(q, _)| *q).collect();
    let mut short = indicators_x100 - scaled.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for i in order {
        if short <= 0 {
            break;
        }
        scaled[i] += 1;
        short -= 1;
    }
    scaled
}

/// Scores a sheet. Refuses (with every problem, by row) numbers that are not numbers, unknown
/// operators or bands, a band share outside its band, and a manual score outside 0–points or
/// without a reason.
pub fn score(
    rules: &ScoringRules,
    budget: &BudgetBlock,
    items: &[ItemInput],
) -> Result<SheetScore, Vec<RowError>> {
    let mut errors = Vec::new();
    if budget.full_year_fen < 0 || budget.executed_fen < 0 || budget.initial_fen < 0 {
        errors.push(row_error(0, "budget", "预算数和执行数不能为负数"));
    }
    struct Parsed {
        op: Operator,
        points_x100: i64,
    }
    let mut parsed = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let row = i + 1;
        let op = Operator::parse(&item.op);
        if op.is_none() {
            errors.push(row_error(
                row,
                "op",
                format!("无法识别的运算符“{}”", item.op),
            ));
        }
        let points = crate::target::parse_points(&item.points).filter(|p| *p >= 0);
        if points.is_none() {
            errors.push(row_error(
                row,
                "points",
                format!("分值“{}”应为不小于0的数，最多两位小数", item.points),
            ));
        }
        parsed.push(Parsed {
            op: op.unwrap_or(Operator::Qualitative),
            points_x100: points.unwrap_or(0),
        });
    }
    let execution_x100 = i64::from(rules.execution_points) * 100;
    let applicable_x100: i64 = execution_x100
        + items
            .iter()
            .zip(&parsed)
            .filter(|(item, _)| !item.not_applicable)
            .map(|(_, p)| p.points_x100)
            .sum::<i64>();
    let rescale = items.iter().any(|i| i.not_applicable) && applicable_x100 > 0;
    // Effective points are points × fn / fd.
    let (fnum, fden): (i128, i128) = if rescale {
        (i128::from(FULL_MARKS_X100), i128::from(applicable_x100))
    } else {
        (1, 1)
    };
    let effective = |points_x100: i64, num: i128, den: i128| -> i64 {
        round_half_up(i128::from(points_x100) * fnum * num, fden * den)
    };

    let (exec_num, exec_den) = if budget.full_year_fen <= 0 {
        (1, 1)
    } else {
        (
            i128::from(budget.executed_fen.min(budget.full_year_fen).max(0)),
            i128::from(budget.full_year_fen),
        )
    };
    let execution = ExecutionScore {
        points_x100: effective(execution_x100, 1, 1),
        rate_bp: execution_rate_bp(budget),
        score_x100: effective(execution_x100, exec_num, exec_den),
    };

    let mut scores = Vec::with_capacity(items.len());
    for (i, (item, p)) in items.iter().zip(&parsed).enumerate() {
        let row = i + 1;
        let effective_points_x100 = effective(p.points_x100, 1, 1);
        let manual_x100 = if item.manual_score.trim().is_empty() {
            None
        } else {
            match crate::target::parse_points(&item.manual_score) {
                Some(m) if (0..=effective_points_x100).contains(&m) => {
                    if item.manual_reason.trim().is_empty() {
                        errors.push(row_error(row, "manual_reason", "手工调整得分须写明理由"));
                    }
                    Some(m)
                }
                _ => {
                    errors.push(row_error(
                        row,
                        "manual_score",
                        format!(
                            "手工得分“{}”应在0至{}分之间",
                            item.manual_score,
                            format_score(effective_points_x100)
                        ),
                    ));
                    None
                }
            }
        };
        if item.not_applicable {
            scores.push(ItemScore {
                points_x100: p.points_x100,
                effective_points_x100: 0,
                computed_x100: None,
                manual_x100: None,
                final_x100: 0,
                missed: false,
                band: None,
            });
            continue;
        }
        let (computed, missed, band) = if p.op == Operator::Qualitative {
            match score_qualitative(rules, item, row, p.points_x100, fnum, fden) {
                Ok((score, band, top)) => (score, !top, Some(band)),
                Err(e) => {
                    errors.push(e);
                    (0, false, None)
                }
            }
        } else {
            let target = decimal(&item.target);
            let actual = decimal(&item.actual);
            if target.is_none() {
                errors.push(row_error(
                    row,
                    "target",
                    format!("年度指标值“{}”不是数字", item.target),
                ));
            }
            if actual.is_none() {
                errors.push(row_error(
                    row,
                    "actual",
                    if item.actual.trim().is_empty() {
                        "请填写实际完成值".to_owned()
                    } else {
                        format!("实际完成值“{}”不是数字", item.actual)
                    },
                ));
            }
            match (target, actual) {
                (Some(target), Some(actual)) => {
                    let (num, den) = share(rules, p.op, target, actual);
                    (effective(p.points_x100, num, den), num < den, None)
                }
                _ => (0, false, None),
            }
        };
        scores.push(ItemScore {
            points_x100: p.points_x100,
            effective_points_x100,
            computed_x100: Some(computed),
            manual_x100,
            final_x100: manual_x100.unwrap_or(computed),
            missed,
            band,
        });
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(errors);
    }
    let total_x100 = execution.score_x100 + scores.iter().map(|s| s.final_x100).sum::<i64>();
    let mut findings = Vec::new();
    let points_total: i64 = execution_x100 + parsed.iter().map(|p| p.points_x100).sum::<i64>();
    if points_total != FULL_MARKS_X100 {
        findings.push(Finding {
            code: "points_not_100".to_owned(),
            row: None,
            message: format!(
                "预算执行率与各指标分值合计为{}分，不等于100分",
                format_score(points_total)
            ),
        });
    }
    Ok(SheetScore {
        grade: rules.grade(total_x100).to_owned(),
        execution,
        items: scores,
        total_x100,
        findings,
    })
}

/// Level-1 points that differ from the rulebook's (e.g. 产出 45 where it says 50): findings on a
/// published table. Stored sheets inherit their points from the approved targets and are not
/// held to them.
pub fn level1_findings(rules: &ScoringRules, items: &[ItemInput]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for wanted in &rules.level1_points {
        let sum: i64 = items
            .iter()
            .filter(|item| item.level1.trim() == wanted.level1)
            .filter_map(|item| crate::target::parse_points(&item.points))
            .sum();
        if sum != 0 && sum != i64::from(wanted.points) * 100 {
            findings.push(Finding {
                code: "level1_points".to_owned(),
                row: None,
                message: format!(
                    "{}分值合计为{}分，规则为{}分",
                    wanted.level1,
                    format_score(sum),
                    wanted.points
                ),
            });
        }
    }
    findings
}

/// A qualitative indicator: its band, and the share within it the evaluator picked. Returns the
/// score, the band's name and whether it is the top band.
fn score_qualitative(
    rules: &ScoringRules,
    item: &ItemInput,
    row: usize,
    points_x100: i64,
    fnum: i128,
    fden: i128,
) -> Result<(i64, String, bool), RowError> {
    let Some(band) = rules.band(&item.band).or_else(|| rules.band(&item.actual)) else {
        let names: Vec<&str> = rules
            .qualitative_bands
            .iter()
            .map(|b| b.name.as_str())
            .collect();
        return Err(row_error(
            row,
            "band",
            format!("定性指标请评定档次（{}）", names.join("、")),
        ));
    };
    let Some(percent) = decimal(&item.band_percent) else {
        return Err(row_error(
            row,
            "band_percent",
            format!(
                "请在“{}”档次的{}%至{}%之间确定得分比例",
                band.name, band.low_percent, band.high_percent
            ),
        ));
    };
    let low = i128::from(band.low_percent) * 10_000;
    let high = i128::from(band.high_percent) * 10_000;
    if percent < low || percent > high {
        return Err(row_error(
            row,
            "band_percent",
            format!(
                "“{}”档次的得分比例应在{}%至{}%之间",
                band.name, band.low_percent, band.high_percent
            ),
        ));
    }
    let score = round_half_up(i128::from(points_x100) * fnum * percent, fden * 1_000_000);
    let top = rules
        .qualitative_bands
        .first()
        .is_some_and(|b| b.name == band.name);
    Ok((score, band.name.clone(), top))
}

#[cfg(test)]
mod tests;
