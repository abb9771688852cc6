//! Daily outcome counters: the layout of the per-cell counter vectors, the per-chunk
//! accumulators, and the reduction into one [`DayMetrics`].
//!
//! Every counter is an integer (money in whole yuan, shares of probability in fixed point), so
//! sums do not depend on how agents were split into chunks or threads.

use crate::params::{AuthorityKind, Params, Subject};
use crate::population::N_CELLS;
use crate::vocab::{FIRM_EVENTS, N_PROVINCES, PERSON_EVENTS};

/// Fixed-point scale of probability sums (expected criticism).
pub const FIXED_POINT: f64 = (1u64 << 24) as f64;

/// Number of wealth histogram bins (4 per doubling, from 1 yuan).
pub const WEALTH_BINS: usize = 128;

/// Names and offsets of the counters kept per cell.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    /// Column names, in order.
    pub names: Vec<String>,
}

impl Columns {
    fn add(&mut self, name: impl Into<String>) -> usize {
        self.names.push(name.into());
        self.names.len() - 1
    }

    fn add_each<'a>(&mut self, prefix: &str, names: impl IntoIterator<Item = &'a str>) -> usize {
        let first = self.names.len();
        for n in names {
            self.add(format!("{prefix}{n}"));
        }
        first
    }

    /// Number of counters.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when there are no counters.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Offsets of the person counters. Cells are (province, urban, income).
#[derive(Clone, Debug)]
pub struct PersonCols {
    /// Names.
    pub columns: Columns,
    /// Persons aged 15+ alive in the model (all are).
    pub adults: usize,
    /// True events, one per event type.
    pub true_events: usize,
    /// True events recorded by at least one authority.
    pub recorded: usize,
    /// False records.
    pub false_records: usize,
    /// Adult-days without a violation.
    pub compliant: usize,
    /// Expected criticism without fear (fixed point).
    pub desired_criticism: usize,
    /// Expected criticism with fear (fixed point).
    pub expressed_criticism: usize,
    /// Persons whose private dissent exceeds one half.
    pub private_dissenters: usize,
    /// Private dissenters who express less than half of what they would without fear.
    pub silent_dissenters: usize,
    /// Flights taken.
    pub flights: usize,
    /// Flights refused.
    pub flights_blocked: usize,
    /// High-speed trains taken.
    pub trains: usize,
    /// High-speed trains refused.
    pub trains_blocked: usize,
    /// Persons in detention.
    pub detained: usize,
    /// Working-age persons without a job.
    pub unemployed: usize,
    /// Jobs lost because the employer closed.
    pub job_loss_closure: usize,
    /// Jobs lost through job exclusion.
    pub job_loss_measure: usize,
    /// Sanctions imposed (blacklist measures at entry).
    pub sanctions: usize,
    /// Sanctions imposed on a false basis.
    pub false_sanctions: usize,
    /// Sanctions in a context unrelated to the record.
    pub spillover_sanctions: usize,
    /// Rewards granted (redlist measures at entry).
    pub rewards: usize,
    /// Fines paid, yuan.
    pub fines_yuan: usize,
    /// Rewards paid (one-off and daily), yuan.
    pub rewards_yuan: usize,
    /// Persons on at least one blacklist.
    pub blacklisted: usize,
    /// Persons on at least one redlist.
    pub redlisted: usize,
    /// Sum of wealth (wrapping i64).
    pub wealth: usize,
    /// Sum of trust (0..255 each).
    pub trust: usize,
    /// Sum of resentment.
    pub resentment: usize,
    /// Sum of fear.
    pub fear: usize,
    /// Stock of each person list.
    pub list_stock: usize,
    /// Entries into each person list.
    pub list_entries: usize,
    /// Exits from each person list.
    pub list_exits: usize,
    /// Entries on a false basis.
    pub list_false_entries: usize,
    /// Sum of score offsets of each person scheme (wrapping i64).
    pub score_sum: usize,
    /// Persons scored by each person scheme.
    pub scored: usize,
    /// Impositions of each measure.
    pub measure_applied: usize,
    /// False impositions of each measure.
    pub measure_false: usize,
    /// Spillover impositions of each measure.
    pub measure_spillover: usize,
}

