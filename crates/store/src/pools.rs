//! The expert pool and the third-party institution pool (专家库、中介机构库): members with their
//! fields, employer, declared relations and design work, and their status. Draws from them are in
//! `draws.rs`; assignments, ratings and complaints in `assignments.rs`.

use crate::monitoring::{finance_jurisdiction, parse_date};
use crate::stored::{self, Cell, Readable};
use crate::workflow::{self, Trail};
use crate::{Error, Result, Store};
use jixiao_core::workflow::{PoolMember as WfMember, PoolMemberAction};
use jixiao_core::{Actor, Role, ValidationErrors, time};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Institution types (中介机构类型).
pub const INSTITUTION_TYPES: [&str; 6] = [
    "会计师事务所",
    "咨询机构",
    "资产评估机构",
    "律师事务所",
    "高校",
    "科研院所",
];

/// A pool member (an expert or an institution).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PoolMember {
    /// Id.
    pub id: i64,
    /// `expert` or `institution`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// An expert's title (职称), an institution's type.
    pub category: String,
    /// Fields of expertise, as JSON.
    #[serde(skip)]
    pub fields_json: String,
    /// Employer as written.
    pub employer: String,
    /// The employer, when it is an agency.
    pub employer_agency_id: Option<i64>,
    /// Contact.
    pub contact: String,
    /// Identity number, masked (never kept in full).
    pub id_number_masked: String,
    /// Qualifications.
    pub qualifications: String,
    /// `active`, `suspended` or `removed`.
    pub status: String,
    /// End of a suspension.
    pub suspended_until: Option<String>,
    /// Why suspended or removed.
    pub status_reason: String,
    /// An institution's staff who may act as evaluators, as JSON.
    #[serde(skip)]
    pub staff_json: String,
    /// The fields, read from `fields_json` when the row was read.
    #[sqlx(skip)]
    #[serde(skip)]
    fields: Vec<String>,
    /// The staff, read from `staff_json` when the row was read.
    #[sqlx(skip)]
    #[serde(skip)]
    staff: Vec<String>,
}

impl PoolMember {
    /// Fields of expertise.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// An institution's staff who may act as evaluators.
    pub fn staff(&self) -> &[String] {
        &self.staff
    }

    /// 在库 / 暂停 / 已出库 (the workflow's labels; every member read has a known status).
    pub fn status_label(&self) -> &'static str {
        jixiao_core::workflow::PoolMemberState::parse(&self.status)
            .map_or("未知", jixiao_core::workflow::PoolMemberState::label)
    }
}

impl Readable for PoolMember {
    fn read(mut self) -> Result<PoolMember> {
        let cell = |column| Cell::at("pool_members", self.id, column);
        cell("kind").code(&self.kind, |k| {
            matches!(k, "expert" | "institution").then_some(())
        })?;
        cell("status").code(&self.status, jixiao_core::workflow::PoolMemberState::parse)?;
        self.fields = cell("fields").json(&self.fields_json)?;
        self.staff = cell("staff").json(&self.staff_json)?;
        if let Some(until) = &self.suspended_until {
            cell("suspended_until").date(until)?;
        }
        Ok(self)
    }
}

/// A declared relation as typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RelationInput {
    /// The agency's code.
    pub agency_code: String,
    /// `worked`, `advised` or `relative`.
    pub kind: String,
    /// When it ended (YYYY-MM-DD), empty while it lasts.
    #[serde(default)]
    pub until: String,
}

/// A new member.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MemberInput {
    /// Name.
    pub name: String,
    /// Title (expert) or type (institution).
    #[serde(default)]
    pub category: String,
    /// Fields of expertise, from the rulebook's list.
    pub fields: Vec<String>,
    /// Employer as written.
    #[serde(default)]
    pub employer: String,
    /// The employer's agency code, when it is an agency.
    #[serde(default)]
    pub employer_agency_code: String,
    /// Contact.
    #[serde(default)]
    pub contact: String,
    /// Identity number: only a masked form is stored.
    #[serde(default)]
    pub id_number: String,
    /// Qualifications.
    #[serde(default)]
    pub qualifications: String,
    /// Declared relations.
    #[serde(default)]
    pub relations: Vec<RelationInput>,
    /// Codes of projects the member helped design.
    #[serde(default)]
    pub designed_project_codes: Vec<String>,
    /// Relations with institutions of the pool.
    #[serde(default)]
    pub institution_relations: Vec<InstitutionRelationInput>,
    /// An institution's staff who may act as evaluators.
    #[serde(default)]
    pub staff: Vec<String>,
}

/// A declared relation with an institution of the pool.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InstitutionRelationInput {
    /// The institution's member id.
    pub institution_id: i64,
    /// `worked`, `advised` or `relative`.
    pub kind: String,
    /// When it ended, empty while it lasts.
    #[serde(default)]
    pub until: String,
}

