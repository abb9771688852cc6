//! Unit tests for the output crate: CSV text, Parquet round trip, atomicity and determinism.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use arrow_array::{Array, Float64Array, Int64Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;

use super::*;

/// A fresh, empty folder under the system temp folder, removed when dropped.
struct TestDir(PathBuf);

impl TestDir {
    fn new(tag: &str) -> TestDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("scslab-output-test-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        prepare_dir(&dir).unwrap();
        TestDir(dir)
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Sorted file names in `dir`, including hidden ones.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    v.sort();
    v
}

fn sample() -> Table {
    let mut t = Table::new("agents");
    t.push("id", ColumnData::U32(vec![0, 1, 2, 3]))
        .push("step", ColumnData::U64(vec![10, 11, u64::MAX, 0]))
        .push("delta", ColumnData::I64(vec![-5, 0, 7, i64::MIN]))
        .push("score", ColumnData::F64(vec![0.1, f64::NAN, f64::INFINITY, f64::NEG_INFINITY]))
        .push(
            "label",
            ColumnData::Str(vec!["plain".into(), "a,b".into(), "say \"hi\"".into(), "two\nlines".into()]),
        );
    t
}

fn read_parquet(path: &Path) -> Vec<RecordBatch> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    builder.build().unwrap().map(|b| b.unwrap()).collect()
}

#[test]
fn csv_text_is_exact() {
    let dir = TestDir::new("csv");
    write_table(&dir.0, &sample()).unwrap();
    let text = std::fs::read_to_string(dir.0.join("agents.csv")).unwrap();
    let expected = "id,step,delta,score,label\n\
                    0,10,-5,0.1,plain\n\
                    1,11,0,,\"a,b\"\n\
                    2,18446744073709551615,7,inf,\"say \"\"hi\"\"\"\n\
                    3,0,-9223372036854775808,-inf,\"two\nlines\"\n";
    assert_eq!(text, expected);
}

#[test]
fn csv_floats_round_trip() {
    let dir = TestDir::new("floats");
    let values = vec![1.0 / 3.0, -0.0, 1e-300, 123456.789, f64::MAX, 2.5e20];
    let mut t = Table::new("f");
    t.push("x", ColumnData::F64(values.clone()));
    write_table(&dir.0, &t).unwrap();
    let text = std::fs::read_to_string(dir.0.join("f.csv")).unwrap();
    let parsed: Vec<f64> = text.lines().skip(1).map(|l| l.parse().unwrap()).collect();
    assert_eq!(parsed.len(), values.len());
    for (a, b) in parsed.iter().zip(&values) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
}

#[test]
fn parquet_round_trip() {
    let dir = TestDir::new("parquet");
    let table = sample();
    write_table(&dir.0, &table).unwrap();
    let path = dir.0.join("agents.parquet");
    let batches = read_parquet(&path);
    assert_eq!(batches.len(), 1);
    let b = &batches[0];
    let schema = b.schema();
    let types: Vec<(&str, DataType, bool)> =
        schema.fields().iter().map(|f| (f.name().as_str(), f.data_type().clone(), f.is_nullable())).collect();
    assert_eq!(
        types,
        vec![
            ("id", DataType::UInt32, false),
            ("step", DataType::UInt64, false),
            ("delta", DataType::Int64, false),
            ("score", DataType::Float64, false),
            ("label", DataType::Utf8, false),
        ]
    );
    let col = |i: usize| b.column(i).as_any();
    let ids = col(0).downcast_ref::<UInt32Array>().unwrap();
    assert_eq!(ids.values().to_vec(), vec![0, 1, 2, 3]);
    let steps = col(1).downcast_ref::<UInt64Array>().unwrap();
    assert_eq!(steps.values().to_vec(), vec![10, 11, u64::MAX, 0]);
    let deltas = col(2).downcast_ref::<Int64Array>().unwrap();
    assert_eq!(deltas.values().to_vec(), vec![-5, 0, 7, i64::MIN]);
    let scores = col(3).downcast_ref::<Float64Array>().unwrap();
    assert_eq!(scores.value(0), 0.1);
    assert!(scores.value(1).is_nan());
    assert_eq!(scores.value(2), f64::INFINITY);
    assert_eq!(scores.value(3), f64::NEG_INFINITY);
    let labels = col(4).downcast_ref::<StringArray>().unwrap();
    let labels: Vec<&str> = labels.iter().map(|s| s.unwrap()).collect();
    assert_eq!(labels, vec!["plain", "a,b", "say \"hi\"", "two\nlines"]);
    assert_eq!(b.column(0).null_count(), 0);

    let meta =
        ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap().metadata().clone();
    for rg in meta.row_groups() {
        for c in rg.columns() {
            assert_eq!(c.compression(), Compression::SNAPPY);
        }
    }
}

