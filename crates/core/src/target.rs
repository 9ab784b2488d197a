//! Target sheets (绩效目标表): the overall and annual goals and the indicator grid, checked row by
//! row when saved. Completeness is the gate's business ([`crate::gate`]); this module refuses
//! only what can never be right (unknown levels or operators, numbers that are not numbers).

use crate::rulebook::Rulebook;
use serde::{Deserialize, Serialize};

/// Most rows a sheet may have.
pub const MAX_ROWS: usize = 100;

/// How an indicator's value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    /// `≥`: more is better.
    AtLeast,
    /// `≤`: less is better.
    AtMost,
    /// `=`: exactly.
    Equal,
    /// Qualitative (定性): a described result.
    Qualitative,
}

impl Operator {
    /// Every operator.
    pub const ALL: [Operator; 4] = [
        Operator::AtLeast,
        Operator::AtMost,
        Operator::Equal,
        Operator::Qualitative,
    ];

    /// The API and stored code: `>=`, `<=`, `=`, `qualitative`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::AtLeast => ">=",
            Operator::AtMost => "<=",
            Operator::Equal => "=",
            Operator::Qualitative => "qualitative",
        }
    }

    /// What users read: `≥`, `≤`, `=`, 定性.
    pub fn label(self) -> &'static str {
        match self {
            Operator::AtLeast => "≥",
            Operator::AtMost => "≤",
            Operator::Equal => "=",
            Operator::Qualitative => "定性",
        }
    }

    /// Parses the code or the symbol users type.
    pub fn parse(text: &str) -> Option<Operator> {
        match text.trim() {
            ">=" | "≥" => Some(Operator::AtLeast),
            "<=" | "≤" => Some(Operator::AtMost),
            "=" | "＝" => Some(Operator::Equal),
            "qualitative" | "定性" => Some(Operator::Qualitative),
            _ => None,
        }
    }

    /// Whether the value is a number with a unit.
    pub fn is_quantitative(self) -> bool {
        self != Operator::Qualitative
    }
}

/// One indicator row as typed (every field text, so a bad row can be shown back as it was).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndicatorInput {
    /// 一级指标.
    pub level1: String,
    /// 二级指标.
    pub level2: String,
    /// 三级指标 (the indicator's name).
    pub name: String,
    /// `>=`, `<=`, `=`, `qualitative` (or ≥ ≤ 定性).
    pub op: String,
    /// The target value: a number, or for a qualitative indicator a description.
    pub value: String,
    /// Unit of measure (个, 人, %, 万元, 天 …).
    pub unit: String,
    /// Points (分值), up to two decimals.
    pub points: String,
    /// Basis of the value (计划/行业/历史/其他标准).
    pub value_basis: String,
    /// Explanation (指标解释).
    pub explanation: String,
    /// Data source (数据来源).
    pub data_source: String,
}

impl IndicatorInput {
    fn is_blank(&self) -> bool {
        [
            &self.level1,
            &self.level2,
            &self.name,
            &self.op,
            &self.value,
            &self.unit,
            &self.points,
            &self.value_basis,
            &self.explanation,
            &self.data_source,
        ]
        .iter()
        .all(|f| f.trim().is_empty())
    }
}

/// One checked indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    /// 一级指标.
    pub level1: String,
    /// 二级指标.
    pub level2: String,
    /// 三级指标.
    pub name: String,
    /// Operator.
    pub op: Operator,
    /// Target value as entered (a decimal number for quantitative indicators, may be empty in a
    /// draft).
    pub value: String,
    /// Unit.
    pub unit: String,
    /// Points in hundredths (`1500` = 15.00 points).
    pub points_x100: i64,
    /// Basis of the value.
    pub value_basis: String,
    /// Explanation.
    pub explanation: String,
    /// Data source.
    pub data_source: String,
}

impl Indicator {
    /// The row as it is shown in a form again.
    pub fn to_input(&self) -> IndicatorInput {
        IndicatorInput {
            level1: self.level1.clone(),
            level2: self.level2.clone(),
            name: self.name.clone(),
            op: self.op.as_str().to_owned(),
            value: self.value.clone(),
            unit: self.unit.clone(),
            points: format_points(self.points_x100),
            value_basis: self.value_basis.clone(),
            explanation: self.explanation.clone(),
            data_source: self.data_source.clone(),
        }
    }
}

/// A checked target sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSheet {
    /// 总体目标.
    pub overall_goal: String,
    /// 年度目标.
    pub annual_goal: String,
    /// The indicator rows, in order.
    pub indicators: Vec<Indicator>,
}

/// A problem with one row (or, with `row == 0`, with the sheet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// Row number from 1 as the user sees it; 0 for the sheet as a whole.
    pub row: usize,
    /// The field, e.g. `value`.
    pub field: String,
    /// What is wrong, in Chinese, starting with the row (第3行：…).
    pub message: String,
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

