//! Screening (预警) and clues (线索) of dynamic monitoring (decision 0035): a run of the
//! rulebook's monitoring triggers over the registry (the jurisdiction or one township) or over a
//! department's list matched by ID number, and clues recorded by hand (an application with the
//! signed consent, a cadre's visit, the hotline). A household has at most one live clue: a second
//! one merges into it and its reasons accumulate. Reading is limited to the actor's household
//! scope; every change is audited in its transaction (a run once, with its counts).

use crate::audit::append;
use crate::households::HouseholdScope;
use crate::stored::{Cell, Readable};
use crate::tx::Tx;
use crate::{EnjoymentRow, Error, POLICY_CHECK_RULEBOOK, Result, Store};
use chrono::NaiveDate;
use jixiao_core::assistance::AssistanceRules;
use jixiao_core::assistance::monitoring::{
    self as rules, ClueReason, ClueStatus, Fired, MonitoringRules,
};
use jixiao_core::assistance::registry::IncomeRecord;
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, time};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::QueryBuilder;

/// The monitoring rules of the rulebook in force (the shipped one, parsed once).
pub(crate) fn monitoring_rules() -> Result<MonitoringRules> {
    static RULES: std::sync::OnceLock<std::result::Result<MonitoringRules, String>> =
        std::sync::OnceLock::new();
    RULES
        .get_or_init(|| {
            AssistanceRules::shipped(POLICY_CHECK_RULEBOOK)
                .ok_or_else(|| format!("规则“{POLICY_CHECK_RULEBOOK}”未随程序提供"))?
                .map_err(|e| e.to_string())?
                .monitoring
                .ok_or_else(|| "帮扶政策规则缺少 [monitoring] 监测规则".to_owned())
        })
        .clone()
        .map_err(Error::Internal)
}

/// One reason of a clue, as stored in its `reasons` list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClueReasonEntry {
    /// `income_under_line`, `sharp_drop`, `medical_spending`, `department_list`,
    /// `application`, `visit` or `hotline`.
    pub reason: String,
    /// What happened.
    pub message: String,
    /// The data that fired it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
    /// The day it was raised, `YYYY-MM-DD`.
    pub raised_on: String,
    /// Who raised it (a user, or the screening run).
    pub raised_by: String,
}

impl ClueReasonEntry {
    /// The reason's label.
    pub fn label(&self) -> &'static str {
        ClueReason::parse(&self.reason).map_or("", ClueReason::label)
    }
}

/// A clue with its household.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clue {
    /// Id.
    pub id: i64,
    /// The household.
    pub household_id: i64,
    /// 户编号.
    pub household_number: String,
    /// 户主姓名.
    pub head_name: String,
    /// The village.
    pub village_name: String,
    /// `open`, `in_case`, `closed` or `dismissed`.
    pub status: String,
    /// How it first came in (a [`ClueReason`] code).
    pub channel: String,
    /// Every reason, oldest first.
    pub reasons: Vec<ClueReasonEntry>,
    /// Whether the household's signed application with consent to query its assets is on file.
    pub consent_signed: bool,
    /// `YYYY-MM-DD`.
    pub raised_on: String,
    /// Who raised it first.
    pub raised_by: String,
    /// A note.
    pub note: String,
    /// The case opened from it, if any.
    pub case_id: Option<i64>,
    /// For an application: the day it must be accepted by.
    pub accept_by: Option<String>,
    /// Whether it is late (an open application past its acceptance day, or an open clue past
    /// the days to measures).
    pub overdue: bool,
    /// Optimistic-lock version.
    pub version: i32,
}

impl Clue {
    /// 待处理 / 已立案 / 已办结 / 不予立案.
    pub fn status_label(&self) -> &'static str {
        ClueStatus::parse(&self.status).map_or("", ClueStatus::label)
    }

    /// The channel's label.
    pub fn channel_label(&self) -> &'static str {
        ClueReason::parse(&self.channel).map_or("", ClueReason::label)
    }
}

#[derive(sqlx::FromRow)]
struct ClueRow {
    id: i64,
    household_id: i64,
    household_number: String,
    head_name: String,
    village_name: String,
    status: String,
    channel: String,
    reasons: String,
    consent_signed: bool,
    raised_on: String,
    raised_by: String,
    note: String,
    case_id: Option<i64>,
    version: i32,
}

