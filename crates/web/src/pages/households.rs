//! The registry's pages (帮扶对象): the list of households within the user's scope with a
//! township filter, a household's file (一户一档: members present and past, facts, income and the
//! coverage check's standing findings) and its printable sheet, and the import of the national
//! system's person export — a dry run that lists what would change before anything is stored —
//! with the export back in the same layout.

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{Error, PageError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jixiao_core::Capability;
use jixiao_core::assistance::export::RowError;
use jixiao_core::assistance::record::{HouseholdRecord, PersonRecord};
use jixiao_core::money;
use jixiao_store::{
    Area, HouseholdFile, HouseholdImport, HouseholdLine, ImportChange, Person, PolicyFinding,
};
use serde::{Deserialize, Serialize};

/// Households per page.
const PER_PAGE: i64 = 50;

/// The list's filter as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct HouseholdQuery {
    #[serde(default)]
    area: String,
    #[serde(default, skip_serializing)]
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "households.html")]
struct ListPage {
    chrome: Chrome,
    area: String,
    townships: Vec<Area>,
    rows: Vec<HouseholdLine>,
    total: i64,
    page: i64,
    pages: i64,
    can_import: bool,
    can_check: bool,
    can_record: bool,
    /// The villages of this page (code, name), for their 公示 lists, when the user may make them.
    publicity: Vec<(String, String)>,
    prev_link: Option<String>,
    next_link: Option<String>,
}

/// The townships of the user's jurisdiction, for the filter (none when it has no jurisdiction).
async fn townships(
    state: &AppState,
    session: &jixiao_store::SessionUser,
) -> Result<Vec<Area>, Error> {
    let Some(jurisdiction) = session.actor().jurisdiction else {
        return Ok(Vec::new());
    };
    Ok(state
        .store
        .areas(&session.actor(), &jurisdiction)
        .await?
        .into_iter()
        .filter(|a| a.level == "township")
        .collect())
}

/// `GET /households`.
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<HouseholdQuery>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let page = query.page.unwrap_or(1).max(1);
    let area = Some(query.area.trim()).filter(|a| !a.is_empty());
    let (rows, total) = state.store.households(&actor, area, page, PER_PAGE).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let link = |n: i64| {
        format!(
            "/households?{}&page={n}",
            serde_urlencoded::to_string(&query).unwrap_or_default()
        )
    };
    let mut publicity: Vec<(String, String)> = Vec::new();
    if session.user.role.can(Capability::EditHouseholds) {
        for row in &rows {
            if !publicity.iter().any(|(code, _)| *code == row.village_code) {
                publicity.push((row.village_code.clone(), row.village_name.clone()));
            }
        }
    }
    let view = ListPage {
        chrome: Chrome::for_session(&session, "households"),
        publicity,
        townships: townships(&state, &session).await?,
        area: query.area.trim().to_owned(),
        rows,
        total,
        page,
        pages,
        can_import: session.user.role.can(Capability::ImportHouseholds),
        can_check: session.user.role.can(Capability::RunPolicyChecks),
        can_record: session.user.role.can(Capability::RecordEnjoyments),
        prev_link: (page > 1).then(|| link(page - 1)),
        next_link: (page < pages).then(|| link(page + 1)),
    };
    Ok(render(StatusCode::OK, &view))
}

