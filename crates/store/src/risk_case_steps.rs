//! The steps of a monitoring case (decision 0035) after it is opened: the kernel says whether the
//! actor's role may take the step in the case's state; the rulebook says how long the notice
//! must run, that the township reviews only after it, and when a risk may be eliminated (checked
//! at the proposal and again at the county's decision). Each step is a row of
//! `risk_case_steps` and an audit record, in one transaction; an ended case closes its clue.

use crate::risk_cases::{
    RiskCaseFile, RiskCaseView, RiskStepInput, day_field, record_step, text_field,
};
use crate::screenings::monitoring_rules;
use crate::stored::Cell;
use crate::workflow::{self, Trail, Value, advance};
use crate::{Error, Result, Store};
use chrono::NaiveDate;
use jixiao_core::assistance::monitoring::{self as rules, EliminationFacts, EliminationMethod};
use jixiao_core::workflow::{RiskCase as Doc, RiskCaseAction as Action, RiskCaseState as State};
use jixiao_core::{Actor, Capability, time};
use serde_json::json;

impl Store {
    async fn elimination_check(&self, case: &RiskCaseView, today: NaiveDate) -> Result<()> {
        let rules = monitoring_rules()?;
        let per_capita: Option<i64> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar(
                "SELECT per_capita_fen FROM household_incomes WHERE household_id = $1 \
                 ORDER BY year DESC LIMIT 1",
            )
            .bind(case.household_id)
            .fetch_optional(pool)
            .await?
        });
        let since = case
            .included_on
            .as_deref()
            .map(|d| Cell::at("risk_cases", case.id, "included_on").date(d))
            .transpose()?
            .unwrap_or(today);
        let refusals = rules::elimination_refusals(
            &rules,
            &EliminationFacts {
                monitored_since: since,
                today,
                measures_done: usize::try_from(case.measures_done).unwrap_or(0),
                per_capita,
            },
        );
        if refusals.is_empty() {
            return Ok(());
        }
        let mut errors = jixiao_core::ValidationErrors::default();
        for (code, message) in refusals {
            errors.add("elimination", code, message);
        }
        Err(Error::Invalid(errors))
    }

    /// Takes a step of a case: the kernel says whether the actor's role may take it in the case's
    /// state; the rulebook's conditions are checked for the notice and the elimination.
    pub async fn take_risk_case_step(
        &self,
        actor: &Actor,
        id: i64,
        input: &RiskStepInput,
        today: NaiveDate,
    ) -> Result<RiskCaseFile> {
        actor.require(Capability::MonitorRisks)?;
        let case = self.risk_case_view(actor, id).await?;
        let action = Action::parse(input.action.trim())
            .filter(|a| *a != Action::Open)
            .ok_or_else(|| Error::invalid("action", "unknown_action", "办理环节有误"))?;
        let state = case.state();
        workflow::check::<Doc>(state, action, actor)?;
        let note = text_field("note", &input.note, 1000, "办理意见")?;
        let documents = text_field("documents", &input.documents, 1000, "佐证材料")?;
        let rules = monitoring_rules()?;
        let mut also: Vec<crate::workflow::Set> =
            vec![("updated_at", Value::Int(Some(time::now())))];
        let mut close_clue = false;
        match action {
            Action::Publicise => {
                let from = day_field("notice_from", input.notice_from.as_deref(), "公示开始日期")?;
                let to = day_field("notice_to", input.notice_to.as_deref(), "公示结束日期")?;
                if to < from {
                    return Err(Error::invalid(
                        "notice_to",
                        "invalid_date",
                        "公示结束日期早于开始日期",
                    ));
                }
                if let Some(message) = rules::notice_refusal(&rules, from, to) {
                    return Err(Error::invalid("notice_to", "notice_too_short", message));
                }
                also.push(("notice_from", Value::Text(Some(from.to_string()))));
                also.push(("notice_to", Value::Text(Some(to.to_string()))));
            }
            Action::TownshipApprove => {
                let end = case.notice_to.clone().unwrap_or_default();
                if end.is_empty() || today.to_string() <= end {
                    return Err(Error::invalid(
                        "notice",
                        "notice_running",
                        format!("公示期至{end}，公示期满后方可审核"),
                    ));
                }
            }
            Action::ProposeElimination => {
                let method = input
                    .elimination_method
                    .as_deref()
                    .and_then(|m| EliminationMethod::parse(m.trim()))
                    .ok_or_else(|| {
                        Error::invalid(
                            "elimination_method",
                            "required",
                            "请选择风险消除方式（帮扶消除或自然消除）",
                        )
                    })?;
                self.elimination_check(&case, today).await?;
                also.push((
                    "elimination_method",
                    Value::Text(Some(method.as_str().to_owned())),
                ));
            }
            Action::CountyApprove if state.eliminating() => {
                self.elimination_check(&case, today).await?;
            }
            Action::Announce if state == State::Announcing => {
                also.push(("included_on", Value::Text(Some(today.to_string()))));
            }
            Action::Announce => {
                let tracked = !self.household_has_labour(case.household_id, today).await?;
                also.push(("eliminated_on", Value::Text(Some(today.to_string()))));
                also.push(("tracked", Value::Bool(tracked)));
                close_clue = true;
            }
            Action::Reject => {
                if note.is_empty() {
                    return Err(Error::invalid("note", "required", "审核不通过时请说明理由"));
                }
                if state.eliminating() {
                    also.push(("notice_from", Value::Text(None)));
                    also.push(("notice_to", Value::Text(None)));
                } else {
                    close_clue = true;
                }
            }
            Action::Verify | Action::Compare | Action::CountyApprove | Action::Open => {}
        }
        if action == Action::Verify && state == State::EliminationVerifying {
            also.push(("notice_from", Value::Text(None)));
            also.push(("notice_to", Value::Text(None)));
        }
        let (jurisdiction, _) = self.visible_household(actor, case.household_id).await?;
        let mut tx = self.begin().await?;
        let moved = advance::<Doc>(
            &mut tx,
            id,
            Some(input.version),
            action,
            actor,
            &also,
            Trail {
                jurisdiction: Some(&jurisdiction),
                details: json!({"household": case.household_id, "note": note,
                    "documents": documents}),
            },
        )
        .await?;
        record_step(
            &mut tx,
            id,
            action,
            Some(moved.from),
            moved.to,
            actor,
            today,
            &note,
            &documents,
        )
        .await?;
        if close_clue {
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "UPDATE clues SET status = 'closed', version = version + 1, \
                     updated_at = $1 WHERE id = $2",
                )
                .bind(time::now())
                .bind(case.clue_id)
                .execute(&mut *conn)
                .await?;
            });
        }
        tx.commit().await?;
        self.risk_case(actor, id, today).await
    }
}
