//! Numbers as text for a reader: the one place where a value becomes the words on a page, in a
//! Markdown file or in a terminal table (the report, the audit's and calibration's Markdown and
//! the CLI all write numbers through it).
//!
//! Every headline outcome has a [`Unit`] (the `unit` column of `summary.csv` and
//! `comparison.csv`); [`value`] writes a value in its unit and [`difference`] a signed difference.
//! The rules, for every unit:
//! - a value that is not finite (NaN, an empty CSV field, an undefined ratio) is `n/a`, and so is
//!   any difference involving one; never `0`;
//! - never scientific notation, never SI suffixes like `G`: counts are whole numbers with
//!   thousands separators, money is in yuan with separators below a million and `M` / `B` above;
//! - rates carry their unit in words ("per 1,000 adults a year");
//! - shares are percentages, their differences percentage points (`pp`);
//! - negative numbers use the minus sign `−` (U+2212), positive differences a `+`.

/// The unit of a headline outcome, as written in the `unit` column of summary.csv / comparison.csv.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A fraction between 0 and 1, shown as a percentage.
    Share,
    /// A number of people, firms, records or events.
    Count,
    /// An amount of money in yuan.
    Yuan,
    /// Events per 1,000 adults per year.
    Per1000AdultsYear,
    /// A stock per 100,000 adults.
    Per100kAdults,
    /// One quantity divided by another (e.g. false records per true record).
    Ratio,
    /// A dimensionless index (e.g. a Gini coefficient).
    Index,
    /// Events per firm per year.
    PerFirmYear,
}

impl Unit {
    /// Every unit, in declaration order.
    pub const ALL: [Unit; 8] = [
        Unit::Share,
        Unit::Count,
        Unit::Yuan,
        Unit::Per1000AdultsYear,
        Unit::Per100kAdults,
        Unit::Ratio,
        Unit::Index,
        Unit::PerFirmYear,
    ];

    /// The unit written as `key` in a CSV file, or `None` for an unknown key.
    pub fn from_key(key: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.key() == key.trim())
    }

    /// The key of the unit in a CSV file (the inverse of [`Unit::from_key`]).
    pub fn key(self) -> &'static str {
        match self {
            Unit::Share => "share",
            Unit::Count => "count",
            Unit::Yuan => "yuan",
            Unit::Per1000AdultsYear => "per_1000_adults_year",
            Unit::Per100kAdults => "per_100k_adults",
            Unit::Ratio => "ratio",
            Unit::Index => "index",
            Unit::PerFirmYear => "per_firm_year",
        }
    }

    /// The unit in words, for an axis or a column heading ("% of adults" is left to the caller:
    /// this says only what the number measures).
    pub fn label(self) -> &'static str {
        match self {
            Unit::Share => "percent",
            Unit::Count => "number",
            Unit::Yuan => "yuan",
            Unit::Per1000AdultsYear => "per 1,000 adults a year",
            Unit::Per100kAdults => "per 100,000 adults",
            Unit::Ratio => "ratio",
            Unit::Index => "index",
            Unit::PerFirmYear => "per firm a year",
        }
    }
}

/// What a value that is not finite is shown as.
pub const NOT_AVAILABLE: &str = "n/a";

/// The minus sign used for negative numbers (U+2212, not a hyphen).
pub const MINUS: char = '\u{2212}';

/// `x` in `unit`, for a reader: `12.3%`, `1,234,567`, `¥42.2 M`, `12.3 per 1,000 adults a year`,
/// `45 per 100,000 adults`, `1.23×`, `0.412`, `0.52 per firm a year`; `n/a` when not finite.
pub fn value(x: f64, unit: Unit) -> String {
    if !x.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    match unit {
        Unit::Share => percent(x * 100.0, "%"),
        Unit::Count => count(x),
        Unit::Yuan => yuan(x),
        Unit::Per1000AdultsYear => format!("{} per 1,000 adults a year", number(x)),
        Unit::Per100kAdults => format!("{} per 100,000 adults", number(x)),
        Unit::Ratio => format!("{}×", significant(x, 3)),
        Unit::Index => significant(x, 3),
        Unit::PerFirmYear => format!("{} per firm a year", number(x)),
    }
}

/// The signed difference `x` in `unit`: `+1.2 pp` for shares (percentage points), `+1,234` /
/// `−56` for counts, `+¥4.2 M` for money, `+0.8 per 1,000 adults a year` for rates; `0` without
/// a sign; `n/a` when not finite.
pub fn difference(x: f64, unit: Unit) -> String {
    if !x.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let magnitude = match unit {
        Unit::Share => percent(x.abs() * 100.0, " pp"),
        _ => value(x.abs(), unit),
    };
    if is_zero_text(&magnitude) {
        return magnitude;
    }
    let sign = if x < 0.0 { MINUS } else { '+' };
    format!("{sign}{magnitude}")
}

/// A count: a whole number with thousands separators (`1,234,567`, `−56`); `n/a` when not finite.
pub fn count(x: f64) -> String {
    if !x.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let r = x.round();
    let digits = grouped(r.abs());
    if r < 0.0 { format!("{MINUS}{digits}") } else { digits }
}

