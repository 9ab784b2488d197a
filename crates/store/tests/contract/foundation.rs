//! Jurisdictions, agencies, users, sessions, throttling, the audit chain and backups.

use jixiao_core::agency::NewAgency;
use jixiao_core::jurisdiction::NewJurisdiction;
use jixiao_core::login_throttle::{Backoff, ThrottlePolicy};
use jixiao_core::user::NewUser;
use jixiao_core::{Actor, Role};
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{AuditFilter, Error, LoginRefusal, SessionKind, Store};

use crate::support::{TestResult, drop_audit_guards, raw_execute};

pub(crate) async fn leling() -> Result<TestDatabase, Error> {
    let db = TestDatabase::new().await?;
    let system = Actor::system();
    for (code, name, parent) in [
        ("371400", "德州市", None),
        ("371481", "乐陵市", Some("371400")),
        ("371402", "德城区", Some("371400")),
    ] {
        db.store
            .add_jurisdiction(
                &system,
                &NewJurisdiction {
                    code: code.into(),
                    name: name.into(),
                    parent_code: parent.map(Into::into),
                },
            )
            .await?;
    }
    for (jurisdiction, code, name, parent) in [
        ("371481", "105", "乐陵市财政局", None),
        ("371481", "114", "乐陵市卫生健康局", None),
        ("371481", "114001", "乐陵市人民医院", Some("114")),
        ("371481", "114002", "乐陵市疾病预防控制中心", Some("114")),
        ("371402", "114", "德城区卫生健康局", None),
    ] {
        db.store
            .add_agency(&system, &agency(jurisdiction, code, name, parent))
            .await?;
    }
    Ok(db)
}

pub(crate) fn agency(
    jurisdiction: &str,
    code: &str,
    name: &str,
    parent: Option<&str>,
) -> NewAgency {
    NewAgency {
        jurisdiction: jurisdiction.into(),
        code: code.into(),
        name: name.into(),
        parent_code: parent.map(Into::into),
        head: "负责人".into(),
    }
}

pub(crate) fn user(
    username: &str,
    role: &str,
    jurisdiction: Option<&str>,
    agency: Option<&str>,
) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: String::new(),
        role: role.into(),
        jurisdiction: jurisdiction.map(Into::into),
        agency_code: agency.map(Into::into),
        password: "password-123".into(),
        ..NewUser::default()
    }
}

/// The token of a new API session of `username`.
pub(crate) async fn login_token(
    store: &Store,
    username: &str,
    password: &str,
) -> Result<String, Error> {
    let login = store
        .login(
            username,
            password,
            SessionKind::Api,
            &ThrottlePolicy::default(),
        )
        .await?
        .map_err(|r| Error::Internal(format!("{r:?}")))?;
    Ok(login.token)
}

pub(crate) async fn actor_of(store: &Store, username: &str) -> Result<Actor, Error> {
    let token = login_token(store, username, "password-123").await?;
    let session = store
        .session(&token)
        .await?
        .ok_or_else(|| Error::Internal("no session".into()))?;
    Ok(session.actor())
}

async fn audit_count(store: &Store) -> Result<i64, Error> {
    Ok(store
        .audit_log(&Actor::system(), &AuditFilter::default(), 1, 1)
        .await?
        .total)
}

#[tokio::test]
async fn units_sit_under_departments_and_codes_are_unique_per_jurisdiction() -> TestResult {
    let db = leling().await?;
    let system = Actor::system();
    let all = db.store.agencies(&system).await?;
    assert_eq!(all.len(), 5);
    let hospital = all.iter().find(|a| a.code == "114001").ok_or("missing")?;
    assert_eq!(hospital.kind, "unit");
    assert_eq!(hospital.parent_code.as_deref(), Some("114"));

    let before = audit_count(&db.store).await?;
    let under_unit = db
        .store
        .add_agency(
            &system,
            &agency("371481", "114001001", "科室", Some("114001")),
        )
        .await;
    assert!(
        matches!(under_unit, Err(Error::Invalid(_))),
        "{under_unit:?}"
    );
    let duplicate = db
        .store
        .add_agency(&system, &agency("371481", "105", "重复的财政局", None))
        .await;
    assert!(
        matches!(duplicate, Err(Error::Duplicate(_))),
        "{duplicate:?}"
    );
    let unknown_parent = db
        .store
        .add_agency(
            &system,
            &agency("371481", "999001", "无主单位", Some("999")),
        )
        .await;
    assert!(matches!(unknown_parent, Err(Error::Invalid(_))));
    let too_long = db
        .store
        .add_agency(&system, &agency("371481", "106", &"局".repeat(101), None))
        .await;
    assert!(matches!(too_long, Err(Error::Invalid(_))));
    assert_eq!(db.store.agencies(&system).await?.len(), 5, "nothing stored");
    assert_eq!(audit_count(&db.store).await?, before, "nothing audited");
    Ok(())
}

