//! The assistance registry's households and people (一户一档): recording a household with its
//! members (identity checked, exactly one 户主, one live household per person), the list and the
//! file within the actor's scope (area subtree, helper's households, or the jurisdiction), masked
//! ID numbers, every read of a file and every full ID shown written to the audit log.

use crate::audit::append;
use crate::stored::{self, Cell, Readable};
use crate::{Error, Result, Store};
use chrono::NaiveDate;
use jixiao_core::assistance::AssistanceRules;
use jixiao_core::assistance::IdNumber;
use jixiao_core::assistance::id_number::DisabilityCertificateNumber;
use jixiao_core::assistance::record::{HouseholdRecord, PersonRecord};
use jixiao_core::assistance::registry::{Department, HouseholdType, IncomeRecord, Relation, Sex};
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, Role, ValidationErrors, time};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::QueryBuilder;

/// One person as entered or imported.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonInput {
    /// 人编号 in the national system.
    pub number: String,
    /// `resident_id` (居民身份证) or `disability_certificate` (残疾人证: the ID and two digits).
    pub id_type: String,
    /// 证件号码.
    pub id_number: String,
    /// Name.
    pub name: String,
    /// Relation to the head (`householder`, `spouse`, `son` …).
    pub relation: String,
    /// `male` or `female`.
    pub sex: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
}

/// A household as entered or imported.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HouseholdInput {
    /// The village's area code.
    pub village_code: String,
    /// 户编号.
    pub number: String,
    /// 户类型 code (`formerly_poor`, `ordinary` …).
    pub household_type: String,
    /// Address.
    pub address: String,
    /// 户联系电话.
    pub phone: String,
    /// The helper (帮扶责任人) user's id, if one is assigned.
    pub helper_user_id: Option<i64>,
    /// Members; exactly one is the head (`householder`).
    pub members: Vec<PersonInput>,
}

/// A household in a list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HouseholdLine {
    /// Id.
    pub id: i64,
    /// 户编号.
    pub number: String,
    /// Village code.
    pub village_code: String,
    /// Village name.
    pub village_name: String,
    /// 户类型 code.
    pub household_type: String,
    /// The head's name.
    pub head_name: String,
    /// The head's ID number, masked.
    pub head_id_masked: String,
    /// Members living in the household now.
    pub members: i64,
}

impl Readable for HouseholdLine {
    fn read(mut self) -> Result<HouseholdLine> {
        Cell::at("households", self.id, "household_type")
            .code(&self.household_type, HouseholdType::parse)?;
        self.head_id_masked = jixiao_core::assistance::mask(&self.head_id_masked);
        Ok(self)
    }
}

impl HouseholdLine {
    /// 脱贫户 / 一般农户 ….
    pub fn household_type_label(&self) -> &'static str {
        HouseholdType::parse(&self.household_type).map_or("", HouseholdType::label)
    }
}

/// A person of a household's file; the ID number is masked unless shown on purpose.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Person {
    /// Id.
    pub id: i64,
    /// 人编号.
    pub number: String,
    /// `resident_id` or `disability_certificate`.
    pub id_type: String,
    /// 证件号码, masked (first 4 and last 4).
    #[sqlx(rename = "id_number")]
    pub id_number_masked: String,
    /// Name.
    pub name: String,
    /// Relation code.
    pub relation: String,
    /// `male` or `female`.
    pub sex: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// In the household since.
    pub joined_on: String,
    /// Left on (`None` while a member).
    pub left_on: Option<String>,
    /// `moved`, `died` or `departed`.
    pub left_reason: Option<String>,
    /// The stored facts, as JSON text (read into `record`).
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub facts: String,
    /// Health, labour, schooling, cover …; `None` for a reader whose role does not need them.
    #[sqlx(skip)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub record: Option<PersonRecord>,
}

impl Readable for Person {
    fn read(mut self) -> Result<Person> {
        let cell = |column| Cell::at("people", self.id, column);
        self.record = Some(cell("facts").json(&self.facts)?);
        cell("relation").code(&self.relation, Relation::parse)?;
        cell("sex").code(&self.sex, Sex::parse)?;
        cell("birth_date").date(&self.birth_date)?;
        cell("joined_on").date(&self.joined_on)?;
        if let Some(left) = &self.left_on {
            cell("left_on").date(left)?;
        }
        self.id_number_masked = jixiao_core::assistance::mask(&self.id_number_masked);
        Ok(self)
    }
}

