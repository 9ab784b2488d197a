//! `docs/permissions.md`, generated: the one permission table of `jixiao_core::role` (role ×
//! capability, with the scope the store applies) and, read from the route tables' sources, every
//! API and page route under the capability that guards it. A test fails when the checked-in file
//! is stale or when a route sits outside every guarded group without being on the public list.

#![cfg(test)]

use jixiao_core::Capability;
use jixiao_core::role::permission_matrix_markdown;

/// Routes that need no capability: sign-in, the public pages, static files, the API's own
/// description. (`/` and `/logout` check the session in their handlers.)
const PUBLIC: &[&str] = &[
    "/session",
    "/openapi.json",
    "/public/projects",
    "/public/projects/{id}",
    "/",
    "/login",
    "/logout",
    "/public",
    "/static/app.css",
    "/static/app.js",
];

/// One route as the source declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Route {
    methods: Vec<&'static str>,
    path: String,
    capability: Option<String>,
}

/// The routes of a route-table source, each with the capability of its group (`None` outside
/// any guarded group).
fn routes_of(source: &str) -> Vec<Route> {
    let compact: String = source.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut routes = Vec::new();
    // Each `let x = Router::new() … ;` or the final `Router::new() …` chain is a group.
    for group in compact.split("Router::new()").skip(1) {
        let group = group.split(';').next().unwrap_or("");
        let capability = group
            .split(".route_layer(from_fn_with_state(")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .map(|c| c.trim().trim_start_matches("Capability::").to_owned());
        let parts: Vec<&str> = group.split(".route(").skip(1).collect();
        for part in parts {
            let part = part.split(".route_layer(").next().unwrap_or(part);
            let part = part.split(".merge(").next().unwrap_or(part);
            let (path, rest) = part.split_once(',').unwrap_or((part, ""));
            let path = path.trim();
            let path = if let Some(literal) = path.strip_prefix('"') {
                literal.trim_end_matches('"').to_owned()
            } else if path == "auth::CHANGE_PASSWORD_PAGE" {
                crate::auth::CHANGE_PASSWORD_PAGE.to_owned()
            } else {
                path.to_owned()
            };
            let mut methods = Vec::new();
            for (method, name) in [
                ("get(", "GET"),
                ("post(", "POST"),
                ("put(", "PUT"),
                ("delete(", "DELETE"),
            ] {
                let found = rest.match_indices(method).any(|(at, _)| {
                    at == 0
                        || !rest[..at]
                            .chars()
                            .next_back()
                            .is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if found {
                    methods.push(name);
                }
            }
            routes.push(Route {
                methods,
                path,
                capability: capability.clone(),
            });
        }
    }
    routes
}

fn section(title: &str, prefix: &str, routes: &[Route]) -> String {
    let mut out = format!("\n## {title}\n\n| capability | routes |\n|---|---|\n");
    for capability in Capability::all() {
        let name = format!("{capability:?}");
        let mut lines: Vec<String> = routes
            .iter()
            .filter(|r| r.capability.as_deref() == Some(name.as_str()))
            .map(|r| format!("`{} {prefix}{}`", r.methods.join("/"), r.path))
            .collect();
        if lines.is_empty() {
            continue;
        }
        lines.sort();
        out.push_str(&format!(
            "| `{name}` {} | {} |\n",
            capability.label(),
            lines.join("<br>")
        ));
    }
    let mut public: Vec<String> = routes
        .iter()
        .filter(|r| r.capability.is_none())
        .map(|r| format!("`{} {prefix}{}`", r.methods.join("/"), r.path))
        .collect();
    public.sort();
    out.push_str(&format!("| (public) | {} |\n", public.join("<br>")));
    out
}

fn generated() -> String {
    let api = routes_of(include_str!("api/mod.rs"));
    let pages = routes_of(include_str!("pages/mod.rs"));
    let mut out = String::from(
        "# Permissions\n\n\
         Generated from `crates/core/src/role.rs` (`PERMISSIONS`, the one permission table) and the\n\
         route tables `crates/web/src/api/mod.rs` and `crates/web/src/pages/mod.rs`; a test fails\n\
         when this file is stale (regenerate with `JIXIAO_WRITE_DOCS=1 cargo test -p jixiao-web\n\
         --lib permissions` and review the diff). Every group of routes is guarded by one\n\
         capability, and use cases check it again; which rows a user sees (jurisdiction, agency\n\
         subtree, own assignments) is applied in the store's queries. Moves of documents are\n\
         further limited by the workflow table (`docs/workflow.md`).\n\n\
         ## Role × capability\n\n",
    );
    out.push_str(&permission_matrix_markdown());
    out.push_str(&section("API routes (`/api/v1`)", "/api/v1", &api));
    out.push_str(&section("Page routes", "", &pages));
    out
}

#[test]
fn the_scanner_reads_groups_paths_and_methods() {
    let source = r#"
        let readers = Router::new()
            .route("/a/{id}", get(x::show).post(x::save))
            .route(
                "/b",
                axum::routing::delete(y::gone),
            )
            .route_layer(from_fn_with_state(
                Capability::ReadProjects,
                auth::require,
            ));
        Router::new()
            .route("/login", get(login::form))
            .merge(readers)
    "#;
    let routes = routes_of(source);
    assert_eq!(
        routes,
        vec![
            Route {
                methods: vec!["GET", "POST"],
                path: "/a/{id}".into(),
                capability: Some("ReadProjects".into())
            },
            Route {
                methods: vec!["DELETE"],
                path: "/b".into(),
                capability: Some("ReadProjects".into())
            },
            Route {
                methods: vec!["GET"],
                path: "/login".into(),
                capability: None
            },
        ]
    );
}

#[test]
fn every_route_is_guarded_by_a_capability_or_public_on_purpose() {
    for (name, source) in [
        ("api", include_str!("api/mod.rs")),
        ("pages", include_str!("pages/mod.rs")),
    ] {
        let routes = routes_of(source);
        assert!(routes.len() > 30, "{name}: the scan found too few routes");
        for route in routes {
            assert!(!route.methods.is_empty(), "{name}: no method on {route:?}");
            match &route.capability {
                Some(capability) => assert!(
                    Capability::all().any(|c| format!("{c:?}") == *capability),
                    "{name}: {} is guarded by an unknown capability {capability}",
                    route.path
                ),
                None => assert!(
                    PUBLIC.contains(&route.path.as_str()),
                    "{name}: {} is outside every guarded group; guard it or add it to PUBLIC",
                    route.path
                ),
            }
        }
    }
}

#[test]
fn docs_permissions_md_is_the_generated_one() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/permissions.md");
    let written = std::fs::read_to_string(path).unwrap_or_default();
    let fresh = generated();
    if written != fresh {
        if std::env::var_os("JIXIAO_WRITE_DOCS").is_some() {
            std::fs::write(path, &fresh).expect("write docs/permissions.md");
        }
        panic!("docs/permissions.md is stale: run with JIXIAO_WRITE_DOCS=1 and review the diff");
    }
}
