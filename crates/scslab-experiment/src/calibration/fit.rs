//! The fit (`scslab calibrate --fit`): the parameters of a priors file fitted jointly to the
//! targets by ABC-SMC ([`super::abc`]), then posterior predictive runs.
//!
//! Every particle is an ordinary single-threaded run of the scenario with the particle's values
//! written into its text (as a sweep's design point), through the worker pool of sweeps. The
//! distance of a run to the targets is the root mean square of `(simulated - sourced) / sd` over
//! the targets whose role is `fit`; the `holdout` targets are only compared.
//!
//! Common random numbers: every particle of a generation runs with the same seed (the
//! generation's), so that particles are ranked on their parameters rather than on their luck;
//! generations use different seeds, so that the posterior is not fitted to one realisation.
//! Posterior predictive run `r` uses replication seed `r` of the base seed, the seed of
//! replication `r` of `scslab calibrate` without `--fit`.
//!
//! Resumable: each finished generation is written atomically into the folder
//! (`generation-NNN.json`, values stored as their bits so that a resumed fit continues exactly);
//! run again into the same folder, a fit reads the generations already there and continues from
//! the next. `fit-plan.json`, written before the first run, holds the fingerprint of the inputs
//! and settings; a folder started by another fit is refused.

use std::path::{Path, PathBuf};

use scslab_scenario::Scenario;

use super::abc::{self, AbcConfig, Generation, Particle, summary};
pub use super::posterior::{Fit, PosteriorRow};
use super::priors::{self, Prior};
use super::{
    CalibrationConfig, CalibrationError, CalibrationProgress, MAX_PREDICTIVE_BYTES, QUANTITIES, Role,
    check_population, inputs, run_all, sized, summarise, target_days,
};
use crate::design::{SplitMix64, Streams, fingerprint, replication_seed};
use crate::pool;

/// Default particles of generation 0.
pub const DEFAULT_PARTICLES: usize = 64;
/// Default particles kept after each generation.
pub const DEFAULT_KEEP: usize = 32;
/// Default stopping rule: stop once at most this share of new particles beat the last
/// tolerance (Lenormand et al. 2013 use 0.01-0.1; a larger value stops sooner).
pub const DEFAULT_MIN_ACCEPTANCE: f64 = 0.1;
/// Default most generations after generation 0.
pub const DEFAULT_MAX_GENERATIONS: u32 = 6;
/// Default posterior predictive runs.
pub const DEFAULT_PREDICTIVE: u32 = 40;
/// Most particles of a generation.
pub const MAX_PARTICLES: usize = 10_000;
/// Most generations.
pub const MAX_GENERATIONS: u32 = 100;
/// Most posterior predictive runs.
pub const MAX_PREDICTIVE: u32 = 10_000;
/// Offset of the generations' seeds among the replication seeds, far above any predictive run.
const GENERATION_SEEDS: u32 = 1 << 30;

/// How to fit.
#[derive(Clone, Debug)]
pub struct FitConfig {
    /// People, seed, output folder, workers, command, scenario, targets and population, as for a
    /// calibration (`replications` is not used: see `predictive`).
    pub calibration: CalibrationConfig,
    /// The priors file; `None` is the built-in priors of `china-2020`.
    pub priors: Option<PathBuf>,
    /// Particles of generation 0.
    pub particles: usize,
    /// Particles kept after each generation; each later generation simulates
    /// `particles - keep`.
    pub keep: usize,
    /// Stopping rule: the share of new particles nearer than the last tolerance.
    pub min_acceptance: f64,
    /// Most generations after generation 0.
    pub max_generations: u32,
    /// Posterior predictive runs.
    pub predictive: u32,
}

impl Default for FitConfig {
    fn default() -> FitConfig {
        FitConfig {
            calibration: CalibrationConfig::default(),
            priors: None,
            particles: DEFAULT_PARTICLES,
            keep: DEFAULT_KEEP,
            min_acceptance: DEFAULT_MIN_ACCEPTANCE,
            max_generations: DEFAULT_MAX_GENERATIONS,
            predictive: DEFAULT_PREDICTIVE,
        }
    }
}

