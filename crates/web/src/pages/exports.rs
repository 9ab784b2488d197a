//! Excel downloads of the lists users see (导出Excel), with the same filters and the same access
//! rights as the pages: the project library, the year's self-evaluations, the results
//! application decisions and the rectification items.

use super::projects::ListQuery;
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use jixiao_interop::xlsx_export::{Cell, Column, ColumnKind, ExportWriter, XlsxError, write};
use jixiao_store::{Error, SessionUser, self_evaluation_state_label};
use serde::Deserialize;

/// Pages of the project library read at a time while the file is written.
const BATCH: i64 = 1000;

/// An .xlsx download named `name` (ASCII) and, for browsers that read it, `title`.
pub(super) fn download(bytes: Vec<u8>, name: &str, title: &str) -> Response {
    attachment(axum::body::Body::from(bytes), name, title)
}

/// An .xlsx download read from a (temporary) file in chunks as the client takes it.
pub(super) fn download_file(file: std::fs::File, name: &str, title: &str) -> Response {
    use std::io::Read;
    const CHUNK: usize = 64 * 1024;
    let chunks = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = tokio::task::spawn_blocking(move || {
            let mut buffer = vec![0; CHUNK];
            let n = file.read(&mut buffer)?;
            buffer.truncate(n);
            Ok::<_, std::io::Error>((buffer, file))
        })
        .await;
        match read {
            Ok(Ok((buffer, _))) if buffer.is_empty() => None,
            Ok(Ok((buffer, file))) => Some((Ok(axum::body::Bytes::from(buffer)), Some(file))),
            Ok(Err(error)) => Some((Err(error), None)),
            Err(joined) => Some((Err(std::io::Error::other(joined.to_string())), None)),
        }
    });
    attachment(axum::body::Body::from_stream(chunks), name, title)
}

pub(crate) fn attachment(body: axum::body::Body, name: &str, title: &str) -> Response {
    let encoded: String = title
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{name}\"; filename*=UTF-8''{encoded}.xlsx");
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Runs spreadsheet work (writing and compressing a workbook is CPU work) on a blocking thread,
/// off the async workers, so other users never wait behind a download.
pub(super) async fn off_workers<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, XlsxError> + Send + 'static,
) -> Result<T, PageError> {
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| PageError::from(Error::Internal(format!("export job: {e}"))))?
        .map_err(failed)
}

/// Finishes a long export (compressing its sheet into the file) off the async workers.
async fn finish(writer: ExportWriter) -> Result<std::fs::File, PageError> {
    off_workers(move || writer.finish_to_file()).await
}

/// Writes a short list's workbook off the async workers.
async fn write_list<I>(
    sheet_name: &'static str,
    title: &str,
    columns: &[Column],
    rows: I,
) -> Result<Vec<u8>, PageError>
where
    I: IntoIterator<Item = Vec<Cell>> + Send + 'static,
{
    let (title, columns) = (title.to_owned(), columns.to_vec());
    off_workers(move || write(sheet_name, &title, &columns, rows)).await
}

pub(super) fn failed(error: XlsxError) -> PageError {
    Error::Internal(format!("xlsx: {error}")).into()
}

/// Writes a long list read batch by batch by key, never by offset: `fetch(after)` reads the
/// next `BATCH` rows after the key of the last row read (`None` to start), `key` gives a row's
/// key, `line` its cells. Returns the rows written.
async fn write_by_key<T, K, Fut>(
    writer: &mut ExportWriter,
    mut fetch: impl FnMut(Option<K>) -> Fut,
    key: impl Fn(&T) -> K,
    mut line: impl FnMut(T) -> Vec<Cell>,
) -> Result<u64, PageError>
where
    Fut: std::future::Future<Output = Result<Vec<T>, Error>>,
{
    let mut after = None;
    let mut written = 0u64;
    loop {
        let batch = fetch(after.take()).await?;
        let done = i64::try_from(batch.len()).unwrap_or(0) < BATCH;
        after = batch.last().map(&key);
        for row in batch {
            writer.row(&line(row)).map_err(failed)?;
            written += 1;
        }
        if done || after.is_none() {
            return Ok(written);
        }
    }
}

