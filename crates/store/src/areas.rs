//! The area tree below a jurisdiction (乡镇/街道 → 管区 → 行政村): loading it from a file,
//! reading it, and the area scope of the assistance roles (a subtree, kept as a path so a scope
//! is one prefix test in the query).

use crate::audit::append;
use crate::stored::{self, Cell, Readable};
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::{Actor, Capability, ValidationErrors, time};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// The levels of the tree, top first, with the names users read.
pub const AREA_LEVELS: [(&str, &str); 3] = [
    ("township", "乡镇（街道）"),
    ("district", "管区"),
    ("village", "行政村"),
];

/// One area.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Area {
    /// Code (统计用区划代码 or a local code), 9–15 characters.
    pub code: String,
    /// Jurisdiction.
    pub jurisdiction_code: String,
    /// The area above; `None` for a township.
    pub parent_code: Option<String>,
    /// `township`, `district` or `village`.
    pub level: String,
    /// Name.
    pub name: String,
    /// `/township/district/village/` codes from the top: the subtree is a prefix.
    #[serde(skip)]
    pub path: String,
}

impl Area {
    /// 乡镇（街道）/ 管区 / 行政村.
    pub fn level_label(&self) -> &'static str {
        AREA_LEVELS
            .iter()
            .find(|(code, _)| *code == self.level)
            .map_or("", |(_, label)| label)
    }
}

impl Readable for Area {
    fn read(self) -> Result<Area> {
        let cell = Cell::keyed("areas", format!("code={}", self.code), "level");
        cell.code(&self.level, |l| {
            AREA_LEVELS.iter().any(|(c, _)| *c == l).then_some(())
        })?;
        Ok(self)
    }
}

/// One line of an area file: `code,name,level,parent_code`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AreaLine {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `township`, `district` or `village`.
    pub level: String,
    /// The area above (empty for a township).
    #[serde(default)]
    pub parent_code: String,
}

const AREA_COLUMNS: &str = "code, jurisdiction_code, parent_code, level, name, path";

/// Where each level may sit.
fn parent_fits(level: &str, parent: Option<&str>) -> bool {
    matches!(
        (level, parent),
        ("township", None)
            | ("district", Some("township"))
            | ("village", Some("township" | "district"))
    )
}

