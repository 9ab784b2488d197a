//! Reading a value as written in a target sheet's cell: a comparison (`≥`, `>=`, 不低于, 以上 …),
//! a number (with thousands separators, decimals, 万/亿, a range), a unit, or a date; otherwise
//! words. Nothing is allocated: a reading borrows from the text.

/// How the value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `≥`, 不低于, 以上.
    AtLeast,
    /// `≤`, 不超过, 以内.
    AtMost,
    /// `=`.
    Equal,
    /// `>`, 大于, 超过.
    More,
    /// `<`, 小于, 低于.
    Less,
}

impl Comparison {
    /// More is asked for (`≥`, `>`).
    pub fn wants_more(self) -> bool {
        matches!(self, Comparison::AtLeast | Comparison::More)
    }

    /// Less is asked for (`≤`, `<`).
    pub fn wants_less(self) -> bool {
        matches!(self, Comparison::AtMost | Comparison::Less)
    }

    /// The proper sign: `≥`, `≤`, `=`, `>`, `<`.
    pub fn sign(self) -> &'static str {
        match self {
            Comparison::AtLeast => "≥",
            Comparison::AtMost => "≤",
            Comparison::Equal => "=",
            Comparison::More => ">",
            Comparison::Less => "<",
        }
    }
}

/// A value as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reading<'a> {
    /// The comparison written in the text.
    pub comparison: Option<Comparison>,
    /// The comparison was typed as ASCII (`>=`, `<=`, `>`, `<`).
    pub ascii: bool,
    /// Words before the number (全年, 提高 …), trimmed.
    pub lead: &'a str,
    /// The number in thousandths, 万/亿 applied.
    pub milli: Option<i64>,
    /// The upper end of a range (`3-5个`), in thousandths.
    pub upper_milli: Option<i64>,
    /// The number had 万 or 亿 before the unit.
    pub scaled: bool,
    /// The unit as written after the number and 万/亿 (`%`, `人次`, `元/人`); empty if none.
    pub unit: &'a str,
    /// A placeholder stands where the number should be (`**`, `XX`).
    pub placeholder: bool,
    /// The value is a date or deadline (`2020年12月底前`).
    pub date: bool,
}

impl Reading<'_> {
    /// Whether a number was read.
    pub fn has_number(&self) -> bool {
        self.milli.is_some()
    }

    /// The unit as a percentage sign.
    pub fn is_percent(&self) -> bool {
        self.unit == "%"
    }
}

/// Leading comparisons, longest first: (text, comparison, ASCII, words that need a number next).
const LEADING: [(&str, Comparison, bool, bool); 30] = [
    ("大于或等于", Comparison::AtLeast, false, true),
    ("小于或等于", Comparison::AtMost, false, true),
    ("大于等于", Comparison::AtLeast, false, true),
    ("小于等于", Comparison::AtMost, false, true),
    ("不少于", Comparison::AtLeast, false, true),
    ("不低于", Comparison::AtLeast, false, true),
    ("不小于", Comparison::AtLeast, false, true),
    ("不多于", Comparison::AtMost, false, true),
    ("不高于", Comparison::AtMost, false, true),
    ("不超过", Comparison::AtMost, false, true),
    ("不大于", Comparison::AtMost, false, true),
    ("控制在", Comparison::AtMost, false, true),
    ("至少", Comparison::AtLeast, false, true),
    ("达到", Comparison::AtLeast, false, true),
    ("大于", Comparison::More, false, true),
    ("高于", Comparison::More, false, true),
    ("超过", Comparison::More, false, true),
    ("多于", Comparison::More, false, true),
    ("小于", Comparison::Less, false, true),
    ("低于", Comparison::Less, false, true),
    ("少于", Comparison::Less, false, true),
    ("等于", Comparison::Equal, false, true),
    (">=", Comparison::AtLeast, true, false),
    ("=>", Comparison::AtLeast, true, false),
    ("<=", Comparison::AtMost, true, false),
    ("=<", Comparison::AtMost, true, false),
    (">", Comparison::More, true, false),
    ("<", Comparison::Less, true, false),
    ("＞", Comparison::More, false, false),
    ("＜", Comparison::Less, false, false),
];

const SIGNS: [(char, Comparison); 7] = [
    ('≥', Comparison::AtLeast),
    ('≧', Comparison::AtLeast),
    ('⩾', Comparison::AtLeast),
    ('≤', Comparison::AtMost),
    ('≦', Comparison::AtMost),
    ('⩽', Comparison::AtMost),
    ('=', Comparison::Equal),
];

