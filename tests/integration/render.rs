//! The CPU renderer and the basemaps: the built-in 標準 tiles are built, listed, and read
//! back the same from an XYZ folder, an MBTiles and a PMTiles file; a rendered choropleth
//! PNG shows the legend's colours where the areas are; the engine writes map PNGs (and
//! the audit CSV) only into the folders the admin allows, and logs each export.

use kenshin_atlas::analysis::figures::area_table;
use kenshin_atlas::analysis::suppression::DEFAULT_THRESHOLD;
use kenshin_atlas::analysis::uptake::Level;
use kenshin_atlas::app::{AdminCmd, AdminReply, MapCmd, MapReply};
use kenshin_atlas::basemap::{self, Kind, Source, builtin};
use kenshin_atlas::job::Progress;
use kenshin_atlas::map::choropleth::{self, ChoroplethSpec};
use kenshin_atlas::map::scene::LayerStyle;
use kenshin_atlas::map::view::{NARA_BBOX, View};
use kenshin_atlas::store::Store;

fn reference_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference")
}

#[test]
fn builtin_tiles_read_back_the_same_from_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let layers = kenshin_atlas::map::load_layers(&store, &reference_dir()).unwrap();
    let maps = dir.path().join("maps");
    let n = builtin::build_cache(&layers, &maps.join(builtin::NAME), 9, &Progress::new()).unwrap();
    let expected: u64 = (1..=9u8)
        .map(|z| {
            let (x0, y0, x1, y1) = builtin::nara_tiles(z);
            ((x1 - x0 + 1) * (y1 - y0 + 1)) as u64
        })
        .sum();
    assert_eq!(n, expected);
    // A tile over Nara city at zoom 9 is a 256×256 PNG with land and boundary colours.
    let (x0, y0, _, _) = builtin::nara_tiles(9);
    let listed = basemap::list(&maps);
    assert_eq!(listed[0].kind, Kind::Builtin);
    let xyz = Source::open(&listed[0], None).unwrap();
    assert_eq!(
        Source::Xyz(maps.join(builtin::NAME)).zoom_range(),
        Some((1, 9))
    );
    let png = xyz.tile(9, x0, y0).expect("cached tile");
    let (w, h, rgba) = basemap::decode(&png).unwrap();
    assert_eq!((w, h), (256, 256));
    let colours: std::collections::HashSet<&[u8]> = rgba.chunks_exact(4).collect();
    assert!(colours.len() > 10, "a drawn tile, not a flat one");

    // The same tiles as MBTiles and PMTiles, found by the listing and read back equal.
    let mut tiles = Vec::new();
    for z in 1..=9u8 {
        let (x0, y0, x1, y1) = builtin::nara_tiles(z);
        for x in x0..=x1 {
            for y in y0..=y1 {
                tiles.push(((z, x, y), xyz.tile(z, x, y).unwrap()));
            }
        }
    }
    basemap::mbtiles::write(&maps.join("複製.mbtiles"), "複製", &tiles, true, NARA_BBOX).unwrap();
    basemap::pmtiles::write(&maps.join("複製p.pmtiles"), &tiles, true, NARA_BBOX).unwrap();
    let listed = basemap::list(&maps);
    let kinds: Vec<Kind> = listed.iter().map(|b| b.kind).collect();
    assert_eq!(kinds, vec![Kind::Builtin, Kind::MbTiles, Kind::PmTiles]);
    for info in &listed[1..] {
        let src = Source::open(info, None).unwrap();
        for ((z, x, y), bytes) in tiles.iter().step_by(7) {
            assert_eq!(
                src.tile(*z, *x, *y).as_ref(),
                Some(bytes),
                "{} {z}/{x}/{y}",
                info.name
            );
        }
        assert_eq!(src.tile(9, 0, 0), None);
        assert_eq!(src.zoom_range(), Some((1, 9)), "{}", info.name);
    }
    // Beyond the cache the built-in set renders on demand (and caches the tile).
    let (bx, by, _, _) = builtin::nara_tiles(15);
    let lazy = Source::open(&basemap::list(&maps)[0], Some(layers)).unwrap();
    assert!(lazy.tile(15, bx + 5, by + 5).is_some());
    assert!(
        maps.join(format!("{}/15/{}/{}.png", builtin::NAME, bx + 5, by + 5))
            .exists()
    );
}

