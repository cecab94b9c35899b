//! `kenshin-atlas layer import|list|delete`: map layers from the command line.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::Subcommand;

use crate::app::{MapCmd, MapReply, Outcome};
use crate::geo::crs::Crs;
use crate::import::TextEncoding;
use crate::layers::LayerOptions;

#[derive(Debug, Subcommand)]
pub enum LayerCmd {
    /// シェープファイル（.shp）か GeoJSON をレイヤとして取り込む
    Import {
        file: PathBuf,
        /// レイヤ名（既定: ファイル名）
        #[arg(long)]
        name: Option<String>,
        /// 属性の文字コード: auto / cp932 / utf8（既定: .cpg、なければ判定）
        #[arg(long, default_value = "auto")]
        encoding: String,
        /// 座標系の EPSG コード（.prj より優先。.prj がないときは必須）
        #[arg(long)]
        crs: Option<u32>,
        /// この列の値が同じ図形を一つにまとめる（例: KEY_CODE）
        #[arg(long)]
        dissolve: Option<String>,
        /// 同名のレイヤを置き換える
        #[arg(long)]
        replace: bool,
    },
    /// レイヤの一覧
    List {
        #[arg(long)]
        json: bool,
    },
    /// レイヤを削除する
    Delete { name: String },
}

/// Runs a `layer` subcommand through the engine (地図レイヤの管理 to import or delete).
pub fn run(ctx: &mut super::Ctx, cmd: LayerCmd) -> anyhow::Result<i32> {
    match cmd {
        LayerCmd::Import {
            file,
            name,
            encoding,
            crs,
            dissolve,
            replace,
        } => {
            let encoding = TextEncoding::parse(&encoding).map_err(anyhow::Error::msg)?;
            let crs = crs.map(Crs::from_epsg).transpose()?;
            let opts = LayerOptions {
                name,
                encoding,
                crs,
                dissolve,
                replace,
            };
            let Outcome::Map(MapReply::LayerImported { result, .. }) =
                ctx.execute(MapCmd::ImportLayer { file, opts })?
            else {
                bail!("内部エラー: レイヤの取込から予期しない結果が返りました");
            };
            match result {
                Ok(info) => {
                    println!(
                        "レイヤ「{}」を取り込みました（{} {} 件、{}）",
                        info.name,
                        info.geometry_type.label(),
                        info.feature_count,
                        info.source_crs
                    );
                    for n in &info.notes {
                        println!("  {n}");
                    }
                    Ok(0)
                }
                Err(e) => {
                    eprintln!("{e}");
                    Ok(1)
                }
            }
        }
        LayerCmd::List { json } => {
            let Outcome::Map(MapReply::Layers(list)) = ctx.execute(MapCmd::Layers)? else {
                bail!("内部エラー: レイヤの一覧から予期しない結果が返りました");
            };
            if json {
                // A closed pipe (`| head`) ends the output quietly instead of panicking.
                let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string(&list)?);
            } else {
                for l in &list {
                    println!(
                        "{:<20} {} {:>6} 件  {}",
                        l.name,
                        l.geometry_type.label(),
                        l.feature_count,
                        l.source_crs
                    );
                }
            }
            Ok(0)
        }
        LayerCmd::Delete { name } => {
            ctx.execute(MapCmd::DeleteLayer { name: name.clone() })?;
            println!("レイヤ「{name}」を削除しました");
            Ok(0)
        }
    }
}
