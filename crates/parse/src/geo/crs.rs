//! Coordinate reference systems the boundary files of Japanese offices use: geographic
//! JGD2000/JGD2011/WGS84/Tokyo, Web Mercator, and the 19 zones of 平面直角座標系 in each
//! datum. Read from a `.prj` (ESRI or OGC WKT, as GIS tools and e-Stat write them) or from
//! an EPSG code, and guessed from a coordinate range when a file has no `.prj`.
//!
//! Everything is converted to JGD2011 longitude/latitude on import; JGD2011, JGD2000 and
//! WGS84 are treated as the same (they differ by centimetres to a few decimetres in Nara,
//! below the resolution of any boundary file here).

use super::{plane_rect, tokyo_datum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Datum {
    Jgd2011,
    Jgd2000,
    Wgs84,
    /// The old Tokyo datum (Bessel 1841); converted with a stated accuracy.
    Tokyo,
}

impl Datum {
    pub fn label(self) -> &'static str {
        match self {
            Datum::Jgd2011 => "JGD2011",
            Datum::Jgd2000 => "JGD2000",
            Datum::Wgs84 => "WGS84",
            Datum::Tokyo => "日本測地系（Tokyo）",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Crs {
    /// Longitude/latitude in degrees.
    Geographic(Datum),
    /// EPSG:3857, metres.
    WebMercator,
    /// 平面直角座標系 zone 1–19; coordinates as files store them: x = easting (Y), y =
    /// northing (X).
    PlaneRect { zone: u8, datum: Datum },
}

const ROMAN: [&str; 19] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
    "XVI", "XVII", "XVIII", "XIX",
];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CrsError {
    #[error(
        "座標系（.prj）を判別できません: 「{0}」。対応しているのは JGD2000/JGD2011/WGS84/日本測地系の経緯度、Webメルカトル、平面直角座標系（第I〜XIX系）です。EPSG コードで指定してください。"
    )]
    Unknown(String),
    #[error(
        "EPSG:{0} には対応していません。対応コード: 4612, 6668, 4326, 4301, 3857, 2443〜2461, 6669〜6687, 30161〜30179。"
    )]
    UnknownEpsg(u32),
}

impl Crs {
    /// Every supported CRS, for a list to choose from: geographic, Web Mercator, then the
    /// 19 zones of 平面直角座標系 in JGD2011, JGD2000 and the Tokyo datum.
    pub fn all() -> Vec<Crs> {
        [6668u32, 4612, 4326, 4301, 3857]
            .into_iter()
            .chain(6669..=6687)
            .chain(2443..=2461)
            .chain(30161..=30179)
            .filter_map(|c| Crs::from_epsg(c).ok())
            .collect()
    }

    /// The CRS of an EPSG code.
    pub fn from_epsg(code: u32) -> Result<Crs, CrsError> {
        Ok(match code {
            6668 => Crs::Geographic(Datum::Jgd2011),
            4612 => Crs::Geographic(Datum::Jgd2000),
            4326 => Crs::Geographic(Datum::Wgs84),
            4301 => Crs::Geographic(Datum::Tokyo),
            3857 | 900913 => Crs::WebMercator,
            6669..=6687 => Crs::PlaneRect {
                zone: (code - 6668) as u8,
                datum: Datum::Jgd2011,
            },
            2443..=2461 => Crs::PlaneRect {
                zone: (code - 2442) as u8,
                datum: Datum::Jgd2000,
            },
            30161..=30179 => Crs::PlaneRect {
                zone: (code - 30160) as u8,
                datum: Datum::Tokyo,
            },
            _ => return Err(CrsError::UnknownEpsg(code)),
        })
    }

