//! The painters of a [`Scene`](crate::map::scene::Scene) below the map renderer: the CPU
//! rasteriser (tiny-skia), the map furniture's marks, the Japanese text painter, PNG
//! encoding, and the PDF painter (vectors, text as text). The basemap's
//! built-in tiles and the map renderer ([`crate::render`]) both paint with them, so they
//! sit beneath both. No egui here.

pub mod marks;
pub mod pdf;
pub mod png;
pub mod raster;
pub mod text;

pub use png::encode_png;
