//! Jixiao's web server: server-rendered Chinese pages for people, the JSON API under `/api/v1`
//! for other systems, with database sessions, CSRF protection and role checks on every route.

pub mod api;
mod auth;
mod charts;
mod client_address;
mod csrf;
mod error;
pub mod pages;
mod parse_queue;
mod permissions_doc;
mod read_database;
mod rejections;
mod text_guard;

pub use auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE};
pub use client_address::TrustedProxy;
pub use error::Error;
pub use parse_queue::ParseQueue;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use jixiao_core::login_throttle::ThrottlePolicy;
use jixiao_store::{GroupCommitter, Store};
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Where lists, dashboards and exports read: the primary (`store`), or the read-only
    /// database given to `serve --read-database` (decision 0052).
    pub reads: Store,
    /// Whether `reads` is a read-only database apart from the primary.
    pub read_only_database: bool,
    /// How failed logins are throttled.
    pub throttle: ThrottlePolicy,
    /// Group commit for single treasury requests (many requests share one durable commit).
    pub treasury: GroupCommitter,
    /// The largest file accepted by an upload form, in bytes.
    pub upload_limit_bytes: u64,
    /// Where uploaded files are parsed, off the async workers.
    pub parses: ParseQueue,
    /// Where the audit chain is anchored outside the database (checked by "立即校验"); `None`
    /// verifies the chain alone.
    pub audit_anchor: Option<jixiao_store::AuditAnchor>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (none by default).
    pub trusted_proxies: Vec<TrustedProxy>,
}

/// The default upload limit: 20 MB.
pub const DEFAULT_UPLOAD_LIMIT_BYTES: u64 = 20 * 1024 * 1024;

/// Room for an upload form's other fields (token, options) beside its file.
const UPLOAD_FORM_FIELDS_BYTES: usize = 1 << 20;

/// The largest JSON body the API reads (a 500-row target review or a payments batch fits many
/// times over); a larger one is refused with 413 `body_too_large` naming this figure.
pub(crate) const API_BODY_LIMIT_BYTES: usize = 2 * 1024 * 1024;

impl AppState {
    /// State with the default throttle policy and group-commit writers suited to the backend
    /// (must be called inside a Tokio runtime).
    pub fn new(store: Store) -> AppState {
        let writers = GroupCommitter::writers_for(store.backend());
        AppState {
            treasury: GroupCommitter::start(store.clone(), writers, 512),
            reads: store.clone(),
            read_only_database: false,
            store,
            throttle: ThrottlePolicy::default(),
            upload_limit_bytes: DEFAULT_UPLOAD_LIMIT_BYTES,
            parses: ParseQueue::for_this_machine(),
            audit_anchor: None,
            trusted_proxies: Vec::new(),
        }
    }
}

impl AppState {
    /// Lists, dashboards and exports read from `reads` (a streaming replica of the primary);
    /// everything else, sessions included, stays on the primary.
    pub fn with_read_database(mut self, reads: Store) -> AppState {
        self.reads = reads;
        self.read_only_database = true;
        self
    }

    /// The largest body an upload form may send: the file up to the configured limit and the
    /// form's other fields. The one figure both the CSRF guard and the upload routes apply.
    pub(crate) fn upload_body_limit(&self) -> usize {
        usize::try_from(self.upload_limit_bytes)
            .unwrap_or(usize::MAX)
            .saturating_add(UPLOAD_FORM_FIELDS_BYTES)
    }
}

/// The whole application: pages, API, health check and static files.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::router(state.clone()))
        .nest("/api/v1", api::router(state.upload_body_limit()))
        .route("/api", get(api::not_found).post(api::not_found))
        .route("/api/{*rest}", axum::routing::any(api::not_found))
        .route("/healthz", get(healthz))
        // Inside authentication, so that a refusal it rewrites is framed with the user's menu.
        .layer(axum::middleware::from_fn(rejections::translate))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            read_database::freshness_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        // Before anything reads the request: no control character in path, query or form.
        .layer(axum::middleware::from_fn(text_guard::guard))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Headers on every response: no framing, no sniffing, scripts and styles only from this origin
