//! Target sheets in Excel (绩效目标表Excel模板): a blank template for a category, a project's
//! sheet filled in, all of an agency's drafts in one workbook; uploads of one sheet or of a bulk
//! workbook — checked whole, every problem named by sheet, row and column with a report per
//! project, and stored all together or not at all.

use super::exports::{download, off_workers};
use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{Error, PageError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::project::ProjectState;
use jixiao_core::rulebook::Rulebook;
use jixiao_interop::target_sheet_xlsx::{
    CellProblem, TemplateLists, TemplateSheet, UploadedSheet, WorkbookError, read_workbook,
    write_templates,
};
use jixiao_store::{Project, ProjectFilter, SessionUser, TargetSheetInput};
use serde::Deserialize;

fn lists(name: &str, rulebook: &Rulebook) -> TemplateLists {
    let mut level2: Vec<String> = Vec::new();
    for level1 in &rulebook.indicator_tree {
        for name in &level1.level2 {
            if !level2.contains(name) {
                level2.push(name.clone());
            }
        }
    }
    TemplateLists {
        rulebook_name: name.to_owned(),
        level1: rulebook
            .indicator_tree
            .iter()
            .map(|l| l.level1.clone())
            .collect(),
        level2,
    }
}

fn category_name(rulebook: &Rulebook, code: &str) -> String {
    rulebook
        .category(code)
        .map_or_else(|| code.to_owned(), |c| c.name.clone())
}

async fn rulebook_for(
    state: &AppState,
    session: &SessionUser,
    year: i32,
) -> Result<(String, Rulebook), PageError> {
    let jurisdiction = match &session.user.jurisdiction {
        Some(code) => code.clone(),
        None => state
            .store
            .default_jurisdiction()
            .await?
            .ok_or_else(|| Error::NotFound("未设置辖区".to_owned()))?,
    };
    let record = state.store.rulebook_in_force(&jurisdiction, year).await?;
    let rulebook = record.rulebook()?;
    Ok((record.name, rulebook))
}

async fn filled_sheet(
    state: &AppState,
    session: &SessionUser,
    project: &Project,
    rulebook: &Rulebook,
) -> Result<TemplateSheet, PageError> {
    let detail = state
        .store
        .project_detail(&session.actor(), project.id)
        .await?;
    Ok(TemplateSheet {
        sheet_name: project.code.clone(),
        year: project.year,
        category_code: project.category.clone(),
        category_name: category_name(rulebook, &project.category),
        project_code: project.code.clone(),
        project_name: project.name.clone(),
        agency_name: project.agency_name.clone(),
        overall_goal: detail.target.overall_goal.clone(),
        annual_goal: detail.target.annual_goal.clone(),
        rows: detail
            .target
            .indicators
            .iter()
            .map(jixiao_core::target::Indicator::to_input)
            .collect(),
    })
}

/// The year and category of a blank template.
#[derive(Deserialize)]
pub struct TemplateQuery {
    year: i32,
    category: String,
}

/// `GET /targets/template.xlsx?year=Y&category=C`: a blank template for a category.
pub async fn blank(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<TemplateQuery>,
) -> Result<Response, PageError> {
    let (name, rulebook) = rulebook_for(&state, &session, query.year).await?;
    let Some(category) = rulebook.category(&query.category) else {
        return Err(Error::NotFound(format!(
            "{}年度指标体系中没有项目类别“{}”",
            query.year, query.category
        ))
        .into());
    };
    let sheet = TemplateSheet {
        sheet_name: "绩效目标申报表".to_owned(),
        year: query.year,
        category_code: category.code.clone(),
        category_name: category.name.clone(),
        ..TemplateSheet::default()
    };
    let lists = lists(&name, &rulebook);
    let bytes = off_workers(move || write_templates(&lists, &[sheet])).await?;
    Ok(download(
        bytes,
        &format!("target-template-{}-{}.xlsx", query.year, category.code),
        &format!("{}年度绩效目标申报表模板（{}）", query.year, category.name),
    ))
}

/// `GET /projects/{id}/target.xlsx`: the project's working sheet as a filled template.
pub async fn project_sheet(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let project = state.store.project(&session.actor(), id).await?;
    let (name, rulebook) = rulebook_for(&state, &session, project.year).await?;
    let sheet = filled_sheet(&state, &session, &project, &rulebook).await?;
    let lists = lists(&name, &rulebook);
    let bytes = off_workers(move || write_templates(&lists, &[sheet])).await?;
    Ok(download(
        bytes,
        &format!("target-{}.xlsx", project.code),
        &format!("绩效目标申报表-{}", project.name),
    ))
}

/// The year of a bulk workbook.
#[derive(Deserialize)]
pub struct YearQuery {
    year: i32,
}

/// The agency's projects of the year whose targets may still be edited.
async fn editable_projects(
    state: &AppState,
    session: &SessionUser,
    year: i32,
) -> Result<Vec<Project>, PageError> {
    let mut found = Vec::new();
    for project_state in [ProjectState::Draft, ProjectState::Returned] {
        let filter = ProjectFilter {
            year: Some(year),
            state: Some(project_state),
            ..ProjectFilter::default()
        };
        let page = state
            .store
            .projects(&session.actor(), &filter, 1, 500)
            .await?;
        found.extend(page.projects);
    }
    found.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(found)
}

/// `GET /targets/drafts.xlsx?year=Y`: every draft or returned project of the agency, one sheet
/// each, filled with what is saved.
pub async fn drafts(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    let (name, rulebook) = rulebook_for(&state, &session, query.year).await?;
    let projects = editable_projects(&state, &session, query.year).await?;
    if projects.is_empty() {
        return Err(Error::NotFound(format!(
            "{}年度没有可编辑（草稿或被退回）的项目",
            query.year
        ))
        .into());
    }
    let mut sheets = Vec::with_capacity(projects.len());
    for project in &projects {
        sheets.push(filled_sheet(&state, &session, project, &rulebook).await?);
    }
    let lists = lists(&name, &rulebook);
    let bytes = off_workers(move || write_templates(&lists, &sheets)).await?;
    Ok(download(
        bytes,
        &format!("targets-{}.xlsx", query.year),
        &format!("{}年度绩效目标申报表（批量）", query.year),
    ))
}

/// What an upload form sent: the file and the form's version.
struct Upload {
    file: axum::body::Bytes,
    version: Option<i32>,
}

async fn read_upload(mut form: Multipart) -> Result<Upload, PageError> {
    let mut upload = Upload {
        file: axum::body::Bytes::new(),
        version: None,
    };
    let bad = |message: &str| {
        PageError(Error::BadRequest {
            code: "bad_upload",
            message: message.to_owned(),
        })
    };
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| bad("上传的内容不完整，请重新选择文件上传"))?
    {
        match field.name() {
            Some("file") => {
                upload.file = field
                    .bytes()
                    .await
                    .map_err(|_| bad("文件读取失败或超过大小上限，请重新上传"))?;
            }
            Some("version") => {
                upload.version = field.text().await.ok().and_then(|t| t.trim().parse().ok());
            }
            _ => {}
        }
    }
    if upload.file.is_empty() {
        return Err(bad("请选择要上传的Excel文件（.xlsx）"));
    }
    Ok(upload)
}

