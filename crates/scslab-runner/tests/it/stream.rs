//! Streaming: while a run goes, each series table grows day by day in `{table}.csv.partial`,
//! always a prefix of the finished CSV; at the end the finished tables are written as before and
//! no partial file is left.

use std::path::{Path, PathBuf};

use scslab_output::{ColumnData, Table};
use scslab_runner::{OUTPUT_TABLES, Progress, RunConfig, run};

/// The series tables, streamed while a run goes.
const SERIES: [&str; 4] =
    ["series_persons", "series_persons_by_group", "series_firms", "series_firms_by_province"];

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scslab-stream-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Sorted names of the files in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    v.sort();
    v
}

#[test]
fn partial_series_grow_daily_and_a_run_leaves_only_its_final_files() {
    let dir = out_dir("run");
    let mut s = scslab_scenario::preset("china-2020").unwrap();
    s.params.n_persons = 4_000;
    s.params.days = 9;
    let mut cfg = RunConfig::new(s);
    cfg.threads = 2;
    cfg.out_dir = Some(dir.clone());
    // Each day, as the progress callback sees it: the partial files' contents.
    let mut snapshots: Vec<(u32, Vec<Vec<u8>>)> = Vec::new();
    let outcome = run(&cfg, &mut |p| {
        if let Progress::Day { done } = p {
            let files = SERIES.map(|t| std::fs::read(dir.join(format!("{t}.csv.partial"))).unwrap());
            snapshots.push((done, files.to_vec()));
        }
    })
    .unwrap();
    assert_eq!(snapshots.len(), 9);

    // Only the final files are left, and no partial file.
    let mut expected: Vec<String> =
        OUTPUT_TABLES.iter().flat_map(|t| [format!("{t}.csv"), format!("{t}.parquet")]).collect();
    expected.extend(["manifest.json".into(), "scenario.toml".into(), scslab_runner::REPLAY_FILE.into()]);
    expected.sort();
    assert_eq!(names(&dir), expected);

    // The finished series files are exactly the series tables the run holds, written by the
    // output crate as a run without streaming wrote them.
    let reference = out_dir("reference");
    scslab_output::prepare_dir(&reference).unwrap();
    for table in outcome.series.tables() {
        scslab_output::write_table(&reference, &table).unwrap();
    }
    for t in SERIES {
        for ext in ["csv", "parquet"] {
            let file = format!("{t}.{ext}");
            let x = std::fs::read(dir.join(&file)).unwrap();
            assert!(x == std::fs::read(reference.join(&file)).unwrap(), "{file} differs");
        }
    }

    // Each day's partial file is the finished CSV up to that day: the header and whole rows.
    for (i, t) in SERIES.iter().enumerate() {
        let whole = std::fs::read(dir.join(format!("{t}.csv"))).unwrap();
        let lines = whole.iter().filter(|&&b| b == b'\n').count();
        let per_day = (lines - 1) / 9;
        assert_eq!(1 + 9 * per_day, lines, "{t}");
        for (done, files) in &snapshots {
            let partial = &files[i];
            assert!(whole.starts_with(partial), "{t}.csv.partial after day {done} is not a prefix");
            assert!(partial.ends_with(b"\n"), "{t}.csv.partial after day {done} ends in a torn row");
            let n = partial.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(n, 1 + *done as usize * per_day, "{t}.csv.partial after day {done}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&reference);
}

/// The rows of `table` from `start` on.
fn rows_from(table: &Table, start: usize) -> Table {
    let mut t = Table::new(table.name.clone());
    for c in &table.columns {
        let data = match &c.data {
            ColumnData::U32(v) => ColumnData::U32(v[start..].to_vec()),
            ColumnData::F64(v) => ColumnData::F64(v[start..].to_vec()),
            ColumnData::Str(v) => ColumnData::Str(v[start..].to_vec()),
            other => panic!("no series column is {other:?}"),
        };
        t.push(c.name.clone(), data);
    }
    t
}

#[test]
fn tables_since_gives_the_rows_of_the_later_days() {
    let mut s = scslab_scenario::preset("china-2020").unwrap();
    s.params.n_persons = 2_000;
    s.params.days = 3;
    let series = run(&RunConfig::new(s), &mut |_| {}).unwrap().series;
    assert_eq!(series.n_days(), 3);
    let whole = series.tables();
    for from in 0..=3 {
        for (w, t) in whole.iter().zip(series.tables_since(from)) {
            let per_day = w.n_rows() / 3;
            // Compared as text: an undefined ratio is NaN, which is not equal to itself.
            let (t, expected) = (format!("{t:?}"), format!("{:?}", rows_from(w, from * per_day)));
            assert_eq!(t, expected, "{} from day {from}", w.name);
        }
    }
    assert!(series.tables_since(99).iter().all(|t| t.n_rows() == 0));
}
