//! Medical and checkup institutions on the map: the two masters joined by institution
//! code (a code both name differently takes the latest import's name, see [`pick_name`]),
//! each placed by the master's lat/lon or else by its address (matched like the insured,
//! once, when the master or the address points are imported: `geocode::institutions`),
//! with the number of insured who used it in the fiscal year (a claim or
//! a checkup there). Symbols: a square for checkup institutions (健診実施), a circle for
//! the others, sized by users in 5 classes (natural breaks). Facilities are shown or
//! hidden one by one by clicking, or many at once by combinable attribute conditions
//! ([`FacilityFilter`]).

use std::sync::Arc;

use duckdb::Connection;
use geo::{Geometry, Point};

use super::Rgba;
use super::prepared::PreparedLayer;
use super::scene::{MarkerShape, Symbol};
use crate::analysis::breaks::{self, Method};
use crate::geocode::MatchLevel;
use crate::layers::model::{AttrValue, Feature, FieldDef, FieldType};
use crate::layers::storage::LayerInfo;
use crate::layers::{GeometryType, LayerIndex};

/// The name of the facility layer on the map.
pub const LAYER_NAME: &str = "医療機関・健診機関";

pub const CHECKUP_COLOR: Rgba = [0, 128, 110, 255];
pub const OTHER_COLOR: Rgba = [110, 110, 160, 255];
/// Institutions are drawn from this zoom (about 1:300,000); below it they would bury
/// the choropleth. Settable in the layer panel.
pub const DEFAULT_MIN_ZOOM: u8 = 11;
/// Radii of the 5 user classes, smallest first.
pub const CLASS_RADII: [f32; 5] = [3.0, 4.5, 6.0, 7.5, 9.5];

/// Where a facility's point came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// The master's 緯度・経度.
    Master,
    /// Address matching at 街区 or 町丁・字 level.
    Address(MatchLevel),
    /// Not placed (no coordinates, address not matched; 集団健診 organisations).
    None,
}

impl Placement {
    pub fn label(self) -> String {
        match self {
            Placement::Master => "マスタの緯度経度".into(),
            Placement::Address(l) => format!("住所照合（{}）", l.label()),
            Placement::None => "位置不明".into(),
        }
    }
}

/// Which master a facility's name came from. A code in both masters takes the name of the
/// latest import; should both come from the same import, the medical master's. A blank
/// name never wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameSource {
    /// Only one master names it (medical: `true`).
    Only { medical: bool },
    /// Both masters give this same name.
    Both,
    /// Both name it differently: the latest import's name is used (medical: `true` when
    /// that is the medical master), `other` is the other master's name.
    Latest { medical: bool, other: String },
    /// Neither master names it.
    None,
}

/// The rule, as the facility panel states it.
pub const NAME_RULE: &str =
    "名称: 両方のマスタにある機関は最後に取り込んだマスタの名称（同じ取込なら医療機関マスタ）";

fn master_label(medical: bool) -> &'static str {
    if medical {
        "医療機関マスタ"
    } else {
        "健診機関マスタ"
    }
}

impl NameSource {
    /// 「名称の出典」 in the facility's attributes.
    pub fn label(&self) -> String {
        match self {
            NameSource::Only { medical } => master_label(*medical).into(),
            NameSource::Both => "医療機関マスタ・健診機関マスタ（同じ名称）".into(),
            NameSource::Latest { medical, other } => format!(
                "{}（最新の取込。{}では「{other}」）",
                master_label(*medical),
                master_label(!*medical)
            ),
            NameSource::None => "なし（どちらのマスタにも名称がありません）".into(),
        }
    }
}

