//! Reading coded and structured values out of stored rows: a code, a date or a JSON document that
//! does not read as what its column holds is `Error::Unreadable` naming the table, the row and the
//! column — never a default. Every row type with such columns implements [`Readable`] and leaves
//! the store only through [`all`] or [`one`].

use crate::{Error, Result};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;

/// A row whose coded columns are checked (and whose structured columns are decoded) once, when it
/// is read.
pub(crate) trait Readable: Sized {
    /// The row, checked; the first column that does not read is the error.
    fn read(self) -> Result<Self>;
}

/// Every row, checked.
pub(crate) fn all<T: Readable>(rows: Vec<T>) -> Result<Vec<T>> {
    rows.into_iter().map(Readable::read).collect()
}

/// The row if any, checked.
pub(crate) fn one<T: Readable>(row: Option<T>) -> Result<Option<T>> {
    row.map(Readable::read).transpose()
}

/// Where a stored value sits: table, row and column.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    /// The table.
    table: &'static str,
    /// The row: `id=7`, or the key of a table without ids.
    row: String,
    /// The column.
    column: &'static str,
}

impl Cell {
    /// The value at `column` of row `id` in `table`.
    pub(crate) fn at(table: &'static str, id: i64, column: &'static str) -> Cell {
        Cell {
            table,
            row: format!("id={id}"),
            column,
        }
    }

    /// The value at `column` of the row with key `key` (`project_id=3,row_no=2`) in a table
    /// without ids.
    pub(crate) fn keyed(table: &'static str, key: String, column: &'static str) -> Cell {
        Cell {
            table,
            row: key,
            column,
        }
    }

    /// The error for `text` found here.
    pub(crate) fn unreadable(self, text: &str) -> Error {
        Error::Unreadable {
            table: self.table,
            row: self.row,
            column: self.column,
            // Long JSON is cut: the message names the place, the log need not hold the document.
            value: text.chars().take(80).collect(),
        }
    }

    /// `text` read by `parse` (a vocabulary's `parse`, for instance).
    pub(crate) fn code<T>(self, text: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
        parse(text).ok_or_else(|| self.unreadable(text))
    }

    /// `text` as a JSON document of type `T`.
    pub(crate) fn json<T: DeserializeOwned>(self, text: &str) -> Result<T> {
        serde_json::from_str(text).map_err(|_| self.unreadable(text))
    }

    /// `text` as a date written `YYYY-MM-DD`.
    pub(crate) fn date(self, text: &str) -> Result<NaiveDate> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| self.unreadable(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_value_names_its_place() {
        let cell = Cell::at("alerts", 7, "findings");
        let error = cell
            .clone()
            .json::<Vec<i32>>("not json")
            .expect_err("not json");
        assert!(error.is_internal());
        let text = error.to_string();
        assert!(
            text.contains("alerts") && text.contains("id=7") && text.contains("findings"),
            "{text}"
        );
        assert!(cell.clone().date("2020-13-01").is_err());
        assert_eq!(
            cell.clone().date("2020-12-31").expect("test value"),
            NaiveDate::from_ymd_opt(2020, 12, 31).expect("test value")
        );
        assert_eq!(
            cell.clone()
                .code("b", |t| (t == "b").then_some(2))
                .expect("test value"),
            2
        );
        assert!(cell.code("c", |t| (t == "b").then_some(2)).is_err());
    }

    /// A lint: no code in the store or the web crate reads a stored code, date or JSON document
    /// with a fallback (`unwrap_or…` or `.ok()` right after the parse); it goes through [`Cell`].
    #[test]
    fn no_stored_value_is_parsed_with_a_fallback() {
        let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut offences = Vec::new();
        let mut files = Vec::new();
        for dir in ["store/src", "web/src"] {
            crate::workflow::tests::rust_files(&crates.join(dir), &mut files);
        }
        for path in files {
            let name = path.display().to_string();
            if name.ends_with("stored.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read a source file");
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let parses_stored = line.contains("serde_json::from_str(&self.")
                    || line.contains("serde_json::from_str(&row.")
                    || line.contains("serde_json::from_str(&head.")
                    || (line.contains("::parse(&self.") && !line.contains("map_or("))
                    || line.contains("::parse(&item.")
                    || line.contains("::parse(&r.");
                if !parses_stored {
                    continue;
                }
                let statement = lines[i..(i + 3).min(lines.len())].join(" ");
                let end = statement.find(';').unwrap_or(statement.len());
                let statement = &statement[..end];
                let defaulted = statement.contains(".unwrap_or") || statement.contains(".ok()");
                let documented = i > 0 && lines[i - 1].contains("never taken");
                if defaulted && !documented {
                    offences.push(format!("{name}:{}: {}", i + 1, line.trim()));
                }
            }
        }
        assert!(
            offences.is_empty(),
            "stored values read with a fallback (read them through stored::Cell):\n{}",
            offences.join("\n")
        );
    }

    #[test]
    fn a_long_value_is_cut_in_the_message() {
        let long = "x".repeat(1000);
        let Error::Unreadable { value, .. } = Cell::at("t", 1, "c").unreadable(&long) else {
            panic!("not unreadable");
        };
        assert_eq!(value.chars().count(), 80);
    }
}
