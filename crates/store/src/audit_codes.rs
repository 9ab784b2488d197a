//! The audit catalogue against the store's own sources: every action code and entity kind the
//! store hands to the audit writer has a Chinese name in `jixiao_core::audit`, and every name
//! there belongs to a code the store writes. The sources are read at test time, so a new audit
//! record without a label fails here, naming its file and line.
//!
//! What counts as handing a code to the writer: the arguments of `AuditEntry::new(actor, action,
//! entity, id)` (appended by `audit::append`/`append_many`), and of `chain_hash(seq, at, actor,
//! action, entity, …)` where a file writes `audit_log` rows itself (the SQLite payment writer).
//! An argument is a string literal, an `if`/`match` of literals, or a variable bound by a `let`
//! of those (an action bound so must look like `word.word`). A code built at run time
//! (`format!`) cannot be checked and is refused.

use jixiao_core::audit::{ACTIONS, ENTITIES};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One code handed to the audit writer, and where.
#[derive(Debug)]
struct Written {
    code: String,
    at: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The byte just past the string literal that starts (with `"`) at `start`.
fn skip_string(text: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// The text between the bracket opening at `open` and its match, strings skipped.
fn inside(text: &str, open: usize) -> &str {
    let bytes = text.as_bytes();
    let mut depth = 0;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open + 1..i];
                }
            }
            _ => {}
        }
        i += 1;
    }
    &text[open + 1..]
}

