//! Publication (绩效信息公开): finance chooses which projects' targets and results the public
//! sees; the public reads them without logging in — the approved targets, the self-evaluation
//! score and grade, the key evaluation's grade and what the results meant for next year's money.

use crate::audit::append;
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::target::TargetSheet;
use jixiao_core::{Actor, time};
use serde::Serialize;
use serde_json::json;
use sqlx::QueryBuilder;

/// A published project as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PublicProject {
    /// Project id.
    pub id: i64,
    /// Budget year.
    pub year: i32,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Agency.
    pub agency_name: String,
    /// Approved amount.
    pub approved_fen: i64,
    /// Executed (paid net of refunds).
    pub executed_fen: i64,
    /// Self-evaluation total (approved sheets only).
    pub self_total_x100: Option<i64>,
    /// Self-evaluation grade.
    pub self_grade: Option<String>,
    /// Key evaluation final score (confirmed only).
    pub key_total_x100: Option<i64>,
    /// Key evaluation grade.
    pub key_grade: Option<String>,
    /// Results application: the action on next year's project.
    pub action: Option<String>,
    /// Money cut from next year's project.
    pub cut_fen: Option<i64>,
}

/// A published project with its approved targets.
#[derive(Debug, Clone, Serialize)]
pub struct PublicProjectDetail {
    /// The project and its results.
    pub project: PublicProject,
    /// The approved target sheet.
    pub targets: TargetSheet,
}

const SELECT_PUBLIC: &str = "SELECT p.id, p.year, p.code, p.name, ag.name AS agency_name, \
     COALESCE(p.approved_fen, 0) AS approved_fen, COALESCE(a.used_fen, 0) AS executed_fen, \
     s.total_x100 AS self_total_x100, s.grade AS self_grade, e.final_x100 AS key_total_x100, \
     e.final_grade AS key_grade, x.action, \
     CASE WHEN x.status IN ('accepted', 'changed') THEN x.cut_fen ELSE NULL END AS cut_fen \
     FROM publications pub JOIN projects p ON p.id = pub.project_id \
     JOIN agencies ag ON ag.id = p.agency_id LEFT JOIN allotments a ON a.project_id = p.id \
     LEFT JOIN self_evaluations s ON s.project_id = p.id AND s.state = 'approved' \
     LEFT JOIN evaluations e ON e.project_id = p.id AND e.state = 'confirmed' \
     LEFT JOIN adjustments x ON x.evaluated_project_id = p.id AND x.status <> 'proposed'";

impl Store {
    /// Finance publishes (or withdraws) projects' targets and results. Only approved projects
    /// of the finance user's jurisdiction can be published. Returns how many changed.
    pub async fn set_published(
        &self,
        actor: &Actor,
        project_ids: &[i64],
        published: bool,
    ) -> Result<usize> {
        let jurisdiction = crate::monitoring::finance_jurisdiction(actor)?;
        if project_ids.is_empty() || project_ids.len() > 10_000 {
            return Err(Error::invalid(
                "project_ids",
                "invalid",
                "请选择1至10000个项目",
            ));
        }
        for id in project_ids {
            let project = self.project(actor, *id).await?;
            if project.approved_revision.is_none() {
                return Err(Error::conflict(
                    crate::ConflictCode::PrerequisiteMissing,
                    format!("项目“{}”尚未批复，不能公开", project.name),
                ));
            }
        }
        let now = time::now();
        let mut tx = self.begin().await?;
        let mut changed = 0u64;
        for id in project_ids {
            changed += on_tx!(&mut tx, |conn| {
                if published {
                    sqlx::query(
                        "INSERT INTO publications (project_id, published_by, published_at) \
                         VALUES ($1, $2, $3) ON CONFLICT (project_id) DO NOTHING",
                    )
                    .bind(id)
                    .bind(&actor.name)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected()
                } else {
                    sqlx::query("DELETE FROM publications WHERE project_id = $1")
                        .bind(id)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected()
                }
            });
        }
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                if published {
                    "publication.publish"
                } else {
                    "publication.withdraw"
                },
                "project",
                &project_ids.len().to_string(),
            )
            .in_jurisdiction(Some(&jurisdiction))
            .with_details(json!({"project_ids": project_ids, "changed": changed})),
        )
        .await?;
        tx.commit().await?;
        Ok(usize::try_from(changed).unwrap_or(usize::MAX))
    }

    /// Published projects of a jurisdiction (and year), for anyone.
    pub async fn public_projects(
        &self,
        jurisdiction: &str,
        year: Option<i32>,
    ) -> Result<Vec<PublicProject>> {
        Ok(on_pool!(&self.pool, |pool| {
            let mut query =
                QueryBuilder::new(format!("{SELECT_PUBLIC} WHERE p.jurisdiction_code = "));
            query.push_bind(jurisdiction.to_owned());
            if let Some(year) = year {
                query.push(" AND p.year = ").push_bind(year);
            }
            query.push(" ORDER BY p.year DESC, p.approved_fen DESC, p.code");
            query.build_query_as().fetch_all(pool).await?
        }))
    }

    /// One published project with its approved targets; unpublished ones are not found.
    pub async fn public_project(&self, id: i64) -> Result<PublicProjectDetail> {
        let project: Option<PublicProject> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(format!("{SELECT_PUBLIC} WHERE p.id = "));
            query.push_bind(id);
            query.build_query_as().fetch_optional(pool).await?
        });
        let project = project.ok_or_else(|| Error::NotFound("该项目未公开或不存在".to_owned()))?;
        let revision: Option<i32> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar("SELECT approved_revision FROM projects WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await?
        });
        let targets = match revision {
            Some(revision) => self.target_sheet(id, revision).await?,
            None => TargetSheet::default(),
        };
        Ok(PublicProjectDetail { project, targets })
    }

    /// Whether a project is published.
    pub async fn is_published(&self, id: i64) -> Result<bool> {
        let found: Option<i64> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar("SELECT project_id FROM publications WHERE project_id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }
}
