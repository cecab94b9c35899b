//! The insured as points on the map (personal data): each person's matched location and
//! whether they attended in the chosen fiscal year. Below the points zoom they are drawn
//! only aggregated, one symbol per 32-pixel cell sized by the number of people and
//! coloured by the share who did not attend; individual points appear only from that zoom.
//!
//! Points are coloured either by attendance in the year or by the past-3-year pattern
//! (5 classes, [`Pattern`]). The cell totals are computed once per zoom when the points
//! are loaded, so a frame only looks up the cells in view. A marked person is drawn with
//! the mark's shape: 除外 a grey square, 勧奨対象 a triangle in the class colour.

use std::collections::HashMap;

use duckdb::Connection;
use rstar::{AABB, RTree, primitives::GeomWithData};

use super::Rgba;
use super::scene::{Marker, MarkerShape};
use super::view::View;
use crate::geo::mercator;

/// Zoom from which single persons are drawn (default; settable by the caller).
pub const POINTS_FROM_ZOOM: u8 = 15;
const CELL_PX: f64 = 32.0;

pub const ATTENDED: Rgba = [33, 102, 172, 230];
pub const NOT_ATTENDED: Rgba = [214, 96, 77, 230];
/// A person marked 除外: a grey square, whatever the colouring.
pub const EXCLUDED: Rgba = [105, 105, 105, 235];

/// The legend rows of the marks (shape in the text: the legend draws colour swatches).
pub const MARK_LEGEND: [(Rgba, &str); 2] = [
    (EXCLUDED, "■ 除外の印"),
    ([40, 40, 40, 235], "▲ 勧奨対象の印（色は分類のまま）"),
];

/// How single persons are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum PointColoring {
    /// Attended or not in the chosen fiscal year.
    #[default]
    Attendance,
    /// The past-3-year pattern (the chosen year and the two before).
    Pattern,
}

impl PointColoring {
    pub const ALL: [PointColoring; 2] = [PointColoring::Attendance, PointColoring::Pattern];
    pub fn label(self) -> &'static str {
        match self {
            PointColoring::Attendance => "受診・未受診",
            PointColoring::Pattern => "過去3年の健診と通院",
        }
    }
    /// Legend rows: colour and text.
    pub fn legend(self) -> Vec<(Rgba, &'static str)> {
        match self {
            PointColoring::Attendance => vec![(ATTENDED, "受診"), (NOT_ATTENDED, "未受診")],
            PointColoring::Pattern => Pattern::ALL
                .iter()
                .map(|p| (p.color(), p.label()))
                .collect(),
        }
    }
}

/// The past-3-year pattern of a target of year `fy`: checkups over `fy-2..=fy` combined with
/// medical visits (any claim) in `fy` — the spec's 「過去3年間の健診受診状況と医療機関受診状況」.
/// A person who sees a doctor but skips checkups is one the doctor can recommend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// A target in all three years and attended all three.
    EveryYear,
    /// Attended in at least one of the years (not all three), and a claim this year.
    AttendedVisiting,
    /// Attended in at least one of the years (not all three), no claim this year.
    AttendedNotVisiting,
    /// No checkup in the three years, and a claim this year.
    NeverVisiting,
    /// No checkup in the three years, no claim this year.
    NeverNotVisiting,
}

impl Pattern {
    pub const ALL: [Pattern; 5] = [
        Pattern::EveryYear,
        Pattern::AttendedVisiting,
        Pattern::AttendedNotVisiting,
        Pattern::NeverVisiting,
        Pattern::NeverNotVisiting,
    ];
    /// From the number of years targeted (1–3) and attended (0–3) of `fy-2..=fy`, and
    /// whether the person has a claim in `fy`.
    pub fn of(years_targeted: u8, years_attended: u8, visited: bool) -> Pattern {
        match (
            years_targeted >= 3 && years_attended >= 3,
            years_attended,
            visited,
        ) {
            (true, _, _) => Pattern::EveryYear,
            (false, 1.., true) => Pattern::AttendedVisiting,
            (false, 1.., false) => Pattern::AttendedNotVisiting,
            (false, 0, true) => Pattern::NeverVisiting,
            (false, 0, false) => Pattern::NeverNotVisiting,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Pattern::EveryYear => "3年連続受診",
            Pattern::AttendedVisiting => "受診歴あり・通院あり",
            Pattern::AttendedNotVisiting => "受診歴あり・通院なし",
            Pattern::NeverVisiting => "未受診・通院あり",
            Pattern::NeverNotVisiting => "未受診・通院なし",
        }
    }
    /// The definitions the legend shows under the classes.
    pub const DEFINITIONS: [&'static str; 3] = [
        "受診歴: 当年度と前2年度の特定健診（3年連続受診を除く）",
        "通院: 当年度の医療レセプトの有無",
        "未受診・通院あり: かかりつけ医から受診を勧められる人",
    ];
    pub fn color(self) -> Rgba {
        match self {
            Pattern::EveryYear => [33, 102, 172, 230],
            Pattern::AttendedVisiting => [103, 169, 207, 230],
            Pattern::AttendedNotVisiting => [120, 198, 121, 230],
            Pattern::NeverVisiting => [253, 174, 97, 230],
            Pattern::NeverNotVisiting => [202, 0, 32, 230],
        }
    }
    fn code(self) -> u8 {
        self as u8
    }
    fn from_code(c: u8) -> Pattern {
        Pattern::ALL[(c as usize).min(4)]
    }
}

