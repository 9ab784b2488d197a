//! Payment pages: the list of treasury payments and refunds with filters, and the import of the
//! treasury's CSV with a per-row report (a dry run checks without changing anything).

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{Error, PageError};
use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use jixiao_core::{Role, money};
use jixiao_interop::treasury_csv;
use jixiao_store::{PaymentFilter, PaymentPage, TreasuryRequest};
use serde::{Deserialize, Serialize};

/// The list filters as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct PaymentQuery {
    #[serde(default)]
    pub(crate) year: String,
    #[serde(default)]
    pub(crate) agency: String,
    #[serde(default)]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) from: String,
    #[serde(default)]
    pub(crate) to: String,
    #[serde(default)]
    pub(crate) project_id: String,
    #[serde(default, skip_serializing)]
    page: Option<i64>,
}

struct Row {
    paid_on: String,
    request_id: String,
    kind: &'static str,
    project_id: i64,
    project_name: String,
    agency_name: String,
    payee: String,
    purpose: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "payments.html")]
struct PaymentsPage {
    chrome: Chrome,
    filter: PaymentQuery,
    years: Vec<i32>,
    agencies: Vec<jixiao_store::Agency>,
    page: PaymentPage,
    rows: Vec<Row>,
    net_yuan: String,
    can_import: bool,
    /// How current the data is, when read from the read-only database.
    freshness: Option<String>,
    prev_link: Option<String>,
    next_link: Option<String>,
}

fn non_empty(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

impl PaymentQuery {
    /// The store's filter for these fields.
    pub(crate) fn filter(&self) -> PaymentFilter {
        PaymentFilter {
            year: self.year.trim().parse().ok(),
            agency_code: non_empty(&self.agency),
            project_id: self.project_id.trim().parse().ok(),
            kind: non_empty(&self.kind),
            from: non_empty(&self.from),
            to: non_empty(&self.to),
        }
    }
}

/// `GET /payments`.
pub async fn list(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(mut query): Query<PaymentQuery>,
) -> Result<Response, PageError> {
    let years = super::projects::years(&state, &session).await?;
    // One project's payments are listed whatever their year (the project is of one year).
    if query.project_id.trim().is_empty() {
        query.year = super::projects::list_year(&query.year, &years, &session);
    }
    let filter = query.filter();
    let page = state
        .reads
        .payments(&session.actor(), &filter, query.page.unwrap_or(1), 50)
        .await?;
    let rows = page
        .rows
        .iter()
        .map(|r| Row {
            paid_on: r.paid_on.clone(),
            request_id: r.request_id.clone(),
            kind: if r.kind == "refund" {
                "退款"
            } else {
                "支付"
            },
            project_id: r.project_id,
            project_name: r.project_name.clone(),
            agency_name: r.agency_name.clone(),
            payee: r.payee.clone(),
            purpose: r.purpose.clone(),
            amount: money::format_yuan(if r.kind == "refund" {
                -r.amount_fen
            } else {
                r.amount_fen
            }),
        })
        .collect();
    let link = |n: i64| {
        format!(
            "/payments?{}&page={n}",
            serde_urlencoded::to_string(&query).unwrap_or_default()
        )
    };
    let view = PaymentsPage {
        chrome: Chrome::for_session(&session, "payments"),
        prev_link: (page.page > 1).then(|| link(page.page - 1)),
        next_link: (page.page < page.pages()).then(|| link(page.page + 1)),
        net_yuan: money::format_yuan(page.net_fen),
        can_import: session.user.role == Role::Finance,
        freshness: crate::read_database::freshness_note(&state).await,
        agencies: state.store.agencies(&session.actor()).await?,
        years,
        filter: query,
        page,
        rows,
    };
    Ok(render(StatusCode::OK, &view))
}

struct ReportRow {
    line: usize,
    request_id: String,
    result: &'static str,
    note: String,
    failed: bool,
}

#[derive(Template)]
#[template(path = "payments_import.html")]
struct ImportPage {
    chrome: Chrome,
    csv: String,
    dry_run: bool,
    error: Option<String>,
    report: Vec<ReportRow>,
    ok: usize,
    replayed: usize,
    failed: usize,
}

/// `GET /payments/import`.
pub async fn import_form(PageUser(session): PageUser) -> Response {
    let view = ImportPage {
        chrome: Chrome::for_session(&session, "payments"),
        csv: "request_id,date,code,amount_yuan,payee,purpose,type\n".to_owned(),
        dry_run: true,
        error: None,
        report: Vec::new(),
        ok: 0,
        replayed: 0,
        failed: 0,
    };
    render(StatusCode::OK, &view)
}

/// The import form: the CSV pasted as text, or a file (UTF-8 or GBK, as Excel saves it).
#[derive(Deserialize, Default)]
pub struct ImportForm {
    #[serde(default)]
    csv: String,
    #[serde(default)]
    dry_run: String,
    #[serde(skip)]
    file: axum::body::Bytes,
}

/// Reads the form, sent urlencoded (text only) or as multipart (with a file).
async fn read_import_form(request: Request) -> Result<ImportForm, PageError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let bad = || {
        PageError(Error::BadRequest {
            code: "bad_upload",
            message: "上传的内容不完整或超过大小上限，请重新选择文件上传".to_owned(),
        })
    };
    if !multipart {
        let Form(form) = Form::<ImportForm>::from_request(request, &())
            .await
            .map_err(|_| bad())?;
        return Ok(form);
    }
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| bad())?;
    let mut form = ImportForm::default();
    while let Some(field) = multipart.next_field().await.map_err(|_| bad())? {
        match field.name() {
            Some("csv") => form.csv = field.text().await.map_err(|_| bad())?,
            Some("dry_run") => form.dry_run = field.text().await.map_err(|_| bad())?,
            Some("file") => form.file = field.bytes().await.map_err(|_| bad())?,
            _ => {}
        }
    }
    Ok(form)
}

