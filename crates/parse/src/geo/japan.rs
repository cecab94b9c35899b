//! Japan's extent in JGD2011 degrees: where a Japanese layer's coordinates may lie. The
//! lowest piece of the geometry: [`super::crs`] guesses from it and [`super::valid_area`]
//! checks against it.

/// Japan in JGD2011 degrees (min lon, min lat, max lon, max lat): Yonaguni (122.9°E) to
/// Minamitorishima (154.0°E), Okinotorishima (20.4°N) to Cape Sōya (45.5°N).
pub const JAPAN: [f64; 4] = [122.0, 20.0, 154.0, 46.0];

/// Whether a JGD2011 (lon, lat) lies in [`JAPAN`]; false for NaN.
pub fn in_japan(lon: f64, lat: f64) -> bool {
    (JAPAN[0]..=JAPAN[2]).contains(&lon) && (JAPAN[1]..=JAPAN[3]).contains(&lat)
}
