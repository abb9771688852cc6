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

/// The warm start's factor `share * A / W` adds the weights one by one in id order, as a plain
/// loop does, on any number of threads (2.5 M persons: several blocks of weights, the last one
/// partial).
#[test]
fn warm_start_sums_weights_in_id_order_on_any_thread_count() {
    use scslab_model::params::AuthorityKind;
    use scslab_model::population::{Layout, person_traits};
    use scslab_model::tables::Plan;

    let mut s = scslab_scenario::preset("china-2020").unwrap();
    s.params.n_persons = 2_500_000;
    let p = &s.params;
    let (plan, layout) = (Plan::new(p), Layout::new(p));
    let n = layout.n_persons() as u32;
    let (mut adults, mut total) = (0u64, 0.0f64);
    for id in 0..n {
        let t = person_traits(p, &layout, id);
        if t.is_adult() {
            adults += 1;
            total += 2.0 * (1.0 - t.law_abidance as f64) * (1.6 - 0.3 * t.income as f64);
        }
    }
    let expected: Vec<u64> = plan
        .person_lists
        .iter()
        .map(|&a| match &p.authorities[a].kind {
            AuthorityKind::List(rule) if rule.initial_share > 0.0 => {
                rule.initial_share * adults as f64 / total
            }
            _ => 0.0,
        })
        .map(f64::to_bits)
        .collect();
    assert!(expected.iter().any(|&x| x != 0), "china-2020 has a warm start");
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let scales = pool.install(|| scslab_model::lists::initial_scales(p, &plan, &layout, n));
        assert_eq!(scales.into_iter().map(f64::to_bits).collect::<Vec<_>>(), expected, "{threads} threads");
    }
}