/// `POST /payments/import` (`_csrf`, `csv` or `file`, `dry_run`).
pub async fn import(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    request: Request,
) -> Result<Response, PageError> {
    let form = read_import_form(request).await?;
    let dry_run = !form.dry_run.is_empty();
    let from_file = !form.file.is_empty();
    let mut view = ImportPage {
        chrome: Chrome::for_session(&session, "payments"),
        csv: if from_file {
            String::new()
        } else {
            form.csv.clone()
        },
        dry_run,
        error: None,
        report: Vec::new(),
        ok: 0,
        replayed: 0,
        failed: 0,
    };
    if !from_file && form.csv.trim().is_empty() {
        view.error = Some("请粘贴CSV内容，或选择要导入的CSV文件".to_owned());
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view));
    }
    let content = if from_file {
        form.file
    } else {
        axum::body::Bytes::from(form.csv.into_bytes())
    };
    let read = state
        .parses
        .run(move || treasury_csv::read(&content))
        .await?;
    let lines = match read {
        Ok(lines) => lines,
        Err(e) => {
            view.error = Some(e.to_string());
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view));
        }
    };
    let requests: Vec<TreasuryRequest> = lines
        .iter()
        .filter_map(|l| l.as_ref().ok())
        .map(|l| l.to_request())
        .collect();
    if requests.len() > crate::api::treasury::MAX_BATCH {
        view.error = Some(format!(
            "每次最多导入{}行，请分批导入",
            crate::api::treasury::MAX_BATCH
        ));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view));
    }
    let actor = session.actor();
    let outcomes = if requests.is_empty() {
        Vec::new()
    } else if dry_run {
        state.store.treasury_dry_run(&actor, &requests).await?
    } else {
        state.store.treasury_batch(&actor, &requests).await?
    };
    let mut outcomes = outcomes.into_iter();
    for line in &lines {
        let row = match line {
            Err(e) => ReportRow {
                line: e.line,
                request_id: String::new(),
                result: "未处理",
                note: e.message.clone(),
                failed: true,
            },
            Ok(line) => match outcomes.next() {
                Some(Ok(o)) if o.replayed => ReportRow {
                    line: line.line,
                    request_id: line.request_id.clone(),
                    result: "重复",
                    note: "此前已处理，未重复入账".to_owned(),
                    failed: false,
                },
                Some(Ok(o)) => ReportRow {
                    line: line.line,
                    request_id: line.request_id.clone(),
                    result: if o.receipt.status == "refunded" {
                        "已退款"
                    } else {
                        "已支付"
                    },
                    note: format!(
                        "{}元，指标{}可用余额{}元",
                        money::format_yuan(o.receipt.amount_fen),
                        o.receipt.allotment_code,
                        money::format_yuan(o.receipt.available_fen)
                    ),
                    failed: false,
                },
                Some(Err(e)) => ReportRow {
                    line: line.line,
                    request_id: line.request_id.clone(),
                    result: "失败",
                    note: e.user_message(),
                    failed: true,
                },
                None => continue,
            },
        };
        match row.result {
            "重复" => view.replayed += 1,
            "已支付" | "已退款" => view.ok += 1,
            _ => view.failed += 1,
        }
        view.report.push(row);
    }
    Ok(render(StatusCode::OK, &view))
}
