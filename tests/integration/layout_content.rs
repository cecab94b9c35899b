//! What a layout's map frame and picture put on paper, checked on the written files:
//! - the institutions (checkup institutions in their exact colour) are there when the
//!   map shows them and gone when the map hides their layer; kept between commands, they
//!   are drawn anew after the suppression threshold changed;
//! - the persons' points: switched on, the frame changes, and the changed pixels are the
//!   attendance colours blended over the map as computed here; printing them needs
//!   個人情報の閲覧 (refused and logged without it) and the export is logged as personal;
//! - the basemap under the frame: an image in the PDF (`pdfimages -list`), beside the logo;
//! - the logo (an image item) in its colour, where its item is, at the asked dpi.

use std::path::Path;
use std::process::Command as Proc;

use kenshin_atlas::analysis::uptake::Level;
use kenshin_atlas::app::domain::print::{PageFormat, PrintCmd, PrintReply};
use kenshin_atlas::app::{Command, Engine, Outcome};
use kenshin_atlas::audit::{Action, Outcome as R};
use kenshin_atlas::auth::{Right, SystemClock};
use kenshin_atlas::job::Progress;
use kenshin_atlas::layout::picture::Picture;
use kenshin_atlas::layout::{Item, ItemKind, Layout, templates};
use kenshin_atlas::map::document::{LayerState, MapDocument};
use kenshin_atlas::map::facilities::{CHECKUP_COLOR, LAYER_NAME};
use kenshin_atlas::map::insured::{ATTENDED, NOT_ATTENDED, PointColoring};

use super::common::{admin_engine, demo_store};
use super::security::{USER_PASSWORD, admin_op, login, user_with};

const LOGO: [u8; 3] = [255, 0, 255];
const DPI: u32 = 100;

fn export(e: &mut Engine, layout: &Layout, format: PageFormat, out: &Path) -> Result<(), String> {
    let c = PrintCmd::ExportLayout {
        layout: Box::new(layout.clone()),
        format,
        out: out.to_path_buf(),
        dpi: DPI,
        confirm_personal: true,
    };
    match e.execute(Command::from(c), &Progress::new()) {
        Outcome::Print(PrintReply::Written(_)) => Ok(()),
        Outcome::Failed(err) => Err(err.to_string()),
        Outcome::Denied(m) => Err(m),
        o => panic!("{o:?}"),
    }
}

fn rgba(path: &Path) -> image::RgbaImage {
    image::open(path).unwrap().into_rgba8()
}

fn doc(insured: bool, facilities: bool, basemap: Option<&str>) -> MapDocument {
    MapDocument {
        level: Level::SmallArea,
        fy: 2021,
        filter: Default::default(),
        spec: Default::default(),
        legend_on_map: true,
        layers: vec![LayerState {
            name: LAYER_NAME.into(),
            visible: facilities,
            opacity: 1.0,
            min_zoom: 0,
        }],
        view: None,
        basemap: basemap.map(String::from),
        facility_filter: Default::default(),
        facility_hidden: vec![],
        insured_on: insured,
        insured_coloring: PointColoring::Attendance,
        insured_from_zoom: 13,
    }
}

/// A4 landscape: the map at 1:25,000 over central Nara city, and a 40 × 20 mm logo.
fn layout(d: MapDocument, logo: &Picture) -> Layout {
    let mut l = templates::named(templates::A4_LANDSCAPE).unwrap();
    for it in &mut l.items {
        if let ItemKind::Map { .. } = it.kind {
            it.kind = ItemKind::Map {
                extent: Some([135.78, 34.66, 135.84, 34.70]),
                scale: Some(25_000),
            };
        }
    }
    l.items.push(Item {
        rect: [240.0, 8.0, 40.0, 20.0],
        kind: ItemKind::Image {
            picture: logo.clone(),
        },
    });
    l.map = Some(d);
    l
}

/// Pixels of `img` inside the rect (mm) at [`DPI`].
fn inside(img: &image::RgbaImage, mm: [f32; 4]) -> Vec<(u32, u32)> {
    let px = |v: f32| (v / 25.4 * DPI as f32).round() as u32;
    let [x, y, w, h] = mm;
    let mut out = Vec::new();
    for yy in px(y)..px(y + h).min(img.height()) {
        for xx in px(x)..px(x + w).min(img.width()) {
            out.push((xx, yy));
        }
    }
    out
}

