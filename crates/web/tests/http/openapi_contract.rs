//! The OpenAPI document against the code it describes: every route of the API router (read from
//! `src/api/mod.rs`) is documented with its method, path parameters `in: path` and only those,
//! query parameters `in: query` exactly where the handler reads a query string, a request body
//! exactly where it reads JSON, an array where it answers a list, and no two schemas share a
//! name. The document is fetched from the running server.

use crate::support::{TestApp, TestResult};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One route as the router declares it.
#[derive(Debug)]
struct Route {
    method: String,
    path: String,
    /// `module::function`.
    handler: String,
}

/// The text between the parenthesis opening at `open` and its match.
fn balanced(text: &str, open: usize) -> &str {
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    &text[open + 1..]
}

/// Every `.route("path", get(m::f).post(m::g))` of the router source.
fn routes(source: &str) -> Vec<Route> {
    let mut routes = Vec::new();
    for (at, _) in source.match_indices(".route(") {
        let call = balanced(source, at + ".route".len());
        let path = call.split('"').nth(1).unwrap_or_default();
        for method in ["get", "post", "put", "delete", "patch"] {
            for (m, _) in call.match_indices(&format!("{method}(")) {
                // `get(` but not `forget(`; `axum::routing::delete(` counts.
                let before = call[..m].chars().last().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' {
                    continue;
                }
                let handler = balanced(call, m + method.len()).trim().to_owned();
                routes.push(Route {
                    method: method.to_owned(),
                    path: format!("/api/v1{path}"),
                    handler,
                });
            }
        }
    }
    routes
}

/// The signature (arguments and return type) of `module::function` in the API sources.
fn signature<'a>(sources: &'a BTreeMap<String, String>, handler: &str) -> &'a str {
    let (module, function) = handler.split_once("::").unwrap_or(("", handler));
    let source = sources
        .get(module)
        .unwrap_or_else(|| panic!("no source for module {module}"));
    let start = source
        .find(&format!("pub async fn {function}("))
        .unwrap_or_else(|| panic!("no handler {handler}"));
    let end = source[start..]
        .find('{')
        .map_or(source.len(), |e| start + e);
    &source[start..end]
}

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            &document["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Whether a request body schema says what goes in it (not a bare `object`).
fn describes_fields(document: &Value, schema: &Value) -> bool {
    let schema = resolve(document, schema);
    schema.get("properties").is_some()
        || schema.get("oneOf").is_some()
        || schema.get("allOf").is_some()
        || schema["type"] == "array"
}

fn sources_in(dir: &Path) -> BTreeMap<String, String> {
    let mut sources = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let stem = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            sources.insert(stem, std::fs::read_to_string(&path).expect("source"));
        }
    }
    sources
}

