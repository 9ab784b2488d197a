//! The demo's 2019 self-evaluations: every one of the 705 approved projects scored by its agency
//! against its approved targets and its ledger, with a realistic spread of grades — most 优 and
//! 良, some 中, a few 差 — and the grades the results application of 2019 turns on.

use super::LELING;
use crate::audit::append;
use crate::self_evaluation_writes::insert_scored_sheet;
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::scoring;
use jixiao_core::scoring::{BudgetBlock, ItemInput, score};
use jixiao_core::target::{Operator, format_points};
use serde_json::json;

/// How well a project did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    Excellent,
    Good,
    Fair,
    Poor,
}

/// Projects whose 2019 grade the demo's results application depends on.
pub(super) const SET_PROFILES: &[(&str, &str)] = &[
    ("2019年残疾人就业帮扶", "中"),
    ("2019年城乡低保资金", "中"),
    ("2019年高标准农田建设", "中"),
    ("2019年临时救助", "中"),
    ("2019年农业综合开发", "中"),
    ("2019年扶贫协作产业项目", "差"),
    ("2019年基本公共卫生服务", "良"),
    ("2019年慢性病患者免费体检", "良"),
    ("2019年家庭医生签约服务", "优"),
    ("2019年健康扶贫", "良"),
    ("2019年残疾人康复服务", "优"),
    ("2019年公岗扶贫", "良"),
    ("2019年金亿奶牛养殖", "良"),
];

fn profile(name: &str, i: usize) -> Profile {
    match SET_PROFILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, g)| *g)
    {
        Some("优") => Profile::Excellent,
        Some("良") => Profile::Good,
        Some("中") => Profile::Fair,
        Some(_) => Profile::Poor,
        None => match (i * 37) % 100 {
            0..=34 => Profile::Excellent,
            35..=84 => Profile::Good,
            85..=97 => Profile::Fair,
            _ => Profile::Poor,
        },
    }
}

/// Share of each target reached (percent) for the `n`-th indicator.
fn reached(profile: Profile, n: usize) -> i64 {
    match (profile, n) {
        (Profile::Excellent, 0) => 96,
        (Profile::Excellent, _) => 100,
        (Profile::Good, 0 | 2) => 72,
        (Profile::Good, _) => 100,
        (Profile::Fair, 0 | 2) => 50,
        (Profile::Fair, 1) => 65,
        (Profile::Fair, _) => 85,
        (Profile::Poor, _) => 35,
    }
}

const REASONS: &[&str] = &[
    "受资金拨付进度影响，部分任务顺延至次年实施",
    "服务对象数量较预期减少，相关指标未能完全达到",
    "项目实施中标准调整，部分工作量未按期完成",
];

