//! 扶贫专岗/公益性岗位 (issue 19 item 5, decision 0045): posts in a township or village, each
//! charged to a project of the project library for a year, their holders (registry members aged
//! within the rulebook's range on their first day — refused with `holder_age` otherwise) and each
//! holder's monthly attendance and pay (fen). Kept by the county office in its jurisdiction and by
//! townships and villages in their area; every change is audited in its transaction. "Distinct
//! people holding a post charged to project P in year Y" is
//! [`Store::post_holders_charged_to`], for indicators bound to records.

use crate::audit::append;
use crate::households::HouseholdScope;
use crate::{Error, POLICY_CHECK_RULEBOOK, Result, Store};
use chrono::{Datelike, NaiveDate};
use jixiao_core::assistance::programmes::ProgrammeRules;
use jixiao_core::assistance::{AssistanceRules, IdNumber};
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, ValidationErrors, time};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The programme rules of the rulebook in force (the shipped one, parsed once).
pub(crate) fn programme_rules() -> Result<ProgrammeRules> {
    static RULES: std::sync::OnceLock<std::result::Result<ProgrammeRules, String>> =
        std::sync::OnceLock::new();
    RULES
        .get_or_init(|| {
            AssistanceRules::shipped(POLICY_CHECK_RULEBOOK)
                .ok_or_else(|| format!("规则“{POLICY_CHECK_RULEBOOK}”未随程序提供"))?
                .map_err(|e| e.to_string())?
                .programmes
                .ok_or_else(|| "帮扶政策规则缺少 [programmes] 帮扶项目规则".to_owned())
        })
        .clone()
        .map_err(Error::Internal)
}

/// A post as the form sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostInput {
    /// 岗位名称 (e.g. 保洁员、护林员、孝善理事员).
    pub name: String,
    /// The township or village code of the post.
    pub area_code: String,
    /// 月工资, fen.
    pub monthly_pay_fen: i64,
    /// The project of the project library that pays for it.
    pub project_id: i64,
    /// The year.
    pub year: i32,
}

/// A post with its area, project and number of holders.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Post {
    /// Id.
    pub id: i64,
    /// 岗位名称.
    pub name: String,
    /// Township or village code.
    pub area_code: String,
    /// Its name.
    pub area_name: String,
    /// 月工资, fen.
    pub monthly_pay_fen: i64,
    /// The paying project.
    pub project_id: i64,
    /// Its name.
    pub project_name: String,
    /// The year.
    pub year: i32,
    /// Holders recorded (all periods).
    pub holders: i64,
}

impl Post {
    /// The monthly pay in 元.
    pub fn pay_yuan(&self) -> String {
        jixiao_core::money::format_yuan(self.monthly_pay_fen)
    }
}

/// A holder as the form sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HolderInput {
    /// The registry member (a person of a household).
    pub person_id: i64,
    /// First day, `YYYY-MM-DD`.
    pub from_on: String,
    /// Last day, `YYYY-MM-DD`.
    pub to_on: String,
}

/// A holder of a post.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PostHolder {
    /// Id.
    pub id: i64,
    /// The post.
    pub post_id: i64,
    /// The registry member.
    pub person_id: i64,
    /// Name.
    pub name: String,
    /// The member's household.
    pub household_id: i64,
    /// First day.
    pub from_on: String,
    /// Last day.
    pub to_on: String,
}

/// A month of a holder as the form sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostMonthInput {
    /// The holder.
    pub holder_id: i64,
    /// `YYYY-MM`.
    pub month: String,
    /// Days on duty (出勤天数).
    pub days_worked: i32,
    /// Pay for the month, fen.
    pub pay_fen: i64,
    /// A note.
    pub note: String,
}

/// A holder's month: attendance and pay.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PostMonth {
    /// Id.
    pub id: i64,
    /// The holder.
    pub holder_id: i64,
    /// The holder's name.
    pub name: String,
    /// `YYYY-MM`.
    pub month: String,
    /// 出勤天数.
    pub days_worked: i32,
    /// Pay, fen.
    pub pay_fen: i64,
    /// A note.
    pub note: String,
}

impl PostMonth {
    /// The pay in 元.
    pub fn pay_yuan(&self) -> String {
        jixiao_core::money::format_yuan(self.pay_fen)
    }
}

/// A post with its holders and months.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostFile {
    /// The post.
    pub post: Post,
    /// Its holders, earliest first.
    pub holders: Vec<PostHolder>,
    /// Their months, latest first.
    pub months: Vec<PostMonth>,
}

