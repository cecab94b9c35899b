//! Map furniture laid out once for screen and paper: the scale bar, the north arrow, the
//! legend and the credits line, as [`Mark`]s (rectangles, hatching, polygons, text) in
//! the map frame's own units (screen points, or pixels of an export). The window paints
//! them with egui (`ui::map::paint`), the exports with tiny-skia (`paint::marks`), so the
//! legend labels, the scale bar's length and its text are the same on screen and on paper.
//!
//! Text is measured with the caller's function (both painters measure with the bundled
//! IPAex Gothic), and placed by its top-left corner: a line is `size` high.

use super::Rgba;
use super::view::View;

/// One thing to paint.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// A rectangle (x, y, width, height), filled and/or outlined (colour, width).
    Rect {
        rect: [f32; 4],
        fill: Option<Rgba>,
        stroke: Option<(Rgba, f32)>,
    },
    /// Diagonal hatching (bottom-left to top-right) clipped to a rectangle.
    Hatch {
        rect: [f32; 4],
        color: Rgba,
        spacing: f32,
    },
    /// A closed polygon, filled and optionally outlined.
    Polygon {
        points: Vec<[f32; 2]>,
        fill: Rgba,
        stroke: Option<(Rgba, f32)>,
    },
    /// One line of text, its line box's top-left corner at `at`.
    Text {
        at: [f32; 2],
        text: String,
        size: f32,
        color: Rgba,
        /// A white halo around the glyphs (text over the map).
        halo: bool,
    },
    /// A picture stretched over a rectangle (x, y, width, height): a layout's logo.
    Image {
        rect: [f32; 4],
        image: std::sync::Arc<Raster>,
    },
}

/// A picture for [`Mark::Image`] (a layout's logo): width, height and RGBA rows (straight
/// alpha).
#[derive(Clone, PartialEq)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl std::fmt::Debug for Raster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Raster({}×{})", self.width, self.height)
    }
}

impl Raster {
    /// Where the picture goes in `rect` (x, y, w, h): as large as fits, its proportions
    /// kept, centred.
    pub fn fit(&self, rect: [f32; 4]) -> [f32; 4] {
        let [x, y, w, h] = rect;
        let s = (w / self.width as f32).min(h / self.height as f32);
        let (dw, dh) = (self.width as f32 * s, self.height as f32 * s);
        [x + (w - dw) / 2.0, y + (h - dh) / 2.0, dw, dh]
    }
}

/// A frame to lay out in: (x, y, width, height).
pub type Frame = [f32; 4];

const INK: Rgba = [30, 30, 30, 255];
const PANEL: Rgba = [255, 255, 255, 225];

/// A "nice" length (1, 2, 5 × 10ⁿ metres) not longer than `max_m`.
pub fn nice_length(max_m: f64) -> f64 {
    if max_m <= 0.0 || !max_m.is_finite() {
        return 0.0;
    }
    let p = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|k| k * p)
        .find(|&l| l <= max_m)
        .unwrap_or(p)
}

/// A length as the scale bar writes it: metres below 1 km.
pub fn format_length(m: f64) -> String {
    if m >= 1000.0 {
        format!("{} km", m / 1000.0)
    } else {
        format!("{m} m")
    }
}

/// The scale bar's length in metres and in frame units: a nice length at most a quarter
/// of the frame's width and at most 200 units.
pub fn scale_bar_length(view: &View, frame_width: f32) -> Option<(f64, f32)> {
    let mpp = view.meters_per_point();
    let len_m = nice_length(mpp * (frame_width as f64 / 4.0).min(200.0));
    (len_m > 0.0 && mpp > 0.0).then(|| (len_m, (len_m / mpp) as f32))
}