impl ClueRow {
    fn read(self, rules: &MonitoringRules, today: NaiveDate) -> Result<Clue> {
        let cell = |c| Cell::at("clues", self.id, c);
        cell("status").code(&self.status, ClueStatus::parse)?;
        cell("channel").code(&self.channel, ClueReason::parse)?;
        let reasons: Vec<ClueReasonEntry> = cell("reasons").json(&self.reasons)?;
        let raised = cell("raised_on").date(&self.raised_on)?;
        let open = self.status == ClueStatus::Open.as_str();
        let application = self.channel == ClueReason::Application.as_str();
        let accept_by = application.then(|| rules::acceptance_due(rules, raised));
        let overdue = open
            && (accept_by.is_some_and(|d| today > d) || today > rules::measures_due(rules, raised));
        Ok(Clue {
            id: self.id,
            household_id: self.household_id,
            household_number: self.household_number,
            head_name: self.head_name,
            village_name: self.village_name,
            status: self.status,
            channel: self.channel,
            reasons,
            consent_signed: self.consent_signed,
            raised_on: self.raised_on,
            raised_by: self.raised_by,
            note: self.note,
            case_id: self.case_id,
            accept_by: accept_by.map(|d| d.to_string()),
            overdue,
            version: self.version,
        })
    }
}

const CLUE_SELECT: &str = "SELECT c.id, c.household_id, h.number AS household_number, \
     COALESCE(hp.name, '') AS head_name, ar.name AS village_name, c.status, c.channel, \
     c.reasons, c.consent_signed, c.raised_on, c.raised_by, c.note, \
     (SELECT MAX(k.id) FROM risk_cases k WHERE k.clue_id = c.id) AS case_id, c.version \
     FROM clues c JOIN households h ON h.id = c.household_id \
     JOIN areas ar ON ar.code = h.village_code \
     LEFT JOIN people hp ON hp.household_id = h.id AND hp.left_on IS NULL \
     AND hp.relation = 'householder' WHERE 1 = 1";

/// A clue recorded by hand.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClueInput {
    /// The household.
    pub household_id: i64,
    /// `application` (农户自主申报), `visit` (干部走访) or `hotline` (热线).
    pub channel: String,
    /// What was reported.
    pub message: String,
    /// For an application: the signed application with consent to query assets is on file.
    pub consent_signed: bool,
}

/// What a screening run did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ScreeningRun {
    /// Id.
    pub id: i64,
    /// `registry`, or the department whose list was matched.
    pub source: String,
    /// The township it was limited to.
    pub township_code: Option<String>,
    /// The income year screened.
    pub year: i32,
    /// The day of the run, `YYYY-MM-DD`.
    pub as_of: String,
    /// Who ran it.
    pub started_by: String,
    /// Households screened (registry) or matched (list).
    pub households: i64,
    /// Rows of the list read.
    pub rows_read: i64,
    /// List rows whose person is not a live member of the registry.
    pub not_in_registry: i64,
    /// New clues.
    pub clues_new: i64,
    /// Reasons added to a household's live clue.
    pub clues_merged: i64,
}

impl Readable for ScreeningRun {
    fn read(self) -> Result<ScreeningRun> {
        Cell::at("screening_runs", self.id, "as_of").date(&self.as_of)?;
        Ok(self)
    }
}

/// A screening run with the clues it raised or added to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreeningOutcome {
    /// The run.
    pub run: ScreeningRun,
    /// The clue of each household that fired, as it stands after the run.
    pub clues: Vec<Clue>,
}

/// One row of a department's list, as `interop::department_list` reads it.
pub type DepartmentRow = EnjoymentRow;

/// The outcome of raising reasons for one household.
pub(crate) enum Raised {
    /// A new clue.
    New(i64),
    /// Reasons added to the live clue.
    Merged(i64),
    /// Nothing new.
    Unchanged(i64),
}

pub(crate) fn entry(fired: &Fired, day: NaiveDate, by: &str) -> ClueReasonEntry {
    ClueReasonEntry {
        reason: fired.reason.as_str().to_owned(),
        message: fired.message.clone(),
        data: fired.data.clone(),
        raised_on: day.to_string(),
        raised_by: by.to_owned(),
    }
}

