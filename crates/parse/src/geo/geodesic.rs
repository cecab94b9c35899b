//! Geodesic distance and destination on the GRS80 ellipsoid (Vincenty 1975): the one
//! definition of "N metres on the ground" for circles, distances and nearest searches. A
//! 2 km circle is 2 km along the ellipsoid in every direction, not a Mercator circle.
//!
//! Vincenty's iteration converges to well under a millimetre for any two points in Japan;
//! for nearly antipodal points (where it may not converge) the distance falls back to the
//! haversine on the mean radius, which no search in this app comes near.

use super::distance::haversine_m;

/// GRS80 semi-major axis (m) and flattening.
pub const A: f64 = 6_378_137.0;
pub const F: f64 = 1.0 / 298.257_222_101;
const B: f64 = A * (1.0 - F);

/// Distance in metres along the GRS80 ellipsoid between two (lon, lat) points in degrees.
pub fn distance_m(p: (f64, f64), q: (f64, f64)) -> f64 {
    if p == q {
        return 0.0;
    }
    let l = (q.0 - p.0).to_radians();
    let u1 = ((1.0 - F) * p.1.to_radians().tan()).atan();
    let u2 = ((1.0 - F) * q.1.to_radians().tan()).atan();
    let (su1, cu1) = u1.sin_cos();
    let (su2, cu2) = u2.sin_cos();
    let mut lambda = l;
    for _ in 0..200 {
        let (sl, cl) = lambda.sin_cos();
        let sin_sigma = ((cu2 * sl).powi(2) + (cu1 * su2 - su1 * cu2 * cl).powi(2)).sqrt();
        if sin_sigma == 0.0 {
            return 0.0;
        }
        let cos_sigma = su1 * su2 + cu1 * cu2 * cl;
        let sigma = sin_sigma.atan2(cos_sigma);
        let sin_alpha = cu1 * cu2 * sl / sin_sigma;
        let cos2_alpha = 1.0 - sin_alpha * sin_alpha;
        let cos_2sm = if cos2_alpha == 0.0 {
            0.0
        } else {
            cos_sigma - 2.0 * su1 * su2 / cos2_alpha
        };
        let c = F / 16.0 * cos2_alpha * (4.0 + F * (4.0 - 3.0 * cos2_alpha));
        let prev = lambda;
        lambda = l
            + (1.0 - c)
                * F
                * sin_alpha
                * (sigma
                    + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)));
        if (lambda - prev).abs() < 1e-12 {
            let u_sq = cos2_alpha * (A * A - B * B) / (B * B);
            let a =
                1.0 + u_sq / 16384.0 * (4096.0 + u_sq * (-768.0 + u_sq * (320.0 - 175.0 * u_sq)));
            let b = u_sq / 1024.0 * (256.0 + u_sq * (-128.0 + u_sq * (74.0 - 47.0 * u_sq)));
            let delta = b
                * sin_sigma
                * (cos_2sm
                    + b / 4.0
                        * (cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)
                            - b / 6.0
                                * cos_2sm
                                * (-3.0 + 4.0 * sin_sigma * sin_sigma)
                                * (-3.0 + 4.0 * cos_2sm * cos_2sm)));
            return B * a * (sigma - delta);
        }
    }
    haversine_m(p, q)
}

/// The point `dist_m` metres from `p` (lon, lat in degrees) along the geodesic leaving at
/// `bearing_deg` (clockwise from north).
pub fn destination(p: (f64, f64), bearing_deg: f64, dist_m: f64) -> (f64, f64) {
    let (sa1, ca1) = bearing_deg.to_radians().sin_cos();
    let tu1 = (1.0 - F) * p.1.to_radians().tan();
    let cu1 = 1.0 / (1.0 + tu1 * tu1).sqrt();
    let su1 = tu1 * cu1;
    let sigma1 = tu1.atan2(ca1);
    let sin_alpha = cu1 * sa1;
    let cos2_alpha = 1.0 - sin_alpha * sin_alpha;
    let u_sq = cos2_alpha * (A * A - B * B) / (B * B);
    let a = 1.0 + u_sq / 16384.0 * (4096.0 + u_sq * (-768.0 + u_sq * (320.0 - 175.0 * u_sq)));
    let b = u_sq / 1024.0 * (256.0 + u_sq * (-128.0 + u_sq * (74.0 - 47.0 * u_sq)));
    let mut sigma = dist_m / (B * a);
    let (mut sin_sigma, mut cos_sigma, mut cos_2sm);
    let mut n = 0;
    loop {
        cos_2sm = (2.0 * sigma1 + sigma).cos();
        sin_sigma = sigma.sin();
        cos_sigma = sigma.cos();
        let delta = b
            * sin_sigma
            * (cos_2sm
                + b / 4.0
                    * (cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)
                        - b / 6.0
                            * cos_2sm
                            * (-3.0 + 4.0 * sin_sigma * sin_sigma)
                            * (-3.0 + 4.0 * cos_2sm * cos_2sm)));
        let next = dist_m / (B * a) + delta;
        n += 1;
        if (next - sigma).abs() < 1e-12 || n > 200 {
            sigma = next;
            break;
        }
        sigma = next;
    }
    let _ = (sin_sigma, cos_sigma, cos_2sm);
    let (sin_sigma, cos_sigma) = sigma.sin_cos();
    let cos_2sm = (2.0 * sigma1 + sigma).cos();
    let tmp = su1 * sin_sigma - cu1 * cos_sigma * ca1;
    let lat2 = (su1 * cos_sigma + cu1 * sin_sigma * ca1)
        .atan2((1.0 - F) * (sin_alpha * sin_alpha + tmp * tmp).sqrt());
    let lambda = (sin_sigma * sa1).atan2(cu1 * cos_sigma - su1 * sin_sigma * ca1);
    let c = F / 16.0 * cos2_alpha * (4.0 + F * (4.0 - 3.0 * cos2_alpha));
    let l = lambda
        - (1.0 - c)
            * F
            * sin_alpha
            * (sigma
                + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)));
    (p.0 + l.to_degrees(), lat2.to_degrees())
}