/// An amount of money in yuan: `¥12,300` below a million, `¥42.2 M` below a billion, `¥2.38 B`
/// above; `n/a` when not finite.
pub fn yuan(x: f64) -> String {
    if !x.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let a = x.abs();
    // Choose the suffix from the value as it will be rounded, so 999,999.6 is "¥1.00 M", not
    // "¥1,000,000", and 999.96 M is "¥1.00 B", not "¥1,000 M".
    let body = if a.round() < 1e6 {
        format!("¥{}", grouped(a.round()))
    } else if round_significant(a / 1e6, 3) < 1000.0 {
        format!("¥{} M", significant(a / 1e6, 3))
    } else {
        let b = a / 1e9;
        let digits = if round_significant(b, 3) >= 1000.0 { grouped(b.round()) } else { significant(b, 3) };
        format!("¥{digits} B")
    };
    if x < 0.0 && !is_zero_text(&body) { format!("{MINUS}{body}") } else { body }
}

/// An interval from two formatted ends, the unit words written once: "0 to 29.8 per 1,000 adults
/// a year" rather than the unit after both ends; `n/a` when either end is.
pub fn range(low: &str, high: &str) -> String {
    if low == NOT_AVAILABLE || high == NOT_AVAILABLE {
        return NOT_AVAILABLE.to_string();
    }
    const WORDS: [&str; 4] =
        [" per 1,000 adults a year", " per 100,000 adults", " per firm a year", " per million adults a year"];
    for w in WORDS {
        if let (Some(l), true) = (low.strip_suffix(w), high.ends_with(w)) {
            return format!("{l} to {high}");
        }
    }
    format!("{low} to {high}")
}

/// A number for a rate or another real quantity: whole numbers with separators from 100 up,
/// three significant digits below (`12.3`, `0.052`), `0` for zero; never scientific notation.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    if round_significant(x.abs(), 3) >= 100.0 {
        return count(x);
    }
    significant(x, 3)
}

/// A percentage `p` (already times 100) with `suffix`: one decimal from 10 up (`12.3%`), two
/// significant digits below (`4.2%`, `0.31%`, `0.012%`), `<0.01%` for a tiny non-zero share,
/// `0%` for zero.
fn percent(p: f64, suffix: &str) -> String {
    let a = p.abs();
    if a == 0.0 {
        return format!("0{suffix}");
    }
    if a < 0.01 {
        let sign = if p < 0.0 { MINUS.to_string() } else { String::new() };
        return format!("<{sign}0.01{suffix}");
    }
    let body = if round_significant(a, 2) >= 10.0 {
        let d = format!("{:.1}", a);
        trim_zeros(&d)
    } else {
        significant(a, 2)
    };
    if p < 0.0 { format!("{MINUS}{body}{suffix}") } else { format!("{body}{suffix}") }
}

/// `x` to `digits` significant digits, written without exponent and without trailing zeros
/// after the decimal point; whole numbers of 1,000 and more get thousands separators.
fn significant(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x.is_finite() { "0".to_string() } else { NOT_AVAILABLE.to_string() };
    }
    let r = round_significant(x.abs(), digits);
    let magnitude = r.log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let body = if decimals == 0 { grouped(r) } else { trim_zeros(&format!("{r:.decimals$}")) };
    if x < 0.0 && body != "0" { format!("{MINUS}{body}") } else { body }
}

/// `x` (non-negative) rounded to `digits` significant digits.
fn round_significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let magnitude = x.log10().floor() as i32;
    let scale = 10f64.powi(digits - 1 - magnitude);
    let r = (x * scale).round() / scale;
    // Rounding can carry into the next power of ten (9.996 -> 10.0): fine, the value is exact.
    if r.is_finite() { r } else { x }
}

/// A non-negative whole number with thousands separators: `1,234,567`.
fn grouped(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `12.30` -> `12.3`, `4.00` -> `4`.
fn trim_zeros(s: &str) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s.to_string() }
}

/// Whether a formatted number reads as zero (so it gets no sign).
fn is_zero_text(s: &str) -> bool {
    !s.contains('<') && !s.chars().any(|c| c.is_ascii_digit() && c != '0')
}

