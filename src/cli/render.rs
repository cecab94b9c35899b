//! `tiles build|list` and `render`: the basemap cache and a headless map PNG, drawn with
//! the same renderer as the tiles (`render` runs the engine's `Command::RenderMap`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Subcommand, ValueEnum};

use crate::analysis::uptake::Level;
use crate::app::{MapCmd, MapReply, Outcome};
use crate::basemap::builtin;
use crate::render::export::MapPng;

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
    match what {
        TilesCmd::List { json } => {
            let Outcome::Map(MapReply::Basemaps(list)) = ctx.execute(MapCmd::Basemaps)? else {
                bail!("内部エラー: 背景地図の一覧から予期しない結果が返りました");
            };
            let mut out = std::io::stdout().lock();
            if json {
                let infos: Vec<_> = list.iter().map(|b| &b.info).collect();
                writeln!(out, "{}", serde_json::to_string(&infos)?)?;
            } else {
                writeln!(out, "なし")?;
                for b in list {
                    let zooms = match &b.zooms {
                        Ok(Some((a, z))) => format!("ズーム {a}〜{z}"),
                        Ok(None) => "タイルなし".to_string(),
                        Err(e) => format!("開けません: {e}"),
                    };
                    writeln!(
                        out,
                        "{}\t{}\t{zooms}\t{}",
                        b.info.name,
                        b.info.kind.label(),
                        b.info.path.display()
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
            let started = std::time::Instant::now();
            let format = match format {
                TileFormat::Xyz => builtin::TileFormat::Xyz,
                TileFormat::Mbtiles => builtin::TileFormat::Mbtiles,
                TileFormat::Pmtiles => builtin::TileFormat::Pmtiles,
            };
            let Outcome::Map(MapReply::TilesBuilt { tiles, path }) =
                ctx.execute(MapCmd::BuildTiles {
                    max_zoom,
                    format,
                    out,
                })?
            else {
                bail!("内部エラー: タイルの作成から予期しない結果が返りました");
            };
            eprintln!(
                "{tiles} 枚を {} に書きました（{:.1} 秒）",
                path.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(0)
        }
    }
}

pub fn render(ctx: &mut super::Ctx, args: RenderArgs) -> anyhow::Result<i32> {
    let bbox = match args.bbox.as_deref() {
        None => None,
        Some(&[a, b, c, d]) => Some([a, b, c, d]),
        Some(_) => {
            bail!("--bbox は 最小経度,最小緯度,最大経度,最大緯度 の4つの数で指定してください")
        }
    };
    let spec = MapPng {
        width: args.width,
        height: args.height,
        bbox,
        layer: args.layer,
        choropleth: args.choropleth,
        fy: args.fy,
        basemap: args.basemap,
        legend: !args.no_legend,
        scale_bar: !args.no_scale_bar,
        north_arrow: !args.no_north_arrow,
        ..Default::default()
    };
    let (width, height) = (spec.width, spec.height);
    // The engine checks 外部出力 and the folder, draws, and logs the export.
    match ctx.execute(MapCmd::RenderMap {
        spec,
        out: args.out,
    })? {
        Outcome::Map(MapReply::MapRendered { path, zoom }) => {
            eprintln!(
                "{} に {width}×{height} で書きました（ズーム {zoom}）",
                path.display()
            );
            Ok(0)
        }
        other => bail!("内部エラー: 予期しない結果 {other:?}"),
    }
}
