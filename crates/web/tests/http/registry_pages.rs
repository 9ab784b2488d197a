//! The registry's pages as each role uses them: the county office imports the national export
//! (dry run first, then stored), runs the coverage check and reads its summary, findings and
//! Excel list; a household's file shows members with masked IDs and its findings, prints, and
//! shows a full ID only on purpose; a village cadre sees its own village only; a department
//! sees only the fields its own policies read; forms are refused without their token.

use crate::support::{Browser, TestApp, TestResult, csrf_of};
use jixiao_interop::household_export::sample::{self, person_row, resident_id, set};
use reqwest::StatusCode;

async fn registry_app() -> Result<TestApp, Box<dyn std::error::Error>> {
    let app = TestApp::start().await?;
    jixiao_store::demo::registry::load(&app.db.store).await?;
    Ok(app)
}

fn rows() -> Vec<Vec<String>> {
    let village = ("杨安镇", "杨安第一村");
    let mut rows = vec![
        person_row(
            village,
            "PG001",
            1,
            "王建国",
            &resident_id("371481", "19500304", 711),
            "户主",
        ),
        person_row(
            village,
            "PG001",
            2,
            "李秀英",
            &resident_id("371481", "19520611", 722),
            "配偶",
        ),
    ];
    // 残疾 recorded without a disability certificate: the check must find it.
    set(&mut rows[1], "健康状况", "残疾");
    rows
}

async fn import(
    browser: &Browser,
    file: Vec<u8>,
    mode: &str,
) -> Result<(StatusCode, String), Box<dyn std::error::Error>> {
    let (status, html) = browser.get("/households/import").await?;
    assert_eq!(status, StatusCode::OK);
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&html).ok_or("csrf")?)
        .text("as_of", "2020-12-31")
        .text("mode", mode.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name("人员信息.xlsx"),
        );
    let response = browser
        .client
        .post(format!("{}/households/import", browser.base))
        .multipart(form)
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.text().await?))
}

fn household_link(html: &str, number: &str) -> Option<String> {
    let at = html.find(&format!(">{number}</a>"))?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

#[tokio::test]
async fn the_county_office_imports_checks_and_reads_the_findings() -> TestResult {
    let app = registry_app().await?;
    let office = app.signed_in("bangfu").await?;
    let file = sample::xlsx(&rows())?;

    let (status, html) = import(&office, file.clone(), "dry_run").await?;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("试运行结果（未保存）"), "{html}");
    assert!(html.contains("新增户"));
    let (_, list) = office.get("/households?area=371481101").await?;
    assert!(!list.contains("PG001"), "a dry run stores nothing");

    let (status, html) = import(&office, file.clone(), "store").await?;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已导入"), "{html}");
    let (_, list) = office.get("/households?area=371481101").await?;
    let link = household_link(&list, "PG001").ok_or("the imported household is listed")?;

    // A broken file: refused with its cells named, nothing stored.
    let mut broken = rows();
    set(&mut broken[0], "性别", "女");
    let (status, html) = import(&office, sample::xlsx(&broken)?, "store").await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("未导入任何数据") && html.contains("J4"),
        "{html}"
    );

    // The household's file: members, masked IDs, and (after a run) the finding.
    let (status, page) = office.get("/policy-checks").await?;
    assert_eq!(status, StatusCode::OK);
    let response = office
        .submit(
            "/policy-checks",
            "/policy-checks",
            &[("township", ""), ("as_of", "2020-12-31")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
    let run = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("redirect to the run")?
        .to_owned();
    let (status, summary) = office.get(&run).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        summary.contains("杨安镇") && summary.contains("整改率"),
        "{summary}"
    );
    let (status, findings) = office
        .get(&format!("{run}/findings?rule=disabled_without_certificate"))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(findings.contains("PG001"), "{findings}");
    let xlsx = office
        .download(&format!("{run}/findings.xlsx?township=371481101"))
        .await?;
    assert!(xlsx.starts_with(b"PK"));

    let (status, file_page) = office.get(&link).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        file_page.contains("李秀英") && file_page.contains("残疾"),
        "{file_page}"
    );
    let spouse = resident_id("371481", "19520611", 722);
    assert!(!file_page.contains(&spouse), "no full ID on the file page");
    assert!(
        file_page.contains(&jixiao_core::assistance::mask(&spouse)),
        "masked"
    );
    assert!(
        file_page.contains("健康状况为残疾但无残疾人证"),
        "the standing finding is on the file: {file_page}"
    );
    assert!(
        file_page.contains("文化程度：初中"),
        "the office sees the whole record"
    );
    // 民政 sees what its policies and checks read (劳动技能 for 特困), not 文化程度.
    let sector = app.signed_in("minzheng").await?;
    let (status, sector_page) = sector.get(&link).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(sector_page.contains("劳动技能："), "{sector_page}");
    assert!(!sector_page.contains("文化程度"), "{sector_page}");
    let (status, print) = office.get(&format!("{link}/print")).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(print.contains("帮扶对象户信息表"));
    Ok(())
}