#[tokio::test]
async fn agency_users_see_their_subtree_and_jurisdictions_stay_apart() -> TestResult {
    let db = leling().await?;
    let system = Actor::system();
    db.store
        .add_user(
            &system,
            &user("weijian", "agency", Some("371481"), Some("114")),
        )
        .await?;
    db.store
        .add_user(
            &system,
            &user("hospital", "agency", Some("371481"), Some("114001")),
        )
        .await?;
    db.store
        .add_user(
            &system,
            &user("leling-finance", "finance", Some("371481"), None),
        )
        .await?;
    db.store
        .add_user(
            &system,
            &user("dezhou-admin", "admin", Some("371400"), None),
        )
        .await?;

    let codes = |agencies: Vec<jixiao_store::Agency>| -> Vec<String> {
        agencies.into_iter().map(|a| a.code).collect()
    };
    let weijian = actor_of(&db.store, "weijian").await?;
    assert_eq!(
        codes(db.store.agencies(&weijian).await?),
        ["114", "114001", "114002"]
    );
    let hospital = actor_of(&db.store, "hospital").await?;
    assert_eq!(codes(db.store.agencies(&hospital).await?), ["114001"]);
    let finance = actor_of(&db.store, "leling-finance").await?;
    let seen = db.store.agencies(&finance).await?;
    assert_eq!(seen.len(), 4);
    assert!(seen.iter().all(|a| a.jurisdiction_code == "371481"));
    // A city administrator sees both counties' agencies and users, a county one only its own.
    let dezhou = actor_of(&db.store, "dezhou-admin").await?;
    assert_eq!(db.store.agencies(&dezhou).await?.len(), 5);
    assert!(
        db.store
            .users(&dezhou)
            .await?
            .iter()
            .all(|u| u.jurisdiction.is_some())
    );
    // Nobody but an administrator manages users.
    assert!(matches!(
        db.store.users(&finance).await,
        Err(Error::Forbidden)
    ));
    let refused = db
        .store
        .add_agency(&weijian, &agency("371481", "118", "自封部门", None))
        .await;
    assert!(matches!(refused, Err(Error::Forbidden)));
    // A county-bound admin cannot create users outside its jurisdiction or deployment-wide.
    let outside = db
        .store
        .add_user(&dezhou, &user("province", "finance", Some("370000"), None))
        .await;
    assert!(matches!(outside, Err(Error::Forbidden)), "{outside:?}");
    Ok(())
}

#[tokio::test]
async fn user_rules_are_enforced_and_nothing_is_half_written() -> TestResult {
    let db = leling().await?;
    let system = Actor::system();
    let before = audit_count(&db.store).await?;
    for (bad, why) in [
        (user("x", "root", Some("371481"), None), "unknown role"),
        (
            user("x", "agency", Some("371481"), None),
            "agency user without agency",
        ),
        (
            user("x", "agency", Some("371481"), Some("999")),
            "unknown agency",
        ),
        (
            user("x", "finance", Some("999999"), None),
            "unknown jurisdiction",
        ),
        (
            user(&"x".repeat(65), "viewer", Some("371481"), None),
            "over-long name",
        ),
    ] {
        let result = db.store.add_user(&system, &bad).await;
        assert!(
            matches!(result, Err(Error::Invalid(_))),
            "{why}: {result:?}"
        );
    }
    db.store
        .add_user(&system, &user("zhang", "viewer", Some("371481"), None))
        .await?;
    let again = db
        .store
        .add_user(&system, &user("zhang", "finance", Some("371481"), None))
        .await;
    assert!(matches!(again, Err(Error::Duplicate(_))));
    assert_eq!(db.store.users(&system).await?.len(), 1);
    assert_eq!(audit_count(&db.store).await?, before + 1);
    Ok(())
}

