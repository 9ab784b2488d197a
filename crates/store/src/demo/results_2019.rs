//! The demo's results application of 2019: the rulebook proposes, for each 2019 project graded
//! and continued in 2020, what its grade does to the 2020 request; finance accepts most, changes
//! one (the unit cut by 20万元 on the strength of a third-party evaluation, as the seed reports)
//! and rejects one — 1,000万元 of low-efficiency money cut in all.

use crate::{AdjustmentDecision, Error, Result, Store};
use jixiao_core::Actor;

/// Money cut through the results of 2019: 1,000万元.
pub const CUT_FEN: i64 = 1_000_000_000;

/// Proposes and decides 2019's results application.
pub(super) async fn apply(store: &Store, finance: &Actor) -> Result<()> {
    store.propose_adjustments(finance, 2019).await?;
    for adjustment in store.adjustments(finance, 2019).await? {
        let decision = match adjustment.evaluated_name.as_str() {
            "2019年残疾人就业帮扶" => AdjustmentDecision::Change {
                cut_fen: 20_000_000,
                reason: "第三方绩效评价发现培训后稳定就业率未达目标，按评价结果调减20万元"
                    .to_owned(),
            },
            "2019年临时救助" => AdjustmentDecision::Reject {
                reason: "临时救助为兜底保障资金，不宜压减；问题已列入整改".to_owned(),
            },
            _ => AdjustmentDecision::Accept,
        };
        store
            .decide_adjustment(finance, adjustment.id, &decision)
            .await?;
    }
    // Where money was cut, the project's results are published.
    let cut: Vec<i64> = store
        .adjustments(finance, 2019)
        .await?
        .into_iter()
        .filter(|a| a.cut_fen > 0)
        .map(|a| a.evaluated_project_id)
        .collect();
    store.set_published(finance, &cut, true).await?;
    let cuts = store.cuts(finance, 2019).await?;
    if cuts.amount_fen != CUT_FEN {
        return Err(Error::Internal(format!(
            "demo results application cut {} fen, not {CUT_FEN}",
            cuts.amount_fen
        )));
    }
    Ok(())
}
