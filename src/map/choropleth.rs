//! A choropleth of uptake per area: the value of each feature (rate, targets, attendees or
//! non-attendees), class breaks, colours from a ramp, and the legend. Areas suppressed in
//! the core (`analysis::suppression`: fewer targets than the admin's threshold, or hidden
//! to protect one) come without figures: they are drawn grey and hatched and the legend
//! says 少数のため非表示. Suppressed figures revealed to a user with 個人情報の閲覧 are
//! classed and drawn hatched over their colour (marked). Neither moves the class breaks.

use std::collections::HashMap;

use super::Rgba;
use super::ramps::Ramp;
use crate::analysis::breaks::{self, Method};
use crate::analysis::figures::{AreaRow, AreaTable};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Measure {
    Rate,
    Targets,
    Attendees,
    NonAttendees,
}

impl Measure {
    pub const ALL: [Measure; 4] = [
        Measure::Rate,
        Measure::Targets,
        Measure::Attendees,
        Measure::NonAttendees,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Measure::Rate => "受診率",
            Measure::Targets => "対象者数",
            Measure::Attendees => "受診者数",
            Measure::NonAttendees => "未受診者数",
        }
    }
    /// The value of a row; `None` when its figures are suppressed.
    pub fn value(self, r: &AreaRow) -> Option<f64> {
        match self {
            Measure::Rate => r.rate,
            Measure::Targets => r.targets.map(|t| t as f64),
            Measure::Attendees => r.attendees.map(|a| a as f64),
            Measure::NonAttendees => r.non_attendees().map(|n| n as f64),
        }
    }
    /// "35.2%" or "1,234".
    pub fn format(self, v: f64) -> String {
        match self {
            Measure::Rate => format!("{:.1}%", v * 100.0),
            _ => group_digits(v.round() as i64),
        }
    }
}

/// "12,345".
pub fn group_digits(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// How the legend writes numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum NumberStyle {
    /// Rates as %, counts as whole numbers.
    #[default]
    Auto,
    /// × 100 with a % sign.
    Percent,
    /// The number itself, digits grouped (a rate as 0.352).
    Plain,
}

impl NumberStyle {
    pub const ALL: [NumberStyle; 3] = [NumberStyle::Auto, NumberStyle::Percent, NumberStyle::Plain];
    pub fn label(self) -> &'static str {
        match self {
            NumberStyle::Auto => "自動",
            NumberStyle::Percent => "％",
            NumberStyle::Plain => "数値（人数・比）",
        }
    }
}

/// The legend's number format: style and decimals (`None`: 1 for %, 0 for counts, 3 for
/// plain rates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct NumberFormat {
    pub style: NumberStyle,
    pub decimals: Option<u8>,
}

