//! Geometry: coordinate systems (`.prj`, EPSG, 平面直角座標系, the Tokyo datum), Japan's
//! valid area, Web Mercator and zoom scales, WKB and distances. Plain Rust on `geo`; one
//! algorithm per file.

pub mod crs;
pub mod distance;
pub mod geodesic;
pub mod japan;
pub mod mercator;
pub mod plane_rect;
pub mod tokyo_datum;
pub mod valid_area;
pub mod wkb;
pub mod wkt;
