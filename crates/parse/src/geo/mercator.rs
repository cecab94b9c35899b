//! Web Mercator (EPSG:3857) and the tile pyramid of web maps: zoom levels, world pixels,
//! tile numbers and the scale an analyst reads off a paper map (1:25,000).

use std::f64::consts::PI;

/// The Earth radius of the spherical Web Mercator, metres.
pub const R: f64 = 6_378_137.0;
/// Tile edge in pixels.
pub const TILE: f64 = 256.0;
/// Web Mercator's latitude limit.
pub const MAX_LAT: f64 = 85.051_128_779_806_59;
/// The zoom levels the map offers.
pub const MIN_ZOOM: u8 = 1;
pub const MAX_ZOOM: u8 = 18;
/// The physical size of a screen pixel used for scales: OGC's standardised 0.28 mm.
pub const PIXEL_M: f64 = 0.000_28;

pub fn lonlat_to_meters(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT);
    (
        R * lon.to_radians(),
        R * (PI / 4.0 + lat.to_radians() / 2.0).tan().ln(),
    )
}

pub fn meters_to_lonlat(x: f64, y: f64) -> (f64, f64) {
    (
        (x / R).to_degrees(),
        (2.0 * (y / R).exp().atan() - PI / 2.0).to_degrees(),
    )
}

/// (lon, lat) → "world" coordinates in 0–1 (x east, y south), the unit square of zoom 0.
pub fn lonlat_to_world(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    (
        (lon + 180.0) / 360.0,
        (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0,
    )
}

pub fn world_to_lonlat(x: f64, y: f64) -> (f64, f64) {
    let lon = x * 360.0 - 180.0;
    let lat = (PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees();
    (lon, lat)
}

/// World size in pixels at a (possibly fractional) zoom.
pub fn world_px(zoom: f64) -> f64 {
    TILE * 2f64.powf(zoom)
}

/// Ground metres per screen pixel at `zoom` and latitude `lat`.
pub fn meters_per_pixel(zoom: f64, lat: f64) -> f64 {
    2.0 * PI * R * lat.to_radians().cos() / world_px(zoom)
}

/// The scale denominator (25,000 for 1:25,000) at `zoom` and latitude `lat`.
pub fn scale_denominator(zoom: f64, lat: f64) -> f64 {
    meters_per_pixel(zoom, lat) / PIXEL_M
}

/// The integer zoom whose scale is nearest (in log terms) to 1:`denominator`.
pub fn zoom_for_scale(denominator: f64, lat: f64) -> u8 {
    let z0 = scale_denominator(0.0, lat);
    let z = (z0 / denominator.max(1.0)).log2().round();
    z.clamp(MIN_ZOOM as f64, MAX_ZOOM as f64) as u8
}

/// The tile (x, y) containing world point (wx, wy) at integer zoom `z`.
pub fn tile_of(wx: f64, wy: f64, z: u8) -> (u32, u32) {
    let n = (1u64 << z) as f64;
    let clamp = |v: f64| (v * n).floor().clamp(0.0, n - 1.0) as u32;
    (clamp(wx), clamp(wy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_known_values() {
        let (x, y) = lonlat_to_meters(135.8049, 34.6851);
        let (lon, lat) = meters_to_lonlat(x, y);
        assert!((lon - 135.8049).abs() < 1e-9 && (lat - 34.6851).abs() < 1e-9);
        let (wx, wy) = lonlat_to_world(135.8049, 34.6851);
        let (lon, lat) = world_to_lonlat(wx, wy);
        assert!((lon - 135.8049).abs() < 1e-9 && (lat - 34.6851).abs() < 1e-9);
        // Nara city hall's tile at zoom 14 by the slippy-map formula, computed separately.
        assert_eq!(tile_of(wx, wy, 14), (14372, 6507));
    }

    #[test]
    fn scales() {
        // At the equator zoom 0 is about 1:559 million with 0.28 mm pixels.
        assert!((scale_denominator(0.0, 0.0) / 559_082_264.0 - 1.0).abs() < 1e-3);
        let s15 = scale_denominator(15.0, 34.68);
        assert!((13_000.0..15_000.0).contains(&s15), "{s15}");
        assert_eq!(zoom_for_scale(s15, 34.68), 15);
        assert_eq!(zoom_for_scale(25_000.0, 34.68), 14);
        assert_eq!(zoom_for_scale(1.0, 34.68), MAX_ZOOM);
        assert_eq!(zoom_for_scale(1e12, 34.68), MIN_ZOOM);
    }
}
