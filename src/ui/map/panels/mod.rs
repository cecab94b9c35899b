//! The map's side panels (saved maps, the choropleth, the legend, layers, institutions,
//! insured points) and the layer import window.

pub(crate) mod choropleth;
pub(crate) mod layer_import;
pub(crate) mod layers;
pub(crate) mod legend;
pub(crate) mod saved_maps;
