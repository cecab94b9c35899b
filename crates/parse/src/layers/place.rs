//! What both readers do with each feature's geometry: check it is of the layer's one
//! geometry type, that its coordinates are numbers and its rings and lines have enough
//! points, convert it from the file's CRS to JGD2011 lon/lat, and check that every point
//! then lies in Japan. When a point does not, the refusal says what the coordinates look
//! like (longitude and latitude swapped, degrees under a projected CRS, metres under a
//! geographic one: `geo::valid_area`) and which CRS to choose. [`Placer::finish`] checks
//! the whole layer once more: degrees under a projected CRS convert to points near the
//! zone's origin, in Japan, and only the layer's extent shows them.

use geo::{BoundingRect, Coord, CoordsIter, Geometry, LineString};

use super::ReadError;
use super::model::GeometryType;
use crate::geo::crs::{Crs, Datum};
use crate::geo::valid_area::{self, Misfit};

pub struct Placer {
    crs: Crs,
    /// The file's name, for the messages.
    file: String,
    seen: Option<GeometryType>,
    /// The extent of the file coordinates of every feature placed (min x, min y, max x,
    /// max y).
    extent: Option<[f64; 4]>,
}

impl Placer {
    pub fn new(crs: Crs, file: &str) -> Placer {
        Placer {
            crs,
            file: file.to_string(),
            seen: None,
            extent: None,
        }
    }

    /// The geometry type of the features placed so far.
    pub fn geometry_type(&self) -> Option<GeometryType> {
        self.seen
    }

    fn invalid(&self, msg: String) -> ReadError {
        ReadError::Invalid {
            file: self.file.clone(),
            msg,
        }
    }

    /// Feature `no` (1-based) of type `ty`, in file coordinates → lon/lat; the error says
    /// why not, in Japanese.
    pub fn place(
        &mut self,
        no: usize,
        ty: GeometryType,
        g: Geometry<f64>,
    ) -> Result<Geometry<f64>, ReadError> {
        match self.seen {
            None => self.seen = Some(ty),
            Some(t) if t != ty => {
                return Err(self.invalid(format!(
                    "{no}件目の図形の種類（{}）が他（{}）と違います",
                    ty.label(),
                    t.label()
                )));
            }
            _ => {}
        }
        check_shape(&g).map_err(|m| self.invalid(format!("{no}件目の図形{m}")))?;
        let Some(rect) = g.bounding_rect() else {
            return Ok(g); // no points: nothing to convert or check
        };
        let bbox = [rect.min().x, rect.min().y, rect.max().x, rect.max().y];
        let placed = reproject(&g, &self.crs);
        let outside = g
            .coords_iter()
            .zip(placed.coords_iter())
            .find(|(_, ll)| !crate::geo::japan::in_japan(ll.x, ll.y));
        if let Some((raw, ll)) = outside {
            let at = format!("{no}件目の図形の点（x={}, y={}）", num(raw.x), num(raw.y));
            return Err(self.misfit(&at, raw.y, Some(ll), bbox));
        }
        self.extent = Some(match self.extent {
            None => bbox,
            Some(e) => [
                e[0].min(bbox[0]),
                e[1].min(bbox[1]),
                e[2].max(bbox[2]),
                e[3].max(bbox[3]),
            ],
        });
        Ok(placed)
    }

    /// After the last feature: under a projected CRS, refuses a layer whose coordinates
    /// all look like Japanese degrees (they convert to points beside the zone's origin).
    pub fn finish(&self) -> Result<(), ReadError> {
        let Some(e) = self.extent else { return Ok(()) };
        if matches!(self.crs, Crs::Geographic(_)) {
            return Ok(());
        }
        match valid_area::diagnose(&self.crs, e) {
            Misfit::Degrees(_) | Misfit::Swapped => {
                let at = format!(
                    "すべての図形の座標（x {}〜{}、y {}〜{}）",
                    num(e[0]),
                    num(e[2]),
                    num(e[1]),
                    num(e[3])
                );
                Err(self.misfit(&at, e[3], None, e))
            }
            Misfit::Other(..) | Misfit::Unknown => Ok(()),
        }
    }

