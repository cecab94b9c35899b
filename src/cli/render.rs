//! `tiles build|list` and `render`: the basemap cache and a headless map PNG, drawn with
//! the same renderer as the tiles.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};

use crate::analysis::figures::area_table;
use crate::analysis::uptake::Level;
use crate::basemap::{self, Source, builtin};
use crate::job::Progress;
use crate::map::choropleth::{self, ChoroplethSpec};
use crate::map::scene::LayerStyle;
use crate::map::view::{NARA_BBOX, View};
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TileFormat {
    Xyz,
    Mbtiles,
    Pmtiles,
}

#[derive(Debug, Subcommand)]
pub enum TilesCmd {
    /// 内蔵の背景地図「標準」を描いてタイルにする（既定: maps/標準 に z1〜14）
    Build {
        #[arg(long, default_value_t = builtin::PREBUILT_MAX_ZOOM)]
        max_zoom: u8,
        #[arg(long, value_enum, default_value = "xyz")]
        format: TileFormat,
        /// 出力先（mbtiles / pmtiles のときはファイル）
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// maps フォルダの背景地図の一覧
    List {
        #[arg(long)]
        json: bool,
    },
}

/// Options of `render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    #[arg(long, default_value_t = 1200)]
    pub height: u32,
    /// 範囲: 最小経度,最小緯度,最大経度,最大緯度（既定: 奈良県全体）
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub bbox: Option<Vec<f64>>,
    /// このレイヤの範囲を描く
    #[arg(long)]
    pub layer: Option<String>,
    /// 受診率の塗り分け
    #[arg(long, value_enum)]
    pub choropleth: Option<Level>,
    #[arg(long, default_value_t = 2021)]
    pub fy: i32,
    /// 背景地図の名前（tiles list で確認）
    #[arg(long)]
    pub basemap: Option<String>,
    #[arg(long)]
    pub no_legend: bool,
    #[arg(long)]
    pub no_scale_bar: bool,
    #[arg(long)]
    pub no_north_arrow: bool,
}

pub fn tiles(ctx: &mut super::Ctx, what: TilesCmd) -> anyhow::Result<i32> {
    use crate::audit::{Action, Outcome};
    use crate::auth::Right;
    if let TilesCmd::Build { out, .. } = &what {
        ctx.require(Right::ManageLayers, Action::Edit, "maps")?;
        // A tile set written elsewhere than maps/ leaves the data folder: 外部出力.
        if let Some(out) = out {
            ctx.require_export(out)?;
        }
    }
    let building = matches!(what, TilesCmd::Build { .. });
    let r = tiles_cmd(&ctx.store, what);
    if building {
        let result = if r.is_ok() {
            Outcome::Ok
        } else {
            Outcome::Error
        };
        ctx.log(Action::Edit, "maps", None, result);
    }
    r
}

fn tiles_cmd(store: &Store, what: TilesCmd) -> anyhow::Result<i32> {
    let maps = basemap::default_maps_dir();
    match what {
        TilesCmd::List { json } => {
            let list = basemap::list(&maps);
            let mut out = std::io::stdout().lock();
            if json {
                writeln!(out, "{}", serde_json::to_string(&list)?)?;
            } else {
                writeln!(out, "なし")?;
                for b in list {
                    let zooms = match Source::open(&b, None).map(|s| s.zoom_range()) {
                        Ok(Some((a, z))) => format!("ズーム {a}〜{z}"),
                        Ok(None) => "タイルなし".to_string(),
                        Err(e) => format!("開けません: {e}"),
                    };
                    writeln!(
                        out,
                        "{}\t{}\t{zooms}\t{}",
                        b.name,
                        b.kind.label(),
                        b.path.display()
                    )?;
                }
            }
            Ok(0)
        }
        TilesCmd::Build {
            max_zoom,
            format,
            out,
        } => {
            let layers = crate::map::load_layers(store, &crate::paths::reference_dir())?;
            let started = std::time::Instant::now();
            let (n, path) = match format {
                TileFormat::Xyz => {
                    let dir = out.unwrap_or_else(|| maps.join(builtin::NAME));
                    (
                        builtin::build_cache(&layers, &dir, max_zoom, &Progress::new())?,
                        dir,
                    )
                }
                TileFormat::Mbtiles | TileFormat::Pmtiles => {
                    let ext = if format == TileFormat::Mbtiles {
                        "mbtiles"
                    } else {
                        "pmtiles"
                    };
                    let path = out
                        .unwrap_or_else(|| maps.join(format!("{}_書き出し.{ext}", builtin::NAME)));
                    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                        std::fs::create_dir_all(parent)
                            .with_context(|| format!("{} を作れません", parent.display()))?;
                    }
                    let mut tiles = Vec::new();
                    let n =
                        builtin::render_tiles(&layers, max_zoom, &Progress::new(), |k, png| {
                            tiles.push((k, png));
                            Ok(())
                        })?;
                    if format == TileFormat::Mbtiles {
                        basemap::mbtiles::write(&path, builtin::NAME, &tiles, true, NARA_BBOX)?;
                    } else {
                        basemap::pmtiles::write(&path, &tiles, true, NARA_BBOX)?;
                    }
                    (n, path)
                }
            };
            eprintln!(
                "{n} 枚を {} に書きました（{:.1} 秒）",
                path.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(0)
        }
    }
}