/// Checks a sheet's header against the project it is uploaded for.
fn header_problems(
    sheet: &UploadedSheet,
    project: &Project,
    rulebook: &Rulebook,
) -> Vec<CellProblem> {
    let mut problems = Vec::new();
    let wrong = |what: String| CellProblem {
        sheet: sheet.sheet.clone(),
        row: 0,
        column: String::new(),
        message: format!("工作表“{}”：{what}", sheet.sheet),
    };
    if !sheet.project_code.is_empty() && sheet.project_code != project.code {
        problems.push(wrong(format!(
            "是项目“{}”的目标表，不是本项目（{}）的",
            sheet.project_code, project.code
        )));
    }
    let year_matches = sheet.year == Some(project.year);
    let category_matches = sheet.category_code == project.category;
    if !year_matches || !category_matches {
        problems.push(wrong(format!(
            "模板为{}年度“{}”类，本项目为{}年度“{}”类，请下载本项目的模板",
            sheet
                .year
                .map_or_else(|| "未知".to_owned(), |y| y.to_string()),
            category_name(rulebook, &sheet.category_code),
            project.year,
            category_name(rulebook, &project.category)
        )));
    }
    problems
}

/// Every problem of one sheet for one project, in the order of the sheet: what reading found
/// (formulas, merges, unreadable cells), the header against the project, and every row by the
/// same check as the page. Empty when the sheet can be stored.
fn check_sheet(sheet: &UploadedSheet, project: &Project, rulebook: &Rulebook) -> Vec<CellProblem> {
    let mut problems = sheet.problems.clone();
    problems.extend(header_problems(sheet, project, rulebook));
    // The upload is checked whole, as its page promises: what a draft from the grid may keep
    // (a level outside the tree, a number in words) is refused here too.
    match jixiao_core::target::parse_sheet(&sheet.overall_goal, &sheet.annual_goal, &rows_of(sheet))
    {
        Err(errors) => problems.extend(errors.iter().map(|e| sheet.locate(e))),
        Ok(parsed) => problems.extend(
            jixiao_core::target::rulebook_row_errors(rulebook, &parsed)
                .iter()
                .map(|(_, e)| sheet.locate(e)),
        ),
    }
    // Whole-sheet problems first, then by row and column.
    problems.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
    problems
}