/// The name of a code from the medical and the checkup master's (name, import id): the
/// latest import's non-blank name, the medical master's on a tie.
pub fn pick_name(
    medical: Option<(&str, i64)>,
    checkup: Option<(&str, i64)>,
) -> (String, NameSource) {
    fn named(n: Option<(&str, i64)>) -> Option<(&str, i64)> {
        n.map(|(s, id)| (s.trim(), id)).filter(|n| !n.0.is_empty())
    }
    match (named(medical), named(checkup)) {
        (None, None) => (String::new(), NameSource::None),
        (Some((m, _)), None) => (m.into(), NameSource::Only { medical: true }),
        (None, Some((c, _))) => (c.into(), NameSource::Only { medical: false }),
        (Some((m, _)), Some((c, _))) if m == c => (m.into(), NameSource::Both),
        (Some((m, mid)), Some((c, cid))) => {
            if mid >= cid {
                (
                    m.into(),
                    NameSource::Latest {
                        medical: true,
                        other: c.into(),
                    },
                )
            } else {
                (
                    c.into(),
                    NameSource::Latest {
                        medical: false,
                        other: m.into(),
                    },
                )
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Facility {
    pub code: String,
    pub name: String,
    /// Which master the name came from.
    pub name_source: NameSource,
    pub address: String,
    pub phone: String,
    pub point: Option<(f64, f64)>,
    pub placement: Placement,
    /// In the medical institution master.
    pub medical: bool,
    /// 特定健診を実施 (checkup institution master).
    pub checkup: bool,
    pub cancer_screening: bool,
    /// Distinct insured with a claim or a checkup there in the fiscal year; `None` when
    /// withheld (fewer than the suppression threshold, for a user without 個人情報の閲覧,
    /// see [`withhold_small_counts`]).
    pub users: Option<i64>,
}

/// Withholds the user counts from 1 to `threshold − 1`: a handful of people at one
/// institution is the small number 少数のため非表示 protects. Zero stays (nobody).
pub fn withhold_small_counts(list: &mut [Facility], threshold: i64) {
    for f in list {
        if f.users.is_some_and(|u| u > 0 && u < threshold) {
            f.users = None;
        }
    }
}

/// Reads the facilities: placed by the master's lat/lon, else by the point address
/// matching stored at import (`geocode::institutions`), else unplaced.
pub fn load(conn: &Connection, fy: i32) -> Result<Vec<Facility>, duckdb::Error> {
    Ok(crate::analysis::institutions::rows(conn, fy)?
        .into_iter()
        .map(|r| {
            let (name, name_source) = pick_name(
                r.medical_name.as_ref().map(|(n, i)| (n.as_str(), *i)),
                r.checkup_name.as_ref().map(|(n, i)| (n.as_str(), *i)),
            );
            let (point, placement) = match (r.lon.zip(r.lat), r.located) {
                (Some(p), _) => (Some(p), Placement::Master),
                (None, Some((p, level))) => {
                    (Some(p), Placement::Address(MatchLevel::from_code(level)))
                }
                (None, None) => (None, Placement::None),
            };
            Facility {
                code: r.code,
                name,
                name_source,
                address: r.address,
                phone: r.phone,
                point,
                placement,
                medical: r.medical,
                checkup: r.checkup,
                cancer_screening: r.cancer_screening,
                users: Some(r.users),
            }
        })
        .collect())
}

/// The attribute fields of the facility layer, in this order.
pub const FIELDS: [(&str, FieldType); 10] = [
    ("機関コード", FieldType::Text),
    ("名称", FieldType::Text),
    ("所在地", FieldType::Text),
    ("電話番号", FieldType::Text),
    ("健診実施", FieldType::Bool),
    ("がん検診", FieldType::Bool),
    ("利用者数", FieldType::Integer),
    ("医療機関マスタ", FieldType::Bool),
    ("位置", FieldType::Text),
    ("名称の出典", FieldType::Text),
];

/// The placed facilities as a point layer (the unplaced are left out; see
/// [`FacilityLayer::unplaced`]).
pub struct FacilityLayer {
    pub fy: i32,
    /// The placed facilities, in feature order.
    pub facilities: Vec<Facility>,
    pub layer: Arc<PreparedLayer>,
    /// Facilities with no point (named in the layer panel).
    pub unplaced: usize,
    /// The user-class edges (5 classes by natural breaks over users).
    pub edges: Vec<f64>,
}

impl std::fmt::Debug for FacilityLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FacilityLayer")
            .field("fy", &self.fy)
            .field("placed", &self.facilities.len())
            .field("unplaced", &self.unplaced)
            .finish()
    }
}

impl FacilityLayer {
    /// The layer of `all`'s placed facilities; a withheld user count reads
    /// 「{threshold}人未満」.
    pub fn new(fy: i32, all: Vec<Facility>, threshold: i64) -> FacilityLayer {
        let total = all.len();
        let facilities: Vec<Facility> = all.into_iter().filter(|f| f.point.is_some()).collect();
        let unplaced = total - facilities.len();
        let features: Vec<Feature> = facilities
            .iter()
            .filter_map(|f| {
                let (lon, lat) = f.point?;
                Some(Feature {
                    geom: Geometry::Point(Point::new(lon, lat)),
                    attrs: vec![
                        AttrValue::Text(f.code.clone()),
                        AttrValue::Text(f.name.clone()),
                        AttrValue::Text(f.address.clone()),
                        AttrValue::Text(f.phone.clone()),
                        AttrValue::Bool(f.checkup),
                        AttrValue::Bool(f.cancer_screening),
                        f.users.map_or_else(
                            || AttrValue::Text(format!("{threshold}人未満")),
                            AttrValue::Int,
                        ),
                        AttrValue::Bool(f.medical),
                        AttrValue::Text(f.placement.label()),
                        AttrValue::Text(f.name_source.label()),
                    ],
                })
            })
            .collect();
        let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for (lon, lat) in facilities.iter().filter_map(|f| f.point) {
            bbox = [
                bbox[0].min(lon),
                bbox[1].min(lat),
                bbox[2].max(lon),
                bbox[3].max(lat),
            ];
        }
        let info = LayerInfo {
            id: -1,
            name: LAYER_NAME.into(),
            geometry_type: GeometryType::Point,
            feature_count: features.len() as u64,
            source_crs: "JGD2011 経緯度 (EPSG:6668)".into(),
            bbox,
            fields: FIELDS
                .iter()
                .map(|(n, t)| FieldDef {
                    name: n.to_string(),
                    ty: *t,
                })
                .collect(),
            source_file: Some("医療機関マスタ・健診機関マスタ".into()),
            encoding: None,
            notes: vec![format!("利用者数は{fy}年度")],
        };
        // The classes are made from the shown counts; a withheld one is drawn smallest.
        let users: Vec<f64> = facilities
            .iter()
            .filter_map(|f| f.users)
            .map(|u| u as f64)
            .collect();
        let edges = breaks::breaks(&users, 5, Method::NaturalBreaks, &[]);
        FacilityLayer {
            fy,
            facilities,
            layer: Arc::new(PreparedLayer::new(LayerIndex::new(info, features))),
            unplaced,
            edges,
        }
    }

    /// The user class (0–4) of a number of users (0 for a withheld one).
    pub fn class_of(&self, users: Option<i64>) -> usize {
        users
            .and_then(|u| breaks::classify(u as f64, &self.edges))
            .unwrap_or(0)
            .min(CLASS_RADII.len() - 1)
    }

    /// Per facility: square for checkup institutions, circle for others, sized by users.
    pub fn symbols(&self) -> Vec<Option<Symbol>> {
        self.facilities
            .iter()
            .map(|f| {
                Some(Symbol {
                    shape: if f.checkup {
                        MarkerShape::Square
                    } else {
                        MarkerShape::Circle
                    },
                    radius: CLASS_RADII[self.class_of(f.users)],
                    color: if f.checkup {
                        CHECKUP_COLOR
                    } else {
                        OTHER_COLOR
                    },
                })
            })
            .collect()
    }

    /// The user classes for the legend: (radius, "12 〜 40 人").
    pub fn size_legend(&self) -> Vec<(f32, String)> {
        let n = self.edges.len().saturating_sub(1);
        (0..n.min(CLASS_RADII.len()))
            .map(|i| {
                (
                    CLASS_RADII[i],
                    format!(
                        "{} 〜 {} 人",
                        super::choropleth::group_digits(self.edges[i].round() as i64),
                        super::choropleth::group_digits(self.edges[i + 1].round() as i64)
                    ),
                )
            })
            .collect()
    }

    /// Puts the symbols, the label (名称, from zoom 15) and what is hidden into `style`,
    /// keeping its visibility and opacity.
    pub fn apply(
        &self,
        style: &mut super::scene::LayerStyle,
        filter: &FacilityFilter,
        clicked: &[String],
    ) {
        style.stroke = None;
        style.marker = None;
        style.symbols = self.symbols();
        style.label = Some((1, 15));
        style.hidden = self.hidden(filter, clicked);
    }

    /// Which facilities to leave out: the ones hidden by click, and those failing the
    /// filter.
    pub fn hidden(&self, filter: &FacilityFilter, clicked: &[String]) -> Vec<bool> {
        self.facilities
            .iter()
            .map(|f| clicked.contains(&f.code) || !filter.matches(f))
            .collect()
    }
}

/// A condition on a yes/no attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum YesNo {
    #[default]
    Any,
    Yes,
    No,
}

impl YesNo {
    pub const ALL: [YesNo; 3] = [YesNo::Any, YesNo::Yes, YesNo::No];
    pub fn label(self) -> &'static str {
        match self {
            YesNo::Any => "問わない",
            YesNo::Yes => "あり",
            YesNo::No => "なし",
        }
    }
    /// `None` when the condition is not set.
    fn test(self, v: bool) -> Option<bool> {
        match self {
            YesNo::Any => None,
            YesNo::Yes => Some(v),
            YesNo::No => Some(!v),
        }
    }
}