/// Fits, runs the posterior predictive runs and writes the files if an output folder is set.
/// Everything is checked before the first run.
pub fn fit(
    config: &FitConfig,
    progress: &(dyn Fn(CalibrationProgress) + Sync),
) -> Result<Fit, CalibrationError> {
    let c = &config.calibration;
    check_settings(config)?;
    let inputs = inputs(c.scenario.as_deref(), c.targets.as_deref())?;
    let (priors_file, priors_text) = match &config.priors {
        None => (priors::CHINA_2020_PRIORS_FILE.to_string(), priors::CHINA_2020_PRIORS.to_string()),
        Some(path) => {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .map_err(|source| scslab_scenario::ScenarioError::Read { file: file.clone(), source })?;
            (file, text)
        }
    };
    let priors = priors::parse(&priors_text, &priors_file, &inputs.scenario)?;
    if config.keep < 2 * priors.len() {
        return Err(CalibrationError::Setting(format!(
            "--keep {}: expected at least twice the {} fitted parameters (the kernel's covariance is estimated \
             from the kept particles)",
            config.keep,
            priors.len()
        )));
    }
    if !inputs.targets.iter().any(|t| t.role == Role::Fit) {
        return Err(CalibrationError::Input(scslab_scenario::ScenarioError::Invalid {
            file: inputs.targets_file.clone(),
            line: 1,
            column: 1,
            message: "no target has role `fit`: the fit would have nothing to fit".into(),
        }));
    }
    let population = check_population(c.population)?;
    let workers = pool::workers(c.workers);
    let sized = sized(&inputs.scenario, c.people, workers)?;
    check_predictive_memory(config.predictive, sized.params.days)?;
    let seed = c.seed.unwrap_or(inputs.scenario.params.seed);
    let abc = AbcConfig {
        particles: config.particles,
        keep: config.keep,
        min_acceptance: config.min_acceptance,
        max_generations: config.max_generations,
        seed,
    };
    // What a generation computes depends on these and on the generations before it, not on when
    // the search stops (`min_acceptance`, `max_generations`) nor on the predictive runs, so a
    // finished fit can be extended with more generations, or stopped sooner, in its folder.
    let print = fingerprint([
        env!("CARGO_PKG_VERSION").as_bytes(),
        sized.text.as_bytes(),
        inputs.targets_text.as_bytes(),
        priors_text.as_bytes(),
        format!("{}|{}|{}|{}|{}", c.people, seed, population, abc.particles, abc.keep).as_bytes(),
    ]);
    if let Some(dir) = &c.out_dir {
        claim(dir, &print)?;
    }
    let bounds: Vec<(f64, f64)> = priors.iter().map(Prior::bounds).collect();
    let days = target_days(&inputs.targets, inputs.start);
    let scale = population / c.people as f64;
    let fitted: Vec<usize> =
        inputs.targets.iter().enumerate().filter(|(_, t)| t.role == Role::Fit).map(|(i, _)| i).collect();
    let distance = |outputs: &[f64]| -> f64 {
        let sum: f64 = fitted
            .iter()
            .map(|&i| ((outputs[i] - inputs.targets[i].value) / inputs.targets[i].sd).powi(2))
            .sum();
        (sum / fitted.len() as f64).sqrt()
    };
    let values = |z: &[f64]| -> Vec<f64> { priors.iter().zip(z).map(|(p, &x)| p.value(x)).collect() };
    let mut generations: Vec<Generation> = Vec::new();
    let mut resumed = 0;
    loop {
        let index = generations.len() as u32;
        let previous = generations.last();
        let stored = match &c.out_dir {
            Some(dir) => read_generation(dir, index, &print)?,
            None => None,
        };
        let generation = match stored {
            Some(g) => {
                resumed += 1;
                g
            }
            None => {
                let proposals = abc::propose(&abc, &bounds, index, previous);
                let generation_seed = replication_seed(seed, GENERATION_SEEDS + index, 0, Streams::Common);
                let jobs = proposals
                    .iter()
                    .map(|z| Ok((priors::apply(&sized, &priors, &values(z))?, generation_seed)))
                    .collect::<Result<Vec<(Scenario, u64)>, CalibrationError>>()?;
                let runs = run_all(&format!("generation {index}"), &jobs, inputs.start, workers, progress)?;
                let results = runs
                    .iter()
                    .map(|r| {
                        let outputs = r.at_targets(&days, scale);
                        (distance(&outputs), outputs)
                    })
                    .collect();
                let g = abc::advance(&abc, &bounds, index, previous, proposals, results);
                if let Some(dir) = &c.out_dir {
                    super::write::generation(dir, &g, &print)?;
                }
                g
            }
        };
        let last = generation.last(&abc);
        generations.push(generation);
        if last {
            break;
        }
    }
    let kept = &generations[generations.len() - 1].kept;
    let table: toml::Table = inputs.scenario.text.parse().unwrap_or_default();
    let posterior = priors
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = |q: &Particle| p.value(q.z[i]);
            PosteriorRow {
                prior: p.clone(),
                scenario_value: scenario_value(&table, &p.key),
                mean: summary::mean(kept, &x),
                sd: summary::sd(kept, &x),
                low: summary::quantile(kept, &x, 0.025),
                median: summary::quantile(kept, &x, 0.5),
                high: summary::quantile(kept, &x, 0.975),
            }
        })
        .collect();
    let mut correlations = Vec::new();
    for i in 0..priors.len() {
        for j in i + 1..priors.len() {
            correlations.push((i, j, summary::correlation(kept, &|q| q.z[i], &|q| q.z[j])));
        }
    }
    // Posterior predictive runs: particles drawn by weight (systematic resampling from one
    // keyed uniform), each run with the replication seed of its index.
    let predictive = resample(kept, config.predictive as usize, seed);
    let predictive_values: Vec<Vec<f64>> = predictive.iter().map(|z| values(z)).collect();
    let seeds: Vec<u64> =
        (0..config.predictive).map(|r| replication_seed(seed, r, 0, Streams::Common)).collect();
    let jobs = predictive_values
        .iter()
        .zip(&seeds)
        .map(|(v, &s)| Ok((priors::apply(&sized, &priors, v)?, s)))
        .collect::<Result<Vec<(Scenario, u64)>, CalibrationError>>()?;
    let reps = run_all("posterior predictive", &jobs, inputs.start, workers, progress)?;
    let calibration = summarise(c, &inputs, sized.params.days, population, seed, seeds, &reps, true);
    let result = Fit {
        calibration,
        priors,
        priors_file,
        priors_text,
        generations,
        resumed,
        posterior,
        correlations,
        predictive: predictive_values,
        abc,
        fingerprint: print,
    };
    if let Some(dir) = &c.out_dir {
        super::write::write_fit(dir, &result)?;
    }
    Ok(result)
}