/// `text` cut at its top-level occurrences of any byte of `stops` (strings and brackets skipped);
/// the pieces, and where the first cut was.
fn split_top<'a>(text: &'a str, stops: &[u8]) -> (Vec<&'a str>, Option<usize>) {
    let bytes = text.as_bytes();
    let (mut depth, mut start, mut i) = (0i32, 0, 0);
    let (mut pieces, mut first) = (Vec::new(), None);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b if depth == 0 && stops.contains(&b) => {
                pieces.push(&text[start..i]);
                first.get_or_insert(i);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    pieces.push(&text[start..]);
    (pieces, first)
}

/// The contents of the string literals in `text`.
fn literals(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            let end = skip_string(bytes, i);
            found.push(text[i + 1..end.saturating_sub(1).max(i + 1)].to_owned());
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

/// Whether `text` looks like an action code bound to a variable: `word.word`.
fn is_dotted_code(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The value bound to `name` by the nearest `let` before the end of `before`, within the
/// function that ends it: for a tuple pattern matched by a tuple of the same length, the element
/// in `name`'s place; otherwise the whole right-hand side (with `whole` set).
fn bound_value<'a>(before: &'a str, name: &str) -> Option<(&'a str, bool)> {
    let function = before.rfind("fn ").unwrap_or(0);
    let before = &before[function..];
    let mut search = before.len();
    while let Some(at) = before[..search].rfind("let ") {
        search = at;
        let rest = &before[at + 4..];
        let (pieces, equals) = split_top(rest, b"=;");
        let (Some(pattern), Some(equals)) = (pieces.first(), equals) else {
            continue;
        };
        if rest.as_bytes()[equals] != b'=' {
            continue;
        }
        let pattern = pattern.trim().trim_start_matches("mut ").trim();
        let pattern = pattern.split(':').next().unwrap_or(pattern).trim();
        let names: Vec<&str> = pattern
            .trim_start_matches('(')
            .trim_end_matches(')')
            .split(',')
            .map(|n| n.trim().trim_start_matches("mut ").trim())
            .collect();
        let Some(place) = names.iter().position(|n| *n == name) else {
            continue;
        };
        let (statement, _) = split_top(&rest[equals + 1..], b";");
        let value = statement.first()?.trim();
        if pattern.starts_with('(') && value.starts_with('(') {
            let elements = split_top(inside(value, 0), b",").0;
            if elements.len() == names.len() {
                return Some((elements[place], false));
            }
        }
        return Some((value, true));
    }
    None
}

/// The codes an argument hands over, or why they cannot be read.
fn codes_of(argument: &str, before: &str, action: bool) -> Result<Vec<String>, String> {
    let argument = argument.trim().trim_start_matches('&').trim();
    if argument.contains("format!") || argument.contains("concat!") {
        return Err(format!("`{argument}` is built at run time"));
    }
    let found = literals(argument);
    if !found.is_empty() {
        return Ok(found);
    }
    if !is_identifier(argument) {
        return Err(format!("`{argument}` is neither a literal nor a variable"));
    }
    let (value, whole) = bound_value(before, argument)
        .ok_or_else(|| format!("no `let {argument}` before the audit record"))?;
    if value.contains("format!") || value.contains("concat!") {
        return Err(format!("`{argument}` is built at run time"));
    }
    let found: Vec<String> = if whole && action {
        literals(value)
            .into_iter()
            .filter(|c| is_dotted_code(c))
            .collect()
    } else if whole {
        Vec::new()
    } else {
        literals(value)
    };
    if found.is_empty() {
        return Err(format!("no literal code found for `{argument}`"));
    }
    Ok(found)
}

/// Every action and entity code handed to the audit writer in the store's sources, and the
/// problems of the call sites whose codes cannot be read.
fn written_codes() -> (Vec<Written>, Vec<Written>, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let (mut actions, mut entities, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    for file in files {
        let name = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        // The workflow's writer hands derived codes (`workflow::audit_code`); they are checked
        // from the workflow's own declarations below.
        if name.ends_with("audit_codes.rs") || name.ends_with("src/workflow.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("source file");
        let writes_rows = text.contains("INSERT INTO audit_log");
        if writes_rows && !name.ends_with("src/audit.rs") && !text.contains("chain_hash(") {
            problems.push(format!(
                "{name} inserts into audit_log without `audit::append` or `chain_hash(…)`"
            ));
        }
        // (call, index of the action argument, index of the entity argument)
        let mut calls = vec![("AuditEntry::new(", 1, 2)];
        if writes_rows {
            calls.push(("chain_hash(", 3, 4));
        }
        for (call, action_at, entity_at) in calls {
            for (at, _) in text.match_indices(call) {
                let line = text[..at].lines().count().max(1);
                let place = format!("{name}:{line}");
                let open = at + call.len() - 1;
                let (arguments, _) = split_top(inside(&text, open), b",");
                if arguments.len() <= entity_at {
                    problems.push(format!("{place}: `{call}…)` with too few arguments"));
                    continue;
                }
                let before = &text[..at];
                for (index, is_action, out) in [
                    (action_at, true, &mut actions),
                    (entity_at, false, &mut entities),
                ] {
                    match codes_of(arguments[index], before, is_action) {
                        Ok(codes) => out.extend(codes.into_iter().map(|code| Written {
                            code,
                            at: place.clone(),
                        })),
                        Err(why) => problems.push(format!("{place}: {why}")),
                    }
                }
            }
        }
    }
    (actions, entities, problems)
}

/// The codes of `written` missing from `catalogue` (each with where it is written), and the
/// codes of `catalogue` nothing writes.
fn compare(written: &[Written], catalogue: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
    let listed: BTreeSet<&str> = catalogue.iter().map(|(code, _)| *code).collect();
    let mut missing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for w in written {
        if !listed.contains(w.code.as_str()) {
            missing.entry(&w.code).or_default().push(&w.at);
        }
    }
    let seen: BTreeSet<&str> = written.iter().map(|w| w.code.as_str()).collect();
    (
        missing
            .into_iter()
            .map(|(code, at)| format!("{code} (written at {})", at.join(", ")))
            .collect(),
        listed.difference(&seen).map(|c| (*c).to_owned()).collect(),
    )
}

#[test]
fn every_audit_code_the_store_writes_has_a_chinese_label() {
    let (mut actions, mut entities, problems) = written_codes();
    // Every workflow move writes `{prefix}.{action}` on its document's entity; those are named
    // where the action is declared, never in ACTIONS as well.
    for (code, _) in jixiao_core::workflow::audit_actions() {
        assert!(
            !ACTIONS.iter().any(|(c, _)| *c == code),
            "{code} is named by the workflow; remove it from ACTIONS"
        );
        actions.push(Written {
            code,
            at: "core::workflow".to_owned(),
        });
    }
    for document in jixiao_core::workflow::documents() {
        entities.push(Written {
            code: document.entity.to_owned(),
            at: "core::workflow".to_owned(),
        });
    }
    let workflow_actions = jixiao_core::workflow::audit_actions();
    let named: Vec<(&str, &str)> = ACTIONS
        .iter()
        .copied()
        .chain(workflow_actions.iter().map(|(c, l)| (c.as_str(), *l)))
        .collect();
    assert!(
        problems.is_empty(),
        "unreadable audit records:\n{problems:#?}"
    );
    // The scan must see the writer, or it proves nothing.
    let distinct: BTreeSet<&str> = actions.iter().map(|w| w.code.as_str()).collect();
    for code in ["login", "logout", "treasury.payment", "pool.removed"] {
        assert!(
            distinct.contains(code),
            "the scan missed {code}: {distinct:?}"
        );
    }
    assert!(distinct.len() >= 60, "only {} codes found", distinct.len());

    let (missing_actions, _) = compare(&actions, &named);
    let (_, unused_actions) = compare(&actions, ACTIONS);
    let (missing_entities, unused_entities) = compare(&entities, ENTITIES);
    assert!(
        missing_actions.is_empty() && missing_entities.is_empty(),
        "add these to jixiao_core::audit::ACTIONS / ENTITIES with their Chinese names:\n\
         actions: {missing_actions:#?}\nentities: {missing_entities:#?}"
    );
    assert!(
        unused_actions.is_empty() && unused_entities.is_empty(),
        "labels for codes the store never writes (remove them):\n\
         actions: {unused_actions:#?}\nentities: {unused_entities:#?}"
    );
}

#[test]
fn the_scanner_reads_literals_branches_and_bindings() {
    let source = r#"
        let (kind, action) = if suspend { ("suspend", "allotment.suspend") } else { ("resume", "allotment.resume") };
        let (action2, entity) = ("treasury.payment", "allotment");
        let action3 = match state { ("answered", _) => "x.answer", _ => "x.back" };
    "#;
    assert_eq!(
        codes_of("action", source, true),
        Ok(vec![
            "allotment.suspend".to_owned(),
            "allotment.resume".to_owned()
        ])
    );
    assert_eq!(
        codes_of("entity", source, false),
        Ok(vec!["allotment".to_owned()])
    );
    assert_eq!(
        codes_of("action2", source, true),
        Ok(vec!["treasury.payment".to_owned()])
    );
    assert_eq!(
        codes_of("action3", source, true),
        Ok(vec!["x.answer".to_owned(), "x.back".to_owned()])
    );
    assert_eq!(
        codes_of("if ok { \"a.b\" } else { \"c.d\" }", "", true),
        Ok(vec!["a.b".to_owned(), "c.d".to_owned()])
    );
    assert!(codes_of("&format!(\"pool.{status}\")", "", true).is_err());
    assert!(codes_of("unknown", source, true).is_err());
}