/// Whether `text` is a plain decimal number (`95`, `0.5`, `-3`, `1,000`).
pub fn is_number(text: &str) -> bool {
    let cleaned: String = text.trim().chars().filter(|c| *c != ',').collect();
    let body = cleaned.strip_prefix('-').unwrap_or(&cleaned);
    let mut parts = body.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty() && digits(whole) && fraction.is_none_or(|f| !f.is_empty() && digits(f))
}

/// Units that count whole things — people, households, posts, times, pieces: a value in one of
/// them is a whole number (126.72人 is not a figure anyone reports).
const COUNT_UNITS: &[&str] = &[
    "人",
    "人次",
    "名",
    "位",
    "户",
    "户次",
    "家",
    "个",
    "次",
    "项",
    "所",
    "处",
    "座",
    "台",
    "套",
    "台（套）",
    "件",
    "场",
    "期",
    "批",
    "份",
    "辆",
    "间",
    "张",
    "篇",
    "本",
    "条",
    "头",
    "只",
];

/// Whether `unit` counts whole things (see [`COUNT_UNITS`]).
pub fn counts_whole_things(unit: &str) -> bool {
    COUNT_UNITS.contains(&unit.trim())
}

/// Parses points with up to two decimals into hundredths.
pub fn parse_points(text: &str) -> Option<i64> {
    crate::money::parse_yuan(text).ok()
}

/// Formats hundredths of a point: `1500` → `15`, `1250` → `12.5`.
pub fn format_points(x100: i64) -> String {
    if x100 % 100 == 0 {
        (x100 / 100).to_string()
    } else {
        let text = format!("{}.{:02}", x100 / 100, x100 % 100);
        text.trim_end_matches('0').to_owned()
    }
}

/// What the rulebook refuses in a sheet's rows, with the gate's codes: a level outside its
/// indicator tree (`level_not_in_tree`), a quantitative target written in words
/// (`value_not_number`). A draft keeps such rows; the gate refuses them at submission and the
/// whole-sheet Excel upload refuses them at once.
pub fn rulebook_row_errors(
    rulebook: &Rulebook,
    sheet: &TargetSheet,
) -> Vec<(&'static str, RowError)> {
    let mut errors = Vec::new();
    for (index, indicator) in sheet.indicators.iter().enumerate() {
        let row = index + 1;
        if rulebook.level1(&indicator.level1).is_none() {
            errors.push((
                "level_not_in_tree",
                row_error(
                    row,
                    "level1",
                    format!("一级指标“{}”不在指标体系中", indicator.level1),
                ),
            ));
        } else if !rulebook.has_level2(&indicator.level1, &indicator.level2) {
            errors.push((
                "level_not_in_tree",
                row_error(
                    row,
                    "level2",
                    format!("二级指标“{}”不属于“{}”", indicator.level2, indicator.level1),
                ),
            ));
        }
        if indicator.op.is_quantitative()
            && !indicator.value.is_empty()
            && !is_number(&indicator.value)
        {
            errors.push((
                "value_not_number",
                row_error(
                    row,
                    "value",
                    format!("定量指标的指标值“{}”不是数字", indicator.value),
                ),
            ));
        }
    }
    errors
}

