//! Whether a value can be checked: a comparison, a number and a unit that fits what the name
//! counts, in the right direction and possible; or, for a qualitative indicator, a statement
//! with content. Reports one row's value findings and notes its cost for the sheet checks.

use super::lexicon::Hits;
use super::rows::{Cost, RowFacts, same_level};
use super::value::{self, Comparison, Reading};
use super::{FindingCode as Code, Findings, IndicatorUnderReview, Reviewer, list};
use crate::target::Operator;

pub(super) struct RowCheck<'x, 'a> {
    pub(super) reviewer: &'x Reviewer,
    pub(super) hits: &'x Hits,
    pub(super) row: usize,
    pub(super) name: &'a str,
    pub(super) value: &'a str,
    pub(super) level1: &'a str,
    pub(super) level2: &'a str,
    pub(super) indicator: &'a IndicatorUnderReview,
    pub(super) reading: Reading<'a>,
    pub(super) satisfaction: bool,
}

impl<'a> RowCheck<'_, 'a> {
    fn has(&self, list: usize) -> bool {
        self.reviewer.words.has(list, self.hits)
    }

    /// What the name counts: the first object kind of the rulebook whose words it has.
    fn object(&self) -> Option<usize> {
        let rules = &self.reviewer.rulebook.target_review;
        if rules
            .qualitative_heads
            .iter()
            .any(|h| !h.is_empty() && self.name.ends_with(h.as_str()))
        {
            return None;
        }
        (0..rules.objects.len()).find(|i| self.has(list::OBJECTS + i))
    }

    fn is_deadline(&self) -> bool {
        let words = &self.reviewer.rulebook.target_review.deadline_words;
        words
            .iter()
            .any(|w| !w.is_empty() && self.value.contains(w.as_str()))
    }

    fn example(&self, object: Option<usize>) -> &str {
        object
            .and_then(|i| self.reviewer.rulebook.target_review.objects.get(i))
            .map_or("≥90%", |o| o.example.as_str())
    }

    pub(super) fn run(&self, facts: &mut RowFacts<'a>, out: &mut Findings<'_>) {
        let (row, name, value) = (Some(self.row), self.name, self.value);
        let reading = &self.reading;
        let op_field = self
            .indicator
            .op
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty());
        let declared = op_field.and_then(Operator::parse);
        let qualitative = declared == Some(Operator::Qualitative);
        let field_comparison = match declared {
            Some(Operator::AtLeast) => Some(Comparison::AtLeast),
            Some(Operator::AtMost) => Some(Comparison::AtMost),
            Some(Operator::Equal) => Some(Comparison::Equal),
            _ => None,
        };
        let indicator: &'a IndicatorUnderReview = self.indicator;
        let unit_field: &'a str = indicator.unit.as_deref().map(str::trim).unwrap_or("");
        let unit: &'a str = if reading.unit.is_empty() {
            unit_field
        } else {
            reading.unit
        };
        let object = self.object();
        let is_rate = object.is_some() && object == self.reviewer.rate;
        if self.satisfaction {
            if !(reading.has_number() && unit == "%") {
                let shown = if value.is_empty() { "（空）" } else { value };
                out.push(
                    Code::SatisfactionNotRate,
                    row,
                    name,
                    format!("满意度应以比率考核，“{shown}”无法考核：请改为“≥90%”等百分比"),
                );
            }
            if let Some(level) = self.reviewer.rulebook.gate.satisfaction_level1.as_deref()
                && !same_level(self.reviewer, self.level1, level)
            {
                let level2 = self
                    .reviewer
                    .rulebook
                    .level1(level)
                    .and_then(|l| l.level2.first())
                    .map_or(String::new(), |l| format!("—{l}"));
                out.push(
                    Code::SatisfactionMisplaced,
                    row,
                    name,
                    format!(
                        "满意度指标应列入“{level}{level2}”，不应列在“{}—{}”",
                        self.level1, self.level2
                    ),
                );
            }
        }
        if !reading.has_number() && !reading.placeholder {
            if self.satisfaction {
                return;
            }
            // A rate is counted whatever column it is filed under: 定性 does not make
            // "就业率 明显提升" a statement a self-evaluation can grade.
            let quantitative = (!qualitative || is_rate)
                && (field_comparison.is_some() || !unit_field.is_empty() || object.is_some());
            if value.is_empty() {
                out.push(
                    Code::VagueValue,
                    row,
                    name,
                    format!(
                        "未填写指标值：请填写可计量的值，如“{}”",
                        self.example(object)
                    ),
                );
            } else if quantitative
                && !(object.is_some() && object == self.reviewer.time && self.is_deadline())
            {
                out.push(
                    Code::VagueValue,
                    row,
                    name,
                    format!(
                        "“{value}”无法考核，请改为可计量的值，如“{name}{}”",
                        self.example(object)
                    ),
                );
            } else {
                let statement = self.reviewer.statements.read(value);
                let graded = self.reviewer.rulebook.target_review.graded_qualitative
                    && statement.graded
                    && statement.change;
                if statement.only_vague && !graded {
                    out.push(
                        Code::VagueValue,
                        row,
                        name,
                        format!("“{value}”只有程度词，无法考核：请写明可计量的值（如“≥80%”）或可判断的结果（如“达到国家二级标准”）"),
                    );
                }
            }
            return;
        }
        if qualitative || reading.date {
            return;
        }
        let Some(milli) = reading.milli else { return };
        if reading.ascii {
            let fixed = value
                .replacen(">=", "≥", 1)
                .replacen("<=", "≤", 1)
                .replacen("=>", "≥", 1)
                .replacen("=<", "≤", 1);
            let fixed = fixed.replacen('>', "＞", 1).replacen('<', "＜", 1);
            out.push(
                Code::AsciiOperator,
                row,
                name,
                format!("“{value}”使用了半角符号，请改为“{fixed}”"),
            );
        }
        let change = self.has(list::CHANGE);
        let implicit = self.has(list::IMPLICIT_RATE);
        let percent = unit == "%";
        if !is_rate
            && !self.satisfaction
            && object.is_none()
            && (self.has(list::ABSTRACT) || (percent && !change && !implicit))
        {
            out.push(
                Code::PseudoQuantified,
                row,
                name,
                format!("“{name}”没有统计口径，“{value}”无法核实：请改为可统计的指标，如“矛盾纠纷化解率≥95%”，或作为定性指标写明达到的状态"),
            );
            return;
        }
        let comparison = reading.comparison.or(field_comparison);
        let implied = || self.reviewer.statements.read(reading.lead).change;
        if comparison.is_none() && reading.upper_milli.is_none() && !implied() {
            let shown = format!("{value}{}", if reading.unit.is_empty() { unit } else { "" });
            out.push(
                Code::MissingOperator,
                row,
                name,
                format!("“{shown}”缺少比较符：请写明“≥{shown}”“≤{shown}”或“={shown}”"),
            );
        }
        if unit.is_empty() && !self.has(list::UNITLESS) && !self.satisfaction {
            let suggestion = match object
                .and_then(|i| self.reviewer.rulebook.target_review.objects.get(i))
                .and_then(|o| o.units.first())
            {
                Some(unit) => format!("如“{value}{unit}”"),
                None => format!("如“{value}%”或“{value}人”"),
            };
            out.push(
                Code::MissingUnit,
                row,
                name,
                format!("“{value}”缺少计量单位：请写明单位，{suggestion}"),
            );
        }
        if let Some(index) = object
            && !unit.is_empty()
            && self.reviewer.units.fits(index, unit) == Some(false)
            && !(percent && (change || implicit))
            && let Some(kind) = self.reviewer.rulebook.target_review.objects.get(index)
        {
            let fitting: Vec<&str> = kind.units.iter().take(3).map(String::as_str).collect();
            out.push(
                Code::UnitMismatch,
                row,
                name,
                format!(
                    "“{name}”计量的是{}，单位“{unit}”不相符：请使用“{}”等单位",
                    kind.label,
                    fitting.join("”“")
                ),
            );
        }
        if let Some(comparison) = comparison
            && !self.has(list::EITHER_WAY)
        {
            let number = value
                .trim_start_matches(|c: char| !c.is_ascii_digit() && !('０'..='９').contains(&c));
            if comparison.wants_less()
                && self.has(list::MORE_IS_BETTER)
                && !self.has(list::LESS_IS_BETTER)
            {
                out.push(
                    Code::WrongDirection,
                    row,
                    name,
                    format!(
                        "“{name}”越多越好，不应使用“{}”：请改为“≥{number}”",
                        comparison.sign()
                    ),
                );
            } else if comparison.wants_more() && self.has(list::LESS_IS_BETTER) {
                out.push(
                    Code::WrongDirection,
                    row,
                    name,
                    format!(
                        "“{name}”越少越好，不应使用“{}”：请改为“≤{number}”",
                        comparison.sign()
                    ),
                );
            }
        }
        let capped = percent && !self.has(list::UNBOUNDED_RATE);
        if capped {
            let top = reading.upper_milli.unwrap_or(milli);
            if top > 100_000 {
                out.push(
                    Code::ImpossibleValue,
                    row,
                    name,
                    format!("比率不能超过100%，“{value}”无法实现：请改为不超过100%的值"),
                );
            } else if top == 100_000 && comparison.is_some_and(Comparison::wants_more) {
                out.push(
                    Code::ImpossibleValue,
                    row,
                    name,
                    format!("比率最高为100%，“{value}”只能等于100%：请改为“=100%”"),
                );
            }
        }
        if percent
            && let Some(stated) = percent_in_name(name)
            && stated != milli
        {
            let shown = stated / 1000;
            out.push(
                Code::NameValueConflict,
                row,
                name,
                format!("名称写明{shown}%，指标值却是“{value}”：请统一，名称不写数值，指标值写“={shown}%”或实际目标"),
            );
        }
        self.note_cost(milli, unit, comparison, facts);
    }

    fn note_cost(
        &self,
        milli: i64,
        unit: &'a str,
        comparison: Option<Comparison>,
        facts: &mut RowFacts<'a>,
    ) {
        let cost_level = self.level2.contains("成本") || self.level1.contains("成本");
        if !cost_level
            || !super::units::is_yuan(unit)
            || comparison.is_some_and(Comparison::wants_more)
        {
            return;
        }
        let per = super::units::per(unit);
        let per_by_name = per.is_none() && self.has(list::PER_UNIT);
        facts.costs.push(Cost {
            row: self.row,
            name: self.name,
            value: self.value,
            fen: milli / 10,
            per,
            per_by_name,
            total_named: self.has(list::TOTAL_COST),
        });
    }
}

/// A percentage written in the name (`资金100%拨付到位` → 100 000 thousandths).
fn percent_in_name(name: &str) -> Option<i64> {
    let at = name.find(['%', '％'])?;
    let digits = name[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '.')
        .last()
        .map(|(i, _)| i)?;
    value::read(&name[digits..]).milli
}
