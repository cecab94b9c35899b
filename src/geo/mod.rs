//! Geometry: coordinate systems (平面直角座標系), readers for the boundary files, and the
//! e-Stat small areas dissolved by KEY_CODE. Plain Rust on `geo`/`rstar`/`shapefile`.

pub mod distance;
pub mod plane_rect;
pub mod smallareas;