/// The settings' ranges, checked before anything is read.
fn check_settings(config: &FitConfig) -> Result<(), CalibrationError> {
    let bad = |m: String| Err(CalibrationError::Setting(m));
    if config.particles < 4 || config.particles > MAX_PARTICLES {
        return bad(format!("--particles: expected 4 to {MAX_PARTICLES}, found {}", config.particles));
    }
    if config.keep < 2 || config.keep >= config.particles {
        return bad(format!(
            "--keep: expected at least 2 and fewer than --particles ({}), found {}",
            config.particles, config.keep
        ));
    }
    if !(config.min_acceptance > 0.0 && config.min_acceptance < 1.0) {
        return bad(format!(
            "--min-acceptance: expected a share between 0 and 1, found {}",
            config.min_acceptance
        ));
    }
    if config.max_generations == 0 || config.max_generations > MAX_GENERATIONS {
        return bad(format!(
            "--generations: expected 1 to {MAX_GENERATIONS}, found {}",
            config.max_generations
        ));
    }
    if config.predictive < 2 || config.predictive > MAX_PREDICTIVE {
        return bad(format!(
            "--predictive: expected 2 to {MAX_PREDICTIVE} posterior predictive runs (a band needs two), found {}",
            config.predictive
        ));
    }
    Ok(())
}