/// One person: attended this year, the 3-year pattern, and the mark (0 none, 1 除外,
/// 2 勧奨対象).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Person {
    attended: bool,
    pattern: u8,
    mark: u8,
}

/// One point as loaded: lon, lat, attended this year, pattern, mark (0/1/2).
pub type PointIn = (f64, f64, bool, Pattern, u8);

type Entry = GeomWithData<[f64; 2], Person>;

#[derive(Default, Clone, Copy)]
struct Cell {
    n: u32,
    attended: u32,
    sx: f64,
    sy: f64,
}

pub struct InsuredPoints {
    /// World coordinates (0–1) and attendance.
    tree: RTree<Entry>,
    /// Per zoom below the points zoom: cell → totals.
    cells: Vec<HashMap<(u32, u32), Cell>>,
    pub count: usize,
    /// Persons per pattern and per mark, counted once (the panel and legend show them
    /// every frame).
    patterns: [usize; 5],
    marks: [usize; 2],
}

/// Only the count: the points are personal data and never go to a log.
impl std::fmt::Debug for InsuredPoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InsuredPoints")
            .field("count", &self.count)
            .finish()
    }
}

impl InsuredPoints {
    /// From (lon, lat, attended this year, pattern, mark) tuples.
    pub fn new(points: impl IntoIterator<Item = PointIn>) -> InsuredPoints {
        let entries: Vec<Entry> = points
            .into_iter()
            .map(|(lon, lat, attended, p, mark)| {
                let (x, y) = mercator::lonlat_to_world(lon, lat);
                GeomWithData::new(
                    [x, y],
                    Person {
                        attended,
                        pattern: p.code(),
                        mark,
                    },
                )
            })
            .collect();
        let (mut patterns, mut marks) = ([0; 5], [0; 2]);
        for e in &entries {
            patterns[Pattern::from_code(e.data.pattern).code() as usize] += 1;
            if let 1 | 2 = e.data.mark {
                marks[e.data.mark as usize - 1] += 1;
            }
        }
        let mut cells = vec![HashMap::new(); POINTS_FROM_ZOOM as usize];
        for (z, map) in cells.iter_mut().enumerate() {
            let s = mercator::world_px(z as f64) / CELL_PX;
            for e in &entries {
                let p = e.geom();
                let c: &mut Cell = map
                    .entry(((p[0] * s) as u32, (p[1] * s) as u32))
                    .or_default();
                c.n += 1;
                c.attended += e.data.attended as u32;
                c.sx += p[0];
                c.sy += p[1];
            }
        }
        InsuredPoints {
            count: entries.len(),
            tree: RTree::bulk_load(entries),
            cells,
            patterns,
            marks,
        }
    }

    /// The located targets of fiscal year `fy`, with their attendance that year and their
    /// pattern: checkups over `fy-2..=fy` and a claim in `fy`.
    pub fn load(conn: &Connection, fy: i32) -> Result<InsuredPoints, duckdb::Error> {
        let rows = crate::analysis::located_targets::located_targets(conn, fy)?;
        Ok(InsuredPoints::new(
            rows.into_iter()
                .map(|t| {
                    (
                        t.lon,
                        t.lat,
                        t.attended,
                        Pattern::of(t.years_targeted, t.years_attended, t.visited),
                        t.mark,
                    )
                })
                .collect::<Vec<_>>(),
        ))
    }

    /// How many persons fall in each pattern (in [`Pattern::ALL`] order).
    pub fn pattern_counts(&self) -> [usize; 5] {
        self.patterns
    }

    /// How many persons are marked 除外 and 勧奨対象.
    pub fn mark_counts(&self) -> [usize; 2] {
        self.marks
    }

