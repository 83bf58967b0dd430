//! Analyse: the HIV treatment cascade of an area from counts: the three 95s (conditional), the
//! cascade as a share of all PLHIV, viral-load testing coverage, unadjusted suppression, and the
//! people gaps to the targets. Counts are summed, never percentages averaged.

use crate::project::Stages;
use crate::validate::CascadeRow;
use serde::Serialize;

/// A share from 0 upwards (1.0 = 100 %), or `None` where the denominator is zero: "not
/// applicable", never NaN or infinity.
pub type Ratio = Option<f64>;

pub fn ratio(num: u64, den: u64) -> Ratio {
    (den > 0).then(|| num as f64 / den as f64)
}

/// A share of money; `None` when the denominator is not positive or either side is not finite.
pub fn ratio_f(num: f64, den: f64) -> Ratio {
    (den > 0.0 && num.is_finite() && den.is_finite()).then(|| num / den)
}

/// Summed counts of an area (or a sex or age group of it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub plhiv: u64,
    pub diagnosed: u64,
    pub on_art: u64,
    pub vl_suppressed: u64,
    /// VL tested, summed over the rows that reported it.
    pub vl_tested: u64,
    /// On ART and suppressed in the rows that reported VL tested: the denominators that make
    /// coverage and unadjusted suppression honest when some rows left VL tested blank.
    pub vl_reported_on_art: u64,
    pub vl_reported_suppressed: u64,
    pub rows: u64,
}

impl Counts {
    pub fn of_row(r: &CascadeRow) -> Counts {
        let tested = r.vl_tested.is_some();
        Counts {
            plhiv: r.plhiv,
            diagnosed: r.diagnosed,
            on_art: r.on_art,
            vl_suppressed: r.vl_suppressed,
            vl_tested: r.vl_tested.unwrap_or(0),
            vl_reported_on_art: if tested { r.on_art } else { 0 },
            vl_reported_suppressed: if tested { r.vl_suppressed } else { 0 },
            rows: 1,
        }
    }

    pub fn add(&mut self, o: &Counts) {
        self.plhiv += o.plhiv;
        self.diagnosed += o.diagnosed;
        self.on_art += o.on_art;
        self.vl_suppressed += o.vl_suppressed;
        self.vl_tested += o.vl_tested;
        self.vl_reported_on_art += o.vl_reported_on_art;
        self.vl_reported_suppressed += o.vl_reported_suppressed;
        self.rows += o.rows;
    }
}

/// A cascade stage, as the bottleneck rules and gaps name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Knowing their status (diagnosed).
    Diagnosed,
    /// On antiretroviral treatment.
    OnArt,
    /// Virally suppressed.
    Suppressed,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Diagnosed, Stage::OnArt, Stage::Suppressed];
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Diagnosed => "diagnosed",
            Stage::OnArt => "on_art",
            Stage::Suppressed => "suppressed",
        }
    }
    /// The stage's name in a sentence.
    pub fn words(self) -> &'static str {
        match self {
            Stage::Diagnosed => "know their HIV status",
            Stage::OnArt => "be on treatment",
            Stage::Suppressed => "be virally suppressed",
        }
    }
}

/// Targets in basis points (9500 = 95 %), so products and gaps are exact integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TargetBp {
    pub first: u64,
    pub second: u64,
    pub third: u64,
}

impl TargetBp {
    pub fn from_stages(s: &Stages) -> TargetBp {
        let bp = |p: f64| (p * 100.0).round().clamp(0.0, 10_000.0) as u64;
        TargetBp { first: bp(s.first), second: bp(s.second), third: bp(s.third) }
    }
    /// Conditional targets as shares (0.95).
    pub fn conditional(&self) -> [f64; 3] {
        [self.first as f64 / 1e4, self.second as f64 / 1e4, self.third as f64 / 1e4]
    }
    /// Targets as shares of all PLHIV: 95 %, 90.25 %, 85.7375 % for 95-95-95.
    pub fn of_plhiv(&self) -> [f64; 3] {
        let [a, b, c] = self.conditional();
        [a, a * b, a * b * c]
    }
}