/// Raises `reasons` for a household inside `tx`: into its live clue when it has one (reasons
/// already there are not repeated), else a new clue.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn raise(
    tx: &mut Tx,
    jurisdiction: &str,
    household: i64,
    reasons: Vec<ClueReasonEntry>,
    consent_signed: bool,
    day: NaiveDate,
    by: &str,
    run: Option<i64>,
) -> Result<Raised> {
    let now = time::now();
    let live: Option<(i64, String, bool)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT id, reasons, consent_signed FROM clues WHERE household_id = $1 \
             AND status IN ('open', 'in_case')",
        )
        .bind(household)
        .fetch_optional(&mut *conn)
        .await?
    });
    if let Some((id, text, consent)) = live {
        let mut list: Vec<ClueReasonEntry> = Cell::at("clues", id, "reasons").json(&text)?;
        let before = list.len();
        for r in reasons {
            if !list
                .iter()
                .any(|e| e.reason == r.reason && e.message == r.message)
            {
                list.push(r);
            }
        }
        if list.len() == before && (consent || !consent_signed) {
            return Ok(Raised::Unchanged(id));
        }
        let text = serde_json::to_string(&list).map_err(|e| Error::Internal(e.to_string()))?;
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE clues SET reasons = $1, consent_signed = $2, version = version + 1, \
                 updated_at = $3 WHERE id = $4",
            )
            .bind(&text)
            .bind(consent || consent_signed)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        });
        return Ok(Raised::Merged(id));
    }
    let channel = reasons
        .first()
        .map(|r| r.reason.clone())
        .ok_or_else(|| Error::Internal("a clue without a reason".to_owned()))?;
    let text = serde_json::to_string(&reasons).map_err(|e| Error::Internal(e.to_string()))?;
    let id: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO clues (jurisdiction_code, household_id, status, channel, reasons, \
             consent_signed, raised_on, raised_by, screening_run_id, created_at, updated_at) \
             VALUES ($1, $2, 'open', $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(jurisdiction)
        .bind(household)
        .bind(&channel)
        .bind(&text)
        .bind(consent_signed)
        .bind(day.to_string())
        .bind(by)
        .bind(run)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
    });
    Ok(Raised::New(id))
}