pub fn render(ctx: &mut super::Ctx, args: RenderArgs) -> anyhow::Result<i32> {
    use crate::audit::{Action, Outcome};
    ctx.require_export(&args.out)?;
    let target = args.out.display().to_string();
    let threshold = ctx.security().suppression_threshold();
    let r = render_png(&ctx.store, args, threshold);
    let result = if r.is_ok() {
        Outcome::Ok
    } else {
        Outcome::Error
    };
    ctx.log(Action::Export, &target, None, result);
    r
}

/// Draws the PNG; a choropleth is suppressed at `threshold` (the admin setting).
fn render_png(store: &Store, args: RenderArgs, threshold: i64) -> anyhow::Result<i32> {
    let layers = crate::map::load_layers(store, &crate::paths::reference_dir())?;
    let mut styles: Vec<LayerStyle> = crate::map::style::default_styles(&layers);
    let bbox = match (&args.bbox, &args.layer) {
        (Some(b), _) if b.len() == 4 => [b[0], b[1], b[2], b[3]],
        (Some(_), _) => {
            bail!("--bbox は 最小経度,最小緯度,最大経度,最大緯度 の4つの数で指定してください")
        }
        (None, Some(name)) => {
            let (_, l) = layers.find(name).with_context(|| {
                format!("レイヤ「{name}」はありません（layer list で確認できます）")
            })?;
            l.index.info.bbox
        }
        (None, None) => NARA_BBOX,
    };
    if args.width < 16 || args.height < 16 || args.width > 20_000 || args.height > 20_000 {
        bail!("--width と --height は 16〜20000 で指定してください");
    }
    let view = View::fit(bbox, (args.width as f32, args.height as f32));
    let mut legend = None;
    if let Some(level) = args.choropleth {
        // Suppressed as the window shows it to everyone (no figures are revealed here).
        let table = area_table(
            store.conn(),
            level,
            args.fy,
            Default::default(),
            threshold,
            false,
        )?;
        let spec = ChoroplethSpec::default();
        let ch = choropleth::apply_level(&layers, &mut styles, level, &table.rows, &spec)
            .with_context(|| {
                format!(
                    "{}のレイヤ「{}」がありません",
                    level.label(),
                    choropleth::level_layer(level).0
                )
            })?;
        if !args.no_legend {
            legend = Some((
                format!(
                    "{}年度 {}別 {}",
                    args.fy,
                    level.label(),
                    spec.measure.label()
                ),
                ch.legend_entries(table.threshold),
            ));
        }
    }
    let source = match &args.basemap {
        Some(name) if name != "なし" => {
            let info = basemap::find(&basemap::default_maps_dir(), name)?;
            Some(Source::open(&info, Some(layers.clone()))?)
        }
        _ => None,
    };
    let refs: Vec<(&crate::map::PreparedLayer, &LayerStyle)> = layers
        .0
        .iter()
        .map(|l| l.as_ref())
        .zip(styles.iter())
        .collect();
    let furniture = crate::render::Furniture {
        legend,
        scale_bar: !args.no_scale_bar,
        north_arrow: !args.no_north_arrow,
        credits: Some(crate::render::CREDITS.to_string()),
    };
    let pm = crate::render::render(&view, &refs, source.as_ref(), &furniture)
        .map_err(anyhow::Error::msg)?;
    let png = crate::render::encode_png(&pm).map_err(anyhow::Error::msg)?;
    std::fs::write(&args.out, png)
        .with_context(|| format!("{} に書けません", args.out.display()))?;
    eprintln!(
        "{} に {}×{} で書きました（ズーム {}）",
        args.out.display(),
        args.width,
        args.height,
        view.zoom
    );
    Ok(0)
}