/// How set conditions combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Combine {
    /// Every set condition holds (AND).
    #[default]
    All,
    /// At least one set condition holds (OR).
    Any,
}

/// Attribute conditions on facilities; a facility is shown when the set conditions hold
/// (all or any of them). No condition set shows every facility.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct FacilityFilter {
    pub checkup: YesNo,
    pub cancer_screening: YesNo,
    pub medical: YesNo,
    /// At least this many users in the year (0 = not set). A withheld count does not
    /// pass it.
    pub min_users: i64,
    /// Name contains (empty = not set).
    pub name_contains: String,
    pub combine: Combine,
}

impl FacilityFilter {
    pub fn matches(&self, f: &Facility) -> bool {
        let name = self.name_contains.trim();
        let tests = [
            self.checkup.test(f.checkup),
            self.cancer_screening.test(f.cancer_screening),
            self.medical.test(f.medical),
            (self.min_users > 0).then_some(f.users.is_some_and(|u| u >= self.min_users)),
            (!name.is_empty()).then(|| f.name.contains(name)),
        ];
        let mut set = tests.iter().flatten().peekable();
        if set.peek().is_none() {
            return true;
        }
        match self.combine {
            Combine::All => set.all(|t| *t),
            Combine::Any => set.any(|t| *t),
        }
    }

