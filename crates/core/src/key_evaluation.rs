//! Key evaluation (部门评价/财政评价, 重点评价): the rulebook's framework of level-1 决策 / 过程 /
//! 产出 / 效益 with level-2 and level-3 items — each with its explanation, points to check and
//! scoring standard — its checks (points add up to 100; 产出 + 效益 carry at least the set share),
//! which projects are key ones, and the scoring of an institution's entries.

use crate::target::{RowError, parse_points};
use serde::{Deserialize, Serialize};

/// One level-3 item of the framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkItem {
    /// 决策 / 过程 / 产出 / 效益.
    pub level1: String,
    /// e.g. 项目立项.
    pub level2: String,
    /// e.g. 立项依据充分性.
    pub level3: String,
    /// Points.
    pub points: u32,
    /// 指标解释.
    pub explanation: String,
    /// 评价要点.
    pub check_points: String,
    /// 评分标准.
    pub standard: String,
}

/// The key-evaluation rules of a rulebook (fields left out take the national defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeyEvaluationRules {
    /// Projects approved at or above this many 万元 are key projects.
    pub key_project_wan: u32,
    /// Every key project is evaluated at least once in this many years.
    pub coverage_years: u32,
    /// 产出 + 效益 carry at least this share of the points, in percent.
    pub min_output_benefit_percent: u32,
    /// The level-1 names counted as 产出 and 效益.
    pub output_benefit_level1: Vec<String>,
    /// The framework.
    pub framework: Vec<FrameworkItem>,
}

fn item(
    level1: &str,
    level2: &str,
    level3: &str,
    points: u32,
    explanation: &str,
    check_points: &str,
    standard: &str,
) -> FrameworkItem {
    FrameworkItem {
        level1: level1.to_owned(),
        level2: level2.to_owned(),
        level3: level3.to_owned(),
        points,
        explanation: explanation.to_owned(),
        check_points: check_points.to_owned(),
        standard: standard.to_owned(),
    }
}