/// A person holding a post charged to a project in a year.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PostHolderLine {
    /// The registry member.
    pub person_id: i64,
    /// Name.
    pub name: String,
    /// The post held (the first by name when several).
    pub post: String,
}

const POST_SELECT: &str = "SELECT p.id, p.name, p.area_code, ar.name AS area_name, \
     p.monthly_pay_fen, p.project_id, pr.name AS project_name, p.year, \
     (SELECT COUNT(*) FROM post_holders h WHERE h.post_id = p.id) AS holders \
     FROM posts p JOIN areas ar ON ar.code = p.area_code JOIN projects pr ON pr.id = p.project_id \
     WHERE p.jurisdiction_code = $1 AND ar.path LIKE $2";

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// The programmes' scope of an actor: the jurisdiction and the area path prefix (`%`: all).
pub(crate) struct ProgrammeScope {
    pub(crate) jurisdiction: String,
    pub(crate) path: String,
}

impl Store {
    /// Where the actor keeps programme records: the county office its jurisdiction, a township
    /// or village its area.
    pub(crate) async fn programme_scope(&self, actor: &Actor) -> Result<ProgrammeScope> {
        actor.require(Capability::KeepProgrammes)?;
        let scope: HouseholdScope = self.household_scope(actor).await?;
        let jurisdiction = scope.jurisdiction.ok_or(Error::Forbidden)?;
        if scope.helper.is_some() {
            return Err(Error::Forbidden);
        }
        Ok(ProgrammeScope {
            jurisdiction,
            path: format!("{}%", scope.path.unwrap_or_default()),
        })
    }

    /// An area of the scope (a township or village) by code, or a field error.
    pub(crate) async fn programme_area(
        &self,
        scope: &ProgrammeScope,
        code: &str,
    ) -> Result<Option<crate::Area>> {
        let area = self.area_by_code(&scope.jurisdiction, code.trim()).await?;
        let prefix = scope.path.trim_end_matches('%');
        Ok(area.filter(|a| a.level != "district" && a.path.starts_with(prefix)))
    }

