//! The old Tokyo datum (日本測地系, Bessel 1841) to JGD2011 by the three-parameter geocentric
//! shift that GSI publishes for Japan as a whole (ΔX −146.414, ΔY +507.337, ΔZ +680.507 m).
//!
//! Accuracy: this is not TKY2JGD's grid, which is not bundled. Against the grid the shift is
//! off by a few metres in most of Honshu and up to about 10 m elsewhere; the UI says so when a
//! Tokyo-datum file is imported. For area-level statistics that is well inside one 街区.

use super::plane_rect::{BESSEL, Ellipsoid, GRS80};

/// The stated accuracy, shown to the user.
pub const ACCURACY_NOTE: &str = "日本測地系（旧測地系）は3パラメータ変換で世界測地系に変換しました（誤差は数m、地域により10m程度）。";

const SHIFT: [f64; 3] = [-146.414, 507.337, 680.507];

fn to_geocentric(e: &Ellipsoid, lon: f64, lat: f64) -> [f64; 3] {
    let (phi, lam) = (lat.to_radians(), lon.to_radians());
    let e2 = e.f * (2.0 - e.f);
    let n = e.a / (1.0 - e2 * phi.sin().powi(2)).sqrt();
    [
        n * phi.cos() * lam.cos(),
        n * phi.cos() * lam.sin(),
        n * (1.0 - e2) * phi.sin(),
    ]
}

fn from_geocentric(e: &Ellipsoid, p: [f64; 3]) -> (f64, f64) {
    let e2 = e.f * (2.0 - e.f);
    let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
    let lon = p[1].atan2(p[0]);
    // Iterate on latitude; converges to sub-millimetre in a few steps at these heights.
    let mut phi = p[2].atan2(r * (1.0 - e2));
    for _ in 0..8 {
        let n = e.a / (1.0 - e2 * phi.sin().powi(2)).sqrt();
        let h = r / phi.cos() - n;
        phi = (p[2] / r / (1.0 - e2 * n / (n + h))).atan();
    }
    (lon.to_degrees(), phi.to_degrees())
}

/// Tokyo-datum (lon, lat) → JGD2011 (lon, lat), degrees.
pub fn tokyo_to_jgd(lon: f64, lat: f64) -> (f64, f64) {
    let p = to_geocentric(&BESSEL, lon, lat);
    from_geocentric(&GRS80, [p[0] + SHIFT[0], p[1] + SHIFT[1], p[2] + SHIFT[2]])
}

/// JGD2011 (lon, lat) → Tokyo-datum (lon, lat), degrees.
pub fn jgd_to_tokyo(lon: f64, lat: f64) -> (f64, f64) {
    let p = to_geocentric(&GRS80, lon, lat);
    from_geocentric(&BESSEL, [p[0] - SHIFT[0], p[1] - SHIFT[1], p[2] - SHIFT[2]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::distance::haversine_m;

    /// GSI's published example: 日本経緯度原点 (the Tokyo datum origin in Azabu) is at
    /// 139°44′40.502″E 35°39′17.5148″N on the Tokyo datum and at 139°44′28.8869″E
    /// 35°39′29.1572″N on JGD2000/2011 (before the 2011 quake's shift).
    #[test]
    fn datum_origin_moves_by_the_published_amount() {
        let tokyo = (
            139.0 + 44.0 / 60.0 + 40.502 / 3600.0,
            35.0 + 39.0 / 60.0 + 17.5148 / 3600.0,
        );
        let jgd = (
            139.0 + 44.0 / 60.0 + 28.8869 / 3600.0,
            35.0 + 39.0 / 60.0 + 29.1572 / 3600.0,
        );
        let got = tokyo_to_jgd(tokyo.0, tokyo.1);
        let err = haversine_m(got, jgd);
        assert!(err < 15.0, "{got:?} is {err:.1} m from {jgd:?}");
        // The shift itself is about 450 m to the north-west.
        assert!(haversine_m(tokyo, jgd) > 400.0);
    }

    #[test]
    fn round_trips() {
        let (lon, lat) = jgd_to_tokyo(135.8, 34.68);
        let back = tokyo_to_jgd(lon, lat);
        assert!(haversine_m(back, (135.8, 34.68)) < 0.01, "{back:?}");
    }
}
