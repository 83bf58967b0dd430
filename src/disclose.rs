//! Disclose stage: [`Report`] + [`Audience`] → [`Report`]. Small-cell suppression for the public
//! audience; the internal audience gets the report unchanged.
//!
//! The cells are the five counts (PLHIV, diagnosed, on ART, VL tested, suppressed) of every area
//! in every period. The public site publishes them for the initiative, provinces, districts and
//! communes, and each parent's count is the sum of its children's wherever the data make it so:
//! those sums are the linear relations an attacker has. (Breakdowns by sex and age are not
//! published, so they add no relation.) The method:
//!
//! 1. **Primary**: a count from 1 to below the threshold is hidden and shown as "<5". A count
//!    hidden in an earlier edition of the same site is hidden again (so two editions side by
//!    side cannot reveal by difference what each hides alone).
//! 2. **Complementary**: wherever a sum has exactly one hidden cell, or its hidden cells' known
//!    bounds (1–4 for a small count, at least 0 for a withheld one) pin one of them to a single
//!    value, the smallest other non-zero cell of the sum is withheld too (shown as "*").
//! 3. **Audit**: the hidden cells of each connected set of sums are solved exactly (Gaussian
//!    elimination); any hidden cell the published cells determine gets another cell of one of
//!    its sums withheld, and the audit runs again until none is determined.
//! 4. **Derived figures**: every percentage and people gap computed from a hidden count is
//!    hidden; bottlenecks, ranks and period-on-period changes that quote one are left out; the
//!    values and numbers quoted in data-quality findings are withheld.
//!
//! Budget figures are money, not people, and are never suppressed.

use crate::analyse::bottleneck::Kind;
use crate::analyse::cascade::{Count, Figure, Mark};
use crate::analyse::{AreaReport, INITIATIVE, PeriodReport, Report};
use crate::finding::Finding;
use crate::period::Period;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Who an edition is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Audience {
    /// The published site: small counts suppressed.
    #[default]
    Public,
    /// The workshop room: full numbers, never published.
    Internal,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Internal => "internal",
        }
    }
    pub fn parse(s: &str) -> Option<Audience> {
        match s {
            "public" => Some(Audience::Public),
            "internal" => Some(Audience::Internal),
            _ => None,
        }
    }
}

/// A count of an area in a period.
pub type CellKey = (Period, String, Count);

/// What suppression did, for the methodology note and the build's summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Disclosure {
    pub threshold: u64,
    /// Counts shown as "<threshold".
    pub small: usize,
    /// Counts withheld so that the small ones cannot be worked out.
    pub withheld: usize,
    /// Derived figures (percentages and gaps) hidden with them.
    pub figures: usize,
    /// Bottlenecks left out because they quote a hidden figure.
    pub bottlenecks: usize,
}

/// Apply the audience's disclosure rules. `prior` holds the cells hidden in earlier editions.
pub fn disclose(report: &mut Report, audience: Audience, threshold: u64, prior: &BTreeSet<CellKey>) {
    if audience == Audience::Internal {
        return;
    }
    let threshold = threshold.max(1);
    // Each period is disclosed on its own (the cells hidden before are read, never changed):
    // in parallel, the counts added up after.
    use rayon::prelude::*;
    let d = report.by_period.par_iter_mut().map(|(_, pr)| disclose_period(pr, threshold, prior)).reduce(
        || Disclosure { threshold, ..Disclosure::default() },
        |a, b| Disclosure {
            threshold,
            small: a.small + b.small,
            withheld: a.withheld + b.withheld,
            figures: a.figures + b.figures,
            bottlenecks: a.bottlenecks + b.bottlenecks,
        },
    );
    let periods: Vec<Period> = report.by_period.keys().copied().collect();
    if let [.., prev, cur] = periods.as_slice() {
        report.changes = Some(crate::analyse::changes::compare(&report.by_period[prev], &report.by_period[cur]));
    }
    report.disclosure = Some(d);
}