/// What was reached of `target` at `percent`, as the unit allows: a count of people or
/// households is whole (rounded down when more is better, up when less is), other figures keep
/// two decimals.
fn actual_value(op: Operator, target: &str, unit: &str, percent: i64) -> String {
    let Some(value) = jixiao_core::monitoring::parse_decimal(target) else {
        return target.to_owned();
    };
    // value is ×10⁴; the result keeps two decimals.
    let mut x100 = match op {
        Operator::AtMost => value * 100 / i128::from(percent) / 100,
        _ => value * i128::from(percent) / 100 / 100,
    };
    if jixiao_core::target::counts_whole_things(unit) {
        x100 = match op {
            Operator::AtMost => (x100 + 99) / 100 * 100,
            _ => x100 / 100 * 100,
        };
    }
    let text = format!("{}.{:02}", x100 / 100, x100 % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[derive(Debug, sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    rulebook_id: i64,
    approved_fen: i64,
    limit_fen: i64,
    used_fen: i64,
}

/// Scores and stores every 2019 project's self-evaluation in one transaction.
pub(super) async fn load(store: &Store) -> Result<()> {
    let projects: Vec<Row> = on_pool!(&store.pool, |pool| {
        sqlx::query_as(
            "SELECT p.id, p.name, p.rulebook_id, p.approved_fen, a.limit_fen, a.used_fen \
             FROM projects p JOIN allotments a ON a.project_id = p.id \
             WHERE p.jurisdiction_code = $1 AND p.year = 2019 AND p.state = 'approved' \
             ORDER BY p.code",
        )
        .bind(LELING)
        .fetch_all(pool)
        .await?
    });
    let record = store.rulebook_in_force(LELING, 2019).await?;
    let rulebook = record.rulebook()?;
    let rules = &rulebook.self_evaluation;
    let mut sheets = Vec::with_capacity(projects.len());
    for (i, project) in projects.iter().enumerate() {
        let sheet = store.target_sheet(project.id, 1).await?;
        let points: Vec<i64> = sheet.indicators.iter().map(|x| x.points_x100).collect();
        let points = scoring::table_points(&points, rules.indicator_points_x100());
        let profile = profile(&project.name, i);
        let mut quantitative = 0usize;
        let inputs: Vec<ItemInput> = sheet
            .indicators
            .iter()
            .zip(points)
            .map(|(indicator, points_x100)| {
                let mut input = ItemInput {
                    level1: indicator.level1.clone(),
                    level2: indicator.level2.clone(),
                    name: indicator.name.clone(),
                    op: indicator.op.as_str().to_owned(),
                    target: indicator.value.clone(),
                    unit: indicator.unit.clone(),
                    points: format_points(points_x100),
                    ..ItemInput::default()
                };
                if indicator.op == Operator::Qualitative {
                    let (band, percent) = match profile {
                        Profile::Excellent => ("达成", "95"),
                        Profile::Good => ("部分达成", "78"),
                        Profile::Fair => ("部分达成", "70"),
                        Profile::Poor => ("未达成", "40"),
                    };
                    input.band = band.to_owned();
                    input.band_percent = percent.to_owned();
                    input.actual = indicator.value.clone();
                } else {
                    let percent = reached(profile, quantitative);
                    quantitative += 1;
                    input.actual =
                        actual_value(indicator.op, &indicator.value, &indicator.unit, percent);
                }
                input
            })
            .collect();
        let budget = BudgetBlock {
            initial_fen: project.approved_fen,
            full_year_fen: project.limit_fen,
            executed_fen: project.used_fen,
        };
        let mut scored = score(rules, &budget, &inputs).map_err(|e| {
            Error::Internal(format!("demo self-evaluation {}: {e:?}", project.name))
        })?;
        let mut inputs = inputs;
        for (n, (input, s)) in inputs.iter_mut().zip(&scored.items).enumerate() {
            if s.missed {
                input.deviation_reason = REASONS[(i + n) % REASONS.len()].to_owned();
                input.improvement = "加强项目跟踪管理，按月调度进度，确保次年按期完成".to_owned();
            }
        }
        // Reasons do not change scores; rescoring keeps the stored items and scores in step.
        scored = score(rules, &budget, &inputs).map_err(|e| {
            Error::Internal(format!("demo self-evaluation {}: {e:?}", project.name))
        })?;
        // A few sheets still wait for finance's review.
        let state = if i % 97 == 5 && !SET_PROFILES.iter().any(|(n, _)| *n == project.name) {
            "submitted"
        } else {
            "approved"
        };
        sheets.push((project, state, budget, inputs, scored));
    }
    let mut tx = store.begin().await?;
    let mut grades = std::collections::BTreeMap::new();
    for (project, state, budget, inputs, scored) in &sheets {
        *grades.entry(scored.grade.clone()).or_insert(0) += 1;
        let summary = format!(
            "{}年度目标{}。",
            project.name,
            if scored.total_x100 >= 8000 {
                "全面完成"
            } else {
                "部分完成"
            }
        );
        insert_scored_sheet(
            &mut tx,
            project.id,
            project.rulebook_id,
            state,
            budget,
            inputs,
            scored,
            &summary,
            "system",
        )
        .await?;
    }
    append(
        &mut tx,
        AuditEntry::new(
            "system",
            "self_evaluation.import",
            "self_evaluation",
            "2019",
        )
        .in_jurisdiction(Some(LELING))
        .with_details(json!({"source": "demo", "sheets": sheets.len(), "grades": grades})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_of_people_are_whole_and_rates_keep_their_decimals() {
        assert_eq!(actual_value(Operator::AtLeast, "132", "人", 96), "126");
        assert_eq!(actual_value(Operator::AtMost, "15", "天", 96), "15.62");
        assert_eq!(actual_value(Operator::AtMost, "3", "次", 96), "4");
        assert_eq!(actual_value(Operator::AtLeast, "95", "%", 72), "68.4");
        for template in jixiao_core::indicator_library::TEMPLATES {
            for row in template.rows() {
                let Some(op) = Operator::parse(&row.op) else {
                    continue;
                };
                if op == Operator::Qualitative
                    || !jixiao_core::target::counts_whole_things(&row.unit)
                {
                    continue;
                }
                for percent in [35, 50, 65, 72, 85, 96, 100] {
                    let actual = actual_value(op, &row.value, &row.unit, percent);
                    assert!(
                        !actual.contains('.'),
                        "{} {}: {actual}",
                        template.key,
                        row.name
                    );
                }
            }
        }
    }
}
