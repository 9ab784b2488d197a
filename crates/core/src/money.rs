//! Money: always an integer number of fen (分). People type and read 万元 (up to six decimals,
//! exactly one fen) or 元 (up to two decimals); nothing here ever touches a float.

/// Fen in one yuan.
pub const FEN_PER_YUAN: i64 = 100;
/// Fen in one 万元.
pub const FEN_PER_WAN: i64 = 1_000_000;

/// Why a typed amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a decimal number.
    #[error("金额“{0}”不是有效数字")]
    NotANumber(String),
    /// More decimals than one fen allows.
    #[error("金额“{0}”的小数位数过多（万元最多6位，元最多2位）")]
    TooPrecise(String),
    /// Below zero.
    #[error("金额不能为负数")]
    Negative,
    /// Beyond what any budget holds (over one trillion yuan).
    #[error("金额过大")]
    TooLarge,
}

/// The largest amount accepted: one trillion yuan.
pub const MAX_FEN: i64 = 1_000_000_000_000 * FEN_PER_YUAN;

fn parse_scaled(text: &str, decimals: u32) -> Result<i64, AmountError> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if cleaned.starts_with('-') {
        return Err(AmountError::Negative);
    }
    let (whole, fraction) = match cleaned.split_once('.') {
        Some((w, f)) => (w, f),
        None => (cleaned.as_str(), ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err(AmountError::NotANumber(text.trim().to_owned()));
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > decimals as usize {
        return Err(AmountError::TooPrecise(text.trim().to_owned()));
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| AmountError::TooLarge)?
    };
    let mut fraction_value: i64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| AmountError::TooLarge)?
    };
    for _ in fraction.len()..decimals as usize {
        fraction_value *= 10;
    }
    let scale = 10_i64.pow(decimals);
    let total = whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction_value))
        .ok_or(AmountError::TooLarge)?;
    Ok(total)
}

/// Parses an amount typed in 万元, e.g. `273180.48` or `0.000001`.
pub fn parse_wan(text: &str) -> Result<i64, AmountError> {
    let fen = parse_scaled(text, 6)?;
    if fen > MAX_FEN {
        return Err(AmountError::TooLarge);
    }
    Ok(fen)
}

/// Parses an amount typed in 元, e.g. `1,234.56`.
pub fn parse_yuan(text: &str) -> Result<i64, AmountError> {
    let fen = parse_scaled(text, 2)?;
    if fen > MAX_FEN {
        return Err(AmountError::TooLarge);
    }
    Ok(fen)
}

fn group_thousands(whole: i64) -> String {
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats fen as 万元 with two decimals (rounded half up), grouped: `273,180.48`.
pub fn format_wan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    // Hundredths of a 万元 = 100 yuan = 10,000 fen; round half up.
    let hundredths = (fen + 5_000) / 10_000;
    format!(
        "{sign}{}.{:02}",
        group_thousands(i64::try_from(hundredths / 100).unwrap_or(i64::MAX)),
        hundredths % 100
    )
}

/// Formats fen as 万元 exactly (up to six decimals, trailing zeros dropped): `0.000001`.
pub fn format_wan_exact(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = fen / 1_000_000;
    let fraction = fen % 1_000_000;
    if fraction == 0 {
        return format!("{sign}{whole}");
    }
    let text = format!("{fraction:06}");
    format!("{sign}{whole}.{}", text.trim_end_matches('0'))
}

/// Formats fen as 元 with two decimals, grouped: `1,234.56`.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    format!(
        "{sign}{}.{:02}",
        group_thousands(i64::try_from(fen / 100).unwrap_or(i64::MAX)),
        fen % 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_seed_total_is_exact() {
        assert_eq!(parse_wan("273180.48"), Ok(273_180_480_000));
        assert_eq!(format_wan(273_180_480_000), "273,180.48");
        assert_eq!(parse_wan("3,059"), Ok(3_059_000_000));
        assert_eq!(parse_wan("0.000001"), Ok(1));
        assert_eq!(parse_yuan("1,234.56"), Ok(123_456));
        assert_eq!(format_yuan(123_456), "1,234.56");
        assert_eq!(parse_wan(".5"), Ok(500_000));
    }

    #[test]
    fn bad_amounts_are_refused_with_reasons() {
        assert_eq!(parse_wan("-1"), Err(AmountError::Negative));
        assert!(matches!(
            parse_wan("1.0000001"),
            Err(AmountError::TooPrecise(_))
        ));
        assert!(matches!(
            parse_yuan("1.001"),
            Err(AmountError::TooPrecise(_))
        ));
        assert!(matches!(parse_wan("12万"), Err(AmountError::NotANumber(_))));
        assert!(matches!(parse_wan(""), Err(AmountError::NotANumber(_))));
        assert!(matches!(parse_wan("1e5"), Err(AmountError::NotANumber(_))));
        assert_eq!(
            parse_wan("99999999999999999999"),
            Err(AmountError::TooLarge)
        );
        assert_eq!(parse_wan("100000001"), Err(AmountError::TooLarge));
        assert_eq!(parse_yuan("1.10"), Ok(110));
    }

    #[test]
    fn rounding_for_display_is_half_up() {
        assert_eq!(format_wan(4_999), "0.00");
        assert_eq!(format_wan(5_000), "0.01");
        assert_eq!(format_wan(1_000_000), "1.00");
        assert_eq!(format_wan_exact(1_200_000), "1.2");
        assert_eq!(format_wan_exact(3_059_000_000), "3059");
    }

    proptest! {
        #[test]
        fn exact_wan_round_trips(fen in 0i64..=MAX_FEN) {
            prop_assert_eq!(parse_wan(&format_wan_exact(fen)), Ok(fen));
        }

        #[test]
        fn yuan_round_trips(fen in 0i64..=MAX_FEN) {
            prop_assert_eq!(parse_yuan(&format_yuan(fen)), Ok(fen));
        }
    }
}
