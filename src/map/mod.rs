//! The map without a window: the view (Web Mercator, zoom 1–18), layers prepared for
//! drawing (simplified per zoom band and triangulated once), the scene built for a view
//! (culled with the R-tree), colour ramps and choropleth classes, and the furniture
//! (legend, scale bar, north arrow, credits) laid out once. The egui widget in `ui::map`
//! only turns a [`scene::Scene`] and the furniture's marks into shapes; the PNG renderer
//! and the benchmark use the same scene and marks.

pub mod cache;
pub mod choropleth;
pub mod document;
pub mod facilities;
pub mod furniture;
pub mod insured;
pub mod prepared;
pub mod ramps;
pub mod scene;
pub mod style;
pub mod view;

pub use prepared::PreparedLayer;
pub use scene::{LayerStyle, Scene};
pub use view::View;

/// RGBA, unpremultiplied.
pub type Rgba = [u8; 4];

use std::sync::Arc;

use crate::layers::{LayerError, LayerIndex, bundled, storage};
use crate::store::Store;

/// The prepared layers of the map, bottom to top.
#[derive(Clone, Default)]
pub struct MapLayers(pub Vec<Arc<PreparedLayer>>);

impl std::fmt::Debug for MapLayers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|l| &l.index.info.name))
            .finish()
    }
}

impl MapLayers {
    /// Replaces the layer of the same name, or adds `layer` on top. Returns its index.
    pub fn upsert(&mut self, layer: Arc<PreparedLayer>) -> usize {
        match self.find(&layer.index.info.name).map(|(i, _)| i) {
            Some(i) => {
                self.0[i] = layer;
                i
            }
            None => {
                self.0.push(layer);
                self.0.len() - 1
            }
        }
    }

    pub fn find(&self, name: &str) -> Option<(usize, &Arc<PreparedLayer>)> {
        self.0
            .iter()
            .enumerate()
            .find(|(_, l)| l.index.info.name == name)
    }
}

/// Stores the bundled layers if missing, then loads and prepares every layer, ordered
/// areas first (large to small), then lines, then points, so that nothing hides anything.
pub fn load_layers(store: &Store, reference: &std::path::Path) -> Result<MapLayers, LayerError> {
    bundled::ensure(store, reference)?;
    let mut infos = storage::list(store.conn())?;
    let rank = |name: &str, ty: crate::layers::GeometryType| -> i32 {
        match (name, ty) {
            (bundled::MEDICAL_AREAS, _) => 0,
            (bundled::MUNICIPALITIES, _) => 1,
            (bundled::SMALL_AREAS, _) => 2,
            (_, crate::layers::GeometryType::Polygon) => 3,
            (_, crate::layers::GeometryType::Line) => 4,
            (_, crate::layers::GeometryType::Point) => 5,
        }
    };
    infos.sort_by_key(|i| rank(&i.name, i.geometry_type));
    let mut out = Vec::with_capacity(infos.len());
    for info in infos {
        let (info, features) = storage::load(store.conn(), &info.name)?;
        out.push(Arc::new(PreparedLayer::new(LayerIndex::new(
            info, features,
        ))));
    }
    Ok(MapLayers(out))
}