/// A scale bar at the bottom left: four alternating segments, 0 and the length.
pub fn scale_bar(view: &View, frame: Frame, measure: &dyn Fn(&str, f32) -> f32) -> Vec<Mark> {
    let Some((len_m, len)) = scale_bar_length(view, frame[2]) else {
        return vec![];
    };
    let size = 12.0;
    let label = format_length(len_m);
    let label_w = measure(&label, size);
    let x = frame[0] + 16.0;
    let y = frame[1] + frame[3] - 22.0;
    let mut marks = vec![Mark::Rect {
        rect: [x - 6.0, y - 20.0, len + label_w / 2.0 + 12.0, 34.0],
        fill: Some([255, 255, 255, 200]),
        stroke: None,
    }];
    let seg = len / 4.0;
    for i in 0..4 {
        marks.push(Mark::Rect {
            rect: [x + seg * i as f32, y, seg, 6.0],
            fill: Some(if i % 2 == 0 {
                [40, 40, 40, 255]
            } else {
                [255, 255, 255, 255]
            }),
            stroke: None,
        });
    }
    marks.push(Mark::Rect {
        rect: [x, y, len, 6.0],
        fill: None,
        stroke: Some(([40, 40, 40, 255], 1.0)),
    });
    let text = |at: [f32; 2], text: String| Mark::Text {
        at,
        text,
        size,
        color: INK,
        halo: false,
    };
    marks.push(text(
        [x - measure("0", size) / 2.0, y - size - 3.0],
        "0".into(),
    ));
    marks.push(text([x + len - label_w / 2.0, y - size - 3.0], label));
    marks
}

/// A north arrow at the top right (Web Mercator: north is up).
pub fn north_arrow(frame: Frame, measure: &dyn Fn(&str, f32) -> f32) -> Vec<Mark> {
    let cx = frame[0] + frame[2] - 36.0;
    let top = frame[1] + 24.0;
    let size = 14.0;
    vec![
        Mark::Polygon {
            points: vec![[cx, top], [cx + 11.0, top + 34.0], [cx, top + 26.0]],
            fill: [40, 40, 40, 255],
            stroke: Some(([40, 40, 40, 255], 1.0)),
        },
        Mark::Polygon {
            points: vec![[cx, top], [cx, top + 26.0], [cx - 11.0, top + 34.0]],
            fill: [255, 255, 255, 255],
            stroke: Some(([40, 40, 40, 255], 1.0)),
        },
        Mark::Text {
            at: [cx - measure("N", size) / 2.0, top + 38.0],
            text: "N".into(),
            size,
            color: INK,
            halo: true,
        },
    ]
}

/// A legend at the bottom right: a title and one swatch per class (colour, label, and
/// whether the class is hatched: the suppressed areas).
pub fn legend(
    title: &str,
    entries: &[(Rgba, String, bool)],
    frame: Frame,
    measure: &dyn Fn(&str, f32) -> f32,
) -> Vec<Mark> {
    legend_in(title, entries, &[], frame, measure, Corner::BottomRight)
}

/// Where a legend box stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Corner {
    /// Bottom right, above the credits line (the choropleth's).
    BottomRight,
    /// Top left, under the cursor readout (the insured points').
    TopLeft,
    /// Its top-left corner at this point (a legend item of a print layout).
    At(f32, f32),
}

