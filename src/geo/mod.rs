//! Geometry: coordinate systems (`.prj`, EPSG, 平面直角座標系, the Tokyo datum), Web
//! Mercator and zoom scales, WKB, distances, and the e-Stat small areas dissolved by
//! KEY_CODE. Plain Rust on `geo`/`rstar`/`shapefile`; one algorithm per file.

pub mod crs;
pub mod distance;
pub mod mercator;
pub mod plane_rect;
pub mod smallareas;
pub mod tokyo_datum;
pub mod wkb;
