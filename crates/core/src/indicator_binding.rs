//! Indicators fed from records (issue 19 item 6, decision 0046): which count over the assistance
//! records an output indicator may be bound to, which units fit each count, and the rule that
//! a value entered over the computed one needs a written reason. Pure: the store counts.

use crate::assistance::monitoring::MeasureKind;
use serde::Serialize;

/// What a count counts, which decides the units an indicator bound to it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Counted {
    /// Households (户).
    Households,
    /// People (人, 名).
    People,
}

impl Counted {
    /// The units an indicator of this count may be written in.
    pub fn units(self) -> &'static [&'static str] {
        match self {
            Counted::Households => &["户"],
            Counted::People => &["人", "名", "人次"],
        }
    }

    /// The unit the computed value is shown in.
    pub fn unit(self) -> &'static str {
        match self {
            Counted::Households => "户",
            Counted::People => "人",
        }
    }
}

/// A count over the records an indicator can be bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RecordMeasure {
    /// Distinct households with a measure of their current plan charged to the project, in force
    /// between 1 January and the day (any kind).
    HouseholdsWithMeasures,
    /// The same, for measures of one kind only.
    HouseholdsWithMeasureOfKind(MeasureKind),
    /// Distinct households with a measure charged to the project carried out (已落实) by the day.
    HouseholdsWithMeasuresDone,
    /// Distinct people holding, in the year, a 公益性岗位 charged to the project.
    PostHolders,
    /// Households of the project's jurisdiction whose courtyard passed in its latest round of
    /// the year (洁净庭院达标户).
    CourtyardsPassing,
    /// Left-behind children of the project's jurisdiction home-visited in the year as often as
    /// the "12345" schedule asks.
    ChildrenOnSchedule,
}

/// Parses and names the codes stored for a binding: `households_with_measures`,
/// `households_with_measures_done`, `households_with_measure:<kind>`.
impl RecordMeasure {
    /// Every measure, for a picker.
    pub fn all() -> Vec<RecordMeasure> {
        let mut all = vec![
            RecordMeasure::HouseholdsWithMeasures,
            RecordMeasure::HouseholdsWithMeasuresDone,
        ];
        all.extend(
            MeasureKind::ALL
                .iter()
                .map(|k| RecordMeasure::HouseholdsWithMeasureOfKind(*k)),
        );
        all.extend([
            RecordMeasure::PostHolders,
            RecordMeasure::CourtyardsPassing,
            RecordMeasure::ChildrenOnSchedule,
        ]);
        all
    }

    /// The stored code.
    pub fn code(self) -> String {
        match self {
            RecordMeasure::HouseholdsWithMeasures => "households_with_measures".to_owned(),
            RecordMeasure::HouseholdsWithMeasuresDone => "households_with_measures_done".to_owned(),
            RecordMeasure::HouseholdsWithMeasureOfKind(kind) => {
                format!("households_with_measure:{}", kind.as_str())
            }
            RecordMeasure::PostHolders => "post_holders".to_owned(),
            RecordMeasure::CourtyardsPassing => "courtyards_passing".to_owned(),
            RecordMeasure::ChildrenOnSchedule => "children_on_schedule".to_owned(),
        }
    }

    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<RecordMeasure> {
        match code {
            "households_with_measures" => Some(RecordMeasure::HouseholdsWithMeasures),
            "households_with_measures_done" => Some(RecordMeasure::HouseholdsWithMeasuresDone),
            "post_holders" => Some(RecordMeasure::PostHolders),
            "courtyards_passing" => Some(RecordMeasure::CourtyardsPassing),
            "children_on_schedule" => Some(RecordMeasure::ChildrenOnSchedule),
            _ => {
                let kind = code.strip_prefix("households_with_measure:")?;
                MeasureKind::parse(kind).map(RecordMeasure::HouseholdsWithMeasureOfKind)
            }
        }
    }

    /// How users read it.
    pub fn label(self) -> String {
        match self {
            RecordMeasure::HouseholdsWithMeasures => {
                "一户一策中由本项目资金安排帮扶措施的户数".to_owned()
            }
            RecordMeasure::HouseholdsWithMeasuresDone => {
                "一户一策中由本项目资金安排且措施已落实的户数".to_owned()
            }
            RecordMeasure::HouseholdsWithMeasureOfKind(kind) => {
                format!("一户一策中由本项目资金安排{}措施的户数", kind.label())
            }
            RecordMeasure::PostHolders => {
                "由本项目资金设立的公益性岗位年度在岗人数（按身份证号去重）".to_owned()
            }
            RecordMeasure::CourtyardsPassing => {
                "本区划年度洁净庭院检查达标户数（以当年最后一次评分为准）".to_owned()
            }
            RecordMeasure::ChildrenOnSchedule => {
                "本区划年度家访次数达到“12345”要求的留守儿童人数".to_owned()
            }
        }
    }