/// Where a unit ends and what the words after it mean.
const TRAILING: [(&str, Option<Comparison>); 12] = [
    ("及以上", Some(Comparison::AtLeast)),
    ("以上", Some(Comparison::AtLeast)),
    ("以下", Some(Comparison::AtMost)),
    ("以内", Some(Comparison::AtMost)),
    ("之内", Some(Comparison::AtMost)),
    ("内", Some(Comparison::AtMost)),
    ("左右", None),
    ("（含", None),
    ("(含", None),
    ("，", None),
    ("；", None),
    ("。", None),
];

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn starts_number(text: &str) -> bool {
    text.chars().next().and_then(digit).is_some()
}

/// Reads a number (`1,000`, `95.5`, `１２`) at the start of `text`: thousandths and the rest.
fn number(text: &str) -> Option<(i64, &str)> {
    let mut milli: i64 = 0;
    let mut fraction_digits: Option<u32> = None;
    let mut end = 0;
    let mut any = false;
    for (at, c) in text.char_indices() {
        if let Some(d) = digit(c) {
            any = true;
            match fraction_digits {
                None => milli = milli.checked_mul(10)?.checked_add(i64::from(d) * 1000)?,
                Some(n) if n < 3 => {
                    milli = milli.checked_add(i64::from(d) * 10_i64.pow(2 - n))?;
                    fraction_digits = Some(n + 1);
                }
                Some(_) => {}
            }
        } else if (c == '.' || c == '．') && fraction_digits.is_none() && any {
            let next_is_digit = text[at + c.len_utf8()..]
                .chars()
                .next()
                .and_then(digit)
                .is_some();
            if !next_is_digit {
                break;
            }
            fraction_digits = Some(0);
        } else if (c == ',' || c == '，') && any && fraction_digits.is_none() {
            let rest = &text[at + c.len_utf8()..];
            let group = rest.chars().take_while(|c| digit(*c).is_some()).count();
            if group != 3 {
                break;
            }
        } else {
            break;
        }
        end = at + c.len_utf8();
    }
    any.then(|| (milli, &text[end..]))
}

/// Placeholders where a number should be; the first five also end the words before a number.
const PLACEHOLDERS: [&str; 8] = ["**", "＊＊", "XX", "xx", "××", "*", "＊", "X"];
const RANGE_MARKS: [char; 8] = ['-', '~', '～', '—', '－', '–', '至', '到'];

/// Reads a value as written.
pub fn read(text: &str) -> Reading<'_> {
    let mut reading = Reading::default();
    let text = text.trim();
    // Words before the comparison or number: 全年, 提高 …
    let start = text
        .char_indices()
        .find(|(at, c)| {
            digit(*c).is_some()
                || SIGNS.iter().any(|(s, _)| s == c)
                || LEADING.iter().any(|(w, _, _, needs)| {
                    text[*at..].starts_with(w)
                        && (!needs || starts_number(text[*at + w.len()..].trim_start()))
                })
                || PLACEHOLDERS[..5].iter().any(|p| text[*at..].starts_with(p))
        })
        .map_or(text.len(), |(at, _)| at);
    reading.lead = text[..start].trim();
    let mut rest = &text[start..];
    if let Some((sign, comparison)) = SIGNS.iter().find(|(s, _)| rest.starts_with(*s)) {
        reading.comparison = Some(*comparison);
        rest = &rest[sign.len_utf8()..];
    } else if let Some((word, comparison, ascii, _)) =
        LEADING.iter().find(|(w, _, _, _)| rest.starts_with(w))
    {
        reading.comparison = Some(*comparison);
        reading.ascii = *ascii;
        rest = &rest[word.len()..];
    }
    rest = rest.trim_start();
    match number(rest) {
        Some((milli, after)) => {
            reading.milli = Some(milli);
            rest = after;
            if let Some(mark) = RANGE_MARKS.iter().find(|m| rest.starts_with(**m))
                && let Some((upper, after)) = number(&rest[mark.len_utf8()..])
            {
                reading.upper_milli = Some(upper);
                rest = after;
            }
        }
        None => match PLACEHOLDERS.iter().find(|p| rest.starts_with(**p)) {
            Some(p) => {
                reading.placeholder = true;
                rest = &rest[p.len()..];
            }
            None => return reading,
        },
    }
    rest = rest.trim_start();
    if let Some(milli) = reading.milli
        && is_date(milli, rest)
    {
        reading.date = true;
        return reading;
    }
    for (mark, factor) in [('万', 10_000_i64), ('亿', 100_000_000)] {
        if let Some(after) = rest.strip_prefix(mark) {
            reading.scaled = true;
            reading.milli = reading.milli.and_then(|m| m.checked_mul(factor));
            reading.upper_milli = reading.upper_milli.and_then(|m| m.checked_mul(factor));
            rest = after;
        }
    }
    let end = rest.char_indices().find_map(|(at, _)| {
        TRAILING
            .iter()
            .find(|(word, _)| rest[at..].starts_with(word))
            .map(|(_, comparison)| (at, *comparison))
    });
    let unit_end = end.map_or(rest.len(), |(at, _)| at);
    if reading.comparison.is_none() {
        reading.comparison = end.and_then(|(_, comparison)| comparison);
    }
    let unit = rest[..unit_end].trim();
    reading.unit = match unit {
        "％" => "%",
        unit => unit,
    };
    reading
}

