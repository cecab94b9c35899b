//! A layer prepared for drawing: geometry in Web Mercator world coordinates, simplified for
//! a few zoom bands (so a frame never walks more vertices than its pixels can show) and
//! triangulated once per band (egui and the rasteriser fill triangles, and areas are
//! concave). A label anchor inside each area.

use geo::{Geometry, InteriorPoint, MapCoords, MultiPolygon, Simplify, TriangulateEarcut};

use crate::geo::mercator;
use crate::layers::{GeometryType, LayerIndex};

/// The zooms at which geometry is simplified; a view uses the highest band ≤ its zoom (the
/// lowest band below that), and zooms above the last use the full geometry.
pub const BANDS: [u8; 5] = [6, 8, 10, 12, 14];
/// Simplification tolerance in screen points at the band's zoom.
const TOLERANCE_PX: f64 = 0.6;

#[derive(Default)]
pub struct Shapes {
    /// Area fills: vertices and triangle indices into them.
    pub tri_vertices: Vec<[f64; 2]>,
    pub tri_indices: Vec<u32>,
    /// Outlines (area rings) or lines.
    pub lines: Vec<Vec<[f64; 2]>>,
    /// Points.
    pub points: Vec<[f64; 2]>,
}

pub struct PreparedLayer {
    pub index: LayerIndex,
    /// `bands[b][feature]`, the last band being the full geometry.
    bands: Vec<Vec<Shapes>>,
    /// Label anchor per feature (world coordinates).
    pub anchors: Vec<Option<[f64; 2]>>,
}

fn to_world(g: &Geometry<f64>) -> Geometry<f64> {
    g.map_coords(|c| {
        let (x, y) = mercator::lonlat_to_world(c.x, c.y);
        geo::Coord { x, y }
    })
}

fn shapes(g: &Geometry<f64>) -> Shapes {
    let mut s = Shapes::default();
    let add_poly = |p: &geo::Polygon<f64>, s: &mut Shapes| {
        let raw = p.earcut_triangles_raw();
        let base = s.tri_vertices.len() as u32;
        s.tri_vertices.extend(raw.vertices.iter().copied());
        s.tri_indices
            .extend(raw.triangle_indices.iter().map(|&i| base + i as u32));
        s.lines
            .push(p.exterior().0.iter().map(|c| [c.x, c.y]).collect());
        for r in p.interiors() {
            s.lines.push(r.0.iter().map(|c| [c.x, c.y]).collect());
        }
    };
    match g {
        Geometry::MultiPolygon(m) => m.0.iter().for_each(|p| add_poly(p, &mut s)),
        Geometry::Polygon(p) => add_poly(p, &mut s),
        Geometry::MultiLineString(m) => s
            .lines
            .extend(m.0.iter().map(|l| l.0.iter().map(|c| [c.x, c.y]).collect())),
        Geometry::LineString(l) => s.lines.push(l.0.iter().map(|c| [c.x, c.y]).collect()),
        Geometry::Point(p) => s.points.push([p.x(), p.y()]),
        Geometry::MultiPoint(m) => s.points.extend(m.0.iter().map(|p| [p.x(), p.y()])),
        _ => {}
    }
    s
}

fn simplified(g: &Geometry<f64>, eps: f64) -> Geometry<f64> {
    match g {
        Geometry::MultiPolygon(m) => {
            // Drop parts smaller than a pixel; keep at least the largest.
            let kept: Vec<_> =
                m.0.iter()
                    .map(|p| p.simplify(eps))
                    .filter(|p| p.exterior().0.len() >= 4)
                    .collect();
            Geometry::MultiPolygon(MultiPolygon(kept))
        }
        Geometry::MultiLineString(m) => Geometry::MultiLineString(m.simplify(eps)),
        other => other.clone(),
    }
}

impl PreparedLayer {
    pub fn new(index: LayerIndex) -> PreparedLayer {
        let world: Vec<Geometry<f64>> = index.features.iter().map(|f| to_world(&f.geom)).collect();
        let mut bands = Vec::with_capacity(BANDS.len() + 1);
        for &z in &BANDS {
            let eps = TOLERANCE_PX / mercator::world_px(z as f64);
            bands.push(world.iter().map(|g| shapes(&simplified(g, eps))).collect());
        }
        bands.push(world.iter().map(shapes).collect());
        let anchors = world
            .iter()
            .map(|g| match (index.info.geometry_type, g) {
                (GeometryType::Polygon, Geometry::MultiPolygon(m)) => {
                    // The interior point of the largest part: a label sits inside its area.
                    use geo::Area;
                    m.0.iter()
                        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
                        .and_then(|p| p.interior_point())
                        .map(|p| [p.x(), p.y()])
                }
                (_, g) => g.interior_point().map(|p| [p.x(), p.y()]),
            })
            .collect();
        PreparedLayer {
            index,
            bands,
            anchors,
        }
    }

    /// The shapes of `feature` for drawing at `zoom`.
    pub fn shapes(&self, feature: usize, zoom: u8) -> &Shapes {
        let last = BANDS[BANDS.len() - 1];
        let b = if zoom > last {
            BANDS.len()
        } else {
            BANDS.iter().rposition(|&z| z <= zoom).unwrap_or(0)
        };
        &self.bands[b][feature]
    }

    pub fn len(&self) -> usize {
        self.index.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.features.is_empty()
    }
}