pub(super) async fn place(state: &AppState, session: &SessionUser) -> String {
    let code = match &session.user.jurisdiction {
        Some(code) => Some(code.clone()),
        None => state.reads.default_jurisdiction().await.ok().flatten(),
    };
    match code {
        Some(code) => state
            .store
            .jurisdictions()
            .await
            .ok()
            .and_then(|all| all.into_iter().find(|j| j.code == code))
            .map_or_else(String::new, |j| j.name),
        None => String::new(),
    }
}

/// `GET /projects/export.xlsx` with the list's filters.
pub async fn projects(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let filter = query.filter();
    let year = filter.year.map_or_else(String::new, |y| format!("{y}年度"));
    let agency = filter
        .agency_code
        .as_deref()
        .map_or_else(|| "全部单位".to_owned(), |a| format!("单位{a}"));
    let title = format!("{}{year}项目库（{agency}）", place(&state, &session).await);
    let (file, _) = project_library_xlsx(&state.reads, &actor, &filter, &title).await?;
    Ok(download_file(file, "projects.xlsx", &title))
}

/// The project library as .xlsx in a temporary file, with the number of rows written: batches
/// are read by key and written one after another, so neither the list nor the file is ever whole
/// in memory.
pub async fn project_library_xlsx(
    store: &jixiao_store::Store,
    actor: &jixiao_core::Actor,
    filter: &jixiao_store::ProjectFilter,
    title: &str,
) -> Result<(std::fs::File, u64), PageError> {
    let columns = [
        Column::new("项目编码", 18.0, ColumnKind::Text),
        Column::new("项目名称", 36.0, ColumnKind::Text),
        Column::new("部门单位", 28.0, ColumnKind::Text),
        Column::new("预算年度", 10.0, ColumnKind::Integer),
        Column::new("新增/延续", 10.0, ColumnKind::Text),
        Column::new("申报金额（万元）", 16.0, ColumnKind::Wan).with_total(),
        Column::new("批复金额（万元）", 16.0, ColumnKind::Wan).with_total(),
        Column::new("状态", 10.0, ColumnKind::Text),
        Column::new("目标等级", 10.0, ColumnKind::Text),
    ];
    let mut writer = ExportWriter::new("项目库", title, &columns).map_err(failed)?;
    let written = write_by_key(
        &mut writer,
        |after| store.projects_after(actor, filter, after, BATCH),
        |p| (p.year, p.jurisdiction_code.clone(), p.code.clone()),
        |p| {
            let state = p.state().label();
            vec![
                Cell::from(p.code),
                Cell::from(p.name),
                Cell::from(p.agency_name),
                Cell::from(i64::from(p.year)),
                Cell::from(if p.is_new { "新增" } else { "延续" }),
                Cell::from(p.requested_fen),
                Cell::from(p.approved_fen),
                Cell::from(state),
                Cell::from(p.target_grade.unwrap_or_default()),
            ]
        },
    )
    .await?;
    Ok((finish(writer).await?, written))
}