/// `ceil(n × num / den)` in integers.
fn ceil_mul(n: u64, num: u128, den: u128) -> u64 {
    let p = u128::from(n) * num;
    p.div_ceil(den) as u64
}

/// People still needed at each stage (rounded up; zero when met).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Gaps {
    pub diagnosed: u64,
    pub on_art: u64,
    pub suppressed: u64,
}

impl Gaps {
    pub fn get(&self, s: Stage) -> u64 {
        match s {
            Stage::Diagnosed => self.diagnosed,
            Stage::OnArt => self.on_art,
            Stage::Suppressed => self.suppressed,
        }
    }
    /// The stage with the largest gap (ties go to the earlier stage); `None` when all are met.
    pub fn largest(&self) -> Option<(Stage, u64)> {
        Stage::ALL.iter().map(|s| (*s, self.get(*s))).filter(|(_, g)| *g > 0).fold(None, |best, cur| match best {
            Some((_, g)) if g >= cur.1 => best,
            _ => Some(cur),
        })
    }
}

/// Gaps against the all-PLHIV targets: diagnosed to 95 % of PLHIV, on ART to 90.25 %,
/// suppressed to 85.7375 % (with 95-95-95).
pub fn gaps_of_plhiv(c: &Counts, t: &TargetBp) -> Gaps {
    let e = 10_000u128;
    let need = |target: u64, have: u64| target.saturating_sub(have);
    Gaps {
        diagnosed: need(ceil_mul(c.plhiv, u128::from(t.first), e), c.diagnosed),
        on_art: need(ceil_mul(c.plhiv, u128::from(t.first) * u128::from(t.second), e * e), c.on_art),
        suppressed: need(
            ceil_mul(c.plhiv, u128::from(t.first) * u128::from(t.second) * u128::from(t.third), e * e * e),
            c.vl_suppressed,
        ),
    }
}

/// Gaps step by step: on ART to 95 % of those diagnosed now, suppressed to 95 % of those on ART now.
pub fn gaps_conditional(c: &Counts, t: &TargetBp) -> Gaps {
    let e = 10_000u128;
    Gaps {
        diagnosed: ceil_mul(c.plhiv, u128::from(t.first), e).saturating_sub(c.diagnosed),
        on_art: ceil_mul(c.diagnosed, u128::from(t.second), e).saturating_sub(c.on_art),
        suppressed: ceil_mul(c.on_art, u128::from(t.third), e).saturating_sub(c.vl_suppressed),
    }
}

/// Every cascade figure of an area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cascade {
    pub counts: Counts,
    pub targets: TargetBp,
    /// diagnosed / PLHIV, on ART / diagnosed, suppressed / on ART.
    pub first: Ratio,
    pub second: Ratio,
    pub third: Ratio,
    /// diagnosed, on ART and suppressed as shares of all PLHIV.
    pub diagnosed_of_plhiv: Ratio,
    pub on_art_of_plhiv: Ratio,
    pub suppressed_of_plhiv: Ratio,
    /// VL tested / on ART (over rows that reported VL tested).
    pub vl_coverage: Ratio,
    /// suppressed / VL tested (over the same rows).
    pub unadjusted_suppression: Ratio,
    /// People gaps to the all-PLHIV targets: the numbers workshops act on.
    pub gaps: Gaps,
    /// People gaps step by step from the current stage counts.
    pub conditional_gaps: Gaps,
    /// Which counts the public audience may not see (all shown before `disclose`).
    pub hidden: Hidden,
}

/// The five counts of a cascade, the cells that small-cell suppression works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Count {
    Plhiv,
    Diagnosed,
    OnArt,
    VlTested,
    VlSuppressed,
}

impl Count {
    pub const ALL: [Count; 5] = [Count::Plhiv, Count::Diagnosed, Count::OnArt, Count::VlTested, Count::VlSuppressed];
    /// The column of the downloads that holds this count.
    pub fn column(self) -> &'static str {
        match self {
            Count::Plhiv => "plhiv",
            Count::Diagnosed => "diagnosed",
            Count::OnArt => "on_art",
            Count::VlTested => "vl_tested",
            Count::VlSuppressed => "vl_suppressed",
        }
    }
    pub fn get(self, c: &Counts) -> u64 {
        match self {
            Count::Plhiv => c.plhiv,
            Count::Diagnosed => c.diagnosed,
            Count::OnArt => c.on_art,
            Count::VlTested => c.vl_tested,
            Count::VlSuppressed => c.vl_suppressed,
        }
    }
    /// The count of a stage (diagnosed, on ART, suppressed).
    pub fn of_stage(s: Stage) -> Count {
        match s {
            Stage::Diagnosed => Count::Diagnosed,
            Stage::OnArt => Count::OnArt,
            Stage::Suppressed => Count::VlSuppressed,
        }
    }
}