    pub fn is_set(&self) -> bool {
        *self
            != FacilityFilter {
                combine: self.combine,
                ..Default::default()
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fac(code: &str, checkup: bool, cancer: bool, users: i64) -> Facility {
        Facility {
            code: code.into(),
            name: format!("{code}クリニック"),
            name_source: NameSource::Only { medical: true },
            address: String::new(),
            phone: String::new(),
            point: Some((135.8, 34.68)),
            placement: Placement::Master,
            medical: true,
            checkup,
            cancer_screening: cancer,
            users: Some(users),
        }
    }

    #[test]
    fn the_latest_import_names_a_code_then_the_medical_master() {
        let pick = |m: Option<(&str, i64)>, c: Option<(&str, i64)>| pick_name(m, c).0;
        assert_eq!(
            pick(Some(("甲医院", 3)), Some(("乙健診センター", 5))),
            "乙健診センター"
        );
        assert_eq!(
            pick(Some(("甲医院", 5)), Some(("乙健診センター", 3))),
            "甲医院"
        );
        assert_eq!(
            pick(Some(("甲医院", 4)), Some(("乙健診センター", 4))),
            "甲医院"
        );
        // A blank name never wins, however late.
        assert_eq!(pick(Some(("甲医院", 3)), Some((" ", 9))), "甲医院");
        assert_eq!(pick(None, Some(("乙健診センター", 1))), "乙健診センター");
        assert_eq!(pick_name(None, None), (String::new(), NameSource::None));
        let (_, src) = pick_name(Some(("甲医院", 3)), Some(("乙健診センター", 5)));
        assert_eq!(
            src.label(),
            "健診機関マスタ（最新の取込。医療機関マスタでは「甲医院」）"
        );
        let (_, src) = pick_name(Some(("甲医院", 3)), Some(("甲医院", 5)));
        assert_eq!(src, NameSource::Both);
    }

    #[test]
    fn conditions_combine_with_and_or() {
        let fs = [
            fac("a", true, true, 100),
            fac("b", true, false, 50),
            fac("c", false, false, 5),
        ];
        let shown = |f: &FacilityFilter| -> Vec<&str> {
            fs.iter()
                .filter(|x| f.matches(x))
                .map(|x| x.code.as_str())
                .collect()
        };
        assert_eq!(shown(&FacilityFilter::default()), ["a", "b", "c"]);
        let mut f = FacilityFilter {
            checkup: YesNo::Yes,
            cancer_screening: YesNo::Yes,
            ..Default::default()
        };
        assert_eq!(shown(&f), ["a"], "健診実施 AND がん検診あり");
        f.combine = Combine::Any;
        assert_eq!(shown(&f), ["a", "b"]);
        let f = FacilityFilter {
            checkup: YesNo::No,
            min_users: 10,
            ..Default::default()
        };
        assert!(shown(&f).is_empty());
        let f = FacilityFilter {
            name_contains: "b".into(),
            ..Default::default()
        };
        assert_eq!(shown(&f), ["b"]);
        assert!(f.is_set());
        assert!(!FacilityFilter::default().is_set());
    }

    #[test]
    fn symbols_by_kind_and_users_and_hiding() {
        let mut fs: Vec<Facility> = (0..50)
            .map(|i| fac(&format!("{i:02}"), i % 2 == 0, false, i * i))
            .collect();
        fs.push(Facility {
            point: None,
            placement: Placement::None,
            ..fac("55", true, false, 0)
        });
        let layer = FacilityLayer::new(2021, fs, 10);
        assert_eq!(layer.unplaced, 1);
        assert_eq!(layer.facilities.len(), 50);
        let sym = layer.symbols();
        let s0 = sym[0].unwrap();
        let s49 = sym[49].unwrap();
        assert_eq!(s0.shape, MarkerShape::Square);
        assert_eq!(s49.shape, MarkerShape::Circle);
        assert_eq!(s0.radius, CLASS_RADII[0]);
        assert_eq!(
            s49.radius, CLASS_RADII[4],
            "the most used is in the top class"
        );
        assert_eq!(layer.size_legend().len(), 5);
        let filter = FacilityFilter {
            checkup: YesNo::Yes,
            ..Default::default()
        };
        let hidden = layer.hidden(&filter, &["00".to_string()]);
        assert!(hidden[0], "hidden by click");
        assert!(hidden[1], "not a checkup institution");
        assert!(!hidden[2]);
        assert_eq!(hidden.iter().filter(|h| !**h).count(), 24);
    }
}