impl Person {
    /// 户主 / 配偶 ….
    pub fn relation_label(&self) -> &'static str {
        Relation::parse(&self.relation).map_or("", Relation::label)
    }

    /// Whether the person was a member on `date`.
    pub fn member_on(&self, date: &str) -> bool {
        self.joined_on.as_str() <= date && self.left_on.as_deref().is_none_or(|l| l > date)
    }
}

/// A household's file (一户一档).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdFile {
    /// The household as listed.
    pub household: HouseholdLine,
    /// Address.
    pub address: String,
    /// Phone.
    pub phone: String,
    /// Everyone who has been a member, current members first.
    pub people: Vec<Person>,
    /// Housing, monitoring, risks, measures …; `None` for a reader whose role does not need them.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub record: Option<HouseholdRecord>,
    /// The latest year's income record (year, income), if any.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub income: Option<(i32, IncomeRecord)>,
}

/// Which households an actor may see: the jurisdiction, an area subtree, or a helper's own.
pub(crate) struct HouseholdScope {
    pub(crate) jurisdiction: Option<String>,
    pub(crate) path: Option<String>,
    pub(crate) helper: Option<i64>,
}

impl HouseholdScope {
    pub(crate) fn push<DB: sqlx::Database>(&self, query: &mut QueryBuilder<DB>)
    where
        for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        if let Some(code) = &self.jurisdiction {
            query
                .push(" AND h.jurisdiction_code = ")
                .push_bind(code.clone());
        }
        if let Some(path) = &self.path {
            query
                .push(" AND ar.path LIKE ")
                .push_bind(format!("{path}%"));
        }
        if let Some(helper) = self.helper {
            query.push(" AND h.helper_user_id = ").push_bind(helper);
        }
    }
}

const LINE_COLUMNS: &str = "h.id, h.number, h.village_code, ar.name AS village_name, \
     h.household_type, COALESCE(hp.name, '') AS head_name, \
     COALESCE(hp.resident_id, '') AS head_id_masked, \
     (SELECT COUNT(*) FROM people m WHERE m.household_id = h.id AND m.left_on IS NULL) AS members";

const LINE_FROM: &str = " FROM households h JOIN areas ar ON ar.code = h.village_code \
     LEFT JOIN people hp ON hp.household_id = h.id AND hp.left_on IS NULL \
     AND hp.relation = 'householder' WHERE 1 = 1";

/// A household's line with the rest of its file's head, read in one query.
#[derive(sqlx::FromRow)]
struct FileHead {
    #[sqlx(flatten)]
    line: HouseholdLine,
    address: String,
    phone: String,
    facts: String,
}

impl HouseholdScope {
    /// The scope's conditions and the optional area filter (a township or village code).
    fn push_filtered<DB: sqlx::Database>(&self, query: &mut QueryBuilder<DB>, area: Option<&str>)
    where
        for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        self.push(query);
        if let Some(area) = area {
            query
                .push(" AND ar.path LIKE ")
                .push_bind(format!("%/{area}/%"));
        }
    }
}

/// A person's identity as checked: the resident ID the number carries.
fn checked_identity(
    person: &PersonInput,
    as_of: NaiveDate,
) -> std::result::Result<(IdNumber, NaiveDate, Sex), String> {
    let id = match person.id_type.as_str() {
        "resident_id" | "" => IdNumber::parse(&person.id_number, as_of),
        "disability_certificate" => {
            DisabilityCertificateNumber::parse(&person.id_number, as_of).map(|c| c.id)
        }
        other => return Err(format!("证件类型“{other}”无法识别")),
    }
    .map_err(|e| e.to_string())?;
    let birth = NaiveDate::parse_from_str(person.birth_date.trim(), "%Y-%m-%d")
        .map_err(|_| "出生日期格式应为 YYYY-MM-DD".to_owned())?;
    let sex = Sex::parse(person.sex.trim()).ok_or_else(|| "性别应为 male 或 female".to_owned())?;
    id.check_birth_date(birth).map_err(|e| e.to_string())?;
    id.check_sex(sex).map_err(|e| e.to_string())?;
    Ok((id, birth, sex))
}

