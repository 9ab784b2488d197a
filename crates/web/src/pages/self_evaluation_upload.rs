//! Uploading a filled 项目支出绩效自评表 (.xlsx) for a project from its self-evaluation page: the
//! table is read by its labels, every score recomputed by the project's rulebook — or, when the
//! table's printed points fit another rulebook loaded for the year or shipped with Jixiao, by that
//! one, which the page names — and compared with the table's own, and, when it belongs to this
//! project, stored as the agency's submitted self-evaluation; the comparison is shown either way.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{Error, PageError};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jixiao_interop::self_evaluation_xlsx::{Comparison, Variant, import};
use jixiao_store::ImportedSheet;

#[derive(Template)]
#[template(path = "self_evaluation_upload.html")]
struct UploadPage {
    chrome: Chrome,
    project_id: i64,
    project_name: String,
    problem: Option<String>,
    stored: bool,
    report: Option<Comparison>,
}

/// `POST /projects/{id}/self-evaluation/upload` (multipart: `_csrf`, `file`).
pub async fn upload(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let project = state.store.project(&actor, id).await?;
    let mut file = axum::body::Bytes::new();
    let mut file_name = String::new();
    while let Some(field) = form.next_field().await.map_err(|_| bad_upload())? {
        if field.name() == Some("file") {
            file_name = field.file_name().unwrap_or("").to_owned();
            file = field.bytes().await.map_err(|_| bad_upload())?;
        }
    }
    let page = |status: StatusCode, problem: Option<String>, stored, report| {
        render(
            status,
            &UploadPage {
                chrome: Chrome::for_session(&session, "evaluation"),
                project_id: id,
                project_name: project.name.clone(),
                problem,
                stored,
                report,
            },
        )
    };
    if file.is_empty() {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("请选择要上传的自评表（.xlsx）".to_owned()),
            false,
            None,
        ));
    }
    if u64::try_from(file.len()).unwrap_or(u64::MAX) > state.upload_limit_bytes {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(format!(
                "文件超过上限（{} MB），未作任何处理",
                state.upload_limit_bytes / (1024 * 1024)
            )),
            false,
            None,
        ));
    }
    let rulebook = state.store.scoring_rulebook(&project).await?;
    // Other variants the table may fit: the year's loaded rulebooks (newest version of each
    // name first), then the shipped ones.
    let mut others: Vec<Variant> = Vec::new();
    for record in state.store.rulebooks(&actor).await? {
        if record.year == project.year && !others.iter().any(|v| v.name == record.name) {
            others.push(Variant::of(&record.rulebook()?));
        }
    }
    for shipped in Variant::shipped() {
        if !others.iter().any(|v| v.name == shipped.name) {
            others.push(shipped);
        }
    }
    let requested = Variant::of(&rulebook);
    // Reading and scoring run on the parse queue, off the async workers.
    let read = state
        .parses
        .run(move || {
            import(&file, &requested, &others)
                .map(|imported| (imported.table, imported.report))
                .map_err(|e| e.to_string())
        })
        .await?;
    let (table, report) = match read {
        Ok(read) => read,
        Err(problem) => {
            return Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(problem),
                false,
                None,
            ));
        }
    };
    if table.project.trim() != project.name.trim() {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(format!(
                "表中项目名称为“{}”，与本项目“{}”不符，未保存",
                table.project, project.name
            )),
            false,
            Some(report),
        ));
    }
    let sheet = ImportedSheet {
        budget: table.budget,
        items: table.items.iter().map(|i| i.input.clone()).collect(),
        published: table.items.iter().map(|i| i.published_x100).collect(),
        published_total_x100: table.total_published_x100,
        scored: report.scored.clone(),
        findings: report.findings.clone(),
        file_name,
    };
    match state
        .store
        .store_imported_self_evaluation(&actor, id, &sheet)
        .await
    {
        Ok(_) => Ok(page(StatusCode::OK, None, true, Some(report))),
        Err(e) if e.is_conflict() => Ok(page(
            StatusCode::CONFLICT,
            Some(e.to_string()),
            false,
            Some(report),
        )),
        Err(other) => Err(other.into()),
    }
}

fn bad_upload() -> PageError {
    PageError(Error::BadRequest {
        code: "bad_upload",
        message: "上传的内容不完整或超过大小上限，请重新选择文件上传".to_owned(),
    })
}
