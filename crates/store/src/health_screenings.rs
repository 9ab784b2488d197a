//! 健康查体 (issue 19 item 5, decision 0045): a screening campaign over a township or village,
//! an appointment per registry member and the result of each; a result marked serious raises a
//! monitoring clue 因病 through the clue code of dynamic monitoring (merged into the household's
//! live clue when there is one). Kept by the county office in its jurisdiction, townships and
//! villages in their area; every change is audited in its transaction.

use crate::audit::append;
use crate::posts::ProgrammeScope;
use crate::screenings::{Raised, entry, raise};
use crate::{Error, Result, Store};
use chrono::NaiveDate;
use jixiao_core::assistance::monitoring::{ClueReason, Fired};
use jixiao_core::assistance::programmes::ScreeningResult;
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, ValidationErrors, time};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A campaign as the form sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CampaignInput {
    /// Name (e.g. 2020年脱贫户免费健康查体).
    pub name: String,
    /// The township or village screened.
    pub area_code: String,
    /// First day, `YYYY-MM-DD`.
    pub from_on: String,
    /// Last day, `YYYY-MM-DD`.
    pub to_on: String,
}

/// A campaign with its counts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Campaign {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Township or village code.
    pub area_code: String,
    /// Its name.
    pub area_name: String,
    /// First day.
    pub from_on: String,
    /// Last day.
    pub to_on: String,
    /// People with an appointment.
    pub appointed: i64,
    /// People with a result.
    pub screened: i64,
    /// Results marked serious.
    pub serious: i64,
}

/// An appointment as the form sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppointmentInput {
    /// The registry member.
    pub person_id: i64,
    /// The day, `YYYY-MM-DD`, within the campaign.
    pub appointment_on: String,
}

/// A result as the form sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScreeningResultInput {
    /// The registry member (with an appointment).
    pub person_id: i64,
    /// `normal`, `follow_up` or `serious` (raises a clue 因病).
    pub result: String,
    /// What was found (required for `follow_up` and `serious`).
    pub finding: String,
}

/// A person of a campaign.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CampaignPerson {
    /// The registry member.
    pub person_id: i64,
    /// Name.
    pub name: String,
    /// The household.
    pub household_id: i64,
    /// The appointment.
    pub appointment_on: String,
    /// The result's code, when recorded.
    pub result: Option<String>,
    /// What was found.
    pub finding: String,
    /// The clue a serious result raised.
    pub clue_id: Option<i64>,
}

impl CampaignPerson {
    /// The result's label.
    pub fn result_label(&self) -> &'static str {
        self.result
            .as_deref()
            .and_then(ScreeningResult::parse)
            .map_or("待查体", ScreeningResult::label)
    }
}

/// A campaign with its people.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CampaignFile {
    /// The campaign.
    pub campaign: Campaign,
    /// Its people, by appointment.
    pub people: Vec<CampaignPerson>,
}

const CAMPAIGN_SELECT: &str = "SELECT c.id, c.name, c.area_code, ar.name AS area_name, \
     c.from_on, c.to_on, \
     (SELECT COUNT(*) FROM screening_people s WHERE s.campaign_id = c.id) AS appointed, \
     (SELECT COUNT(*) FROM screening_people s WHERE s.campaign_id = c.id \
         AND s.result IS NOT NULL) AS screened, \
     (SELECT COUNT(*) FROM screening_people s WHERE s.campaign_id = c.id \
         AND s.result = 'serious') AS serious \
     FROM screening_campaigns c JOIN areas ar ON ar.code = c.area_code \
     WHERE c.jurisdiction_code = $1 \
     AND (ar.path LIKE $2 OR $2 LIKE ar.path || '%')";

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