/// A legend box in `corner`: title, swatches, and notes (definitions) under them.
pub fn legend_in(
    title: &str,
    entries: &[(Rgba, String, bool)],
    notes: &[&str],
    frame: Frame,
    measure: &dyn Fn(&str, f32) -> f32,
    corner: Corner,
) -> Vec<Mark> {
    if entries.is_empty() {
        return vec![];
    }
    let size = 13.0;
    let row = 20.0;
    let note_size = 11.0;
    let note_row = 16.0;
    let width = entries
        .iter()
        .map(|e| measure(&e.1, size))
        .chain(std::iter::once(measure(title, size + 1.0)))
        .chain(notes.iter().map(|n| measure(n, note_size) - 32.0))
        .fold(0.0f32, f32::max)
        + 48.0;
    let height = row * (entries.len() as f32 + 1.0) + note_row * notes.len() as f32 + 14.0;
    let (x, y) = match corner {
        // Above the credits line.
        Corner::BottomRight => (
            frame[0] + frame[2] - width - 12.0,
            frame[1] + frame[3] - height - 26.0,
        ),
        Corner::TopLeft => (frame[0] + 12.0, frame[1] + 36.0),
        Corner::At(x, y) => (x, y),
    };
    let mut marks = vec![
        Mark::Rect {
            rect: [x, y, width, height],
            fill: Some(PANEL),
            stroke: Some(([150, 150, 150, 255], 1.0)),
        },
        Mark::Text {
            at: [x + 8.0, y + 6.0],
            text: title.to_string(),
            size: size + 1.0,
            color: INK,
            halo: false,
        },
    ];
    for (i, (color, label, hatched)) in entries.iter().enumerate() {
        let ry = y + row * (i as f32 + 1.0) + 8.0;
        let swatch = [x + 8.0, ry, 24.0, 14.0];
        marks.push(Mark::Rect {
            rect: swatch,
            fill: Some(*color),
            stroke: None,
        });
        if *hatched {
            marks.push(Mark::Hatch {
                rect: swatch,
                color: [110, 110, 110, 255],
                spacing: 5.0,
            });
        }
        marks.push(Mark::Rect {
            rect: swatch,
            fill: None,
            stroke: Some(([90, 90, 90, 255], 1.0)),
        });
        marks.push(Mark::Text {
            at: [x + 40.0, ry],
            text: label.clone(),
            size,
            color: INK,
            halo: false,
        });
    }
    let notes_y = y + row * (entries.len() as f32 + 1.0) + 8.0;
    for (i, n) in notes.iter().enumerate() {
        marks.push(Mark::Text {
            at: [x + 8.0, notes_y + note_row * i as f32],
            text: n.to_string(),
            size: note_size,
            color: INK,
            halo: false,
        });
    }
    marks
}

/// The title at the top centre, on a white band (exports and prints).
pub fn title(text: &str, frame: Frame, measure: &dyn Fn(&str, f32) -> f32) -> Vec<Mark> {
    let size = (frame[3] / 40.0).clamp(14.0, 28.0);
    let w = measure(text, size);
    let pad = size * 0.4;
    let x = frame[0] + (frame[2] - w) / 2.0;
    let y = frame[1] + pad;
    vec![
        Mark::Rect {
            rect: [x - pad, y - pad * 0.5, w + 2.0 * pad, size + pad],
            fill: Some(PANEL),
            stroke: None,
        },
        Mark::Text {
            at: [x, y],
            text: text.to_string(),
            size,
            color: INK,
            halo: false,
        },
    ]
}

/// The credits line at the bottom centre.
pub fn credits(line: &str, frame: Frame, measure: &dyn Fn(&str, f32) -> f32) -> Vec<Mark> {
    let size = 10.0;
    let w = measure(line, size);
    vec![Mark::Text {
        at: [
            frame[0] + (frame[2] - w) / 2.0,
            frame[1] + frame[3] - size - 5.0,
        ],
        text: line.to_string(),
        size,
        color: [60, 60, 60, 255],
        halo: true,
    }]
}

/// The segments of [`Mark::Hatch`]: 45° lines `spacing` apart, clipped to `rect`. Both
/// painters draw these, so the hatching is the same on screen and paper.
pub fn hatch_segments(rect: [f32; 4], spacing: f32) -> Vec<[[f32; 2]; 2]> {
    let [x, y, w, h] = rect;
    if !(w > 0.0 && h > 0.0 && spacing > 0.0) {
        return vec![];
    }
    let mut out = Vec::new();
    let mut k = x - h;
    while k < x + w {
        // From (k, y + h) up to (k + h, y), clipped to x..x + w.
        let (mut x0, mut y0, mut x1, mut y1) = (k, y + h, k + h, y);
        if x0 < x {
            y0 -= x - x0;
            x0 = x;
        }
        if x1 > x + w {
            y1 += x1 - (x + w);
            x1 = x + w;
        }
        if x1 > x0 {
            out.push([[x0, y0], [x1, y1]]);
        }
        k += spacing;
    }
    out
}

