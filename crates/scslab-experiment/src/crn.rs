//! What common random numbers gain: the same sweep run twice, once with common seeds (paired
//! differences) and once with independent streams per scenario (Welch's unpaired differences),
//! and the half-widths of the 95% intervals of each difference compared.

use scslab_output::{ColumnData, Table};

use crate::combine::RowKind;
use crate::stats::Estimate;
use crate::{Streams, Sweep, SweepConfig, SweepError, SweepProgress, run_sweep};

/// One difference (a scenario minus the baseline, at one design point, for one outcome) under
/// both stream modes.
#[derive(Clone, Debug, PartialEq)]
pub struct CrnRow {
    /// The scenario.
    pub scenario: String,
    /// The baseline (the sweep's first scenario).
    pub baseline: String,
    /// The design point.
    pub point: usize,
    /// The headline outcome's key.
    pub outcome: String,
    /// Paired difference with common random numbers.
    pub common: Estimate,
    /// Welch difference with independent streams.
    pub independent: Estimate,
    /// `independent.half_width / common.half_width`: how many times narrower the paired interval
    /// is (infinite when the paired differences do not vary at all).
    pub width_ratio: f64,
}

/// Runs the sweep into `OUT/common` (common random numbers) and `OUT/independent` (independent
/// streams), each resumable like any sweep, and writes `OUT/crn.csv`/`.parquet` with one
/// [`CrnRow`] per difference. A sweep with one scenario has no differences: the result is empty.
pub fn measure_crn(
    sweep: &Sweep,
    config: &SweepConfig,
    progress: &(dyn Fn(SweepProgress) + Sync),
) -> Result<Vec<CrnRow>, SweepError> {
    let mut common = config.clone();
    common.out_dir = config.out_dir.join("common");
    common.streams = Streams::Common;
    let mut independent = config.clone();
    independent.out_dir = config.out_dir.join("independent");
    independent.streams = Streams::Independent;
    let a = run_sweep(sweep, &common, progress)?;
    let b = run_sweep(sweep, &independent, progress)?;
    let differences = |rows: &[crate::SummaryRow]| -> Vec<crate::SummaryRow> {
        rows.iter().filter(|r| r.kind == RowKind::Difference).cloned().collect()
    };
    let rows: Vec<CrnRow> = differences(&a.summary)
        .into_iter()
        .zip(differences(&b.summary))
        .map(|(x, y)| CrnRow {
            width_ratio: y.estimate.half_width / x.estimate.half_width,
            scenario: x.scenario,
            baseline: x.baseline,
            point: x.point,
            outcome: x.outcome,
            common: x.estimate,
            independent: y.estimate,
        })
        .collect();
    let mut t = Table::new("crn");
    t.push("scenario", ColumnData::Str(rows.iter().map(|r| r.scenario.clone()).collect()));
    t.push("baseline", ColumnData::Str(rows.iter().map(|r| r.baseline.clone()).collect()));
    t.push("point", ColumnData::U32(rows.iter().map(|r| r.point as u32).collect()));
    t.push("outcome", ColumnData::Str(rows.iter().map(|r| r.outcome.clone()).collect()));
    t.push("difference_common", ColumnData::F64(rows.iter().map(|r| r.common.mean).collect()));
    t.push("half_width_common", ColumnData::F64(rows.iter().map(|r| r.common.half_width).collect()));
    t.push("difference_independent", ColumnData::F64(rows.iter().map(|r| r.independent.mean).collect()));
    t.push(
        "half_width_independent",
        ColumnData::F64(rows.iter().map(|r| r.independent.half_width).collect()),
    );
    t.push("width_ratio", ColumnData::F64(rows.iter().map(|r| r.width_ratio).collect()));
    scslab_output::write_table(&config.out_dir, &t)?;
    Ok(rows)
}