#[test]
fn parquet_many_rows_in_batches() {
    let dir = TestDir::new("big");
    let n = 150_000u32;
    let mut t = Table::new("big");
    t.push("i", ColumnData::U32((0..n).collect()))
        .push("s", ColumnData::Str((0..n).map(|i| format!("s{i}")).collect()));
    write_table(&dir.0, &t).unwrap();
    let batches = read_parquet(&dir.0.join("big.parquet"));
    let mut next = 0u32;
    for b in &batches {
        let ids = b.column(0).as_any().downcast_ref::<UInt32Array>().unwrap();
        let ss = b.column(1).as_any().downcast_ref::<StringArray>().unwrap();
        for r in 0..b.num_rows() {
            assert_eq!(ids.value(r), next);
            assert_eq!(ss.value(r), format!("s{next}"));
            next += 1;
        }
    }
    assert_eq!(next, n);
}

#[test]
fn empty_table_round_trips() {
    let dir = TestDir::new("empty");
    let mut t = Table::new("none");
    t.push("a", ColumnData::U64(vec![])).push("b", ColumnData::Str(vec![]));
    assert_eq!(t.n_rows(), 0);
    assert!(t.columns[0].data.is_empty());
    write_table(&dir.0, &t).unwrap();
    assert_eq!(std::fs::read_to_string(dir.0.join("none.csv")).unwrap(), "a,b\n");
    let rows: usize = read_parquet(&dir.0.join("none.parquet")).iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 0);
}

#[test]
fn length_mismatch_writes_nothing() {
    let dir = TestDir::new("mismatch");
    let mut t = Table::new("bad");
    t.push("a", ColumnData::U32(vec![1, 2, 3])).push("b", ColumnData::F64(vec![1.0, 2.0]));
    match write_table(&dir.0, &t) {
        Err(OutputError::ColumnLength { table, column, expected, found }) => {
            assert_eq!((table.as_str(), column.as_str()), ("bad", "b"));
            assert_eq!((expected, found), (3, 2));
        }
        other => panic!("expected ColumnLength, got {other:?}"),
    }
    assert!(names(&dir.0).is_empty());
}

#[test]
fn writes_are_deterministic_and_leave_no_temp_files() {
    let dir = TestDir::new("determinism");
    let table = sample();
    write_table(&dir.0, &table).unwrap();
    let csv1 = std::fs::read(dir.0.join("agents.csv")).unwrap();
    let pq1 = std::fs::read(dir.0.join("agents.parquet")).unwrap();
    write_table(&dir.0, &table).unwrap();
    assert_eq!(csv1, std::fs::read(dir.0.join("agents.csv")).unwrap());
    assert_eq!(pq1, std::fs::read(dir.0.join("agents.parquet")).unwrap());
    write_json(&dir.0, "meta.json", &serde_json::json!({"b": 1, "a": [1.5, "x"]})).unwrap();
    write_text(&dir.0, "notes.txt", "hello\n").unwrap();
    assert_eq!(names(&dir.0), vec!["agents.csv", "agents.parquet", "meta.json", "notes.txt"]);
}

