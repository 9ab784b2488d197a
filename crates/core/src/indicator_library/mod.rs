//! The indicator library (指标库): starter templates of indicator rows by kind of project,
//! offered while an agency fills its target grid. Each template alone makes a sheet that passes
//! the national default gate (points add up to 100).

use crate::target::IndicatorInput;

mod templates;

pub use templates::TEMPLATES;

/// One template row: level-1, level-2, name, operator, value, unit, points.
pub(crate) type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// A template: a kind of project and its usual indicators.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// Key used in forms and the API.
    pub key: &'static str,
    /// Name users read.
    pub name: &'static str,
    pub(crate) rows: &'static [Row],
}

impl Template {
    /// The rows, ready for the grid.
    pub fn rows(&self) -> Vec<IndicatorInput> {
        self.rows
            .iter()
            .map(
                |(level1, level2, name, op, value, unit, points)| IndicatorInput {
                    level1: (*level1).to_owned(),
                    level2: (*level2).to_owned(),
                    name: (*name).to_owned(),
                    op: (*op).to_owned(),
                    value: (*value).to_owned(),
                    unit: (*unit).to_owned(),
                    points: (*points).to_owned(),
                    value_basis: "计划标准".to_owned(),
                    ..IndicatorInput::default()
                },
            )
            .collect()
    }
}

/// Which template fits a project, read from its category and the words of its name (its
/// purpose): the first rule whose words the name contains, in this order — so 重大传染病防控培训
/// is a training, 农机购置补贴 a subsidy and 公共卫生服务能力提升 a purchase of equipment.
const SUGGESTIONS: &[(&[&str], &str)] = &[
    (&["防止返贫", "防返贫", "监测帮扶"], "risk_monitoring"),
    (&["培训", "继续教育"], "training"),
    (&["助学", "资助", "雨露计划"], "student_aid"),
    (
        &["补贴", "补助", "贴息", "低保", "供养", "救助", "兜底"],
        "subsidy",
    ),
    (&["妇幼"], "maternal_child_health"),
    (&["家庭医生"], "family_doctor"),
    (
        &["能力提升", "能力建设", "体系建设", "购置", "设备"],
        "purchase",
    ),
    (&["公共卫生"], "public_health"),
    (&["艾滋病", "传染病", "疾病防控"], "disease_control"),
    (&["体检", "查体", "健康扶贫"], "health_screening"),
    (&["专岗", "公岗"], "poverty_posts"),
    (&["留守儿童", "关爱"], "child_care"),
    (&["洁净庭院"], "clean_courtyard"),
    (&["就业", "介绍信"], "employment"),
    (&["康复"], "rehabilitation"),
    (&["信息化", "系统运维"], "information_system"),
    (&["评价委托", "第三方"], "evaluation_service"),
    (&["农田", "农业", "产业", "养殖", "土地治理"], "agriculture"),
    (
        &["道路", "校舍", "维修", "改造", "整治", "工程"],
        "construction",
    ),
    (&["会议"], "meeting"),
];

/// The template that fits a project of `category` named `name`: 运转保障 for operating
/// expenditure (`operation`), otherwise the first of [`SUGGESTIONS`] whose words the name
/// contains; `None` when no rule fits (the agency picks one).
pub fn suggested(category: &str, name: &str) -> Option<&'static Template> {
    if category == "operation" {
        return template("operation");
    }
    SUGGESTIONS
        .iter()
        .find(|(words, _)| words.iter().any(|w| name.contains(w)))
        .and_then(|(_, key)| template(key))
}

/// The template with `key`.
pub fn template(key: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::{self, ProjectFacts};
    use crate::rulebook::Rulebook;
    use crate::target::parse_sheet;

    #[test]
    fn every_template_alone_passes_the_default_gate() -> Result<(), Box<dyn std::error::Error>> {
        let rulebook = Rulebook::national_default()?;
        for template in TEMPLATES {
            let sheet = parse_sheet("总体目标", "年度目标", &template.rows())
                .map_err(|e| format!("{}: {e:?}", template.key))?;
            let serves_people = template.key != "operation";
            let findings = gate::check(
                &rulebook,
                &sheet,
                ProjectFacts {
                    is_new: false,
                    requested_fen: 1,
                    serves_people,
                    pre_assessment: None,
                },
            );
            assert!(findings.is_empty(), "{}: {findings:?}", template.key);
        }
        assert!(template("training").is_some());
        assert!(template("nothing").is_none());
        Ok(())
    }

    #[test]
    fn every_suggestion_names_a_template() {
        for (_, key) in SUGGESTIONS {
            assert!(template(key).is_some(), "{key}");
        }
    }

    #[test]
    fn a_project_gets_the_template_its_purpose_names() {
        let key = |category: &str, name: &str| suggested(category, name).map(|t| t.key);
        for (name, expected) in [
            ("2020年妇幼健康服务", "maternal_child_health"),
            ("2020年基本公共卫生服务", "public_health"),
            ("2020年公共卫生服务能力提升", "purchase"),
            ("2020年家庭医生签约服务", "family_doctor"),
            ("2020年艾滋病防治", "disease_control"),
            ("重大传染病防控培训", "training"),
            ("农机购置补贴", "subsidy"),
            ("雨露计划职业教育补助", "student_aid"),
            ("洁净庭院创建（第二批）", "clean_courtyard"),
            ("留守儿童关爱（12345模式）", "child_care"),
            ("残疾人康复服务", "rehabilitation"),
            ("第三方绩效评价委托", "evaluation_service"),
            ("国库集中支付系统运维", "information_system"),
            ("金亿奶牛养殖", "agriculture"),
            ("校舍维修改造", "construction"),
        ] {
            assert_eq!(key("specific", name), Some(expected), "{name}");
        }
        assert_eq!(key("operation", "机关运转保障"), Some("operation"));
        assert_eq!(key("specific", "其他支出"), None);
        // No maternal-health project is offered the left-behind children's indicators.
        assert_ne!(key("specific", "妇幼健康关爱行动"), Some("child_care"));
    }
}
