//! Where a layer's coordinates may lie: Japan, in JGD2011 longitude/latitude, whatever CRS
//! the file came in. When they do not fit the CRS a file declares, [`diagnose`] says what
//! they look like instead (degrees with x and y swapped, degrees under a projected CRS,
//! metres under a geographic one) and which CRS to choose, so that a refusal can tell the
//! user what to do.

use super::crs::{Crs, Datum};
use super::japan::in_japan;

/// Whether every corner of `bbox` (min x, min y, max x, max y) is Japanese (lon, lat).
fn bbox_in_japan(b: [f64; 4]) -> bool {
    in_japan(b[0], b[1]) && in_japan(b[2], b[3])
}

/// What coordinates that do not fit their declared CRS look like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Misfit {
    /// Japanese degrees with x and y swapped (latitude in x, longitude in y).
    Swapped,
    /// Japanese degrees under a projected CRS; choose this geographic CRS.
    Degrees(Crs),
    /// Values that another CRS explains (metres in 平面直角座標系 or Web Mercator under a
    /// geographic CRS, or the other way round); choose it. The text says why.
    Other(Crs, &'static str),
    /// Nothing recognisable: wrong coordinates or a wrong CRS, and no better CRS to offer.
    Unknown,
}

impl Misfit {
    /// The CRS to choose instead, if there is one.
    pub fn suggestion(&self) -> Option<Crs> {
        match *self {
            Misfit::Degrees(c) | Misfit::Other(c, _) => Some(c),
            Misfit::Swapped | Misfit::Unknown => None,
        }
    }
}

/// Looks at the file coordinates `bbox` (min x, min y, max x, max y) of something that
/// does not fit `declared`, and says what they look like.
pub fn diagnose(declared: &Crs, bbox: [f64; 4]) -> Misfit {
    let [x0, y0, x1, y1] = bbox;
    if [x0, y0, x1, y1].iter().any(|v| !v.is_finite()) {
        return Misfit::Unknown;
    }
    if bbox_in_japan([y0, x0, y1, x1]) {
        return Misfit::Swapped;
    }
    let datum = declared.datum();
    if let Crs::Geographic(_) = declared {
        // Values within a degree's range are degrees, only somewhere else than Japan.
        let degrees = x0 >= -180.0 && x1 <= 180.0 && y0 >= -90.0 && y1 <= 90.0;
        if degrees {
            return Misfit::Unknown;
        }
    } else if bbox_in_japan(bbox) {
        return Misfit::Degrees(Crs::Geographic(datum));
    }
    match Crs::guess(bbox) {
        Some((Crs::Geographic(_), _)) | None => Misfit::Unknown,
        Some((Crs::PlaneRect { zone, .. }, why)) => {
            // The guessed zone in the datum the file declared (WGS84 has no zones: JGD2011).
            let datum = if datum == Datum::Wgs84 {
                Datum::Jgd2011
            } else {
                datum
            };
            let c = Crs::PlaneRect { zone, datum };
            if c == *declared {
                Misfit::Unknown
            } else {
                Misfit::Other(c, why)
            }
        }
        Some((c, why)) if c != *declared => Misfit::Other(c, why),
        Some(_) => Misfit::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epsg(c: u32) -> Crs {
        Crs::from_epsg(c).unwrap()
    }

    #[test]
    fn japan_has_its_far_islands_and_not_nan() {
        // Yonaguni, Minamitorishima, Okinotorishima, Cape Sōya, Nara city hall.
        for (lon, lat) in [
            (122.93, 24.45),
            (153.98, 24.28),
            (136.07, 20.42),
            (141.94, 45.52),
            (135.80, 34.68),
        ] {
            assert!(in_japan(lon, lat), "{lon} {lat}");
        }
        for (lon, lat) in [
            (34.68, 135.80),
            (2.35, 48.85),
            (f64::NAN, 34.0),
            (135.0, 90.0),
        ] {
            assert!(!in_japan(lon, lat), "{lon} {lat}");
        }
    }

    #[test]
    fn says_what_misfitting_coordinates_look_like() {
        let nara_degrees = [135.60, 34.40, 135.90, 34.70];
        let nara_swapped = [34.40, 135.60, 34.70, 135.90];
        // Nara in zone VI metres: about 15 km west and 150 km south of the origin.
        let nara_zone6 = [-40_000.0, -200_000.0, -10_000.0, -140_000.0];
        let nara_mercator = [15.09e6, 4.08e6, 15.12e6, 4.12e6];
        let paris = [2.30, 48.80, 2.40, 48.90];
        assert_eq!(diagnose(&epsg(6668), nara_swapped), Misfit::Swapped);
        assert_eq!(diagnose(&epsg(6674), nara_swapped), Misfit::Swapped);
        assert_eq!(
            diagnose(&epsg(6674), nara_degrees),
            Misfit::Degrees(epsg(6668))
        );
        assert_eq!(
            diagnose(&epsg(30166), nara_degrees),
            Misfit::Degrees(epsg(4301))
        );
        assert_eq!(
            diagnose(&epsg(3857), nara_degrees),
            Misfit::Degrees(epsg(4326))
        );
        assert_eq!(
            diagnose(&epsg(6668), nara_zone6).suggestion(),
            Some(epsg(6674))
        );
        assert_eq!(
            diagnose(&epsg(4301), nara_zone6).suggestion(),
            Some(epsg(30166))
        );
        assert_eq!(
            diagnose(&epsg(4326), nara_zone6).suggestion(),
            Some(epsg(6674))
        );
        assert_eq!(
            diagnose(&epsg(6668), nara_mercator).suggestion(),
            Some(epsg(3857))
        );
        assert_eq!(
            diagnose(&epsg(6674), nara_mercator).suggestion(),
            Some(epsg(3857))
        );
        assert_eq!(
            diagnose(&epsg(3857), nara_zone6).suggestion(),
            Some(epsg(6674))
        );
        // Degrees elsewhere, and metres that already are in the declared zone: no advice.
        assert_eq!(diagnose(&epsg(6668), paris), Misfit::Unknown);
        assert_eq!(diagnose(&epsg(6674), nara_zone6), Misfit::Unknown);
        assert_eq!(
            diagnose(&epsg(6668), [f64::NAN, 0.0, 1.0, 1.0]),
            Misfit::Unknown
        );
    }
}