/// [`disclose`] on one period's report: what it hid, counted.
fn disclose_period(pr: &mut PeriodReport, threshold: u64, prior: &BTreeSet<CellKey>) -> Disclosure {
    let mut d = Disclosure { threshold, ..Disclosure::default() };
    for k in Count::ALL {
        let mut t = Table::of(pr, k);
        t.mark_primary(threshold, |code| prior.contains(&(pr.period, code.to_string(), k)));
        t.protect(threshold);
        for (i, cell) in t.cells.iter().enumerate() {
            match t.marks[i] {
                Mark::Shown => {}
                Mark::Small => d.small += 1,
                Mark::Withheld => d.withheld += 1,
            }
            if let Some(c) = area_mut(pr, &cell.code).and_then(|a| a.cascade.as_mut()) {
                c.hidden.set(k, t.marks[i]);
                c.hidden.threshold = threshold;
            }
        }
    }
    let mut concentrated: BTreeMap<String, bool> = BTreeMap::new();
    for p in pr.provinces.values() {
        let ok = p.concentration.as_ref().is_none_or(|conc| {
            pr.communes
                .values()
                .filter(|c| c.code.starts_with(&p.code))
                .all(|c| c.cascade.as_ref().is_none_or(|x| x.figure_shown(Figure::Gap(conc.stage))))
        });
        concentrated.insert(p.code.clone(), ok);
    }
    for a in pr.areas_mut() {
        let ok = concentrated.get(&a.code).copied().unwrap_or(true);
        if !ok {
            a.concentration = None;
        }
        let before = a.bottlenecks.len();
        let cas = a.cascade.clone();
        a.bottlenecks.retain(|b| {
            let need: Option<Figure> = match &b.kind {
                Kind::LargestGap { stage } | Kind::UnspentWhereGap { stage, .. } => Some(Figure::Gap(*stage)),
                Kind::BelowTarget { stage } => Some(Figure::of_stage(*stage)),
                Kind::LowVlCoverage => Some(Figure::VlCoverage),
                Kind::GapConcentration { stage } => {
                    if !ok {
                        return false;
                    }
                    Some(Figure::Gap(*stage))
                }
                Kind::BudgetLag { .. } => None,
            };
            need.is_none_or(|f| cas.as_ref().is_some_and(|c| c.figure_shown(f)))
        });
        d.bottlenecks += before - a.bottlenecks.len();
        if let Some(c) = a.cascade.as_mut() {
            d.figures += hidden_figures(c);
            c.blank_hidden();
        }
    }
    crate::analyse::changes::assign_ranks(pr);
    d
}

fn hidden_figures(c: &crate::analyse::cascade::Cascade) -> usize {
    Figure::ALL.iter().filter(|f| !c.figure_shown(**f)).count()
}

/// Finding arguments that name places and structure, never a count: kept in public findings.
const SAFE_ARGS: &[&str] = &[
    "column",
    "code",
    "sheet",
    "limit",
    "folder",
    "row",
    "rows",
    "format",
    "size",
    "period",
    "label",
    "kind",
    "submitted",
    "province",
    "previous_period",
    "offset",
    "funding",
    "extension",
    "entry",
    "disagg",
    "deadline",
    "category",
    "activity",
    "earlier",
    "later",
];

/// Withhold the cell values and the numbers that findings quote (a finding about a commune's
/// row can quote its small counts). Where and what is wrong stays.
pub fn redact_findings(findings: &mut [Finding]) {
    for f in findings {
        if f.value.as_ref().is_some_and(|v| v.chars().any(|c| c.is_ascii_digit() || ('០'..='៩').contains(&c))) {
            f.value = Some("*".into());
        }
        for (name, v) in &mut f.args {
            if !SAFE_ARGS.contains(name) && v.chars().any(|c| c.is_ascii_digit() || ('០'..='៩').contains(&c)) {
                *v = "*".into();
            }
        }
    }
}

fn area_mut<'a>(pr: &'a mut PeriodReport, code: &str) -> Option<&'a mut AreaReport> {
    if code == INITIATIVE {
        return Some(&mut pr.initiative);
    }
    match code.len() {
        2 => pr.provinces.get_mut(code),
        4 => pr.districts.get_mut(code),
        _ => pr.communes.get_mut(code),
    }
}

/// One cell of a table: an area's count.
#[derive(Debug, Clone)]
pub struct Cell {
    pub code: String,
    pub value: u64,
}

/// One relation: the parent's count is the sum of its children's.
#[derive(Debug, Clone)]
pub struct Sum {
    pub parent: usize,
    pub children: Vec<usize>,
}

/// The cells of one count in one period, with the sums that hold among them.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub cells: Vec<Cell>,
    pub sums: Vec<Sum>,
    pub marks: Vec<Mark>,
}

