//! Visits (走访, issue 19 item 4, decision 0044): the visits section of the assistance rulebook
//! (visits a month by household type — Leling's "1211" — the evidence limits, the days to
//! rectify a problem and the problem classes), the evidence check (type by magic bytes, never by
//! the file's name; size; count) and the compliance arithmetic of a month. Every number comes
//! from the rulebook. Pure: no database, no clock.

use crate::vocabulary;
use chrono::{Days, NaiveDate};
use serde::Deserialize;

/// A problem class as written in the rulebook.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProblemClassFile {
    pub(crate) code: String,
    pub(crate) name: String,
}

/// The visits section as written in the rulebook (`[visits]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VisitsFile {
    pub(crate) formerly_poor_per_month: u32,
    pub(crate) monitored_per_month: u32,
    pub(crate) ordinary_per_month: u32,
    pub(crate) max_file_bytes: u64,
    pub(crate) max_files: usize,
    pub(crate) allowed_types: Vec<String>,
    pub(crate) rectify_days: u64,
    pub(crate) problem_classes: Vec<ProblemClassFile>,
}

vocabulary! {
    /// The kinds of evidence file a visit may carry, known by their first bytes.
    pub enum EvidenceType {
        /// JPEG photo (`FF D8 FF`).
        Jpeg = ("jpeg", "JPEG 图片"),
        /// PNG image (`89 50 4E 47 0D 0A 1A 0A`).
        Png = ("png", "PNG 图片"),
        /// WebP image (`RIFF … WEBP`).
        Webp = ("webp", "WebP 图片"),
        /// MP4 video (`ftyp` box at byte 4).
        Mp4 = ("mp4", "MP4 视频"),
    }
}

impl EvidenceType {
    /// The media type served back.
    pub fn media_type(self) -> &'static str {
        match self {
            EvidenceType::Jpeg => "image/jpeg",
            EvidenceType::Png => "image/png",
            EvidenceType::Webp => "image/webp",
            EvidenceType::Mp4 => "video/mp4",
        }
    }

    /// The type the content's first bytes announce, whatever the file is called.
    pub fn sniff(content: &[u8]) -> Option<EvidenceType> {
        if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(EvidenceType::Jpeg)
        } else if content.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(EvidenceType::Png)
        } else if content.len() >= 12 && &content[0..4] == b"RIFF" && &content[8..12] == b"WEBP" {
            Some(EvidenceType::Webp)
        } else if content.len() >= 12 && &content[4..8] == b"ftyp" {
            Some(EvidenceType::Mp4)
        } else {
            None
        }
    }
}

/// A class of problem found on a visit (收入, 住房安全 …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemClass {
    /// The code stored and sent over the API.
    pub code: String,
    /// The name users read.
    pub name: String,
}

/// The visit rules of a rulebook's year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRules {
    /// Visits due a month to a registered household (脱贫户) not under monitoring.
    pub formerly_poor_per_month: u32,
    /// Visits due a month to a household with a monitoring case (监测户), of either type.
    pub monitored_per_month: u32,
    /// Visits due a month to an ordinary household (一般农户) not under monitoring.
    pub ordinary_per_month: u32,
    /// The largest evidence file, bytes.
    pub max_file_bytes: u64,
    /// The most files one visit may carry.
    pub max_files: usize,
    /// The kinds of file accepted.
    pub allowed_types: Vec<EvidenceType>,
    /// Days from the visit to rectify a problem it found.
    pub rectify_days: u64,
    /// The problem classes, in the order forms offer them.
    pub problem_classes: Vec<ProblemClass>,
}

