//! Starting the server and acting as API clients and browsers.

use jixiao_core::login_throttle::ThrottlePolicy;
use jixiao_store::demo::DEMO_PASSWORD;
use jixiao_store::test_support::TestDatabase;
use jixiao_web::AppState;
use reqwest::{Client, StatusCode, redirect};
use serde_json::{Value, json};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Whether the tests run on PostgreSQL (`JIXIAO_TEST_DATABASE_URL` set): what only a shared
/// database can show (two servers, a replica) runs there.
pub fn on_postgres() -> bool {
    std::env::var(jixiao_store::test_support::TEST_DATABASE_ENV)
        .is_ok_and(|url| !url.trim().is_empty())
}

/// A running server with its database.
pub struct TestApp {
    pub base: String,
    pub db: TestDatabase,
}

impl TestApp {
    /// Starts the server with the demo data and the default throttle policy.
    pub async fn start() -> Result<TestApp, Box<dyn std::error::Error>> {
        TestApp::start_with(ThrottlePolicy::default()).await
    }

    /// Starts the server with the demo's agencies and users (no projects) and `throttle`.
    pub async fn start_with(
        throttle: ThrottlePolicy,
    ) -> Result<TestApp, Box<dyn std::error::Error>> {
        let db = TestDatabase::new().await?;
        jixiao_store::demo::load_base(&db.store).await?;
        TestApp::serve(db, throttle).await
    }

    /// Starts the server with all the demo data, projects included.
    pub async fn start_full() -> Result<TestApp, Box<dyn std::error::Error>> {
        let db = TestDatabase::new().await?;
        jixiao_store::demo::load(&db.store).await?;
        TestApp::serve(db, ThrottlePolicy::default()).await
    }

    /// Starts the server with the demo's agencies and users and the province around them at a
    /// tiny scale, with the province's finance accounts (sheng, dezhou, yucheng).
    pub async fn start_province() -> Result<TestApp, Box<dyn std::error::Error>> {
        let db = TestDatabase::new().await?;
        jixiao_store::demo::load_base(&db.store).await?;
        jixiao_store::demo::province::load_province(
            &db.store,
            &jixiao_store::demo::province::ProvinceOptions {
                scale: 0.0015,
                payments_per_allotment: 2,
                ..jixiao_store::demo::province::ProvinceOptions::demo(0.0015)
            },
        )
        .await?;
        jixiao_store::demo::province::load_province_accounts(&db.store).await?;
        TestApp::serve(db, ThrottlePolicy::default()).await
    }

    /// Starts the server with the demo's agencies and users and the audit chain anchored by
    /// `anchor`.
    pub async fn start_anchored(
        anchor: jixiao_store::AuditAnchor,
    ) -> Result<TestApp, Box<dyn std::error::Error>> {
        let db = TestDatabase::new().await?;
        jixiao_store::demo::load_base(&db.store).await?;
        let state = AppState {
            audit_anchor: Some(anchor),
            ..AppState::new(db.store.clone())
        };
        TestApp::serve_state(db, state).await
    }

    /// Starts the server with the demo's agencies and users and `throttle`, trusting
    /// `X-Forwarded-For` from 127.0.0.1 (as behind a reverse proxy on the same machine), so a
    /// test can act from any client address.
    pub async fn start_behind_proxy(
        throttle: ThrottlePolicy,
    ) -> Result<TestApp, Box<dyn std::error::Error>> {
        let db = TestDatabase::new().await?;
        jixiao_store::demo::load_base(&db.store).await?;
        TestApp::serve_with(db, throttle, vec!["127.0.0.1".parse()?]).await
    }

    async fn serve(
        db: TestDatabase,
        throttle: ThrottlePolicy,
    ) -> Result<TestApp, Box<dyn std::error::Error>> {
        TestApp::serve_with(db, throttle, Vec::new()).await
    }

    async fn serve_with(
        db: TestDatabase,
        throttle: ThrottlePolicy,
        trusted_proxies: Vec<jixiao_web::TrustedProxy>,
    ) -> Result<TestApp, Box<dyn std::error::Error>> {
        let state = AppState {
            throttle,
            trusted_proxies,
            ..AppState::new(db.store.clone())
        };
        TestApp::serve_state(db, state).await
    }