/// The texts of `marks`, in order (what a reader of the page sees).
pub fn texts(marks: &[Mark]) -> Vec<&str> {
    marks
        .iter()
        .filter_map(|m| match m {
            Mark::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(t: &str, size: f32) -> f32 {
        t.chars().count() as f32 * size * 0.6
    }

    #[test]
    fn a_top_left_legend_holds_its_definitions() {
        let frame = [0.0, 0.0, 1000.0, 800.0];
        let entries = vec![([1, 2, 3, 255], "未受診・通院あり".to_string(), false)];
        let notes = ["通院: 当年度の医療レセプトの有無"];
        let marks = legend_in("被保険者", &entries, &notes, frame, &chars, Corner::TopLeft);
        let Some(Mark::Rect { rect, .. }) = marks.first() else {
            panic!("a box first");
        };
        assert_eq!((rect[0], rect[1]), (12.0, 36.0));
        // The box is wide and tall enough for the note, and the note is inside it.
        let note = marks
            .iter()
            .find_map(|m| match m {
                Mark::Text { at, text, .. } if text == notes[0] => Some(*at),
                _ => None,
            })
            .expect("the note is drawn");
        assert!(note[1] + 11.0 <= rect[1] + rect[3]);
        assert!(note[0] + chars(notes[0], 11.0) <= rect[0] + rect[2]);
        assert!(legend_in("x", &[], &notes, frame, &chars, Corner::TopLeft).is_empty());
    }

    #[test]
    fn scale_lengths_are_round() {
        assert_eq!(nice_length(7300.0), 5000.0);
        assert_eq!(nice_length(1999.0), 1000.0);
        assert_eq!(nice_length(2000.0), 2000.0);
        assert_eq!(nice_length(0.0), 0.0);
        assert_eq!(nice_length(f64::NAN), 0.0);
        assert_eq!(format_length(5000.0), "5 km");
        assert_eq!(format_length(200.0), "200 m");
    }

    #[test]
    fn the_scale_bar_measures_what_it_says() {
        let view = View::fit(super::super::view::NARA_BBOX, (1200.0, 800.0));
        let (len_m, len) = scale_bar_length(&view, 1200.0).unwrap();
        assert!(len <= 200.0 && len > 40.0, "{len}");
        // Its length on the ground, from the view's own scale.
        let ground = len as f64 * view.meters_per_point();
        assert!((ground - len_m).abs() < 1e-6 * len_m);
        let marks = scale_bar(&view, [0.0, 0.0, 1200.0, 800.0], &chars);
        assert_eq!(texts(&marks), vec!["0", format_length(len_m).as_str()]);
        // Everything inside the frame.
        for m in &marks {
            if let Mark::Rect { rect, .. } = m {
                assert!(rect[0] >= 0.0 && rect[1] >= 0.0 && rect[1] + rect[3] <= 800.0);
            }
        }
    }

    #[test]
    fn the_legend_has_a_swatch_per_class_and_hatches_only_the_hatched() {
        let entries = vec![
            ([200, 0, 0, 255], "30% 未満".to_string(), false),
            ([0, 0, 200, 255], "少数のため非表示".to_string(), true),
        ];
        let marks = legend(
            "2021年度 受診率",
            &entries,
            [10.0, 20.0, 800.0, 600.0],
            &chars,
        );
        assert_eq!(
            texts(&marks),
            vec!["2021年度 受診率", "30% 未満", "少数のため非表示"]
        );
        let hatches = marks
            .iter()
            .filter(|m| matches!(m, Mark::Hatch { .. }))
            .count();
        assert_eq!(hatches, 1);
        let Mark::Rect { rect, .. } = &marks[0] else {
            panic!()
        };
        assert!(rect[0] + rect[2] <= 810.0 && rect[1] + rect[3] <= 620.0);
        assert!(legend("t", &[], [0.0, 0.0, 100.0, 100.0], &chars).is_empty());
    }

    #[test]
    fn hatching_stays_inside_its_rectangle_at_45_degrees() {
        let r = [10.0, 20.0, 24.0, 14.0];
        let segs = hatch_segments(r, 5.0);
        assert!(segs.len() >= 6, "{}", segs.len());
        for [[x0, y0], [x1, y1]] in segs {
            for (x, y) in [(x0, y0), (x1, y1)] {
                assert!(
                    (10.0..=34.0).contains(&x) && (20.0..=34.0).contains(&y),
                    "{x},{y}"
                );
            }
            assert!(((x1 - x0) - (y0 - y1)).abs() < 1e-4, "45°");
        }
        assert!(hatch_segments([0.0, 0.0, 0.0, 5.0], 5.0).is_empty());
    }
}
