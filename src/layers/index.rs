//! A loaded layer in memory with an R-tree over feature bounding boxes, for culling a map
//! view and for identify (which feature is under the cursor).

use geo::{BoundingRect, Contains, Distance, Euclidean, Geometry, Point};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};

use super::model::Feature;
use super::storage::LayerInfo;

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

pub struct LayerIndex {
    pub info: LayerInfo,
    pub features: Vec<Feature>,
    tree: RTree<Entry>,
}

impl LayerIndex {
    pub fn new(info: LayerInfo, features: Vec<Feature>) -> LayerIndex {
        let entries: Vec<Entry> = features
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let r = f.geom.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        LayerIndex {
            info,
            features,
            tree: RTree::bulk_load(entries),
        }
    }

    /// Every feature's value of field `name` as text (area codes for a choropleth).
    pub fn column_text(&self, name: &str) -> Option<Vec<String>> {
        let i = self.info.field_index(name)?;
        Some(
            self.features
                .iter()
                .map(|f| f.attrs.get(i).map(|a| a.display()).unwrap_or_default())
                .collect(),
        )
    }

    /// Features whose bbox meets [min lon, min lat, max lon, max lat].
    pub fn in_bbox(&self, b: [f64; 4]) -> impl Iterator<Item = usize> + '_ {
        self.tree
            .locate_in_envelope_intersecting(AABB::from_corners([b[0], b[1]], [b[2], b[3]]))
            .map(|e| e.data)
    }

    /// The feature at (lon, lat): the area containing it, or the nearest point/line within
    /// `tolerance` degrees.
    pub fn hit(&self, lon: f64, lat: f64, tolerance: f64) -> Option<usize> {
        self.hit_where(lon, lat, tolerance, |_| true)
    }

    /// [`LayerIndex::hit`] among the features `keep` accepts (those drawn).
    pub fn hit_where(
        &self,
        lon: f64,
        lat: f64,
        tolerance: f64,
        keep: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let p = Point::new(lon, lat);
        let near = self.in_bbox([
            lon - tolerance,
            lat - tolerance,
            lon + tolerance,
            lat + tolerance,
        ]);
        let mut best: Option<(f64, usize)> = None;
        for i in near.filter(|&i| keep(i)) {
            let d = match &self.features[i].geom {
                Geometry::MultiPolygon(m) => {
                    if m.contains(&p) {
                        0.0
                    } else {
                        continue;
                    }
                }
                Geometry::Polygon(poly) => {
                    if poly.contains(&p) {
                        0.0
                    } else {
                        continue;
                    }
                }
                g => Euclidean.distance(&p, g),
            };
            if d <= tolerance && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, i));
            }
        }
        best.map(|(_, i)| i)
    }
}
