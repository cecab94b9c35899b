//! The query model: a typed, serialisable search over one subject (the insured of a fiscal
//! year, the institutions, or a user table), with a condition tree of AND / OR / NOT over
//! field conditions and place conditions. Its JSON (`version` 1) is what saved searches
//! keep and what `kenshin-atlas search --query` reads:
//!
//! ```json
//! {"version": 1, "subject": "insured", "fy": 2021,
//!  "where": {"and": [{"field": "attended", "op": "=", "value": false},
//!                    {"place": "municipality", "codes": ["29206"]}]}}
//! ```
//!
//! Parsing checks the shape and names the path of what is wrong (`where.and[1].op`), in
//! Japanese; whether a field exists for the subject is checked by [`super::fields`].

use serde_json::{Map, Value, json};

use super::SearchError;

pub const VERSION: u64 = 1;

/// The fiscal year's first and last day (1 April to 31 March).
pub fn fy_dates(fy: i32) -> (chrono::NaiveDate, chrono::NaiveDate) {
    (
        chrono::NaiveDate::from_ymd_opt(fy, 4, 1).unwrap_or_default(),
        chrono::NaiveDate::from_ymd_opt(fy + 1, 3, 31).unwrap_or_default(),
    )
}

/// What a search finds.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// Persons insured at some time in the fiscal year.
    Insured,
    /// Medical and checkup institutions (both masters by code).
    Institutions,
    /// The rows of a user table (by its display name).
    UserTable(String),
}

impl Subject {
    pub fn label(&self) -> String {
        match self {
            Subject::Insured => "被保険者".into(),
            Subject::Institutions => "医療機関・健診機関".into(),
            Subject::UserTable(n) => format!("独自データ「{n}」"),
        }
    }
    /// The counter word of a result.
    pub fn unit(&self) -> &'static str {
        match self {
            Subject::Insured => "人",
            Subject::Institutions => "機関",
            Subject::UserTable(_) => "行",
        }
    }
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Two values, both ends included.
    Between,
    /// Any of a list.
    In,
    /// Text contains (width and kana folded).
    Contains,
    /// Holds every one of a list (test items).
    Has,
}

impl Op {
    pub const ALL: [Op; 10] = [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::Between,
        Op::In,
        Op::Contains,
        Op::Has,
    ];
    pub fn token(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Between => "between",
            Op::In => "in",
            Op::Contains => "contains",
            Op::Has => "has",
        }
    }
    pub fn from_token(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.token() == s)
    }
    /// How the screen and the description write it.
    pub fn label(self) -> &'static str {
        match self {
            Op::Eq => "＝",
            Op::Ne => "≠",
            Op::Lt => "＜",
            Op::Le => "≦",
            Op::Gt => "＞",
            Op::Ge => "≧",
            Op::Between => "〜",
            Op::In => "のいずれか",
            Op::Contains => "を含む",
            Op::Has => "をすべて実施",
        }
    }
    /// The SQL comparison of a scalar op (fixed text, never from input).
    pub fn sql(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "<>",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            _ => "=",
        }
    }
}

/// A condition on one field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldCond {
    pub field: String,
    pub op: Op,
    pub value: Value,
    /// `checkup_count`: how many fiscal years back, the search year included.
    pub years: Option<u32>,
    /// `user_table`: the user table (display name) and column (header).
    pub table: Option<String>,
    pub column: Option<String>,
}

impl FieldCond {
    pub fn new(field: &str, op: Op, value: Value) -> FieldCond {
        FieldCond {
            field: field.into(),
            op,
            value,
            years: None,
            table: None,
            column: None,
        }
    }
}

/// Where: one generic kind, "inside these polygons", reached in several ways. Trade areas
/// and travel-time areas of later issues come as [`Place::Polygons`] or [`Place::Layer`].
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    /// Municipalities by code (the 市区町村 layer's polygons).
    Municipality(Vec<String>),
    /// Secondary medical areas by code (the 二次医療圏 layer).
    MedicalArea(Vec<String>),
    /// Small areas by KEY_CODE (the 町丁・字 layer).
    SmallArea(Vec<String>),
    /// Features of any polygon layer, by their row id (`fid`).
    Layer { layer: String, fids: Vec<i64> },
    /// A drawn rectangle: [min lon, min lat, max lon, max lat].
    Rect([f64; 4]),
    /// A drawn polygon (WKT `POLYGON` or `MULTIPOLYGON`, lon/lat JGD2011).
    Polygon(String),
    /// Within `radius_m` metres (geodesic, GRS80) of a point.
    Circle { lon: f64, lat: f64, radius_m: f64 },
}