/// A box [min lon, min lat, max lon, max lat] that holds every point within `radius_m` of
/// `p` (a little larger than the circle: for prefiltering).
pub fn circle_bbox(p: (f64, f64), radius_m: f64) -> [f64; 4] {
    let r = radius_m * 1.001 + 1.0;
    let n = destination(p, 0.0, r).1;
    let s = destination(p, 180.0, r).1;
    // The widest longitude offset is at the latitude nearer the pole; east at the centre
    // latitude is within a hair of it at these radii, widened by the margin above.
    let e = destination(p, 90.0, r).0;
    let w = destination(p, 270.0, r).0;
    let de = (e - p.0).max(p.0 - w) * 1.01;
    [p.0 - de, s, p.0 + de, n]
}

/// The circle of `radius_m` around `p` as a closed ring of `segments` (lon, lat) vertices
/// (for drawing, and for a circle as a polygon where one is needed).
pub fn circle_ring(p: (f64, f64), radius_m: f64, segments: usize) -> Vec<(f64, f64)> {
    let n = segments.max(8);
    let mut ring: Vec<(f64, f64)> = (0..n)
        .map(|i| destination(p, 360.0 * i as f64 / n as f64, radius_m))
        .collect();
    ring.push(ring[0]);
    ring
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_distances() {
        // Flinders Peak → Buninyong, Vincenty's own test line: 54,972.271 m.
        let d = distance_m(
            (
                144.0 + 25.0 / 60.0 + 29.52440 / 3600.0,
                -(37.0 + 57.0 / 60.0 + 3.72030 / 3600.0),
            ),
            (
                143.0 + 55.0 / 60.0 + 35.38390 / 3600.0,
                -(37.0 + 39.0 / 60.0 + 10.15610 / 3600.0),
            ),
        );
        assert!((d - 54_972.271).abs() < 0.01, "{d}");
        // One degree of latitude at 35°N on GRS80 is 110,946 m (meridian arc).
        let d = distance_m((135.0, 34.5), (135.0, 35.5));
        assert!((d - 110_946.0).abs() < 20.0, "{d}");
        // Within 0.5% of the spherical figure over Nara.
        let (a, b) = ((135.8286, 34.6847), (135.5011, 34.6683));
        let rel = (distance_m(a, b) - haversine_m(a, b)).abs() / haversine_m(a, b);
        assert!(rel < 0.005, "{rel}");
        assert_eq!(distance_m(a, a), 0.0);
    }

    #[test]
    fn destination_is_the_inverse_of_distance() {
        let p = (135.8048, 34.6851);
        for bearing in [0.0, 37.0, 90.0, 180.0, 255.0, 359.0] {
            for d in [10.0, 2_000.0, 35_000.0] {
                let q = destination(p, bearing, d);
                let back = distance_m(p, q);
                assert!((back - d).abs() < 1e-3, "{bearing} {d}: {back}");
            }
        }
    }

    #[test]
    fn the_circle_box_holds_the_circle() {
        let p = (135.8048, 34.6851);
        let b = circle_bbox(p, 2_000.0);
        for q in circle_ring(p, 2_000.0, 72) {
            assert!(
                q.0 >= b[0] && q.0 <= b[2] && q.1 >= b[1] && q.1 <= b[3],
                "{q:?}"
            );
        }
        // And is not much bigger: 2 km ≈ 0.018° of latitude.
        assert!((b[3] - b[1]) < 0.0362, "{b:?}");
    }
}