/// A person as the file shows them.
struct PersonView {
    person: Person,
    age: String,
    facts: Vec<(&'static str, String)>,
}

/// What a person's record says, as label–value pairs (only what is recorded).
fn person_facts(record: &PersonRecord) -> Vec<(&'static str, String)> {
    let mut facts = Vec::new();
    let mut add = |label: &'static str, value: Option<&'static str>| {
        if let Some(value) = value {
            facts.push((label, value.to_owned()));
        }
    };
    add("文化程度", record.education.map(|v| v.label()));
    add("在校生状况", record.school_status.map(|v| v.label()));
    add("健康状况", record.health.map(|v| v.label()));
    add("残疾等级", record.disability_grade.map(|v| v.label()));
    add("劳动技能", record.labour.map(|v| v.label()));
    add("务工状况", record.work_status.map(|v| v.label()));
    if !record.chronic_diseases.is_empty() {
        facts.push(("慢性病", record.chronic_diseases.join("、")));
    }
    let cover = &record.cover;
    let flags: Vec<&str> = [
        (cover.resident_medical, "居民医保"),
        (cover.employee_medical, "职工医保"),
        (cover.critical_illness, "大病保险"),
        (cover.resident_pension, "居民养老保险"),
        (cover.medical_assistance, "医疗救助"),
        (cover.dibao, "低保"),
        (cover.tekun, "特困供养"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| name)
    .collect();
    if !flags.is_empty() {
        facts.push(("参保与享受政策", flags.join("、")));
    }
    if !record.phone.is_empty() {
        facts.push(("联系电话", record.phone.clone()));
    }
    facts
}

/// What a household's record says, as label–value pairs.
fn household_facts(record: &HouseholdRecord) -> Vec<(&'static str, String)> {
    let mut facts = Vec::new();
    if let Some(m) = record.monitoring {
        facts.push(("监测对象类别", m.label().to_owned()));
    }
    if !record.risks.is_empty() {
        facts.push(("致贫/返贫风险", record.risks.join("、")));
    }
    if record.no_labour_support {
        facts.push(("整户无劳动能力兜底保障户", "是".to_owned()));
    }
    let h = &record.housing;
    let yes_no = |b: bool| if b { "是" } else { "否" };
    facts.push((
        "住房与饮水",
        format!(
            "危房：{}；安全饮用水：{}；生活用电：{}；卫生厕所：{}；入户道路硬化：{}{}",
            yes_no(h.unsafe_housing),
            yes_no(h.safe_water),
            yes_no(h.electricity),
            yes_no(h.sanitary_toilet),
            yes_no(h.hardened_road),
            if h.floor_area_m2 > 0 {
                format!("；住房面积{}平方米", h.floor_area_m2)
            } else {
                String::new()
            }
        ),
    ));
    if !record.measures.is_empty() {
        let names: Vec<&str> = record.measures.iter().map(|m| measure_label(m)).collect();
        facts.push(("帮扶措施", names.join("、")));
    }
    facts
}

/// The Chinese name of a measure code.
fn measure_label(code: &str) -> &str {
    match code {
        "industry" => "产业帮扶",
        "employment" => "就业帮扶",
        "public_welfare_post" => "公益性岗位",
        "finance" => "金融帮扶",
        "housing" => "住房安全保障",
        "water" => "饮水安全保障",
        "health" => "健康帮扶",
        "compulsory_education" => "义务教育保障",
        "education" => "教育帮扶",
        "social_security" => "综合保障",
        "social" => "社会帮扶",
        "relocation" => "搬迁",
        other => other,
    }
}

#[derive(Template)]
#[template(path = "household.html")]
struct FilePage {
    chrome: Chrome,
    file: HouseholdFile,
    members: Vec<PersonView>,
    former: Vec<PersonView>,
    facts: Vec<(&'static str, String)>,
    income: Vec<(&'static str, String)>,
    income_year: Option<i32>,
    findings: Vec<PolicyFinding>,
    can_show_ids: bool,
    print: bool,
    printed_on: String,
}

/// The file as the page and the print show it.
async fn file_page(
    state: &AppState,
    session: &jixiao_store::SessionUser,
    id: i64,
    print: bool,
) -> Result<FilePage, Error> {
    let actor = session.actor();
    let file = state.store.household(&actor, id).await?;
    let findings = state.store.household_findings(&actor, id).await?;
    let today = session.business_date;
    let view = |p: &Person| PersonView {
        age: chrono::NaiveDate::parse_from_str(&p.birth_date, "%Y-%m-%d")
            .map(|b| jixiao_core::assistance::registry::age_on(b, today).to_string())
            .unwrap_or_default(),
        facts: p.record.as_ref().map(person_facts).unwrap_or_default(),
        person: p.clone(),
    };
    let members = file
        .people
        .iter()
        .filter(|p| p.left_on.is_none())
        .map(view)
        .collect();
    let former = file
        .people
        .iter()
        .filter(|p| p.left_on.is_some())
        .map(view)
        .collect();
    let facts = file
        .record
        .as_ref()
        .map(household_facts)
        .unwrap_or_default();
    let (income_year, income) = match &file.income {
        Some((year, i)) => (
            Some(*year),
            vec![
                ("工资性收入", money::format_yuan(i.wage)),
                ("生产经营性收入", money::format_yuan(i.business)),
                ("财产性收入", money::format_yuan(i.property)),
                ("转移性收入", money::format_yuan(i.transfer)),
                ("合规自付支出", money::format_yuan(i.compliant_spending)),
                (
                    "人均纯收入（登记）",
                    money::format_yuan(i.recorded_per_capita.unwrap_or(0)),
                ),
            ],
        ),
        None => (None, Vec::new()),
    };
    Ok(FilePage {
        chrome: Chrome::for_session(session, "households"),
        members,
        former,
        facts,
        income,
        income_year,
        findings,
        can_show_ids: session.user.role.can(Capability::ShowIdNumbers),
        print,
        printed_on: today.format("%Y年%m月%d日").to_string(),
        file,
    })
}

/// `GET /households/{id}`: the file; the read is audited.
pub async fn show(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let page = file_page(&state, &session, id, false).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `GET /households/{id}/print`: the household sheet for printing (A4, IDs masked).
pub async fn print(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let page = file_page(&state, &session, id, true).await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "households_import.html")]
struct ImportPage {
    chrome: Chrome,
    as_of: String,
    file_name: String,
    error: Option<String>,
    outcome: Option<HouseholdImport>,
    dry_run: bool,
    shown: Vec<ImportChange>,
    hidden: usize,
    errors: Vec<RowError>,
    missing_columns: Vec<String>,
    kept_columns: Vec<String>,
    header_row: u32,
}

/// Changes shown on the page (all are in the counts).
const CHANGES_SHOWN: usize = 500;

impl ImportPage {
    fn empty(chrome: Chrome, business_date: chrono::NaiveDate) -> ImportPage {
        ImportPage {
            chrome,
            as_of: business_date.to_string(),
            file_name: String::new(),
            error: None,
            outcome: None,
            dry_run: true,
            shown: Vec::new(),
            hidden: 0,
            errors: Vec::new(),
            missing_columns: Vec::new(),
            kept_columns: Vec::new(),
            header_row: 0,
        }
    }
}

/// `GET /households/import`.
pub async fn import_form(PageUser(session): PageUser) -> Response {
    let page = ImportPage::empty(
        Chrome::for_session(&session, "households"),
        session.business_date,
    );
    render(StatusCode::OK, &page)
}

/// `POST /households/import` (multipart: `_csrf`, `file`, `as_of`, `mode` = `dry_run` or
/// `store`): reads the file, shows what would change, and stores it when asked and clean.
pub async fn import(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let mut file = axum::body::Bytes::new();
    let mut file_name = String::new();
    let mut as_of_text = String::new();
    let mut mode = String::new();
    let bad = || {
        PageError(Error::BadRequest {
            code: "bad_upload",
            message: "上传的内容不完整或超过大小上限，请重新选择文件上传".to_owned(),
        })
    };
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        match field.name() {
            Some("file") => {
                file_name = field.file_name().unwrap_or("").to_owned();
                file = field.bytes().await.map_err(|_| bad())?;
            }
            Some("as_of") => as_of_text = field.text().await.map_err(|_| bad())?,
            Some("mode") => mode = field.text().await.map_err(|_| bad())?,
            _ => {}
        }
    }
    let mut page = ImportPage::empty(
        Chrome::for_session(&session, "households"),
        session.business_date,
    );
    page.file_name = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    page.dry_run = mode != "store";
    let Ok(as_of) = chrono::NaiveDate::parse_from_str(as_of_text.trim(), "%Y-%m-%d") else {
        page.error = Some("请填写数据日期（YYYY-MM-DD）".to_owned());
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    page.as_of = as_of.to_string();
    if u64::try_from(file.len()).unwrap_or(u64::MAX) > state.upload_limit_bytes {
        page.error = Some(format!(
            "文件超过上限（{} MB），未作任何处理",
            state.upload_limit_bytes / (1024 * 1024)
        ));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let read = match crate::api::read_export(&state, file, as_of).await {
        Ok(read) => read,
        Err(Error::Invalid(errors)) => {
            page.error = Some(super::refusal_message(&Error::Invalid(errors)));
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(other) => return Err(other.into()),
    };
    page.header_row = read.header_row;
    page.missing_columns = read
        .missing_columns
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    page.kept_columns = read.kept_columns.clone();
    let actor = session.actor();
    // Always plan first; store only when asked and the plan has no problem.
    let mut outcome = state
        .store
        .import_households(&actor, &read.households, &read.errors, as_of, true)
        .await?;
    let mut status = StatusCode::OK;
    if !page.dry_run && outcome.errors.is_empty() {
        match state
            .store
            .import_households(&actor, &read.households, &read.errors, as_of, false)
            .await
        {
            Ok(done) => outcome = done,
            Err(Error::InvalidImport(errors)) => outcome.errors = errors,
            Err(e) if e.is_conflict() => {
                page.error = Some(e.user_message());
                status = StatusCode::CONFLICT;
            }
            Err(other) => return Err(other.into()),
        }
    }
    if !outcome.errors.is_empty() {
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    page.errors = outcome.errors.clone();
    page.hidden = outcome.changes.len().saturating_sub(CHANGES_SHOWN);
    page.shown = outcome
        .changes
        .iter()
        .take(CHANGES_SHOWN)
        .cloned()
        .collect();
    page.outcome = Some(outcome);
    Ok(render(status, &page))
}

/// The export's filter.
#[derive(Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    area: String,
    #[serde(default)]
    as_of: String,
}

/// `GET /households/export.xlsx`: the registry in the national layout.
pub async fn export(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<ExportQuery>,
) -> Result<Response, PageError> {
    let as_of = chrono::NaiveDate::parse_from_str(query.as_of.trim(), "%Y-%m-%d").ok();
    let area = Some(query.area.trim().to_owned()).filter(|a| !a.is_empty());
    Ok(crate::api::export_response(
        &state,
        &session.actor(),
        area,
        as_of.unwrap_or(session.business_date),
    )
    .await?)
}

#[derive(Template)]
#[template(path = "id_number.html")]
struct IdNumberPage {
    chrome: Chrome,
    name: String,
    id_number: String,
    household_id: i64,
}

/// `POST /people/{id}/id-number`: one person's full ID number, shown on purpose and audited.
pub async fn show_id_number(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let (name, household_id) = state.store.person_head(&actor, id).await?;
    let id_number = state.store.show_id_number(&actor, id).await?;
    Ok(render(
        StatusCode::OK,
        &IdNumberPage {
            chrome: Chrome::for_session(&session, "households"),
            name,
            id_number,
            household_id,
        },
    ))
}

/// Which village's 公示.
#[derive(Deserialize, Default)]
pub struct PublicityQuery {
    #[serde(default)]
    village: String,
}

/// `GET /households/publicity.xlsx?village=CODE`: the village 公示 list (name, village and
/// decision only).
pub async fn publicity(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<PublicityQuery>,
) -> Result<Response, PageError> {
    use jixiao_interop::xlsx_export::{Cell, Column, ColumnKind, ExportWriter};
    let lines = state
        .store
        .village_publicity(&session.actor(), &query.village)
        .await?;
    let village = lines.first().map(|l| l.village.clone()).unwrap_or_default();
    let title = format!("{village}帮扶对象公示名单");
    let bytes = super::exports::off_workers(move || {
        let columns = [
            Column::new("序号", 6.0, ColumnKind::Integer),
            Column::new("乡镇（街道）", 14.0, ColumnKind::Text),
            Column::new("行政村", 14.0, ColumnKind::Text),
            Column::new("户主姓名", 12.0, ColumnKind::Text),
            Column::new("家庭人口", 10.0, ColumnKind::Integer),
            Column::new("公示事项", 36.0, ColumnKind::Text),
        ];
        let mut writer = ExportWriter::new("公示名单", &title, &columns)?;
        for (i, line) in lines.iter().enumerate() {
            writer.row(&[
                Cell::Number(i64::try_from(i + 1).unwrap_or(i64::MAX)),
                Cell::from(line.township.clone()),
                Cell::from(line.village.clone()),
                Cell::from(line.head_name.clone()),
                Cell::Number(line.members),
                Cell::from(line.decision.clone()),
            ])?;
        }
        writer.finish()
    })
    .await?;
    Ok(super::exports::attachment(
        axum::body::Body::from(bytes),
        "publicity.xlsx",
        "村级公示名单",
    ))
}