/// How the public audience sees a count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    #[default]
    Shown,
    /// From 1 to below the threshold: shown as "<5".
    Small,
    /// Withheld so that a small count cannot be worked out from the others.
    Withheld,
}

/// The marks of the five counts of a cascade, and the threshold that "<5" names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Hidden {
    pub marks: [Mark; 5],
    pub threshold: u64,
}

impl Hidden {
    pub fn get(&self, k: Count) -> Mark {
        self.marks[k as usize]
    }
    pub fn set(&mut self, k: Count, m: Mark) {
        self.marks[k as usize] = m;
    }
    pub fn shown(&self, k: Count) -> bool {
        self.get(k) == Mark::Shown
    }
    pub fn any(&self) -> bool {
        self.marks.iter().any(|m| *m != Mark::Shown)
    }
}

/// The figures derived from counts, each shown only where every count it uses is shown (so
/// that no percentage or gap gives a hidden count back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    First,
    Second,
    Third,
    DiagnosedOfPlhiv,
    OnArtOfPlhiv,
    SuppressedOfPlhiv,
    VlCoverage,
    UnadjustedSuppression,
    Gap(Stage),
}

impl Figure {
    pub const ALL: [Figure; 11] = [
        Figure::First,
        Figure::Second,
        Figure::Third,
        Figure::DiagnosedOfPlhiv,
        Figure::OnArtOfPlhiv,
        Figure::SuppressedOfPlhiv,
        Figure::VlCoverage,
        Figure::UnadjustedSuppression,
        Figure::Gap(Stage::Diagnosed),
        Figure::Gap(Stage::OnArt),
        Figure::Gap(Stage::Suppressed),
    ];

    /// The counts a figure is computed from.
    pub fn inputs(self) -> &'static [Count] {
        use Count::*;
        match self {
            Figure::First | Figure::DiagnosedOfPlhiv | Figure::Gap(Stage::Diagnosed) => &[Plhiv, Diagnosed],
            Figure::Second => &[Diagnosed, OnArt],
            Figure::Third => &[OnArt, VlSuppressed],
            Figure::OnArtOfPlhiv | Figure::Gap(Stage::OnArt) => &[Plhiv, OnArt],
            Figure::SuppressedOfPlhiv | Figure::Gap(Stage::Suppressed) => &[Plhiv, VlSuppressed],
            Figure::VlCoverage => &[VlTested, OnArt],
            Figure::UnadjustedSuppression => &[VlSuppressed, VlTested],
        }
    }
    pub fn of_stage(s: Stage) -> Figure {
        match s {
            Stage::Diagnosed => Figure::First,
            Stage::OnArt => Figure::Second,
            Stage::Suppressed => Figure::Third,
        }
    }
}

impl Cascade {
    pub fn new(counts: Counts, targets: TargetBp) -> Cascade {
        let c = &counts;
        Cascade {
            first: ratio(c.diagnosed, c.plhiv),
            second: ratio(c.on_art, c.diagnosed),
            third: ratio(c.vl_suppressed, c.on_art),
            diagnosed_of_plhiv: ratio(c.diagnosed, c.plhiv),
            on_art_of_plhiv: ratio(c.on_art, c.plhiv),
            suppressed_of_plhiv: ratio(c.vl_suppressed, c.plhiv),
            vl_coverage: ratio(c.vl_tested, c.vl_reported_on_art),
            unadjusted_suppression: ratio(c.vl_reported_suppressed, c.vl_tested),
            gaps: gaps_of_plhiv(c, &targets),
            conditional_gaps: gaps_conditional(c, &targets),
            counts,
            targets,
            hidden: Hidden::default(),
        }
    }