#[test]
fn json_and_text_contents() {
    let dir = TestDir::new("json");
    let value = serde_json::json!({"run": "x", "steps": 3});
    write_json(&dir.0, "summary.json", &value).unwrap();
    let text = std::fs::read_to_string(dir.0.join("summary.json")).unwrap();
    assert!(text.ends_with("}\n"));
    assert!(text.contains("\n  \"run\": \"x\""));
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, value);
    write_text(&dir.0, "log.txt", "first").unwrap();
    write_text(&dir.0, "log.txt", "second").unwrap();
    assert_eq!(std::fs::read_to_string(dir.0.join("log.txt")).unwrap(), "second");
}

#[test]
fn failed_write_removes_temp_file() {
    let dir = TestDir::new("fail");
    // A non-empty folder under the final name makes the rename fail after the temp file is written.
    std::fs::create_dir_all(dir.0.join("blocked.txt").join("inner")).unwrap();
    let err = write_text(&dir.0, "blocked.txt", "data").unwrap_err();
    match &err {
        OutputError::Io { path, .. } => assert_eq!(path, &dir.0.join("blocked.txt")),
        other => panic!("expected Io, got {other:?}"),
    }
    assert!(err.to_string().starts_with("cannot write "));
    assert_eq!(names(&dir.0), vec!["blocked.txt"]);
}

#[test]
fn missing_folder_is_an_io_error() {
    let dir = TestDir::new("missing");
    let err = write_text(&dir.0.join("nope"), "a.txt", "x").unwrap_err();
    assert!(matches!(err, OutputError::Io { .. }));
    prepare_dir(&dir.0.join("nested/deeper")).unwrap();
    write_text(&dir.0.join("nested/deeper"), "a.txt", "x").unwrap();
}

#[test]
fn proc_fields_parse() {
    let text = "Name:\tx\nVmPeak:\t  2000 kB\nVmHWM:\t    1234 kB\nHugePages_Total: 0\n";
    assert_eq!(memory::kib_field(text, "VmHWM"), Some(1234 * 1024));
    assert_eq!(memory::kib_field(text, "HugePages_Total"), Some(0));
    assert_eq!(memory::kib_field(text, "VmRSS"), None);
    assert_eq!(memory::kib_field(text, "Vm"), None);
    if cfg!(target_os = "linux") {
        assert!(peak_rss_bytes().unwrap() > 0);
        let m = machine_memory().unwrap();
        assert!(m.total_bytes >= m.available_bytes && m.total_bytes > 0);
    }
}
#[test]
fn zero_column_table_writes_both_files() {
    let dir = TestDir::new("zero");
    write_table(&dir.0, &Table::new("z")).unwrap();
    assert_eq!(std::fs::read_to_string(dir.0.join("z.csv")).unwrap(), "\n");
    assert!(read_parquet(&dir.0.join("z.parquet")).is_empty());
    assert_eq!(names(&dir.0), vec!["z.csv", "z.parquet"]);
}

/// Rows of `sample()` from `start` to `end`, as a table of the same columns.
fn sample_rows(start: usize, end: usize) -> Table {
    let mut t = Table::new("agents");
    for c in sample().columns {
        let data = match c.data {
            ColumnData::U32(v) => ColumnData::U32(v[start..end].to_vec()),
            ColumnData::U64(v) => ColumnData::U64(v[start..end].to_vec()),
            ColumnData::I64(v) => ColumnData::I64(v[start..end].to_vec()),
            ColumnData::F64(v) => ColumnData::F64(v[start..end].to_vec()),
            ColumnData::Str(v) => ColumnData::Str(v[start..end].to_vec()),
        };
        t.push(c.name, data);
    }
    t
}