#[tokio::test]
async fn a_full_id_is_shown_on_purpose_and_scope_holds_for_other_roles() -> TestResult {
    let app = registry_app().await?;
    let office = app.signed_in("bangfu").await?;
    let (_, list) = office.get("/households?area=371481102").await?;
    let other_village = household_link(&list, "37148110201001").ok_or("a 朱集镇 household")?;
    let (_, list) = office.get("/households?area=371481101").await?;
    let own_village = household_link(&list, "37148110101001").ok_or("a 杨安镇 household")?;

    // The village cadre of 杨安第一村: its household yes, another township's no.
    let cadre = app.signed_in("cun").await?;
    let (status, _) = cadre.get(&own_village).await?;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = cadre.get(&other_village).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = cadre.get("/households/import").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = cadre.get("/households/export.xlsx").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let response = cadre
        .submit(
            "/policy-checks",
            "/policy-checks",
            &[("as_of", "2020-12-31")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Showing a full number: a form with the token, audited; without the token refused.
    let (_, page) = office.get(&own_village).await?;
    let marker = "action=\"/people/";
    let start = page.find(marker).ok_or("a show-ID form")? + marker.len();
    let person = &page[start..start + page[start..].find('/').ok_or("id")?];
    let response = office
        .submit(&own_village, &format!("/people/{person}/id-number"), &[])
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    let shown = response.text().await?;
    assert!(shown.contains("已记入审计日志"));
    let response = office
        .post_raw(&format!("/people/{person}/id-number"), &[])
        .await?;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "no token, no number"
    );

    // A department reads the file, and may not import the national export.
    let sector = app.signed_in("minzheng").await?;
    let (status, _) = sector.get(&own_village).await?;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = sector.get("/households/import").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}

/// Every text of the first sheet, joined.
fn sheet_text(bytes: &[u8]) -> Result<String, Box<dyn std::error::Error>> {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))?;
    let range = book.worksheet_range_at(0).ok_or("a sheet")??;
    Ok(range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect::<Vec<_>>()
        .join("|"))
}

#[tokio::test]
async fn the_village_publicity_list_has_names_villages_and_decisions_only() -> TestResult {
    let app = registry_app().await?;
    let office = app.signed_in("bangfu").await?;
    let (status, html) = import(&office, sample::xlsx(&rows())?, "store").await?;
    assert_eq!(status, StatusCode::OK, "{html}");
    let cadre = app.signed_in("cun").await?;
    let (_, list) = cadre.get("/households").await?;
    assert!(
        list.contains("/households/publicity.xlsx?village=371481101201"),
        "{list}"
    );
    let bytes = cadre
        .download("/households/publicity.xlsx?village=371481101201")
        .await?;
    let text = sheet_text(&bytes)?;
    assert!(
        text.contains("王建国") && text.contains("杨安第一村") && text.contains("脱贫户"),
        "{text}"
    );
    assert!(!text.contains("371481195"), "no ID number: {text}");
    assert!(
        !text.contains("残疾") && !text.contains("6500"),
        "no health, no income: {text}"
    );
    let (status, _) = cadre
        .get("/households/publicity.xlsx?village=371481102201")
        .await?;
    assert_eq!(status, StatusCode::NOT_FOUND, "another township's village");
    let sector = app.signed_in("minzheng").await?;
    let (status, _) = sector
        .get("/households/publicity.xlsx?village=371481101201")
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn a_finding_is_assigned_answered_by_the_village_and_accepted_by_the_office() -> TestResult {
    let app = registry_app().await?;
    let office = app.signed_in("bangfu").await?;
    let response = office
        .submit(
            "/policy-checks",
            "/policy-checks",
            &[("as_of", "2020-12-31")],
        )
        .await?;
    let run = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("redirect to the run")?
        .to_owned();
    let deadline = (jixiao_core::time::today() + chrono::Days::new(20)).to_string();
    let response = office
        .submit(
            &run,
            &format!("{run}/assign"),
            &[("deadline", deadline.as_str())],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = office
        .submit(
            &run,
            &format!("{run}/assign"),
            &[("deadline", "2000-01-01")],
        )
        .await?;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a deadline in the past"
    );

    // The village cadre's list links its findings; it answers one.
    let cadre = app.signed_in("cun").await?;
    let (status, list) = cadre.get(&format!("{run}/findings")).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("待整改，{deadline}前")), "{list}");
    let marker = "href=\"/findings/";
    let start = list.find(marker).ok_or("a finding link")? + marker.len();
    let id = &list[start..start + list[start..].find('"').ok_or("id")?];
    let page = format!("/findings/{id}");
    let (status, html) = cadre.get(&page).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("提交整改情况") && !html.contains("认可整改说明"),
        "{html}"
    );
    let (_, html) = cadre.get(&page).await?;
    let version_at = html.find("name=\"version\" value=\"").ok_or("version")? + 22;
    let version = &html[version_at..version_at + html[version_at..].find('"').ok_or("v")?];
    let response = cadre
        .submit(
            &page,
            &format!("{page}/answer"),
            &[
                ("version", version),
                ("answer", "已入户核实并补录"),
                ("evidence", "核实表"),
            ],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = cadre
        .submit(&page, &format!("{page}/review"), &[("decision", "accept")])
        .await?;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "a village does not review"
    );

    let (_, html) = office.get(&page).await?;
    assert!(
        html.contains("已入户核实并补录") && html.contains("认可整改说明"),
        "{html}"
    );
    let response = office
        .submit(
            &page,
            &format!("{page}/review"),
            &[("decision", "accept"), ("comment", "")],
        )
        .await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = office.get(&page).await?;
    assert!(
        html.contains("已认可说明") && html.contains("已认可"),
        "{html}"
    );
    let response = office
        .post_raw(&format!("{page}/review"), &[("decision", "accept")])
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "no token");
    Ok(())
}
