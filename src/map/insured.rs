//! The insured as points on the map (personal data): each person's matched location and
//! whether they attended in the chosen fiscal year. Below the points zoom they are drawn
//! only aggregated, one symbol per 32-pixel cell sized by the number of people and
//! coloured by the share who did not attend; individual points appear only from that zoom.
//!
//! The cell totals are computed once per zoom when the points are loaded, so a frame
//! only looks up the cells in view.

use std::collections::HashMap;

use duckdb::Connection;
use rstar::{AABB, RTree, primitives::GeomWithData};

use super::Rgba;
use super::scene::Marker;
use super::view::View;
use crate::geo::mercator;

/// Zoom from which single persons are drawn (default; settable by the caller).
pub const POINTS_FROM_ZOOM: u8 = 15;
const CELL_PX: f64 = 32.0;

pub const ATTENDED: Rgba = [33, 102, 172, 230];
pub const NOT_ATTENDED: Rgba = [214, 96, 77, 230];

type Entry = GeomWithData<[f64; 2], bool>;

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
}

impl InsuredPoints {
    /// From (lon, lat, attended) triples.
    pub fn new(points: impl IntoIterator<Item = (f64, f64, bool)>) -> InsuredPoints {
        let entries: Vec<Entry> = points
            .into_iter()
            .map(|(lon, lat, a)| {
                let (x, y) = mercator::lonlat_to_world(lon, lat);
                GeomWithData::new([x, y], a)
            })
            .collect();
        let mut cells = vec![HashMap::new(); POINTS_FROM_ZOOM as usize];
        for (z, map) in cells.iter_mut().enumerate() {
            let s = mercator::world_px(z as f64) / CELL_PX;
            for e in &entries {
                let p = e.geom();
                let c: &mut Cell = map
                    .entry(((p[0] * s) as u32, (p[1] * s) as u32))
                    .or_default();
                c.n += 1;
                c.attended += e.data as u32;
                c.sx += p[0];
                c.sy += p[1];
            }
        }
        InsuredPoints {
            count: entries.len(),
            tree: RTree::bulk_load(entries),
            cells,
        }
    }

    /// The located insured of fiscal year `fy`'s targets, with their attendance.
    pub fn load(conn: &Connection, fy: i32) -> Result<InsuredPoints, duckdb::Error> {
        let sql = format!(
            "WITH a AS ({}) SELECT l.lon, l.lat, a.attended FROM a JOIN insured_locations l ON l.insured_id = a.insured_id WHERE l.lon IS NOT NULL",
            crate::analysis::measures::targets_with_attendance_sql()
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(duckdb::params![fy, fy], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(InsuredPoints::new(rows.collect::<Result<Vec<_>, _>>()?))
    }

    /// The symbols for `view`: cells below `points_from`, single persons from it.
    pub fn markers(&self, view: &View, points_from: u8) -> Vec<Marker> {
        let scale = mercator::world_px(view.zoom as f64);
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
                .map(|e| Marker {
                    pos: project(e.geom()[0], e.geom()[1]),
                    radius: 3.0,
                    color: if e.data { ATTENDED } else { NOT_ATTENDED },
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
        let pts: Vec<(f64, f64, bool)> = (0..100)
            .map(|i| {
                (
                    135.8195 + (i % 10) as f64 * 1e-5,
                    34.6835 + (i / 10) as f64 * 1e-5,
                    i < 30,
                )
            })
            .collect();
        let ip = InsuredPoints::new(pts);
        let mut view = View::fit([135.80, 34.67, 135.84, 34.70], (800.0, 600.0));
        view.set_zoom(12);
        let cells = ip.markers(&view, POINTS_FROM_ZOOM);
        assert_eq!(cells.len(), 1, "one cell holds them all at zoom 12");
        assert!(cells[0].radius > 5.0);
        view.set_zoom(16);
        assert_eq!(ip.markers(&view, POINTS_FROM_ZOOM).len(), 100);
        let attended = ip
            .markers(&view, POINTS_FROM_ZOOM)
            .iter()
            .filter(|m| m.color == ATTENDED)
            .count();
        assert_eq!(attended, 30);
    }
}
