//! Dead links (issue 20 item 2): every demo role signs in and follows every link its own pages
//! show, starting from the home page and its menu; any link that answers 4xx or 5xx fails the
//! test with the page that led to it. Links that differ only in their ids are sampled (a few per
//! shape), so the crawl stays bounded while every kind of link is followed. Every page it opens
//! is also checked for money column headers that are not right-aligned with their figures.

use super::support::{Browser, TestApp, TestResult};
use reqwest::StatusCode;
use std::collections::{HashMap, HashSet, VecDeque};

/// How many links of one shape (ids replaced) are followed per role.
const PER_SHAPE: usize = 3;
/// The most pages one role's crawl opens.
const PER_ROLE: usize = 400;

/// One link that did not work: who, where, what it answered, and the page it was on.
struct DeadLink {
    username: &'static str,
    url: String,
    status: StatusCode,
    from: String,
}

/// The links (`href`) of a page that stay on the site and can be opened with GET.
fn links_of(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("href=\"") {
        rest = &rest[start + 6..];
        let Some(end) = rest.find('"') else { break };
        let raw = rest[..end].replace("&amp;", "&").replace("&#x3D;", "=");
        rest = &rest[end..];
        let link = raw.split('#').next().unwrap_or_default().to_owned();
        if link.starts_with('/')
            && !link.starts_with("//")
            && !link.starts_with("/static/")
            && link != "/logout"
        {
            links.push(link);
        }
    }
    links
}

/// Money columns (issue 20 item 7): every column header (in a `<thead>`) that names an amount
/// in 万元 or 元 is right-aligned like its figures (`class="num"`), and every header that names
/// an amount of money states its unit. A printed form's row labels are not column headers.
/// Answers the headers that are not, with what is wrong.
fn money_headers_not_right_aligned(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut page = html;
    while let Some(start) = page.find("<thead") {
        let Some(end) = page[start..].find("</thead>") else {
            break;
        };
        found.extend(headers_without_num(&page[start..start + end]));
        page = &page[start + end..];
    }
    found
}

fn headers_without_num(head: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = head;
    while let Some(start) = rest.find("<th") {
        rest = &rest[start..];
        // `<thead` is not a header cell.
        if !matches!(rest.as_bytes().get(3), Some(b'>' | b' ' | b'\n')) {
            rest = &rest[3..];
            continue;
        }
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let Some(close) = rest.find("</th>") else {
            break;
        };
        let tag = &rest[..open_end];
        let text = if open_end < close {
            &rest[open_end + 1..close]
        } else {
            ""
        };
        let in_unit = text.contains("（万元）") || text.contains("（元）");
        if in_unit && !tag.contains("num") {
            found.push(format!("{text}：未右对齐"));
        }
        if names_money(text) && !text.contains("元") {
            found.push(format!("{text}：未注明金额单位"));
        }
        rest = &rest[close.max(open_end)..];
    }
    found
}

/// Whether a column header names an amount of money (as opposed to a count, a share or a date
/// of one): 金额, 资金, 预算数, 支出数 and the like.
fn names_money(header: &str) -> bool {
    let text: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    const MONEY: [&str; 6] = ["金额", "资金", "预算数", "支出数", "拨付数", "执行数"];
    const NOT_MONEY: [&str; 8] = ["率", "占比", "比例", "笔数", "项数", "日期", "来源", "性质"];
    MONEY.iter().any(|w| text.contains(w)) && !NOT_MONEY.iter().any(|w| text.contains(w))
}

/// The link with every run of digits replaced, and its query keys sorted: links of one shape.
fn shape_of(link: &str) -> String {
    let (path, query) = link.split_once('?').unwrap_or((link, ""));
    let mut shape = String::new();
    let mut in_digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                shape.push('#');
            }
            in_digits = true;
        } else {
            shape.push(c);
            in_digits = false;
        }
    }
    let mut keys: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split('=').next().unwrap_or_default())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    if !keys.is_empty() {
        shape.push('?');
        shape.push_str(&keys.join("&"));
    }
    shape
}

/// Crawls as `username`; answers the dead links found and how many pages were opened.
async fn crawl(
    browser: &Browser,
    username: &'static str,
) -> Result<(Vec<DeadLink>, usize), Box<dyn std::error::Error>> {
    let mut dead = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut shapes: HashMap<String, usize> = HashMap::new();
    let mut queue: VecDeque<(String, String)> = VecDeque::new();
    queue.push_back(("/".to_owned(), "(start)".to_owned()));
    seen.insert("/".to_owned());
    let mut opened = 0;
    while let Some((url, from)) = queue.pop_front() {
        if opened >= PER_ROLE {
            break;
        }
        opened += 1;
        let response = browser
            .client
            .get(format!("{}{url}", browser.base))
            .send()
            .await?;
        let status = response.status();
        let html_page = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        if status.is_client_error() || status.is_server_error() {
            dead.push(DeadLink {
                username,
                url,
                status,
                from,
            });
            continue;
        }
        if !html_page || status != StatusCode::OK {
            continue;
        }
        let html = response.text().await?;
        for header in money_headers_not_right_aligned(&html) {
            dead.push(DeadLink {
                username,
                url: format!("{url} (money header “{header}”)"),
                status: StatusCode::OK,
                from: from.clone(),
            });
        }
        for link in links_of(&html) {
            if seen.contains(&link) {
                continue;
            }
            let count = shapes.entry(shape_of(&link)).or_insert(0);
            if *count >= PER_SHAPE {
                continue;
            }
            *count += 1;
            seen.insert(link.clone());
            queue.push_back((link, url.clone()));
        }
    }
    Ok((dead, opened))
}

#[tokio::test]
async fn every_link_a_role_is_shown_opens() -> TestResult {
    let app = TestApp::start_full().await?;
    let mut dead = Vec::new();
    let mut report = Vec::new();
    for (username, _, _) in jixiao_store::demo::accounts() {
        let browser = app.signed_in(username).await?;
        let (found, opened) = crawl(&browser, username).await?;
        report.push(format!("{username}: {opened}"));
        assert!(opened > 1, "{username} reached no page from its home page");
        dead.extend(found);
    }
    let lines: Vec<String> = dead
        .iter()
        .map(|d| format!("{} {} → {} (from {})", d.username, d.url, d.status, d.from))
        .collect();
    assert!(
        lines.is_empty(),
        "dead links ({}):\n{}\npages opened per role: {}",
        lines.len(),
        lines.join("\n"),
        report.join(", ")
    );
    Ok(())
}

#[tokio::test]
async fn a_refused_page_leads_back() -> TestResult {
    let app = TestApp::start_full().await?;
    let expert = app.signed_in("expert").await?;
    let (status, html) = expert.get("/admin/users").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        html.contains("href=\"/assignments\""),
        "the 403 page carries the expert's own menu: {html}"
    );
    assert!(html.contains("退出"), "the 403 page shows who is signed in");
    let (status, html) = expert.get("/no-such-page").await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        html.contains("href=\"/assignments\""),
        "the 404 page carries the menu"
    );
    Ok(())
}

#[test]
fn links_of_one_shape_share_it() {
    assert_eq!(shape_of("/projects/12"), shape_of("/projects/345"));
    assert_eq!(
        shape_of("/projects?year=2020&state=draft"),
        shape_of("/projects?state=x&year=1")
    );
    assert_ne!(shape_of("/projects/12"), shape_of("/projects/12/print"));
    assert_eq!(
        links_of("<a href=\"/a?x=1&amp;y=2#top\">a</a><a href=\"https://x\">b</a>"),
        vec!["/a?x=1&y=2".to_owned()]
    );
}
