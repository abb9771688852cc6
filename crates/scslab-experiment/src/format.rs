//! Numbers for a lay reader: counts without decimals and with thousands separators, money in
//! yuan with separators or an M/B suffix, shares as percentages, differences of shares in
//! percentage points, and "n/a" for anything undefined (never `NaN`, never `4.2e7`).
//!
//! Used by `audit.md` and `calibration.md`. The rules are the shared ones of
//! `scslab_output::format` (the report and the CLI use them too); this module adds `millions`
//! for the calibration's tables and short names for the audit's.

use scslab_output::format::{MINUS, Unit, difference, value};
pub use scslab_output::format::{NOT_AVAILABLE as NA, count, number, yuan};

/// Millions with thousands separators and two decimals (`1,234.57 M`); "n/a" if undefined.
pub fn millions(x: f64) -> String {
    if !x.is_finite() {
        return NA.into();
    }
    let m = x / 1e6;
    let whole = m.trunc();
    let cents = ((m - whole).abs() * 100.0).round();
    let (whole, cents) = if cents >= 100.0 { (whole + m.signum(), 0.0) } else { (whole, cents) };
    let sign = if m < 0.0 && (whole != 0.0 || cents != 0.0) { MINUS.to_string() } else { String::new() };
    format!("{sign}{}.{:02} M", count(whole.abs()), cents as u32)
}

/// A share as a percentage (`35%`, `0.042%`); "n/a" if undefined.
pub fn percent(x: f64) -> String {
    value(x, Unit::Share)
}

/// A difference of two shares in percentage points, signed (`+12.3 pp`, `−0.5 pp`); "n/a" if
/// undefined.
pub fn points(x: f64) -> String {
    difference(x, Unit::Share)
}

/// A signed number (`+1.25`, `−1,234`) as [`number`] formats it; "n/a" if undefined.
pub fn signed(x: f64) -> String {
    if x.is_finite() && x > 0.0 { format!("+{}", number(x)) } else { number(x) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lay_formats() {
        // The shared rules (separators, yuan, n/a) are tested in `scslab_output::format`.
        assert_eq!(count(42_165_000.4), "42,165,000");
        assert_eq!(yuan(4.2165e7), "¥42.2 M");
        assert_eq!(points(-0.005), "−0.5 pp");
        assert_eq!(signed(1.5), "+1.5");
        assert_eq!(signed(f64::NAN), "n/a");
        assert_eq!(millions(1_234_567_890.0), "1,234.57 M");
        assert_eq!(millions(87_079.0), "0.09 M");
        assert_eq!(millions(-2_000_000.0), "−2.00 M");
        assert_eq!(millions(f64::NAN), "n/a");
        for x in [1e-9, 0.5, 7.0, 1e5, 4.2e7, 2.4e12] {
            for s in [count(x), number(x), yuan(x), percent(x), millions(x)] {
                assert!(!s.contains('e') && !s.contains("NaN") && !s.contains("inf"), "{s}");
            }
        }
    }
}