    /// The refusal for coordinates `at` (whose y is `y`; converted to `ll`, if it was one
    /// point) that do not fit the CRS, diagnosed from the file coordinates `bbox`.
    fn misfit(&self, at: &str, y: f64, ll: Option<Coord<f64>>, bbox: [f64; 4]) -> ReadError {
        let declared = self.crs.label();
        let geographic = matches!(self.crs, Crs::Geographic(_));
        let area = format!(
            "日本の範囲（経度 {}〜{} 度、緯度 {}〜{} 度）",
            crate::geo::japan::JAPAN[0],
            crate::geo::japan::JAPAN[2],
            crate::geo::japan::JAPAN[1],
            crate::geo::japan::JAPAN[3]
        );
        let misfit = valid_area::diagnose(&self.crs, bbox);
        let choose = |c: Crs| {
            format!(
                "座標系に {} を選んでください（--crs {}、画面では「座標系」）",
                c.label(),
                c.epsg()
            )
        };
        let msg = match misfit {
            Misfit::Swapped => {
                let mut m = format!(
                    "{at}: 緯度が {} です。経度と緯度が入れ替わっていないか確認してください（x が経度、y が緯度です）。元のデータで入れ替えて保存し直してください",
                    num(y)
                );
                if !geographic {
                    m.push_str(&format!(
                        "。値は度（経度・緯度）なので、{}",
                        choose(Crs::Geographic(self.crs.datum()))
                    ));
                }
                m
            }
            Misfit::Degrees(c) => format!(
                "{at}が度（経度・緯度）の値なのに、座標系は {declared}（メートル単位）になっています。{}",
                choose(c)
            ),
            Misfit::Other(c, why) => {
                format!("{at}は {declared} では{area}の外です。{why}。{}", choose(c))
            }
            Misfit::Unknown => {
                let placed = match ll {
                    Some(ll) if !geographic && ll.x.is_finite() && ll.y.is_finite() => format!(
                        "を {declared} として変換すると経度 {}、緯度 {} になり、{area}の外です",
                        num(ll.x),
                        num(ll.y)
                    ),
                    Some(_) if !geographic => format!("を {declared} として変換できません"),
                    _ => format!("は{area}の外です"),
                };
                format!(
                    "{at}{placed}。この図形の座標が誤っているか、座標系（{declared}）が実際の座標と合っていません。元のデータを確認し、座標系が違うときは正しい座標系を --crs で指定してください（画面では「座標系」）"
                )
            }
        };
        ReadError::Coordinates {
            file: self.file.clone(),
            msg,
            suggest: match misfit {
                Misfit::Swapped if !geographic => Some(Crs::Geographic(self.crs.datum())),
                m => m.suggestion(),
            },
        }
    }
}

