//! Small-number suppression (少数のため非表示): which uptake figures a viewer may not see.
//!
//! A figure is a count of targets (with its attendees) of one area for one filter cell:
//! sex (男女計・男性・女性) × age (40〜74歳・7 five-year bands), 24 cells per area. The
//! cells of an area fall in four blocks: the total, the sex split (2 cells), the age
//! split (7) and the sex × age split (14). A whole block is hidden or shown, so that its
//! cells cannot be told apart from the ones above them.
//!
//! **Primary suppression.** A block is hidden when any of its cells has fewer targets than
//! the threshold (an admin setting, at least 1, default 10; zero counts as fewer).
//! A hidden total hides every block of the area; a hidden sex or age split hides the
//! sex × age split.
//!
//! **Complementary suppression.** A viewer can subtract the visible parts of a sum from
//! its shown total. The sums, every one of them per block, are the hierarchy
//! 奈良県 ⊃ 二次医療圏 ⊃ 市町村 ⊃ 町丁・字:
//! - the prefecture (its total counts as known: it is published) = its medical areas;
//! - a medical area = its municipalities (both tables are shown);
//! - a municipality = its small areas + the targets not placed by address matching
//!   (counted as known too, the worst case);
//! - and within an area, the total = the sex split = the age split, each sex = its age
//!   bands, each band = its two sexes (covered by hiding blocks whole).
//!
//! In every sum, the number of hidden areas with targets must not be exactly one: a lone
//! hidden area is the total minus the rest. When it is, the smallest other part with
//! targets (by the area's total, then by order) is hidden too; when no part is left, the
//! sum's total is hidden (and its own sum checked in turn). Areas without targets do not
//! count: a viewer may know that nobody lives there. This repeats until every sum holds.
//!
//! On a hierarchy (each area in one sum as a part and at most one as a total) this leaves
//! no hidden figure that can be solved from the shown ones, by any combination of sums:
//! every hidden area lies on a chain of hidden areas from one small area to another, and
//! moving a count along that chain (with the same pattern inside each area's blocks)
//! changes no shown figure. The unit tests check this with linear algebra on random
//! hierarchies. Bounds remain (two hidden areas that sum to 3 are each at most 3); that is
//! the nature of suppression. One case cannot be protected: a municipality hidden while all
//! its small areas are empty equals its unplaced targets, which the app never shows.

use super::uptake::TargetFilter;

/// The admin setting that holds the threshold (targets per area).
pub const SETTING_THRESHOLD: &str = "suppression_threshold";
pub const DEFAULT_THRESHOLD: i64 = 10;
pub const MIN_THRESHOLD: i64 = 1;
pub const MAX_THRESHOLD: i64 = 1000;
/// What a suppressed area shows instead of its figures.
pub const LABEL: &str = "少数のため非表示";
/// The mark on figures shown to a user with 個人情報の閲覧 who asked for them.
pub const REVEALED_LABEL: &str = "※少数（個人情報の閲覧の権限で表示）";

/// The threshold in force for a stored setting (out of range or unreadable: the default).
pub fn threshold_of(setting: Option<&str>) -> i64 {
    setting
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|t| (MIN_THRESHOLD..=MAX_THRESHOLD).contains(t))
        .unwrap_or(DEFAULT_THRESHOLD)
}

/// The threshold in force: the admin's setting in `app_settings`. Every path that reports
/// figures (the engine, map exports, `bench map`) reads it here.
pub fn threshold(conn: &duckdb::Connection) -> Result<i64, duckdb::Error> {
    use duckdb::OptionalExt;
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM app_settings WHERE key = ?",
            duckdb::params![SETTING_THRESHOLD],
            |r| r.get(0),
        )
        .optional()?;
    Ok(threshold_of(v.as_deref()))
}