    /// Whether the audience may see a count.
    pub fn shown(&self, k: Count) -> bool {
        self.hidden.shown(k)
    }

    /// A ratio figure's value (`None` for a gap: see `gaps`).
    pub fn ratio_of(&self, f: Figure) -> Ratio {
        match f {
            Figure::First => self.first,
            Figure::Second => self.second,
            Figure::Third => self.third,
            Figure::DiagnosedOfPlhiv => self.diagnosed_of_plhiv,
            Figure::OnArtOfPlhiv => self.on_art_of_plhiv,
            Figure::SuppressedOfPlhiv => self.suppressed_of_plhiv,
            Figure::VlCoverage => self.vl_coverage,
            Figure::UnadjustedSuppression => self.unadjusted_suppression,
            Figure::Gap(_) => None,
        }
    }

    /// Whether the audience may see a derived figure.
    pub fn figure_shown(&self, f: Figure) -> bool {
        f.inputs().iter().all(|k| self.shown(*k))
    }

    /// Blank every hidden count and every figure computed from one, so that a renderer that
    /// forgot to ask shows a zero or a dash, never the value.
    pub fn blank_hidden(&mut self) {
        let h = self.hidden;
        let n = &mut self.counts;
        for k in Count::ALL {
            if !h.shown(k) {
                match k {
                    Count::Plhiv => n.plhiv = 0,
                    Count::Diagnosed => n.diagnosed = 0,
                    Count::OnArt => {
                        n.on_art = 0;
                        n.vl_reported_on_art = 0;
                    }
                    Count::VlTested => n.vl_tested = 0,
                    Count::VlSuppressed => {
                        n.vl_suppressed = 0;
                        n.vl_reported_suppressed = 0;
                    }
                }
            }
        }
        let hide = |f: Figure| !f.inputs().iter().all(|k| h.shown(*k));
        for (f, r) in [
            (Figure::First, &mut self.first),
            (Figure::Second, &mut self.second),
            (Figure::Third, &mut self.third),
            (Figure::DiagnosedOfPlhiv, &mut self.diagnosed_of_plhiv),
            (Figure::OnArtOfPlhiv, &mut self.on_art_of_plhiv),
            (Figure::SuppressedOfPlhiv, &mut self.suppressed_of_plhiv),
            (Figure::VlCoverage, &mut self.vl_coverage),
            (Figure::UnadjustedSuppression, &mut self.unadjusted_suppression),
        ] {
            if hide(f) {
                *r = None;
            }
        }
        for s in Stage::ALL {
            if hide(Figure::Gap(s)) {
                match s {
                    Stage::Diagnosed => self.gaps.diagnosed = 0,
                    Stage::OnArt => self.gaps.on_art = 0,
                    Stage::Suppressed => self.gaps.suppressed = 0,
                }
            }
        }
        // Step-by-step gaps use pairs of counts too; nothing publishes them, so blank them all.
        if h.any() {
            self.conditional_gaps = Gaps::default();
        }
    }

