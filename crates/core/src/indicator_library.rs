//! The indicator library (指标库): starter templates of indicator rows by kind of project,
//! offered while an agency fills its target grid. Each template alone makes a sheet that passes
//! the national default gate (points add up to 100).

use crate::target::IndicatorInput;

/// One template row: level-1, level-2, name, operator, value, unit, points.
type Row = (
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
    rows: &'static [Row],
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

const OUT: &str = "产出指标";
const BEN: &str = "效益指标";
const SAT: &str = "满意度指标";

/// The starter set.
pub const TEMPLATES: &[Template] = &[
    Template {
        key: "training",
        name: "培训类",
        rows: &[
            (OUT, "数量指标", "培训人次", ">=", "500", "人次", "20"),
            (OUT, "质量指标", "培训考核合格率", ">=", "95", "%", "15"),
            (OUT, "时效指标", "培训按期完成率", "=", "100", "%", "10"),
            (OUT, "成本指标", "人均培训成本", "<=", "2000", "元", "10"),
            (
                BEN,
                "社会效益指标",
                "参训人员业务能力",
                "qualitative",
                "明显提升",
                "",
                "30",
            ),
            (
                SAT,
                "服务对象满意度指标",
                "学员满意度",
                ">=",
                "90",
                "%",
                "15",
            ),
        ],
    },
    Template {
        key: "purchase",
        name: "设备购置类",
        rows: &[
            (
                OUT,
                "数量指标",
                "购置设备数量",
                ">=",
                "20",
                "台（套）",
                "20",
            ),
            (OUT, "质量指标", "设备验收合格率", "=", "100", "%", "15"),
            (OUT, "时效指标", "采购完成时间", "<=", "6", "月", "10"),
            (OUT, "成本指标", "采购成本控制率", "<=", "100", "%", "10"),
            (BEN, "社会效益指标", "设备使用率", ">=", "90", "%", "30"),
            (
                SAT,
                "服务对象满意度指标",
                "使用人员满意度",
                ">=",
                "90",
                "%",
                "15",
            ),
        ],
    },
    Template {
        key: "meeting",
        name: "会议类",
        rows: &[
            (OUT, "数量指标", "召开会议次数", ">=", "4", "次", "25"),
            (OUT, "质量指标", "会议议题完成率", "=", "100", "%", "15"),
            (
                OUT,
                "成本指标",
                "会议费用标准执行率",
                "<=",
                "100",
                "%",
                "15",
            ),
            (
                BEN,
                "社会效益指标",
                "会议决定事项落实率",
                ">=",
                "95",
                "%",
                "30",
            ),
            (
                SAT,
                "服务对象满意度指标",
                "参会人员满意度",
                ">=",
                "90",
                "%",
                "15",
            ),
        ],
    },
    Template {
        key: "construction",
        name: "工程建设类",
        rows: &[
            (
                OUT,
                "数量指标",
                "新建（改建）面积",
                ">=",
                "5000",
                "平方米",
                "15",
            ),
            (OUT, "质量指标", "工程验收合格率", "=", "100", "%", "15"),
            (OUT, "时效指标", "工程按期完工率", "=", "100", "%", "10"),
            (OUT, "成本指标", "工程造价控制率", "<=", "100", "%", "10"),
            (
                BEN,
                "社会效益指标",
                "群众生产生活条件",
                "qualitative",
                "明显改善",
                "",
                "20",
            ),
            (
                BEN,
                "可持续影响指标",
                "设施使用年限",
                ">=",
                "20",
                "年",
                "10",
            ),
            (
                SAT,
                "服务对象满意度指标",
                "受益群众满意度",
                ">=",
                "90",
                "%",
                "20",
            ),
        ],
    },
    Template {
        key: "subsidy",
        name: "补贴补助类",
        rows: &[
            (OUT, "数量指标", "补助对象人数", ">=", "1000", "人", "20"),
            (OUT, "质量指标", "补助对象认定准确率", "=", "100", "%", "15"),
            (OUT, "时效指标", "补助资金按时发放率", "=", "100", "%", "15"),
            (
                BEN,
                "社会效益指标",
                "困难群众基本生活",
                "qualitative",
                "得到有效保障",
                "",
                "30",
            ),
            (
                SAT,
                "服务对象满意度指标",
                "补助对象满意度",
                ">=",
                "90",
                "%",
                "20",
            ),
        ],
    },
    Template {
        key: "poverty_posts",
        name: "扶贫专岗类",
        rows: &[
            (OUT, "数量指标", "开发扶贫专岗数量", ">=", "9", "个", "20"),
            (OUT, "数量指标", "服务贫困群众人数", ">=", "20", "人", "10"),
            (OUT, "质量指标", "上岗人员考核合格率", ">=", "95", "%", "10"),
            (OUT, "时效指标", "岗位补贴按月发放率", "=", "100", "%", "10"),
            (
                BEN,
                "经济效益指标",
                "上岗贫困人口年增收",
                ">=",
                "3000",
                "元",
                "15",
            ),
            (
                BEN,
                "社会效益指标",
                "贫困户生活照料状况",
                "qualitative",
                "明显改善",
                "",
                "15",
            ),
            (
                SAT,
                "服务对象满意度指标",
                "受助群众满意度",
                ">=",
                "90",
                "%",
                "20",
            ),
        ],
    },
    Template {
        key: "health_screening",
        name: "健康体检类",
        rows: &[
            (OUT, "数量指标", "免费体检人数", ">=", "176", "人", "20"),
            (OUT, "质量指标", "体检项目完成率", "=", "100", "%", "15"),
            (OUT, "时效指标", "体检报告反馈时间", "<=", "15", "天", "10"),
            (
                BEN,
                "社会效益指标",
                "慢性病早发现早干预",
                "qualitative",
                "有效提升",
                "",
                "20",
            ),
            (
                BEN,
                "可持续影响指标",
                "健康档案建档率",
                ">=",
                "95",
                "%",
                "15",
            ),
            (
                SAT,
                "服务对象满意度指标",
                "体检对象满意度",
                ">=",
                "90",
                "%",
                "20",
            ),
        ],
    },
    Template {
        key: "employment",
        name: "就业帮扶类",
        rows: &[
            (OUT, "数量指标", "帮扶就业人数", ">=", "218", "人", "25"),
            (
                OUT,
                "质量指标",
                "稳定就业6个月以上比例",
                ">=",
                "80",
                "%",
                "15",
            ),
            (OUT, "时效指标", "帮扶资金到位及时率", "=", "100", "%", "10"),
            (
                BEN,
                "经济效益指标",
                "就业人员月均收入",
                ">=",
                "1800",
                "元",
                "15",
            ),
            (
                BEN,
                "社会效益指标",
                "就业困难群体就业能力",
                "qualitative",
                "明显提升",
                "",
                "15",
            ),
            (
                SAT,
                "服务对象满意度指标",
                "帮扶对象满意度",
                ">=",
                "90",
                "%",
                "20",
            ),
        ],
    },
    Template {
        key: "agriculture",
        name: "农业发展类",
        rows: &[
            (
                OUT,
                "数量指标",
                "建设高标准农田面积",
                ">=",
                "10000",
                "亩",
                "20",
            ),
            (OUT, "质量指标", "工程验收合格率", "=", "100", "%", "15"),
            (OUT, "时效指标", "项目按期完成率", "=", "100", "%", "10"),
            (
                BEN,
                "经济效益指标",
                "亩均增产粮食",
                ">=",
                "50",
                "公斤",
                "15",
            ),
            (BEN, "生态效益指标", "节水灌溉覆盖率", ">=", "80", "%", "10"),
            (
                BEN,
                "可持续影响指标",
                "设施管护机制",
                "qualitative",
                "健全有效",
                "",
                "10",
            ),
            (
                SAT,
                "服务对象满意度指标",
                "受益农户满意度",
                ">=",
                "90",
                "%",
                "20",
            ),
        ],
    },
    Template {
        key: "child_care",
        name: "关爱服务类",
        rows: &[
            (
                OUT,
                "数量指标",
                "关爱服务留守儿童人数",
                ">=",
                "300",
                "人",
                "20",
            ),
            (OUT, "数量指标", "每学年入户家访次数", ">=", "4", "次", "10"),
            (
                OUT,
                "质量指标",
                "“12345”关爱模式落实率",
                ">=",
                "95",
                "%",
                "15",
            ),
            (OUT, "时效指标", "每日亲情联系", ">=", "1", "次", "5"),
            (
                BEN,
                "社会效益指标",
                "留守儿童心理健康状况",
                "qualitative",
                "明显改善",
                "",
                "30",
            ),
            (
                SAT,
                "服务对象满意度指标",
                "家长及儿童满意度",
                ">=",
                "90",
                "%",
                "20",
            ),
        ],
    },
    Template {
        key: "operation",
        name: "运转保障类",
        rows: &[
            (OUT, "数量指标", "保障在编人员数", ">=", "50", "人", "30"),
            (OUT, "时效指标", "经费支付及时率", "=", "100", "%", "20"),
            (OUT, "成本指标", "公用经费控制率", "<=", "100", "%", "20"),
            (
                BEN,
                "社会效益指标",
                "单位职能履行",
                "qualitative",
                "正常运转",
                "",
                "30",
            ),
        ],
    },
];

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
}