#[test]
fn rendered_choropleth_shows_its_classes() {
    let demo = super::common::demo();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for f in demo.summary.files.iter().filter(|f| {
        let n = f.file_name().unwrap().to_string_lossy();
        n.starts_with("被保険者台帳") || n.starts_with("健診結果_2021")
    }) {
        kenshin_atlas::import::import_file(&store, f, &Default::default(), &Progress::new())
            .unwrap();
    }
    let layers = kenshin_atlas::map::load_layers(&store, &reference_dir()).unwrap();
    let mut styles: Vec<LayerStyle> = layers
        .0
        .iter()
        .map(|l| {
            kenshin_atlas::map::style::default_style(
                &l.index.info.name,
                l.index.info.geometry_type,
                &l.index.info.fields,
            )
        })
        .collect();
    let rows = area_table(
        store.conn(),
        Level::Municipality,
        2021,
        Default::default(),
        DEFAULT_THRESHOLD,
        false,
    )
    .unwrap()
    .rows();
    let (name, field) = choropleth::level_layer(Level::Municipality);
    let (ix, layer) = layers.find(name).unwrap();
    let ch = choropleth::build(
        &choropleth::rows_values(rows.clone(), ChoroplethSpec::default().measure),
        &layer.index.column_text(field).unwrap(),
        &ChoroplethSpec::default(),
    );
    ch.apply(&mut styles[ix]);
    let refs: Vec<_> = layers
        .0
        .iter()
        .map(|l| l.as_ref())
        .zip(styles.iter())
        .collect();
    let view = View::fit(NARA_BBOX, (800.0, 1000.0));
    let furniture = kenshin_atlas::render::Furniture {
        legend: Some(("受診率".into(), ch.legend_entries(10))),
        scale_bar: true,
        north_arrow: true,
        ..Default::default()
    };
    let pm = kenshin_atlas::render::render(&view, &refs, None, &furniture).unwrap();
    let png = kenshin_atlas::paint::encode_png(&pm).unwrap();
    let img = image::load_from_memory(&png).unwrap().to_rgba8();
    assert_eq!(img.dimensions(), (800, 1000));
    // Every class colour with areas is on the map.
    for class in ch.legend.iter().filter(|c| c.count > 0) {
        let n = img
            .pixels()
            .filter(|p| p.0[..3] == class.color[..3])
            .count();
        assert!(n > 50, "class {} colour drawn ({n} px)", class.label);
    }
    // 奈良市's representative point is drawn in 奈良市's class colour.
    let nara = layer
        .index
        .column_text(field)
        .unwrap()
        .iter()
        .position(|c| c == "29201")
        .unwrap();
    let colour = ch.colors[nara].unwrap();
    let p = view.lonlat_to_screen(135.93, 34.65);
    let near = (-6i32..=6)
        .flat_map(|dx| (-6i32..=6).map(move |dy| (dx, dy)))
        .any(|(dx, dy)| {
            img.get_pixel((p[0] as i32 + dx) as u32, (p[1] as i32 + dy) as u32)
                .0[..3]
                == colour[..3]
        });
    assert!(near, "奈良市 is coloured by its class");

    // Three times larger (7.2 megapixels) the map is painted in bands by every core and
    // put together, or encoded band by band: both give the same image, with 奈良市 in its
    // class colour at its place (a band out of order would move it).
    let k = 3.0;
    let big = kenshin_atlas::render::render_scaled(&view, &refs, None, &furniture, k).unwrap();
    assert_eq!((big.width(), big.height()), (2400, 3000));
    let (w, h) = kenshin_atlas::render::scaled_size(&view, k);
    let mut bands = 0;
    let png = kenshin_atlas::paint::png::encode_map_png_bands(w, h, |sink| {
        let mut count = |band: tiny_skia::Pixmap| {
            bands += 1;
            sink(band)
        };
        kenshin_atlas::render::render_bands(&view, &refs, None, &furniture, k, &mut count)
            .map(|_| ())
    })
    .unwrap();
    assert!(bands > 2, "painted in {bands} bands");
    let decoded = image::load_from_memory(&png).unwrap().to_rgb8();
    assert_eq!(decoded.dimensions(), (2400, 3000));
    let same = decoded
        .pixels()
        .zip(big.pixels())
        .all(|(a, b)| a.0 == [b.red(), b.green(), b.blue()]);
    assert!(same, "the banded PNG equals the assembled image");
    let near = (-18i32..=18).step_by(3).any(|dx| {
        (-18i32..=18).step_by(3).any(|dy| {
            let (x, y) = ((p[0] * k) as i32 + dx, (p[1] * k) as i32 + dy);
            decoded.get_pixel(x as u32, y as u32).0 == colour[..3]
        })
    });
    assert!(near, "奈良市 is coloured by its class at 3×");
}

