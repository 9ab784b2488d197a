//! 留守儿童关爱 "12345" (issue 19 item 5, decision 0045): a file per left-behind child (a
//! registry member or a child recorded here, the school, the guardian, the parents' workplace and
//! phone), the activities recorded for the child by kind and day, and the compliance of each
//! child and each school over a period against the rulebook's schedule. Kept by the county
//! office in its jurisdiction, townships and villages in their area; every change is audited.
//! "Children visited per schedule in year Y" is [`Store::children_visited_per_schedule`].

use crate::audit::append;
use crate::posts::{ProgrammeScope, programme_rules};
use crate::{Error, Result, Store};
use chrono::NaiveDate;
use jixiao_core::assistance::programmes::ChildActivityKind;
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, ValidationErrors, time};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// A child's file as the form sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChildInput {
    /// The village.
    pub village_code: String,
    /// The registry member, when the child is one (name and birth date are then the registry's).
    pub person_id: Option<i64>,
    /// Name (required without `person_id`).
    pub name: String,
    /// Birth date `YYYY-MM-DD` (required without `person_id`).
    pub birth_date: String,
    /// 就读学校.
    pub school: String,
    /// 监护人.
    pub guardian_name: String,
    /// The guardian's relation to the child (祖父母 …).
    pub guardian_relation: String,
    /// The guardian's age.
    pub guardian_age: Option<i32>,
    /// The guardian's health (健康、慢性病 …).
    pub guardian_health: String,
    /// 父母务工地.
    pub parents_workplace: String,
    /// 父母联系电话.
    pub parents_phone: String,
}

/// A child's file.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Child {
    /// Id.
    pub id: i64,
    /// The village.
    pub village_code: String,
    /// Its name.
    pub village_name: String,
    /// The registry member, when the child is one.
    pub person_id: Option<i64>,
    /// Name.
    pub name: String,
    /// Birth date.
    pub birth_date: String,
    /// 就读学校.
    pub school: String,
    /// 监护人.
    pub guardian_name: String,
    /// 与儿童关系.
    pub guardian_relation: String,
    /// 监护人年龄.
    pub guardian_age: Option<i32>,
    /// 监护人健康状况.
    pub guardian_health: String,
    /// 父母务工地.
    pub parents_workplace: String,
    /// 父母联系电话.
    pub parents_phone: String,
}

/// An activity as the form sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChildActivityInput {
    /// `contact`, `special_class`, `feedback`, `home_visit` or `festival_activity`.
    pub kind: String,
    /// The day, `YYYY-MM-DD`.
    pub on_day: String,
    /// What was done.
    pub note: String,
}

/// A recorded activity.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ChildActivity {
    /// Id.
    pub id: i64,
    /// Kind's code.
    pub kind: String,
    /// The day.
    pub on_day: String,
    /// What was done.
    pub note: String,
    /// Who recorded it.
    pub recorded_by: String,
}

impl ChildActivity {
    /// The kind's label.
    pub fn kind_label(&self) -> &'static str {
        ChildActivityKind::parse(&self.kind).map_or("", ChildActivityKind::label)
    }
}

/// A child's file with the activities.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildFile {
    /// The child.
    pub child: Child,
    /// The activities, latest first.
    pub activities: Vec<ChildActivity>,
}

/// One kind's standing.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindStandingView {
    /// Kind's code.
    pub kind: String,
    /// Its label.
    pub label: String,
    /// Owed by the schedule over the period.
    pub owed: i64,
    /// Recorded.
    pub done: i64,
}

/// A child's compliance over a period.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildCompliance {
    /// The child.
    pub child_id: i64,
    /// Name.
    pub name: String,
    /// School.
    pub school: String,
    /// Village.
    pub village_name: String,
    /// Each kind: owed and done.
    pub kinds: Vec<KindStandingView>,
    /// Every kind met.
    pub compliant: bool,
}

/// A school's compliance over a period.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchoolCompliance {
    /// School.
    pub school: String,
    /// Children on file.
    pub children: i64,
    /// Children meeting every kind.
    pub compliant: i64,
}

/// The compliance view of a period.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildrenCompliance {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// Per child, the ones behind first.
    pub children: Vec<ChildCompliance>,
    /// Per school.
    pub schools: Vec<SchoolCompliance>,
}

const CHILD_SELECT: &str = "SELECT c.id, c.village_code, ar.name AS village_name, c.person_id, \
     c.name, c.birth_date, c.school, c.guardian_name, c.guardian_relation, c.guardian_age, \
     c.guardian_health, c.parents_workplace, c.parents_phone \
     FROM children c JOIN areas ar ON ar.code = c.village_code \
     WHERE c.jurisdiction_code = $1 AND ar.path LIKE $2";

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

