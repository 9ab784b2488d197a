//! What a drawn member reads for its task (评审任务材料): the project with its target sheet, the
//! review rubric of the rulebook and the deadline. A member reads it while its task is open
//! (invited or accepted); when the task ends (submitted or declined) the material closes and only
//! the task's own record stays. Finance and readers of assignments always see it.

use crate::{Assignment, Project, Result, Store};
use jixiao_core::draw::RubricItem;
use jixiao_core::target::TargetSheet;
use jixiao_core::{Actor, Capability, Role};

/// A task with what its member needs to do it.
#[derive(Debug, Clone)]
pub struct AssignmentMaterial {
    /// The task.
    pub assignment: Assignment,
    /// The project under review; `None` once the member's task has ended.
    pub project: Option<Project>,
    /// The target sheet under review (the approved one once approved); `None` when closed.
    pub target: Option<TargetSheet>,
    /// The rubric of the task's purpose (评分要点).
    pub rubric: Vec<RubricItem>,
    /// Working days the rulebook gives for a job.
    pub task_working_days: u32,
}

impl AssignmentMaterial {
    /// Whether the material is open to the reader.
    pub fn is_open(&self) -> bool {
        self.project.is_some()
    }
}

/// Whether `role` acts for a pool member (its material closes when its task ends).
fn acts_for_member(role: Role) -> bool {
    matches!(role, Role::Expert | Role::Institution)
}

impl Store {
    /// A task and its material, as the actor may read it: a member only its own tasks (the
    /// material while the task is open), finance and readers the tasks of their jurisdiction.
    pub async fn assignment_material(&self, actor: &Actor, id: i64) -> Result<AssignmentMaterial> {
        actor.require(Capability::ReadAssignments)?;
        let assignment = self.assignment(actor, id).await?;
        let project = self.project_by_id(assignment.project_id).await?;
        let rules = self
            .rulebook_in_force(&project.jurisdiction_code, project.year)
            .await?
            .rulebook()?
            .pools;
        let rubric = rules
            .rubric_for(&assignment.purpose)
            .into_iter()
            .cloned()
            .collect();
        let open = !acts_for_member(actor.role)
            || matches!(assignment.status.as_str(), "invited" | "accepted");
        let (project, target) = if open {
            let revision = project.approved_revision.unwrap_or(project.target_revision);
            let target = self.target_sheet(project.id, revision).await?;
            (Some(project), Some(target))
        } else {
            (None, None)
        };
        Ok(AssignmentMaterial {
            assignment,
            project,
            target,
            rubric,
            task_working_days: rules.task_working_days,
        })
    }
}