#[tokio::test]
async fn logins_open_sessions_and_disabling_ends_them() -> TestResult {
    let db = leling().await?;
    let system = Actor::system();
    let policy = ThrottlePolicy::default();
    db.store
        .add_user(&system, &user("wang", "finance", Some("371481"), None))
        .await?;
    let wrong = db
        .store
        .login("wang", "not-the-password", SessionKind::Web, &policy)
        .await?;
    assert_eq!(wrong.err(), Some(LoginRefusal::BadCredentials));
    let unknown = db
        .store
        .login("nobody", "password-123", SessionKind::Web, &policy)
        .await?;
    assert_eq!(unknown.err(), Some(LoginRefusal::BadCredentials));

    let login = db
        .store
        .login("wang", "password-123", SessionKind::Web, &policy)
        .await?
        .map_err(|r| format!("{r:?}"))?;
    let session = db.store.session(&login.token).await?.ok_or("no session")?;
    assert_eq!(session.user.role, Role::Finance);
    // Printed for a log or a panic, neither shows a secret.
    let shown = format!("{login:?} {session:?}");
    assert!(shown.contains("wang"), "{shown}");
    for secret in [&login.token, &session.csrf_token, &session.token_digest] {
        assert!(!shown.contains(secret.as_str()), "a secret in {shown}");
    }
    assert_eq!(session.kind, SessionKind::Web);
    assert_eq!(session.csrf_token.len(), 64);
    assert!(db.store.session("0".repeat(64).as_str()).await?.is_none());

    db.store.set_user_disabled(&system, "wang", true).await?;
    assert!(
        db.store.session(&login.token).await?.is_none(),
        "session ended"
    );
    let disabled = db
        .store
        .login("wang", "password-123", SessionKind::Web, &policy)
        .await?;
    assert_eq!(disabled.err(), Some(LoginRefusal::Disabled));
    db.store.set_user_disabled(&system, "wang", false).await?;

    let login = db
        .store
        .login("wang", "password-123", SessionKind::Api, &policy)
        .await?
        .map_err(|r| format!("{r:?}"))?;
    db.store
        .reset_password(&system, "wang", "a-new-password")
        .await?;
    assert!(
        db.store.session(&login.token).await?.is_none(),
        "reset ends sessions"
    );
    let weak = db.store.reset_password(&system, "wang", "short").await;
    assert!(matches!(weak, Err(Error::Invalid(_))));
    let renewed = db
        .store
        .login("wang", "a-new-password", SessionKind::Web, &policy)
        .await?
        .map_err(|r| format!("{r:?}"))?;
    let session = db
        .store
        .session(&renewed.token)
        .await?
        .ok_or("no session")?;
    db.store.logout(&session).await?;
    assert!(
        db.store.session(&renewed.token).await?.is_none(),
        "logout ends it"
    );
    Ok(())
}

#[tokio::test]
async fn the_sixth_attempt_is_throttled_until_the_window_passes() -> TestResult {
    let db = leling().await?;
    db.store
        .add_user(
            &Actor::system(),
            &user("li", "viewer", Some("371481"), None),
        )
        .await?;
    let policy = ThrottlePolicy {
        per_pair: Backoff {
            free: 5,
            first_delay: 1_500_000,
            max_delay: 1_500_000,
        },
        ..ThrottlePolicy::default()
    };
    for attempt in 1..=5 {
        let outcome = db
            .store
            .login("li", "wrong", SessionKind::Api, &policy)
            .await?;
        assert_eq!(
            outcome.err(),
            Some(LoginRefusal::BadCredentials),
            "attempt {attempt}"
        );
    }
    let sixth = db
        .store
        .login("li", "password-123", SessionKind::Api, &policy)
        .await?;
    assert!(
        matches!(sixth, Err(LoginRefusal::Throttled(_))),
        "even the right password"
    );
    // Unknown usernames are throttled just the same.
    for _ in 0..5 {
        db.store
            .login("ghost", "x", SessionKind::Api, &policy)
            .await?
            .ok();
    }
    let ghost = db
        .store
        .login("ghost", "x", SessionKind::Api, &policy)
        .await?;
    assert!(matches!(ghost, Err(LoginRefusal::Throttled(_))));

    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let later = db
        .store
        .login("li", "password-123", SessionKind::Api, &policy)
        .await?;
    assert!(later.is_ok(), "window passed: {later:?}");
    Ok(())
}

