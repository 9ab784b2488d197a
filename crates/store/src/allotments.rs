//! Budget allotments (预算指标): opened when a project is approved, changed only by recorded
//! movements (追加, 调减, 调剂, 收回), suspended and resumed, and read with their ledger and the
//! execution they show.

use crate::audit::append;
use crate::tx::Tx;
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::ledger::{Balances, LedgerError, Movement};
use jixiao_core::{Actor, time};
use serde::Serialize;
use serde_json::json;

/// An allotment with its balances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Allotment {
    /// Id.
    pub id: i64,
    /// Jurisdiction.
    pub jurisdiction_code: String,
    /// The project it funds.
    pub project_id: i64,
    /// The agency spending it.
    pub agency_id: i64,
    /// Budget year.
    pub year: i32,
    /// Allotment code (the treasury's key).
    pub code: String,
    /// 指标文号.
    pub document_number: String,
    /// Funding source.
    pub funding_source: String,
    /// Functional classification (功能分类).
    pub function_code: String,
    /// Economic classification (经济分类).
    pub economic_code: String,
    /// Limit.
    pub limit_fen: i64,
    /// Frozen by reservations.
    pub frozen_fen: i64,
    /// Paid, net of refunds.
    pub used_fen: i64,
    /// Payments are refused while suspended.
    pub suspended: bool,
    /// Why.
    pub suspension_reason: String,
}

impl Allotment {
    /// The balances.
    pub fn balances(&self) -> Balances {
        Balances {
            limit: self.limit_fen,
            frozen: self.frozen_fen,
            used: self.used_fen,
        }
    }
}

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LedgerEntry {
    /// Id (order).
    pub id: i64,
    /// Kind code.
    pub kind: String,
    /// Amount.
    pub amount_fen: i64,
    /// Balances after it.
    pub limit_after: i64,
    /// Frozen after it.
    pub frozen_after: i64,
    /// Used after it.
    pub used_after: i64,
    /// Request id or other reference.
    pub reference: String,
    /// Reason given.
    pub reason: String,
    /// Who.
    pub actor: String,
    /// When.
    pub at: i64,
}

impl LedgerEntry {
    /// The kind as users read it.
    pub fn kind_label(&self) -> &'static str {
        match self.kind.as_str() {
            "open" => "下达指标",
            "increase" => "追加",
            "decrease" => "调减",
            "recovery" => "收回",
            "transfer_in" => "调剂调入",
            "transfer_out" => "调剂调出",
            "reserve" => "冻结（用款计划）",
            "release" => "解冻",
            "payment" => "支付",
            "refund" => "退款",
            "suspend" => "暂停支付",
            "resume" => "恢复支付",
            _ => "",
        }
    }
}

pub(crate) const SELECT_ALLOTMENT: &str = "SELECT id, jurisdiction_code, project_id, agency_id, \
     year, code, document_number, funding_source, function_code, economic_code, limit_fen, \
     frozen_fen, used_fen, suspended, suspension_reason FROM allotments";

/// The ledger refusal as a store error.
pub(crate) fn ledger_error(error: LedgerError, suspended: Option<&str>) -> Error {
    match (error, suspended) {
        (_, Some(reason)) => Error::AllotmentSuspended(reason.to_owned()),
        (LedgerError::InsufficientFunds { available }, None) => {
            Error::InsufficientFunds { available }
        }
        (other, None) => Error::invalid("amount_fen", "ledger_refused", other.to_string()),
    }
}

/// Writes a ledger entry with the balances after it.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_entry(
    tx: &mut Tx,
    allotment_id: i64,
    kind: &str,
    amount: i64,
    after: Balances,
    reference: &str,
    reason: &str,
    actor: &str,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO ledger_entries (allotment_id, kind, amount_fen, limit_after, \
             frozen_after, used_after, reference, reason, actor, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(allotment_id)
        .bind(kind)
        .bind(amount)
        .bind(after.limit)
        .bind(after.frozen)
        .bind(after.used)
        .bind(reference)
        .bind(reason)
        .bind(actor)
        .bind(time::now())
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// Reads an allotment inside a transaction (locking its row on PostgreSQL).
pub(crate) async fn lock_allotment(tx: &mut Tx, id: i64) -> Result<Allotment> {
    let sql = if tx.is_postgres() {
        format!("{SELECT_ALLOTMENT} WHERE id = $1 FOR UPDATE")
    } else {
        format!("{SELECT_ALLOTMENT} WHERE id = $1")
    };
    let found: Option<Allotment> = on_tx!(tx, |conn| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
    });
    found.ok_or_else(|| Error::NotFound("预算指标不存在".to_owned()))
}

