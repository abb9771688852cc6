//! `scslab trace`: one agent's story from a finished run's folder; bad ids and folders without
//! a replay log are refused as bad input.

use crate::{scslab, stderr, temp};

#[test]
fn trace_tells_a_persons_and_a_companys_days_and_refuses_bad_input() {
    let dir = temp("trace");
    let run = scslab(&[
        "run",
        "--preset",
        "integrated",
        "--people",
        "5000",
        "--days",
        "30",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(dir.join("replay.bin").is_file());

    // Every adult of the integrated preset is scored; some persons have events within 30 days.
    let mut told = 0;
    for id in (0..5000).step_by(250) {
        let o = scslab(&["trace", dir.to_str().unwrap(), "--person", &id.to_string()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(out.contains(&format!("person {id} of `integrated`")), "{out}");
        told += out.contains("\n  event ") as usize;
        let rows = std::fs::read_to_string(dir.join(format!("traces/person-{id}.csv"))).unwrap();
        assert!(rows.starts_with("day,kind,what,value,detail"), "{rows}");
        let days = std::fs::read_to_string(dir.join(format!("traces/person-{id}-days.csv"))).unwrap();
        assert_eq!(days.lines().count(), 31, "a header and one line a day");
    }
    assert!(told > 0, "no traced person had an event in 30 days");

    let o = scslab(&["trace", dir.to_str().unwrap(), "--company", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("traces/company-3-days.csv").is_file());

    let o = scslab(&["trace", dir.to_str().unwrap(), "--person", "5000"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("there is no person 5000"), "{}", stderr(&o));
    let o = scslab(&["trace", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "--person or --company is required");

    std::fs::remove_file(dir.join("replay.bin")).unwrap();
    let o = scslab(&["trace", dir.to_str().unwrap(), "--person", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("replay log"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
