//! The rectification of the coverage check's findings (核查问题整改) on the workflow kernel: the
//! county office assigns a run's open findings to their village or department with a deadline
//! (one batch, audited once); the village, township or department that answers for a finding
//! replies with what it did and the evidence; the county office accepts the explanation — the
//! finding is then settled (`accepted`) — or sends it back. Every step within the actor's scope.

use crate::audit::append;
use crate::households::HouseholdScope;
use crate::policy_checks::{FINDING_SELECT, FindingRow};
use crate::stored::{self, Readable};
use crate::workflow::{self, Trail, Value, advance};
use crate::{Error, PolicyFinding, Result, Store};
use chrono::NaiveDate;
use jixiao_core::audit::AuditEntry;
use jixiao_core::workflow::{
    FindingRectification as Doc, FindingRectificationAction as Action,
    FindingRectificationState as State,
};
use jixiao_core::{Actor, Capability, time};
use serde::Serialize;
use serde_json::json;
use sqlx::QueryBuilder;

/// A finding's rectification.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FindingRectificationView {
    /// Id.
    pub id: i64,
    /// The finding.
    pub finding_id: i64,
    /// `assigned`, `answered` or `accepted`.
    pub state: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
    /// What was done.
    pub answer: String,
    /// The evidence (documents, certificate numbers, photos' references).
    pub evidence: String,
    /// The county office's comment.
    pub review_comment: String,
    /// Who assigned it.
    pub assigned_by: String,
    /// Who answered.
    pub answered_by: Option<String>,
    /// Who reviewed.
    pub reviewed_by: Option<String>,
    /// Optimistic-lock version.
    pub version: i32,
}

impl Readable for FindingRectificationView {
    fn read(self) -> Result<FindingRectificationView> {
        workflow::parse_state::<Doc>(&self.state, self.id)?;
        crate::stored::Cell::at("finding_rectifications", self.id, "deadline")
            .date(&self.deadline)?;
        Ok(self)
    }
}

impl FindingRectificationView {
    /// 待整改 / 待审核 / 已认可.
    pub fn state_label(&self) -> &'static str {
        State::parse(&self.state).map_or("", State::label)
    }

    /// Whether the deadline passed (on `today`) without an answer.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.state == State::Assigned.as_str()
            && NaiveDate::parse_from_str(&self.deadline, "%Y-%m-%d").is_ok_and(|d| d < today)
    }
}

/// A finding with its rectification, as one finding's page shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingCase {
    /// The finding.
    pub finding: PolicyFinding,
    /// Its rectification, once assigned.
    pub rectification: Option<FindingRectificationView>,
}

const RECTIFICATION_COLUMNS: &str = "SELECT id, finding_id, state, deadline, answer, evidence, \
     review_comment, assigned_by, answered_by, reviewed_by, version FROM finding_rectifications";