/// `c` at `alpha` over `under`, as source-over blending gives it.
fn blend(under: [u8; 3], c: [u8; 4]) -> [u8; 3] {
    let a = c[3] as f32 / 255.0;
    [0, 1, 2].map(|i| (c[i] as f32 * a + under[i] as f32 * (1.0 - a)).round() as u8)
}

fn near(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    (0..3).all(|i| (a[i] as i32 - b[i] as i32).abs() <= tol)
}

#[test]
fn a_frame_draws_institutions_persons_and_basemap_and_the_logo_lands_in_its_item() {
    let root = tempfile::tempdir().unwrap();
    let mut e = admin_engine(demo_store(root.path()), Box::new(SystemClock));
    let out = root.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // The logo: a magenta PNG, 80 × 40 px (its item's proportions).
    let logo_path = root.path().join("連合会ロゴ.png");
    image::RgbaImage::from_pixel(80, 40, image::Rgba([LOGO[0], LOGO[1], LOGO[2], 255]))
        .save(&logo_path)
        .unwrap();
    let logo = Picture::from_file(&logo_path).unwrap();
    let map_rect = [10.0, 24.0, 277.0, 164.0];

    // Institutions shown, then hidden: the checkup institutions' squares come and go.
    let png = |e: &mut Engine, d: MapDocument, name: &str| {
        let p = out.join(name);
        export(e, &layout(d, &logo), PageFormat::Png, &p).unwrap();
        rgba(&p)
    };
    let shown = png(&mut e, doc(false, true, None), "shown.png");
    let hidden = png(&mut e, doc(false, false, None), "hidden.png");
    let a4 = |v: f32| (v / 25.4 * DPI as f32).round() as u32;
    assert_eq!((shown.width(), shown.height()), (a4(297.0), a4(210.0)));
    let exact = |img: &image::RgbaImage, c: [u8; 4]| {
        inside(img, map_rect)
            .iter()
            .filter(|&&(x, y)| img.get_pixel(x, y).0[..3] == c[..3])
            .count()
    };
    assert!(
        exact(&shown, CHECKUP_COLOR) > 20,
        "checkup institutions drawn"
    );
    assert_eq!(exact(&hidden, CHECKUP_COLOR), 0, "hidden with their layer");
    // The institutions are kept between commands (the preview redraws after each edit)
    // and dropped when data may change: with the threshold raised to 1,000, every user
    // count is withheld and every institution drawn in the smallest class.
    admin_op(
        &mut e,
        kenshin_atlas::app::AdminOp::SetSetting {
            key: kenshin_atlas::analysis::suppression::SETTING_THRESHOLD.into(),
            value: "1000".into(),
        },
    );
    let withheld = png(&mut e, doc(false, true, None), "withheld.png");
    let (before, after) = (
        exact(&shown, CHECKUP_COLOR),
        exact(&withheld, CHECKUP_COLOR),
    );
    assert!(after > 0 && after < before, "{after} < {before}");

    // The logo fills its item (40 × 20 mm, the picture's 2:1) in its colour.
    let logo_px = inside(&shown, [241.0, 9.0, 38.0, 18.0]);
    assert!(
        logo_px.iter().all(|&(x, y)| near(
            shown.get_pixel(x, y).0[..3].try_into().unwrap(),
            LOGO,
            2
        )),
        "the logo's item is magenta"
    );
    assert!(
        !near(
            shown.get_pixel(a4(235.0), a4(18.0)).0[..3]
                .try_into()
                .unwrap(),
            LOGO,
            60
        ),
        "and nothing left of it"
    );

    // The persons' points: the frame changes, and the changed pixels are the attendance
    // colours over what was there.
    let people = png(&mut e, doc(true, false, None), "people.png");
    let (mut changed, mut coloured) = (0, 0);
    for (x, y) in inside(&people, map_rect) {
        let (a, b) = (hidden.get_pixel(x, y).0, people.get_pixel(x, y).0);
        if a == b {
            continue;
        }
        changed += 1;
        let under = [a[0], a[1], a[2]];
        let now = [b[0], b[1], b[2]];
        if near(now, blend(under, ATTENDED), 3) || near(now, blend(under, NOT_ATTENDED), 3) {
            coloured += 1;
        }
    }
    assert!(changed > 500, "{changed} pixels changed");
    assert!(
        coloured > 200,
        "{coloured} of {changed} in the attendance colours"
    );
    // Outside the frame nothing moved but the legend (its entries for the persons).
    let foot = inside(&people, [10.0, 191.0, 200.0, 9.0]);
    assert!(
        foot.iter()
            .all(|&(x, y)| people.get_pixel(x, y) == hidden.get_pixel(x, y))
    );

    // The PDF: the basemap is an image under the frame, beside the logo.
    let mut images = |name: &str, d: MapDocument| {
        let p = out.join(name);
        export(&mut e, &layout(d, &logo), PageFormat::Pdf, &p).unwrap();
        let o = Proc::new("pdfimages")
            .arg("-list")
            .arg(&p)
            .output()
            .unwrap();
        assert!(o.status.success());
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .skip(2)
            .map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f[3].parse::<u32>().unwrap(), f[4].parse::<u32>().unwrap())
            })
            .collect::<Vec<(u32, u32)>>()
    };
    let plain = images("plain.pdf", doc(false, true, None));
    // The logo, and its alpha channel (an image of its own in a PDF).
    assert!(plain.iter().all(|&s| s == (80, 40)), "{plain:?}");
    let with_map = images("basemap.pdf", doc(false, true, Some("標準")));
    // The frame (277 × 164 mm) at 150 dpi: 1636 × 969 px.
    let frame_px = (
        (277.0f32 / 25.4 * 150.0).round() as u32,
        (164.0f32 / 25.4 * 150.0).round() as u32,
    );
    assert!(with_map.contains(&frame_px), "{with_map:?}");
    assert!(with_map.contains(&(80, 40)));

    // A file with the persons' points must be confirmed, as other personal exports are.
    let c = PrintCmd::ExportLayout {
        layout: Box::new(layout(doc(true, false, None), &logo)),
        format: PageFormat::Pdf,
        out: out.join("unconfirmed.pdf"),
        dpi: DPI,
        confirm_personal: false,
    };
    match e.execute(Command::from(c), &Progress::new()) {
        Outcome::Failed(err) => assert!(err.to_string().contains("確認"), "{err}"),
        o => panic!("{o:?}"),
    }
    assert!(!out.join("unconfirmed.pdf").exists());
    // Its preview is a view of personal data, logged as one.
    let c = PrintCmd::Preview {
        layout: Box::new(layout(doc(true, false, None), &logo)),
        dpi: 20,
    };
    assert!(matches!(
        e.execute(Command::from(c), &Progress::new()),
        Outcome::Print(PrintReply::Preview { .. })
    ));
    let log = kenshin_atlas::audit::AuditLog::open(&root.path().join("data")).unwrap();
    assert!(
        log.entries()
            .unwrap()
            .iter()
            .any(|x| x.action == Action::ViewPersonal && x.target.contains("被保険者の点")),
        "the preview of persons is logged"
    );
    // Without 個人情報の閲覧 the persons' map is refused and logged; with it, the export is
    // logged as personal.
    user_with(
        &mut e,
        "insatsu2",
        [Right::Print, Right::Export].into_iter().collect(),
    );
    login(&mut e, "insatsu2", USER_PASSWORD);
    let err = export(
        &mut e,
        &layout(doc(true, true, None), &logo),
        PageFormat::Pdf,
        &out.join("refused.pdf"),
    )
    .unwrap_err();
    assert!(err.contains("個人情報の閲覧"), "{err}");
    assert!(!out.join("refused.pdf").exists());
    let log = kenshin_atlas::audit::AuditLog::open(&root.path().join("data")).unwrap();
    let entries = log.entries().unwrap();
    assert!(
        entries
            .iter()
            .any(|x| x.user == "insatsu2" && x.action == Action::Export && x.result == R::Error),
        "the refusal is logged"
    );
    assert!(
        entries.iter().any(|x| x.user == super::common::ADMIN
            && x.action == Action::Export
            && x.result == R::Ok
            && x.detail.contains("personal=yes")),
        "the persons' export is logged as personal"
    );
}