    pub async fn serve_state(
        db: TestDatabase,
        state: AppState,
    ) -> Result<TestApp, Box<dyn std::error::Error>> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        tokio::spawn(jixiao_web::serve(listener, state, std::future::pending()));
        Ok(TestApp { base, db })
    }

    /// Starts another server on the same database with a pool, group-commit writers and
    /// background jobs of its own — as a second `jixiao serve` process behind the same proxy —
    /// and answers its base URL.
    pub async fn second_server(&self) -> Result<String, Box<dyn std::error::Error>> {
        Ok(self.second_server_and_store().await?.0)
    }

    /// [`TestApp::second_server`], with the second server's store (to look into it, or to
    /// close its connections).
    pub async fn second_server_and_store(
        &self,
    ) -> Result<(String, jixiao_store::Store), Box<dyn std::error::Error>> {
        let store = jixiao_store::Store::connect(&self.db.url).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        tokio::spawn(jixiao_web::serve(
            listener,
            AppState::new(store.clone()),
            std::future::pending(),
        ));
        Ok((base, store))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Logs in over the API and returns the token.
    pub async fn token(&self, username: &str) -> Result<String, Box<dyn std::error::Error>> {
        let response = Client::new()
            .post(self.url("/api/v1/session"))
            .json(&json!({"username": username, "password": DEMO_PASSWORD}))
            .send()
            .await?;
        assert_eq!(response.status(), StatusCode::OK, "login {username}");
        let body: Value = response.json().await?;
        Ok(body["token"].as_str().ok_or("no token")?.to_owned())
    }

    /// A browser: keeps cookies, does not follow redirects (so tests see them).
    pub fn browser(&self) -> Result<Browser, reqwest::Error> {
        Ok(Browser {
            client: Client::builder()
                .cookie_store(true)
                .redirect(redirect::Policy::none())
                .build()?,
            base: self.base.clone(),
        })
    }

    /// A browser signed in as `username`.
    pub async fn signed_in(&self, username: &str) -> Result<Browser, Box<dyn std::error::Error>> {
        let browser = self.browser()?;
        let response = browser.login(username, DEMO_PASSWORD).await?;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "page login {username}"
        );
        Ok(browser)
    }
}

/// A cookie-keeping client that reads CSRF tokens off pages like a browser submits forms.
pub struct Browser {
    pub client: Client,
    pub base: String,
}

/// The value of the first `_csrf` hidden field in a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

impl Browser {
    pub async fn get(&self, path: &str) -> Result<(StatusCode, String), reqwest::Error> {
        let response = self
            .client
            .get(format!("{}{}", self.base, path))
            .send()
            .await?;
        let status = response.status();
        Ok((status, response.text().await?))
    }

    /// Posts a form as-is (no CSRF token added).
    pub async fn post_raw(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<reqwest::Response, reqwest::Error> {
        self.client
            .post(format!("{}{}", self.base, path))
            .form(form)
            .send()
            .await
    }

    /// Opens `page`, takes its CSRF token and posts `form` to `action` with it.
    pub async fn submit(
        &self,
        page: &str,
        action: &str,
        form: &[(&str, &str)],
    ) -> Result<reqwest::Response, Box<dyn std::error::Error>> {
        let (_, html) = self.get(page).await?;
        let csrf = csrf_of(&html).ok_or("page has no form token")?;
        let mut fields: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        fields.extend_from_slice(form);
        Ok(self.post_raw(action, &fields).await?)
    }

    /// Downloads `path`, which must answer 200.
    pub async fn download(&self, path: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await?;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        Ok(response.bytes().await?.to_vec())
    }

    /// Opens `page` and posts `file` (named `name`) to the upload form `action` as the browser
    /// would: with the page's token (left out when `with_token` is false, as a forged form) and
    /// the page's version field, if it has one. Answers the status, the redirect target (empty
    /// when none) and the page.
    pub async fn upload(
        &self,
        page: &str,
        action: &str,
        file: Vec<u8>,
        name: &str,
        with_token: bool,
    ) -> Result<(StatusCode, String, String), Box<dyn std::error::Error>> {
        let (_, html) = self.get(page).await?;
        let mut form = reqwest::multipart::Form::new();
        if with_token {
            form = form.text("_csrf", csrf_of(&html).ok_or("csrf")?);
        }
        if let Some(start) = html.find("name=\"version\" value=\"") {
            let rest = &html[start + 22..];
            let version = &rest[..rest.find('"').ok_or("version")?];
            form = form.text("version", version.to_owned());
        }
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name(name.to_owned()),
        );
        let response = self
            .client
            .post(format!("{}{action}", self.base))
            .multipart(form)
            .send()
            .await?;
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Ok((status, location, response.text().await?))
    }

    pub async fn login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<reqwest::Response, Box<dyn std::error::Error>> {
        self.submit(
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }
}

/// Calls the API with a bearer token and an optional JSON body: the status and the JSON answer
/// (null when the answer is not JSON).
pub async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Result<(StatusCode, Value), reqwest::Error> {
    let mut request = Client::new()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// The id of the project of `year` named exactly `name`, as `token` sees it.
pub async fn project_named(
    app: &TestApp,
    token: &str,
    year: i32,
    name: &str,
) -> Result<i64, Box<dyn std::error::Error>> {
    let (_, list) = call(
        app,
        token,
        reqwest::Method::GET,
        &format!("/api/v1/projects?year={year}&q={name}"),
        None,
    )
    .await?;
    Ok(list["projects"]
        .as_array()
        .ok_or("projects")?
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["id"].as_i64())
        .ok_or_else(|| format!("project {name}"))?)
}