/// The predictive runs keep every quantity every day, plus the adults: refused before any run
/// when that would take more than a quarter of the memory available or [`MAX_PREDICTIVE_BYTES`].
fn check_predictive_memory(runs: u32, days: u32) -> Result<(), CalibrationError> {
    let bytes = runs as u64 * (QUANTITIES.len() as u64 + 1) * days as u64 * 8;
    let available = scslab_output::machine_memory().map_or(u64::MAX, |m| m.available_bytes / 4);
    let limit = available.min(MAX_PREDICTIVE_BYTES);
    if bytes > limit {
        return Err(CalibrationError::PredictiveMemory { runs, bytes, limit });
    }
    Ok(())
}

/// `n` particles drawn by weight: systematic resampling, one uniform from the keyed stream.
fn resample(kept: &[Particle], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let total: f64 = kept.iter().map(|p| p.weight).sum();
    let u0 = SplitMix64::keyed(seed, 0x5052_4544).unit() / n as f64;
    let mut out = Vec::with_capacity(n);
    let (mut i, mut cumulative) = (0, kept[0].weight / total);
    for k in 0..n {
        let u = u0 + k as f64 / n as f64;
        while u > cumulative && i + 1 < kept.len() {
            i += 1;
            cumulative += kept[i].weight / total;
        }
        out.push(kept[i].z.clone());
    }
    out
}

/// The value of a dotted key in the scenario as read (NaN if it is not a number).
fn scenario_value(table: &toml::Table, key: &str) -> f64 {
    let mut t = table.clone();
    match crate::file::slot(&mut t, key) {
        Ok(toml::Value::Float(x)) => *x,
        Ok(toml::Value::Integer(n)) => *n as f64,
        _ => f64::NAN,
    }
}

/// Takes the folder for a fit with fingerprint `print`: an empty or new folder, or one that
/// holds this very fit (to resume); anything else is refused before any run.
fn claim(dir: &Path, print: &str) -> Result<(), CalibrationError> {
    let plan = dir.join("fit-plan.json");
    if plan.is_file() {
        let found = std::fs::read_to_string(&plan)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v.get("fingerprint").and_then(|f| f.as_str()).map(str::to_string))
            .ok_or_else(|| CalibrationError::Corrupt {
                path: plan.clone(),
                message: "no fingerprint".into(),
            })?;
        if found != print {
            return Err(CalibrationError::Changed { out: dir.to_path_buf(), expected: print.into(), found });
        }
        return Ok(());
    }
    if dir.exists() {
        let folder = |message: String| CalibrationError::Folder { out: dir.to_path_buf(), message };
        if dir.is_file() {
            return Err(folder("exists and is not a folder".into()));
        }
        let entries = scslab_output::entries(dir).map_err(|e| folder(e.to_string()))?;
        if !entries.is_empty() {
            return Err(CalibrationError::Folder {
                out: dir.to_path_buf(),
                message:
                    "holds files that are not a fit to resume (no fit-plan.json); use another --out, or \
                          --overwrite for an earlier calibration"
                        .into(),
            });
        }
    }
    scslab_output::prepare_dir(dir)?;
    let plan = serde_json::json!({ "kind": "calibration-fit", "fingerprint": print });
    scslab_output::write_json(dir, "fit-plan.json", &plan)?;
    Ok(())
}

/// Generation `index` as written into `dir` by this fit, if it is there.
fn read_generation(dir: &Path, index: u32, print: &str) -> Result<Option<Generation>, CalibrationError> {
    let path = dir.join(super::write::generation_file(index));
    if !path.is_file() {
        return Ok(None);
    }
    let corrupt = |message: String| CalibrationError::Corrupt { path: path.clone(), message };
    let text = std::fs::read_to_string(&path).map_err(|e| corrupt(e.to_string()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
    if v.get("fingerprint").and_then(|f| f.as_str()) != Some(print) {
        return Err(corrupt("written by another fit (fingerprint differs)".into()));
    }
    super::write::parse_generation(&v).map(Some).ok_or_else(|| corrupt("malformed generation".into()))
}