impl Table {
    /// The count `k` of every area with a cascade in `pr`, and every parent = Σ children
    /// relation that holds exactly (a province with its own rows may not equal its districts).
    pub fn of(pr: &PeriodReport, k: Count) -> Table {
        let mut t = Table::default();
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        let all = std::iter::once(&pr.initiative)
            .chain(pr.provinces.values())
            .chain(pr.districts.values())
            .chain(pr.communes.values());
        for a in all {
            if let Some(c) = &a.cascade {
                index.insert(&a.code, t.cells.len());
                t.cells.push(Cell { code: a.code.clone(), value: k.get(&c.counts) });
            }
        }
        let parent_of = |code: &str| -> Option<String> {
            match code.len() {
                2 => Some(INITIATIVE.to_string()),
                4 => Some(code[..2].to_string()),
                6 => Some(code[..4].to_string()),
                _ => None,
            }
        };
        let mut children: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, c) in t.cells.iter().enumerate() {
            if c.code == INITIATIVE {
                continue;
            }
            if let Some(p) = parent_of(&c.code).and_then(|p| index.get(p.as_str()).copied()) {
                children.entry(p).or_default().push(i);
            }
        }
        for (parent, kids) in children {
            let sum: u64 = kids.iter().map(|i| t.cells[*i].value).sum();
            if sum == t.cells[parent].value {
                t.sums.push(Sum { parent, children: kids });
            }
        }
        t.marks = vec![Mark::Shown; t.cells.len()];
        t
    }

    /// Hide counts from 1 to below the threshold, and the cells `prior` says were hidden.
    pub fn mark_primary(&mut self, threshold: u64, prior: impl Fn(&str) -> bool) {
        for (i, c) in self.cells.iter().enumerate() {
            self.marks[i] = if (1..threshold).contains(&c.value) {
                Mark::Small
            } else if prior(&c.code) {
                Mark::Withheld
            } else {
                Mark::Shown
            };
        }
    }

    /// Complementary suppression until no sum exposes a hidden cell and the audit finds none.
    pub fn protect(&mut self, threshold: u64) {
        loop {
            let mut changed = false;
            for s in 0..self.sums.len() {
                let hidden = self.members(s).filter(|i| self.marks[*i] != Mark::Shown).count();
                if (hidden == 1 || (hidden > 1 && self.pinned_by_bounds(s, threshold).is_some()))
                    && self.withhold_one_more(s)
                {
                    changed = true;
                }
            }
            if changed {
                continue;
            }
            let determined = self.determined();
            let Some(&x) = determined.first() else { break };
            // Another cell of one of x's sums; the sum with the fewest hidden cells first.
            let mut sums: Vec<usize> = (0..self.sums.len()).filter(|s| self.members(*s).any(|i| i == x)).collect();
            sums.sort_by_key(|s| (self.members(*s).filter(|i| self.marks[*i] != Mark::Shown).count(), *s));
            if !sums.iter().any(|s| self.withhold_one_more(*s)) {
                break; // nothing left to hide around x: every cell of its sums is hidden already
            }
        }
    }

    fn members(&self, s: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.sums[s].parent).chain(self.sums[s].children.iter().copied())
    }

    /// Withhold the smallest non-zero shown child of sum `s` (ties by code), else its parent.
    fn withhold_one_more(&mut self, s: usize) -> bool {
        let sum = &self.sums[s];
        let pick = sum
            .children
            .iter()
            .copied()
            .filter(|i| self.marks[*i] == Mark::Shown && self.cells[*i].value > 0)
            .min_by(|a, b| {
                (self.cells[*a].value, &self.cells[*a].code).cmp(&(self.cells[*b].value, &self.cells[*b].code))
            })
            .or_else(|| {
                let p = sum.parent;
                (self.marks[p] == Mark::Shown && self.cells[p].value > 0).then_some(p)
            });
        match pick {
            Some(i) => {
                self.marks[i] = Mark::Withheld;
                true
            }
            None => false,
        }
    }

    /// The bounds a reader knows for a hidden cell: 1 to threshold − 1 for "<5", at least 0
    /// for a withheld one.
    fn bounds(&self, i: usize, threshold: u64) -> (i128, Option<i128>) {
        match self.marks[i] {
            Mark::Small => (1, Some(i128::from(threshold) - 1)),
            _ => (0, None),
        }
    }

    /// A hidden cell of sum `s` that the sum and the hidden cells' bounds pin to one value.
    pub fn pinned_by_bounds(&self, s: usize, threshold: u64) -> Option<usize> {
        // Σ children − parent = 0; move the shown cells to the right-hand side.
        let coef = |i: usize| if i == self.sums[s].parent { -1i128 } else { 1 };
        let mut rhs: i128 = 0;
        let mut hidden = Vec::new();
        for i in self.members(s) {
            if self.marks[i] == Mark::Shown {
                rhs -= coef(i) * i128::from(self.cells[i].value);
            } else {
                hidden.push(i);
            }
        }
        for &j in &hidden {
            // coef_j · x_j = rhs − Σ_{i≠j} coef_i · x_i
            let (mut lo, mut hi): (i128, Option<i128>) = (0, Some(0));
            for &i in hidden.iter().filter(|i| **i != j) {
                let (l, h) = self.bounds(i, threshold);
                let a = coef(i);
                // the range of a · x_i
                let (rl, rh) = if a > 0 { (Some(a * l), h.map(|h| a * h)) } else { (h.map(|h| a * h), Some(a * l)) };
                lo = match rl {
                    Some(v) => lo + v,
                    None => i128::MIN / 4,
                };
                hi = match (hi, rh) {
                    (Some(x), Some(v)) => Some(x + v),
                    _ => None,
                };
            }
            // coef_j · x_j ∈ [rhs − hi, rhs − lo]
            let a = coef(j);
            let (l, h) = self.bounds(j, threshold);
            let (mut xl, mut xh): (i128, Option<i128>) = (l, h);
            let from = hi.map(|hi| rhs - hi);
            let to = if lo <= i128::MIN / 8 { None } else { Some(rhs - lo) };
            if a > 0 {
                if let Some(f) = from {
                    xl = xl.max(f);
                }
                if let Some(t) = to {
                    xh = Some(xh.map_or(t, |x| x.min(t)));
                }
            } else {
                if let Some(t) = to {
                    xl = xl.max(-t);
                }
                if let Some(f) = from {
                    xh = Some(xh.map_or(-f, |x| x.min(-f)));
                }
            }
            if xh == Some(xl) {
                return Some(j);
            }
        }
        None
    }

    /// Hidden cells that the sums and the shown cells determine exactly.
    pub fn determined(&self) -> Vec<usize> {
        let hidden: Vec<usize> = (0..self.cells.len()).filter(|i| self.marks[*i] != Mark::Shown).collect();
        let rows: Vec<Vec<(usize, f64)>> = (0..self.sums.len())
            .map(|s| {
                self.members(s)
                    .filter(|i| self.marks[*i] != Mark::Shown)
                    .map(|i| (i, if i == self.sums[s].parent { -1.0 } else { 1.0 }))
                    .collect::<Vec<_>>()
            })
            .filter(|r| !r.is_empty())
            .collect();
        determined_cells(&hidden, &rows)
    }
}