/// Reads a sheet as typed, as a draft can be stored: blank rows are dropped; what can never be
/// stored (an unknown operator, points that are not 0–100, text over its length) is reported with
/// its row, and nothing is accepted unless every row can be stored. What the rulebook decides —
/// the indicator tree, a number for a quantitative target — is the gate's, at submission
/// ([`crate::gate::check`]), so a draft with such rows is saved and shows its findings.
pub fn parse_sheet(
    overall_goal: &str,
    annual_goal: &str,
    rows: &[IndicatorInput],
) -> Result<TargetSheet, Vec<RowError>> {
    let mut errors = Vec::new();
    if overall_goal.chars().count() > 2000 {
        errors.push(row_error(0, "overall_goal", "总体目标不能超过2000字"));
    }
    if annual_goal.chars().count() > 2000 {
        errors.push(row_error(0, "annual_goal", "年度目标不能超过2000字"));
    }
    let rows: Vec<&IndicatorInput> = rows.iter().filter(|r| !r.is_blank()).collect();
    if rows.len() > MAX_ROWS {
        errors.push(row_error(
            0,
            "indicators",
            format!("绩效指标不能超过{MAX_ROWS}行"),
        ));
    }
    let mut indicators = Vec::with_capacity(rows.len());
    for (index, input) in rows.iter().enumerate() {
        let row = index + 1;
        // A level outside the rulebook's tree and a quantitative value in words are stored as
        // written in a draft: the gate refuses them at submission (issue 20 item 6).
        let level1 = input.level1.trim();
        let level2 = input.level2.trim();
        let op = Operator::parse(&input.op);
        if op.is_none() {
            errors.push(row_error(
                row,
                "op",
                format!("运算符“{}”无效，应为 ≥、≤、= 或 定性", input.op.trim()),
            ));
        }
        let value = input.value.trim();
        let points = match input.points.trim() {
            "" => Some(0),
            text => parse_points(text).filter(|p| *p <= 10_000),
        };
        if points.is_none() {
            errors.push(row_error(
                row,
                "points",
                format!("分值“{}”应为0至100之间的数字", input.points.trim()),
            ));
        }
        for (field, label, text, max) in [
            ("name", "指标名称", &input.name, 100),
            ("value", "指标值", &input.value, 500),
            ("unit", "计量单位", &input.unit, 20),
            ("value_basis", "指标值设定依据", &input.value_basis, 200),
            ("explanation", "指标解释", &input.explanation, 500),
            ("data_source", "数据来源", &input.data_source, 200),
        ] {
            if text.trim().chars().count() > max {
                errors.push(row_error(row, field, format!("{label}不能超过{max}字")));
            }
        }
        if let (Some(op), Some(points_x100)) = (op, points) {
            indicators.push(Indicator {
                level1: level1.to_owned(),
                level2: level2.to_owned(),
                name: input.name.trim().to_owned(),
                op,
                value: value.to_owned(),
                unit: input.unit.trim().to_owned(),
                points_x100,
                value_basis: input.value_basis.trim().to_owned(),
                explanation: input.explanation.trim().to_owned(),
                data_source: input.data_source.trim().to_owned(),
            });
        }
    }
    if errors.is_empty() {
        Ok(TargetSheet {
            overall_goal: overall_goal.trim().to_owned(),
            annual_goal: annual_goal.trim().to_owned(),
            indicators,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        level1: &str,
        level2: &str,
        name: &str,
        op: &str,
        value: &str,
        unit: &str,
    ) -> IndicatorInput {
        IndicatorInput {
            level1: level1.into(),
            level2: level2.into(),
            name: name.into(),
            op: op.into(),
            value: value.into(),
            unit: unit.into(),
            points: "20".into(),
            ..IndicatorInput::default()
        }
    }

    #[test]
    fn a_sound_sheet_is_accepted_and_blank_rows_dropped() -> Result<(), Box<dyn std::error::Error>>
    {
        let rows = vec![
            row("产出指标", "数量指标", "培训人次", "≥", "500", "人次"),
            IndicatorInput::default(),
            row(
                "效益指标",
                "社会效益指标",
                "就业能力",
                "定性",
                "明显提升",
                "",
            ),
        ];
        let sheet = parse_sheet("总体目标", "年度目标", &rows).map_err(|e| format!("{e:?}"))?;
        assert_eq!(sheet.indicators.len(), 2);
        assert_eq!(sheet.indicators[0].op, Operator::AtLeast);
        assert_eq!(sheet.indicators[0].points_x100, 2000);
        assert_eq!(sheet.indicators[1].to_input().op, "qualitative");
        Ok(())
    }

    #[test]
    fn a_draft_keeps_what_only_the_gate_refuses_and_names_what_cannot_be_stored()
    -> Result<(), Box<dyn std::error::Error>> {
        let rulebook = Rulebook::national_default()?;
        let mut bad_points = row("产出指标", "质量指标", "合格率", ">=", "95", "%");
        bad_points.points = "-3".into();
        let storable = vec![
            row("产出指标", "数量指标", "培训人次", "≥", "五百", "人次"),
            row("产出指标", "社会效益指标", "x", ">=", "1", "个"),
            row("投入指标", "数量指标", "x", ">=", "1", "个"),
        ];
        let sheet = parse_sheet("", "", &storable).map_err(|e| format!("{e:?}"))?;
        assert_eq!(sheet.indicators.len(), 3, "a draft keeps them as written");
        let facts = crate::gate::ProjectFacts {
            is_new: false,
            requested_fen: 0,
            pre_assessment: None,
            serves_people: false,
        };
        let gate: Vec<String> = crate::gate::check(&rulebook, &sheet, facts)
            .into_iter()
            .filter(|f| matches!(f.code, "value_not_number" | "level_not_in_tree"))
            .map(|f| f.message)
            .collect();
        assert_eq!(
            gate,
            [
                "第1行：定量指标的指标值“五百”不是数字",
                "第2行：二级指标“社会效益指标”不属于“产出指标”",
                "第3行：一级指标“投入指标”不在指标体系中",
            ],
            "the gate refuses them at submission"
        );
        let unstorable = vec![
            row("产出指标", "数量指标", "x", "大于", "1", "个"),
            bad_points,
        ];
        let errors = parse_sheet("", "", &unstorable).err().ok_or("accepted")?;
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "第1行：运算符“大于”无效，应为 ≥、≤、= 或 定性",
                "第2行：分值“-3”应为0至100之间的数字",
            ]
        );
        Ok(())
    }

    #[test]
    fn numbers_and_points() {
        for good in ["95", "0.5", "-3", "1,000", "100.00"] {
            assert!(is_number(good), "{good}");
        }
        for bad in ["", "1e3", "95%", "1.", ".5", "--1", "一百"] {
            assert!(!is_number(bad), "{bad}");
        }
        assert_eq!(parse_points("12.5"), Some(1250));
        assert_eq!(format_points(1250), "12.5");
        assert_eq!(format_points(1500), "15");
        assert_eq!(format_points(1205), "12.05");
    }
}