/// The sex of a cell: all, 男, 女.
pub const SEXES: [Option<i8>; 3] = [None, Some(1), Some(2)];
/// The age of a cell: all, then the first age of each 5-year band.
pub const BANDS: [Option<i32>; 8] = [
    None,
    Some(40),
    Some(45),
    Some(50),
    Some(55),
    Some(60),
    Some(65),
    Some(70),
];
pub const CELLS: usize = SEXES.len() * BANDS.len();

/// The cell of a filter; `None` for a sex or band not in the lists.
pub fn cell_of(filter: TargetFilter) -> Option<usize> {
    let s = SEXES.iter().position(|s| *s == filter.sex)?;
    let a = BANDS.iter().position(|a| *a == filter.age_band)?;
    Some(s * BANDS.len() + a)
}

/// The cells an area's figures are split into, hidden or shown together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    Total = 0,
    Sex = 1,
    Age = 2,
    Joint = 3,
}

impl Block {
    pub const ALL: [Block; 4] = [Block::Total, Block::Sex, Block::Age, Block::Joint];
    /// The block of cell `c`.
    pub fn of(c: usize) -> Block {
        match (c / BANDS.len() > 0, c % BANDS.len() > 0) {
            (false, false) => Block::Total,
            (true, false) => Block::Sex,
            (false, true) => Block::Age,
            (true, true) => Block::Joint,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub targets: i64,
    pub attendees: i64,
}

/// One area's 24 cells (index: sex × 8 + band, see [`cell_of`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cells(pub [Count; CELLS]);

impl Cells {
    /// Adds the targets of one sex (1, 2; other values count in 男女計 only) and band
    /// (its first age; others count in 40〜74歳 only) to every cell they fall in.
    pub fn add(&mut self, sex: i64, band: i64, c: Count) {
        let s = SEXES
            .iter()
            .position(|s| s.is_some_and(|s| s as i64 == sex));
        let a = BANDS
            .iter()
            .position(|a| a.is_some_and(|a| a as i64 == band));
        for si in std::iter::once(0).chain(s) {
            for ai in std::iter::once(0).chain(a) {
                let cell = &mut self.0[si * BANDS.len() + ai];
                cell.targets += c.targets;
                cell.attendees += c.attendees;
            }
        }
    }

    /// Adds every cell of `other` (a municipality into its medical area).
    pub fn add_all(&mut self, other: &Cells) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            a.targets += b.targets;
            a.attendees += b.attendees;
        }
    }

    /// Targets of all sexes and ages.
    pub fn total(&self) -> i64 {
        self.0[0].targets
    }
}

/// A sum a viewer sees: `total` = the `parts` (areas by index). `total: None` is a known
/// figure outside the tables (the prefecture).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum {
    pub total: Option<usize>,
    pub parts: Vec<usize>,
}

/// Per block (indexed by `Block as usize`): hidden.
pub type Hidden = [bool; 4];

/// Hides `b` and the blocks it implies; whether anything changed.
fn hide(h: &mut Hidden, b: Block) -> bool {
    let before = *h;
    h[b as usize] = true;
    match b {
        Block::Total => *h = [true; 4],
        Block::Sex | Block::Age => h[Block::Joint as usize] = true,
        Block::Joint => {}
    }
    *h != before
}