/// Of the unknowns `vars`, those that the homogeneous linear relations `rows` (each a list of
/// (unknown, coefficient)) determine: the unknowns whose unit vector lies in the rows' span.
/// Solved per connected set of unknowns, by Gaussian elimination to reduced row echelon form.
pub fn determined_cells(vars: &[usize], rows: &[Vec<(usize, f64)>]) -> Vec<usize> {
    // Connected sets of unknowns (union-find over the rows).
    let pos: BTreeMap<usize, usize> = vars.iter().enumerate().map(|(i, v)| (*v, i)).collect();
    let mut parent: Vec<usize> = (0..vars.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for r in rows {
        let ids: Vec<usize> = r.iter().filter_map(|(v, _)| pos.get(v).copied()).collect();
        for w in ids.windows(2) {
            let (a, b) = (find(&mut parent, w[0]), find(&mut parent, w[1]));
            if a != b {
                parent[a] = b;
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..vars.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut out = Vec::new();
    for members in groups.values() {
        let col: BTreeMap<usize, usize> = members.iter().enumerate().map(|(c, m)| (*m, c)).collect();
        let mut m: Vec<Vec<f64>> = rows
            .iter()
            .filter(|r| r.iter().any(|(v, _)| pos.get(v).is_some_and(|p| col.contains_key(p))))
            .map(|r| {
                let mut row = vec![0.0; members.len()];
                for (v, a) in r {
                    if let Some(c) = pos.get(v).and_then(|p| col.get(p)) {
                        row[*c] += a;
                    }
                }
                row
            })
            .collect();
        let pivots = rref(&mut m, members.len());
        for (r, &pc) in pivots.iter().enumerate() {
            let alone = (0..members.len()).all(|c| c == pc || m[r][c].abs() < 1e-9);
            if alone {
                out.push(vars[members[pc]]);
            }
        }
    }
    out.sort_unstable();
    out
}

/// Reduce `m` in place; returns the pivot column of each non-zero row, in order.
fn rref(m: &mut [Vec<f64>], cols: usize) -> Vec<usize> {
    let mut pivots = Vec::new();
    let mut r = 0;
    for c in 0..cols {
        if r >= m.len() {
            break;
        }
        let Some(best) = (r..m.len()).max_by(|a, b| m[*a][c].abs().total_cmp(&m[*b][c].abs())) else { break };
        if m[best][c].abs() < 1e-9 {
            continue;
        }
        m.swap(r, best);
        let p = m[r][c];
        for x in m[r].iter_mut() {
            *x /= p;
        }
        for i in 0..m.len() {
            if i != r && m[i][c].abs() > 1e-12 {
                let f = m[i][c];
                let (src, dst) = if i < r {
                    let (a, b) = m.split_at_mut(r);
                    (&b[0], &mut a[i])
                } else {
                    let (a, b) = m.split_at_mut(i);
                    (&a[r], &mut b[0])
                };
                for (d, s) in dst.iter_mut().zip(src.iter()) {
                    *d -= f * s;
                }
            }
        }
        pivots.push(c);
        r += 1;
    }
    pivots
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table of named cells and sums (parent, children), nothing hidden yet.
    fn table_of(cells: &[(&str, u64)], sums: &[(usize, &[usize])]) -> Table {
        Table {
            cells: cells.iter().map(|(code, value)| Cell { code: (*code).into(), value: *value }).collect(),
            sums: sums.iter().map(|(parent, children)| Sum { parent: *parent, children: children.to_vec() }).collect(),
            marks: vec![Mark::Shown; cells.len()],
        }
    }

    /// A district of communes: parent 0 = Σ children.
    fn table(values: &[u64]) -> Table {
        let mut t = Table::default();
        t.cells.push(Cell { code: "0101".into(), value: values.iter().sum() });
        for (i, v) in values.iter().enumerate() {
            t.cells.push(Cell { code: format!("0101{:02}", i + 1), value: *v });
        }
        t.sums.push(Sum { parent: 0, children: (1..t.cells.len()).collect() });
        t.marks = vec![Mark::Shown; t.cells.len()];
        t
    }

    #[test]
    fn one_small_cell_gets_a_complement_the_smallest_other() {
        // 3 is small; with the district total 3+40+12+0+25 = 80 shown, 3 = 80 − 40 − 12 − 25,
        // so one more must go: the smallest non-zero other, 12 (not the 0, which would pin 3).
        let mut t = table(&[3, 40, 12, 0, 25]);
        t.mark_primary(5, |_| false);
        t.protect(5);
        assert_eq!(t.marks, vec![Mark::Shown, Mark::Small, Mark::Shown, Mark::Withheld, Mark::Shown, Mark::Shown]);
        assert!(t.determined().is_empty());
    }

    #[test]
    fn two_small_cells_pinned_by_their_bounds_get_a_complement() {
        // 1 + 1 = 2 = 60 − 30 − 28: two "<5" cells summing to 2 must both be 1. Withhold 28.
        let mut t = table(&[1, 1, 30, 28]);
        t.mark_primary(5, |_| false);
        assert_eq!(t.pinned_by_bounds(0, 5), Some(1));
        t.protect(5);
        assert_eq!(t.marks, vec![Mark::Shown, Mark::Small, Mark::Small, Mark::Shown, Mark::Withheld]);
        assert_eq!(t.pinned_by_bounds(0, 5), None);
        // 4 + 4 = 8 pins both at the top of their range just the same.
        let mut t = table(&[4, 4, 30, 28]);
        t.mark_primary(5, |_| false);
        assert_eq!(t.pinned_by_bounds(0, 5), Some(1));
        // 2 + 3 = 5 does not: (1,4), (2,3), (3,2), (4,1) all fit.
        let mut t = table(&[2, 3, 30, 28]);
        t.mark_primary(5, |_| false);
        assert_eq!(t.pinned_by_bounds(0, 5), None);
        t.protect(5);
        assert_eq!(t.marks.iter().filter(|m| **m == Mark::Withheld).count(), 0);
    }

    #[test]
    fn a_small_total_hides_its_parts_and_nothing_more() {
        // District total 4 (small) made of 3 + 1 (both small) + 0: every hidden cell is in one
        // sum with two others hidden; 3 + 1 = 4 with x ∈ 1..4, y ∈ 1..4, z ∈ 1..4 is not pinned.
        let mut t = table(&[3, 1, 0]);
        t.mark_primary(5, |_| false);
        t.protect(5);
        assert_eq!(t.marks, vec![Mark::Small, Mark::Small, Mark::Small, Mark::Shown]);
        assert!(t.determined().is_empty());
    }

    #[test]
    fn the_audit_solves_the_sums_together() {
        // x + y = 10, x + z = 12, y + z = 14: each sum alone leaves two unknowns, together
        // they give x = 4, y = 6, z = 8.
        let vars = [0, 1, 2];
        let rows = vec![vec![(0, 1.0), (1, 1.0)], vec![(0, 1.0), (2, 1.0)], vec![(1, 1.0), (2, 1.0)]];
        assert_eq!(determined_cells(&vars, &rows), vec![0, 1, 2]);
        // Two of the three sums determine nothing.
        assert!(determined_cells(&vars, &rows[..2]).is_empty());
        // x − y and y alone determine both.
        let rows = vec![vec![(0, 1.0), (1, -1.0)], vec![(1, 1.0)]];
        assert_eq!(determined_cells(&[0, 1], &rows), vec![0, 1]);
    }

    #[test]
    fn protection_goes_on_until_the_audit_finds_nothing() {
        // The same three sums as tables: totals 10, 12, 14 shown; x, y, z hidden by an earlier
        // edition. Every sum has two hidden cells and no bounds pin them, yet all three are
        // determined, so a total must go too.
        let mut t = table_of(
            &[("x", 4), ("y", 6), ("z", 8), ("P1", 10), ("P2", 12), ("P3", 14)],
            &[(3, &[0, 1]), (4, &[0, 2]), (5, &[1, 2])],
        );
        t.mark_primary(5, |code| ["x", "y", "z"].contains(&code));
        assert_eq!(t.determined(), vec![0, 1, 2]);
        t.protect(5);
        assert!(t.determined().is_empty());
        assert_eq!(t.marks[3..].iter().filter(|m| **m == Mark::Withheld).count(), 1, "one total is enough");
    }

    #[test]
    fn a_hierarchy_protects_across_levels() {
        // Province 02 = districts 0201 + 0202; 0201 = communes 020101 (2) + 020102 (50);
        // 0202 = 020201 (30) + 020202 (45).
        let mut t = table_of(
            &[("02", 127), ("0201", 52), ("0202", 75), ("020101", 2), ("020102", 50), ("020201", 30), ("020202", 45)],
            &[(0, &[1, 2]), (1, &[3, 4]), (2, &[5, 6])],
        );
        t.mark_primary(5, |_| false);
        t.protect(5);
        // 2 is small; its sibling 50 is withheld. Then 0201 = 52 is shown and 2 + x = 52 with
        // x ≥ 0 does not pin 2 (x could be 48 to 51). Nothing more is needed.
        assert_eq!(t.marks[3], Mark::Small);
        assert_eq!(t.marks[4], Mark::Withheld);
        assert_eq!(t.marks.iter().filter(|m| **m != Mark::Shown).count(), 2);
        assert!(t.determined().is_empty());
    }

    #[test]
    fn prior_editions_keep_their_cells_hidden() {
        let mut t = table(&[30, 40, 12, 25]);
        t.mark_primary(5, |code| code == "010102");
        t.protect(5);
        // 40 stays withheld, and its sum gets a partner: 12, the smallest.
        assert_eq!(t.marks[2], Mark::Withheld);
        assert_eq!(t.marks[3], Mark::Withheld);
        assert!(t.determined().is_empty());
    }

    #[test]
    fn findings_lose_their_numbers_but_keep_their_places() {
        use crate::finding::{Location, Rule};
        let loc = Location { file: "submissions/2026-Q3/02/cascade.xlsx".into(), ..Location::default() };
        let mut f = vec![
            Finding::error(Rule::BadValue, "value.unknown-currency-rate", loc)
                .arg("value", "3")
                .arg("column", "diagnosed")
                .arg("row", 12)
                .value("3"),
        ];
        redact_findings(&mut f);
        assert_eq!(f[0].value.as_deref(), Some("*"));
        assert_eq!(f[0].args, vec![("value", "*".to_string()), ("column", "diagnosed".into()), ("row", "12".into())]);
    }
}
