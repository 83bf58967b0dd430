//! The benchmark's national project (`ftc synth --national`): every province and every commune
//! of the geography, the cascade by sex and age group, 20 budget lines per commune, four
//! quarters; the same bytes from the same seed, and "one province changed" changing exactly
//! that province's last-quarter cascade.

use ftc::geography::Geography;
use ftc::ingest::aliases::{Field, TableKind};
use ftc::ingest::grid::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every file under `root`, relative path → bytes.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).expect("rel").to_string_lossy().into_owned();
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

fn text(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        other => other.display(),
    }
}

#[test]
fn the_national_project_covers_the_country_and_is_the_same_from_the_same_seed() {
    let geo = Geography::builtin();
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    ftc::synth::write_national(geo, &a, 7, None).expect("writes");
    ftc::synth::write_national(geo, &b, 7, Some("12")).expect("writes");
    let (fa, fb) = (files(&a), files(&b));

    // 25 provinces × 4 quarters × (cascade, budget), beside ftc.toml and geography.csv.
    let provinces: Vec<String> = geo.iter().filter(|x| x.code.len() == 2).map(|x| x.code.clone()).collect();
    assert_eq!(provinces.len(), 25);
    let mut expected: BTreeSet<String> = ["ftc.toml", "geography.csv"].map(String::from).into();
    for period in ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"] {
        for p in &provinces {
            for kind in ["cascade", "budget"] {
                expected.insert(format!("submissions/{period}/{p}/{kind}.xlsx"));
            }
        }
    }
    assert_eq!(fa.keys().cloned().collect::<BTreeSet<_>>(), expected);

    // Written twice from seed 7, every file is the same bytes but the one province changed.
    let differ: Vec<&String> = fa.keys().filter(|k| fa[*k] != fb[*k]).collect();
    assert_eq!(differ, ["submissions/2026-Q4/12/cascade.xlsx"]);
    let other_seed = dir.path().join("c");
    ftc::synth::write_national(geo, &other_seed, 8, None).expect("writes");
    assert_ne!(files(&other_seed)["submissions/2026-Q1/01/cascade.xlsx"], fa["submissions/2026-Q1/01/cascade.xlsx"]);

    // Phnom Penh's last quarter: 4 cascade rows (F/M × 0-14/15+) and 20 budget lines for each
    // of its communes, and no other area.
    let communes: BTreeSet<String> = geo.communes_of_province("12").map(|c| c.code.clone()).collect();
    assert!(communes.len() > 90, "{}", communes.len());
    let limits = ftc::project::Limits::default();
    let read = |kind: &str| {
        let path = a.join(format!("submissions/2026-Q4/12/{kind}.xlsx"));
        let file = ftc::ingest::read_file(&path, kind, &limits);
        assert_eq!(file.tables.len(), 1, "{kind}: {:?}", file.findings);
        file.tables.into_iter().next().expect("a table")
    };
    let cascade = read("cascade");
    assert_eq!(cascade.kind, TableKind::Cascade);
    let mut by_commune: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for row in &cascade.rows {
        let field = |f| row.get(f).map(|(_, c)| text(c)).unwrap_or_default();
        by_commune.entry(field(Field::AreaCode)).or_default().insert((field(Field::Sex), field(Field::AgeGroup)));
    }
    assert_eq!(by_commune.keys().cloned().collect::<BTreeSet<_>>(), communes);
    let groups: BTreeSet<(String, String)> =
        [("F", "0-14"), ("F", "15+"), ("M", "0-14"), ("M", "15+")].map(|(s, a)| (s.into(), a.into())).into();
    assert!(by_commune.values().all(|g| *g == groups));
    assert_eq!(cascade.rows.len(), 4 * communes.len());

    let budget = read("budget");
    assert_eq!(budget.kind, TableKind::Budget);
    let mut lines: BTreeMap<String, usize> = BTreeMap::new();
    for row in &budget.rows {
        *lines.entry(row.get(Field::AreaCode).map(|(_, c)| text(c)).unwrap_or_default()).or_default() += 1;
    }
    assert_eq!(lines.keys().cloned().collect::<BTreeSet<_>>(), communes);
    assert!(lines.values().all(|n| *n == 20), "{lines:?}");
}