impl Place {
    pub fn kind(&self) -> &'static str {
        match self {
            Place::Municipality(_) => "municipality",
            Place::MedicalArea(_) => "medical_area",
            Place::SmallArea(_) => "small_area",
            Place::Layer { .. } => "layer",
            Place::Rect(_) => "rect",
            Place::Polygon(_) => "polygon",
            Place::Circle { .. } => "circle",
        }
    }
}

/// A condition tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Field(FieldCond),
    Place(Place),
}

impl Default for Cond {
    fn default() -> Cond {
        Cond::And(Vec::new())
    }
}

impl Cond {
    /// The number of field and place conditions in the tree.
    pub fn leaves(&self) -> usize {
        match self {
            Cond::And(v) | Cond::Or(v) => v.iter().map(Cond::leaves).sum(),
            Cond::Not(c) => c.leaves(),
            _ => 1,
        }
    }
}

/// A search.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub subject: Subject,
    /// The fiscal year (insured: required; institutions: the year users are counted in).
    pub fy: Option<i32>,
    pub cond: Cond,
}

impl Query {
    pub fn insured(fy: i32, cond: Cond) -> Query {
        Query {
            subject: Subject::Insured,
            fy: Some(fy),
            cond,
        }
    }
    pub fn institutions(fy: i32, cond: Cond) -> Query {
        Query {
            subject: Subject::Institutions,
            fy: Some(fy),
            cond,
        }
    }

    pub fn to_json(&self) -> Value {
        let subject = match &self.subject {
            Subject::Insured => json!("insured"),
            Subject::Institutions => json!("institutions"),
            Subject::UserTable(n) => json!({ "user_table": n }),
        };
        let mut m = Map::new();
        m.insert("version".into(), json!(VERSION));
        m.insert("subject".into(), subject);
        if let Some(fy) = self.fy {
            m.insert("fy".into(), json!(fy));
        }
        m.insert("where".into(), cond_json(&self.cond));
        Value::Object(m)
    }

    pub fn to_json_string(&self) -> String {
        self.to_json().to_string()
    }

    /// Parses a query's JSON text.
    pub fn parse(text: &str) -> Result<Query, SearchError> {
        let v: Value = serde_json::from_str(text).map_err(|e| SearchError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Query::from_json(&v)
    }

    pub fn from_json(v: &Value) -> Result<Query, SearchError> {
        let o = v.as_object().ok_or_else(|| bad("", "{…} のオブジェクト"))?;
        match o.get("version").and_then(Value::as_u64) {
            Some(VERSION) => {}
            Some(n) => return Err(SearchError::Version(n)),
            None => return Err(bad("version", "1")),
        }
        let subject = match o.get("subject") {
            Some(Value::String(s)) if s == "insured" => Subject::Insured,
            Some(Value::String(s)) if s == "institutions" => Subject::Institutions,
            Some(Value::Object(m)) if m.len() == 1 && m.contains_key("user_table") => {
                Subject::UserTable(
                    m["user_table"]
                        .as_str()
                        .ok_or_else(|| bad("subject.user_table", "独自データの名前"))?
                        .to_string(),
                )
            }
            _ => {
                return Err(bad(
                    "subject",
                    "\"insured\"、\"institutions\" または {\"user_table\": 名前}",
                ));
            }
        };
        let fy = match o.get("fy") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .filter(|n| (1990..=2100).contains(n))
                    .ok_or_else(|| bad("fy", "年度（西暦、例 2021）"))?,
            ),
        };
        if subject == Subject::Insured && fy.is_none() {
            return Err(bad("fy", "被保険者の検索には年度（例 2021）"));
        }
        let cond = match o.get("where") {
            None | Some(Value::Null) => Cond::default(),
            Some(w) => parse_cond(w, "where")?,
        };
        for k in o.keys() {
            if !["version", "subject", "fy", "where"].contains(&k.as_str()) {
                return Err(SearchError::Unknown {
                    path: k.clone(),
                    what: "キー".into(),
                });
            }
        }
        Ok(Query { subject, fy, cond })
    }
}

fn bad(path: &str, want: &str) -> SearchError {
    SearchError::Shape {
        path: if path.is_empty() {
            "（全体）".into()
        } else {
            path.into()
        },
        want: want.into(),
    }
}

