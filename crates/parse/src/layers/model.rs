//! What a layer is once read: typed attribute fields and features with geometry in JGD2011
//! longitude/latitude. Readers (shapefile, GeoJSON) produce it, storage writes and reads it,
//! the map indexes it. No I/O here.

use geo::Geometry;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GeometryType {
    Point,
    Line,
    Polygon,
}

impl GeometryType {
    pub fn label(self) -> &'static str {
        match self {
            GeometryType::Point => "点",
            GeometryType::Line => "線",
            GeometryType::Polygon => "面",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            GeometryType::Point => "point",
            GeometryType::Line => "line",
            GeometryType::Polygon => "polygon",
        }
    }
    pub fn parse(s: &str) -> Option<GeometryType> {
        match s {
            "point" => Some(GeometryType::Point),
            "line" => Some(GeometryType::Line),
            "polygon" => Some(GeometryType::Polygon),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Text,
    Integer,
    Real,
    Bool,
}

impl FieldType {
    pub fn sql(self) -> &'static str {
        match self {
            FieldType::Text => "VARCHAR",
            FieldType::Integer => "BIGINT",
            FieldType::Real => "DOUBLE",
            FieldType::Bool => "BOOLEAN",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    Null,
    Text(String),
    Int(i64),
    Real(f64),
    Bool(bool),
}

impl AttrValue {
    /// The value as the identify panel and labels show it.
    pub fn display(&self) -> String {
        match self {
            AttrValue::Null => String::new(),
            AttrValue::Text(s) => s.clone(),
            AttrValue::Int(i) => i.to_string(),
            AttrValue::Real(f) => format!("{f}"),
            AttrValue::Bool(b) => (if *b { "はい" } else { "いいえ" }).to_string(),
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            AttrValue::Int(i) => Some(*i as f64),
            AttrValue::Real(f) => Some(*f),
            AttrValue::Text(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Feature {
    /// JGD2011 lon/lat. Points are `Point`/`MultiPoint`, lines `MultiLineString`, areas
    /// `MultiPolygon`.
    pub geom: Geometry<f64>,
    pub attrs: Vec<AttrValue>,
}

/// A layer as read from a file, before it is stored.
#[derive(Debug, Clone)]
pub struct RawLayer {
    pub geometry_type: GeometryType,
    pub fields: Vec<FieldDef>,
    pub features: Vec<Feature>,
    /// "JGD2011 経緯度 (EPSG:6668)".
    pub source_crs: String,
    /// The attribute text encoding, when the format has one.
    pub encoding: Option<String>,
    /// Things the user should know (a guessed CRS, an approximate datum shift).
    pub notes: Vec<String>,
}

impl RawLayer {
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}