    /// What it counts.
    pub fn counted(self) -> Counted {
        match self {
            RecordMeasure::PostHolders | RecordMeasure::ChildrenOnSchedule => Counted::People,
            _ => Counted::Households,
        }
    }
}

/// Why a binding is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingRefusal {
    /// Only quantitative output indicators (产出指标 with ≥, ≤ or =) are fed from records.
    NotAQuantitativeOutput,
    /// The indicator's unit does not fit what the measure counts.
    UnitDoesNotFit {
        /// The indicator's unit.
        unit: String,
        /// The units that fit.
        fits: &'static [&'static str],
    },
}

impl BindingRefusal {
    /// The API's detail code.
    pub fn code(&self) -> &'static str {
        match self {
            BindingRefusal::NotAQuantitativeOutput => "not_a_quantitative_output",
            BindingRefusal::UnitDoesNotFit { .. } => "unit_does_not_fit",
        }
    }

    /// The Chinese message.
    pub fn message(&self) -> String {
        match self {
            BindingRefusal::NotAQuantitativeOutput => {
                "只有定量的产出指标可以从业务记录取数".to_owned()
            }
            BindingRefusal::UnitDoesNotFit { unit, fits } => format!(
                "指标计量单位“{unit}”与取数口径不符，应为{}",
                fits.join("、")
            ),
        }
    }
}

/// Whether an indicator (its level-1 name, operator code and unit) may be bound to `measure`.
pub fn check_binding(
    level1: &str,
    op: &str,
    unit: &str,
    measure: RecordMeasure,
) -> Result<(), BindingRefusal> {
    if level1.trim() != "产出指标" || !matches!(op, ">=" | "<=" | "=") {
        return Err(BindingRefusal::NotAQuantitativeOutput);
    }
    let fits = measure.counted().units();
    if !fits.contains(&unit.trim()) {
        return Err(BindingRefusal::UnitDoesNotFit {
            unit: unit.trim().to_owned(),
            fits,
        });
    }
    Ok(())
}

/// Whether an entered value keeps to the computed one: the same number (`"12"`, `"12.0"` and
/// `" 12 "` all keep to 12).
pub fn keeps_to_computed(entered: &str, computed: i64) -> bool {
    crate::monitoring::parse_decimal(entered.trim()) == Some(i128::from(computed) * 10_000)
}

/// The row problem of an entered value that differs from the computed one without a reason,
/// `None` when it keeps to it or gives a reason. An empty entry takes the computed value.
pub fn override_problem(entered: &str, computed: i64, reason: &str) -> Option<String> {
    if entered.trim().is_empty() || keeps_to_computed(entered, computed) {
        return None;
    }
    if reason.trim().is_empty() {
        return Some(format!(
            "本指标从业务记录取数为{computed}，填报值与之不同，须写明调整理由"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_for_every_measure() {
        for measure in RecordMeasure::all() {
            assert_eq!(RecordMeasure::parse(&measure.code()), Some(measure));
            assert!(!measure.label().is_empty());
        }
        assert_eq!(
            RecordMeasure::parse("households_with_measure:nothing"),
            None
        );
        assert_eq!(RecordMeasure::parse(""), None);
    }

    #[test]
    fn only_quantitative_outputs_in_a_fitting_unit_are_bound() {
        let m = RecordMeasure::HouseholdsWithMeasureOfKind(MeasureKind::Employment);
        assert_eq!(check_binding("产出指标", ">=", "户", m), Ok(()));
        assert_eq!(
            check_binding("效益指标", ">=", "户", m),
            Err(BindingRefusal::NotAQuantitativeOutput)
        );
        assert_eq!(
            check_binding("产出指标", "qualitative", "户", m),
            Err(BindingRefusal::NotAQuantitativeOutput)
        );
        assert_eq!(
            check_binding("产出指标", ">=", "人", RecordMeasure::PostHolders),
            Ok(())
        );
        assert!(check_binding("产出指标", ">=", "户", RecordMeasure::PostHolders).is_err());
        let refusal = check_binding("产出指标", ">=", "%", m).err();
        assert_eq!(
            refusal.as_ref().map(BindingRefusal::code),
            Some("unit_does_not_fit")
        );
        assert!(refusal.is_some_and(|r| r.message().contains("户")));
    }

    #[test]
    fn a_different_value_needs_a_reason() {
        assert_eq!(override_problem("", 12, ""), None);
        assert_eq!(override_problem("12", 12, ""), None);
        assert_eq!(override_problem(" 12.0 ", 12, ""), None);
        assert!(override_problem("13", 12, "").is_some_and(|m| m.contains("12")));
        assert_eq!(override_problem("13", 12, "一户数据尚未录入系统"), None);
        assert!(override_problem("十二", 12, " ").is_some());
    }
}