/// The blocks of each area to hide (primary and complementary suppression, see the
/// module doc). `threshold` below 1 counts as 1.
pub fn suppress(cells: &[Cells], sums: &[Sum], threshold: i64) -> Vec<Hidden> {
    let threshold = threshold.max(MIN_THRESHOLD);
    let mut hidden: Vec<Hidden> = cells
        .iter()
        .map(|c| {
            let mut h = [false; 4];
            for (i, cell) in c.0.iter().enumerate() {
                if cell.targets < threshold {
                    hide(&mut h, Block::of(i));
                }
            }
            h
        })
        .collect();
    let size = |a: usize| cells.get(a).map_or(0, Cells::total);
    loop {
        let mut changed = false;
        for sum in sums {
            for b in Block::ALL {
                let bi = b as usize;
                let unknown = |h: &[Hidden], a: usize| h[a][bi] && size(a) > 0;
                let mut lone = None;
                let mut n = 0;
                for &a in sum.total.iter().chain(&sum.parts) {
                    if unknown(&hidden, a) {
                        n += 1;
                        lone = Some(a);
                    }
                }
                let (1, Some(lone)) = (n, lone) else {
                    continue;
                };
                let partner = sum
                    .parts
                    .iter()
                    .copied()
                    .filter(|&a| a != lone && !hidden[a][bi] && size(a) > 0)
                    .min_by_key(|&a| (size(a), a))
                    .or_else(|| {
                        sum.total
                            .filter(|&t| t != lone && !hidden[t][bi] && size(t) > 0)
                    });
                if let Some(p) = partner {
                    changed |= hide(&mut hidden[p], b);
                }
            }
        }
        if !changed {
            return hidden;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An area whose targets are spread over the cells: `t` in total, a share `male`
    /// male, ages spread evenly (the remainder in the first bands).
    fn area(t: i64, male: i64) -> Cells {
        let mut c = Cells::default();
        for (sex, n) in [(1, male), (2, t - male)] {
            for k in 0..7 {
                let share = n / 7 + i64::from(k < n % 7);
                c.add(
                    sex,
                    40 + 5 * k,
                    Count {
                        targets: share,
                        attendees: share / 3,
                    },
                );
            }
        }
        c
    }

    /// Every person in one cell (男, 40〜44): the other blocks are hidden (empty cells),
    /// only the total matters.
    fn flat(t: i64) -> Cells {
        let mut c = Cells::default();
        c.add(
            1,
            40,
            Count {
                targets: t,
                attendees: 0,
            },
        );
        c
    }

    const T: usize = Block::Total as usize;

    #[test]
    fn cells_add_up_to_their_margins() {
        let c = area(100, 45);
        assert_eq!(c.total(), 100);
        let cell = |sex, band| {
            c.0[cell_of(TargetFilter {
                sex,
                age_band: band,
            })
            .unwrap()]
            .targets
        };
        assert_eq!(cell(Some(1), None), 45);
        assert_eq!(cell(Some(2), None), 55);
        let bands: i64 = TargetFilter::AGE_BANDS
            .iter()
            .map(|&a| cell(None, Some(a)))
            .sum();
        assert_eq!(bands, 100);
        assert_eq!(
            cell(Some(1), Some(40)) + cell(Some(2), Some(40)),
            cell(None, Some(40))
        );
        assert_eq!(
            cell_of(TargetFilter {
                sex: Some(3),
                age_band: None
            }),
            None
        );
        assert_eq!(Block::of(0), Block::Total);
        assert_eq!(
            Block::of(
                cell_of(TargetFilter {
                    sex: Some(2),
                    age_band: None
                })
                .unwrap()
            ),
            Block::Sex
        );
        assert_eq!(
            Block::of(
                cell_of(TargetFilter {
                    sex: None,
                    age_band: Some(70)
                })
                .unwrap()
            ),
            Block::Age
        );
        assert_eq!(Block::of(CELLS - 1), Block::Joint);
        assert_eq!(threshold_of(Some("0")), DEFAULT_THRESHOLD);
        assert_eq!(threshold_of(Some(" 25 ")), 25);
        assert_eq!(threshold_of(None), DEFAULT_THRESHOLD);
    }

    /// A municipality (0) with small areas 1..: its sum.
    fn muni(children: &[i64]) -> (Vec<Cells>, Vec<Sum>) {
        let mut cells = vec![flat(children.iter().sum::<i64>() + 3)];
        cells.extend(children.iter().map(|&t| flat(t)));
        let sums = vec![Sum {
            total: Some(0),
            parts: (1..cells.len()).collect(),
        }];
        (cells, sums)
    }

    fn totals_hidden(h: &[Hidden]) -> Vec<bool> {
        h.iter().map(|h| h[T]).collect()
    }

    #[test]
    fn one_small_child_hides_the_smallest_other() {
        let (cells, sums) = muni(&[40, 4, 25, 12, 30]);
        let h = suppress(&cells, &sums, 10);
        assert_eq!(
            totals_hidden(&h),
            vec![false, false, true, false, true, false],
            "4 is below 10; 12 is the smallest other child"
        );
    }

    #[test]
    fn two_small_children_protect_each_other() {
        let (cells, sums) = muni(&[40, 4, 25, 7, 30]);
        let h = suppress(&cells, &sums, 10);
        assert_eq!(
            totals_hidden(&h),
            vec![false, false, true, false, true, false]
        );
    }

    #[test]
    fn an_empty_area_protects_nothing() {
        // 0 is hidden too (fewer than 10) but anyone may guess it is empty.
        let (cells, sums) = muni(&[40, 4, 0, 25, 30]);
        let h = suppress(&cells, &sums, 10);
        assert_eq!(
            totals_hidden(&h),
            vec![false, false, true, true, true, false],
            "25 is hidden with 4; the empty area stays hidden"
        );
    }

    #[test]
    fn nothing_small_nothing_hidden_and_threshold_at_least_one() {
        let (cells, sums) = muni(&[40, 12, 25]);
        assert_eq!(totals_hidden(&suppress(&cells, &sums, 10)), vec![false; 4]);
        assert_eq!(
            totals_hidden(&suppress(&cells, &sums, 13)),
            vec![false, false, true, true],
            "12 < 13, and 25 protects it"
        );
        let (cells, sums) = muni(&[40, 0, 25]);
        assert_eq!(
            totals_hidden(&suppress(&cells, &sums, 0)),
            vec![false, false, true, false],
            "a threshold of 0 counts as 1: the empty area stays hidden"
        );
    }

    #[test]
    fn a_hidden_parent_hides_a_child_and_a_lone_child_hides_its_parent() {
        // Prefecture (known) = areas 0, 1; area 0 = municipalities 2, 3; 2 = small 4, 5.
        let cells = vec![flat(300), flat(500), flat(10), flat(290), flat(6), flat(4)];
        let sums = vec![
            Sum {
                total: None,
                parts: vec![0, 1],
            },
            Sum {
                total: Some(0),
                parts: vec![2, 3],
            },
            Sum {
                total: Some(2),
                parts: vec![4, 5],
            },
        ];
        let h = suppress(&cells, &sums, 10);
        // 2 (10 targets) is shown, 4 and 5 are hidden together: nothing else.
        assert_eq!(
            totals_hidden(&h),
            vec![false, false, false, false, true, true]
        );
        // With 9 in municipality 2, it is hidden: area 0 − 3 would give it, so 3 is
        // hidden too.
        let mut cells = cells;
        cells[0] = flat(299);
        cells[2] = flat(9);
        cells[5] = flat(3);
        let h = suppress(&cells, &sums, 10);
        assert_eq!(
            totals_hidden(&h),
            vec![false, false, true, true, true, true]
        );
        // A municipality with one small area: the small area is hidden (6), the
        // municipality (60, shown) would give it, so the municipality is hidden, and then
        // its sibling.
        let cells = vec![flat(300), flat(500), flat(60), flat(240), flat(6)];
        let sums = vec![
            Sum {
                total: None,
                parts: vec![0, 1],
            },
            Sum {
                total: Some(0),
                parts: vec![2, 3],
            },
            Sum {
                total: Some(2),
                parts: vec![4],
            },
        ];
        let h = suppress(&cells, &sums, 10);
        assert_eq!(totals_hidden(&h), vec![false, false, true, true, true]);
    }

    #[test]
    fn a_small_sex_hides_the_sex_split_and_its_partner() {
        // Three small areas of a municipality: 60 (male 56, female 4), 80, 70.
        let cells = vec![area(210, 131), area(60, 56), area(80, 40), area(70, 35)];
        let sums = vec![Sum {
            total: Some(0),
            parts: vec![1, 2, 3],
        }];
        let h = suppress(&cells, &sums, 5);
        let s = Block::Sex as usize;
        let j = Block::Joint as usize;
        assert!(!h[1][T] && h[1][s] && h[1][j], "{:?}", h[1]);
        assert!(h[3][s] && !h[3][T], "70 is the smallest other: {:?}", h[3]);
        assert!(!h[2][s]);
        assert!(!h[0][s]);
    }

    /// A tiny random generator (no dependency; fixed seeds).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    /// A random prefecture: 2–3 medical areas, 2–3 municipalities each, 1–4 small areas
    /// each with random cells (empty areas and cells included; the first small area of a
    /// municipality has people, see the module doc's one unprotectable case). Areas:
    /// medical areas, municipalities, small areas; the sums of the hierarchy.
    fn random_prefecture(rng: &mut Lcg) -> (Vec<Cells>, Vec<Sum>) {
        let mut cells: Vec<Cells> = Vec::new();
        let mut sums = vec![Sum {
            total: None,
            parts: vec![],
        }];
        for _ in 0..2 + rng.next(2) {
            let ma = cells.len();
            cells.push(Cells::default());
            sums[0].parts.push(ma);
            let mut ma_sum = Sum {
                total: Some(ma),
                parts: vec![],
            };
            for _ in 0..2 + rng.next(2) {
                let m = cells.len();
                cells.push(Cells::default());
                ma_sum.parts.push(m);
                let mut m_sum = Sum {
                    total: Some(m),
                    parts: vec![],
                };
                for k in 0..1 + rng.next(4) {
                    let s = cells.len();
                    let mut c = Cells::default();
                    // A few people per sex and band: many cells below the threshold.
                    let scale = if k == 0 {
                        8
                    } else {
                        [0, 1, 3, 8][rng.next(4) as usize]
                    };
                    for sex in [1, 2] {
                        for band in TargetFilter::AGE_BANDS {
                            let t = rng.next(scale + 1) as i64;
                            c.add(
                                sex,
                                band as i64,
                                Count {
                                    targets: t,
                                    attendees: t / 2,
                                },
                            );
                        }
                    }
                    // Unplaced targets of the municipality (known, worst case).
                    let mut unplaced = Cells::default();
                    unplaced.add(
                        1,
                        70,
                        Count {
                            targets: rng.next(2) as i64,
                            attendees: 0,
                        },
                    );
                    cells[m].add_all(&unplaced);
                    cells[m].add_all(&c);
                    cells.push(c);
                    m_sum.parts.push(s);
                }
                let mc = cells[m];
                cells[ma].add_all(&mc);
                sums.push(m_sum);
            }
            sums.push(ma_sum);
        }
        (cells, sums)
    }

    /// Every linear relation a viewer knows, over the hidden figures of areas with
    /// targets (shown figures and empty areas are known constants): each sum per cell,
    /// and within each area the sex and age splits. Rows of coefficients over unknowns.
    fn relations(
        cells: &[Cells],
        sums: &[Sum],
        hidden: &[Hidden],
    ) -> (Vec<Vec<f64>>, Vec<(usize, usize)>) {
        let mut unknowns = Vec::new();
        let mut col = vec![[usize::MAX; CELLS]; cells.len()];
        for a in 0..cells.len() {
            if cells[a].total() == 0 {
                continue;
            }
            for c in 0..CELLS {
                if hidden[a][Block::of(c) as usize] {
                    col[a][c] = unknowns.len();
                    unknowns.push((a, c));
                }
            }
        }
        let mut rows = Vec::new();
        let mut push = |terms: &[(usize, usize, f64)]| {
            let mut row = vec![0.0; unknowns.len()];
            let mut any = false;
            for &(a, c, k) in terms {
                if col[a][c] != usize::MAX {
                    row[col[a][c]] += k;
                    any = true;
                }
            }
            if any {
                rows.push(row);
            }
        };
        let nb = BANDS.len();
        for sum in sums {
            for c in 0..CELLS {
                let mut terms: Vec<(usize, usize, f64)> =
                    sum.parts.iter().map(|&p| (p, c, 1.0)).collect();
                if let Some(t) = sum.total {
                    terms.push((t, c, -1.0));
                }
                push(&terms);
            }
        }
        for a in 0..cells.len() {
            for s in 0..3 {
                // Sex s: its total = its bands.
                let mut terms = vec![(a, s * nb, -1.0)];
                terms.extend((1..nb).map(|b| (a, s * nb + b, 1.0)));
                push(&terms);
            }
            for b in 0..nb {
                // Band b: all = 男 + 女.
                push(&[(a, b, -1.0), (a, nb + b, 1.0), (a, 2 * nb + b, 1.0)]);
            }
        }
        (rows, unknowns)
    }

    /// The hidden figures (area, cell) that the relations determine: after reduction to
    /// row echelon form, a figure is determined when it leads a row with no free figure
    /// in it.
    fn solvable(cells: &[Cells], sums: &[Sum], hidden: &[Hidden]) -> (usize, Vec<(usize, usize)>) {
        let (mut m, unknowns) = relations(cells, sums, hidden);
        let cols = unknowns.len();
        let mut pivots: Vec<(usize, usize)> = Vec::new(); // (row, column)
        let mut r = 0;
        for c in 0..cols {
            let Some(p) = (r..m.len()).max_by(|&i, &j| m[i][c].abs().total_cmp(&m[j][c].abs()))
            else {
                break;
            };
            if m[p][c].abs() < 1e-9 {
                continue;
            }
            m.swap(r, p);
            let lead = m[r][c];
            for k in c..cols {
                m[r][k] /= lead;
            }
            for i in 0..m.len() {
                let f = m[i][c];
                if i != r && f.abs() > 1e-12 {
                    for k in c..cols {
                        m[i][k] -= f * m[r][k];
                    }
                }
            }
            pivots.push((r, c));
            r += 1;
        }
        let is_pivot: Vec<bool> = {
            let mut v = vec![false; cols];
            for &(_, c) in &pivots {
                v[c] = true;
            }
            v
        };
        let found = pivots
            .iter()
            .filter(|&&(row, _)| (0..cols).all(|k| is_pivot[k] || m[row][k].abs() < 1e-9))
            .map(|&(_, c)| unknowns[c])
            .collect();
        (cols, found)
    }

    #[test]
    fn no_hidden_figure_can_be_solved_from_the_shown_ones() {
        let mut rng = Lcg(11);
        let mut hidden_checked = 0;
        for round in 0..24 {
            let (cells, sums) = random_prefecture(&mut rng);
            let threshold = [3, 5, 10][round % 3];
            let hidden = suppress(&cells, &sums, threshold);
            // Primary: no shown cell below the threshold.
            for (a, c) in cells.iter().enumerate() {
                for (i, cell) in c.0.iter().enumerate() {
                    if !hidden[a][Block::of(i) as usize] {
                        assert!(
                            cell.targets >= threshold,
                            "round {round}: area {a} cell {i}"
                        );
                    }
                }
            }
            let (n, found) = solvable(&cells, &sums, &hidden);
            assert!(
                found.is_empty(),
                "round {round}: (area, cell) {found:?} can be solved from the shown figures"
            );
            hidden_checked += n;
        }
        assert!(
            hidden_checked > 1000,
            "hidden figures checked: {hidden_checked}"
        );
    }

    #[test]
    fn without_complementary_suppression_the_check_finds_a_solvable_figure() {
        // The check above can fail: primary suppression alone leaves figures to solve.
        let mut rng = Lcg(11);
        let found = (0..6).any(|_| {
            let (cells, sums) = random_prefecture(&mut rng);
            let primary = suppress(&cells, &[], 10);
            !solvable(&cells, &sums, &primary).1.is_empty()
        });
        assert!(found);
    }
}
