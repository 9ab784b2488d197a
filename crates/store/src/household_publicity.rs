//! The village 公示 list (ASSISTANCE.md §6): for one village within the actor's area, each
//! household's head by name, its village and the decision recorded (户类型, 监测对象类别) — never
//! an ID number, a phone, health or income. Making the list is written to the audit log.

use crate::audit::append;
use crate::stored::Cell;
use crate::{Error, Result, Store};
use jixiao_core::assistance::record::HouseholdRecord;
use jixiao_core::assistance::registry::HouseholdType;
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability};
use serde::Serialize;
use serde_json::json;
use sqlx::QueryBuilder;

/// One line of a village's 公示.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicityLine {
    /// 乡镇（街道）.
    pub township: String,
    /// 行政村.
    pub village: String,
    /// 户主姓名.
    pub head_name: String,
    /// 家庭人口.
    pub members: i64,
    /// The decision: 户类型, and the 监测对象类别 when monitored.
    pub decision: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    village: String,
    head_name: String,
    members: i64,
    household_type: String,
    facts: String,
}

impl Store {
    /// The 公示 list of one village (a village, township or county user within its area).
    pub async fn village_publicity(
        &self,
        actor: &Actor,
        village_code: &str,
    ) -> Result<Vec<PublicityLine>> {
        actor.require(Capability::EditHouseholds)?;
        let scope = self.household_scope(actor).await?;
        let jurisdiction = scope.jurisdiction.clone().ok_or(Error::Forbidden)?;
        let village = self
            .area_by_code(&jurisdiction, village_code.trim())
            .await?
            .filter(|a| a.level == "village")
            .filter(|a| {
                scope
                    .path
                    .as_ref()
                    .is_none_or(|p| a.path.starts_with(p.as_str()))
            })
            .ok_or_else(|| Error::NotFound("行政村不存在".to_owned()))?;
        let township_code = village
            .path
            .split('/')
            .find(|s| !s.is_empty())
            .unwrap_or("")
            .to_owned();
        let township = self
            .area_by_code(&jurisdiction, &township_code)
            .await?
            .map(|a| a.name)
            .unwrap_or_default();
        let rows: Vec<Row> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT h.id, ar.name AS village, COALESCE(hp.name, '') AS head_name, \
                 (SELECT COUNT(*) FROM people m WHERE m.household_id = h.id \
                 AND m.left_on IS NULL) AS members, h.household_type, h.facts \
                 FROM households h JOIN areas ar ON ar.code = h.village_code \
                 LEFT JOIN people hp ON hp.household_id = h.id AND hp.left_on IS NULL \
                 AND hp.relation = 'householder' WHERE h.village_code = ",
            );
            query.push_bind(village.code.clone());
            scope.push(&mut query);
            query.push(" ORDER BY h.number");
            query.build_query_as().fetch_all(pool).await?
        });
        let mut lines = Vec::with_capacity(rows.len());
        for row in rows {
            let kind = Cell::at("households", row.id, "household_type")
                .code(&row.household_type, HouseholdType::parse)?;
            let record: HouseholdRecord =
                Cell::at("households", row.id, "facts").json(&row.facts)?;
            let decision = match record.monitoring {
                Some(category) => format!("{}，监测对象：{}", kind.label(), category.label()),
                None => kind.label().to_owned(),
            };
            lines.push(PublicityLine {
                township: township.clone(),
                village: row.village,
                head_name: row.head_name,
                members: row.members,
                decision,
            });
        }
        let mut tx = self.begin().await?;
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "household.publicity", "area", &village.code)
                .in_jurisdiction(Some(&jurisdiction))
                .with_details(json!({"households": lines.len()})),
        )
        .await?;
        tx.commit().await?;
        Ok(lines)
    }
}
