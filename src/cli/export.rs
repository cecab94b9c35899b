//! `export`: a result (a saved search, an extraction list, uptake per area) as a file,
//! through the engine's `Command::Export` (外部出力, allowed folders, removable drives,
//! personal data and suppression checked and logged there). Prints what was written as
//! JSON: files with sha256, rows, and the characters CP932 could not hold.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use kenshin_parse::geo::crs::Crs;

use super::session::Ctx;
use crate::app::Outcome;
use crate::app::domain::export::{
    AtlasJob, ExportCmd, ExportJob, ExportReply, Format, Preset, What,
};
use crate::export::Encoding;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// search:保存した検索名 | extract:抽出リスト名 | uptake:階層:年度（階層は municipality, medical-area, small-area）
    #[arg(long)]
    what: String,
    /// csv | xlsx | shp | geojson | pptx | pdf | png | jpeg
    #[arg(long)]
    format: String,
    /// 出力ファイル（shp は .shp の名前。.shx .dbf .prj .cpg と _fields.csv を横に書く）
    #[arg(long)]
    out: PathBuf,
    /// 地図・表・条件をまとめて出力する（地図は結果を重ねて描く）
    #[arg(long)]
    bundle: bool,
    /// 文字コード: utf8（既定。CSV は BOM 付き）| cp932
    #[arg(long, default_value = "utf8")]
    encoding: String,
    /// kenko-renkei: 医療費等分析システム連携（抽出リストを勧奨リストの様式の CP932 CSV に）
    #[arg(long)]
    preset: Option<String>,
    /// シェープファイルの座標系: 6668（JGD2011 経緯度、既定）または 6669〜6687（平面直角座標系）
    #[arg(long, default_value_t = 6668)]
    epsg: u32,
    /// 地図画像の解像度（A3 横に描く）
    #[arg(long, default_value_t = 300)]
    dpi: u32,
    /// 氏名・住所などの個人情報を含む出力であることを確認した
    #[arg(long)]
    confirm_personal: bool,
    /// 秘匿対象の数値も出力する（個人情報の閲覧の権限。ファイルは「取扱注意」になる）
    #[arg(long)]
    reveal_suppressed: bool,
}

pub fn run(ctx: &mut Ctx, a: ExportArgs) -> anyhow::Result<i32> {
    let what = What::parse(&a.what).map_err(anyhow::Error::msg)?;
    let format = Format::parse(&a.format).map_err(anyhow::Error::msg)?;
    let encoding = match a.encoding.to_ascii_lowercase().as_str() {
        "utf8" | "utf-8" => Encoding::Utf8,
        "cp932" | "sjis" | "shift_jis" => Encoding::Cp932,
        other => bail!("--encoding は utf8 か cp932 です（「{other}」）。"),
    };
    let crs = Crs::from_epsg(a.epsg).map_err(anyhow::Error::msg)?;
    let mut job = ExportJob::new(what, format, a.out);
    job.bundle = a.bundle;
    job.encoding = encoding;
    job.preset = a
        .preset
        .as_deref()
        .map(Preset::parse)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    job.crs = crs;
    job.dpi = a.dpi;
    job.confirm_personal = a.confirm_personal;
    job.reveal_suppressed = a.reveal_suppressed;
    print_done(ctx.execute(ExportCmd::Write(Box::new(job)))?)
}

#[derive(Debug, Args)]
pub struct AtlasArgs {
    /// 年度
    #[arg(long, default_value_t = 2021)]
    fy: i32,
    /// 出力する PDF（市町村ごとに 1 ページ、しおり付き）
    #[arg(long)]
    out: PathBuf,
    /// ページごとの PNG をこのフォルダにも書く
    #[arg(long)]
    png_dir: Option<PathBuf>,
    /// PNG の解像度
    #[arg(long, default_value_t = 300)]
    dpi: u32,
}

/// `atlas`: the municipal atlas through the engine (外部出力 and the allowed folders).
pub fn atlas(ctx: &mut Ctx, a: AtlasArgs) -> anyhow::Result<i32> {
    let job = AtlasJob {
        fy: a.fy,
        out: a.out,
        png_dir: a.png_dir,
        dpi: a.dpi,
    };
    print_done(ctx.execute(ExportCmd::Atlas(job))?)
}

fn print_done(outcome: Outcome) -> anyhow::Result<i32> {
    match outcome {
        Outcome::Export(ExportReply::Done(done)) => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}", serde_json::to_string_pretty(&done)?)?;
            Ok(0)
        }
        other => bail!("予期しない応答: {other:?}"),
    }
}