    pub fn epsg(&self) -> u32 {
        match *self {
            Crs::Geographic(Datum::Jgd2011) => 6668,
            Crs::Geographic(Datum::Jgd2000) => 4612,
            Crs::Geographic(Datum::Wgs84) => 4326,
            Crs::Geographic(Datum::Tokyo) => 4301,
            Crs::WebMercator => 3857,
            Crs::PlaneRect {
                zone,
                datum: Datum::Jgd2000,
            } => 2442 + zone as u32,
            Crs::PlaneRect {
                zone,
                datum: Datum::Tokyo,
            } => 30160 + zone as u32,
            Crs::PlaneRect { zone, datum: _ } => 6668 + zone as u32,
        }
    }

    /// "JGD2011 / 平面直角座標系 第VI系 (EPSG:6674)".
    pub fn label(&self) -> String {
        let name = match self {
            Crs::Geographic(d) => format!("{} 経緯度", d.label()),
            Crs::WebMercator => "Webメルカトル".to_string(),
            Crs::PlaneRect { zone, datum } => format!(
                "{} / 平面直角座標系 第{}系",
                datum.label(),
                ROMAN[(*zone as usize).clamp(1, 19) - 1]
            ),
        };
        format!("{name} (EPSG:{})", self.epsg())
    }

    /// The datum; Web Mercator's is WGS84.
    pub fn datum(&self) -> Datum {
        match *self {
            Crs::Geographic(d) | Crs::PlaneRect { datum: d, .. } => d,
            Crs::WebMercator => Datum::Wgs84,
        }
    }