impl Store {
    async fn children_in(&self, scope: &ProgrammeScope) -> Result<Vec<Child>> {
        let rows: Vec<Child> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CHILD_SELECT} ORDER BY c.school, ar.path, c.name, c.id LIMIT 5000"
            )))
            .bind(&scope.jurisdiction)
            .bind(&scope.path)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// The children on file in the actor's area.
    pub async fn children(&self, actor: &Actor) -> Result<Vec<Child>> {
        let scope = self.programme_scope(actor).await?;
        self.children_in(&scope).await
    }

    /// A child's file with the activities.
    pub async fn child(&self, actor: &Actor, id: i64) -> Result<ChildFile> {
        let scope = self.programme_scope(actor).await?;
        let child: Option<Child> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{CHILD_SELECT} AND c.id = $3")))
                .bind(&scope.jurisdiction)
                .bind(&scope.path)
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let child = child.ok_or_else(|| Error::NotFound("留守儿童档案不存在".to_owned()))?;
        let activities: Vec<ChildActivity> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT id, kind, on_day, note, recorded_by FROM child_activities \
                 WHERE child_id = $1 ORDER BY on_day DESC, id DESC LIMIT 2000",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(ChildFile { child, activities })
    }

    /// Opens a child's file in a village of the actor's area.
    pub async fn add_child(&self, actor: &Actor, input: &ChildInput) -> Result<ChildFile> {
        let scope = self.programme_scope(actor).await?;
        let mut errors = ValidationErrors::default();
        let village = self
            .programme_area(&scope, &input.village_code)
            .await?
            .filter(|a| a.level == "village");
        if village.is_none() {
            errors.add(
                "village_code",
                "unknown_village",
                "行政村不存在或不在本辖区",
            );
        }
        let (mut name, mut birth) = (input.name.trim().to_owned(), input.birth_date.clone());
        if let Some(person) = input.person_id {
            let found: Option<(i64, String, String)> = on_pool!(&self.pool, |pool| {
                sqlx::query_as(
                    "SELECT household_id, name, birth_date FROM people WHERE id = $1 \
                     AND left_on IS NULL",
                )
                .bind(person)
                .fetch_optional(pool)
                .await?
            });
            let visible = match &found {
                Some((household, _, _)) => match self.visible_household(actor, *household).await {
                    Ok(_) => true,
                    Err(Error::NotFound(_)) => false,
                    Err(e) => return Err(e),
                },
                None => false,
            };
            match found {
                Some((_, n, b)) if visible => {
                    let on_file: Option<i64> = on_pool!(&self.pool, |pool| {
                        sqlx::query_scalar("SELECT id FROM children WHERE person_id = $1")
                            .bind(person)
                            .fetch_optional(pool)
                            .await?
                    });
                    if on_file.is_some() {
                        errors.add(
                            "person_id",
                            "already_on_file",
                            format!("{n}已建立留守儿童档案"),
                        );
                    }
                    name = n;
                    birth = b;
                }
                _ => errors.add("person_id", "unknown_person", "人员不存在"),
            }
        } else {
            errors.text("name", "儿童姓名", &input.name, 50);
        }
        if day(&birth).is_none() {
            errors.add("birth_date", "invalid_date", "请填写出生日期（YYYY-MM-DD）");
        }
        errors.text("school", "就读学校", &input.school, 100);
        errors.text("guardian_name", "监护人", &input.guardian_name, 50);
        for (field, label, value) in [
            ("guardian_relation", "监护人关系", &input.guardian_relation),
            ("guardian_health", "监护人健康状况", &input.guardian_health),
            ("parents_workplace", "父母务工地", &input.parents_workplace),
            ("parents_phone", "父母联系电话", &input.parents_phone),
        ] {
            errors.optional_text(field, label, value, 100);
        }
        if input.guardian_age.is_some_and(|a| !(10..=120).contains(&a)) {
            errors.add("guardian_age", "out_of_range", "监护人年龄有误");
        }
        errors.into_result()?;
        let village = village.ok_or(Error::Forbidden)?;
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO children (jurisdiction_code, village_code, person_id, name, \
                 birth_date, school, guardian_name, guardian_relation, guardian_age, \
                 guardian_health, parents_workplace, parents_phone, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                 RETURNING id",
            )
            .bind(&scope.jurisdiction)
            .bind(&village.code)
            .bind(input.person_id)
            .bind(&name)
            .bind(birth.trim())
            .bind(input.school.trim())
            .bind(input.guardian_name.trim())
            .bind(input.guardian_relation.trim())
            .bind(input.guardian_age)
            .bind(input.guardian_health.trim())
            .bind(input.parents_workplace.trim())
            .bind(input.parents_phone.trim())
            .bind(&actor.name)
            .bind(time::now())
            .fetch_one(&mut *conn)
            .await?
        });
        // The log names the file, not the child (a minor's data stays in its table).
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "child.create", "child", &id.to_string())
                .in_jurisdiction(Some(&scope.jurisdiction))
                .with_details(json!({"village": village.code, "person": input.person_id})),
        )
        .await?;
        tx.commit().await?;
        self.child(actor, id).await
    }

    /// Records an activity for a child (not in the future, not before the birth).
    pub async fn record_child_activity(
        &self,
        actor: &Actor,
        child_id: i64,
        input: &ChildActivityInput,
        today: NaiveDate,
    ) -> Result<ChildFile> {
        let file = self.child(actor, child_id).await?;
        let mut errors = ValidationErrors::default();
        let kind = ChildActivityKind::parse(input.kind.trim());
        if kind.is_none() {
            errors.add("kind", "unknown_kind", "活动类别有误");
        }
        let on = day(&input.on_day);
        match on {
            None => errors.add("on_day", "invalid_date", "请填写日期（YYYY-MM-DD）"),
            Some(d) if d > today => errors.add("on_day", "future_date", "日期不能晚于今天"),
            Some(d) if day(&file.child.birth_date).is_some_and(|b| d < b) => {
                errors.add("on_day", "invalid_date", "日期早于出生日期")
            }
            Some(_) => {}
        }
        errors.optional_text("note", "活动内容", &input.note, 500);
        errors.into_result()?;
        let (Some(kind), Some(on)) = (kind, on) else {
            return Err(Error::invalid("kind", "unknown_kind", "活动类别有误"));
        };
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO child_activities (child_id, kind, on_day, note, recorded_by, \
                 recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(child_id)
            .bind(kind.as_str())
            .bind(on.to_string())
            .bind(input.note.trim())
            .bind(&actor.name)
            .bind(time::now())
            .fetch_one(&mut *conn)
            .await?
        });
        let jurisdiction = actor.jurisdiction.clone();
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "child_activity.record",
                "child",
                &child_id.to_string(),
            )
            .in_jurisdiction(jurisdiction.as_deref())
            .with_details(json!({"activity": id, "kind": kind.as_str(), "on": on.to_string()})),
        )
        .await?;
        tx.commit().await?;
        self.child(actor, child_id).await
    }

    /// Each child's and each school's compliance over `from`..=`to` against the schedule.
    pub async fn children_compliance(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<ChildrenCompliance> {
        if to < from || (to - from).num_days() > 731 {
            return Err(Error::invalid(
                "to",
                "invalid_period",
                "期间有误（截止日期不早于起始日期，且不超过两年）",
            ));
        }
        let scope = self.programme_scope(actor).await?;
        let rules = programme_rules()?;
        let children = self.children_in(&scope).await?;
        let counts: Vec<(i64, String, i64)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT a.child_id, a.kind, COUNT(*) FROM child_activities a \
                 JOIN children c ON c.id = a.child_id JOIN areas ar ON ar.code = c.village_code \
                 WHERE c.jurisdiction_code = $1 AND ar.path LIKE $2 \
                 AND a.on_day >= $3 AND a.on_day <= $4 GROUP BY a.child_id, a.kind",
            )
            .bind(&scope.jurisdiction)
            .bind(&scope.path)
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(pool)
            .await?
        });
        let mut done: BTreeMap<(i64, &str), i64> = BTreeMap::new();
        for (child, kind, n) in &counts {
            done.insert((*child, kind.as_str()), *n);
        }
        let mut out = Vec::with_capacity(children.len());
        let mut schools: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for c in children {
            let standing = rules.compliance(from, to, |kind| {
                done.get(&(c.id, kind.as_str())).copied().unwrap_or(0)
            });
            let compliant = standing.iter().all(|s| s.met());
            let school = schools.entry(c.school.clone()).or_default();
            school.0 += 1;
            school.1 += i64::from(compliant);
            out.push(ChildCompliance {
                child_id: c.id,
                name: c.name,
                school: c.school,
                village_name: c.village_name,
                kinds: standing
                    .iter()
                    .map(|s| KindStandingView {
                        kind: s.kind.as_str().to_owned(),
                        label: s.kind.label().to_owned(),
                        owed: s.owed,
                        done: s.done,
                    })
                    .collect(),
                compliant,
            });
        }
        out.sort_by_key(|c| c.compliant);
        Ok(ChildrenCompliance {
            from: from.to_string(),
            to: to.to_string(),
            children: out,
            schools: schools
                .into_iter()
                .map(|(school, (children, compliant))| SchoolCompliance {
                    school,
                    children,
                    compliant,
                })
                .collect(),
        })
    }

    /// The children of a jurisdiction visited per schedule in `year`: home visits in the
    /// calendar year at least the rulebook's yearly number — (child id, name). For indicators
    /// bound to records (no actor: the caller has checked its actor may read the project).
    pub async fn children_visited_per_schedule(
        &self,
        jurisdiction: &str,
        year: i32,
    ) -> Result<Vec<(i64, String)>> {
        let rules = programme_rules()?;
        let rows: Vec<(i64, String)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT c.id, c.name FROM children c JOIN child_activities a ON a.child_id = c.id \
                 WHERE c.jurisdiction_code = $1 AND a.kind = 'home_visit' \
                 AND a.on_day >= $2 AND a.on_day <= $3 GROUP BY c.id, c.name \
                 HAVING COUNT(*) >= $4 ORDER BY c.id",
            )
            .bind(jurisdiction)
            .bind(format!("{year:04}-01-01"))
            .bind(format!("{year:04}-12-31"))
            .bind(rules.child_home_visits_per_year)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}