fn cond_json(c: &Cond) -> Value {
    match c {
        Cond::And(v) => json!({ "and": v.iter().map(cond_json).collect::<Vec<_>>() }),
        Cond::Or(v) => json!({ "or": v.iter().map(cond_json).collect::<Vec<_>>() }),
        Cond::Not(c) => json!({ "not": cond_json(c) }),
        Cond::Field(f) => {
            let mut m = Map::new();
            m.insert("field".into(), json!(f.field));
            if let Some(t) = &f.table {
                m.insert("table".into(), json!(t));
            }
            if let Some(c) = &f.column {
                m.insert("column".into(), json!(c));
            }
            if let Some(y) = f.years {
                m.insert("years".into(), json!(y));
            }
            m.insert("op".into(), json!(f.op.token()));
            m.insert("value".into(), f.value.clone());
            Value::Object(m)
        }
        Cond::Place(p) => {
            let mut m = Map::new();
            m.insert("place".into(), json!(p.kind()));
            match p {
                Place::Municipality(c) | Place::MedicalArea(c) | Place::SmallArea(c) => {
                    m.insert("codes".into(), json!(c));
                }
                Place::Layer { layer, fids } => {
                    m.insert("layer".into(), json!(layer));
                    m.insert("fids".into(), json!(fids));
                }
                Place::Rect(b) => {
                    m.insert("bbox".into(), json!(b));
                }
                Place::Polygon(wkt) => {
                    m.insert("wkt".into(), json!(wkt));
                }
                Place::Circle { lon, lat, radius_m } => {
                    m.insert("lon".into(), json!(lon));
                    m.insert("lat".into(), json!(lat));
                    m.insert("radius_m".into(), json!(radius_m));
                }
            }
            Value::Object(m)
        }
    }
}