/// `GET /payments/export.xlsx` with the list's filters: payments and refunds, written batch by
/// batch as read.
pub async fn payments(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<super::payments::PaymentQuery>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let filter = query.filter();
    let columns = [
        Column::new("支付日期", 12.0, ColumnKind::Text),
        Column::new("请求编号", 22.0, ColumnKind::Text),
        Column::new("类型", 6.0, ColumnKind::Text),
        Column::new("项目", 34.0, ColumnKind::Text),
        Column::new("部门单位", 26.0, ColumnKind::Text),
        Column::new("指标编码", 20.0, ColumnKind::Text),
        Column::new("收款人", 28.0, ColumnKind::Text),
        Column::new("用途", 20.0, ColumnKind::Text),
        Column::new("金额（元）", 16.0, ColumnKind::Yuan).with_total(),
    ];
    let year = filter.year.map_or_else(String::new, |y| format!("{y}年度"));
    let title = format!("{}{year}国库集中支付明细", place(&state, &session).await);
    let mut writer = ExportWriter::new("支付明细", &title, &columns).map_err(failed)?;
    let store = &state.reads;
    write_by_key(
        &mut writer,
        |after| store.payments_after(&actor, &filter, after, BATCH),
        |r| (r.paid_on.clone(), r.id),
        |r| {
            let refund = r.kind == "refund";
            vec![
                Cell::from(r.paid_on),
                Cell::from(r.request_id),
                Cell::from(if refund { "退款" } else { "支付" }),
                Cell::from(r.project_name),
                Cell::from(r.agency_name),
                Cell::from(r.allotment_code),
                Cell::from(r.payee),
                Cell::from(r.purpose),
                Cell::from(if refund { -r.amount_fen } else { r.amount_fen }),
            ]
        },
    )
    .await?;
    let file = finish(writer).await?;
    Ok(download_file(file, "payments.xlsx", &title))
}

/// `GET /evaluations/export.xlsx`: the key evaluations the user sees.
pub async fn key_evaluations(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    let list = state.reads.key_evaluations(&session.actor()).await?;
    let rows = list.into_iter().map(|e| {
        vec![
            Cell::from(i64::from(e.year)),
            Cell::from(e.project_name.clone()),
            Cell::from(e.agency_name.clone()),
            Cell::from(e.approved_fen),
            Cell::from(e.mode_label()),
            Cell::from(e.institution_name.clone()),
            Cell::from(e.state_label()),
            Cell::from(e.total_x100),
            Cell::from(e.final_x100),
            Cell::from(e.final_grade.clone().unwrap_or_default()),
            Cell::from(e.problem_list().join("；")),
        ]
    });
    let columns = [
        Column::new("年度", 8.0, ColumnKind::Integer),
        Column::new("项目", 30.0, ColumnKind::Text),
        Column::new("部门单位", 26.0, ColumnKind::Text),
        Column::new("资金（万元）", 14.0, ColumnKind::Wan).with_total(),
        Column::new("评价方式", 10.0, ColumnKind::Text),
        Column::new("第三方机构", 26.0, ColumnKind::Text),
        Column::new("状态", 14.0, ColumnKind::Text),
        Column::new("机构评分", 10.0, ColumnKind::Hundredths),
        Column::new("最终得分", 10.0, ColumnKind::Hundredths),
        Column::new("等级", 6.0, ColumnKind::Text),
        Column::new("发现的问题", 50.0, ColumnKind::Text),
    ];
    let title = format!("{}重点绩效评价情况", place(&state, &session).await);
    let bytes = write_list("重点评价", &title, &columns, rows).await?;
    Ok(download(bytes, "key-evaluations.xlsx", &title))
}

/// `GET /admin/audit/export.xlsx` (administrators) with the audit page's filters.
pub async fn audit(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<super::admin_audit::AuditQuery>,
) -> Result<Response, PageError> {
    let filter =
        super::admin_audit::audit_filter(&query.actor, &query.entity, &query.from, &query.to)
            .map_err(Error::Invalid)?;
    let columns = [
        Column::new("序号", 8.0, ColumnKind::Integer),
        Column::new("时间", 20.0, ColumnKind::Text),
        Column::new("操作人", 18.0, ColumnKind::Text),
        Column::new("操作", 24.0, ColumnKind::Text),
        Column::new("对象", 16.0, ColumnKind::Text),
        Column::new("对象编号", 14.0, ColumnKind::Text),
        Column::new("财政区划", 10.0, ColumnKind::Text),
        Column::new("详情", 60.0, ColumnKind::Text),
        Column::new("哈希", 20.0, ColumnKind::Text),
    ];
    let mut writer = ExportWriter::new("审计日志", "审计日志", &columns).map_err(failed)?;
    let (store, actor) = (&state.store, session.actor());
    write_by_key(
        &mut writer,
        |before| store.audit_log_before(&actor, &filter, before, BATCH),
        |r| r.seq,
        |r| {
            vec![
                Cell::from(r.seq),
                Cell::from(jixiao_core::time::display(r.at)),
                Cell::from(r.actor),
                Cell::from(r.action),
                Cell::from(r.entity),
                Cell::from(r.entity_id),
                Cell::from(r.jurisdiction.unwrap_or_default()),
                Cell::from(r.details),
                Cell::from(r.hash),
            ]
        },
    )
    .await?;
    let file = finish(writer).await?;
    Ok(download_file(file, "audit.xlsx", "审计日志"))
}

