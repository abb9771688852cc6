//! What a fit found: the posterior of each parameter and everything the fit's files are written
//! from. Its own file so that the fit (`fit.rs`, which writes the files) and the writer
//! (`write.rs`, which reads this) do not import each other.

use super::Calibration;
use super::abc::{AbcConfig, Generation};
use super::priors::Prior;

/// A fitted parameter's posterior.
#[derive(Clone, Debug)]
pub struct PosteriorRow {
    /// The parameter and its prior.
    pub prior: Prior,
    /// Its value in the scenario as read (the hand calibration, for the built-in scenario).
    pub scenario_value: f64,
    /// Weighted mean, in the key's unit.
    pub mean: f64,
    /// Weighted standard deviation.
    pub sd: f64,
    /// 2.5% quantile.
    pub low: f64,
    /// Median.
    pub median: f64,
    /// 97.5% quantile.
    pub high: f64,
}

/// What a fit found.
#[derive(Clone, Debug)]
pub struct Fit {
    /// The posterior predictive comparison with every target (rows, trajectories).
    pub calibration: Calibration,
    /// The fitted parameters.
    pub priors: Vec<Prior>,
    /// Where the priors came from.
    pub priors_file: String,
    /// The priors file's text.
    pub priors_text: String,
    /// Every generation, from 0.
    pub generations: Vec<Generation>,
    /// Generations read back from the folder rather than run.
    pub resumed: usize,
    /// The posterior of each parameter.
    pub posterior: Vec<PosteriorRow>,
    /// Weighted correlations between the parameters in the fit's coordinates (`ln x` for a
    /// log-uniform prior): `(i, j, r)` for `i < j`.
    pub correlations: Vec<(usize, usize, f64)>,
    /// The parameter values of each posterior predictive run.
    pub predictive: Vec<Vec<f64>>,
    /// The settings.
    pub abc: AbcConfig,
    /// Fingerprint of the inputs and settings.
    pub fingerprint: String,
}