impl VisitRules {
    pub(crate) fn from_file(file: &VisitsFile) -> Result<VisitRules, String> {
        let per_month = [
            file.formerly_poor_per_month,
            file.monitored_per_month,
            file.ordinary_per_month,
        ];
        if per_month.iter().any(|n| *n > 31) {
            return Err("每月走访次数不超过31次".to_owned());
        }
        if file.max_file_bytes == 0 || file.max_file_bytes > 1 << 30 {
            return Err("单个佐证文件上限应在1字节至1 GiB之间".to_owned());
        }
        if !(1..=50).contains(&file.max_files) {
            return Err("每次走访的佐证文件数应在1至50之间".to_owned());
        }
        if !(1..=365).contains(&file.rectify_days) {
            return Err("整改时限应为1至365天".to_owned());
        }
        let mut allowed_types = Vec::new();
        for code in &file.allowed_types {
            let kind = EvidenceType::parse(code.trim())
                .ok_or_else(|| format!("佐证文件类型“{code}”无法识别（jpeg、png、webp、mp4）"))?;
            if !allowed_types.contains(&kind) {
                allowed_types.push(kind);
            }
        }
        if allowed_types.is_empty() {
            return Err("至少允许一种佐证文件类型".to_owned());
        }
        let mut problem_classes: Vec<ProblemClass> = Vec::new();
        for class in &file.problem_classes {
            let code = class.code.trim();
            let name = class.name.trim();
            if code.is_empty()
                || code.len() > 40
                || !code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                || name.is_empty()
            {
                return Err(format!("问题类别“{code}”应有小写英文代码和名称"));
            }
            if problem_classes.iter().any(|c| c.code == code) {
                return Err(format!("问题类别“{code}”重复"));
            }
            problem_classes.push(ProblemClass {
                code: code.to_owned(),
                name: name.to_owned(),
            });
        }
        if problem_classes.is_empty() {
            return Err("至少需要一个问题类别".to_owned());
        }
        Ok(VisitRules {
            formerly_poor_per_month: file.formerly_poor_per_month,
            monitored_per_month: file.monitored_per_month,
            ordinary_per_month: file.ordinary_per_month,
            max_file_bytes: file.max_file_bytes,
            max_files: file.max_files,
            allowed_types,
            rectify_days: file.rectify_days,
            problem_classes,
        })
    }

    /// The problem class of a code.
    pub fn problem_class(&self, code: &str) -> Option<&ProblemClass> {
        self.problem_classes.iter().find(|c| c.code == code)
    }

    /// Visits due in a month to a household of this type (`formerly_poor` or `ordinary`),
    /// monitored or not. A household under monitoring is due the larger of the two figures.
    pub fn visits_due(&self, household_type: &str, monitored: bool) -> u32 {
        let by_type = match household_type {
            "formerly_poor" => self.formerly_poor_per_month,
            _ => self.ordinary_per_month,
        };
        if monitored {
            by_type.max(self.monitored_per_month)
        } else {
            by_type
        }
    }

    /// The day a problem found on `visited` must be rectified by.
    pub fn rectify_by(&self, visited: NaiveDate) -> NaiveDate {
        visited
            .checked_add_days(Days::new(self.rectify_days))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The largest file, in whole MiB (rounded up), as messages name it.
    fn max_file_mib(&self) -> u64 {
        self.max_file_bytes.div_ceil(1024 * 1024)
    }

    /// Checks a visit's evidence files (name and content each): their count, that none is
    /// empty or over the size, and that each one's first bytes are of an allowed type. The
    /// first refusal is returned; one bad file refuses the whole visit.
    pub fn check_evidence(
        &self,
        files: &[(&str, &[u8])],
    ) -> Result<Vec<EvidenceType>, EvidenceRefusal> {
        if files.len() > self.max_files {
            return Err(EvidenceRefusal::TooMany {
                max: self.max_files,
                sent: files.len(),
            });
        }
        let mut types = Vec::with_capacity(files.len());
        for (name, content) in files {
            let name = (*name).to_owned();
            if content.is_empty() {
                return Err(EvidenceRefusal::Empty { name });
            }
            if u64::try_from(content.len()).unwrap_or(u64::MAX) > self.max_file_bytes {
                return Err(EvidenceRefusal::TooLarge {
                    name,
                    max_mib: self.max_file_mib(),
                });
            }
            match EvidenceType::sniff(content) {
                Some(kind) if self.allowed_types.contains(&kind) => types.push(kind),
                _ => {
                    return Err(EvidenceRefusal::WrongType {
                        name,
                        allowed: self
                            .allowed_types
                            .iter()
                            .map(|t| t.label())
                            .collect::<Vec<_>>()
                            .join("、"),
                    });
                }
            }
        }
        Ok(types)
    }
}

/// Why a visit's evidence was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceRefusal {
    /// More files than the rulebook allows.
    #[error("每次走访最多上传{max}个佐证文件，本次{sent}个，走访未保存")]
    TooMany {
        /// The most allowed.
        max: usize,
        /// How many were sent.
        sent: usize,
    },
    /// An empty file.
    #[error("佐证文件“{name}”是空文件，走访未保存")]
    Empty {
        /// The file's name.
        name: String,
    },
    /// A file over the size.
    #[error("佐证文件“{name}”超过{max_mib} MB，走访未保存")]
    TooLarge {
        /// The file's name.
        name: String,
        /// The limit, MiB.
        max_mib: u64,
    },
    /// A file whose content is not of an allowed type.
    #[error("佐证文件“{name}”不是允许的类型（{allowed}），走访未保存")]
    WrongType {
        /// The file's name.
        name: String,
        /// The allowed types' labels.
        allowed: String,
    },
}