    /// A note for the import report when the conversion is approximate.
    pub fn accuracy_note(&self) -> Option<&'static str> {
        (self.datum() == Datum::Tokyo).then_some(tokyo_datum::ACCURACY_NOTE)
    }

    /// File coordinates → JGD2011 (lon, lat) in degrees.
    pub fn to_lonlat(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let (lon, lat) = match *self {
            Crs::Geographic(_) => (x, y),
            Crs::WebMercator => super::mercator::meters_to_lonlat(x, y),
            Crs::PlaneRect { zone, datum } => {
                let e = if datum == Datum::Tokyo {
                    plane_rect::BESSEL
                } else {
                    plane_rect::GRS80
                };
                plane_rect::from_plane_on(&e, y, x, zone)?
            }
        };
        if !lon.is_finite() || !lat.is_finite() {
            return None;
        }
        Some(if self.datum() == Datum::Tokyo {
            tokyo_datum::tokyo_to_jgd(lon, lat)
        } else {
            (lon, lat)
        })
    }

    /// JGD2011 (lon, lat) → coordinates in this CRS (for exports and the cursor readout).
    pub fn from_lonlat(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        let (lon, lat) = if self.datum() == Datum::Tokyo {
            tokyo_datum::jgd_to_tokyo(lon, lat)
        } else {
            (lon, lat)
        };
        match *self {
            Crs::Geographic(_) => Some((lon, lat)),
            Crs::WebMercator => Some(super::mercator::lonlat_to_meters(lon, lat)),
            Crs::PlaneRect { zone, datum } => {
                let e = if datum == Datum::Tokyo {
                    plane_rect::BESSEL
                } else {
                    plane_rect::GRS80
                };
                plane_rect::to_plane_on(&e, lon, lat, zone).map(|(north, east)| (east, north))
            }
        }
    }

    /// The `.prj` of a JGD2011 CRS as ESRI WKT (what exports write): geographic, or a
    /// zone of 平面直角座標系. Other datums are not written (`None`).
    pub fn to_prj(&self) -> Option<String> {
        const GEOGCS: &str = "GEOGCS[\"GCS_JGD_2011\",DATUM[\"D_JGD_2011\",SPHEROID[\"GRS_1980\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";
        match *self {
            Crs::Geographic(Datum::Jgd2011) => Some(GEOGCS.to_string()),
            Crs::PlaneRect {
                zone,
                datum: Datum::Jgd2011,
            } => {
                let (lat0, lon0) = plane_rect::origin(zone)?;
                Some(format!(
                    "PROJCS[\"JGD_2011_Japan_Zone_{zone}\",{GEOGCS},PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"False_Easting\",0.0],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",{lon0:.10}],PARAMETER[\"Scale_Factor\",0.9999],PARAMETER[\"Latitude_Of_Origin\",{lat0:.10}],UNIT[\"Meter\",1.0]]"
                ))
            }
            _ => None,
        }
    }

    /// Reads a `.prj` (ESRI or OGC WKT). An EPSG authority on the outermost node wins;
    /// otherwise the names and, for Transverse Mercator, the origin parameters decide.
    pub fn from_prj(wkt: &str) -> Result<Crs, CrsError> {
        let text = wkt.trim().trim_start_matches('\u{feff}');
        let upper = text.to_ascii_uppercase();
        if let Some(code) = outer_epsg(&upper)
            && let Ok(crs) = Crs::from_epsg(code)
        {
            return Ok(crs);
        }
        let squashed: String = upper
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let datum = if squashed.contains("JGD2011")
            || squashed.contains("JAPANESEGEODETICDATUM2011")
        {
            Some(Datum::Jgd2011)
        } else if squashed.contains("JGD2000") || squashed.contains("JAPANESEGEODETICDATUM2000") {
            Some(Datum::Jgd2000)
        } else if squashed.contains("TOKYO") || squashed.contains("BESSEL") {
            Some(Datum::Tokyo)
        } else if squashed.contains("WGS1984") || squashed.contains("WGS84") {
            Some(Datum::Wgs84)
        } else {
            None
        };
        let unknown = || CrsError::Unknown(text.chars().take(120).collect());
        if upper.starts_with("GEOGCS")
            || upper.starts_with("GEOGCRS")
            || upper.starts_with("GEODCRS")
        {
            return datum.map(Crs::Geographic).ok_or_else(unknown);
        }
        if !(upper.starts_with("PROJCS") || upper.starts_with("PROJCRS")) {
            return Err(unknown());
        }
        if squashed.contains("MERCATORAUXILIARYSPHERE")
            || squashed.contains("PSEUDOMERCATOR")
            || squashed.contains("WEBMERCATOR")
            || squashed.contains("POPULARVISUALISATION")
        {
            return Ok(Crs::WebMercator);
        }
        let datum = datum.ok_or_else(unknown)?;
        if let Some(zone) = zone_from_name(&upper) {
            return Ok(Crs::PlaneRect { zone, datum });
        }
        // A Transverse Mercator with a zone's origin and scale 0.9999.
        if squashed.contains("TRANSVERSEMERCATOR") {
            let lat0 = param(
                &upper,
                &[
                    "LATITUDE_OF_ORIGIN",
                    "LATITUDE OF NATURAL ORIGIN",
                    "LATITUDE_OF_CENTER",
                ],
            );
            let lon0 = param(
                &upper,
                &[
                    "CENTRAL_MERIDIAN",
                    "LONGITUDE OF NATURAL ORIGIN",
                    "LONGITUDE_OF_CENTER",
                ],
            );
            let k = param(&upper, &["SCALE_FACTOR", "SCALE FACTOR AT NATURAL ORIGIN"])
                .unwrap_or(0.9999);
            if let (Some(lat0), Some(lon0)) = (lat0, lon0)
                && (k - 0.9999).abs() < 1e-9
                && let Some(zone) = plane_rect::zone_of_origin(lat0, lon0)
            {
                return Ok(Crs::PlaneRect { zone, datum });
            }
        }
        Err(unknown())
    }

    /// Guesses a CRS for a file without `.prj` from its bounding box (minx, miny, maxx,
    /// maxy). Returns the guess and why, for the user to confirm.
    pub fn guess(bbox: [f64; 4]) -> Option<(Crs, &'static str)> {
        let [x0, y0, x1, y1] = bbox;
        if super::japan::in_japan(x0, y0) && super::japan::in_japan(x1, y1) {
            return Some((
                Crs::Geographic(Datum::Jgd2011),
                "座標が日本の経度・緯度の範囲にあります",
            ));
        }
        if x0 >= 13.0e6 && x1 <= 17.5e6 && y0 >= 2.2e6 && y1 <= 5.9e6 {
            return Some((
                Crs::WebMercator,
                "座標が日本付近の Webメルカトルの範囲にあります",
            ));
        }
        if x0.abs().max(x1.abs()) < 400_000.0 && y0.abs().max(y1.abs()) < 600_000.0 {
            return Some((
                Crs::PlaneRect {
                    zone: plane_rect::NARA_ZONE,
                    datum: Datum::Jgd2011,
                },
                "座標がメートル単位で原点に近いため平面直角座標系と推定しました（系番号は推定できないため、奈良県の第VI系としています）",
            ));
        }
        None
    }
}

