//! A server with a read-only database (`serve --read-database`, decision 0052) on PostgreSQL:
//! lists, dashboards and exports read the replica and say how current it is; sessions, detail
//! pages and every change stay on the primary; a write sent to the replica fails; a replica
//! whose schema is not the primary's is refused. The replica is a second database that replays
//! the primary's writes when the test says so (as a streaming replica does continuously), so
//! the lag is visible. On SQLite there is no replica (the CLI refuses one; see the CLI tests).

use crate::support::{TestApp, TestResult, on_postgres};
use jixiao_store::Store;
use jixiao_store::test_support::TestDatabase;
use jixiao_web::AppState;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

/// GET `path` with `token`: status, the `x-data-*` headers (source, as-of, lag) and the JSON.
async fn read(
    base: &str,
    token: &str,
    path: &str,
) -> Result<(StatusCode, [Option<String>; 3], Value), reqwest::Error> {
    let response = Client::new()
        .request(Method::GET, format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let headers = [
        header("x-data-source"),
        header("x-data-as-of"),
        header("x-data-lag-seconds"),
    ];
    let status = response.status();
    Ok((
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    ))
}

fn ids(list: &Value) -> Vec<i64> {
    list["projects"]
        .as_array()
        .map(|ps| ps.iter().filter_map(|p| p["id"].as_i64()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn lists_and_dashboards_read_the_replica_and_say_how_current_it_is() -> TestResult {
    if !on_postgres() {
        return Ok(());
    }
    let primary = TestDatabase::new().await?;
    jixiao_store::demo::load_base(&primary.store).await?;
    let replica = TestDatabase::new().await?;
    jixiao_store::demo::load_base(&replica.store).await?;
    let reads = Store::connect_read_only(&replica.url).await?;
    primary.store.check_read_only_schema(&reads).await?;

    // A write sent to the read-only database by mistake fails and leaves it as it was.
    assert!(reads.beat_replica_heartbeat().await.is_err());
    assert_eq!(reads.replica_freshness().await?.as_of, None);

    let state = AppState::new(primary.store.clone()).with_read_database(reads.clone());
    let app = TestApp::serve_state(primary, state).await?;
    let unit = app.token("yiyuan").await?;
    let finance = app.token("finance").await?;

    // A change lands on the primary (sessions live there too: the replica has none of them).
    let (status, project) = crate::support::call(
        &app,
        &unit,
        Method::POST,
        "/api/v1/projects",
        Some(json!({"year": 2020, "name": "只读备库测试项目", "category": "specific", "requested_fen": 1_000_000})),
    )
    .await?;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let id = project["id"].as_i64().ok_or("id")?;
    let (status, _, shown) = read(&app.base, &unit, &format!("/api/v1/projects/{id}")).await?;
    assert_eq!(
        status,
        StatusCode::OK,
        "the detail reads the primary: {shown}"
    );

    // The list reads the replica, which has not replayed it yet, and says where it read.
    let (status, [source, as_of, lag], list) =
        read(&app.base, &unit, "/api/v1/projects?year=2020").await?;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(source.as_deref(), Some("read-replica"));
    assert_eq!((as_of, lag), (None, None), "no heartbeat replayed yet");
    assert!(!ids(&list).contains(&id), "the replica lags: {list}");
    let page = app.signed_in("yiyuan").await?;
    let (status, html) = page.get("/projects?year=2020").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("本页数据来自只读备库，尚未收到主库的同步心跳"),
        "{html}"
    );
    assert!(!html.contains("只读备库测试项目"));

    // The replica replays the primary's writes: the project and the server's heartbeat.
    app.db
        .replay_new_rows_to(&replica, "replica_heartbeat", "id")
        .await?;
    app.db
        .replay_new_rows_to(&replica, "projects", "id")
        .await?;
    let (_, [source, as_of, lag], list) =
        read(&app.base, &unit, "/api/v1/projects?year=2020").await?;
    assert_eq!(source.as_deref(), Some("read-replica"));
    assert!(ids(&list).contains(&id), "replayed: {list}");
    let as_of = as_of.ok_or("x-data-as-of")?;
    assert!(as_of.starts_with("20"), "{as_of}");
    let lag: i64 = lag.ok_or("x-data-lag-seconds")?.parse()?;
    assert!((0..600).contains(&lag), "{lag}");
    let (_, html) = page.get("/projects?year=2020").await?;
    assert!(html.contains("本页数据来自只读备库，截至"), "{html}");
    assert!(html.contains("只读备库测试项目"));

    // Dashboards, payments and coverage read the replica too; finance's pages say so.
    for path in [
        "/api/v1/stats/dashboard?year=2020",
        "/api/v1/stats/coverage?year=2020",
        "/api/v1/payments?year=2020",
    ] {
        let (status, [source, _, _], body) = read(&app.base, &finance, path).await?;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(source.as_deref(), Some("read-replica"), "{path}");
    }
    let finance_page = app.signed_in("finance").await?;
    for path in ["/dashboard?year=2020", "/payments?year=2020"] {
        let (status, html) = finance_page.get(path).await?;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            html.contains("本页数据来自只读备库，截至"),
            "{path}: {html}"
        );
    }

    // A server without a read-only database marks nothing.
    let second = app.second_server().await?;
    let (_, [source, _, _], list) = read(&second, &unit, "/api/v1/projects?year=2020").await?;
    assert_eq!(source, None);
    assert!(ids(&list).contains(&id));

    // A replica behind the primary's schema is refused.
    jixiao_store::test_support::raw_execute(
        &replica.url,
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .await?;
    let refused = app.db.store.check_read_only_schema(&reads).await;
    let message = refused
        .err()
        .ok_or("a lagging schema is refused")?
        .to_string();
    assert!(message.contains("结构版本"), "{message}");
    reads.close().await;
    replica.remove().await?;
    Ok(())
}
