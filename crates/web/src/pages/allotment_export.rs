//! Excel download of the year's allotments (预算指标): limit, frozen, paid and available per
//! allotment with its document number and classification, as the user may see them.

use super::exports::{download, failed, off_workers, place};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use axum::extract::{Query, State};
use axum::response::Response;
use jixiao_interop::xlsx_export::{Cell, Column, ColumnKind, ExportWriter};
use serde::Deserialize;

/// The year asked for (all years when absent).
#[derive(Deserialize)]
pub struct YearQuery {
    #[serde(default)]
    year: String,
}

/// `GET /allotments/export.xlsx?year=Y`.
pub async fn allotments(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = query.year.trim().parse::<i32>().ok();
    let rows = state
        .store
        .allotments_for_export(&session.actor(), year)
        .await?;
    let columns = [
        Column::new("指标编码", 20.0, ColumnKind::Text),
        Column::new("指标文号", 20.0, ColumnKind::Text),
        Column::new("预算年度", 10.0, ColumnKind::Integer),
        Column::new("项目编码", 18.0, ColumnKind::Text),
        Column::new("项目名称", 34.0, ColumnKind::Text),
        Column::new("部门单位", 26.0, ColumnKind::Text),
        Column::new("资金来源", 10.0, ColumnKind::Text),
        Column::new("功能分类", 10.0, ColumnKind::Text),
        Column::new("经济分类", 10.0, ColumnKind::Text),
        Column::new("指标金额（元）", 16.0, ColumnKind::Yuan).with_total(),
        Column::new("冻结（元）", 14.0, ColumnKind::Yuan).with_total(),
        Column::new("已支付（元）", 16.0, ColumnKind::Yuan).with_total(),
        Column::new("可用（元）", 16.0, ColumnKind::Yuan).with_total(),
        Column::new("支付状态", 10.0, ColumnKind::Text),
    ];
    let year_text = year.map_or_else(String::new, |y| format!("{y}年度"));
    let title = format!("{}{year_text}预算指标", place(&state, &session).await);
    let mut writer = ExportWriter::new("预算指标", &title, &columns).map_err(failed)?;
    for r in rows {
        let source = match r.funding_source.as_str() {
            "local" => "本级",
            "superior" => "上级",
            "mixed" => "混合",
            other => other,
        }
        .to_owned();
        writer
            .row(&[
                Cell::from(r.code),
                Cell::from(r.document_number),
                Cell::from(i64::from(r.year)),
                Cell::from(r.project_code),
                Cell::from(r.project_name),
                Cell::from(r.agency_name),
                Cell::from(source),
                Cell::from(r.function_code),
                Cell::from(r.economic_code),
                Cell::from(r.limit_fen),
                Cell::from(r.frozen_fen),
                Cell::from(r.used_fen),
                Cell::from(r.limit_fen - r.frozen_fen - r.used_fen),
                Cell::from(if r.suspended {
                    "暂停支付"
                } else {
                    "正常"
                }),
            ])
            .map_err(failed)?;
    }
    let bytes = off_workers(move || writer.finish()).await?;
    Ok(download(bytes, "allotments.xlsx", &title))
}