#[tokio::test]
async fn parallel_guesses_cannot_slip_past_the_limit() -> TestResult {
    let db = leling().await?;
    db.store
        .add_user(
            &Actor::system(),
            &user("zhao", "viewer", Some("371481"), None),
        )
        .await?;
    // A long first wait, so the six attempts past the free five are refused however slowly
    // this machine runs them.
    let policy = ThrottlePolicy {
        per_pair: Backoff {
            free: 5,
            first_delay: jixiao_core::time::minutes(10),
            max_delay: jixiao_core::time::minutes(10),
        },
        ..ThrottlePolicy::default()
    };
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .login("zhao", "guess", SessionKind::Api, &policy)
                .await
        }));
    }
    let mut bad = 0;
    let mut throttled = 0;
    for task in tasks {
        match task.await?? {
            Err(LoginRefusal::BadCredentials) => bad += 1,
            Err(LoginRefusal::Throttled(_)) => throttled += 1,
            other => return Err(format!("unexpected {other:?}").into()),
        }
    }
    assert_eq!((bad, throttled), (5, 7));
    Ok(())
}

#[tokio::test]
async fn every_change_is_audited_and_the_chain_verifies() -> TestResult {
    let db = leling().await?;
    let system = Actor::system();
    db.store
        .add_user(&system, &user("sun", "viewer", Some("371481"), None))
        .await?;
    db.store.set_user_disabled(&system, "sun", true).await?;
    let page = db
        .store
        .audit_log(
            &system,
            &AuditFilter {
                entity: Some("user".into()),
                ..AuditFilter::default()
            },
            1,
            10,
        )
        .await?;
    let actions: Vec<&str> = page.records.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["user.disable", "user.create"]);
    assert!(!page.records[1].details.contains("password-123"));
    // 3 jurisdictions + 5 agencies + 2 user changes
    assert_eq!(db.store.verify_audit_chain().await?, 10);

    let dezhou_only = db
        .store
        .audit_log(
            &system,
            &AuditFilter {
                actor: Some("system".into()),
                entity: Some("agency".into()),
                ..AuditFilter::default()
            },
            2,
            2,
        )
        .await?;
    assert_eq!((dezhou_only.total, dezhou_only.records.len()), (5, 2));
    Ok(())
}

#[tokio::test]
async fn concurrent_writers_never_fork_the_chain() -> TestResult {
    let db = leling().await?;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .add_agency(
                    &Actor::system(),
                    &agency("371481", &format!("3{i:02}"), &format!("并发部门{i}"), None),
                )
                .await
        }));
    }
    for task in tasks {
        task.await??;
    }
    assert_eq!(db.store.verify_audit_chain().await?, 8 + 16);
    Ok(())
}

#[tokio::test]
async fn a_tampered_record_is_named_by_verification() -> TestResult {
    let db = leling().await?;
    db.store.verify_audit_chain().await?;
    // Change one stored record behind the system's back.
    let raw = Store::connect(&db.url).await?;
    drop_audit_guards(&db.url).await?;
    raw_execute(
        &db.url,
        "UPDATE audit_log SET details = '{\"name\":\"篡改\"}' WHERE seq = 4",
    )
    .await?;
    raw.close().await;
    match db.store.verify_audit_chain().await {
        Err(Error::AuditChain(broken)) => {
            assert_eq!(
                broken.to_string(),
                "第4条审计记录已被篡改（内容与哈希不符）"
            );
        }
        other => return Err(format!("tampering not found: {other:?}").into()),
    }
    Ok(())
}

#[tokio::test]
async fn removing_the_newest_record_is_found() -> TestResult {
    let db = leling().await?;
    drop_audit_guards(&db.url).await?;
    raw_execute(&db.url, "DELETE FROM audit_log WHERE seq = 8").await?;
    let result = db.store.verify_audit_chain().await;
    assert!(matches!(result, Err(Error::AuditChain(_))), "{result:?}");
    Ok(())
}