impl Default for KeyEvaluationRules {
    /// The common framework of 财预〔2020〕10号 附件2.
    fn default() -> KeyEvaluationRules {
        let framework = vec![
            item(
                "决策",
                "项目立项",
                "立项依据充分性",
                3,
                "项目立项是否符合法律法规、相关政策、发展规划以及部门职责。",
                "是否符合国家法律法规和发展规划；是否与部门职责范围相符；是否与其他项目重复。",
                "每项不符扣1分，扣完为止。",
            ),
            item(
                "决策",
                "项目立项",
                "立项程序规范性",
                3,
                "项目申请、设立过程是否符合相关要求。",
                "是否按规定程序申请设立；审批文件、材料是否齐全；事前评估、集体决策是否到位。",
                "每项不符扣1分，扣完为止。",
            ),
            item(
                "决策",
                "绩效目标",
                "绩效目标合理性",
                3,
                "绩效目标与实际工作内容是否相关，是否与预算确定的投资额或资金量相匹配。",
                "是否设定绩效目标；目标与实际工作内容是否相关；产出和效益是否符合正常业绩水平。",
                "每项不符扣1分，扣完为止。",
            ),
            item(
                "决策",
                "绩效目标",
                "绩效指标明确性",
                3,
                "绩效指标是否细化、量化，便于监控和评价。",
                "是否细化分解为具体指标；是否清晰、可衡量；是否与年度任务数相对应。",
                "每项不符扣1分，扣完为止。",
            ),
            item(
                "决策",
                "资金投入",
                "预算编制科学性",
                4,
                "预算编制是否经过科学论证、有明确标准，资金额度与年度目标是否相适应。",
                "是否经过科学论证；内容与项目内容是否匹配；测算依据是否充分。",
                "每项不符扣1至2分，扣完为止。",
            ),
            item(
                "决策",
                "资金投入",
                "资金分配合理性",
                4,
                "资金分配是否有测算依据，与补助单位或地方实际是否相适应。",
                "分配依据是否充分；分配额度是否合理，与项目单位或地方实际是否相适应。",
                "每项不符扣2分，扣完为止。",
            ),
            item(
                "过程",
                "资金管理",
                "资金到位率",
                4,
                "实际到位资金与预算资金的比率。",
                "资金到位率=实际到位资金/预算资金×100%。",
                "得分=资金到位率×分值。",
            ),
            item(
                "过程",
                "资金管理",
                "预算执行率",
                4,
                "预算资金是否按照计划执行。",
                "预算执行率=实际支出资金/实际到位资金×100%。",
                "得分=预算执行率×分值。",
            ),
            item(
                "过程",
                "资金管理",
                "资金使用合规性",
                4,
                "资金使用是否符合财务管理制度和资金管理办法。",
                "是否符合规定用途；审批程序和手续是否完整；是否存在截留、挤占、挪用、虚列支出。",
                "发现一项违规扣2分，扣完为止。",
            ),
            item(
                "过程",
                "组织实施",
                "管理制度健全性",
                4,
                "项目实施单位的财务和业务管理制度是否健全。",
                "是否已制定相应的财务和业务管理制度；制度是否合法、合规、完整。",
                "每项不符扣2分，扣完为止。",
            ),
            item(
                "过程",
                "组织实施",
                "制度执行有效性",
                4,
                "项目实施是否符合相关管理规定。",
                "是否遵守相关法律法规和管理规定；调整是否履行报批手续；资料是否齐全并及时归档。",
                "每项不符扣1分，扣完为止。",
            ),
            item(
                "产出",
                "产出数量",
                "实际完成率",
                10,
                "实际产出数与计划产出数的比率。",
                "实际完成率=实际产出数/计划产出数×100%。",
                "得分=实际完成率×分值，最高不超过分值。",
            ),
            item(
                "产出",
                "产出质量",
                "质量达标率",
                10,
                "达到质量标准的产出数与实际产出数的比率。",
                "质量达标率=质量达标产出数/实际产出数×100%。",
                "得分=质量达标率×分值。",
            ),
            item(
                "产出",
                "产出时效",
                "完成及时性",
                5,
                "项目实际完成时间与计划完成时间的比较。",
                "是否按计划时限完成。",
                "按期完成得满分，每延期一个月扣1分。",
            ),
            item(
                "产出",
                "产出成本",
                "成本节约率",
                5,
                "完成项目计划工作目标的实际节约成本与计划成本的比率。",
                "成本节约率=（计划成本-实际成本）/计划成本×100%。",
                "实际成本不超过计划成本得满分，超支按比例扣分。",
            ),
            item(
                "效益",
                "项目效益",
                "社会效益",
                10,
                "项目实施所产生的社会效益。",
                "对照年度绩效目标中的社会效益指标逐项核实。",
                "达成得8至10分，部分达成得6至8分，未达成得0至6分。",
            ),
            item(
                "效益",
                "项目效益",
                "经济效益",
                5,
                "项目实施所产生的经济效益。",
                "对照年度绩效目标中的经济效益指标逐项核实。",
                "达成得4至5分，部分达成得3至4分，未达成得0至3分。",
            ),
            item(
                "效益",
                "项目效益",
                "生态效益",
                5,
                "项目实施所产生的生态效益。",
                "对照年度绩效目标中的生态效益指标逐项核实。",
                "达成得4至5分，部分达成得3至4分，未达成得0至3分。",
            ),
            item(
                "效益",
                "项目效益",
                "可持续影响",
                5,
                "项目效益的可持续性及长效管理机制。",
                "是否建立长效管理机制；后续运行资金是否有保障。",
                "每项不符扣2至3分，扣完为止。",
            ),
            item(
                "效益",
                "满意度",
                "服务对象满意度",
                5,
                "服务对象对项目实施效果的满意程度。",
                "通过问卷、走访等方式调查，样本量应具有代表性。",
                "得分=满意度×分值。",
            ),
        ];
        KeyEvaluationRules {
            key_project_wan: 500,
            coverage_years: 5,
            min_output_benefit_percent: 60,
            output_benefit_level1: vec!["产出".to_owned(), "效益".to_owned()],
            framework,
        }
    }
}

/// One entry of an institution's evaluation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreEntry {
    /// Item from 1, in framework order.
    pub item_no: i32,
    /// Score, up to two decimals.
    pub score: String,
    /// What was found (评价发现).
    pub finding: String,
}

