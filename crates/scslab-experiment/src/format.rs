//! Numbers for a lay reader: counts without decimals and with thousands separators, money in
//! yuan with separators or an M/B suffix, shares as percentages, differences of shares in
//! percentage points, and "n/a" for anything undefined (never `NaN`, never `4.2e7`).
//!
//! Used by `audit.md` and `calibration.md`; the CLI may use it for its tables.

/// What is shown for an undefined number (an empty or NaN value).
pub const NA: &str = "n/a";

/// `1234567` as `1,234,567`: the integer part of a non-negative number.
fn separated(mut n: u128) -> String {
    let mut groups = Vec::new();
    loop {
        groups.push(n % 1000);
        n /= 1000;
        if n == 0 {
            break;
        }
    }
    let mut out = groups.pop().unwrap_or(0).to_string();
    while let Some(g) = groups.pop() {
        out.push_str(&format!(",{g:03}"));
    }
    out
}

/// A whole number with thousands separators (`1,234,567`), rounded; "n/a" if undefined.
pub fn count(x: f64) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    let r = x.round();
    let sign = if r < 0.0 { "-" } else { "" };
    format!("{sign}{}", separated(r.abs() as u128))
}

/// Three significant digits, without exponent: `0.000423`, `0.0423`, `4.23`, `42.3`, `423`.
fn significant(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 {
        return "0".into();
    }
    let decimals = (2 - a.log10().floor() as i32).clamp(0, 12) as usize;
    format!("{x:.decimals$}")
}

/// A plain number: thousands-separated whole number from 1,000, two decimals from 1, three
/// significant digits below; "n/a" if undefined.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        NA.into()
    } else if x.abs() >= 1000.0 {
        count(x)
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        significant(x)
    }
}

/// Money: `12,345 yuan`, `42.2 M yuan`, `2.38 B yuan`; "n/a" if undefined.
pub fn yuan(x: f64) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    let a = x.abs();
    if a >= 1e9 {
        format!("{} B yuan", significant(x / 1e9))
    } else if a >= 1e6 {
        format!("{} M yuan", significant(x / 1e6))
    } else {
        format!("{} yuan", count(x))
    }
}

/// Millions with thousands separators and two decimals (`1,234.57 M`); "n/a" if undefined.
pub fn millions(x: f64) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    let m = x / 1e6;
    let whole = m.trunc();
    let cents = ((m - whole).abs() * 100.0).round();
    let (whole, cents) = if cents >= 100.0 { (whole + m.signum(), 0.0) } else { (whole, cents) };
    let sign = if m < 0.0 && (whole != 0.0 || cents != 0.0) { "-" } else { "" };
    format!("{sign}{}.{:02} M", separated(whole.abs() as u128), cents as u32)
}

/// A share as a percentage: `35.0%`, `0.042%`; "n/a" if undefined.
pub fn percent(x: f64) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    let p = x * 100.0;
    if p == 0.0 || p.abs() >= 0.1 { format!("{p:.1}%") } else { format!("{}%", significant(p)) }
}

/// A difference of two shares in percentage points, signed: `+12.3 pp`, `-0.5 pp`, `0.0 pp`;
/// "n/a" if undefined.
pub fn points(x: f64) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    let p = x * 100.0;
    if p.abs() < 0.05 { "0.0 pp".into() } else { format!("{p:+.1} pp") }
}

/// A signed number (`+1.25`, `-1,234`) as [`number`] formats it; "n/a" if undefined.
pub fn signed(x: f64) -> String {
    if !x.is_finite() {
        NA.into()
    } else if x > 0.0 {
        format!("+{}", number(x))
    } else {
        number(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lay_formats() {
        assert_eq!(count(42_165_000.4), "42,165,000");
        assert_eq!(count(999.5), "1,000");
        assert_eq!(count(-1234.0), "-1,234");
        assert_eq!(count(0.0), "0");
        assert_eq!(count(f64::NAN), "n/a");
        assert_eq!(yuan(4.2165e7), "42.2 M yuan");
        assert_eq!(yuan(2.3767e12), "2377 B yuan");
        assert_eq!(yuan(2.3767e9), "2.38 B yuan");
        assert_eq!(yuan(12_345.0), "12,345 yuan");
        assert_eq!(yuan(f64::INFINITY), "n/a");
        assert_eq!(percent(0.35), "35.0%");
        assert_eq!(percent(0.00042), "0.0420%");
        assert_eq!(percent(0.0), "0.0%");
        assert_eq!(percent(f64::NAN), "n/a");
        assert_eq!(points(0.123), "+12.3 pp");
        assert_eq!(points(-0.005), "-0.5 pp");
        assert_eq!(number(4.2165e7), "42,165,000");
        assert_eq!(number(2.5), "2.50");
        assert_eq!(number(0.0423), "0.0423");
        assert_eq!(number(f64::NAN), "n/a");
        assert_eq!(signed(1.5), "+1.50");
        assert_eq!(millions(1_234_567_890.0), "1,234.57 M");
        assert_eq!(millions(87_079.0), "0.09 M");
        assert_eq!(millions(-2_000_000.0), "-2.00 M");
        assert_eq!(millions(f64::NAN), "n/a");
        for x in [1e-9, 0.5, 7.0, 1e5, 4.2e7, 2.4e12] {
            for s in [count(x), number(x), yuan(x), percent(x), millions(x)] {
                assert!(!s.contains('e') || s.contains("yuan"), "{s}");
                assert!(!s.contains("NaN") && !s.contains("inf"), "{s}");
            }
        }
    }
}
