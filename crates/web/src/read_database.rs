//! Reads from the read-only database of `serve --read-database` (decision 0052): the note a
//! page shows of how current its data is, the headers an API answer carries for the same, and
//! the heartbeat the server writes to the primary so that the replica can tell.

use crate::AppState;
use axum::http::HeaderValue;
use axum::response::Response;
use jixiao_store::Store;

/// Put on an API answer read from the read-only database; [`freshness_headers`] adds the
/// headers that say how current it is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FromReadDatabase;

/// How often the heartbeat is written to the primary.
pub const HEARTBEAT_SECONDS: u64 = 5;

/// The note over a list or dashboard read from the read-only database; `None` when the server
/// reads the primary.
pub(crate) async fn freshness_note(state: &AppState) -> Option<String> {
    if !state.read_only_database {
        return None;
    }
    Some(match state.reads.replica_freshness().await {
        Ok(f) => match (f.as_of, f.lag_seconds) {
            (Some(at), Some(lag)) => format!(
                "本页数据来自只读备库，截至{}（约{lag}秒前）；刚办理的业务可能稍后显示。",
                jixiao_core::time::display(at)
            ),
            _ => "本页数据来自只读备库，尚未收到主库的同步心跳，数据时点暂不可知。".to_owned(),
        },
        Err(e) => {
            tracing::warn!("read-only database: freshness unknown: {e}");
            "本页数据来自只读备库，数据时点暂不可知。".to_owned()
        }
    })
}

/// On an API answer marked [`FromReadDatabase`]: `X-Data-Source: read-replica`, and
/// `X-Data-As-Of` (RFC 3339) and `X-Data-Lag-Seconds` once a heartbeat has reached the replica.
pub(crate) async fn freshness_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut response: Response,
) -> Response {
    if !state.read_only_database || response.extensions().get::<FromReadDatabase>().is_none() {
        return response;
    }
    let headers = response.headers_mut();
    headers.insert("x-data-source", HeaderValue::from_static("read-replica"));
    if let Ok(f) = state.reads.replica_freshness().await
        && let (Some(at), Some(lag)) = (f.as_of, f.lag_seconds)
    {
        if let Ok(v) = HeaderValue::from_str(&jixiao_core::time::to_rfc3339(at)) {
            headers.insert("x-data-as-of", v);
        }
        headers.insert("x-data-lag-seconds", HeaderValue::from(lag));
    }
    response
}

/// The scheduled job of a server with a read-only database: the heartbeat, now and every few
/// seconds, on the primary.
pub(crate) async fn beat_every_few_seconds(primary: Store) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(HEARTBEAT_SECONDS));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = primary.beat_replica_heartbeat().await {
            tracing::warn!("read-only database: heartbeat not written: {e}");
        }
    }
}

/// An API answer read from `AppState::reads`, marked for [`freshness_headers`].
pub(crate) type ReadAnswer<T> = (axum::Extension<FromReadDatabase>, axum::Json<T>);

/// Marks `value` as read from `AppState::reads`.
pub(crate) fn read_answer<T>(value: T) -> ReadAnswer<T> {
    (axum::Extension(FromReadDatabase), axum::Json(value))
}