impl Store {
    /// The jurisdiction's areas, top-down (by path).
    pub async fn areas(&self, actor: &Actor, jurisdiction: &str) -> Result<Vec<Area>> {
        if !(actor.role.can(Capability::ManageAreas) || actor.role.can(Capability::ReadHouseholds))
        {
            return Err(Error::Forbidden);
        }
        if !self.covers_jurisdiction(actor, jurisdiction).await? {
            return Err(Error::Forbidden);
        }
        let rows: Vec<Area> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {AREA_COLUMNS} FROM areas WHERE jurisdiction_code = $1 ORDER BY path"
            )))
            .bind(jurisdiction)
            .fetch_all(pool)
            .await?
        });
        stored::all(rows)
    }

    /// One area of a jurisdiction (no actor: for loaders and checks of input).
    pub(crate) async fn area_by_code(
        &self,
        jurisdiction: &str,
        code: &str,
    ) -> Result<Option<Area>> {
        let row: Option<Area> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {AREA_COLUMNS} FROM areas WHERE jurisdiction_code = $1 AND code = $2"
            )))
            .bind(jurisdiction)
            .bind(code)
            .fetch_optional(pool)
            .await?
        });
        stored::one(row)
    }

    /// Loads an area file into a jurisdiction (administrators): new areas are added, known ones
    /// renamed; every line's problem is reported and nothing is stored if there is one. An area
    /// never moves to another parent (households and users hang below it). Returns (added,
    /// renamed).
    pub async fn load_areas(
        &self,
        actor: &Actor,
        jurisdiction: &str,
        lines: &[AreaLine],
    ) -> Result<(usize, usize)> {
        actor.require(Capability::ManageAreas)?;
        if !self.covers_jurisdiction(actor, jurisdiction).await? {
            return Err(Error::Forbidden);
        }
        let existing: HashMap<String, Area> = self
            .areas(actor, jurisdiction)
            .await?
            .into_iter()
            .map(|a| (a.code.clone(), a))
            .collect();
        let mut errors = ValidationErrors::default();
        let mut levels: HashMap<&str, &str> = existing
            .values()
            .map(|a| (a.code.as_str(), a.level.as_str()))
            .collect();
        let mut seen = std::collections::HashSet::new();
        for (i, line) in lines.iter().enumerate() {
            let row = i + 1;
            let code = line.code.trim();
            let field = format!("lines[{i}]");
            if !(9..=15).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
                errors.add(
                    &field,
                    "invalid_code",
                    format!("第{row}行：区域代码应为9至15位数字"),
                );
                continue;
            }
            if !seen.insert(code) {
                errors.add(
                    &field,
                    "duplicate",
                    format!("第{row}行：区域代码{code}重复"),
                );
                continue;
            }
            let name = line.name.trim();
            if name.is_empty() || name.chars().count() > 50 {
                errors.add(
                    &field,
                    "invalid_name",
                    format!("第{row}行：名称应为1至50个字"),
                );
            }
            if !AREA_LEVELS.iter().any(|(c, _)| *c == line.level) {
                errors.add(
                    &field,
                    "invalid_level",
                    format!("第{row}行：层级应为 township（乡镇/街道）、district（管区）或 village（行政村）"),
                );
                continue;
            }
            levels.insert(code, line.level.as_str());
        }
        // Parents are checked once every line's level is known, so a file may list children
        // before their parents.
        for (i, line) in lines.iter().enumerate() {
            let row = i + 1;
            let parent = line.parent_code.trim();
            let parent_level = (!parent.is_empty()).then(|| levels.get(parent).copied());
            let fits = match parent_level {
                None => parent_fits(&line.level, None),
                Some(None) => {
                    errors.add(
                        &format!("lines[{i}]"),
                        "unknown_parent",
                        format!("第{row}行：上级区域{parent}不存在"),
                    );
                    continue;
                }
                Some(Some(level)) => parent_fits(&line.level, Some(level)),
            };
            if !fits {
                errors.add(
                    &format!("lines[{i}]"),
                    "wrong_parent",
                    format!("第{row}行：乡镇不能有上级，管区应在乡镇下，行政村应在乡镇或管区下"),
                );
            }
            if let Some(known) = existing.get(line.code.trim())
                && (known.parent_code.as_deref().unwrap_or("") != parent
                    || known.level != line.level)
            {
                errors.add(
                    &format!("lines[{i}]"),
                    "moved",
                    format!("第{row}行：区域{}已存在，不能改变层级或上级", known.code),
                );
            }
        }
        errors.into_result()?;
        // Parents first: a township's path before its villages'.
        let mut ordered: Vec<&AreaLine> = lines.iter().collect();
        let rank = |level: &str| {
            AREA_LEVELS
                .iter()
                .position(|(c, _)| *c == level)
                .unwrap_or(3)
        };
        ordered.sort_by_key(|l| rank(&l.level));
        let mut paths: HashMap<String, String> = existing
            .values()
            .map(|a| (a.code.clone(), a.path.clone()))
            .collect();
        let now = time::now();
        let (mut added, mut renamed) = (0, 0);
        let mut tx = self.begin().await?;
        for line in ordered {
            let code = line.code.trim().to_owned();
            let name = line.name.trim();
            if let Some(known) = existing.get(&code) {
                if known.name != name {
                    on_tx!(&mut tx, |conn| {
                        sqlx::query("UPDATE areas SET name = $1 WHERE code = $2")
                            .bind(name)
                            .bind(&code)
                            .execute(&mut *conn)
                            .await?;
                    });
                    renamed += 1;
                }
                continue;
            }
            let parent = line.parent_code.trim();
            let path = match paths.get(parent) {
                Some(above) if !parent.is_empty() => format!("{above}{code}/"),
                _ => format!("/{code}/"),
            };
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "INSERT INTO areas (code, jurisdiction_code, parent_code, level, name, path, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&code)
                .bind(jurisdiction)
                .bind((!parent.is_empty()).then_some(parent))
                .bind(&line.level)
                .bind(name)
                .bind(&path)
                .bind(now)
                .execute(&mut *conn)
                .await
                .map_err(|e| {
                    Error::unique_as_duplicate(e, format!("区域代码{code}已被其他区划使用"))
                })?;
            });
            paths.insert(code, path);
            added += 1;
        }
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "area.load", "jurisdiction", jurisdiction)
                .in_jurisdiction(Some(jurisdiction))
                .with_details(json!({"lines": lines.len(), "added": added, "renamed": renamed})),
        )
        .await?;
        tx.commit().await?;
        Ok((added, renamed))
    }
}