/// A coordinate as the messages show it: up to 6 decimals, no trailing zeros.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Numbers everywhere, at least 4 points in every ring (closed) and 2 in every line; the
/// error continues "{n}件目の図形…".
fn check_shape(g: &Geometry<f64>) -> Result<(), String> {
    if let Some((k, c)) = g
        .coords_iter()
        .enumerate()
        .find(|(_, c)| !c.x.is_finite() || !c.y.is_finite())
    {
        return Err(format!(
            "の {} 点目の座標が数値ではありません（x={}, y={}）。ファイルが壊れているか、書き出したソフトの不具合です。元のデータから書き出し直してください",
            k + 1,
            num(c.x),
            num(c.y)
        ));
    }
    let starts = |l: &LineString<f64>| {
        l.0.first()
            .map(|c| format!("x={}, y={} から始まる", num(c.x), num(c.y)))
            .unwrap_or_else(|| "空の".into())
    };
    let rings: Vec<&LineString<f64>> = match g {
        Geometry::Polygon(p) => std::iter::once(p.exterior()).chain(p.interiors()).collect(),
        Geometry::MultiPolygon(m) => {
            m.0.iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .collect()
        }
        _ => vec![],
    };
    if let Some(r) = rings.iter().find(|r| r.0.len() < 4) {
        return Err(format!(
            "に {} 点しかない輪があります（{}輪）。面の輪は、始点に戻る点を含めて 4 点以上必要です。元のデータでこの図形を直してください",
            r.0.len(),
            starts(r)
        ));
    }
    let lines: Vec<&LineString<f64>> = match g {
        Geometry::LineString(l) => vec![l],
        Geometry::MultiLineString(m) => m.0.iter().collect(),
        _ => vec![],
    };
    if let Some(l) = lines.iter().find(|l| l.0.len() < 2) {
        return Err(format!(
            "に {} 点しかない線があります（{}線）。線は 2 点以上必要です。元のデータでこの図形を直してください",
            l.0.len(),
            starts(l)
        ));
    }
    Ok(())
}

/// File coordinates → JGD2011 lon/lat; a point that cannot be converted becomes NaN (and
/// then lies outside Japan).
fn reproject(g: &Geometry<f64>, crs: &Crs) -> Geometry<f64> {
    if *crs == Crs::Geographic(Datum::Jgd2011) {
        return g.clone();
    }
    geo::MapCoords::map_coords(g, |c| match crs.to_lonlat(c.x, c.y) {
        Some((x, y)) => Coord { x, y },
        None => Coord {
            x: f64::NAN,
            y: f64::NAN,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{MultiLineString, MultiPolygon, Point, Polygon};

    fn ring(pts: &[(f64, f64)]) -> LineString<f64> {
        LineString(pts.iter().map(|&(x, y)| Coord { x, y }).collect())
    }

    #[test]
    fn shapes_need_numbers_and_enough_points() {
        let tri = [(135.8, 34.6), (135.9, 34.6), (135.8, 34.7), (135.8, 34.6)];
        let ok = MultiPolygon(vec![Polygon::new(ring(&tri), vec![])]).into();
        assert_eq!(check_shape(&ok), Ok(()));
        // A closed ring of 3 points (there and back) is not an area.
        let thin = MultiPolygon(vec![Polygon::new(
            ring(&[(135.8, 34.6), (135.9, 34.6), (135.8, 34.6)]),
            vec![],
        )])
        .into();
        let e = check_shape(&thin).unwrap_err();
        assert!(
            e.contains("3 点しかない輪") && e.contains("x=135.8, y=34.6"),
            "{e}"
        );
        let hole = MultiPolygon(vec![Polygon::new(ring(&tri), vec![ring(&[])])]).into();
        assert!(
            check_shape(&hole)
                .unwrap_err()
                .contains("0 点しかない輪があります（空の輪）")
        );
        let line = MultiLineString(vec![ring(&[(135.8, 34.6)])]).into();
        assert!(check_shape(&line).unwrap_err().contains("1 点しかない線"));
        let nan = Geometry::Point(Point::new(135.8, f64::NAN));
        assert!(
            check_shape(&nan)
                .unwrap_err()
                .contains("1 点目の座標が数値ではありません（x=135.8, y=NaN）")
        );
        let inf = MultiLineString(vec![ring(&[(135.8, 34.6), (f64::INFINITY, 34.6)])]).into();
        assert!(
            check_shape(&inf)
                .unwrap_err()
                .contains("2 点目の座標が数値ではありません（x=inf")
        );
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(135.0), "135");
        assert_eq!(num(34.685_296_7), "34.685297");
        assert_eq!(num(-150_000.25), "-150000.25");
        assert_eq!(num(-0.000_000_1), "0");
        assert_eq!(num(f64::NAN), "NaN");
    }
}
