//! The demo project end to end: the build runs, the findings are the planted ones, and the
//! analysis summary is pinned by a snapshot (tests/snapshots/demo_summary.txt). To accept a
//! deliberate change: `UPDATE_SNAPSHOTS=1 cargo test --test demo`, then review the diff.

use ftc::build::{analysis_summary, build};
use ftc::finding::{Rule, Severity};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn demo_summary_snapshot() {
    let b = build(&root().join("data")).expect("the demo builds");
    let text = analysis_summary(&b.report);
    let snap = root().join("tests/snapshots/demo_summary.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snap, &text).expect("write snapshot");
    }
    let expected = std::fs::read_to_string(&snap).expect("snapshot exists (UPDATE_SNAPSHOTS=1 to create it)");
    assert_eq!(text, expected, "the demo's analysis summary changed; review and UPDATE_SNAPSHOTS=1 if intended");
}

#[test]
fn demo_findings_are_the_planted_defects() {
    let b = build(&root().join("data")).expect("the demo builds");
    let ds = &b.dataset;
    assert_eq!(ds.count(Severity::Error), 0);
    let mut seen: Vec<(Rule, String)> = ds
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| (f.rule, format!("{}", f.location)))
        .collect();
    seen.sort();
    let q3 = "submissions/2026-Q3";
    assert_eq!(
        seen,
        vec![
            (Rule::CascadeOrder, format!("{q3}/12-phnom-penh/cascade.xlsx › Cascade › G27")),
            (Rule::TotalsMismatch, format!("{q3}/01-banteay-meanchey/cascade.xlsx › Cascade › F74")),
            (Rule::TotalsMismatch, format!("{q3}/02-battambang/Cascade_BTB_Q3 final (2).xlsx › Cascade › E110")),
            (Rule::LateSubmission, format!("{q3}/17-siem-reap/SR budget 2026Q3.xlsx › Budget › B4")),
            (Rule::LateSubmission, format!("{q3}/17-siem-reap/SR cascade 2026Q3.xlsx › Cascade › B4")),
        ]
    );
    assert!(
        ds.findings.iter().any(|f| f.message_id == "note.code-padded" && f.location.place().as_deref() == Some("A9"))
    );
    // All four provinces, both periods, every commune of the geography in the cascade.
    let geo = &b.project.geography;
    for p in ["01", "02", "12", "17"] {
        let communes = geo.communes_of_province(p).count();
        for period in &b.report.periods {
            let pr = &b.report.by_period[period];
            let with_data = pr.communes.values().filter(|c| c.code.starts_with(p) && c.cascade.is_some()).count();
            assert_eq!(with_data, communes, "{p} {period}");
        }
    }
}

#[test]
fn demo_regenerates_byte_identical() {
    let dir = tempfile::tempdir().expect("tmp");
    let files = ftc::synth::write_demo(ftc::geography::Geography::builtin(), dir.path(), 2026).expect("writes");
    for f in files {
        let committed = std::fs::read(root().join("data").join(&f)).expect("committed file");
        let fresh = std::fs::read(dir.path().join(&f)).expect("fresh file");
        assert!(
            committed == fresh,
            "{} differs from what the generator writes; run `cargo run -- synth --out data`",
            f.display()
        );
    }
}