impl Store {
    async fn campaign_in(&self, scope: &ProgrammeScope, id: i64) -> Result<Campaign> {
        let row: Option<Campaign> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CAMPAIGN_SELECT} AND c.id = $3"
            )))
            .bind(&scope.jurisdiction)
            .bind(&scope.path)
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.ok_or_else(|| Error::NotFound("查体活动不存在".to_owned()))
    }

    /// The screening campaigns in the actor's area, latest first.
    pub async fn screening_campaigns(&self, actor: &Actor) -> Result<Vec<Campaign>> {
        let scope = self.programme_scope(actor).await?;
        let rows: Vec<Campaign> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CAMPAIGN_SELECT} ORDER BY c.from_on DESC, c.id DESC LIMIT 500"
            )))
            .bind(&scope.jurisdiction)
            .bind(&scope.path)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// A campaign with its people.
    pub async fn screening_campaign(&self, actor: &Actor, id: i64) -> Result<CampaignFile> {
        let scope = self.programme_scope(actor).await?;
        let campaign = self.campaign_in(&scope, id).await?;
        let people: Vec<CampaignPerson> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT s.person_id, pe.name, pe.household_id, s.appointment_on, s.result, \
                 s.finding, s.clue_id FROM screening_people s JOIN people pe ON pe.id = s.person_id \
                 WHERE s.campaign_id = $1 ORDER BY s.appointment_on, pe.name, s.id LIMIT 5000",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(CampaignFile { campaign, people })
    }

    /// Records a campaign over a township or village of the actor's area.
    pub async fn add_screening_campaign(
        &self,
        actor: &Actor,
        input: &CampaignInput,
    ) -> Result<CampaignFile> {
        let scope = self.programme_scope(actor).await?;
        let mut errors = ValidationErrors::default();
        errors.text("name", "查体活动名称", &input.name, 100);
        let area = self.programme_area(&scope, &input.area_code).await?;
        if area.is_none() {
            errors.add(
                "area_code",
                "unknown_area",
                "乡镇或行政村不存在或不在本辖区",
            );
        }
        let (from, to) = (day(&input.from_on), day(&input.to_on));
        match (from, to) {
            (Some(f), Some(t)) if t >= f => {}
            (Some(_), Some(_)) => errors.add("to_on", "invalid_date", "结束日期早于开始日期"),
            _ => errors.add("from_on", "invalid_date", "请填写起止日期（YYYY-MM-DD）"),
        }
        errors.into_result()?;
        let (Some(area), Some(from), Some(to)) = (area, from, to) else {
            return Err(Error::Forbidden);
        };
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO screening_campaigns (jurisdiction_code, area_code, name, from_on, \
                 to_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&scope.jurisdiction)
            .bind(&area.code)
            .bind(input.name.trim())
            .bind(from.to_string())
            .bind(to.to_string())
            .bind(&actor.name)
            .bind(time::now())
            .fetch_one(&mut *conn)
            .await?
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "screening_campaign.create",
                "screening_campaign",
                &id.to_string(),
            )
            .in_jurisdiction(Some(&scope.jurisdiction))
            .with_details(json!({"name": input.name.trim(), "area": area.code,
                "from": from.to_string(), "to": to.to_string()})),
        )
        .await?;
        tx.commit().await?;
        self.screening_campaign(actor, id).await
    }

    /// A live member of a household the actor sees, in the campaign's area: (household,
    /// jurisdiction), or a field error.
    async fn campaign_person(
        &self,
        actor: &Actor,
        campaign: &Campaign,
        person: i64,
    ) -> Result<(i64, String)> {
        let unknown = || Error::invalid("person_id", "unknown_person", "人员不在本次查体范围内");
        let found: Option<i64> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar(
                "SELECT pe.household_id FROM people pe JOIN households h ON h.id = pe.household_id \
                 JOIN areas ar ON ar.code = h.village_code WHERE pe.id = $1 \
                 AND pe.left_on IS NULL AND ar.path LIKE $2",
            )
            .bind(person)
            .bind(format!("%/{}/%", campaign.area_code))
            .fetch_optional(pool)
            .await?
        });
        let household = found.ok_or_else(unknown)?;
        match self.visible_household(actor, household).await {
            Ok((jurisdiction, _)) => Ok((household, jurisdiction)),
            Err(Error::NotFound(_)) => Err(unknown()),
            Err(e) => Err(e),
        }
    }

    /// Makes (or moves) a person's appointment within the campaign's days.
    pub async fn appoint_for_screening(
        &self,
        actor: &Actor,
        campaign_id: i64,
        input: &AppointmentInput,
    ) -> Result<CampaignFile> {
        let scope = self.programme_scope(actor).await?;
        let campaign = self.campaign_in(&scope, campaign_id).await?;
        let (household, jurisdiction) = self
            .campaign_person(actor, &campaign, input.person_id)
            .await?;
        let on = day(&input.appointment_on)
            .filter(|d| day(&campaign.from_on).is_some_and(|f| *d >= f))
            .filter(|d| day(&campaign.to_on).is_some_and(|t| *d <= t))
            .ok_or_else(|| {
                Error::invalid(
                    "appointment_on",
                    "outside_campaign",
                    format!(
                        "预约日期应在查体期间（{}至{}）",
                        campaign.from_on, campaign.to_on
                    ),
                )
            })?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO screening_people (campaign_id, person_id, appointment_on, \
                 recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (campaign_id, person_id) DO UPDATE SET \
                 appointment_on = excluded.appointment_on, recorded_by = excluded.recorded_by, \
                 recorded_at = excluded.recorded_at",
            )
            .bind(campaign_id)
            .bind(input.person_id)
            .bind(on.to_string())
            .bind(&actor.name)
            .bind(time::now())
            .execute(&mut *conn)
            .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "screening_campaign.appoint",
                "screening_campaign",
                &campaign_id.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({"person": input.person_id, "household": household,
                "on": on.to_string()})),
        )
        .await?;
        tx.commit().await?;
        self.screening_campaign(actor, campaign_id).await
    }

    /// Records a person's result (a second recording corrects the first). A serious result
    /// raises a monitoring clue 因病 for the household, or adds the reason to its live clue.
    pub async fn record_screening_result(
        &self,
        actor: &Actor,
        campaign_id: i64,
        input: &ScreeningResultInput,
        today: NaiveDate,
    ) -> Result<CampaignFile> {
        let scope = self.programme_scope(actor).await?;
        let campaign = self.campaign_in(&scope, campaign_id).await?;
        let (household, jurisdiction) = self
            .campaign_person(actor, &campaign, input.person_id)
            .await?;
        let appointed: Option<(i64, String)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT s.id, pe.name FROM screening_people s JOIN people pe \
                 ON pe.id = s.person_id WHERE s.campaign_id = $1 AND s.person_id = $2",
            )
            .bind(campaign_id)
            .bind(input.person_id)
            .fetch_optional(pool)
            .await?
        });
        let mut errors = ValidationErrors::default();
        if appointed.is_none() {
            errors.add("person_id", "not_appointed", "该人员未预约本次查体");
        }
        let result = ScreeningResult::parse(input.result.trim());
        let finding = input.finding.trim();
        match result {
            None => errors.add("result", "unknown_result", "查体结果有误"),
            Some(ScreeningResult::Normal) => {}
            Some(_) if finding.is_empty() => {
                errors.add("finding", "required", "请填写查体发现的问题")
            }
            Some(_) => {}
        }
        errors.optional_text("finding", "查体发现", finding, 500);
        errors.into_result()?;
        let (Some(result), Some((row, name))) = (result, appointed) else {
            return Err(Error::invalid("result", "unknown_result", "查体结果有误"));
        };
        if result == ScreeningResult::Serious {
            // Raising a clue is case work of dynamic monitoring.
            actor.require(Capability::MonitorRisks)?;
        }
        let mut tx = self.begin().await?;
        let clue = if result == ScreeningResult::Serious {
            let fired = Fired {
                reason: ClueReason::HealthScreening,
                message: format!("{}：{name}，{finding}（因病）", campaign.name),
                data: json!({"risk": "illness", "campaign": campaign_id,
                    "person": input.person_id}),
            };
            let raised = raise(
                &mut tx,
                &jurisdiction,
                household,
                vec![entry(&fired, today, &actor.name)],
                false,
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
                    .with_details(json!({"household": household,
                        "channel": ClueReason::HealthScreening.as_str(),
                        "campaign": campaign_id})),
            )
            .await?;
            Some(id)
        } else {
            None
        };
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE screening_people SET result = $1, finding = $2, \
                 clue_id = COALESCE($3, clue_id), recorded_by = $4, recorded_at = $5 \
                 WHERE id = $6",
            )
            .bind(result.as_str())
            .bind(finding)
            .bind(clue)
            .bind(&actor.name)
            .bind(time::now())
            .bind(row)
            .execute(&mut *conn)
            .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "screening_campaign.result",
                "screening_campaign",
                &campaign_id.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({"person": input.person_id, "household": household,
                "result": result.as_str(), "clue": clue})),
        )
        .await?;
        tx.commit().await?;
        self.screening_campaign(actor, campaign_id).await
    }
}