impl EvidenceRefusal {
    /// A stable code for the API's details.
    pub fn code(&self) -> &'static str {
        match self {
            EvidenceRefusal::TooMany { .. } => "too_many_files",
            EvidenceRefusal::Empty { .. } => "empty_file",
            EvidenceRefusal::TooLarge { .. } => "file_too_large",
            EvidenceRefusal::WrongType { .. } => "wrong_file_type",
        }
    }
}

/// A household's standing in a month: visits due and done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HouseholdMonth {
    /// Visits due (rulebook).
    pub due: u32,
    /// Visits recorded.
    pub done: u32,
}

impl HouseholdMonth {
    /// Visits still missing (never negative: extra visits to one household do not make up for
    /// another's).
    pub fn missing(self) -> u32 {
        self.due.saturating_sub(self.done)
    }

    /// Whether the household is behind schedule.
    pub fn behind(self) -> bool {
        self.missing() > 0
    }
}

/// The sum over a group of households (one helper's, one village's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Households with a visit due.
    pub households_due: u32,
    /// Visits due.
    pub visits_due: u32,
    /// Visits recorded (to households with a visit due or not).
    pub visits_done: u32,
    /// Visits due and recorded, counted per household up to what was due.
    pub visits_counted: u32,
    /// Households behind schedule.
    pub households_behind: u32,
}

impl Tally {
    /// Adds one household.
    pub fn add(&mut self, month: HouseholdMonth) {
        if month.due > 0 {
            self.households_due += 1;
        }
        self.visits_due += month.due;
        self.visits_done += month.done;
        self.visits_counted += month.done.min(month.due);
        if month.behind() {
            self.households_behind += 1;
        }
    }

    /// Whether any household is behind.
    pub fn behind(&self) -> bool {
        self.households_behind > 0
    }

    /// Share of due visits done, whole percent (100 when nothing was due).
    pub fn percent(&self) -> u32 {
        if self.visits_due == 0 {
            100
        } else {
            let percent = u64::from(self.visits_counted) * 100 / u64::from(self.visits_due);
            u32::try_from(percent).unwrap_or(100)
        }
    }
}

/// The SHA-256 of an evidence file's content, lowercase hex: the name it is stored under (the
/// same photo sent twice is stored once).
pub fn content_hash(content: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(content))
}

