//! Great-circle distance on the GRS80 mean radius, and a local equirectangular projection
//! for nearest-neighbour searches over a prefecture-sized area.

/// Mean earth radius of GRS80, in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Haversine distance in metres between two (lon, lat) points in degrees.
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lon1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lon2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// Projects (lon, lat) to local metres around a reference latitude; distances in this plane
/// are within 0.1% of the haversine over Nara's extent, fine for choosing neighbours.
pub fn local_xy(p: (f64, f64), ref_lat: f64) -> [f64; 2] {
    let k = std::f64::consts::PI / 180.0 * EARTH_RADIUS_M;
    [p.0 * k * ref_lat.to_radians().cos(), p.1 * k]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nara_to_osaka_is_about_30_km() {
        // 近鉄奈良駅 → 大阪難波駅, about 29.6 km in a straight line.
        let d = haversine_m((135.8286, 34.6847), (135.5011, 34.6683));
        assert!((d - 30_000.0).abs() < 1_000.0, "{d}");
    }
}