/// `GET /monitoring/{id}/export.xlsx`: a round's reports and alerts as the user sees them.
pub async fn monitoring_round(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let round = state.reads.monitoring_round(&actor, id).await?;
    let lines = state.reads.round_lines(&actor, id).await?;
    let rows = lines.into_iter().map(|l| {
        let level = match l.alert_level.as_deref() {
            Some("red") => "红色预警",
            Some("yellow") => "黄色预警",
            _ => "",
        };
        vec![
            Cell::from(l.project_code.clone()),
            Cell::from(l.project_name.clone()),
            Cell::from(l.agency_name.clone()),
            Cell::from(l.state_label()),
            Cell::from(l.limit_fen),
            Cell::from(l.spent_fen),
            Cell::from(l.execution_bp()),
            Cell::from(level),
            Cell::from(if l.alert_suspended == Some(true) {
                "已暂停支付"
            } else {
                ""
            }),
        ]
    });
    let columns = [
        Column::new("项目编码", 18.0, ColumnKind::Text),
        Column::new("项目名称", 34.0, ColumnKind::Text),
        Column::new("部门单位", 26.0, ColumnKind::Text),
        Column::new("报告状态", 10.0, ColumnKind::Text),
        Column::new("全年预算数（万元）", 16.0, ColumnKind::Wan).with_total(),
        Column::new("截至执行数（万元）", 16.0, ColumnKind::Wan).with_total(),
        Column::new("执行率", 10.0, ColumnKind::Percent),
        Column::new("预警", 10.0, ColumnKind::Text),
        Column::new("支付", 12.0, ColumnKind::Text),
    ];
    let title = format!(
        "{}{}年绩效运行监控情况（截至{}）",
        place(&state, &session).await,
        round.year,
        round.cutoff
    );
    let bytes = write_list("绩效监控", &title, &columns, rows).await?;
    Ok(download(bytes, "monitoring.xlsx", &title))
}

/// The year of an evaluation export.
#[derive(Debug, Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
    #[serde(default)]
    grade: String,
}

/// `GET /evaluation/export.xlsx?year=Y&grade=G`: the year's self-evaluations.
pub async fn self_evaluations(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = match query.year {
        Some(year) => year,
        None => {
            state
                .store
                .latest_evaluation_year(&session.actor(), 2019)
                .await?
        }
    };
    let lines = state
        .store
        .self_evaluation_lines(&session.actor(), year)
        .await?;
    let grade = query.grade.clone();
    let rows = lines
        .into_iter()
        .filter(move |l| grade.is_empty() || l.grade.as_deref() == Some(grade.as_str()))
        .map(|l| {
            vec![
                Cell::from(l.code),
                Cell::from(l.name),
                Cell::from(l.agency_name),
                Cell::from(l.approved_fen),
                Cell::from(self_evaluation_state_label(
                    l.state.as_deref().unwrap_or("not_started"),
                )),
                Cell::from(l.total_x100),
                Cell::from(l.grade.unwrap_or_default()),
            ]
        });
    let columns = [
        Column::new("项目编码", 18.0, ColumnKind::Text),
        Column::new("项目名称", 36.0, ColumnKind::Text),
        Column::new("部门单位", 28.0, ColumnKind::Text),
        Column::new("批复金额（万元）", 16.0, ColumnKind::Wan).with_total(),
        Column::new("自评状态", 10.0, ColumnKind::Text),
        Column::new("自评得分", 10.0, ColumnKind::Hundredths),
        Column::new("等级", 8.0, ColumnKind::Text),
    ];
    let title = format!(
        "{}{year}年度单位绩效自评结果",
        place(&state, &session).await
    );
    let bytes = write_list("单位自评", &title, &columns, rows).await?;
    Ok(download(bytes, "self-evaluations.xlsx", &title))
}