    /// A stage's conditional value and target.
    pub fn stage(&self, s: Stage) -> (Ratio, f64) {
        let t = self.targets.conditional();
        match s {
            Stage::Diagnosed => (self.first, t[0]),
            Stage::OnArt => (self.second, t[1]),
            Stage::Suppressed => (self.third, t[2]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(plhiv: u64, diagnosed: u64, on_art: u64, vl_tested: u64, suppressed: u64) -> Counts {
        Counts {
            plhiv,
            diagnosed,
            on_art,
            vl_suppressed: suppressed,
            vl_tested,
            vl_reported_on_art: on_art,
            vl_reported_suppressed: suppressed,
            rows: 1,
        }
    }

    const T95: TargetBp = TargetBp { first: 9500, second: 9500, third: 9500 };

    #[test]
    fn indicators_hand_computed() {
        // PLHIV 1000, diagnosed 880, on ART 860, VL tested 700, suppressed 680.
        let c = Cascade::new(counts(1000, 880, 860, 700, 680), T95);
        assert_eq!(c.first, Some(0.88)); // 880/1000
        assert_eq!(c.second, Some(860.0 / 880.0)); // 0.977…
        assert_eq!(c.third, Some(680.0 / 860.0)); // 0.7907
        assert_eq!(c.on_art_of_plhiv, Some(0.86)); // 860/1000
        assert_eq!(c.suppressed_of_plhiv, Some(0.68));
        assert_eq!(c.vl_coverage, Some(700.0 / 860.0)); // 0.814
        assert_eq!(c.unadjusted_suppression, Some(680.0 / 700.0)); // 0.971
    }

    #[test]
    fn gaps_hand_computed() {
        // Targets of PLHIV: 95 % of 1000 = 950 → 950 − 880 = 70 to diagnose;
        // 90.25 % of 1000 = 902.5 → 903 − 860 = 43 to treat;
        // 85.7375 % of 1000 = 857.375 → 858 − 680 = 178 to suppress.
        let c = Cascade::new(counts(1000, 880, 860, 700, 680), T95);
        assert_eq!(c.gaps, Gaps { diagnosed: 70, on_art: 43, suppressed: 178 });
        assert_eq!(c.gaps.largest(), Some((Stage::Suppressed, 178)));
        // Step by step: 95 % of 880 diagnosed = 836 ≤ 860 → 0; 95 % of 860 on ART = 817 − 680 = 137.
        assert_eq!(c.conditional_gaps, Gaps { diagnosed: 70, on_art: 0, suppressed: 137 });
    }

    #[test]
    fn exact_rounding_at_whole_numbers() {
        // 95 % of 100 is exactly 95: a float product (95.00000000000001) would round up to 96.
        let c = Cascade::new(counts(100, 90, 80, 70, 60), T95);
        assert_eq!(c.gaps.diagnosed, 5);
        // 90.25 % of 100 = 90.25 → 91 − 80 = 11; 85.7375 % of 100 = 85.7375 → 86 − 60 = 26.
        assert_eq!((c.gaps.on_art, c.gaps.suppressed), (11, 26));
        // 90-90-90: 90 % of 100 = 90 → met; 81 % → 81 − 80 = 1; 72.9 % → 73 − 60 = 13.
        let t90 = TargetBp { first: 9000, second: 9000, third: 9000 };
        assert_eq!(gaps_of_plhiv(&counts(100, 90, 80, 70, 60), &t90), Gaps { diagnosed: 0, on_art: 1, suppressed: 13 });
    }

    #[test]
    fn met_targets_give_zero_and_zero_denominators_are_not_applicable() {
        let c = Cascade::new(counts(10, 10, 10, 10, 10), T95);
        assert_eq!(c.gaps, Gaps::default());
        assert_eq!(c.gaps.largest(), None);
        let z = Cascade::new(Counts::default(), T95);
        assert_eq!(
            (z.first, z.second, z.third, z.vl_coverage, z.unadjusted_suppression),
            (None, None, None, None, None)
        );
        assert_eq!(z.gaps, Gaps::default());
    }

    #[test]
    fn coverage_only_over_rows_that_reported_vl_tested() {
        // Two communes: one reported VL tested (100 of 200 on ART, 95 suppressed); one left it
        // blank (300 on ART, 290 suppressed). Coverage is 100/200 = 50 %, not 100/500 = 20 %.
        let mut a = counts(250, 220, 200, 100, 95);
        let b =
            Counts { vl_tested: 0, vl_reported_on_art: 0, vl_reported_suppressed: 0, ..counts(350, 320, 300, 0, 290) };
        a.add(&b);
        let c = Cascade::new(a, T95);
        assert_eq!(c.vl_coverage, Some(0.5));
        assert_eq!(c.unadjusted_suppression, Some(0.95));
        assert_eq!(c.third, Some(385.0 / 500.0)); // suppressed over all on ART
    }

    #[test]
    fn target_percent_to_basis_points() {
        let t = TargetBp::from_stages(&Stages { first: 95.0, second: 90.25, third: 95.0 });
        assert_eq!((t.first, t.second, t.third), (9500, 9025, 9500));
        let of = TargetBp::from_stages(&Stages::default()).of_plhiv();
        assert!((of[1] - 0.9025).abs() < 1e-12 && (of[2] - 0.857375).abs() < 1e-12);
    }
}