fn rows_of(sheet: &UploadedSheet) -> Vec<jixiao_core::target::IndicatorInput> {
    sheet.rows.iter().map(|(_, r)| r.clone()).collect()
}

fn input_of(sheet: &UploadedSheet, project_id: i64, version: i32) -> TargetSheetInput {
    TargetSheetInput {
        project_id,
        version,
        overall_goal: sheet.overall_goal.clone(),
        annual_goal: sheet.annual_goal.clone(),
        rows: rows_of(sheet),
    }
}

/// A refusal of the store as the report shows it, or the error to pass on.
fn refusal(error: Error) -> Result<String, PageError> {
    match error {
        Error::Conflict { message, .. } => Ok(format!(
            "{message}（项目已被他人修改，请重新下载最新的目标表后再上传）"
        )),
        Error::NotFound(message) => Ok(message),
        Error::Forbidden => {
            Ok("该项目当前状态不可修改目标表（仅草稿或被退回的项目可修改）".to_owned())
        }
        Error::InvalidRows(errors) => Ok(errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("；")),
        other => Err(other.into()),
    }
}

struct ReportLine {
    sheet: String,
    project: String,
    project_id: Option<i64>,
    saved: Option<usize>,
    problems: Vec<String>,
}

#[derive(Template)]
#[template(path = "target_upload.html")]
struct UploadReport {
    chrome: Chrome,
    heading: String,
    back: String,
    file_problem: Option<String>,
    lines: Vec<ReportLine>,
    all_saved: bool,
}

/// Reads the workbook on the parse queue, off the async workers.
async fn parse(
    state: &AppState,
    file: axum::body::Bytes,
) -> Result<Result<Vec<UploadedSheet>, WorkbookError>, PageError> {
    let limit = state.upload_limit_bytes;
    Ok(state
        .parses
        .run(move || read_workbook(&file, limit))
        .await?)
}

fn workbook_problem(error: &WorkbookError) -> String {
    error.to_string()
}

/// `POST /projects/{id}/target/upload` (multipart: `_csrf`, `version`, `file`): replaces the
/// working target sheet with the uploaded one, or shows every problem and stores nothing.
pub async fn upload(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, PageError> {
    let upload = read_upload(form).await?;
    let project = state.store.project(&session.actor(), id).await?;
    let (_, rulebook) = rulebook_for(&state, &session, project.year).await?;
    let chrome = Chrome::for_session(&session, "projects");
    let report = |status: StatusCode, file_problem: Option<String>, lines: Vec<ReportLine>| {
        render(
            status,
            &UploadReport {
                chrome: chrome.clone(),
                heading: format!("导入绩效目标表：{}", project.name),
                back: format!("/projects/{id}/target"),
                file_problem,
                lines,
                all_saved: false,
            },
        )
    };
    let sheets = match parse(&state, upload.file.clone()).await? {
        Ok(sheets) => sheets,
        Err(error) => {
            return Ok(report(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(workbook_problem(&error)),
                Vec::new(),
            ));
        }
    };
    let [sheet] = sheets.as_slice() else {
        return Ok(report(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(format!(
                "工作簿中有{}张目标表，单个项目只能上传一张；多个项目请用“批量上传”",
                sheets.len()
            )),
            Vec::new(),
        ));
    };
    let version = upload.version.unwrap_or(project.version);
    let mut problems: Vec<String> = check_sheet(sheet, &project, &rulebook)
        .into_iter()
        .map(|p| p.message)
        .collect();
    if problems.is_empty() {
        let saved = state
            .store
            .save_target_sheets(&session.actor(), &[input_of(sheet, id, version)])
            .await;
        match saved {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("/projects/{id}/target?done=uploaded")).into_response(),
                );
            }
            Err(error) => problems.push(refusal(error)?),
        }
    }
    Ok(report(
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        vec![ReportLine {
            sheet: sheet.sheet.clone(),
            project: format!("{} {}", project.code, project.name),
            project_id: Some(project.id),
            saved: None,
            problems,
        }],
    ))
}