/// Offsets of the firm counters. Cells are provinces.
#[derive(Clone, Debug)]
pub struct FirmCols {
    /// Names.
    pub columns: Columns,
    /// Operating firms.
    pub alive: usize,
    /// Closures today.
    pub closures: usize,
    /// True events.
    pub true_events: usize,
    /// Recorded true events.
    pub recorded: usize,
    /// False records.
    pub false_records: usize,
    /// Firm-days without a violation.
    pub compliant: usize,
    /// Fines collected, yuan.
    pub fines_yuan: usize,
    /// Value lost to measures, fines and interventions, yuan.
    pub value_lost_yuan: usize,
    /// Total value, yuan.
    pub value_yuan: usize,
    /// Operating large firms (excluding an intervention's target).
    pub large_alive: usize,
    /// Executive criticism by large firms other than a target.
    pub large_criticism: usize,
    /// Suppliers dropped for being blacklisted.
    pub partner_drops: usize,
    /// Penalties for dealing with blacklisted partners.
    pub partner_penalties: usize,
    /// Sanctions imposed.
    pub sanctions: usize,
    /// False sanctions.
    pub false_sanctions: usize,
    /// Spillover sanctions.
    pub spillover_sanctions: usize,
    /// Funds extracted by targeted enforcement, yuan.
    pub funds_extracted_yuan: usize,
    /// Firms on at least one blacklist.
    pub blacklisted: usize,
    /// Stock of each firm list.
    pub list_stock: usize,
    /// Entries into each firm list.
    pub list_entries: usize,
    /// Exits from each firm list.
    pub list_exits: usize,
    /// Sum of score offsets of each firm scheme.
    pub score_sum: usize,
    /// Impositions of each measure.
    pub measure_applied: usize,
    /// False impositions.
    pub measure_false: usize,
    /// Spillover impositions.
    pub measure_spillover: usize,
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn names_of(params: &Params, idx: &[usize]) -> Vec<String> {
    idx.iter().map(|&i| params.authorities[i].name.clone()).collect()
}

fn measure_names(params: &Params, subject: Subject) -> Vec<String> {
    params
        .measures
        .iter()
        .filter(|m| match m.effect {
            crate::params::MeasureEffect::Person(_) => subject == Subject::Person,
            crate::params::MeasureEffect::Firm(_) => subject == Subject::Firm,
        })
        .map(|m| m.name.clone())
        .collect()
}

impl PersonCols {
    /// The layout for a scenario.
    pub fn new(params: &Params) -> PersonCols {
        let mut c = Columns::default();
        let ev = || PERSON_EVENTS.iter().map(|e| e.name);
        let lists = names_of(params, &params.person_lists());
        let schemes = names_of(params, &params.person_points());
        let measures = measure_names(params, Subject::Person);
        PersonCols {
            adults: c.add("adults"),
            true_events: c.add_each("true_", ev()),
            recorded: c.add_each("recorded_", ev()),
            false_records: c.add_each("false_records_", ev()),
            compliant: c.add("compliant"),
            desired_criticism: c.add("desired_criticism_fp"),
            expressed_criticism: c.add("expressed_criticism_fp"),
            private_dissenters: c.add("private_dissenters"),
            silent_dissenters: c.add("silent_dissenters"),
            flights: c.add("flights"),
            flights_blocked: c.add("flights_blocked"),
            trains: c.add("trains"),
            trains_blocked: c.add("trains_blocked"),
            detained: c.add("detained"),
            unemployed: c.add("unemployed"),
            job_loss_closure: c.add("job_losses_closure"),
            job_loss_measure: c.add("job_losses_measure"),
            sanctions: c.add("sanctions"),
            false_sanctions: c.add("false_sanctions"),
            spillover_sanctions: c.add("spillover_sanctions"),
            rewards: c.add("rewards"),
            fines_yuan: c.add("fines_yuan"),
            rewards_yuan: c.add("rewards_yuan"),
            blacklisted: c.add("blacklisted"),
            redlisted: c.add("redlisted"),
            wealth: c.add("wealth_sum"),
            trust: c.add("trust_sum"),
            resentment: c.add("resentment_sum"),
            fear: c.add("fear_sum"),
            list_stock: c.add_each("stock_", strs(&lists)),
            list_entries: c.add_each("entries_", strs(&lists)),
            list_exits: c.add_each("exits_", strs(&lists)),
            list_false_entries: c.add_each("false_entries_", strs(&lists)),
            score_sum: c.add_each("score_offset_sum_", strs(&schemes)),
            scored: c.add_each("scored_", strs(&schemes)),
            measure_applied: c.add_each("applied_", strs(&measures)),
            measure_false: c.add_each("false_applied_", strs(&measures)),
            measure_spillover: c.add_each("spillover_applied_", strs(&measures)),
            columns: c,
        }
    }
}

impl FirmCols {
    /// The layout for a scenario.
    pub fn new(params: &Params) -> FirmCols {
        let mut c = Columns::default();
        let ev = || FIRM_EVENTS.iter().map(|e| e.name);
        let lists = names_of(params, &params.firm_lists());
        let schemes = names_of(params, &params.firm_points());
        let measures = measure_names(params, Subject::Firm);
        FirmCols {
            alive: c.add("firms_alive"),
            closures: c.add("closures"),
            true_events: c.add_each("true_", ev()),
            recorded: c.add_each("recorded_", ev()),
            false_records: c.add_each("false_records_", ev()),
            compliant: c.add("compliant"),
            fines_yuan: c.add("fines_yuan"),
            value_lost_yuan: c.add("value_lost_yuan"),
            value_yuan: c.add("value_yuan"),
            large_alive: c.add("large_firms_alive"),
            large_criticism: c.add("large_firm_criticism"),
            partner_drops: c.add("partner_drops"),
            partner_penalties: c.add("partner_penalties"),
            sanctions: c.add("sanctions"),
            false_sanctions: c.add("false_sanctions"),
            spillover_sanctions: c.add("spillover_sanctions"),
            funds_extracted_yuan: c.add("funds_extracted_yuan"),
            blacklisted: c.add("blacklisted"),
            list_stock: c.add_each("stock_", strs(&lists)),
            list_entries: c.add_each("entries_", strs(&lists)),
            list_exits: c.add_each("exits_", strs(&lists)),
            score_sum: c.add_each("score_offset_sum_", strs(&schemes)),
            measure_applied: c.add_each("applied_", strs(&measures)),
            measure_false: c.add_each("false_applied_", strs(&measures)),
            measure_spillover: c.add_each("spillover_applied_", strs(&measures)),
            columns: c,
        }
    }
}

/// Counters of one chunk (or of a whole day after reduction).
#[derive(Clone, Debug)]
pub struct Counters {
    /// `cells * width` counters, cell-major.
    pub values: Vec<u64>,
    /// Counters per cell.
    pub width: usize,
    /// Wealth histogram (persons) by [`wealth_bin`].
    pub wealth_hist: Vec<u64>,
    /// Wealth sum per histogram bin.
    pub wealth_hist_sum: Vec<u64>,
}

impl Counters {
    /// Zeroed counters for `cells` cells of `width`.
    pub fn new(cells: usize, width: usize) -> Counters {
        Counters {
            values: vec![0; cells * width],
            width,
            wealth_hist: vec![0; WEALTH_BINS],
            wealth_hist_sum: vec![0; WEALTH_BINS],
        }
    }

