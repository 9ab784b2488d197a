//! Finance's actions on a project's allotment: 追加, 调减, 收回, 调剂, and suspending or resuming
//! payments. Refusals come back on the project page with their reason.

use super::project_page::refused;
use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jixiao_core::money;
use jixiao_store::{AdjustmentKind, Error};
use serde::Deserialize;

/// The allotment adjustment form.
#[derive(Deserialize)]
pub struct AdjustForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

/// `POST /projects/{id}/allotment/adjust` (finance).
pub async fn adjust(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<AdjustForm>,
) -> Result<Response, PageError> {
    let actor = session.actor();
    let amount = match money::parse_wan(&form.amount) {
        Ok(fen) => fen,
        Err(e) => {
            let error = Error::invalid("amount", "invalid_amount", format!("调整金额：{e}"));
            return refused(&state, &session, id, error).await;
        }
    };
    let kind = match form.kind.as_str() {
        "increase" => AdjustmentKind::Increase,
        "decrease" => AdjustmentKind::Decrease,
        "recovery" => AdjustmentKind::Recovery,
        "transfer" => {
            let to = match state.store.project_id_by_code(&actor, &form.to).await {
                Ok(to) => to,
                Err(e) => {
                    return refused(
                        &state,
                        &session,
                        id,
                        Error::invalid("to", "unknown_project", e.to_string()),
                    )
                    .await;
                }
            };
            match state.store.project_allotment(&actor, to).await {
                Ok(target) => AdjustmentKind::Transfer { to: target.id },
                Err(e) => {
                    return refused(
                        &state,
                        &session,
                        id,
                        Error::invalid("to", "no_allotment", e.to_string()),
                    )
                    .await;
                }
            }
        }
        _ => {
            return refused(
                &state,
                &session,
                id,
                Error::invalid("kind", "unknown_kind", "请选择调整类型"),
            )
            .await;
        }
    };
    match state
        .store
        .adjust_allotment(&actor, id, kind, amount, &form.reason)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}?done=adjusted")).into_response()),
        Err(error) => refused(&state, &session, id, error).await,
    }
}

/// The suspension form.
#[derive(Deserialize)]
pub struct SuspensionForm {
    #[serde(default)]
    suspended: String,
    #[serde(default)]
    reason: String,
}

/// `POST /projects/{id}/allotment/suspension` (finance).
pub async fn suspension(
    State(state): State<AppState>,
    PageUser(session): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<SuspensionForm>,
) -> Result<Response, PageError> {
    let suspend = form.suspended == "true";
    match state
        .store
        .set_allotment_suspension(&session.actor(), id, suspend, &form.reason)
        .await
    {
        Ok(_) => {
            let done = if suspend { "suspended" } else { "resumed" };
            Ok(Redirect::to(&format!("/projects/{id}?done={done}")).into_response())
        }
        Err(error) => refused(&state, &session, id, error).await,
    }
}