/// An identity number kept as its first four and last four characters.
pub fn mask_id_number(text: &str) -> std::result::Result<String, &'static str> {
    let text = text.trim().to_uppercase();
    if text.is_empty() {
        return Ok(String::new());
    }
    let valid = matches!(text.len(), 15 | 18)
        && text
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (i == 17 && c == 'X'));
    if !valid {
        return Err("身份证号码应为15位或18位（末位可为X）");
    }
    Ok(format!(
        "{}{}{}",
        &text[..4],
        "*".repeat(text.len() - 8),
        &text[text.len() - 4..]
    ))
}

pub(crate) const MEMBER_COLUMNS: &str = "id, kind, name, category, fields AS fields_json, employer, \
     employer_agency_id, contact, id_number_masked, qualifications, status, suspended_until, \
     status_reason, staff AS staff_json";

pub(crate) fn check_kind(kind: &str) -> Result<&'static str> {
    match kind {
        "" | "expert" => Ok("expert"),
        "institution" => Ok("institution"),
        _ => Err(Error::invalid(
            "kind",
            "invalid",
            "类型应为 expert（专家）或 institution（中介机构）",
        )),
    }
}

/// Who may read the pools: finance, administrators and supervisors.
pub(crate) fn may_read(actor: &Actor) -> Result<()> {
    match actor.role {
        Role::Finance | Role::Admin | Role::Viewer => Ok(()),
        _ => Err(Error::Forbidden),
    }
}