#[test]
fn the_engine_writes_map_pngs_and_audit_csvs_into_allowed_folders_only() {
    use kenshin_atlas::app::{AdminOp, Command, Outcome};
    use kenshin_atlas::audit::{Action, Outcome as R};
    use kenshin_atlas::render::export::MapPng;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let mut e = super::common::admin_engine(store, Box::new(kenshin_atlas::auth::SystemClock));
    let allowed = dir.path().join("allowed");
    let elsewhere = dir.path().join("elsewhere");
    for d in [&allowed, &elsewhere] {
        std::fs::create_dir_all(d).unwrap();
    }
    let o = e.execute(
        Command::from(AdminCmd::Op(AdminOp::SetSetting {
            key: kenshin_atlas::auth::SETTING_EXPORT_DIRS.into(),
            value: allowed.display().to_string(),
        })),
        &Progress::new(),
    );
    assert!(
        matches!(o, Outcome::Admin(AdminReply::Done { .. })),
        "{o:?}"
    );
    let render = |e: &mut kenshin_atlas::app::Engine, out: std::path::PathBuf| {
        e.execute(
            Command::from(MapCmd::RenderMap {
                spec: MapPng {
                    width: 320,
                    height: 240,
                    choropleth: Some(Level::Municipality),
                    ..Default::default()
                },
                out,
            }),
            &Progress::new(),
        )
    };
    // Into the allowed folder: a PNG of the asked size, logged as an export.
    let png = allowed.join("map.png");
    match render(&mut e, png.clone()) {
        Outcome::Map(MapReply::MapRendered { path, zoom }) => {
            assert_eq!(path, png);
            assert!((1..=18).contains(&zoom), "zoom {zoom}");
        }
        o => panic!("{o:?}"),
    }
    let img = image::open(&png).unwrap();
    assert_eq!((img.width(), img.height()), (320, 240));
    // Elsewhere: refused, nothing written; the same for the audit log's CSV.
    let stray = elsewhere.join("map.png");
    assert!(matches!(render(&mut e, stray.clone()), Outcome::Denied(_)));
    assert!(!stray.exists());
    let csv = |path: std::path::PathBuf| {
        Command::from(AdminCmd::ExportAudit {
            filter: Default::default(),
            path,
        })
    };
    let stray_csv = elsewhere.join("log.csv");
    assert!(matches!(
        e.execute(csv(stray_csv.clone()), &Progress::new()),
        Outcome::Denied(_)
    ));
    assert!(!stray_csv.exists());
    assert!(matches!(
        e.execute(csv(allowed.join("log.csv")), &Progress::new()),
        Outcome::Admin(AdminReply::Exported { .. })
    ));
    // A size out of range fails with the range named.
    let o = e.execute(
        Command::from(MapCmd::RenderMap {
            spec: MapPng {
                width: 8,
                ..Default::default()
            },
            out: allowed.join("tiny.png"),
        }),
        &Progress::new(),
    );
    assert!(
        matches!(o, Outcome::Failed(ref m) if m.to_string().contains("16〜20000")),
        "{o:?}"
    );
    let exports: Vec<(String, R, String)> = e
        .audit
        .entries()
        .unwrap()
        .into_iter()
        .filter(|x| x.action == Action::Export)
        .map(|x| (x.target, x.result, x.detail))
        .collect();
    let has = |target: &std::path::Path, result: R| {
        exports
            .iter()
            .any(|(t, r, _)| *t == target.display().to_string() && *r == result)
    };
    assert!(has(&png, R::Ok), "{exports:?}");
    assert!(has(&stray, R::Denied), "{exports:?}");
    assert!(has(&stray_csv, R::Denied), "{exports:?}");
    assert!(has(&allowed.join("log.csv"), R::Ok), "{exports:?}");
    assert!(has(&allowed.join("tiny.png"), R::Error), "{exports:?}");
}