/// The first and last day of a month written `YYYY-MM`.
pub fn month_bounds(month: &str) -> Option<(NaiveDate, NaiveDate)> {
    let month = month.trim();
    if month.len() != 7 || month.as_bytes()[4] != b'-' {
        return None;
    }
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    Some((first, next.pred_opt()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> VisitRules {
        VisitRules::from_file(&VisitsFile {
            formerly_poor_per_month: 2,
            monitored_per_month: 4,
            ordinary_per_month: 0,
            max_file_bytes: 100,
            max_files: 2,
            allowed_types: vec!["jpeg".into(), "png".into(), "webp".into(), "mp4".into()],
            rectify_days: 30,
            problem_classes: vec![ProblemClassFile {
                code: "income".into(),
                name: "收入".into(),
            }],
        })
        .expect("rules")
    }

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    #[test]
    fn sniffs_types_by_content_not_name() {
        assert_eq!(EvidenceType::sniff(PNG), Some(EvidenceType::Png));
        assert_eq!(
            EvidenceType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(EvidenceType::Jpeg)
        );
        assert_eq!(
            EvidenceType::sniff(b"RIFF\x10\x00\x00\x00WEBPVP8 "),
            Some(EvidenceType::Webp)
        );
        assert_eq!(
            EvidenceType::sniff(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00"),
            Some(EvidenceType::Mp4)
        );
        assert_eq!(EvidenceType::sniff(b"GIF89a......"), None);
        assert_eq!(EvidenceType::sniff(b"%PDF-1.7"), None);
        assert_eq!(EvidenceType::sniff(b"RIFF"), None);
        assert_eq!(EvidenceType::sniff(b""), None);
        // A text file named like a photo is refused; a PNG named like a text file passes.
        let r = rules();
        assert_eq!(
            r.check_evidence(&[("photo.jpg", b"hello, world")])
                .map_err(|e| e.code()),
            Err("wrong_file_type")
        );
        assert_eq!(
            r.check_evidence(&[("notes.txt", PNG)]),
            Ok(vec![EvidenceType::Png])
        );
    }

    #[test]
    fn evidence_limits_refuse_the_whole_visit() {
        let r = rules();
        let big = [0xFFu8; 101];
        let mut big_jpeg = big.to_vec();
        big_jpeg[1] = 0xD8;
        let refused = r.check_evidence(&[("a.png", PNG), ("b.jpg", &big_jpeg)]);
        assert_eq!(refused.clone().map_err(|e| e.code()), Err("file_too_large"));
        assert!(
            refused
                .err()
                .is_some_and(|e| e.to_string().contains("b.jpg") && e.to_string().contains("MB"))
        );
        assert_eq!(
            r.check_evidence(&[("a.png", PNG), ("b.png", PNG), ("c.png", PNG)])
                .map_err(|e| e.code()),
            Err("too_many_files")
        );
        assert_eq!(
            r.check_evidence(&[("a.png", b"")]).map_err(|e| e.code()),
            Err("empty_file")
        );
        assert_eq!(r.check_evidence(&[]), Ok(vec![]));
        let only_png = VisitRules {
            allowed_types: vec![EvidenceType::Png],
            ..r
        };
        let refused = only_png.check_evidence(&[("v.mp4", b"\x00\x00\x00\x18ftypmp42")]);
        assert!(refused.is_err_and(|e| e.to_string().contains("PNG 图片")));
    }

    #[test]
    fn compliance_arithmetic() {
        let r = rules();
        assert_eq!(r.visits_due("formerly_poor", false), 2);
        assert_eq!(r.visits_due("formerly_poor", true), 4);
        assert_eq!(r.visits_due("ordinary", true), 4);
        assert_eq!(r.visits_due("ordinary", false), 0);
        let mut tally = Tally::default();
        tally.add(HouseholdMonth { due: 2, done: 3 });
        tally.add(HouseholdMonth { due: 4, done: 1 });
        tally.add(HouseholdMonth { due: 0, done: 1 });
        assert_eq!(
            tally,
            Tally {
                households_due: 2,
                visits_due: 6,
                visits_done: 5,
                visits_counted: 3,
                households_behind: 1,
            }
        );
        assert_eq!(tally.percent(), 50);
        assert!(tally.behind());
        assert_eq!(Tally::default().percent(), 100);
        assert_eq!(HouseholdMonth { due: 2, done: 0 }.missing(), 2);
        assert_eq!(
            r.rectify_by(NaiveDate::from_ymd_opt(2021, 1, 20).expect("day")),
            NaiveDate::from_ymd_opt(2021, 2, 19).expect("day")
        );
        assert_eq!(
            month_bounds("2020-02"),
            Some((
                NaiveDate::from_ymd_opt(2020, 2, 1).expect("day"),
                NaiveDate::from_ymd_opt(2020, 2, 29).expect("day")
            ))
        );
        assert_eq!(month_bounds("2020-13"), None);
        assert_eq!(month_bounds("2020-1"), None);
        assert_eq!(month_bounds("202001"), None);
    }

    #[test]
    fn rulebook_section_is_checked() {
        let file = |classes: Vec<(&str, &str)>, types: Vec<&str>| VisitsFile {
            formerly_poor_per_month: 2,
            monitored_per_month: 4,
            ordinary_per_month: 0,
            max_file_bytes: 10,
            max_files: 9,
            allowed_types: types.into_iter().map(str::to_owned).collect(),
            rectify_days: 30,
            problem_classes: classes
                .into_iter()
                .map(|(c, n)| ProblemClassFile {
                    code: c.into(),
                    name: n.into(),
                })
                .collect(),
        };
        assert!(VisitRules::from_file(&file(vec![("income", "收入")], vec!["gif"])).is_err());
        assert!(VisitRules::from_file(&file(vec![], vec!["png"])).is_err());
        assert!(VisitRules::from_file(&file(vec![("a", "甲"), ("a", "乙")], vec!["png"])).is_err());
        assert!(VisitRules::from_file(&file(vec![("Bad Code", "甲")], vec!["png"])).is_err());
        let ok = VisitRules::from_file(&file(vec![("income", "收入")], vec!["png"]))
            .expect("valid section");
        assert_eq!(
            ok.problem_class("income").map(|c| c.name.as_str()),
            Some("收入")
        );
        assert!(ok.problem_class("housing").is_none());
    }

    #[test]
    fn shipped_rulebook_carries_leling_rhythm() {
        let rules = crate::assistance::AssistanceRules::shipped("assistance-shandong-2020")
            .expect("shipped")
            .expect("parses");
        let visits = rules.visits.expect("a [visits] section");
        assert_eq!(visits.formerly_poor_per_month, 2);
        assert_eq!(visits.max_files, 9);
        assert_eq!(visits.max_file_bytes, 10 * 1024 * 1024);
        assert_eq!(visits.rectify_days, 30);
        assert!(visits.problem_class("housing").is_some());
    }
}
