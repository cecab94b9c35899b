//! An area to search inside: polygons (lon/lat, JGD2011) or a geodesic circle on GRS80,
//! with a bounding box for the R-tree prefilter and an exact test for what the box lets
//! through.

use geo::{BoundingRect, Contains, MultiPolygon, Point};

use crate::geo::geodesic;

/// An area to search inside.
#[derive(Debug, Clone)]
pub enum Region {
    Polygons(MultiPolygon<f64>),
    Circle { center: (f64, f64), radius_m: f64 },
}

impl Region {
    /// [min lon, min lat, max lon, max lat]; `None` for an empty region.
    pub fn bbox(&self) -> Option<[f64; 4]> {
        match self {
            Region::Polygons(m) => m
                .bounding_rect()
                .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
            Region::Circle { center, radius_m } => Some(geodesic::circle_bbox(*center, *radius_m)),
        }
    }

    /// Whether (lon, lat) is inside (a point on a polygon's edge counts as outside).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        match self {
            Region::Polygons(m) => m.contains(&Point::new(lon, lat)),
            Region::Circle { center, radius_m } => {
                geodesic::distance_m(*center, (lon, lat)) <= *radius_m
            }
        }
    }

    /// The outline as rings of (lon, lat), for drawing.
    pub fn rings(&self) -> Vec<Vec<(f64, f64)>> {
        match self {
            Region::Polygons(m) => {
                m.0.iter()
                    .map(|p| p.exterior().0.iter().map(|c| (c.x, c.y)).collect())
                    .collect()
            }
            Region::Circle { center, radius_m } => {
                vec![geodesic::circle_ring(*center, *radius_m, 96)]
            }
        }
    }
}