#[tokio::test]
async fn every_route_is_documented_as_it_is_served() -> TestResult {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let api_sources = sources_in(&root.join("src/api"));
    let router = routes(&api_sources["mod"]);
    assert!(
        router.len() > 80,
        "router parse found only {}",
        router.len()
    );

    let app = TestApp::start().await?;
    let document: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await?
        .json()
        .await?;
    let paths = document["paths"].as_object().ok_or("no paths")?;

    let mut problems = Vec::new();
    let mut served = BTreeSet::new();
    for route in &router {
        if route.path == "/api/v1/openapi.json" {
            // The document itself.
            continue;
        }
        served.insert((route.method.clone(), route.path.clone()));
        let name = format!("{} {}", route.method.to_uppercase(), route.path);
        let Some(operation) = paths.get(&route.path).and_then(|p| p.get(&route.method)) else {
            problems.push(format!("{name}: not documented"));
            continue;
        };
        let placeholders: BTreeSet<String> = route
            .path
            .split('{')
            .skip(1)
            .filter_map(|p| p.split('}').next())
            .map(str::to_owned)
            .collect();
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let in_path: BTreeSet<String> = parameters
            .iter()
            .filter(|p| p["in"] == "path")
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        if in_path != placeholders {
            problems.push(format!(
                "{name}: path parameters {in_path:?}, the path has {placeholders:?}"
            ));
        }
        let in_query = parameters.iter().filter(|p| p["in"] == "query").count();
        if let Some(other) = parameters
            .iter()
            .find(|p| p["in"] != "path" && p["in"] != "query")
        {
            problems.push(format!(
                "{name}: parameter {other} is neither in path nor query"
            ));
        }
        let signature = signature(&api_sources, &route.handler);
        let reads_query = signature.contains("Query(") || signature.contains("Query<");
        if reads_query && in_query == 0 {
            problems.push(format!(
                "{name}: reads a query string that is not documented"
            ));
        }
        if !reads_query && in_query > 0 {
            problems.push(format!(
                "{name}: documents query parameters it does not read"
            ));
        }
        // `ApiJson<T>`, or raw bytes read as an optional JSON body (state changes of projects).
        let reads_json = signature.contains("ApiJson<") || signature.contains("body::Bytes");
        let body = &operation["requestBody"]["content"]["application/json"]["schema"];
        match (reads_json, body.is_null()) {
            (true, true) => problems.push(format!("{name}: takes JSON but documents no body")),
            (true, false) if !describes_fields(&document, body) => {
                problems.push(format!("{name}: body documented as a bare object"));
            }
            (false, false) => problems.push(format!("{name}: documents a body it does not read")),
            _ => {}
        }
        let answer = signature.split("->").nth(1).unwrap_or_default();
        if answer.contains("Json<Vec<") {
            let ok = operation["responses"]
                .as_object()
                .and_then(|r| r.iter().find(|(code, _)| code.starts_with('2')))
                .map(|(_, r)| &r["content"]["application/json"]["schema"]);
            let is_array = ok.is_some_and(|s| resolve(&document, s)["type"] == "array");
            if !is_array {
                problems.push(format!("{name}: answers a list documented as no array"));
            }
        }
    }
    for (path, operations) in paths {
        for method in operations.as_object().into_iter().flat_map(|o| o.keys()) {
            if !served.contains(&(method.clone(), path.clone())) {
                problems.push(format!(
                    "{} {path}: documented but not routed",
                    method.to_uppercase()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    Ok(())
}

#[test]
fn no_two_schemas_share_a_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = sources_in(&root.join("src/api"));
    for (name, text) in sources_in(&root.join("../store/src")) {
        files.insert(format!("store/{name}"), text);
    }
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for (file, text) in &files {
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            if !(line.contains("derive(") && line.contains("ToSchema")) {
                continue;
            }
            // The attributes down to the item, then the item's name; `#[schema(as = X)]` wins.
            let mut alias = None;
            for next in &lines[n..] {
                if let Some(a) = next.split("schema(as = ").nth(1) {
                    alias = a.split(')').next().map(str::to_owned);
                }
                let item = next
                    .split("pub struct ")
                    .nth(1)
                    .or_else(|| next.split("pub enum ").nth(1));
                if let Some(item) = item {
                    let name: String = item
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    let name = alias.take().unwrap_or(name);
                    if let Some(first) = seen.insert(name.clone(), file.clone()) {
                        duplicates.push(format!("{name} in {first} and {file}"));
                    }
                    break;
                }
            }
        }
    }
    assert!(
        duplicates.is_empty(),
        "schemas sharing a name: {duplicates:?}"
    );
}

#[tokio::test]
async fn extreme_numbers_in_a_query_are_answered_not_dropped() -> TestResult {
    // Found by the schemathesis run: these overflowed (page arithmetic, year − 1) and the
    // connection was dropped without an answer.
    let app = TestApp::start().await?;
    let token = app.token("finance").await?;
    for path in [
        "/api/v1/payments?page=9223372036854775806",
        "/api/v1/payments?year=-2147483648",
        "/api/v1/projects?page=9223372036854775806",
        "/api/v1/pool-standings?year=-2147483648",
        "/api/v1/stats/dashboard?year=-2147483648",
        "/api/v1/stats/dashboard?year=2147483647",
        "/api/v1/stats/cuts?year=2147483647",
    ] {
        let response = reqwest::Client::new()
            .get(app.url(path))
            .bearer_auth(&token)
            .send()
            .await?;
        assert!(
            response.status().as_u16() < 500,
            "{path}: {}",
            response.status()
        );
    }
    let admin = app.token("admin").await?;
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/audit?page=9223372036854775806"))
        .bearer_auth(&admin)
        .send()
        .await?;
    assert!(response.status().is_success(), "{}", response.status());
    Ok(())
}