#[tokio::test]
async fn the_database_enforces_what_code_enforces() -> TestResult {
    let db = leling().await?;
    // An agency user without an agency, and a unit without a department, are refused by the
    // schema itself, whatever the code above it does.
    let orphan = raw_execute(
        &db.url,
        "INSERT INTO users (username, display_name, password_hash, role, jurisdiction_code, \
         disabled, created_at) VALUES ('orphan', 'x', 'x', 'agency', '371481', FALSE, 0)",
    )
    .await;
    assert!(orphan.is_err());
    let bad_role = raw_execute(
        &db.url,
        "INSERT INTO users (username, display_name, password_hash, role, jurisdiction_code, \
         disabled, created_at) VALUES ('r', 'x', 'x', 'root', '371481', FALSE, 0)",
    )
    .await;
    assert!(bad_role.is_err());
    let unit = raw_execute(
        &db.url,
        "INSERT INTO agencies (jurisdiction_code, code, name, kind, head, created_at) \
         VALUES ('371481', '777', 'x', 'unit', '', 0)",
    )
    .await;
    assert!(unit.is_err());
    Ok(())
}

#[tokio::test]
async fn a_fresh_database_gets_one_admin_with_a_generated_password() -> TestResult {
    let db = TestDatabase::new().await?;
    let password = db
        .store
        .ensure_initial_admin()
        .await?
        .ok_or("no admin made")?;
    assert_eq!(password.len(), 16);
    assert_eq!(db.store.ensure_initial_admin().await?, None, "only once");
    let login = db
        .store
        .login(
            "admin",
            &password,
            SessionKind::Api,
            &ThrottlePolicy::default(),
        )
        .await?;
    assert!(login.is_ok());
    Ok(())
}

#[tokio::test]
async fn the_demo_loads_once_with_one_user_per_role() -> TestResult {
    let db = TestDatabase::new().await?;
    assert!(jixiao_store::demo::load(&db.store).await?);
    assert!(!jixiao_store::demo::load(&db.store).await?);
    let users = db.store.users(&Actor::system()).await?;
    for role in Role::ALL {
        assert!(users.iter().any(|u| u.role == role), "{role}");
    }
    let agencies = db.store.agencies(&Actor::system()).await?;
    assert!(
        agencies
            .iter()
            .any(|a| a.name == "乐陵市财政局" && a.head == "吴强")
    );
    for town in ["杨安镇", "孔镇镇", "郭家街道", "乐陵经济技术开发区"] {
        assert!(agencies.iter().any(|a| a.name.contains(town)), "{town}");
    }
    assert_eq!(
        db.store.default_jurisdiction().await?.as_deref(),
        Some("371481")
    );
    Ok(())
}

#[tokio::test]
async fn fiscal_years_and_jurisdiction_settings() -> TestResult {
    let db = leling().await?;
    let system = Actor::system();
    db.store.add_fiscal_year(&system, "371481", 2020).await?;
    let again = db.store.add_fiscal_year(&system, "371481", 2020).await;
    assert!(matches!(again, Err(Error::Duplicate(_))));
    let absurd = db.store.add_fiscal_year(&system, "371481", 1900).await;
    assert!(matches!(absurd, Err(Error::Invalid(_))));
    db.store
        .rename_jurisdiction(&system, "371481", "乐陵市（县级市）")
        .await?;
    let names: Vec<String> = db
        .store
        .jurisdictions()
        .await?
        .into_iter()
        .map(|j| j.name)
        .collect();
    assert!(names.contains(&"乐陵市（县级市）".to_owned()));
    assert_eq!(db.store.fiscal_years(&system).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_live_sqlite_database_backs_up_consistently() -> TestResult {
    let db = leling().await?;
    let target = std::env::temp_dir().join(format!("jixiao-backup-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&target);
    match db.store.backup_sqlite(&target).await {
        Ok(()) => {
            let copy = Store::connect(&format!("sqlite://{}", target.display())).await?;
            assert_eq!(copy.agencies(&Actor::system()).await?.len(), 5);
            assert_eq!(copy.verify_audit_chain().await?, 8);
            copy.close().await;
            let again = db.store.backup_sqlite(&target).await;
            assert!(
                matches!(
                    again,
                    Err(Error::Conflict {
                        code: jixiao_store::ConflictCode::FileExists,
                        ..
                    })
                ),
                "never overwrites"
            );
            std::fs::remove_file(&target)?;
        }
        Err(Error::Config(message)) => {
            assert!(db.url.starts_with("postgres"));
            assert!(message.contains("pg_dump"));
        }
        Err(other) => return Err(other.into()),
    }
    Ok(())
}