/// The EPSG code of the outermost node: the last `AUTHORITY["EPSG","n"]` (WKT1) or
/// `ID["EPSG",n]` (WKT2) just before the final bracket.
fn outer_epsg(upper: &str) -> Option<u32> {
    let end = upper.trim_end().trim_end_matches([']', ')']).trim_end();
    for key in ["AUTHORITY[\"EPSG\",", "ID[\"EPSG\","] {
        if let Some(pos) = end.rfind(key) {
            let rest = &end[pos + key.len()..];
            let digits: String = rest
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '"')
                .collect::<String>()
                .replace('"', "");
            // Only when nothing but the code follows, i.e. it belongs to the outer node.
            if rest
                .chars()
                .all(|c| c.is_ascii_digit() || c == '"' || c == ' ')
            {
                return digits.parse().ok();
            }
        }
    }
    None
}

/// "JAPAN_ZONE_6", "JAPAN PLANE RECTANGULAR CS VI", "JGD2011_JAPAN_ZONE_VI".
fn zone_from_name(upper: &str) -> Option<u8> {
    let words: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        if (*w == "ZONE" || *w == "CS")
            && i > 0
            && (words[i - 1] == "JAPAN" || words[i - 1] == "RECTANGULAR")
        {
            let next = words.get(i + 1)?;
            if let Ok(n) = next.parse::<u8>() {
                return (1..=19).contains(&n).then_some(n);
            }
            return ROMAN.iter().position(|r| r == next).map(|p| p as u8 + 1);
        }
    }
    None
}