/// Writes new balances (the CHECK constraints stand behind the arithmetic).
pub(crate) async fn write_balances(tx: &mut Tx, id: i64, b: Balances) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE allotments SET limit_fen = $1, frozen_fen = $2, used_fen = $3, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(b.limit)
        .bind(b.frozen)
        .bind(b.used)
        .bind(time::now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// Opens the allotment of a project approved with `approved_fen`, or, when a revision is
/// approved again, moves its limit to the new amount.
pub(crate) async fn open_or_adjust(
    tx: &mut Tx,
    project_id: i64,
    approved_fen: i64,
    actor: &str,
) -> Result<()> {
    let existing: Option<i64> = on_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT id FROM allotments WHERE project_id = $1")
            .bind(project_id)
            .fetch_optional(&mut *conn)
            .await?
    });
    if let Some(id) = existing {
        let allotment = lock_allotment(tx, id).await?;
        let diff = approved_fen - allotment.limit_fen;
        let (movement, kind) = match diff {
            0 => return Ok(()),
            d if d > 0 => (Movement::Increase(d), "increase"),
            d => (Movement::Decrease(-d), "decrease"),
        };
        let after = allotment.balances().apply(movement).map_err(|e| {
            Error::conflict(
                crate::ConflictCode::BelowCommitted,
                format!("批复金额不能低于已冻结与已支付之和：{e}"),
            )
        })?;
        write_balances(tx, id, after).await?;
        return record_entry(
            tx,
            id,
            kind,
            diff.abs(),
            after,
            "",
            "目标调整后重新批复",
            actor,
        )
        .await;
    }
    let now = time::now();
    let id: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO allotments (jurisdiction_code, project_id, agency_id, year, code, \
             document_number, funding_source, limit_fen, created_at, updated_at) \
             SELECT p.jurisdiction_code, p.id, p.agency_id, p.year, 'ZB-' || p.code, \
             '预指〔' || CAST(p.year AS TEXT) || '〕' || CAST(p.id AS TEXT) || '号', \
             CASE WHEN p.funding_superior_fen > 0 AND p.funding_local_fen = 0 THEN 'superior' \
                  WHEN p.funding_superior_fen = 0 AND p.funding_other_fen = 0 THEN 'local' \
                  ELSE 'mixed' END, \
             $1, $2, $2 FROM projects p WHERE p.id = $3 RETURNING id",
        )
        .bind(approved_fen)
        .bind(now)
        .bind(project_id)
        .fetch_one(&mut *conn)
        .await?
    });
    record_entry(
        tx,
        id,
        "open",
        approved_fen,
        Balances::open(approved_fen),
        "",
        "项目批复",
        actor,
    )
    .await
}

/// A movement finance records on an allotment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustmentKind {
    /// 追加
    Increase,
    /// 调减
    Decrease,
    /// 收回
    Recovery,
    /// 调剂 to another allotment
    Transfer {
        /// The receiving allotment.
        to: i64,
    },
}

