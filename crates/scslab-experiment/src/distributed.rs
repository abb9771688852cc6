//! A sweep spread over processes or machines (the Python package's Dask sweeps): [`prepare`]
//! checks the sweep and its output folder once and lists the runs; [`run_planned`] runs one of
//! them by id, wherever the folder is visible (a shared file system on a cluster); a final
//! [`run_sweep`](crate::run_sweep) on the same folder finds every run done and combines them,
//! exactly as a sweep resumed on one machine does. Every run is the same single-threaded run
//! with the same seed as in `run_sweep`, so the combined dataset is the same.

use crate::execute::{check_folder, preflight, run_one};
use crate::file::Sweep;
use crate::plan::{RunSpec, plan};
use crate::results::is_done;
use crate::{SweepConfig, SweepError};

/// Checks that `config.workers` runs of the sweep at once (at least one) fit in this machine's
/// memory, writes `plan.json` into a new folder (or checks that an existing one was started by
/// the same sweep), and lists every run in plan order with whether it is already done.
pub fn prepare(sweep: &Sweep, config: &SweepConfig) -> Result<Vec<(RunSpec, bool)>, SweepError> {
    let runs = plan(sweep, config.streams);
    preflight(sweep, config.workers.max(1))?;
    check_folder(sweep, config, &runs)?;
    Ok(runs
        .into_iter()
        .map(|r| {
            let done = is_done(&config.out_dir, &r.id);
            (r, done)
        })
        .collect())
}

/// Runs the run `id` of the sweep into its folder (prepared by [`prepare`]; the folder's plan
/// is checked again, so a worker given another sweep file refuses). Returns `false`, running
/// nothing, when the run was already done.
pub fn run_planned(sweep: &Sweep, config: &SweepConfig, id: &str) -> Result<bool, SweepError> {
    // A worker that does not see the prepared folder (a node-local path on a cluster) must not
    // start a sweep of its own there: its runs would never reach the combine.
    if !config.out_dir.join("plan.json").is_file() {
        return Err(SweepError::Folder {
            out: config.out_dir.clone(),
            message: "has no plan.json: the folder prepared for this sweep is not visible here (on a \
                      cluster, the output folder must be on a file system every worker shares)"
                .to_string(),
        });
    }
    let runs = plan(sweep, config.streams);
    check_folder(sweep, config, &runs)?;
    let Some(spec) = runs.iter().find(|r| r.id == id) else {
        return Err(SweepError::Folder {
            out: config.out_dir.clone(),
            message: format!("sweep `{}` has no run `{id}` ({} runs)", sweep.name, runs.len()),
        });
    };
    if is_done(&config.out_dir, id) {
        return Ok(false);
    }
    run_one(sweep, &config.out_dir, spec)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs spread over `run_planned` calls, then combined by `run_sweep`, give the summary a
    /// sweep run in one call gives.
    #[test]
    fn planned_runs_combine_to_the_one_call_sweep() {
        let text = "name = \"t\"\nscenarios = [\"none\", \"china-2020\"]\npeople = 300\ndays = 8\n\
                    replications = 2\nseed = 3\n";
        let sweep = crate::parse(text, "t.toml", std::path::Path::new(".")).unwrap();
        let base = std::env::temp_dir().join(format!("scslab-distributed-{}", std::process::id()));
        let (one, spread) = (base.join("one"), base.join("spread"));
        let whole = crate::run_sweep(&sweep, &SweepConfig::new(one.clone()), &|_| {}).unwrap();
        let config = SweepConfig::new(spread.clone());
        // A worker that does not see the prepared folder refuses instead of starting one.
        let unseen = run_planned(&sweep, &config, "s0-p0-r0").unwrap_err().to_string();
        assert!(unseen.contains("no plan.json") && !spread.exists(), "{unseen}");
        let listed = prepare(&sweep, &config).unwrap();
        assert_eq!(listed.len(), 4);
        assert!(listed.iter().all(|(_, done)| !done));
        for (spec, _) in listed.iter().rev() {
            assert!(run_planned(&sweep, &config, &spec.id).unwrap());
        }
        assert!(!run_planned(&sweep, &config, &listed[0].0.id).unwrap(), "a done run is not run again");
        assert!(prepare(&sweep, &config).unwrap().iter().all(|(_, done)| *done));
        assert!(run_planned(&sweep, &config, "s9-p9-r9").is_err());
        let combined = crate::run_sweep(&sweep, &config, &|_| {}).unwrap();
        assert!(combined.executed.is_empty(), "every run was done before");
        assert_eq!(combined.summary.len(), whole.summary.len());
        for name in ["runs.csv", "summary.csv", "series.csv"] {
            let a = std::fs::read(one.join(name)).unwrap();
            let b = std::fs::read(spread.join(name)).unwrap();
            assert!(a == b, "{name} differs");
        }
        std::fs::remove_dir_all(&base).unwrap();
    }

    /// `kind = "points"` runs the listed points, the i-th value of every parameter together, and
    /// refuses lists of unequal length at the shorter one.
    #[test]
    fn a_points_design_lists_its_rows() {
        let text = "name = \"p\"\nscenarios = [\"china-2020\"]\npeople = 100\ndays = 5\nreplications = 2\n\
                    [design]\nkind = \"points\"\n\
                    [[parameter]]\nkey = \"behaviour.fear_perception\"\nvalues = [0.1, 0.5, 0.9]\n\
                    [[parameter]]\nkey = \"behaviour.deterrence_weight\"\nvalues = [0.0, 0.2, 0.1]\n";
        let sweep = crate::parse(text, "p.toml", std::path::Path::new(".")).unwrap();
        assert_eq!(sweep.points, vec![vec![0.1, 0.0], vec![0.5, 0.2], vec![0.9, 0.1]]);
        assert_eq!(sweep.budget.runs, 6);
        let bad = text.replace("[0.0, 0.2, 0.1]", "[0.0, 0.2]");
        let e = crate::parse(&bad, "p.toml", std::path::Path::new(".")).unwrap_err().to_string();
        assert!(e.contains("p.toml:13:10:") && e.contains("expected 3 values"), "{e}");
    }
}