impl NumberFormat {
    /// `v` of `measure` as the legend writes it.
    pub fn format(self, measure: Measure, v: f64) -> String {
        let style = match (self.style, measure) {
            (NumberStyle::Auto, Measure::Rate) => NumberStyle::Percent,
            (NumberStyle::Auto, _) => NumberStyle::Plain,
            (s, _) => s,
        };
        match style {
            NumberStyle::Percent => {
                let d = self.decimals.unwrap_or(1) as usize;
                format!("{:.d$}%", v * 100.0)
            }
            _ => {
                let d = self
                    .decimals
                    .unwrap_or(if measure == Measure::Rate { 3 } else { 0 })
                    as usize;
                let scaled = (v * 10f64.powi(d as i32)).round();
                let whole = (scaled / 10f64.powi(d as i32)).trunc();
                let mut out = group_digits(whole as i64);
                if v < 0.0 && whole == 0.0 {
                    out.insert(0, '-');
                }
                if d > 0 {
                    let frac = (scaled.abs() as i64) % 10i64.pow(d as u32);
                    out.push_str(&format!(".{frac:0d$}"));
                }
                out
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChoroplethSpec {
    pub measure: Measure,
    pub method: Method,
    pub classes: usize,
    pub ramp: Ramp,
    pub reversed: bool,
    // The threshold of suppression is an admin setting applied in the core: the
    // `min_targets` of maps saved before is ignored when they are read.
    /// Edges for [`Method::Manual`].
    pub manual: Vec<f64>,
    /// Per-class colour and label overrides from the legend editor.
    pub colors: Vec<Option<Rgba>>,
    pub labels: Vec<Option<String>>,
    /// How the legend writes numbers.
    #[serde(default)]
    pub format: NumberFormat,
}

impl Default for ChoroplethSpec {
    fn default() -> Self {
        ChoroplethSpec {
            measure: Measure::Rate,
            method: Method::NaturalBreaks,
            classes: breaks::DEFAULT_CLASSES,
            ramp: Ramp::YlGnBu,
            reversed: false,
            manual: vec![],
            colors: vec![],
            labels: vec![],
            format: NumberFormat::default(),
        }
    }
}

/// The colour of suppressed (too few targets) and missing areas.
pub const SUPPRESSED: Rgba = [190, 190, 190, 255];
pub const SUPPRESSED_LABEL: &str = crate::analysis::suppression::LABEL;
/// The legend's row for revealed figures (class colour, hatched over).
pub const REVEALED: Rgba = [255, 255, 255, 255];
pub const REVEALED_LABEL: &str = "斜線: 少数（個人情報の閲覧の権限で表示）";

/// The legend's row for suppressed areas.
pub fn suppressed_legend(threshold: i64, count: usize) -> String {
    format!("{SUPPRESSED_LABEL}（対象者 {threshold} 人未満と補完、{count}）")
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegendClass {
    pub color: Rgba,
    pub lower: f64,
    pub upper: f64,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Choropleth {
    /// Per feature: its class colour; `None` for suppressed or missing areas.
    pub colors: Vec<Option<Rgba>>,
    /// Per feature: true when its figures are suppressed (it has none).
    pub suppressed: Vec<bool>,
    /// Per feature: true when suppressed figures are shown to a user who may see them.
    pub revealed: Vec<bool>,
    /// Per feature: its value, if the area has one.
    pub values: Vec<Option<AreaValue>>,
    pub edges: Vec<f64>,
    pub legend: Vec<LegendClass>,
    pub suppressed_count: usize,
    pub revealed_count: usize,
    /// Shown areas outside every class (manual edges narrower than the data).
    pub outside_count: usize,
}

/// What a choropleth maps: one area's value, whatever the measure.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaValue {
    pub code: String,
    /// The value classed; `None` when withheld or missing.
    pub value: Option<f64>,
    /// What the identify tool lists for the area: (項目, 値).
    pub details: Vec<(String, String)>,
    /// Withheld (少数のため非表示): the area is hatched, not coloured.
    pub suppressed: bool,
    /// Would be withheld, and is shown to a user who may see it (marked).
    pub revealed: bool,
}

/// The uptake figures of `table` as values of `measure`.
pub fn uptake_values(table: &AreaTable, measure: Measure) -> Vec<AreaValue> {
    rows_values(table.rows(), measure)
}

/// [`uptake_values`] of records.
pub fn rows_values(rows: Vec<AreaRow>, measure: Measure) -> Vec<AreaValue> {
    rows.into_iter()
        .map(|r| {
            let details = match (r.targets, r.attendees, r.rate) {
                (Some(t), Some(a), Some(rate)) => vec![
                    ("対象者".to_string(), t.to_string()),
                    ("受診者".to_string(), a.to_string()),
                    ("受診率".to_string(), format!("{:.1}%", rate * 100.0)),
                ],
                _ => vec![("受診率".to_string(), SUPPRESSED_LABEL.to_string())],
            };
            AreaValue {
                value: measure.value(&r),
                code: r.code,
                details,
                suppressed: r.suppressed,
                revealed: r.revealed,
            }
        })
        .collect()
}

/// Classes `values` onto the features whose area codes are `codes`.
pub fn build(values: &[AreaValue], codes: &[String], spec: &ChoroplethSpec) -> Choropleth {
    let by_code: HashMap<&str, &AreaValue> = values.iter().map(|r| (r.code.as_str(), r)).collect();
    let feature_rows: Vec<Option<AreaValue>> = codes
        .iter()
        .map(|c| by_code.get(c.as_str()).map(|r| (*r).clone()))
        .collect();
    let suppressed: Vec<bool> = feature_rows
        .iter()
        .map(|r| r.as_ref().is_some_and(|r| r.suppressed))
        .collect();
    let revealed: Vec<bool> = feature_rows
        .iter()
        .map(|r| r.as_ref().is_some_and(|r| r.revealed))
        .collect();
    // Values of the areas everyone sees: suppressed (or revealed) areas do not move the
    // breaks.
    let shown: Vec<f64> = values
        .iter()
        .filter(|r| !r.suppressed && !r.revealed)
        .filter_map(|r| r.value)
        .collect();
    let edges = breaks::breaks(&shown, spec.classes, spec.method, &spec.manual);
    let n = edges.len().saturating_sub(1);
    let ramp = spec.ramp.colors(n, spec.reversed);
    let colors_of: Vec<Rgba> = (0..n)
        .map(|i| spec.colors.get(i).copied().flatten().unwrap_or(ramp[i]))
        .collect();
    let mut legend: Vec<LegendClass> = (0..n)
        .map(|i| LegendClass {
            color: colors_of[i],
            lower: edges[i],
            upper: edges[i + 1],
            label: spec.labels.get(i).cloned().flatten().unwrap_or_else(|| {
                format!(
                    "{} 〜 {}",
                    spec.format.format(spec.measure, edges[i]),
                    spec.format.format(spec.measure, edges[i + 1])
                )
            }),
            count: 0,
        })
        .collect();
    let mut colors = Vec::with_capacity(codes.len());
    let mut outside_count = 0;
    for (row, &sup) in feature_rows.iter().zip(&suppressed) {
        let class = match row {
            Some(r) if !sup => r.value.and_then(|v| breaks::classify(v, &edges)),
            _ => None,
        };
        match class {
            Some(c) => legend[c].count += 1,
            None if row.is_some() && !sup => outside_count += 1,
            None => {}
        }
        colors.push(class.map(|c| colors_of[c]));
    }
    let suppressed_count = suppressed.iter().filter(|s| **s).count();
    let revealed_count = revealed.iter().filter(|s| **s).count();
    Choropleth {
        colors,
        suppressed,
        revealed,
        values: feature_rows,
        edges,
        legend,
        suppressed_count,
        revealed_count,
        outside_count,
    }
}

/// The spec with class `i`'s edge `e` (0 = the lower edge of the first class, `i + 1` =
/// the upper edge of class `i`) moved to `v`: the method becomes manual on the current
/// edges, and the neighbouring edges keep their order.
pub fn with_edge(spec: &ChoroplethSpec, edges: &[f64], e: usize, v: f64) -> ChoroplethSpec {
    let mut out = spec.clone();
    let mut edges = edges.to_vec();
    if e < edges.len() && v.is_finite() {
        let lo = if e == 0 { f64::MIN } else { edges[e - 1] };
        let hi = edges.get(e + 1).copied().unwrap_or(f64::MAX);
        edges[e] = v.clamp(lo, hi);
    }
    out.method = Method::Manual;
    out.classes = edges.len().saturating_sub(1).max(1);
    out.manual = edges;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(code: &str, targets: i64, attendees: i64) -> AreaRow {
        AreaRow {
            code: code.into(),
            name: code.into(),
            targets: Some(targets),
            attendees: Some(attendees),
            rate: Some(attendees as f64 / targets.max(1) as f64),
            suppressed: false,
            revealed: false,
        }
    }

    fn suppressed(code: &str) -> AreaRow {
        AreaRow {
            targets: None,
            attendees: None,
            rate: None,
            suppressed: true,
            ..row(code, 0, 0)
        }
    }

    #[test]
    fn classes_suppresses_and_counts() {
        let rows = vec![
            row("a", 100, 30),
            row("b", 100, 40),
            row("c", 100, 50),
            suppressed("d"),
            row("e", 200, 60),
        ];
        let codes: Vec<String> = ["a", "b", "c", "d", "e", "zz"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let spec = ChoroplethSpec {
            classes: 3,
            ..Default::default()
        };
        let ch = build(&rows_values(rows.clone(), spec.measure), &codes, &spec);
        assert_eq!(ch.suppressed, vec![false, false, false, true, false, false]);
        assert_eq!(ch.colors[3], None, "suppressed");
        assert_eq!(ch.colors[5], None, "no data");
        assert_eq!(ch.edges.first(), Some(&0.3));
        assert_eq!(ch.legend.iter().map(|l| l.count).sum::<usize>(), 4);
        assert_eq!(ch.colors[0], ch.colors[4], "30% and 30% share a class");
        assert!(ch.legend[0].label.starts_with("30.0%"));
        assert_eq!(Measure::NonAttendees.format(12345.0), "12,345");
        // A revealed 100% is classed and marked, and does not stretch the classes.
        let mut rows = rows;
        rows[3] = AreaRow {
            revealed: true,
            ..row("d", 5, 5)
        };
        let ch = build(&rows_values(rows.clone(), spec.measure), &codes, &spec);
        assert_eq!(ch.suppressed[3], false);
        assert_eq!(ch.revealed, vec![false, false, false, true, false, false]);
        assert_eq!(ch.edges.last(), Some(&0.5));
        assert_eq!(ch.outside_count, 1, "100% is above the last class");
        let mut style = crate::map::scene::LayerStyle::default();
        ch.apply(&mut style);
        assert_eq!(style.hatched, vec![false, false, false, true, false, false]);
        let legend = ch.legend_entries(10);
        assert!(legend.iter().any(|(_, l, h)| *h && l.starts_with("斜線")));
    }

    #[test]
    fn number_formats_and_edited_edges() {
        let f = NumberFormat::default();
        assert_eq!(f.format(Measure::Rate, 0.3526), "35.3%");
        assert_eq!(f.format(Measure::Targets, 12345.4), "12,345");
        let plain = NumberFormat {
            style: NumberStyle::Plain,
            decimals: None,
        };
        assert_eq!(plain.format(Measure::Rate, 0.3526), "0.353");
        let pct0 = NumberFormat {
            style: NumberStyle::Percent,
            decimals: Some(0),
        };
        assert_eq!(pct0.format(Measure::Rate, 0.3525), "35%");
        let two = NumberFormat {
            style: NumberStyle::Plain,
            decimals: Some(2),
        };
        assert_eq!(two.format(Measure::Targets, 1234.5), "1,234.50");

        let rows: Vec<AreaRow> = (0..10)
            .map(|i| row(&format!("{i}"), 100, 20 + i * 3))
            .collect();
        let codes: Vec<String> = (0..10).map(|i| format!("{i}")).collect();
        let spec = ChoroplethSpec {
            classes: 3,
            method: Method::EqualInterval,
            ..Default::default()
        };
        let ch = build(&rows_values(rows.clone(), spec.measure), &codes, &spec);
        // Move the first inner edge to 0.30: a manual spec on the same other edges.
        let edited = with_edge(&spec, &ch.edges, 1, 0.30);
        assert_eq!(edited.method, Method::Manual);
        assert_eq!(edited.manual, vec![0.2, 0.30, ch.edges[2], 0.47]);
        let ch2 = build(&rows_values(rows.clone(), spec.measure), &codes, &edited);
        assert_eq!(ch2.legend[0].count, 4, "20, 23, 26, 29 ≤ 30%");
        assert_eq!(ch2.outside_count, 0);
        // Raising the lower edge leaves the lowest area outside every class.
        let narrowed = with_edge(&edited, &ch2.edges, 0, 0.21);
        let ch3 = build(&rows_values(rows.clone(), spec.measure), &codes, &narrowed);
        assert_eq!(ch3.outside_count, 1);
        // An edge cannot pass its neighbour.
        let crossed = with_edge(&edited, &ch2.edges, 1, 0.9);
        assert_eq!(crossed.manual[1], crossed.manual[2]);
    }
}

/// The layer an area level is drawn on, and the field holding its area code.
pub fn level_layer(level: crate::analysis::uptake::Level) -> (&'static str, &'static str) {
    use crate::analysis::uptake::Level;
    use crate::layers::bundled;
    match level {
        Level::Municipality => (bundled::MUNICIPALITIES, bundled::MUNICIPALITY_CODE),
        Level::MedicalArea => (bundled::MEDICAL_AREAS, bundled::MEDICAL_AREA_CODE),
        Level::SmallArea => (bundled::SMALL_AREAS, bundled::SMALL_AREA_CODE),
    }
}

impl Choropleth {
    /// Puts the class colours (grey for suppressed areas) and the hatching into `style`.
    pub fn apply(&self, style: &mut super::scene::LayerStyle) {
        style.fill = super::scene::Fill::PerFeature(
            self.colors
                .iter()
                .zip(&self.suppressed)
                .map(|(c, sup)| if *sup { Some(SUPPRESSED) } else { *c })
                .collect(),
        );
        style.hatched = self
            .suppressed
            .iter()
            .zip(&self.revealed)
            .map(|(s, r)| *s || *r)
            .collect();
    }

    /// Legend rows for an exported map: (colour, label, hatched), the suppressed rows
    /// last. `threshold`: the threshold of the rows' table.
    pub fn legend_entries(&self, threshold: i64) -> Vec<(Rgba, String, bool)> {
        let mut out: Vec<(Rgba, String, bool)> = self
            .legend
            .iter()
            .map(|c| (c.color, format!("{}（{}）", c.label, c.count), false))
            .collect();
        if self.suppressed_count > 0 {
            out.push((
                SUPPRESSED,
                suppressed_legend(threshold, self.suppressed_count),
                true,
            ));
        }
        if self.revealed_count > 0 {
            out.push((
                REVEALED,
                format!("{REVEALED_LABEL}（{}）", self.revealed_count),
                true,
            ));
        }
        if self.outside_count > 0 {
            out.push((
                OUTSIDE,
                format!("{OUTSIDE_LABEL}（{}）", self.outside_count),
                false,
            ));
        }
        out
    }
}

/// Shown areas outside every class are left unfilled; the legend says so.
pub const OUTSIDE: Rgba = [255, 255, 255, 255];
pub const OUTSIDE_LABEL: &str = "階級の範囲外（塗りなし）";

/// The legend's title, on screen and on paper: FY, level, measure and the targets shown.
pub fn legend_title(table: &crate::analysis::figures::AreaTable, measure: Measure) -> String {
    format!(
        "{}年度 {}別 {}（{}）",
        table.fy,
        table.level.label(),
        measure.label(),
        table.filter.label()
    )
}

/// Builds the choropleth of `level` from `values` and puts it into that level's layer style;
/// every other layer loses its fill and hatching (one choropleth at a time). The layer is
/// switched on when `switch_on` (the window does that only for a newly chosen layer, so
/// that a user who hid it keeps it hidden; paper always shows it). Returns the layer's
/// index and the choropleth; `None` when the level's layer or code field is missing.
/// The one choropleth step of the window and of the exports.
pub fn apply_level(
    layers: &super::MapLayers,
    styles: &mut [super::scene::LayerStyle],
    level: crate::analysis::uptake::Level,
    values: &[AreaValue],
    spec: &ChoroplethSpec,
    switch_on: impl FnOnce(usize) -> bool,
) -> Option<(usize, Choropleth)> {
    let (name, field) = level_layer(level);
    let (ix, layer) = layers.find(name)?;
    let codes = layer.index.column_text(field)?;
    let ch = build(values, &codes, spec);
    for s in styles.iter_mut() {
        s.fill = super::scene::Fill::None;
        s.hatched.clear();
    }
    let on = switch_on(ix);
    let style = styles.get_mut(ix)?;
    if on {
        style.visible = true;
    }
    ch.apply(style);
    Some((ix, ch))
}