impl Store {
    /// Adds a member to a pool (finance).
    pub async fn add_pool_member(
        &self,
        actor: &Actor,
        kind: &str,
        input: &MemberInput,
    ) -> Result<PoolMember> {
        let jurisdiction = finance_jurisdiction(actor)?;
        let state = workflow::create::<WfMember>(PoolMemberAction::Add, actor)?;
        let kind = check_kind(kind)?;
        let rules = self.latest_rulebook(&jurisdiction).await?.pools;
        let mut errors = ValidationErrors::default();
        errors.text("name", "名称", &input.name, 100);
        if input.fields.is_empty() {
            errors.add("fields", "required", "请至少选择一个专业领域");
        }
        for field in &input.fields {
            if !rules.fields.contains(field) {
                errors.add(
                    "fields",
                    "unknown",
                    format!(
                        "专业领域“{field}”不在规则列表中（{}）",
                        rules.fields.join("、")
                    ),
                );
            }
        }
        if kind == "institution" && !INSTITUTION_TYPES.contains(&input.category.as_str()) {
            errors.add(
                "category",
                "invalid",
                format!("机构类型应为 {}", INSTITUTION_TYPES.join("/")),
            );
        }
        let masked = match mask_id_number(&input.id_number) {
            Ok(masked) => masked,
            Err(message) => {
                errors.add("id_number", "invalid", message);
                String::new()
            }
        };
        errors.into_result()?;
        let employer_agency_id = if input.employer_agency_code.trim().is_empty() {
            None
        } else {
            Some(
                self.agency_id(
                    &jurisdiction,
                    &input.employer_agency_code,
                    "employer_agency_code",
                )
                .await?,
            )
        };
        let mut relations = Vec::new();
        for relation in &input.relations {
            if !matches!(relation.kind.as_str(), "worked" | "advised" | "relative") {
                return Err(Error::invalid(
                    "relations",
                    "invalid_kind",
                    "关系类型应为 worked（任职）、advised（咨询服务）或 relative（亲属任职）",
                ));
            }
            let until = if relation.until.trim().is_empty() {
                None
            } else {
                Some(parse_date("relations", &relation.until)?.to_string())
            };
            let agency = self
                .agency_id(&jurisdiction, &relation.agency_code, "relations")
                .await?;
            relations.push((agency, relation.kind.clone(), until));
        }
        let mut institution_relations = Vec::new();
        for relation in &input.institution_relations {
            let target = self.pool_member(actor, relation.institution_id).await?;
            if target.kind != "institution"
                || !matches!(relation.kind.as_str(), "worked" | "advised" | "relative")
            {
                return Err(Error::invalid(
                    "institution_relations",
                    "invalid",
                    "关联机构须为中介机构库内机构，关系类型为 worked、advised 或 relative",
                ));
            }
            let until = if relation.until.trim().is_empty() {
                None
            } else {
                Some(parse_date("institution_relations", &relation.until)?.to_string())
            };
            institution_relations.push((target.id, relation.kind.clone(), until));
        }
        let staff: Vec<String> = input
            .staff
            .iter()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        let staff = crate::draws::to_json(&staff)?;
        let mut designs = Vec::new();
        for code in &input.designed_project_codes {
            designs.push(self.project_id_by_code(actor, code).await?);
        }
        let fields =
            serde_json::to_string(&input.fields).map_err(|e| Error::Internal(e.to_string()))?;
        let now = time::now();
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO pool_members (jurisdiction_code, kind, name, category, fields, employer, \
                 employer_agency_id, contact, id_number_masked, qualifications, staff, status, \
                 created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $13, $11, $11) \
                 RETURNING id",
            )
            .bind(&jurisdiction)
            .bind(kind)
            .bind(input.name.trim())
            .bind(input.category.trim())
            .bind(&fields)
            .bind(input.employer.trim())
            .bind(employer_agency_id)
            .bind(input.contact.trim())
            .bind(&masked)
            .bind(input.qualifications.trim())
            .bind(now)
            .bind(&staff)
            .bind(state.as_str())
            .fetch_one(&mut *conn)
            .await?
        });
        for (agency, relation_kind, until) in &relations {
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "INSERT INTO pool_relations (member_id, agency_id, kind, until) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(*agency)
                .bind(relation_kind)
                .bind(until.clone())
                .execute(&mut *conn)
                .await?;
            });
        }
        for (institution, relation_kind, until) in &institution_relations {
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "INSERT INTO pool_institution_relations (member_id, institution_id, kind, until) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(*institution)
                .bind(relation_kind)
                .bind(until.clone())
                .execute(&mut *conn)
                .await?;
            });
        }
        for project in &designs {
            on_tx!(&mut tx, |conn| {
                sqlx::query("INSERT INTO pool_designs (member_id, project_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(*project)
                    .execute(&mut *conn)
                    .await?;
            });
        }
        workflow::record_creation::<WfMember>(
            &mut tx,
            id,
            PoolMemberAction::Add,
            state,
            actor,
            Trail {
                jurisdiction: Some(&jurisdiction),
                details: json!({"kind": kind, "name": input.name.trim(), "fields": input.fields}),
            },
        )
        .await?;
        tx.commit().await?;
        self.pool_member(actor, id).await
    }

    /// The rulebook of the latest year that has one (the pools run across years), or the
    /// national default.
    pub(crate) async fn latest_rulebook(
        &self,
        jurisdiction: &str,
    ) -> Result<jixiao_core::rulebook::Rulebook> {
        let year: Option<i32> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar("SELECT MAX(year) FROM fiscal_years WHERE jurisdiction_code = $1")
                .bind(jurisdiction)
                .fetch_one(pool)
                .await?
        });
        match year {
            Some(year) => match self.rulebook_in_force(jurisdiction, year).await {
                Ok(record) => record.rulebook(),
                Err(Error::Conflict {
                    code: crate::ConflictCode::RulebookMissing,
                    ..
                }) => jixiao_core::rulebook::Rulebook::national_default()
                    .map_err(|e| Error::Internal(e.to_string())),
                Err(e) => Err(e),
            },
            None => jixiao_core::rulebook::Rulebook::national_default()
                .map_err(|e| Error::Internal(e.to_string())),
        }
    }

    pub(crate) async fn agency_id(
        &self,
        jurisdiction: &str,
        code: &str,
        field: &str,
    ) -> Result<i64> {
        self.agency_by_code(jurisdiction, code.trim())
            .await?
            .map(|a| a.id)
            .ok_or_else(|| {
                Error::invalid(
                    field,
                    "unknown_agency",
                    format!("部门单位“{}”不存在", code.trim()),
                )
            })
    }

    /// One member.
    pub async fn pool_member(&self, actor: &Actor, id: i64) -> Result<PoolMember> {
        may_read(actor)?;
        let found: Option<PoolMember> = on_pool!(&self.pool, |pool| {
            let mut query = sqlx::QueryBuilder::new(format!(
                "SELECT {MEMBER_COLUMNS} FROM pool_members WHERE id = "
            ));
            query.push_bind(id);
            if let Some(code) = &actor.jurisdiction {
                query
                    .push(" AND jurisdiction_code = ")
                    .push_bind(code.clone());
            }
            stored::one(query.build_query_as().fetch_optional(pool).await?)?
        });
        found.ok_or_else(|| Error::NotFound("库内成员不存在".to_owned()))
    }

    /// Members of a pool, by name, with an optional field and search text.
    pub async fn pool_members(
        &self,
        actor: &Actor,
        kind: &str,
        field: Option<&str>,
        search: Option<&str>,
    ) -> Result<Vec<PoolMember>> {
        may_read(actor)?;
        let kind = check_kind(kind)?;
        let members: Vec<PoolMember> = on_pool!(&self.pool, |pool| {
            let mut query = sqlx::QueryBuilder::new(format!(
                "SELECT {MEMBER_COLUMNS} FROM pool_members WHERE kind = "
            ));
            query.push_bind(kind);
            if let Some(code) = &actor.jurisdiction {
                query
                    .push(" AND jurisdiction_code = ")
                    .push_bind(code.clone());
            }
            if let Some(text) = search.map(str::trim).filter(|t| !t.is_empty()) {
                query
                    .push(" AND (name LIKE ")
                    .push_bind(format!("%{text}%"))
                    .push(" OR employer LIKE ")
                    .push_bind(format!("%{text}%"))
                    .push(")");
            }
            query.push(" ORDER BY name, id");
            stored::all(query.build_query_as().fetch_all(pool).await?)?
        });
        Ok(match field.map(str::trim).filter(|f| !f.is_empty()) {
            Some(field) => members
                .into_iter()
                .filter(|m| m.fields().iter().any(|f| f == field))
                .collect(),
            None => members,
        })
    }
}