impl Store {
    /// The finding if the actor may see it (its area; a department its own department's).
    async fn visible_finding(&self, actor: &Actor, finding_id: i64) -> Result<PolicyFinding> {
        let scope: HouseholdScope = self.household_scope(actor).await?;
        let department = self.sector_department(actor).await?;
        let row: Option<FindingRow> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(FINDING_SELECT);
            query.push("f.id = ").push_bind(finding_id);
            scope.push(&mut query);
            if let Some(jurisdiction) = &scope.jurisdiction {
                query
                    .push(" AND f.jurisdiction_code = ")
                    .push_bind(jurisdiction.clone());
            }
            if let Some(department) = &department {
                query
                    .push(" AND f.department = ")
                    .push_bind(department.clone());
            }
            query.build_query_as().fetch_optional(pool).await?
        });
        row.ok_or_else(|| Error::NotFound("核查问题不存在".to_owned()))?
            .read()
    }

    /// A finding with its rectification.
    pub async fn finding_case(&self, actor: &Actor, finding_id: i64) -> Result<FindingCase> {
        let finding = self.visible_finding(actor, finding_id).await?;
        let rectification = self
            .finding_rectifications_of(&[finding_id])
            .await?
            .into_iter()
            .next();
        Ok(FindingCase {
            finding,
            rectification,
        })
    }

    /// The rectifications of findings (the caller has read the findings within its scope).
    pub async fn finding_rectifications_of(
        &self,
        finding_ids: &[i64],
    ) -> Result<Vec<FindingRectificationView>> {
        if finding_ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<FindingRectificationView> = on_pool!(&self.pool, |pool| {
            let mut query =
                QueryBuilder::new(format!("{RECTIFICATION_COLUMNS} WHERE finding_id IN ("));
            let mut list = query.separated(", ");
            for id in finding_ids {
                list.push_bind(*id);
            }
            query.push(") ORDER BY finding_id");
            query.build_query_as().fetch_all(pool).await?
        });
        stored::all(rows)
    }

    /// The county office assigns every open, unassigned finding of run `run_id` to its village
    /// or department, due on `deadline`; one audit entry for the batch. Answers how many.
    pub async fn assign_findings(
        &self,
        actor: &Actor,
        run_id: i64,
        deadline: NaiveDate,
        today: NaiveDate,
    ) -> Result<usize> {
        actor.require(Capability::RunPolicyChecks)?;
        let state = workflow::create::<Doc>(Action::Assign, actor)?;
        let jurisdiction = actor.jurisdiction.clone().ok_or(Error::Forbidden)?;
        if deadline < today {
            return Err(Error::invalid(
                "deadline",
                "past_deadline",
                "整改期限不能早于今天",
            ));
        }
        let mut tx = self.begin().await?;
        let run: Option<i64> = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "SELECT id FROM policy_check_runs WHERE id = $1 AND jurisdiction_code = $2",
            )
            .bind(run_id)
            .bind(&jurisdiction)
            .fetch_optional(&mut *conn)
            .await?
        });
        run.ok_or_else(|| Error::NotFound("核查批次不存在".to_owned()))?;
        let deadline_text = deadline.format("%Y-%m-%d").to_string();
        let now = time::now();
        let assigned = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO finding_rectifications (finding_id, jurisdiction_code, state, \
                 deadline, assigned_by, assigned_at) \
                 SELECT f.id, f.jurisdiction_code, $1, $2, $3, $4 FROM policy_check_findings f \
                 WHERE f.run_id = $5 AND f.jurisdiction_code = $6 AND f.status = 'open' \
                 AND NOT EXISTS (SELECT 1 FROM finding_rectifications r \
                 WHERE r.finding_id = f.id)",
            )
            .bind(state.as_str())
            .bind(&deadline_text)
            .bind(&actor.name)
            .bind(now)
            .bind(run_id)
            .bind(&jurisdiction)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "finding_rectification.assign",
                "policy_check",
                &run_id.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({"deadline": deadline_text, "assigned": assigned})),
        )
        .await?;
        tx.commit().await?;
        Ok(usize::try_from(assigned).unwrap_or(usize::MAX))
    }

    /// The village, township or department answers an assigned finding with what it did and
    /// the evidence.
    pub async fn answer_finding(
        &self,
        actor: &Actor,
        finding_id: i64,
        version: i32,
        answer: &str,
        evidence: &str,
    ) -> Result<FindingCase> {
        let case = self.finding_case(actor, finding_id).await?;
        let rectification = case
            .rectification
            .ok_or_else(|| Error::NotFound("该问题尚未交办整改".to_owned()))?;
        let answer = answer.trim();
        let evidence = evidence.trim();
        let mut errors = jixiao_core::ValidationErrors::default();
        if answer.is_empty() || answer.chars().count() > 2000 {
            errors.add("answer", "invalid", "请填写整改情况（不超过2000字）");
        }
        if evidence.chars().count() > 2000 {
            errors.add("evidence", "too_long", "佐证材料说明不超过2000字");
        }
        errors.into_result()?;
        let now = time::now();
        let mut tx = self.begin().await?;
        advance::<Doc>(
            &mut tx,
            rectification.id,
            Some(version),
            Action::Answer,
            actor,
            &[
                ("answer", Value::Text(Some(answer.to_owned()))),
                ("evidence", Value::Text(Some(evidence.to_owned()))),
                ("answered_by", Value::Text(Some(actor.name.clone()))),
                ("answered_at", Value::Int(Some(now))),
            ],
            Trail {
                jurisdiction: actor.jurisdiction.as_deref(),
                details: json!({"finding": finding_id, "household": case.finding.household_number,
                    "rule": case.finding.rule_code}),
            },
        )
        .await?;
        tx.commit().await?;
        self.finding_case(actor, finding_id).await
    }

    /// The county office accepts an answered finding's explanation (the finding is settled) or
    /// sends it back with a comment.
    pub async fn review_finding(
        &self,
        actor: &Actor,
        finding_id: i64,
        accept: bool,
        comment: &str,
    ) -> Result<FindingCase> {
        actor.require(Capability::RunPolicyChecks)?;
        let case = self.finding_case(actor, finding_id).await?;
        let rectification = case
            .rectification
            .ok_or_else(|| Error::NotFound("该问题尚未交办整改".to_owned()))?;
        let comment = comment.trim();
        if !accept && comment.is_empty() {
            return Err(Error::invalid(
                "comment",
                "required",
                "退回重新整改时请说明理由",
            ));
        }
        if comment.chars().count() > 500 {
            return Err(Error::invalid("comment", "too_long", "审核意见不超过500字"));
        }
        let action = if accept {
            Action::Accept
        } else {
            Action::SendBack
        };
        let now = time::now();
        let mut tx = self.begin().await?;
        advance::<Doc>(
            &mut tx,
            rectification.id,
            Some(rectification.version),
            action,
            actor,
            &[
                ("review_comment", Value::Text(Some(comment.to_owned()))),
                ("reviewed_by", Value::Text(Some(actor.name.clone()))),
                ("reviewed_at", Value::Int(Some(now))),
            ],
            Trail {
                jurisdiction: actor.jurisdiction.as_deref(),
                details: json!({"finding": finding_id, "household": case.finding.household_number,
                    "rule": case.finding.rule_code, "comment": comment}),
            },
        )
        .await?;
        if accept {
            // The explanation settles the finding; a closed one (a rerun no longer found it)
            // stays closed.
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "UPDATE policy_check_findings SET status = 'accepted', updated_at = $1 \
                     WHERE id = $2 AND status = 'open'",
                )
                .bind(now)
                .bind(finding_id)
                .execute(&mut *conn)
                .await?;
            });
        }
        tx.commit().await?;
        self.finding_case(actor, finding_id).await
    }
}