/// The civil date (year, month, day) of a day count since 1970-01-01 (Hinnant's algorithm), for
/// showing the days of a run as dates.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_keys_round_trip() {
        for u in Unit::ALL {
            assert_eq!(Unit::from_key(u.key()), Some(u));
        }
        assert_eq!(Unit::from_key("per_1000_adults_year"), Some(Unit::Per1000AdultsYear));
        assert_eq!(Unit::from_key("furlongs"), None);
        assert_eq!(Unit::from_key(""), None);
    }

    #[test]
    fn counts_are_whole_with_separators() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(7.0), "7");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(1000.0), "1,000");
        assert_eq!(count(1_234_567.0), "1,234,567");
        assert_eq!(count(1_234_567.4), "1,234,567");
        assert_eq!(count(999_999.6), "1,000,000");
        assert_eq!(count(42_165_000.0), "42,165,000");
        assert_eq!(count(1.41e9), "1,410,000,000");
        assert_eq!(count(-56.0), "−56");
        assert_eq!(count(-1234.0), "−1,234");
        assert_eq!(count(-0.2), "0");
        assert_eq!(count(f64::NAN), "n/a");
        assert_eq!(count(f64::INFINITY), "n/a");
        assert_eq!(value(123.7, Unit::Count), "124");
    }

    #[test]
    fn money_is_in_yuan_with_separators_or_suffixes() {
        assert_eq!(yuan(0.0), "¥0");
        assert_eq!(yuan(12_300.0), "¥12,300");
        assert_eq!(yuan(999_999.4), "¥999,999");
        assert_eq!(yuan(999_999.6), "¥1 M");
        assert_eq!(yuan(42_165_000.0), "¥42.2 M");
        assert_eq!(yuan(1_500_000.0), "¥1.5 M");
        assert_eq!(yuan(999_960_000.0), "¥1 B");
        assert_eq!(yuan(2_376_700_000.0), "¥2.38 B");
        assert_eq!(yuan(2_376_700_000_000.0), "¥2,377 B");
        assert_eq!(yuan(-4_200_000.0), "−¥4.2 M");
        assert_eq!(yuan(f64::NAN), "n/a");
        assert_eq!(value(4.2165e7, Unit::Yuan), "¥42.2 M");
    }

    #[test]
    fn shares_are_percentages() {
        assert_eq!(value(0.123, Unit::Share), "12.3%");
        assert_eq!(value(0.5, Unit::Share), "50%");
        assert_eq!(value(1.0, Unit::Share), "100%");
        assert_eq!(value(0.042, Unit::Share), "4.2%");
        assert_eq!(value(0.0031, Unit::Share), "0.31%");
        assert_eq!(value(0.0999, Unit::Share), "10%");
        assert_eq!(value(0.09949, Unit::Share), "9.9%");
        assert_eq!(value(0.000_001, Unit::Share), "<0.01%");
        assert_eq!(value(0.0, Unit::Share), "0%");
        assert_eq!(value(f64::NAN, Unit::Share), "n/a");
    }

    #[test]
    fn rates_ratios_and_indices_carry_their_unit() {
        assert_eq!(value(12.345, Unit::Per1000AdultsYear), "12.3 per 1,000 adults a year");
        assert_eq!(value(45.2, Unit::Per100kAdults), "45.2 per 100,000 adults");
        assert_eq!(value(1234.5, Unit::Per100kAdults), "1,235 per 100,000 adults");
        assert_eq!(value(1.234, Unit::Ratio), "1.23×");
        assert_eq!(value(0.41234, Unit::Index), "0.412");
        assert_eq!(value(0.5204, Unit::PerFirmYear), "0.52 per firm a year");
        assert_eq!(value(0.000_123_4, Unit::Index), "0.000123");
        assert_eq!(value(f64::INFINITY, Unit::Ratio), "n/a");
    }

    #[test]
    fn differences_are_signed() {
        assert_eq!(difference(0.012, Unit::Share), "+1.2 pp");
        assert_eq!(difference(-0.2, Unit::Share), "−20 pp");
        assert_eq!(difference(0.0, Unit::Share), "0 pp");
        assert_eq!(difference(1234.0, Unit::Count), "+1,234");
        assert_eq!(difference(-56.0, Unit::Count), "−56");
        assert_eq!(difference(0.3, Unit::Count), "0");
        assert_eq!(difference(4.2e6, Unit::Yuan), "+¥4.2 M");
        assert_eq!(difference(-3.0e9, Unit::Yuan), "−¥3 B");
        assert_eq!(difference(0.8, Unit::Per1000AdultsYear), "+0.8 per 1,000 adults a year");
        assert_eq!(difference(f64::NAN, Unit::Count), "n/a");
        assert_eq!(difference(f64::NEG_INFINITY, Unit::Share), "n/a");
    }

    #[test]
    fn ranges_write_the_unit_words_once() {
        let (lo, hi) = (value(0.0, Unit::Per1000AdultsYear), value(29.8, Unit::Per1000AdultsYear));
        assert_eq!(range(&lo, &hi), "0 to 29.8 per 1,000 adults a year");
        assert_eq!(range("12%", "14%"), "12% to 14%");
        assert_eq!(range("n/a", "14%"), "n/a");
    }

    #[test]
    fn no_scientific_notation_or_si_suffixes_anywhere() {
        let xs = [0.0, 1e-9, 3.3e-5, 0.5, 1.0, 99.95, 999.5, 1e5, 4.2165e7, 2.3767e12, 1e15, -7.7e8];
        for u in Unit::ALL {
            for x in xs {
                for s in [value(x, u), difference(x, u)] {
                    let b = s.as_bytes();
                    let exponent = (1..b.len()).any(|i| b[i] == b'e' && b[i - 1].is_ascii_digit());
                    assert!(!exponent, "{s}");
                    assert!(!s.contains("E") && !s.contains('G'), "{s}");
                    assert!(!s.contains("NaN") && !s.contains("inf"), "{s}");
                }
            }
        }
        assert_eq!(number(3.3e-5), "0.000033");
        assert_eq!(number(99.95), "100");
    }
}