    /// Sets every counter to zero, keeping the allocation.
    pub fn clear(&mut self) {
        self.values.fill(0);
        self.wealth_hist.fill(0);
        self.wealth_hist_sum.fill(0);
    }

    /// Adds `x` to counter `col` of `cell`.
    #[inline(always)]
    pub fn add(&mut self, cell: usize, col: usize, x: u64) {
        let i = cell * self.width + col;
        self.values[i] = self.values[i].wrapping_add(x);
    }

    /// The counters of one cell, for a run of additions to the same cell.
    #[inline(always)]
    pub fn row_mut(&mut self, cell: usize) -> &mut [u64] {
        &mut self.values[cell * self.width..(cell + 1) * self.width]
    }

    /// Adds a signed amount (stored wrapping).
    #[inline(always)]
    pub fn add_signed(&mut self, cell: usize, col: usize, x: i64) {
        self.add(cell, col, x as u64);
    }

    /// Adds another set of counters (wrapping, so order does not matter).
    pub fn merge(&mut self, other: &Counters) {
        for (a, b) in self.values.iter_mut().zip(&other.values) {
            *a = a.wrapping_add(*b);
        }
        for (a, b) in self.wealth_hist.iter_mut().zip(&other.wealth_hist) {
            *a += b;
        }
        for (a, b) in self.wealth_hist_sum.iter_mut().zip(&other.wealth_hist_sum) {
            *a += b;
        }
    }