/// `GET /evaluation/results.xlsx?year=Y`: the results application's proposals and decisions.
pub async fn results(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = match query.year {
        Some(year) => year,
        None => {
            state
                .store
                .latest_evaluation_year(&session.actor(), 2019)
                .await?
        }
    };
    let list = state.reads.adjustments(&session.actor(), year).await?;
    let rows = list.into_iter().map(|a| {
        vec![
            Cell::from(a.evaluated_name.clone()),
            Cell::from(a.agency_name.clone()),
            Cell::from(a.score_x100),
            Cell::from(a.grade.clone()),
            Cell::from(a.next_name.clone()),
            Cell::from(a.base_fen),
            Cell::from(a.action_label()),
            Cell::from(a.proposed_cut_fen),
            Cell::from(a.status_label()),
            Cell::from(if a.status == "proposed" {
                None
            } else {
                Some(a.cut_fen)
            }),
            Cell::from(a.reason.clone()),
        ]
    });
    let columns = [
        Column::new("评价项目", 30.0, ColumnKind::Text),
        Column::new("部门单位", 26.0, ColumnKind::Text),
        Column::new("得分", 8.0, ColumnKind::Hundredths),
        Column::new("等级", 6.0, ColumnKind::Text),
        Column::new(&format!("{}年度延续项目", year + 1), 30.0, ColumnKind::Text),
        Column::new("申报金额（万元）", 16.0, ColumnKind::Wan).with_total(),
        Column::new("建议", 14.0, ColumnKind::Text),
        Column::new("建议调减（万元）", 16.0, ColumnKind::Wan).with_total(),
        Column::new("决定", 12.0, ColumnKind::Text),
        Column::new("调减（万元）", 14.0, ColumnKind::Wan).with_total(),
        Column::new("理由", 40.0, ColumnKind::Text),
    ];
    let title = format!(
        "{}{year}年度绩效评价结果应用情况",
        place(&state, &session).await
    );
    let bytes = write_list("结果应用", &title, &columns, rows).await?;
    Ok(download(bytes, "results-application.xlsx", &title))
}

/// `GET /rectifications/export.xlsx`: the rectification items the user sees.
pub async fn rectifications(
    State(state): State<AppState>,
    PageUser(session): PageUser,
) -> Result<Response, PageError> {
    let items = state.reads.rectifications(&session.actor(), None).await?;
    let rows = items.into_iter().map(|r| {
        vec![
            Cell::from(i64::from(r.year)),
            Cell::from(r.project_name.clone()),
            Cell::from(r.agency_name.clone()),
            Cell::from(r.source_label()),
            Cell::from(r.problem.clone()),
            Cell::from(r.state_label()),
            Cell::from(r.answer.clone()),
            Cell::from(r.check_comment.clone()),
        ]
    });
    let columns = [
        Column::new("年度", 8.0, ColumnKind::Integer),
        Column::new("项目", 30.0, ColumnKind::Text),
        Column::new("整改单位", 26.0, ColumnKind::Text),
        Column::new("来源", 10.0, ColumnKind::Text),
        Column::new("问题", 40.0, ColumnKind::Text),
        Column::new("状态", 12.0, ColumnKind::Text),
        Column::new("整改情况", 40.0, ColumnKind::Text),
        Column::new("核查意见", 30.0, ColumnKind::Text),
    ];
    let title = format!(
        "{}绩效评价和监控发现问题整改情况",
        place(&state, &session).await
    );
    let bytes = write_list("问题整改", &title, &columns, rows).await?;
    Ok(download(bytes, "rectifications.xlsx", &title))
}
