//! Agencies (部门/单位): departments and their budget units, scoped by jurisdiction and, for an
//! agency user, by the agency's own subtree.

use crate::audit::append;
use crate::stored::{self, Cell, Readable};
use crate::{Error, Result, Store};
use jixiao_core::agency::{AgencyKind, NewAgency};
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, Role, time, tree};
use serde::Serialize;
use serde_json::json;
use sqlx::QueryBuilder;

/// An agency as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Agency {
    /// Internal id.
    pub id: i64,
    /// The jurisdiction it belongs to.
    pub jurisdiction_code: String,
    /// Code, unique within the jurisdiction.
    pub code: String,
    /// Name.
    pub name: String,
    /// `department` or `unit`.
    pub kind: String,
    /// The department above a unit.
    pub parent_id: Option<i64>,
    /// The department's code, for a unit.
    pub parent_code: Option<String>,
    /// The head (第一责任人).
    pub head: String,
}

impl Readable for Agency {
    fn read(self) -> Result<Agency> {
        Cell::at("agencies", self.id, "kind").code(&self.kind, AgencyKind::parse)?;
        Ok(self)
    }
}

impl Agency {
    /// 主管部门 or 预算单位 (every agency read has a kind of the vocabulary).
    pub fn kind_label(&self) -> &'static str {
        AgencyKind::parse(&self.kind).map_or("", AgencyKind::label)
    }
}

const SELECT_AGENCY: &str = "SELECT a.id, a.jurisdiction_code, a.code, a.name, a.kind, \
     a.parent_id, p.code AS parent_code, a.head FROM agencies a \
     LEFT JOIN agencies p ON p.id = a.parent_id";

impl Store {
    /// The agencies the actor may see, departments each followed by their units.
    pub async fn agencies(&self, actor: &Actor) -> Result<Vec<Agency>> {
        actor.require(Capability::ReadAgencies)?;
        let visible = self.visible_jurisdiction_codes(actor).await?;
        // Only the visible jurisdictions' agencies are read: a county user's cost does not grow
        // with the province.
        let all: Vec<Agency> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(SELECT_AGENCY);
            match &visible {
                None => {}
                Some(codes) if codes.is_empty() => {
                    query.push(" WHERE 1 = 0");
                }
                Some(codes) => {
                    query.push(" WHERE a.jurisdiction_code IN (");
                    let mut list = query.separated(", ");
                    for code in codes {
                        list.push_bind(code.clone());
                    }
                    list.push_unseparated(")");
                }
            }
            query.push(
                " ORDER BY a.jurisdiction_code, COALESCE(p.code, a.code), \
                 a.parent_id IS NOT NULL, a.code",
            );
            query.build_query_as().fetch_all(pool).await?
        });
        let mut agencies = stored::all(all)?;
        if actor.role == Role::Agency {
            let Some(own) = actor.agency_id else {
                return Err(Error::Forbidden);
            };
            let parents: Vec<(i64, Option<i64>)> =
                agencies.iter().map(|a| (a.id, a.parent_id)).collect();
            let subtree = tree::subtree(&own, &parents);
            agencies.retain(|a| subtree.contains(&a.id));
        }
        Ok(agencies)
    }

    /// One agency by id, if the actor may see it.
    pub async fn agency(&self, actor: &Actor, id: i64) -> Result<Agency> {
        self.agencies(actor)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| Error::NotFound("单位不存在".to_owned()))
    }

    /// Looks up an agency by jurisdiction and code (no actor scoping: for the CLI and loaders).
    pub async fn agency_by_code(&self, jurisdiction: &str, code: &str) -> Result<Option<Agency>> {
        Ok(on_pool!(&self.pool, |pool| {
            let found = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT_AGENCY} WHERE a.jurisdiction_code = $1 AND a.code = $2"
            )))
            .bind(jurisdiction)
            .bind(code)
            .fetch_optional(pool)
            .await?;
            stored::one(found)?
        }))
    }

    /// Adds a department, or a unit under a department.
    pub async fn add_agency(&self, actor: &Actor, new: &NewAgency) -> Result<Agency> {
        actor.require(Capability::ManageAgencies)?;
        new.validate()?;
        if !self.covers_jurisdiction(actor, &new.jurisdiction).await? {
            return Err(Error::Forbidden);
        }
        if !self
            .jurisdictions()
            .await?
            .iter()
            .any(|j| j.code == new.jurisdiction)
        {
            return Err(Error::invalid(
                "jurisdiction",
                "unknown_jurisdiction",
                format!("财政区划“{}”不存在", new.jurisdiction),
            ));
        }
        let parent = match &new.parent_code {
            None => None,
            Some(code) => match self.agency_by_code(&new.jurisdiction, code).await? {
                Some(p) if p.kind == AgencyKind::Department.as_str() => Some(p),
                Some(_) => {
                    return Err(Error::invalid(
                        "parent_code",
                        "not_a_department",
                        format!("“{code}”是预算单位，预算单位只能设在主管部门之下"),
                    ));
                }
                None => {
                    return Err(Error::invalid(
                        "parent_code",
                        "unknown_agency",
                        format!("上级部门“{code}”不存在"),
                    ));
                }
            },
        };
        let kind = AgencyKind::for_parent(parent.is_some());
        let (name, head) = (new.name.trim(), new.head.trim());
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO agencies (jurisdiction_code, code, name, kind, parent_id, head, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&new.jurisdiction)
            .bind(&new.code)
            .bind(name)
            .bind(kind.as_str())
            .bind(parent.as_ref().map(|p| p.id))
            .bind(head)
            .bind(time::now())
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| Error::unique_as_duplicate(e, format!("单位编码“{}”已存在", new.code)))?
        });
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "agency.create", "agency", &new.code)
                .in_jurisdiction(Some(&new.jurisdiction))
                .with_details(json!({
                    "name": name,
                    "kind": kind.as_str(),
                    "parent_code": new.parent_code,
                    "head": head,
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(Agency {
            id,
            jurisdiction_code: new.jurisdiction.clone(),
            code: new.code.clone(),
            name: name.to_owned(),
            kind: kind.as_str().to_owned(),
            parent_id: parent.as_ref().map(|p| p.id),
            parent_code: parent.map(|p| p.code),
            head: head.to_owned(),
        })
    }

    /// Changes an agency's head (第一责任人).
    pub async fn set_agency_head(&self, actor: &Actor, id: i64, head: &str) -> Result<()> {
        actor.require(Capability::ManageAgencies)?;
        let mut errors = jixiao_core::ValidationErrors::default();
        errors.optional_text("head", "第一责任人", head, 50);
        errors.into_result()?;
        let agency = self.agency(actor, id).await?;
        let head = head.trim();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE agencies SET head = $1 WHERE id = $2")
                .bind(head)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "agency.set_head", "agency", &agency.code)
                .in_jurisdiction(Some(&agency.jurisdiction_code))
                .with_details(json!({"from": agency.head, "to": head})),
        )
        .await?;
        tx.commit().await
    }
}