/// `2020年12月底前`, `12月31日前`, `2020年底`: a date, not a quantity.
fn is_date(milli: i64, rest: &str) -> bool {
    let whole = milli % 1000 == 0;
    let value = milli / 1000;
    let after = |unit: &str| rest.strip_prefix(unit).map(str::trim_start);
    let date_tail = |tail: &str| {
        tail.starts_with(|c: char| digit(c).is_some())
            || ["底", "末", "前", "之前", "以前"]
                .iter()
                .any(|w| tail.starts_with(w))
    };
    if whole && (1990..=2100).contains(&value) && after("年").is_some_and(date_tail) {
        return true;
    }
    whole && (1..=12).contains(&value) && after("月").is_some_and(date_tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (Option<Comparison>, bool, Option<i64>, &str) {
        let r = read(text);
        (r.comparison, r.ascii, r.milli, r.unit)
    }

    #[test]
    fn operators_numbers_and_units_are_read_as_written() {
        use Comparison::*;
        assert_eq!(parts("≥95%"), (Some(AtLeast), false, Some(95_000), "%"));
        assert_eq!(parts(">= 95 ％"), (Some(AtLeast), true, Some(95_000), "%"));
        assert_eq!(
            parts("不低于95%"),
            (Some(AtLeast), false, Some(95_000), "%")
        );
        assert_eq!(parts("95%以上"), (Some(AtLeast), false, Some(95_000), "%"));
        assert_eq!(parts("15天以内"), (Some(AtMost), false, Some(15_000), "天"));
        assert_eq!(
            parts("≤2000元/人"),
            (Some(AtMost), false, Some(2_000_000), "元/人")
        );
        assert_eq!(parts("10辆"), (None, false, Some(10_000), "辆"));
        assert_eq!(parts("180"), (None, false, Some(180_000), ""));
        assert_eq!(parts("250万"), (None, false, Some(2_500_000_000), ""));
        assert_eq!(
            parts("≥1,000人次"),
            (Some(AtLeast), false, Some(1_000_000), "人次")
        );
        assert_eq!(
            parts("=0.5万元"),
            (Some(Equal), false, Some(5_000_000), "元")
        );
        assert_eq!(parts("<3次"), (Some(Less), true, Some(3_000), "次"));
        assert_eq!(parts("100人左右"), (None, false, Some(100_000), "人"));
        assert_eq!(
            parts("≥20台（套）"),
            (Some(AtLeast), false, Some(20_000), "台（套）")
        );
        assert!(read("250万元").scaled);
    }

    #[test]
    fn ranges_words_placeholders_and_dates() {
        let range = read("3-5个");
        assert_eq!(
            (range.milli, range.upper_milli, range.unit),
            (Some(3000), Some(5000), "个")
        );
        let words = read("明显提升");
        assert!(!words.has_number() && words.lead == "明显提升");
        let lead = read("提高10%");
        assert_eq!(
            (lead.lead, lead.milli, lead.unit),
            ("提高", Some(10_000), "%")
        );
        assert!(read("≥**%").placeholder);
        assert!(read("XX人").placeholder);
        assert!(read("2020年12月底前").date);
        assert!(read("12月31日前").date);
        assert!(read("2020年底前完成").date);
        assert!(!read("6个月").date);
        assert!(!read("达到预期").has_number());
        assert_eq!(read("达到95%").comparison, Some(Comparison::AtLeast));
    }
}