/// The value of the first parameter whose name is one of `names`.
fn param(upper: &str, names: &[&str]) -> Option<f64> {
    for name in names {
        let key = format!("\"{name}\",");
        if let Some(pos) = upper.find(&key) {
            let rest = &upper[pos + key.len()..];
            let num: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'E'))
                .collect();
            if let Ok(v) = num.parse() {
                return Some(v);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_prj_files_read_back_as_the_same_crs() {
        for code in [6668u32, 6669, 6674, 6687] {
            let crs = Crs::from_epsg(code).unwrap();
            let prj = crs.to_prj().unwrap();
            assert_eq!(Crs::from_prj(&prj), Ok(crs), "{prj}");
        }
        assert_eq!(Crs::from_epsg(4301).unwrap().to_prj(), None);
    }

    #[test]
    fn reads_the_prj_files_japanese_tools_write() {
        let cases = [
            (
                r#"GEOGCS["JGD2011",DATUM["Japanese_Geodetic_Datum_2011",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#,
                6668,
            ),
            (
                r#"GEOGCS["JGD2000",DATUM["D_JGD_2000",SPHEROID["GRS_1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]]"#,
                4612,
            ),
            (
                r#"GEOGCS["GCS_JGD_2011",DATUM["D_JGD_2011",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#,
                6668,
            ),
            (
                r#"PROJCS["JGD_2000_Japan_Zone_6",GEOGCS["GCS_JGD_2000",DATUM["D_JGD_2000",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",136.0],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",36.0],UNIT["Meter",1.0]]"#,
                2448,
            ),
            (
                r#"PROJCS["JGD2011 / Japan Plane Rectangular CS VI",GEOGCS["JGD2011",DATUM["Japanese_Geodetic_Datum_2011",SPHEROID["GRS 1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",36],PARAMETER["central_meridian",136],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1],AUTHORITY["EPSG","6674"]]"#,
                6674,
            ),
            // Unnamed zone: found by its origin.
            (
                r#"PROJCS["unnamed",GEOGCS["GCS_JGD_2011",DATUM["D_JGD_2011",SPHEROID["GRS_1980",6378137.0,298.257222101]]],PROJECTION["Transverse_Mercator"],PARAMETER["Central_Meridian",134.3333333333333],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",36.0]]"#,
                6673,
            ),
            (
                r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]]],PROJECTION["Mercator_Auxiliary_Sphere"]]"#,
                3857,
            ),
            (
                r#"GEOGCS["GCS_Tokyo",DATUM["D_Tokyo",SPHEROID["Bessel_1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#,
                4301,
            ),
            (
                r#"PROJCS["Tokyo_Japan_Zone_6",GEOGCS["GCS_Tokyo",DATUM["D_Tokyo",SPHEROID["Bessel_1841",6377397.155,299.1528128]]],PROJECTION["Transverse_Mercator"]]"#,
                30166,
            ),
        ];
        for (wkt, epsg) in cases {
            assert_eq!(Crs::from_prj(wkt).map(|c| c.epsg()), Ok(epsg), "{wkt}");
        }
        assert!(matches!(
            Crs::from_prj(r#"PROJCS["Lambert",GEOGCS["GCS_North_American_1983"]]"#),
            Err(CrsError::Unknown(_))
        ));
        assert!(matches!(
            Crs::from_prj("garbage"),
            Err(CrsError::Unknown(_))
        ));
    }

    #[test]
    fn every_epsg_code_round_trips() {
        for code in [6668, 4612, 4326, 4301, 3857]
            .into_iter()
            .chain(2443..=2461)
            .chain(6669..=6687)
            .chain(30161..=30179)
        {
            assert_eq!(Crs::from_epsg(code).unwrap().epsg(), code);
        }
        assert_eq!(
            Crs::from_epsg(6674).unwrap().label(),
            "JGD2011 / 平面直角座標系 第VI系 (EPSG:6674)"
        );
        assert_eq!(Crs::from_epsg(2154), Err(CrsError::UnknownEpsg(2154)));
    }

    #[test]
    fn zone_vi_round_trips_within_a_millimetre() {
        let crs = Crs::from_epsg(6674).unwrap();
        for &(lon, lat) in &[(135.8329, 34.6851), (135.6, 34.0), (136.1, 34.4)] {
            let (x, y) = crs.from_lonlat(lon, lat).unwrap();
            let (lon2, lat2) = crs.to_lonlat(x, y).unwrap();
            let err = crate::geo::distance::haversine_m((lon, lat), (lon2, lat2));
            assert!(err < 0.001, "{err} m");
        }
        // Nara city hall lies about 150 km south and 15 km west of the zone VI origin.
        let (east, north) = crs.from_lonlat(135.8049, 34.6851).unwrap();
        assert!(
            (-20_000.0..-15_000.0).contains(&east) && (-150_000.0..-145_000.0).contains(&north),
            "{east} {north}"
        );
    }

    #[test]
    fn guesses_from_the_range() {
        assert_eq!(
            Crs::guess([135.5, 33.8, 136.2, 34.8]).unwrap().0.epsg(),
            6668
        );
        assert_eq!(
            Crs::guess([15.08e6, 4.0e6, 15.2e6, 4.12e6])
                .unwrap()
                .0
                .epsg(),
            3857
        );
        assert_eq!(
            Crs::guess([-60_000.0, -210_000.0, 20_000.0, -90_000.0])
                .unwrap()
                .0
                .epsg(),
            6674
        );
        assert!(Crs::guess([500.0e6, 0.0, 600.0e6, 1.0]).is_none());
    }
}