impl KeyEvaluationRules {
    /// What is wrong with the framework, in Chinese.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let total: u32 = self.framework.iter().map(|i| i.points).sum();
        if total != 100 {
            problems.push(format!("重点评价指标体系分值合计为{total}，应为100"));
        }
        let output_benefit: u32 = self
            .framework
            .iter()
            .filter(|i| self.output_benefit_level1.contains(&i.level1))
            .map(|i| i.points)
            .sum();
        if total > 0 && output_benefit * 100 < self.min_output_benefit_percent * total {
            problems.push(format!(
                "产出和效益指标分值合计{output_benefit}分，低于总分的{}%",
                self.min_output_benefit_percent
            ));
        }
        for (n, i) in self.framework.iter().enumerate() {
            if i.level3.trim().is_empty() || i.standard.trim().is_empty() {
                problems.push(format!(
                    "重点评价指标第{}项缺少三级指标名称或评分标准",
                    n + 1
                ));
            }
        }
        if self.coverage_years == 0 {
            problems.push("重点评价覆盖周期应至少为1年".to_owned());
        }
        problems
    }

    /// Scores an institution's entries: one per item, each within 0–points. Returns each item's
    /// score in hundredths and the total.
    pub fn score(&self, entries: &[ScoreEntry]) -> Result<(Vec<i64>, i64), Vec<RowError>> {
        let mut errors = Vec::new();
        let mut scores = Vec::with_capacity(self.framework.len());
        for (n, item) in self.framework.iter().enumerate() {
            let row = n + 1;
            let entry = entries
                .iter()
                .find(|e| usize::try_from(e.item_no).ok() == Some(row));
            let points = i64::from(item.points) * 100;
            match entry.map(|e| e.score.trim()).filter(|s| !s.is_empty()) {
                None => errors.push(RowError {
                    row,
                    field: "score".to_owned(),
                    message: format!("第{row}项：请为“{}”评分", item.level3),
                }),
                Some(text) => match parse_points(text) {
                    Some(s) if (0..=points).contains(&s) => scores.push(s),
                    _ => errors.push(RowError {
                        row,
                        field: "score".to_owned(),
                        message: format!(
                            "第{row}项：“{}”的得分“{text}”应在0至{}分之间",
                            item.level3, item.points
                        ),
                    }),
                },
            }
        }
        for e in entries {
            if e.item_no < 1 || usize::try_from(e.item_no).is_ok_and(|n| n > self.framework.len()) {
                errors.push(RowError {
                    row: 0,
                    field: "item_no".to_owned(),
                    message: format!("指标体系中没有第{}项", e.item_no),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let total = scores.iter().sum();
        Ok((scores, total))
    }

    /// Points of each level-1, in framework order.
    pub fn level1_points(&self) -> Vec<(String, u32)> {
        let mut out: Vec<(String, u32)> = Vec::new();
        for item in &self.framework {
            match out.iter_mut().find(|(l, _)| *l == item.level1) {
                Some((_, p)) => *p += item.points,
                None => out.push((item.level1.clone(), item.points)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_framework_adds_up_with_output_and_benefit_at_sixty() {
        let rules = KeyEvaluationRules::default();
        assert!(rules.problems().is_empty(), "{:?}", rules.problems());
        assert_eq!(
            rules.level1_points(),
            vec![
                ("决策".to_owned(), 20),
                ("过程".to_owned(), 20),
                ("产出".to_owned(), 30),
                ("效益".to_owned(), 30)
            ]
        );
    }

    #[test]
    fn a_framework_light_on_output_and_benefit_is_refused() {
        let mut rules = KeyEvaluationRules::default();
        // Move 5 points from 社会效益 to 立项依据充分性: 产出 + 效益 = 55.
        rules.framework[15].points = 5;
        rules.framework[0].points = 8;
        let problems = rules.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("低于总分的60%"));
        rules.framework[0].points = 9;
        assert_eq!(rules.problems().len(), 2, "and the total is off");
    }

    #[test]
    fn entries_are_scored_within_their_points_and_all_are_needed() {
        let rules = KeyEvaluationRules::default();
        let mut entries: Vec<ScoreEntry> = rules
            .framework
            .iter()
            .enumerate()
            .map(|(n, i)| ScoreEntry {
                item_no: i32::try_from(n + 1).unwrap_or(0),
                score: i.points.to_string(),
                finding: String::new(),
            })
            .collect();
        assert_eq!(rules.score(&entries).map(|(_, t)| t), Ok(10_000));
        entries[11].score = "7.5".to_owned();
        assert_eq!(rules.score(&entries).map(|(_, t)| t), Ok(9_750));
        entries[0].score = "3.01".to_owned();
        entries.pop();
        let Err(errors) = rules.score(&entries) else {
            panic!("accepted");
        };
        assert_eq!(errors.len(), 2);
        assert!(errors[0].message.contains("应在0至3分之间"));
        assert!(errors[1].message.contains("服务对象满意度"));
    }
}