/// (templates carry no inline script or style), no referrer leaks across sites, and nothing kept
/// in a browser's or proxy's cache — pages, API answers and downloads carry personal and
/// financial data — unless the response says otherwise (the static stylesheet and script).
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::HeaderValue;
    use axum::http::header::{
        CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
        X_FRAME_OPTIONS,
    };
    let headers = response.headers_mut();
    headers
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// `200 ok` when the database answers, else `503`.
async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Serves until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let deadlines = tokio::spawn(enforce_deadlines_daily(state.store.clone()));
    // On PostgreSQL: cache sessions while hearing of changes to them (decision 0054).
    let session_changes = {
        let store = state.store.clone();
        tokio::spawn(async move { store.watch_session_changes().await })
    };
    let rollups = tokio::spawn(refresh_rollups_every_minute(state.store.clone()));
    let heartbeat = state
        .read_only_database
        .then(|| tokio::spawn(read_database::beat_every_few_seconds(state.store.clone())));
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    deadlines.abort();
    session_changes.abort();
    rollups.abort();
    if let Some(heartbeat) = heartbeat {
        heartbeat.abort();
    }
    served
}

/// The name of the rollup job's lock (one server at a time rebuilds them).
pub const ROLLUP_JOB: &str = "dashboards.refresh_rollups";

/// The scheduled job: every minute, the rollups that the dashboards of cities and the province
/// read are refreshed where their rows changed (decisions 0049, 0055), and rebuilt whole at
/// start (changes made while the triggers were switched off are then counted too); the page
/// shows when. With several servers, the one that takes the job's lock refreshes them and the
/// others skip the round.
async fn refresh_rollups_every_minute(store: Store) {
    let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    every_minute.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut rebuilt_whole = false;
    loop {
        every_minute.tick().await;
        let lock = match store.try_job_lock(ROLLUP_JOB).await {
            Ok(Some(lock)) => lock,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!("dashboard rollups not refreshed: {e}");
                continue;
            }
        };
        let round = if rebuilt_whole {
            store.refresh_scope_rollups().await
        } else {
            store.rebuild_scope_rollups().await
        };
        match round {
            Ok(round) => {
                rebuilt_whole = true;
                tracing::debug!(
                    took_ms = round.refresh.took_ms,
                    whole = round.whole,
                    rebuilt = round.rebuilt.len(),
                    "dashboard rollups refreshed"
                )
            }
            Err(e) => tracing::warn!("dashboard rollups not refreshed: {e}"),
        }
        if let Err(e) = lock.release().await {
            tracing::warn!("dashboard rollups: job lock not released: {e}");
        }
    }
}

/// The name of the deadline job's lock (one server at a time runs it).
pub const DEADLINE_JOB: &str = "monitoring.enforce_deadlines";

/// The scheduled job: every hour (and at start), undecided red alerts past their deadline stop
/// the project's payments. Idempotent, so the hourly run only acts on the first hour of a day.
/// With several servers on one PostgreSQL database, the server that takes the job's advisory
/// lock runs it and the others skip the round.
async fn enforce_deadlines_daily(store: Store) {
    let actor = jixiao_core::Actor {
        role: jixiao_core::Role::Finance,
        ..jixiao_core::Actor::system()
    };
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        let lock = match store.try_job_lock(DEADLINE_JOB).await {
            Ok(Some(lock)) => lock,
            Ok(None) => {
                tracing::debug!("monitoring deadlines: another server is enforcing them");
                continue;
            }
            Err(e) => {
                tracing::warn!("monitoring deadlines not enforced: {e}");
                continue;
            }
        };
        let enforced = store
            .enforce_alert_deadlines(&actor, None, jixiao_store::business_today())
            .await;
        if let Err(e) = lock.release().await {
            tracing::warn!("monitoring deadlines: job lock not released: {e}");
        }
        match enforced {
            Ok(suspended) if !suspended.is_empty() => {
                tracing::info!(
                    "monitoring deadlines: {} alert(s) suspended payments",
                    suspended.len()
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("monitoring deadlines not enforced: {e}"),
        }
    }
}