#[test]
fn partial_csv_grows_by_flushed_rows_and_ends_as_the_final_csv() {
    let dir = TestDir::new("partial");
    let mut p = PartialCsv::create(&dir.0, &sample_rows(0, 0)).unwrap();
    assert_eq!(partial_file_name("agents"), "agents.csv.partial");
    assert_eq!(p.path(), dir.0.join("agents.csv.partial"));
    let read = || std::fs::read_to_string(dir.0.join("agents.csv.partial")).unwrap();
    assert_eq!(read(), "id,step,delta,score,label\n");
    p.append(&sample_rows(0, 1)).unwrap();
    p.append(&sample_rows(1, 2)).unwrap();
    assert!(p.buffered_bytes() > 0);
    assert_eq!(read(), "id,step,delta,score,label\n", "appended rows wait for the flush");
    p.flush().unwrap();
    assert_eq!(p.buffered_bytes(), 0);
    assert_eq!(read(), "id,step,delta,score,label\n0,10,-5,0.1,plain\n1,11,0,,\"a,b\"\n");
    p.append(&sample_rows(2, 4)).unwrap();
    p.sync().unwrap();
    p.flush().unwrap();
    // Header and every row: the same bytes as the finished table.
    write_table(&dir.0, &sample()).unwrap();
    assert_eq!(read(), std::fs::read_to_string(dir.0.join("agents.csv")).unwrap());
    p.remove().unwrap();
    assert_eq!(names(&dir.0), vec!["agents.csv", "agents.parquet"]);
}

#[test]
fn partial_csv_restart_keeps_exactly_the_rows_given() {
    // A run stopped after day 3 of 4 left a partial file holding rows past its checkpoint and a
    // torn last line; resumed from a checkpoint with two rows, the file starts over from those.
    let dir = TestDir::new("partial-resume");
    let mut p = PartialCsv::create(&dir.0, &sample_rows(0, 0)).unwrap();
    p.append(&sample_rows(0, 3)).unwrap();
    p.flush().unwrap();
    drop(p);
    let path = dir.0.join("agents.csv.partial");
    let mut torn = std::fs::read(&path).unwrap();
    torn.extend_from_slice(b"3,0,-92233");
    std::fs::write(&path, &torn).unwrap();
    let mut p = PartialCsv::create(&dir.0, &sample_rows(0, 2)).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "id,step,delta,score,label\n0,10,-5,0.1,plain\n1,11,0,,\"a,b\"\n"
    );
    p.append(&sample_rows(2, 4)).unwrap();
    p.flush().unwrap();
    write_table(&dir.0, &sample()).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), std::fs::read(dir.0.join("agents.csv")).unwrap());
    assert_eq!(names(&dir.0), vec!["agents.csv", "agents.csv.partial", "agents.parquet"]);
}

#[test]
fn partial_csv_refuses_rows_of_other_columns() {
    let dir = TestDir::new("partial-columns");
    let mut p = PartialCsv::create(&dir.0, &sample_rows(0, 1)).unwrap();
    let mut other = Table::new("agents");
    other.push("id", ColumnData::U32(vec![7]));
    match p.append(&other) {
        Err(OutputError::AppendColumns { table, expected, found }) => {
            assert_eq!(table, "agents");
            assert_eq!(expected.len(), 5);
            assert_eq!(found, vec!["id".to_string()]);
        }
        other => panic!("expected AppendColumns, got {other:?}"),
    }
    let mut ragged = sample_rows(0, 2);
    ragged.columns[3].data = ColumnData::F64(vec![1.0]);
    assert!(matches!(p.append(&ragged), Err(OutputError::ColumnLength { .. })));
    assert_eq!(p.buffered_bytes(), 0, "a refused append adds nothing");
    p.flush().unwrap();
    assert_eq!(std::fs::read_to_string(p.path()).unwrap(), "id,step,delta,score,label\n0,10,-5,0.1,plain\n");
    // Removing a file that is already gone is an error naming it.
    std::fs::remove_file(p.path()).unwrap();
    let err = p.remove().unwrap_err();
    assert!(err.to_string().contains("agents.csv.partial"), "{err}");
}