impl Store {
    /// A project's allotment, if the actor may see the project.
    pub async fn project_allotment(&self, actor: &Actor, project_id: i64) -> Result<Allotment> {
        let project = self.project(actor, project_id).await?;
        let found: Option<Allotment> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT_ALLOTMENT} WHERE project_id = $1"
            )))
            .bind(project.id)
            .fetch_optional(pool)
            .await?
        });
        found.ok_or_else(|| Error::NotFound("该项目尚未批复，没有预算指标".to_owned()))
    }

    /// An allotment's ledger, oldest first.
    pub async fn allotment_ledger(
        &self,
        actor: &Actor,
        project_id: i64,
    ) -> Result<Vec<LedgerEntry>> {
        let allotment = self.project_allotment(actor, project_id).await?;
        Ok(on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT id, kind, amount_fen, limit_after, frozen_after, used_after, reference, \
                 reason, actor, at FROM ledger_entries WHERE allotment_id = $1 ORDER BY id",
            )
            .bind(allotment.id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records 追加, 调减, 收回 or 调剂 on a project's allotment (finance only), with a reason.
    pub async fn adjust_allotment(
        &self,
        actor: &Actor,
        project_id: i64,
        kind: AdjustmentKind,
        amount_fen: i64,
        reason: &str,
    ) -> Result<Allotment> {
        actor.require(jixiao_core::Capability::RunFinance)?;
        if reason.trim().is_empty() {
            return Err(Error::invalid("reason", "required", "请说明调整理由"));
        }
        let source = self.project_allotment(actor, project_id).await?;
        let mut tx = self.begin().await?;
        let allotment = lock_allotment(&mut tx, source.id).await?;
        let (movement, entry, action) = match kind {
            AdjustmentKind::Increase => (
                Movement::Increase(amount_fen),
                "increase",
                "allotment.increase",
            ),
            AdjustmentKind::Decrease => (
                Movement::Decrease(amount_fen),
                "decrease",
                "allotment.decrease",
            ),
            AdjustmentKind::Recovery => (
                Movement::Recovery(amount_fen),
                "recovery",
                "allotment.recovery",
            ),
            AdjustmentKind::Transfer { .. } => (
                Movement::TransferOut(amount_fen),
                "transfer_out",
                "allotment.transfer_out",
            ),
        };
        let after = allotment
            .balances()
            .apply(movement)
            .map_err(|e| ledger_error(e, None))?;
        write_balances(&mut tx, allotment.id, after).await?;
        let mut reference = String::new();
        if let AdjustmentKind::Transfer { to } = kind {
            let target = lock_allotment(&mut tx, to).await?;
            if target.id == allotment.id || target.jurisdiction_code != allotment.jurisdiction_code
            {
                return Err(Error::invalid(
                    "to",
                    "invalid_target",
                    "调剂须在同一财政区划的不同指标之间进行",
                ));
            }
            let target_after = target
                .balances()
                .apply(Movement::TransferIn(amount_fen))
                .map_err(|e| ledger_error(e, None))?;
            write_balances(&mut tx, target.id, target_after).await?;
            record_entry(
                &mut tx,
                target.id,
                "transfer_in",
                amount_fen,
                target_after,
                &allotment.code,
                reason.trim(),
                &actor.name,
            )
            .await?;
            reference = target.code;
        }
        record_entry(
            &mut tx,
            allotment.id,
            entry,
            amount_fen,
            after,
            &reference,
            reason.trim(),
            &actor.name,
        )
        .await?;
        append(
            &mut tx,
            AuditEntry::new(&actor.name, action, "allotment", &allotment.code)
                .in_jurisdiction(Some(&allotment.jurisdiction_code))
                .with_details(
                    json!({"amount_fen": amount_fen, "reason": reason.trim(), "to": reference}),
                ),
        )
        .await?;
        tx.commit().await?;
        self.project_allotment(actor, project_id).await
    }

    /// Suspends a project's allotment with a reason, or lifts a suspension (finance only).
    pub async fn set_allotment_suspension(
        &self,
        actor: &Actor,
        project_id: i64,
        suspend: bool,
        reason: &str,
    ) -> Result<Allotment> {
        actor.require(jixiao_core::Capability::RunFinance)?;
        if suspend && reason.trim().is_empty() {
            return Err(Error::invalid("reason", "required", "请说明暂停支付的理由"));
        }
        let allotment = self.project_allotment(actor, project_id).await?;
        let mut tx = self.begin().await?;
        set_suspension_in(&mut tx, allotment.id, suspend, reason, &actor.name).await?;
        tx.commit().await?;
        self.project_allotment(actor, project_id).await
    }
}

/// Suspends an allotment with a reason, or lifts its suspension, inside `tx`: the flag, a ledger
/// entry and an audit record.
pub(crate) async fn set_suspension_in(
    tx: &mut Tx,
    allotment_id: i64,
    suspend: bool,
    reason: &str,
    actor: &str,
) -> Result<()> {
    let current = lock_allotment(tx, allotment_id).await?;
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE allotments SET suspended = $1, suspension_reason = $2, updated_at = $3 \
             WHERE id = $4",
        )
        .bind(suspend)
        .bind(if suspend { reason.trim() } else { "" })
        .bind(time::now())
        .bind(current.id)
        .execute(&mut *conn)
        .await?;
    });
    let (kind, action) = if suspend {
        ("suspend", "allotment.suspend")
    } else {
        ("resume", "allotment.resume")
    };
    record_entry(
        tx,
        current.id,
        kind,
        0,
        current.balances(),
        "",
        reason.trim(),
        actor,
    )
    .await?;
    append(
        tx,
        AuditEntry::new(actor, action, "allotment", &current.code)
            .in_jurisdiction(Some(&current.jurisdiction_code))
            .with_details(json!({"reason": reason.trim()})),
    )
    .await?;
    Ok(())
}

/// Recovers (收回) `amount_fen` of an allotment's available money inside `tx`, with a reason.
pub(crate) async fn recover_in(
    tx: &mut Tx,
    allotment_id: i64,
    amount_fen: i64,
    reason: &str,
    actor: &str,
) -> Result<Balances> {
    let allotment = lock_allotment(tx, allotment_id).await?;
    let after = allotment
        .balances()
        .apply(Movement::Recovery(amount_fen))
        .map_err(|e| ledger_error(e, None))?;
    write_balances(tx, allotment.id, after).await?;
    record_entry(
        tx,
        allotment.id,
        "recovery",
        amount_fen,
        after,
        "",
        reason.trim(),
        actor,
    )
    .await?;
    append(
        tx,
        AuditEntry::new(actor, "allotment.recovery", "allotment", &allotment.code)
            .in_jurisdiction(Some(&allotment.jurisdiction_code))
            .with_details(json!({"amount_fen": amount_fen, "reason": reason.trim(), "to": ""})),
    )
    .await?;
    Ok(after)
}