fn parse_cond(v: &Value, path: &str) -> Result<Cond, SearchError> {
    let o = v
        .as_object()
        .ok_or_else(|| bad(path, "条件のオブジェクト（and / or / not / field / place）"))?;
    let list = |key: &str| -> Result<Vec<Cond>, SearchError> {
        let arr = o[key]
            .as_array()
            .ok_or_else(|| bad(&format!("{path}.{key}"), "条件の配列"))?;
        arr.iter()
            .enumerate()
            .map(|(i, c)| parse_cond(c, &format!("{path}.{key}[{i}]")))
            .collect()
    };
    let only = |keys: &[&str]| -> Result<(), SearchError> {
        match o.keys().find(|k| !keys.contains(&k.as_str())) {
            Some(k) => Err(SearchError::Unknown {
                path: format!("{path}.{k}"),
                what: "キー".into(),
            }),
            None => Ok(()),
        }
    };
    if o.contains_key("and") {
        only(&["and"])?;
        return Ok(Cond::And(list("and")?));
    }
    if o.contains_key("or") {
        only(&["or"])?;
        return Ok(Cond::Or(list("or")?));
    }
    if let Some(n) = o.get("not") {
        only(&["not"])?;
        return Ok(Cond::Not(Box::new(parse_cond(n, &format!("{path}.not"))?)));
    }
    if let Some(kind) = o.get("place") {
        let kind = kind.as_str().unwrap_or_default();
        let codes = || -> Result<Vec<String>, SearchError> {
            only(&["place", "codes"])?;
            o.get("codes")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(code_text).collect::<Option<Vec<_>>>())
                .flatten()
                .ok_or_else(|| bad(&format!("{path}.codes"), "コードの配列"))
        };
        let num = |k: &str| -> Result<f64, SearchError> {
            o.get(k)
                .and_then(Value::as_f64)
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad(&format!("{path}.{k}"), "数値"))
        };
        return Ok(Cond::Place(match kind {
            "municipality" => Place::Municipality(codes()?),
            "medical_area" => Place::MedicalArea(codes()?),
            "small_area" => Place::SmallArea(codes()?),
            "layer" => {
                only(&["place", "layer", "fids"])?;
                Place::Layer {
                    layer: o
                        .get("layer")
                        .and_then(Value::as_str)
                        .ok_or_else(|| bad(&format!("{path}.layer"), "レイヤの名前"))?
                        .to_string(),
                    fids: o
                        .get("fids")
                        .and_then(Value::as_array)
                        .and_then(|a| a.iter().map(Value::as_i64).collect::<Option<Vec<_>>>())
                        .ok_or_else(|| bad(&format!("{path}.fids"), "地物番号の配列"))?,
                }
            }
            "rect" => {
                only(&["place", "bbox"])?;
                let b = o
                    .get("bbox")
                    .and_then(Value::as_array)
                    .filter(|a| a.len() == 4)
                    .and_then(|a| a.iter().map(Value::as_f64).collect::<Option<Vec<_>>>())
                    .ok_or_else(|| {
                        bad(
                            &format!("{path}.bbox"),
                            "[最小経度, 最小緯度, 最大経度, 最大緯度]",
                        )
                    })?;
                Place::Rect([
                    b[0].min(b[2]),
                    b[1].min(b[3]),
                    b[0].max(b[2]),
                    b[1].max(b[3]),
                ])
            }
            "polygon" => {
                only(&["place", "wkt"])?;
                Place::Polygon(
                    o.get("wkt")
                        .and_then(Value::as_str)
                        .ok_or_else(|| bad(&format!("{path}.wkt"), "WKT の POLYGON"))?
                        .to_string(),
                )
            }
            "circle" => {
                only(&["place", "lon", "lat", "radius_m"])?;
                let r = num("radius_m")?;
                if !(0.0..=200_000.0).contains(&r) {
                    return Err(bad(&format!("{path}.radius_m"), "0〜200000 m の半径"));
                }
                Place::Circle {
                    lon: num("lon")?,
                    lat: num("lat")?,
                    radius_m: r,
                }
            }
            other => {
                return Err(SearchError::Unknown {
                    path: format!("{path}.place"),
                    what: format!("場所の種類「{other}」"),
                });
            }
        }));
    }
    if let Some(field) = o.get("field") {
        only(&["field", "op", "value", "years", "table", "column"])?;
        let field = field
            .as_str()
            .ok_or_else(|| bad(&format!("{path}.field"), "項目名"))?;
        let op_text = o.get("op").and_then(Value::as_str).unwrap_or_default();
        let op = Op::from_token(op_text).ok_or_else(|| SearchError::Unknown {
            path: format!("{path}.op"),
            what: format!("演算子「{op_text}」"),
        })?;
        let value = o
            .get("value")
            .cloned()
            .ok_or_else(|| bad(&format!("{path}.value"), "値"))?;
        let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        return Ok(Cond::Field(FieldCond {
            field: field.to_string(),
            op,
            value,
            years: match o.get("years") {
                None => None,
                Some(y) => Some(
                    y.as_u64()
                        .filter(|n| (1..=10).contains(n))
                        .ok_or_else(|| bad(&format!("{path}.years"), "1〜10 の年数"))?
                        as u32,
                ),
            },
            table: text("table"),
            column: text("column"),
        }));
    }
    Err(bad(path, "and / or / not / field / place のどれか"))
}

/// A code given as text or as a number (`29206` or `"29206"`).
fn code_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{"version": 1, "subject": "insured", "fy": 2021,
        "where": {"and": [ {"field": "attended", "op": "=", "value": false},
                           {"field": "age", "op": "between", "value": [65, 74]},
                           {"or": [ {"place": "municipality", "codes": ["29206"]},
                                    {"place": "polygon", "wkt": "POLYGON((135.8 34.6, 135.9 34.6, 135.9 34.7, 135.8 34.6))"} ]},
                           {"not": {"field": "mark", "op": "=", "value": "excluded"}} ]}}"#;

    #[test]
    fn the_issue_example_round_trips() {
        let q = Query::parse(EXAMPLE).unwrap();
        assert_eq!(q.fy, Some(2021));
        assert_eq!(q.cond.leaves(), 5);
        let again = Query::parse(&q.to_json_string()).unwrap();
        assert_eq!(q, again);
    }

    #[test]
    fn errors_name_the_path() {
        let e = Query::parse(r#"{"version":1,"subject":"insured","fy":2021,"where":{"and":[{"field":"age","op":"~","value":1}]}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("where.and[0].op") && e.contains("~"), "{e}");
        let e = Query::parse(r#"{"version":1,"subject":"insured"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("fy"), "{e}");
        let e = Query::parse(r#"{"version":2,"subject":"insured","fy":2021}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains('2'), "{e}");
        let e = Query::parse("{\"version\":1,").unwrap_err().to_string();
        assert!(e.contains("行"), "{e}");
        let e = Query::parse(r#"{"version":1,"subject":"institutions","where":{"place":"circle","lon":135.8,"lat":34.6,"radius_m":-5}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("radius_m"), "{e}");
    }
}
