//! What the map keeps between commands: the layers (loaded from the database, simplified
//! and triangulated: about half a second) and the institutions of a year, counts under
//! the threshold withheld (their users counted over all checkups: about 1.7 s on 12 times
//! the Nara data). The print preview asks for the page after every edit. The engine drops
//! both, with the search cache, after any command that may change data (imports, layers,
//! an administrator's change of the threshold, restores).

use std::collections::HashMap;
use std::sync::Arc;

use super::facilities::{self, FacilityLayer};
use super::{MapLayers, load_layers};
use crate::layers::LayerError;
use crate::store::Store;

#[derive(Default)]
pub struct MapCache {
    layers: Option<MapLayers>,
    facilities: HashMap<i32, Arc<FacilityLayer>>,
}

impl MapCache {
    /// The layers of `store` (the bundled ones taken from `reference` when missing).
    pub fn layers(
        &mut self,
        store: &Store,
        reference: &std::path::Path,
    ) -> Result<MapLayers, LayerError> {
        if let Some(l) = &self.layers {
            return Ok(l.clone());
        }
        let l = load_layers(store, reference)?;
        self.layers = Some(l.clone());
        Ok(l)
    }

    /// The institutions of `fy` as paper shows them to anyone: user counts under the
    /// threshold withheld.
    pub fn facilities(
        &mut self,
        store: &Store,
        fy: i32,
    ) -> Result<Arc<FacilityLayer>, duckdb::Error> {
        if let Some(f) = self.facilities.get(&fy) {
            return Ok(f.clone());
        }
        let threshold = crate::analysis::suppression::threshold(store.conn())?;
        let mut list = facilities::load(store.conn(), fy)?;
        facilities::withhold_small_counts(&mut list, threshold);
        let f = Arc::new(FacilityLayer::new(fy, list, threshold));
        self.facilities.insert(fy, f.clone());
        Ok(f)
    }

    pub fn clear(&mut self) {
        *self = MapCache::default();
    }
}