impl Store {
    /// The actor's household scope, read from the user's record.
    pub(crate) async fn household_scope(&self, actor: &Actor) -> Result<HouseholdScope> {
        actor.require(Capability::ReadHouseholds)?;
        let jurisdiction = actor.jurisdiction.clone().ok_or(Error::Forbidden)?;
        let scope = |path, helper| HouseholdScope {
            jurisdiction: Some(jurisdiction.clone()),
            path,
            helper,
        };
        Ok(match actor.role {
            Role::Assistance | Role::Sector => scope(None, None),
            Role::Village | Role::Township => {
                let user = actor.user_id.ok_or(Error::Forbidden)?;
                let path: Option<String> = on_pool!(&self.pool, |pool| {
                    sqlx::query_scalar(
                        "SELECT ar.path FROM users u JOIN areas ar ON ar.code = u.area_code \
                         WHERE u.id = $1",
                    )
                    .bind(user)
                    .fetch_optional(pool)
                    .await?
                });
                scope(Some(path.ok_or(Error::Forbidden)?), None)
            }
            Role::Helper => scope(None, Some(actor.user_id.ok_or(Error::Forbidden)?)),
            _ => return Err(Error::Forbidden),
        })
    }

    /// Records a household with its members (village and township users within their area,
    /// the county office anywhere in its jurisdiction). Every problem is reported by field and
    /// nothing is stored.
    pub async fn add_household(
        &self,
        actor: &Actor,
        input: &HouseholdInput,
        as_of: NaiveDate,
    ) -> Result<HouseholdFile> {
        actor.require(Capability::EditHouseholds)?;
        let scope = self.household_scope(actor).await?;
        let jurisdiction = scope.jurisdiction.clone().ok_or(Error::Forbidden)?;
        let village = self
            .area_by_code(&jurisdiction, input.village_code.trim())
            .await?
            .filter(|a| a.level == "village")
            .ok_or_else(|| Error::invalid("village_code", "unknown_village", "行政村不存在"))?;
        if scope
            .path
            .as_ref()
            .is_some_and(|p| !village.path.starts_with(p.as_str()))
        {
            // Another village's household is not this user's to record.
            return Err(Error::NotFound("行政村不存在".to_owned()));
        }
        let mut errors = ValidationErrors::default();
        errors.text("number", "户编号", &input.number, 40);
        if HouseholdType::parse(input.household_type.trim()).is_none() {
            errors.add("household_type", "unknown", "户类型无法识别");
        }
        errors.optional_text("address", "地址", &input.address, 200);
        errors.optional_text("phone", "联系电话", &input.phone, 20);
        let mut heads = 0;
        let mut seen = std::collections::HashSet::new();
        let mut checked = Vec::new();
        for (i, person) in input.members.iter().enumerate() {
            let field = format!("members[{i}]");
            let row = i + 1;
            if person.name.trim().is_empty() || person.name.chars().count() > 50 {
                errors.add(
                    &field,
                    "invalid_name",
                    format!("第{row}人：姓名应为1至50个字"),
                );
            }
            match Relation::parse(person.relation.trim()) {
                Some(Relation::Householder) => heads += 1,
                Some(_) => {}
                None => errors.add(
                    &field,
                    "unknown_relation",
                    format!("第{row}人：与户主关系无法识别"),
                ),
            }
            match checked_identity(person, as_of) {
                Ok((id, birth, sex)) => {
                    if !seen.insert(id.as_str().to_owned()) {
                        errors.add(
                            &field,
                            "duplicate_id",
                            format!("第{row}人：证件号码在本户重复"),
                        );
                    }
                    checked.push((person, id, birth, sex));
                }
                Err(reason) => errors.add(&field, "invalid_id", format!("第{row}人：{reason}")),
            }
        }
        if heads != 1 {
            errors.add(
                "members",
                "one_head",
                format!("每户应有且只有一名户主（现有{heads}名）"),
            );
        }
        if let Some(helper) = input.helper_user_id {
            let role: Option<(String, Option<String>)> = on_pool!(&self.pool, |pool| {
                sqlx::query_as("SELECT role, jurisdiction_code FROM users WHERE id = $1")
                    .bind(helper)
                    .fetch_optional(pool)
                    .await?
            });
            if role != Some((Role::Helper.as_str().to_owned(), Some(jurisdiction.clone()))) {
                errors.add(
                    "helper_user_id",
                    "not_a_helper",
                    "帮扶责任人应为本区划的帮扶责任人用户",
                );
            }
        }
        errors.into_result()?;
        let now = time::now();
        let today = as_of.format("%Y-%m-%d").to_string();
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO households (jurisdiction_code, village_code, number, household_type, \
                 address, phone, helper_user_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(&jurisdiction)
            .bind(&village.code)
            .bind(input.number.trim())
            .bind(input.household_type.trim())
            .bind(input.address.trim())
            .bind(input.phone.trim())
            .bind(input.helper_user_id)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| {
                Error::unique_as_duplicate(e, format!("户编号{}已存在", input.number.trim()))
            })?
        });
        for (person, resident, birth, sex) in &checked {
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "INSERT INTO people (household_id, number, id_type, id_number, resident_id, \
                     name, relation, sex, birth_date, joined_on, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(id)
                .bind(person.number.trim())
                .bind(if person.id_type.is_empty() {
                    "resident_id"
                } else {
                    person.id_type.as_str()
                })
                .bind(person.id_number.trim().to_ascii_uppercase())
                .bind(resident.as_str())
                .bind(person.name.trim())
                .bind(person.relation.trim())
                .bind(sex.as_str())
                .bind(birth.format("%Y-%m-%d").to_string())
                .bind(&today)
                .bind(now)
                .execute(&mut *conn)
                .await
                .map_err(|e| {
                    Error::unique_as_duplicate(
                        e,
                        format!("证件号码{}已登记在其他户", resident.masked()),
                    )
                })?;
            });
        }
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "household.create",
                "household",
                &id.to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({
                "number": input.number.trim(), "village": village.code,
                "members": checked.len(),
                "ids": checked.iter().map(|(_, id, _, _)| id.masked()).collect::<Vec<_>>(),
            })),
        )
        .await?;
        tx.commit().await?;
        self.household(actor, id).await
    }

    /// Households within the actor's scope, by village and number, with an optional village
    /// (or township) filter; a page of `per_page` and the total.
    pub async fn households(
        &self,
        actor: &Actor,
        area: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<HouseholdLine>, i64)> {
        let scope = self.household_scope(actor).await?;
        let area = area
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned);
        // A code, never a pattern: `%` or `_` would otherwise widen the filter.
        if area
            .as_ref()
            .is_some_and(|a| !a.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Error::invalid("area", "invalid_area", "区域代码应为数字"));
        }
        let per_page = per_page.clamp(1, 200);
        let offset = (page.max(1) - 1).saturating_mul(per_page);
        let (rows, total): (Vec<HouseholdLine>, i64) = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(format!("SELECT {LINE_COLUMNS}{LINE_FROM}"));
            scope.push_filtered(&mut query, area.as_deref());
            query
                .push(" ORDER BY h.village_code, h.number LIMIT ")
                .push_bind(per_page);
            query.push(" OFFSET ").push_bind(offset);
            let rows = query.build_query_as().fetch_all(pool).await?;
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM households h JOIN areas ar ON ar.code = h.village_code \
                 WHERE 1 = 1",
            );
            scope.push_filtered(&mut count, area.as_deref());
            let total = count.build_query_scalar().fetch_one(pool).await?;
            (rows, total)
        });
        Ok((stored::all(rows)?, total))
    }

    /// A household's file, if within the actor's scope (else "not found"); the read is written
    /// to the audit log.
    pub async fn household(&self, actor: &Actor, id: i64) -> Result<HouseholdFile> {
        let scope = self.household_scope(actor).await?;
        let found: Option<FileHead> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(format!(
                "SELECT {LINE_COLUMNS}, h.address, h.phone, h.facts{LINE_FROM} AND h.id = "
            ));
            query.push_bind(id);
            scope.push(&mut query);
            query.build_query_as().fetch_optional(pool).await?
        });
        let FileHead {
            line,
            address,
            phone,
            facts,
        } = found.ok_or_else(|| Error::NotFound("帮扶对象户不存在".to_owned()))?;
        let income: Option<(i32, i64, i64, i64, i64, i64, i64)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT year, wage_fen, business_fen, property_fen, transfer_fen, self_pay_fen, \
                 per_capita_fen FROM household_incomes WHERE household_id = $1 \
                 ORDER BY year DESC LIMIT 1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        let people: Vec<Person> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT id, number, id_type, id_number, name, relation, sex, birth_date, \
                 joined_on, left_on, left_reason, facts FROM people WHERE household_id = $1 \
                 ORDER BY left_on IS NOT NULL, relation <> 'householder', id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        // A department sees what its own policies and checks read, nothing more
        // (ASSISTANCE.md §6): the rest of each record is cleared here, in the store.
        let mut record: HouseholdRecord = Cell::at("households", id, "facts").json(&facts)?;
        let mut people = stored::all(people)?;
        let mut income = income;
        if let Some(fields) = self.sector_fields(actor).await? {
            record.retain(&fields);
            for person in &mut people {
                if let Some(r) = person.record.as_mut() {
                    r.retain(&fields);
                }
            }
            let income_fields = [
                "wage_income",
                "business_income",
                "property_income",
                "transfer_income",
                "compliant_spending",
                "net_income",
                "per_capita_income",
                "recorded_per_capita_income",
            ];
            if !income_fields.iter().any(|f| fields.contains(f)) {
                income = None;
            }
        }
        let file = HouseholdFile {
            household: line.read()?,
            address,
            phone,
            people,
            record: Some(record),
            income: income.map(
                |(year, wage, business, property, transfer, self_pay, recorded)| {
                    (
                        year,
                        IncomeRecord {
                            wage,
                            business,
                            property,
                            transfer,
                            compliant_spending: self_pay,
                            recorded_per_capita: Some(recorded),
                        },
                    )
                },
            ),
        };
        let mut tx = self.begin().await?;
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "household.read", "household", &id.to_string())
                .in_jurisdiction(scope.jurisdiction.as_deref())
                .with_details(json!({"number": file.household.number})),
        )
        .await?;
        tx.commit().await?;
        Ok(file)
    }

    /// For a department's user, the fields its policies and checks read; `None` for others.
    async fn sector_fields(
        &self,
        actor: &Actor,
    ) -> Result<Option<std::collections::HashSet<&'static str>>> {
        let Some(department) = self.sector_department(actor).await? else {
            return Ok(None);
        };
        let Some(department) = Department::parse(&department) else {
            // A sector naming no known department sees nothing of the records.
            return Ok(Some(std::collections::HashSet::new()));
        };
        let rules = AssistanceRules::shipped(crate::POLICY_CHECK_RULEBOOK)
            .ok_or_else(|| Error::Internal("assistance rulebook missing".to_owned()))?
            .map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Some(rules.fields_read_by(department)))
    }

    /// A person's name and household within the actor's scope (else "not found").
    pub async fn person_head(&self, actor: &Actor, person_id: i64) -> Result<(String, i64)> {
        let scope = self.household_scope(actor).await?;
        let found: Option<(String, i64)> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT p.name, h.id FROM people p JOIN households h ON h.id = p.household_id \
                 JOIN areas ar ON ar.code = h.village_code WHERE p.id = ",
            );
            query.push_bind(person_id);
            scope.push(&mut query);
            query.build_query_as().fetch_optional(pool).await?
        });
        found.ok_or_else(|| Error::NotFound("人员不存在".to_owned()))
    }

    /// A person's full ID number, for a role that needs it and within its scope; written to the
    /// audit log every time.
    pub async fn show_id_number(&self, actor: &Actor, person_id: i64) -> Result<String> {
        actor.require(Capability::ShowIdNumbers)?;
        let scope = self.household_scope(actor).await?;
        let found: Option<(String, i64)> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT p.id_number, h.id FROM people p JOIN households h ON h.id = p.household_id \
                 JOIN areas ar ON ar.code = h.village_code WHERE p.id = ",
            );
            query.push_bind(person_id);
            scope.push(&mut query);
            query.build_query_as().fetch_optional(pool).await?
        });
        let (number, household) = found.ok_or_else(|| Error::NotFound("人员不存在".to_owned()))?;
        let mut tx = self.begin().await?;
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "person.show_id_number",
                "person",
                &person_id.to_string(),
            )
            .in_jurisdiction(scope.jurisdiction.as_deref())
            .with_details(
                json!({"household": household, "masked": jixiao_core::assistance::mask(&number)}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(number)
    }
}