impl Store {
    /// The household `id` if the actor may see it: (jurisdiction, village code).
    pub(crate) async fn visible_household(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(String, String)> {
        let scope: HouseholdScope = self.household_scope(actor).await?;
        let row: Option<(String, String)> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT h.jurisdiction_code, h.village_code FROM households h \
                 JOIN areas ar ON ar.code = h.village_code WHERE h.id = ",
            );
            query.push_bind(id);
            scope.push(&mut query);
            query.build_query_as().fetch_optional(pool).await?
        });
        row.ok_or_else(|| Error::NotFound("帮扶对象户不存在".to_owned()))
    }

    /// Records a household's income of a year (the parts, fen; per-capita computed over its
    /// live members), replacing what was recorded for that year.
    pub async fn record_household_income(
        &self,
        actor: &Actor,
        household: i64,
        year: i32,
        income: &IncomeRecord,
    ) -> Result<i64> {
        actor.require(Capability::EditHouseholds)?;
        let (jurisdiction, _) = self.visible_household(actor, household).await?;
        if !(2000..=2100).contains(&year) {
            return Err(Error::invalid("year", "out_of_range", "年度有误"));
        }
        let parts = [
            income.wage,
            income.business,
            income.property,
            income.transfer,
        ];
        if income.compliant_spending < 0 || parts.iter().any(|p| p.abs() > 100_000_000_000) {
            return Err(Error::invalid(
                "income",
                "out_of_range",
                "收入或支出金额有误",
            ));
        }
        let mut tx = self.begin().await?;
        let members: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM people WHERE household_id = $1 AND left_on IS NULL",
            )
            .bind(household)
            .fetch_one(&mut *conn)
            .await?
        });
        let per_capita = income.per_capita(usize::try_from(members).unwrap_or(0));
        on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM household_incomes WHERE household_id = $1 AND year = $2")
                .bind(household)
                .bind(year)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO household_incomes (household_id, year, wage_fen, business_fen, \
                 property_fen, transfer_fen, self_pay_fen, per_capita_fen) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(household)
            .bind(year)
            .bind(income.wage)
            .bind(income.business)
            .bind(income.property)
            .bind(income.transfer)
            .bind(income.compliant_spending)
            .bind(per_capita)
            .execute(&mut *conn)
            .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "household_income.record",
                "household",
                &household.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({"year": year, "per_capita_fen": per_capita,
                "self_pay_fen": income.compliant_spending})),
        )
        .await?;
        tx.commit().await?;
        Ok(per_capita)
    }

    /// Records a clue by hand (an application needs the signed consent). A household with a
    /// live clue gets the reason added to it.
    pub async fn record_clue(
        &self,
        actor: &Actor,
        input: &ClueInput,
        today: NaiveDate,
    ) -> Result<Clue> {
        actor.require(Capability::MonitorRisks)?;
        let reason = ClueReason::parse(input.channel.trim())
            .filter(|r| {
                matches!(
                    r,
                    ClueReason::Application | ClueReason::Visit | ClueReason::Hotline
                )
            })
            .ok_or_else(|| {
                Error::invalid(
                    "channel",
                    "unknown_channel",
                    "线索来源应为农户自主申报、干部走访排查或热线反映",
                )
            })?;
        let message = input.message.trim();
        if message.is_empty() || message.chars().count() > 500 {
            return Err(Error::invalid(
                "message",
                "required",
                "请填写反映的情况（不超过500字）",
            ));
        }
        if reason == ClueReason::Application && !input.consent_signed {
            return Err(Error::invalid(
                "consent_signed",
                "consent_missing",
                "农户申请须有本人签字的申请书及家庭财产信息查询授权书",
            ));
        }
        let (jurisdiction, _) = self.visible_household(actor, input.household_id).await?;
        let fired = Fired {
            reason,
            message: message.to_owned(),
            data: json!({}),
        };
        let mut tx = self.begin().await?;
        let raised = raise(
            &mut tx,
            &jurisdiction,
            input.household_id,
            vec![entry(&fired, today, &actor.name)],
            input.consent_signed,
            today,
            &actor.name,
            None,
        )
        .await?;
        let (id, action) = match raised {
            Raised::New(id) => (id, "clue.create"),
            Raised::Merged(id) | Raised::Unchanged(id) => (id, "clue.merge"),
        };
        append(
            &mut tx,
            AuditEntry::new(&actor.name, action, "clue", &id.to_string())
                .in_jurisdiction(Some(&jurisdiction))
                .with_details(json!({"household": input.household_id,
                    "channel": reason.as_str(), "consent_signed": input.consent_signed})),
        )
        .await?;
        tx.commit().await?;
        self.clue(actor, id, today).await
    }

    /// A clue within the actor's scope.
    pub async fn clue(&self, actor: &Actor, id: i64, today: NaiveDate) -> Result<Clue> {
        self.clues_where(actor, Some(id), None, today)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Error::NotFound("线索不存在".to_owned()))
    }

    /// The clues within the actor's scope, newest first; `status` filters (`open` …).
    pub async fn clues(
        &self,
        actor: &Actor,
        status: Option<&str>,
        today: NaiveDate,
    ) -> Result<Vec<Clue>> {
        let status = status.map(str::trim).filter(|s| !s.is_empty());
        if let Some(s) = status
            && ClueStatus::parse(s).is_none()
        {
            return Err(Error::invalid("status", "unknown_status", "线索状态有误"));
        }
        self.clues_where(actor, None, status, today).await
    }

    async fn clues_where(
        &self,
        actor: &Actor,
        id: Option<i64>,
        status: Option<&str>,
        today: NaiveDate,
    ) -> Result<Vec<Clue>> {
        let scope = self.household_scope(actor).await?;
        let rules = monitoring_rules()?;
        let rows: Vec<ClueRow> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(CLUE_SELECT);
            scope.push(&mut query);
            if let Some(id) = id {
                query.push(" AND c.id = ").push_bind(id);
            }
            if let Some(status) = status {
                query.push(" AND c.status = ").push_bind(status.to_owned());
            }
            query.push(" ORDER BY c.id DESC LIMIT 2000");
            query.build_query_as().fetch_all(pool).await?
        });
        rows.into_iter().map(|r| r.read(&rules, today)).collect()
    }

    /// Dismisses an open clue (不予立案) with a reason.
    pub async fn dismiss_clue(
        &self,
        actor: &Actor,
        id: i64,
        note: &str,
        today: NaiveDate,
    ) -> Result<Clue> {
        actor.require(Capability::MonitorRisks)?;
        let clue = self.clue(actor, id, today).await?;
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 500 {
            return Err(Error::invalid(
                "note",
                "required",
                "请说明不予立案的理由（不超过500字）",
            ));
        }
        let (jurisdiction, _) = self.visible_household(actor, clue.household_id).await?;
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE clues SET status = 'dismissed', note = $1, version = version + 1, \
                 updated_at = $2 WHERE id = $3 AND status = 'open'",
            )
            .bind(note)
            .bind(time::now())
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if changed != 1 {
            return Err(Error::Conflict {
                code: crate::ConflictCode::NotEditable,
                message: "只有待处理的线索可以不予立案".to_owned(),
            });
        }
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "clue.dismiss", "clue", &id.to_string())
                .in_jurisdiction(Some(&jurisdiction))
                .with_details(json!({"household": clue.household_id, "note": note})),
        )
        .await?;
        tx.commit().await?;
        self.clue(actor, id, today).await
    }
}