    /// The symbols for `view`: cells below `points_from`, single persons from it, coloured
    /// by `coloring`.
    pub fn markers(&self, view: &View, points_from: u8, coloring: PointColoring) -> Vec<Marker> {
        let scale = view.scale();
        let (hw, hh) = (
            view.size.0 as f64 / 2.0 / scale,
            view.size.1 as f64 / 2.0 / scale,
        );
        let (x0, y0, x1, y1) = (
            view.center.0 - hw,
            view.center.1 - hh,
            view.center.0 + hw,
            view.center.1 + hh,
        );
        let project = |x: f64, y: f64| -> [f32; 2] {
            [
                ((x - view.center.0) * scale + view.size.0 as f64 / 2.0) as f32,
                ((y - view.center.1) * scale + view.size.1 as f64 / 2.0) as f32,
            ]
        };
        if view.zoom >= points_from.min(POINTS_FROM_ZOOM) || view.zoom as usize >= self.cells.len()
        {
            return self
                .tree
                .locate_in_envelope(AABB::from_corners([x0, y0], [x1, y1]))
                .map(|e| {
                    let color = match coloring {
                        PointColoring::Attendance if e.data.attended => ATTENDED,
                        PointColoring::Attendance => NOT_ATTENDED,
                        PointColoring::Pattern => Pattern::from_code(e.data.pattern).color(),
                    };
                    let (shape, radius, color) = match e.data.mark {
                        1 => (MarkerShape::Square, 3.5, EXCLUDED),
                        2 => (MarkerShape::Triangle, 4.5, color),
                        _ => (MarkerShape::Circle, 3.0, color),
                    };
                    Marker {
                        pos: project(e.geom()[0], e.geom()[1]),
                        radius,
                        color,
                        shape,
                    }
                })
                .collect();
        }
        let s = scale / CELL_PX;
        let map = &self.cells[view.zoom as usize];
        let mut out = Vec::new();
        for cx in (x0 * s).floor().max(0.0) as u32..=(x1 * s) as u32 {
            for cy in (y0 * s).floor().max(0.0) as u32..=(y1 * s) as u32 {
                if let Some(c) = map.get(&(cx, cy)) {
                    let not = 1.0 - c.attended as f32 / c.n as f32;
                    let mix = |a: u8, b: u8| (a as f32 * (1.0 - not) + b as f32 * not) as u8;
                    out.push(Marker {
                        pos: project(c.sx / c.n as f64, c.sy / c.n as f64),
                        radius: (2.5 + (c.n as f32).sqrt() * 0.6).min(15.0),
                        color: [
                            mix(ATTENDED[0], NOT_ATTENDED[0]),
                            mix(ATTENDED[1], NOT_ATTENDED[1]),
                            mix(ATTENDED[2], NOT_ATTENDED[2]),
                            200,
                        ],
                        shape: MarkerShape::Circle,
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_below_the_points_zoom_and_persons_from_it() {
        // 100 people around Nara station, 30 attended.
        let pts: Vec<PointIn> = (0..100)
            .map(|i| {
                (
                    135.8195 + (i % 10) as f64 * 1e-5,
                    34.6835 + (i / 10) as f64 * 1e-5,
                    i < 30,
                    if i < 30 {
                        Pattern::EveryYear
                    } else if i < 90 {
                        Pattern::NeverNotVisiting
                    } else {
                        Pattern::AttendedVisiting
                    },
                    // Two marked: one excluded, one to remind.
                    match i {
                        40 => 1,
                        41 => 2,
                        _ => 0,
                    },
                )
            })
            .collect();
        let ip = InsuredPoints::new(pts);
        let mut view = View::fit([135.80, 34.67, 135.84, 34.70], (800.0, 600.0));
        view.set_zoom(12);
        let cells = ip.markers(&view, POINTS_FROM_ZOOM, PointColoring::Attendance);
        assert_eq!(cells.len(), 1, "one cell holds them all at zoom 12");
        assert!(cells[0].radius > 5.0);
        view.set_zoom(16);
        assert_eq!(
            ip.markers(&view, POINTS_FROM_ZOOM, PointColoring::Attendance)
                .len(),
            100
        );
        let attended = ip
            .markers(&view, POINTS_FROM_ZOOM, PointColoring::Attendance)
            .iter()
            .filter(|m| m.color == ATTENDED)
            .count();
        assert_eq!(attended, 30);
        assert_eq!(ip.mark_counts(), [1, 1]);
        let shapes = ip.markers(&view, POINTS_FROM_ZOOM, PointColoring::Attendance);
        assert_eq!(
            shapes
                .iter()
                .filter(|m| m.shape == MarkerShape::Square && m.color == EXCLUDED)
                .count(),
            1
        );
        assert_eq!(
            shapes
                .iter()
                .filter(|m| m.shape == MarkerShape::Triangle && m.color == NOT_ATTENDED)
                .count(),
            1
        );
        let never = ip
            .markers(&view, POINTS_FROM_ZOOM, PointColoring::Pattern)
            .iter()
            .filter(|m| m.color == Pattern::NeverNotVisiting.color())
            .count();
        assert_eq!(never, 59, "one of them is drawn grey: excluded");
        assert_eq!(ip.pattern_counts(), [30, 10, 0, 0, 60]);
    }

    #[test]
    fn pattern_classes() {
        assert_eq!(Pattern::of(3, 3, false), Pattern::EveryYear);
        assert_eq!(Pattern::of(3, 2, true), Pattern::AttendedVisiting);
        assert_eq!(Pattern::of(3, 1, false), Pattern::AttendedNotVisiting);
        assert_eq!(Pattern::of(3, 0, true), Pattern::NeverVisiting);
        assert_eq!(Pattern::of(3, 0, false), Pattern::NeverNotVisiting);
        // A newcomer who attended every year they were a target is not 3年連続.
        assert_eq!(Pattern::of(2, 2, false), Pattern::AttendedNotVisiting);
        assert_eq!(Pattern::of(1, 0, true), Pattern::NeverVisiting);
    }
}
