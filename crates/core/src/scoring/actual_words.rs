//! How a published table's 实际完成值 written in words is read (`[self_evaluation.actual_words]`):
//! completion words (完成, 及时, 通过 …) mean the target was met, words like 未完成 mean it was not,
//! and filler (已, 按计划, 预期 …) is passed over. A text made of anything else is a sentence that
//! cannot be read this way.

use serde::{Deserialize, Serialize};

/// The word lists of a rulebook (the national defaults when left out, key by key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActualWords {
    /// Words that say the target was met (完成, 已完成, 及时, 通过, 合格, 显著提升 …).
    pub met: Vec<String>,
    /// Words that say it was not (未完成, 未达到, 不合格, 滞后 …).
    pub not_met: Vec<String>,
    /// Words passed over (已, 均, 全部, 按计划, 预期, 目标 …).
    pub filler: Vec<String>,
}

/// What a text in words says about its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Met.
    Met,
    /// Not met.
    NotMet,
}

fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

impl Default for ActualWords {
    fn default() -> ActualWords {
        ActualWords {
            met: owned(&[
                "完成",
                "已完成",
                "全部完成",
                "达成",
                "已达成",
                "达到",
                "已达到",
                "达标",
                "实现",
                "已实现",
                "及时",
                "按时",
                "按期",
                "如期",
                "通过",
                "已通过",
                "合格",
                "是",
                "无",
                "未发生",
                "落实",
                "已落实",
                "到位",
                "符合",
                "满足",
                "正常",
                "良好",
                "显著提升",
                "明显提升",
                "有效提升",
                "显著提高",
                "明显提高",
                "有效提高",
                "显著改善",
                "明显改善",
                "有效改善",
                "显著增强",
                "明显增强",
                "提升",
                "提高",
                "改善",
                "增强",
                "全覆盖",
            ]),
            not_met: owned(&[
                "未完成",
                "没有完成",
                "未达成",
                "未达到",
                "未达标",
                "未实现",
                "未通过",
                "不合格",
                "不及时",
                "未按时",
                "未按期",
                "逾期",
                "滞后",
                "延期",
                "未落实",
                "未到位",
                "否",
                "无法",
                "没有",
                "未",
            ]),
            filler: owned(&[
                "已",
                "已经",
                "均",
                "全部",
                "全面",
                "顺利",
                "按要求",
                "按计划",
                "要求",
                "预期",
                "目标",
                "指标",
                "年度",
                "任务",
                "工作",
                "计划",
                "标准",
                "的",
                "了",
            ]),
        }
    }
}

/// Punctuation and spaces passed over when reading.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || "，,。.、；;：:！!（）()“”\"'《》".contains(c)
}

impl ActualWords {
    /// Reads a text made only of these words: `Some(NotMet)` when any not-met word is in it,
    /// `Some(Met)` when a met word is and none of the others, `None` for anything else (a
    /// sentence, a number, filler alone). Words are matched longest first from the left, so 未发生
    /// is met while 未 alone is not.
    pub fn read(&self, text: &str) -> Option<Reading> {
        let chars: Vec<char> = text.chars().filter(|c| !is_separator(*c)).collect();
        if chars.is_empty() {
            return None;
        }
        let lists = [
            (&self.met, Some(Reading::Met)),
            (&self.not_met, Some(Reading::NotMet)),
            (&self.filler, None),
        ];
        let (mut met, mut not_met) = (false, false);
        let mut at = 0;
        while at < chars.len() {
            let mut best: Option<(usize, Option<Reading>)> = None;
            for (words, reading) in &lists {
                for word in words.iter() {
                    let word: Vec<char> = word.chars().collect();
                    let fits = !word.is_empty()
                        && chars.len() - at >= word.len()
                        && chars[at..at + word.len()] == word[..];
                    if fits && best.is_none_or(|(len, _)| word.len() > len) {
                        best = Some((word.len(), *reading));
                    }
                }
            }
            let (len, reading) = best?;
            match reading {
                Some(Reading::Met) => met = true,
                Some(Reading::NotMet) => not_met = true,
                None => {}
            }
            at += len;
        }
        if not_met {
            Some(Reading::NotMet)
        } else if met {
            Some(Reading::Met)
        } else {
            None
        }
    }

    /// What is wrong with these lists, in Chinese: a word both met and not met.
    pub fn problems(&self) -> Vec<String> {
        self.met
            .iter()
            .filter(|w| self.not_met.contains(w))
            .map(|w| format!("实际完成值用语“{w}”不能既表示完成又表示未完成"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{ActualWords, Reading};

    #[test]
    fn completion_words_filler_and_sentences_are_told_apart() {
        let words = ActualWords::default();
        for met in [
            "完成",
            "已完成",
            "达成",
            "达到",
            "及时",
            "按时",
            "通过",
            "合格",
            "是",
            "无",
            "显著提升",
            "按计划完成。",
            "已按时完成",
            "达到预期目标",
            "未发生",
        ] {
            assert_eq!(words.read(met), Some(Reading::Met), "{met}");
        }
        for not_met in ["未完成", "未达到", "否", "无法完成", "不及时", "未按时完成"]
        {
            assert_eq!(words.read(not_met), Some(Reading::NotMet), "{not_met}");
        }
        for other in [
            "",
            "已",
            "按照计划完成了全部培训任务，学员反映良好",
            "部分完成",
            "基本完成",
            "98%",
            "450",
        ] {
            assert_eq!(words.read(other), None, "{other}");
        }
    }

    #[test]
    fn a_word_in_both_lists_is_a_problem() {
        let mut words = ActualWords::default();
        assert!(words.problems().is_empty());
        words.not_met.push("完成".to_owned());
        assert_eq!(words.problems().len(), 1);
    }
}