    /// Counter `col` of `cell`.
    pub fn get(&self, cell: usize, col: usize) -> u64 {
        self.values[cell * self.width + col]
    }

    /// Counters of one cell.
    pub fn cell(&self, cell: usize) -> &[u64] {
        &self.values[cell * self.width..(cell + 1) * self.width]
    }
}

/// Histogram bin of a wealth value: 0 for wealth below 1 yuan, then 4 bins per doubling.
#[inline]
pub fn wealth_bin(wealth: i32) -> usize {
    if wealth < 1 {
        return 0;
    }
    let w = wealth as u32;
    let octave = 31 - w.leading_zeros(); // floor(log2 w)
    let frac = if octave >= 2 { (w >> (octave - 2)) & 0b11 } else { (w << (2 - octave)) & 0b11 };
    (1 + octave * 4 + frac) as usize
}

/// Gini coefficient of wealth (floored at zero) from a histogram of counts and sums, taking
/// wealth as equal within a bin. Exact to within the bin width (a quarter octave).
pub fn gini_from_hist(counts: &[u64], sums: &[u64]) -> f64 {
    let n: u64 = counts.iter().sum();
    let total: f64 = sums.iter().map(|&s| s as f64).sum();
    if n == 0 || total <= 0.0 {
        return 0.0;
    }
    // Lorenz curve area by trapezoids over bins in increasing order of wealth.
    let mut cum_pop = 0.0;
    let mut cum_wealth = 0.0;
    let mut area = 0.0;
    for (&c, &s) in counts.iter().zip(sums) {
        let dp = c as f64 / n as f64;
        let dw = s as f64 / total;
        area += dp * (2.0 * cum_wealth + dw) / 2.0;
        cum_pop += dp;
        cum_wealth += dw;
    }
    let _ = cum_pop;
    1.0 - 2.0 * area
}

/// What one day produced, as integer counters per cell.
#[derive(Clone, Debug)]
pub struct DayMetrics {
    /// The day.
    pub day: u32,
    /// Person counters, [`N_CELLS`] cells of `PersonCols` width.
    pub persons: Counters,
    /// Firm counters, one cell per province.
    pub firms: Counters,
    /// Persons on some list whose listing rests on a false basis, per person list.
    pub false_list_stock: Vec<u64>,
    /// Gini of wealth (floored at zero), from the histogram.
    pub wealth_gini: f64,
}

impl DayMetrics {
    /// Zeroed metrics for a scenario.
    pub fn new(params: &Params, person: &PersonCols, firm: &FirmCols) -> DayMetrics {
        DayMetrics {
            day: 0,
            persons: Counters::new(N_CELLS, person.columns.len()),
            firms: Counters::new(N_PROVINCES, firm.columns.len()),
            false_list_stock: vec![0; params.person_lists().len()],
            wealth_gini: 0.0,
        }
    }
}

/// Whether a list is a blacklist.
pub fn is_black(params: &Params, authority: usize) -> bool {
    matches!(&params.authorities[authority].kind, AuthorityKind::List(l) if l.color == crate::params::ListColor::Black)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wealth_bins_increase_with_wealth() {
        let mut last = 0;
        for w in [0, 1, 2, 3, 4, 5, 7, 8, 100, 1000, 1_000_000, i32::MAX] {
            let b = wealth_bin(w);
            assert!(b >= last, "{w}");
            assert!(b < WEALTH_BINS);
            last = b;
        }
        assert_eq!(wealth_bin(-5), 0);
    }

    #[test]
    fn gini_of_equal_wealth_is_zero_and_of_concentrated_is_high() {
        let mut counts = vec![0u64; WEALTH_BINS];
        let mut sums = vec![0u64; WEALTH_BINS];
        counts[40] = 100;
        sums[40] = 100 * 5000;
        assert!(gini_from_hist(&counts, &sums).abs() < 1e-12);
        counts[0] = 9_900;
        assert!(gini_from_hist(&counts, &sums) > 0.98);
    }
}
