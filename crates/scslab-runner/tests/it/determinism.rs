//! Same scenario and seed give byte-identical outputs whatever the thread count.

use std::path::{Path, PathBuf};

use scslab_runner::{RunConfig, run};

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scslab-det-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn run_to(preset: &str, threads: usize, dir: &Path) {
    let mut s = scslab_scenario::preset(preset).unwrap();
    s.params.n_persons = 150_000; // more than two person chunks, so threads really split work
    s.params.days = 20;
    let mut cfg = RunConfig::new(s);
    cfg.threads = threads;
    cfg.out_dir = Some(dir.to_path_buf());
    run(&cfg, &mut |_| {}).unwrap();
}

#[test]
fn one_and_two_threads_give_identical_outputs() {
    for preset in ["china-2020", "integrated"] {
        let a = out_dir(&format!("{preset}-1"));
        let b = out_dir(&format!("{preset}-2"));
        run_to(preset, 1, &a);
        run_to(preset, 2, &b);
        for file in [
            "series_persons.csv",
            "series_persons_by_group.csv",
            "series_firms.csv",
            "series_firms_by_province.csv",
            "distributions.csv",
            "summary.csv",
            "series_persons.parquet",
        ] {
            let x = std::fs::read(a.join(file)).unwrap();
            let y = std::fs::read(b.join(file)).unwrap();
            assert!(x == y, "{preset}: {file} differs between 1 and 2 threads");
        }
        let manifest: String = std::fs::read_to_string(b.join("manifest.json")).unwrap();
        assert!(manifest.contains("\"threads\": 2"));
        let _ = std::fs::remove_dir_all(&a);
        let _ = std::fs::remove_dir_all(&b);
    }
}
