//! The sweep's, audit's and calibration's counters exist in every preset's series: a counter
//! renamed or removed in the model fails here, never becomes a silent NaN or 0.

use scslab_experiment::SERIES;
use scslab_runner::{RunConfig, run};

fn tiny_run(preset: &str) -> scslab_runner::RunOutcome {
    let mut s = scslab_scenario::preset(preset).unwrap();
    (s.params.n_persons, s.params.days) = (500, 2);
    let mut cfg = RunConfig::new(s);
    cfg.threads = 1;
    run(&cfg, &mut |_| {}).unwrap()
}

#[test]
fn every_sweep_series_is_a_column_of_every_preset() {
    for (preset, _) in scslab_scenario::PRESETS {
        let outcome = tiny_run(preset);
        for name in SERIES {
            let found = name == "wealth_gini" || outcome.series.person(name).is_some();
            assert!(found, "{preset}: the sweep's series `{name}` is no person column");
        }
        let s = scslab_scenario::preset(preset).unwrap();
        scslab_experiment::audit::counts_of(&outcome.series, &s).unwrap_or_else(|e| panic!("{preset}: {e}"));
    }
}