    /// The posts in the actor's area, of a year or all, newest first.
    pub async fn posts(&self, actor: &Actor, year: Option<i32>) -> Result<Vec<Post>> {
        let scope = self.programme_scope(actor).await?;
        let rows: Vec<Post> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{POST_SELECT} AND ($3 = 0 OR p.year = $3) ORDER BY p.year DESC, ar.path, p.name, \
                 p.id LIMIT 2000"
            )))
            .bind(&scope.jurisdiction)
            .bind(&scope.path)
            .bind(year.unwrap_or(0))
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// A post with its holders and months.
    pub async fn post(&self, actor: &Actor, id: i64) -> Result<PostFile> {
        let scope = self.programme_scope(actor).await?;
        let post: Option<Post> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{POST_SELECT} AND p.id = $3")))
                .bind(&scope.jurisdiction)
                .bind(&scope.path)
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let post = post.ok_or_else(|| Error::NotFound("岗位不存在".to_owned()))?;
        let holders: Vec<PostHolder> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT h.id, h.post_id, h.person_id, pe.name, pe.household_id, h.from_on, \
                 h.to_on FROM post_holders h JOIN people pe ON pe.id = h.person_id \
                 WHERE h.post_id = $1 ORDER BY h.from_on, h.id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        let months: Vec<PostMonth> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT m.id, m.holder_id, pe.name, m.month, m.days_worked, m.pay_fen, m.note \
                 FROM post_months m JOIN post_holders h ON h.id = m.holder_id \
                 JOIN people pe ON pe.id = h.person_id WHERE h.post_id = $1 \
                 ORDER BY m.month DESC, pe.name, m.id LIMIT 2000",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(PostFile {
            post,
            holders,
            months,
        })
    }

    /// Records a post in the actor's area, charged to a project of the jurisdiction.
    pub async fn create_post(&self, actor: &Actor, input: &PostInput) -> Result<PostFile> {
        let scope = self.programme_scope(actor).await?;
        let mut errors = ValidationErrors::default();
        errors.text("name", "岗位名称", &input.name, 100);
        let area = self.programme_area(&scope, &input.area_code).await?;
        if area.is_none() {
            errors.add(
                "area_code",
                "unknown_area",
                "乡镇或行政村不存在或不在本辖区",
            );
        }
        if !(0..=10_000_000).contains(&input.monthly_pay_fen) {
            errors.add("monthly_pay_fen", "out_of_range", "月工资应在0至10万元之间");
        }
        if !(2000..=2100).contains(&input.year) {
            errors.add("year", "out_of_range", "年度有误");
        }
        let project: Option<i64> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar("SELECT id FROM projects WHERE id = $1 AND jurisdiction_code = $2")
                .bind(input.project_id)
                .bind(&scope.jurisdiction)
                .fetch_optional(pool)
                .await?
        });
        if project.is_none() {
            errors.add("project_id", "unknown_project", "列支项目不存在");
        }
        errors.into_result()?;
        let area = area.ok_or(Error::Forbidden)?;
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO posts (jurisdiction_code, area_code, name, monthly_pay_fen, \
                 project_id, year, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(&scope.jurisdiction)
            .bind(&area.code)
            .bind(input.name.trim())
            .bind(input.monthly_pay_fen)
            .bind(input.project_id)
            .bind(input.year)
            .bind(&actor.name)
            .bind(time::now())
            .fetch_one(&mut *conn)
            .await?
        });
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "post.create", "post", &id.to_string())
                .in_jurisdiction(Some(&scope.jurisdiction))
                .with_details(json!({"name": input.name.trim(), "area": area.code,
                    "monthly_pay_fen": input.monthly_pay_fen, "project": input.project_id,
                    "year": input.year})),
        )
        .await?;
        tx.commit().await?;
        self.post(actor, id).await
    }

    /// Records a holder of a post: a live registry member the actor sees, aged within the
    /// rulebook's range on the first day (`holder_age` otherwise), not already holding the post
    /// over those days.
    pub async fn add_post_holder(
        &self,
        actor: &Actor,
        post_id: i64,
        input: &HolderInput,
    ) -> Result<PostFile> {
        let file = self.post(actor, post_id).await?;
        let rules = programme_rules()?;
        let person: Option<(i64, String, String, String, Option<String>)> =
            on_pool!(&self.pool, |pool| {
                sqlx::query_as(
                    "SELECT household_id, name, resident_id, birth_date, left_on FROM people \
                     WHERE id = $1",
                )
                .bind(input.person_id)
                .fetch_optional(pool)
                .await?
            });
        let Some((household, name, resident_id, birth_date, left_on)) = person else {
            return Err(Error::invalid("person_id", "unknown_person", "人员不存在"));
        };
        // A person of a household the actor does not see is unknown to them.
        let jurisdiction = match self.visible_household(actor, household).await {
            Ok((jurisdiction, _)) => jurisdiction,
            Err(Error::NotFound(_)) => {
                return Err(Error::invalid("person_id", "unknown_person", "人员不存在"));
            }
            Err(e) => return Err(e),
        };
        let mut errors = ValidationErrors::default();
        if left_on.is_some() {
            errors.add("person_id", "person_left", format!("{name}已不是家庭成员"));
        }
        let (from, to) = (day(&input.from_on), day(&input.to_on));
        match (from, to) {
            (Some(f), Some(t)) if t >= f => {}
            (Some(_), Some(_)) => errors.add("to_on", "invalid_date", "截止日期早于上岗日期"),
            _ => errors.add(
                "from_on",
                "invalid_date",
                "请填写上岗和截止日期（YYYY-MM-DD）",
            ),
        }
        if let Some(from) = from {
            // The age is the resident ID's; the recorded birth date when the ID cannot be read.
            let born = IdNumber::parse(&resident_id, from)
                .map(|id| id.birth_date())
                .ok()
                .or_else(|| day(&birth_date));
            match born {
                Some(born) => {
                    if let Some((code, message)) = rules.holder_age_refusal(born, from) {
                        errors.add("person_id", code, format!("{name}{message}"));
                    }
                }
                None => errors.add("person_id", "holder_age", "无法确定出生日期"),
            }
        }
        if let (Some(f), Some(t)) = (from, to) {
            let overlapping: i64 = on_pool!(&self.pool, |pool| {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM post_holders WHERE post_id = $1 AND person_id = $2 \
                     AND from_on <= $3 AND to_on >= $4",
                )
                .bind(post_id)
                .bind(input.person_id)
                .bind(t.to_string())
                .bind(f.to_string())
                .fetch_one(pool)
                .await?
            });
            if overlapping > 0 {
                errors.add(
                    "from_on",
                    "already_holding",
                    format!("{name}在此期间已在本岗位"),
                );
            }
        }
        errors.into_result()?;
        let (Some(from), Some(to)) = (from, to) else {
            return Err(Error::invalid("from_on", "invalid_date", "日期有误"));
        };
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO post_holders (post_id, person_id, from_on, to_on, created_by, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(post_id)
            .bind(input.person_id)
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
                "post_holder.create",
                "post",
                &post_id.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({"holder": id, "person": input.person_id,
                    "household": household, "from": from.to_string(), "to": to.to_string(),
                    "post": file.post.name})),
        )
        .await?;
        tx.commit().await?;
        self.post(actor, post_id).await
    }

    /// Records (or corrects) a holder's month: days on duty and pay, within the holder's period
    /// and not above the post's monthly pay.
    pub async fn record_post_month(
        &self,
        actor: &Actor,
        post_id: i64,
        input: &PostMonthInput,
    ) -> Result<PostFile> {
        let file = self.post(actor, post_id).await?;
        let holder = file
            .holders
            .iter()
            .find(|h| h.id == input.holder_id)
            .ok_or_else(|| Error::invalid("holder_id", "unknown_holder", "本岗位无此在岗人员"))?;
        let mut errors = ValidationErrors::default();
        let first = NaiveDate::parse_from_str(&format!("{}-01", input.month.trim()), "%Y-%m-%d")
            .ok()
            .filter(|_| input.month.trim().len() == 7);
        match first {
            None => errors.add("month", "invalid_month", "月份格式应为YYYY-MM"),
            Some(first) => {
                let last = first
                    .checked_add_months(chrono::Months::new(1))
                    .and_then(|d| d.pred_opt())
                    .unwrap_or(first);
                let held = day(&holder.from_on).is_some_and(|f| f <= last)
                    && day(&holder.to_on).is_some_and(|t| t >= first);
                if !held {
                    errors.add(
                        "month",
                        "outside_holding",
                        format!(
                            "{}不在{}的在岗期间（{}至{}）",
                            input.month.trim(),
                            holder.name,
                            holder.from_on,
                            holder.to_on
                        ),
                    );
                }
                let days = i32::try_from(last.day()).unwrap_or(31);
                if !(0..=days).contains(&input.days_worked) {
                    errors.add(
                        "days_worked",
                        "out_of_range",
                        format!("出勤天数应在0至{days}天之间"),
                    );
                }
            }
        }
        if input.pay_fen < 0 || input.pay_fen > file.post.monthly_pay_fen {
            errors.add(
                "pay_fen",
                "pay_above_post",
                format!("发放工资应在0至岗位月工资{}元之间", file.post.pay_yuan()),
            );
        }
        if input.note.trim().chars().count() > 500 {
            errors.add("note", "too_long", "备注不超过500字");
        }
        errors.into_result()?;
        let month = input.month.trim().to_owned();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO post_months (holder_id, month, days_worked, pay_fen, note, \
                 recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (holder_id, month) DO UPDATE SET days_worked = excluded.days_worked, \
                 pay_fen = excluded.pay_fen, note = excluded.note, \
                 recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
            )
            .bind(holder.id)
            .bind(&month)
            .bind(input.days_worked)
            .bind(input.pay_fen)
            .bind(input.note.trim())
            .bind(&actor.name)
            .bind(time::now())
            .execute(&mut *conn)
            .await?;
        });
        let jurisdiction = actor.jurisdiction.clone();
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "post_month.record",
                "post",
                &post_id.to_string(),
            )
            .in_jurisdiction(jurisdiction.as_deref())
            .with_details(json!({"holder": holder.id, "person": holder.person_id,
                    "month": month, "days_worked": input.days_worked,
                    "pay_fen": input.pay_fen})),
        )
        .await?;
        tx.commit().await?;
        self.post(actor, post_id).await
    }

    /// The distinct people (by resident ID) holding, on some day of `year`, a post charged to
    /// `project` (issue 19 item 6 binds indicators to this). No actor: the caller has checked
    /// that its actor may read the project.
    pub async fn post_holders_charged_to(
        &self,
        project: i64,
        year: i32,
    ) -> Result<Vec<PostHolderLine>> {
        let rows: Vec<PostHolderLine> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT MIN(pe.id) AS person_id, MIN(pe.name) AS name, MIN(p.name) AS post \
                 FROM post_holders h JOIN posts p ON p.id = h.post_id \
                 JOIN people pe ON pe.id = h.person_id \
                 WHERE p.project_id = $1 AND h.from_on <= $2 AND h.to_on >= $3 \
                 GROUP BY pe.resident_id ORDER BY MIN(pe.id)",
            )
            .bind(project)
            .bind(format!("{year:04}-12-31"))
            .bind(format!("{year:04}-01-01"))
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}