/// `POST /targets/upload` (multipart: `_csrf`, `file`): a workbook of many projects, one sheet
/// each found by its 项目编码; each sound sheet is saved, each other one reported.
pub async fn upload_bulk(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    form: Multipart,
) -> Result<Response, PageError> {
    let upload = read_upload(form).await?;
    let chrome = Chrome::for_session(&session, "projects");
    let finish = |status: StatusCode, file_problem: Option<String>, lines: Vec<ReportLine>| {
        let all_saved = file_problem.is_none() && lines.iter().all(|l| l.saved.is_some());
        render(
            status,
            &UploadReport {
                chrome: chrome.clone(),
                heading: "批量导入绩效目标表".to_owned(),
                back: "/projects".to_owned(),
                file_problem,
                lines,
                all_saved,
            },
        )
    };
    let sheets = match parse(&state, upload.file.clone()).await? {
        Ok(sheets) => sheets,
        Err(error) => {
            return Ok(finish(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(workbook_problem(&error)),
                Vec::new(),
            ));
        }
    };
    let actor = session.actor();
    let mut lines = Vec::new();
    let mut inputs = Vec::new();
    for sheet in &sheets {
        let mut line = ReportLine {
            sheet: sheet.sheet.clone(),
            project: sheet.project_code.clone(),
            project_id: None,
            saved: None,
            problems: Vec::new(),
        };
        let found = if sheet.project_code.is_empty() {
            Err(Error::NotFound(String::new()))
        } else {
            match state
                .store
                .project_id_by_code(&actor, &sheet.project_code)
                .await
            {
                Ok(id) => state.store.project(&actor, id).await,
                Err(e) => Err(e),
            }
        };
        let project = match found {
            Ok(project) => project,
            Err(Error::NotFound(_) | Error::Forbidden) => {
                line.problems.push(format!(
                    "工作表“{}”：未找到项目编码“{}”对应的本单位项目（批量上传请使用“下载本单位草稿目标表”得到的工作簿）",
                    sheet.sheet, sheet.project_code
                ));
                lines.push(line);
                continue;
            }
            Err(other) => return Err(other.into()),
        };
        line.project = format!("{} {}", project.code, project.name);
        line.project_id = Some(project.id);
        if !project.state().editable() {
            line.problems
                .push("该项目当前状态不可修改目标表（仅草稿或被退回的项目可修改）".to_owned());
        } else {
            let (_, rulebook) = rulebook_for(&state, &session, project.year).await?;
            line.problems = check_sheet(sheet, &project, &rulebook)
                .into_iter()
                .map(|p| p.message)
                .collect();
            if line.problems.is_empty() {
                inputs.push((lines.len(), input_of(sheet, project.id, project.version)));
            }
        }
        lines.push(line);
    }
    // The whole workbook or nothing: one transaction, and only when every sheet is sound.
    let mut file_problem = None;
    if !lines.is_empty() && lines.iter().all(|l| l.problems.is_empty()) {
        let all: Vec<TargetSheetInput> = inputs.iter().map(|(_, i)| i.clone()).collect();
        match state.store.save_target_sheets(&actor, &all).await {
            Ok(()) => {
                for (n, input) in &inputs {
                    lines[*n].saved = Some(input.rows.len());
                }
            }
            Err(error) => file_problem = Some(refusal(error)?),
        }
    }
    let status = if lines.iter().all(|l| l.saved.is_some()) && !lines.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(finish(status, file_problem, lines))
}
