//! The 2020 monitoring demo: a round cut off at 31 July 2020 over every approved 2020 project,
//! with the agencies' reports, the alerts the rules raise, two red alerts decided (one adjusted
//! with money given back, one continued), and one whose report never came and whose deadline
//! passed, so its payments stand suspended.

use crate::{Error, ProposalInput, ReportEntry, Result, RoundInput, Store};
use chrono::NaiveDate;
use jixiao_core::Actor;
use jixiao_core::monitoring::parse_decimal;
use jixiao_core::target::Operator;

fn date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| Error::Internal(e.to_string()))
}

/// A decimal in ten-thousandths as users write it.
fn decimal(value: i128) -> String {
    let whole = value / 10_000;
    let fraction = (value % 10_000).abs();
    if fraction == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{fraction:04}")
            .trim_end_matches('0')
            .to_owned()
    }
}

/// `percent` of `target` (both in ten-thousandths), whole when the unit counts people,
/// households or times (rounded down: a report does not claim half a person).
fn reached_share(target: i128, percent: i128, unit: &str) -> i128 {
    let share = target * percent / 100;
    if jixiao_core::target::counts_whole_things(unit) {
        share / 10_000 * 10_000
    } else {
        share
    }
}

/// Entries reaching `percent` of each cumulative target (rates and limits as targeted), with
/// `override_row` (row, outlook, cause, explanation, measures) for one row.
fn entries(
    rows: &[crate::ReportRow],
    percent: i128,
    override_row: Option<(i32, &str, &str, &str, &str)>,
) -> Vec<ReportEntry> {
    rows.iter()
        .map(|row| {
            let indicator = &row.indicator;
            let reached = match (indicator.op, parse_decimal(&indicator.value)) {
                // An indicator fed from records reports their value.
                _ if row.computed.is_some() => row
                    .computed
                    .as_ref()
                    .map_or_else(String::new, |c| c.value.to_string()),
                (Operator::Qualitative, _) | (_, None) => "基本达到预期".to_owned(),
                (Operator::AtLeast | Operator::Equal, Some(target))
                    if !indicator.unit.contains('%') =>
                {
                    decimal(reached_share(target, percent, &indicator.unit))
                }
                _ => indicator.value.clone(),
            };
            let mut entry = ReportEntry {
                row_no: row.entry.row_no,
                reached,
                expected: indicator.value.clone(),
                outlook: "能".to_owned(),
                ..ReportEntry::default()
            };
            if let Some((no, outlook, cause, explanation, measures)) = override_row
                && no == entry.row_no
            {
                entry.outlook = outlook.to_owned();
                entry.cause = cause.to_owned();
                entry.explanation = explanation.to_owned();
                entry.measures = measures.to_owned();
            }
            entry
        })
        .collect()
}

pub(super) async fn load(store: &Store) -> Result<()> {
    let user = |name: &'static str| async move {
        Ok::<Actor, Error>(store.user(&Actor::system(), name).await?.actor())
    };
    let finance = user("finance").await?;
    let department = user("agency").await?;
    let hospital = user("yiyuan").await?;
    let disabled = user("canlian").await?;
    let assistance_office = super::agency_actor(store, "110").await?;
    // The programme projects' owners (decision 0046): 杨安镇 and 妇联.
    let township = super::agency_actor(store, "201").await?;
    let women = super::agency_actor(store, "117").await?;
    let round = store
        .open_monitoring_round(
            &finance,
            &RoundInput {
                year: 2020,
                cutoff: "2020-07-31".to_owned(),
                due: "2020-08-10".to_owned(),
                scope: "all".to_owned(),
                project_ids: Vec::new(),
            },
        )
        .await?;
    for line in store.round_lines(&finance, round.id).await? {
        let owner = [&hospital, &disabled, &assistance_office, &township, &women]
            .into_iter()
            .find(|a| a.agency_id == Some(line.agency_id))
            .unwrap_or(&department);
        let report = store
            .monitoring_report(owner, round.id, line.project_id)
            .await?;
        let filled = match line.project_name.as_str() {
            // Never reported.
            "2020年院前急救体系建设" => continue,
            "2020年残疾人康复服务" => entries(
                &report.rows,
                80,
                Some((
                    2,
                    "不确定",
                    "人员保障",
                    "康复机构专业康复师不足，部分服务对象康复训练排期后移。",
                    "协调市人民医院康复科派员支援，9月底前完成全部训练排期。",
                )),
            ),
            "2020年基层医疗机构能力建设" => entries(
                &report.rows,
                20,
                Some((
                    1,
                    "不能",
                    "经费保障",
                    "受疫情影响设备招标两次流标，部分设备年内无法到货安装。",
                    "调减年内采购数量，结余资金交回财政；剩余设备纳入2021年预算。",
                )),
            ),
            _ => entries(&report.rows, 50, None),
        };
        let saved = store
            .save_monitoring_report(owner, round.id, line.project_id, report.version, &filled)
            .await?;
        let submitted = store
            .submit_monitoring_report(owner, round.id, line.project_id, saved.version)
            .await?;
        if line.project_name != "2020年艾滋病防治" {
            store
                .review_monitoring_report(&finance, round.id, submitted.project.id, true, "")
                .await?;
        }
    }
    store
        .evaluate_round(&finance, round.id, date("2020-08-11")?)
        .await?;
    for alert in store.round_alerts(&finance, round.id).await? {
        let proposal = match alert.project_name.as_str() {
            "2020年基层医疗机构能力建设" => ProposalInput {
                action: "adjust".to_owned(),
                comment: "设备招标流标，年内无法全部完成采购，收回100万元并调整数量指标。"
                    .to_owned(),
                recover_fen: 100_000_000,
                revise_targets: true,
            },
            "2020年艾滋病防治" => ProposalInput {
                action: "continue".to_owned(),
                comment: "检测试剂已于7月到货，8月起集中开展筛查，预计年底前完成全部任务。"
                    .to_owned(),
                ..ProposalInput::default()
            },
            _ => continue,
        };
        store
            .propose_decision(&department, alert.id, &proposal)
            .await?;
        store.decide_alert(&finance, alert.id, true, "同意").await?;
    }
    store
        .enforce_alert_deadlines(&finance, Some(round.id), date("2020-08-26")?)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_reached_in_july_is_whole() {
        assert_eq!(decimal(reached_share(1_760_000, 45, "人")), "79");
        assert_eq!(decimal(reached_share(100_000_000, 45, "亩")), "4500");
        assert_eq!(decimal(reached_share(55_000, 45, "公里")), "2.475");
    }
}
