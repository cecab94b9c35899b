//! 出力: any result as a file in the formats municipalities use, under control of what
//! leaves the machine. One command, [`ExportCmd::Write`], for the window (the 出力 dialog
//! of every result table and of the map) and the CLI (`export`). The engine's gate has
//! checked 外部出力, the allowed folders (per user first, then everyone's) and, for a
//! removable drive, 外部記憶媒体への書出し. Here:
//! - a file holding names or addresses needs 個人情報の閲覧 and the user's confirmation;
//! - suppressed figures stay suppressed unless a user with 個人情報の閲覧 confirms, and the
//!   file is then marked 取扱注意;
//! - the audit entry records the format, the rows, whether personal data is in the file
//!   and each file's sha256 (and never a person's id).

use std::path::{Path, PathBuf};

use kenshin_parse::geo::crs::{Crs, Datum};

use super::{Audited, Cx, Domain};
use crate::analysis::figures::{self, AreaTable};
use crate::analysis::uptake::{Level, TargetFilter};
use crate::app::error::AppError;
use crate::app::spec::Spec;
use crate::audit::Action;
use crate::auth::Right;
use crate::export::table::Column;
use crate::export::{self, Encoding, ExportError, Features, Meta, Table, Values};
use crate::render::export::{DrawnMap, MapFormat, MapPng, Overlay};
use crate::search::Query;
use crate::search::run::col;

/// What is exported.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// A saved search, by name (one's own or shared), run now.
    Search(String),
    /// The result on screen: a query and its title.
    Query { query: Box<Query>, title: String },
    /// An extraction list, by name.
    Extract(String),
    /// Uptake per area of a level and fiscal year.
    Uptake { level: Level, fy: i32 },
}

impl What {
    /// `search:NAME`, `extract:NAME`, `uptake:LEVEL:FY` (the CLI's `--what`).
    pub fn parse(s: &str) -> Result<What, String> {
        let bad = || {
            format!(
                "--what は search:名前、extract:名前、uptake:階層:年度（階層は municipality, medical-area, small-area）で指定してください（「{s}」）。"
            )
        };
        let (kind, rest) = s.split_once(':').ok_or_else(bad)?;
        match kind {
            "search" if !rest.is_empty() => Ok(What::Search(rest.to_string())),
            "extract" if !rest.is_empty() => Ok(What::Extract(rest.to_string())),
            "uptake" => {
                let (level, fy) = rest.split_once(':').ok_or_else(bad)?;
                let level = match level {
                    "municipality" => Level::Municipality,
                    "medical-area" => Level::MedicalArea,
                    "small-area" => Level::SmallArea,
                    _ => return Err(bad()),
                };
                let fy = fy.parse().map_err(|_| bad())?;
                Ok(What::Uptake { level, fy })
            }
            _ => Err(bad()),
        }
    }

    /// The audit target (a name, never a person).
    fn target(&self) -> String {
        match self {
            What::Search(n) => format!("検索「{n}」"),
            What::Query { title, .. } => format!("検索結果「{title}」"),
            What::Extract(n) => format!("抽出リスト「{n}」"),
            What::Uptake { level, fy } => format!("{fy}年度 {}別 受診率", level.label()),
        }
    }
}

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Shp,
    GeoJson,
    Pptx,
    Pdf,
    Png,
    Jpeg,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Xlsx,
        Format::Csv,
        Format::Pptx,
        Format::Shp,
        Format::GeoJson,
        Format::Pdf,
        Format::Png,
        Format::Jpeg,
    ];

    pub fn parse(s: &str) -> Result<Format, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "xlsx" => Format::Xlsx,
            "shp" => Format::Shp,
            "geojson" => Format::GeoJson,
            "pptx" => Format::Pptx,
            "pdf" => Format::Pdf,
            "png" => Format::Png,
            "jpeg" | "jpg" => Format::Jpeg,
            _ => {
                return Err(format!(
                    "--format は csv, xlsx, shp, geojson, pptx, pdf, png, jpeg のどれかです（「{s}」）。"
                ));
            }
        })
    }

    pub fn key(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Shp => "shp",
            Format::GeoJson => "geojson",
            Format::Pptx => "pptx",
            Format::Pdf => "pdf",
            Format::Png => "png",
            Format::Jpeg => "jpeg",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Xlsx => "Excel（.xlsx）",
            Format::Shp => "シェープファイル",
            Format::GeoJson => "GeoJSON",
            Format::Pptx => "PowerPoint（.pptx）",
            Format::Pdf => "PDF（地図）",
            Format::Png => "PNG（地図）",
            Format::Jpeg => "JPEG（地図）",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            f => f.key(),
        }
    }

    /// A map (PDF, PNG, JPEG) rather than a table or layer.
    pub fn is_map(self) -> bool {
        matches!(self, Format::Pdf | Format::Png | Format::Jpeg)
    }
}

/// 医療費等分析システム連携: an extraction list in the recommendation list's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    KenkoRenkei,
}

impl Preset {
    pub fn parse(s: &str) -> Result<Preset, String> {
        match s {
            "kenko-renkei" => Ok(Preset::KenkoRenkei),
            _ => Err(format!(
                "--preset は kenko-renkei（医療費等分析システム連携）だけです（「{s}」）。"
            )),
        }
    }

    pub fn label(self) -> &'static str {
        "医療費等分析システム連携"
    }
}

/// One export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportJob {
    pub what: What,
    pub format: Format,
    pub out: PathBuf,
    /// Also the map (PNG, or PDF when `format` is PDF), the table (Excel, or CSV) and the
    /// conditions, beside `out`.
    pub bundle: bool,
    pub encoding: Encoding,
    pub preset: Option<Preset>,
    /// The shapefile's CRS: JGD2011 geographic or a JGD2011 plane zone.
    pub crs: Crs,
    /// Maps: the paper (mm) and the images' dpi.
    pub paper: [f32; 2],
    pub dpi: u32,
    /// The user confirmed that the file holds names or addresses.
    pub confirm_personal: bool,
    /// Write suppressed figures (個人情報の閲覧, confirmed): the file is marked 取扱注意.
    pub reveal_suppressed: bool,
    /// How the map's choropleth is classed and coloured (the map screen's; else default).
    pub style: Option<crate::map::choropleth::ChoroplethSpec>,
}

impl ExportJob {
    pub fn new(what: What, format: Format, out: PathBuf) -> ExportJob {
        ExportJob {
            what,
            format,
            out,
            bundle: false,
            encoding: Encoding::Utf8,
            preset: None,
            crs: Crs::Geographic(Datum::Jgd2011),
            paper: crate::render::export::A3_LANDSCAPE,
            dpi: 300,
            confirm_personal: false,
            reveal_suppressed: false,
            style: None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum ExportCmd {
    Write(Box<ExportJob>),
    /// The municipal atlas (市町村別地図帳).
    Atlas(AtlasJob),
}

/// The municipal atlas of fiscal year `fy`: one PDF at `out` (a page and a bookmark per
/// municipality) and, with `png_dir`, one PNG a page at `dpi` in that folder.
#[derive(Debug, Clone)]
pub struct AtlasJob {
    pub fy: i32,
    pub out: PathBuf,
    pub png_dir: Option<PathBuf>,
    pub dpi: u32,
}

/// A file written and its checksum.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileOut {
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportDone {
    pub format: &'static str,
    pub files: Vec<FileOut>,
    pub rows: usize,
    pub personal: bool,
    /// Suppressed figures are in the file (取扱注意).
    pub caution: bool,
    /// Characters CP932 lacks, replaced with 〓.
    pub substitutions: Vec<export::Substitution>,
    /// Rows left out of a layer file for want of a place.
    pub unplaced: usize,
}

#[derive(Debug)]
pub enum ExportReply {
    Done(ExportDone),
}

impl Domain for ExportCmd {
    type Reply = ExportReply;

    fn spec(&self) -> Spec {
        match self {
            ExportCmd::Write(job) => Spec::login("出力")
                .right(Right::Export, Action::Export, job.what.target())
                .logged()
                .export(&job.out),
            ExportCmd::Atlas(a) => Spec::login("地図帳")
                .right(
                    Right::Export,
                    Action::Export,
                    format!("地図帳 {}年度", a.fy),
                )
                .logged()
                .export(&a.out),
        }
    }

    fn run(self, cx: &mut Cx<'_>) -> Result<ExportReply, AppError> {
        match self {
            ExportCmd::Write(job) => run(cx, &job).map(ExportReply::Done),
            ExportCmd::Atlas(a) => run_atlas(cx, &a).map(ExportReply::Done),
        }
    }

    fn audited(reply: &ExportReply) -> Option<Audited> {
        let ExportReply::Done(d) = reply;
        Some(done_audited(d))
    }
}

/// The audit entry of files written: rows, format, the personal and 取扱注意 flags, and each
/// file's sha256.
pub(crate) fn done_audited(d: &ExportDone) -> Audited {
    let sums: Vec<String> = d
        .files
        .iter()
        .map(|f| {
            let name = f.path.file_name().map(|n| n.to_string_lossy().into_owned());
            format!("{}={}", name.unwrap_or_default(), f.sha256)
        })
        .collect();
    // The folders the files went to, each once (an atlas's PDF and its PNG folder).
    let mut folders: Vec<String> = Vec::new();
    for f in &d.files {
        let dir = f
            .path
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        if !folders.contains(&dir) {
            folders.push(dir);
        }
    }
    Audited {
        rows: Some(d.rows as u64),
        detail: format!(
            "format={} personal={} caution={} folders={} sha256 {}",
            d.format,
            if d.personal { "yes" } else { "no" },
            if d.caution { "yes" } else { "no" },
            folders.join(";"),
            sums.join(" ")
        ),
        ..Default::default()
    }
}

/// A result ready to write: its table, its points (persons, institutions) or areas, its
/// meta, and what the map draws.
struct Result_ {
    table: Table,
    meta: Meta,
    /// Points of the rows (lon/lat columns) or `None` for areas.
    lonlat: Option<(&'static str, &'static str)>,
    /// For uptake: the level (areas and the choropleth).
    level: Option<(Level, i32)>,
}

/// The clock's time, local, YYYY-MM-DD HH:MM.
fn now_text(cx: &Cx<'_>) -> String {
    chrono::DateTime::from_timestamp(cx.clock.now(), 0)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// The data's source: the latest import of each kind the result reads.
fn source_text(cx: &Cx<'_>) -> String {
    crate::store::history::latest_imports(cx.store.conn())
        .map(|v| {
            v.into_iter()
                .map(|(kind, at)| format!("{kind}（{at} 取込）"))
                .collect::<Vec<_>>()
                .join("、")
        })
        .unwrap_or_default()
}

fn search_result(
    cx: &mut Cx<'_>,
    query: &Query,
    title: &str,
    reveal: bool,
) -> Result<Result_, AppError> {
    let conn = cx.store.conn();
    let threshold = cx.sec().suppression_threshold();
    let persons = super::search::persons(query);
    if persons || reveal {
        cx.also(Right::ViewPersonal)?;
    }
    // Institutions' user counts under the threshold stay hidden unless asked for.
    let frame = crate::search::run::list(conn, cx.cache, query, threshold, reveal)?;
    let caution = reveal && query.subject == crate::search::Subject::Institutions;
    let names = crate::search::describe::Names::load(conn, cx.cache);
    let description = crate::search::describe::describe(query, &names);
    let table = Table::from_frame(title, &frame, &[col::KEY]);
    let located = table.column(col::LON).is_some() && table.column(col::LAT).is_some();
    Ok(Result_ {
        meta: Meta {
            title: title.to_string(),
            conditions: vec![description, format!("{} 件", table.rows())],
            personal: persons,
            caution,
            ..Default::default()
        },
        table,
        lonlat: located.then_some((col::LON, col::LAT)),
        level: None,
    })
}

fn uptake_result(
    cx: &mut Cx<'_>,
    level: Level,
    fy: i32,
    reveal: bool,
) -> Result<Result_, AppError> {
    if reveal {
        cx.also(Right::ViewPersonal)?;
    }
    let threshold = cx.sec().suppression_threshold();
    let t: AreaTable = figures::area_table(
        cx.store.conn(),
        level,
        fy,
        TargetFilter::default(),
        threshold,
        reveal,
    )?;
    let rows = t.rows();
    let title = format!("{fy}年度 {}別 特定健診受診率", level.label());
    let caution = t.revealed_count() > 0;
    let table = Table {
        title: title.clone(),
        columns: vec![
            Column {
                name: "コード".into(),
                values: Values::Text(rows.iter().map(|r| Some(r.code.clone())).collect()),
            },
            Column {
                name: "地域名".into(),
                values: Values::Text(rows.iter().map(|r| Some(r.name.clone())).collect()),
            },
            Column {
                name: "対象者数".into(),
                values: Values::Int(rows.iter().map(|r| r.targets).collect()),
            },
            Column {
                name: "受診者数".into(),
                values: Values::Int(rows.iter().map(|r| r.attendees).collect()),
            },
            Column {
                name: "未受診者数".into(),
                values: Values::Int(rows.iter().map(|r| r.non_attendees()).collect()),
            },
            Column {
                name: "受診率（%）".into(),
                values: Values::Float(
                    rows.iter()
                        .map(|r| r.rate.map(|x| (x * 1000.0).round() / 10.0))
                        .collect(),
                ),
            },
            Column {
                name: "秘匿".into(),
                values: Values::Text(
                    rows.iter()
                        .map(|r| {
                            Some(
                                if r.revealed {
                                    "秘匿対象（取扱注意）"
                                } else if r.suppressed {
                                    "秘匿"
                                } else {
                                    ""
                                }
                                .to_string(),
                            )
                        })
                        .collect(),
                ),
            },
        ],
    };
    Ok(Result_ {
        meta: Meta {
            title,
            conditions: vec![
                format!("{fy}年度、{}別、全対象者（40〜74歳）", level.label()),
                format!(
                    "対象者 {threshold} 人未満の地域（と、差し引きで分かってしまう地域）は秘匿{}",
                    if caution {
                        "。秘匿対象の数値を表示しています"
                    } else {
                        ""
                    }
                ),
            ],
            caution,
            ..Default::default()
        },
        table,
        lonlat: None,
        level: Some((level, fy)),
    })
}

/// The register's linkage columns of a list's members (保険者番号, 記号番号, 被保険者ID,
/// 氏名, 生年月日), as the recommendation list has them.
fn renkei_result(cx: &mut Cx<'_>, name: &str) -> Result<Result_, AppError> {
    cx.also(Right::ViewPersonal)?;
    let conn = cx.store.conn();
    let list = crate::store::extractions::find(conn, name)?
        .ok_or_else(|| crate::store::StoreError::NotFound(format!("抽出リスト「{name}」")))?;
    if list.subject != "insured" {
        return Err(ExportError::PresetNeedsList(name.to_string()).into());
    }
    let rows = crate::store::extractions::linkage(conn, list.id)?;
    let text = |f: fn(&crate::store::extractions::Linkage) -> &Option<String>| {
        Values::Text(rows.iter().map(|r| f(r).clone()).collect())
    };
    let table = Table {
        title: name.to_string(),
        columns: vec![
            Column {
                name: "保険者番号".into(),
                values: text(|r| &r.insurer_no),
            },
            Column {
                name: "記号番号".into(),
                values: text(|r| &r.symbol_no),
            },
            Column {
                name: "被保険者ID".into(),
                values: text(|r| &r.insured_id),
            },
            Column {
                name: "氏名".into(),
                values: text(|r| &r.name),
            },
            Column {
                name: "生年月日".into(),
                values: text(|r| &r.birth_date),
            },
        ],
    };
    Ok(Result_ {
        meta: Meta {
            title: format!("{name}（{}）", Preset::KenkoRenkei.label()),
            conditions: vec![list.origin.clone()],
            personal: true,
            ..Default::default()
        },
        table,
        lonlat: None,
        level: None,
    })
}

fn result_of(cx: &mut Cx<'_>, job: &ExportJob) -> Result<Result_, AppError> {
    if job.preset == Some(Preset::KenkoRenkei) {
        return match &job.what {
            What::Extract(name) => renkei_result(cx, name),
            other => Err(ExportError::PresetNeedsList(other.target()).into()),
        };
    }
    match &job.what {
        What::Search(name) => {
            let user = cx.user();
            let saved = crate::store::saved_searches::get(cx.store.conn(), &user, name)?
                .ok_or_else(|| ExportError::NoSearch(name.clone()))?;
            let query = Query::parse(&saved.query)?;
            search_result(cx, &query, name, job.reveal_suppressed)
        }
        What::Query { query, title } => search_result(cx, query, title, job.reveal_suppressed),
        What::Extract(name) => {
            let conn = cx.store.conn();
            let list = crate::store::extractions::find(conn, name)?.ok_or_else(|| {
                crate::store::StoreError::NotFound(format!("抽出リスト「{name}」"))
            })?;
            let query = super::extract::members_query(&list)?;
            let mut r = search_result(cx, &query, name, false)?;
            r.meta.conditions[0] = list.origin.clone();
            Ok(r)
        }
        What::Uptake { level, fy } => uptake_result(cx, *level, *fy, job.reveal_suppressed),
    }
}

/// Pictures placed in a workbook or on a slide: 150 dpi is sharp there, and a 300 dpi A3
/// picture would make the file several times larger.
const EMBEDDED_DPI: u32 = 150;

/// The map of a result: the choropleth of an uptake table, or the result's points over
/// the map.
fn map_spec(r: &Result_, job: &ExportJob) -> MapPng {
    let overlay = r.lonlat.map(|(lon, lat)| {
        let xs = r.table.column(lon).map(|c| &c.values);
        let ys = r.table.column(lat).map(|c| &c.values);
        let points = match (xs, ys) {
            (Some(Values::Float(x)), Some(Values::Float(y))) => x
                .iter()
                .zip(y)
                .filter_map(|(a, b)| Some([(*a)?, (*b)?]))
                .collect(),
            _ => vec![],
        };
        Overlay {
            name: r.meta.title.clone(),
            points,
        }
    });
    MapPng {
        // The spec's format and dpi only check the largest picture (its size); the
        // pictures are painted with `PreparedMap::paint_at`.
        format: if job.format == Format::Pdf {
            MapFormat::Pdf
        } else {
            MapFormat::Png
        },
        paper: Some(job.paper),
        dpi: job.dpi,
        title: Some(r.meta.shown_title()),
        overlay,
        choropleth: r.level.map(|(l, _)| l),
        style: job.style.clone().unwrap_or_default(),
        fy: r.level.map_or(2021, |(_, fy)| fy),
        ..Default::default()
    }
}

/// `out` with another extension (`name_地図.png` beside `name.xlsx`).
fn beside(out: &Path, suffix: &str, ext: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "出力".into());
    out.with_file_name(format!("{stem}{suffix}.{ext}"))
}

fn check_cancel(cx: &Cx<'_>) -> Result<(), AppError> {
    if cx.progress.is_cancelled() {
        Err(ExportError::Cancelled.into())
    } else {
        Ok(())
    }
}

/// The extensions a file of `format` may have.
fn extensions(format: Format) -> &'static [&'static str] {
    match format {
        Format::Jpeg => &["jpg", "jpeg"],
        Format::GeoJson => &["geojson", "json"],
        f => match f.key() {
            "csv" => &["csv"],
            "xlsx" => &["xlsx"],
            "shp" => &["shp"],
            "pptx" => &["pptx"],
            "pdf" => &["pdf"],
            _ => &["png"],
        },
    }
}

/// The file name's extension fits the format (a PDF named `.xlsx` would be opened by the
/// wrong program, and a bundle's table would overwrite it).
fn check_extension(job: &ExportJob) -> Result<(), ExportError> {
    let ext = job
        .out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let allowed = extensions(job.format);
    if allowed.contains(&ext.as_str()) {
        Ok(())
    } else {
        Err(ExportError::Extension {
            path: job.out.clone(),
            expected: allowed[0],
        })
    }
}

/// Writes the atlas: the PDF, and the PNG pages when asked (their folder passes the same
/// gate as the PDF's path).
fn run_atlas(cx: &mut Cx<'_>, a: &AtlasJob) -> Result<ExportDone, AppError> {
    if !a
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
    {
        return Err(ExportError::Extension {
            path: a.out.clone(),
            expected: "pdf",
        }
        .into());
    }
    if let Some(dir) = &a.png_dir {
        let (sec, session) = cx.parts()?;
        sec.require_export(session, &dir.join("page.png"))?;
    }
    cx.progress.set(0.05, "地図帳を組んでいます");
    let atlas = crate::render::atlas::prepare(cx.store, a.fy)?;
    check_cancel(cx)?;
    cx.progress.set(0.3, "PDF を作っています");
    // Each file goes to its temporary as soon as it is made: 39 pages at 600 dpi are
    // never all in memory; a failure or a cancel leaves none of them.
    let mut staged = Staged::default();
    staged.add(a.out.clone(), &atlas.pdf()?)?;
    if let Some(dir) = &a.png_dir {
        let n = atlas.pages.len().max(1);
        for (i, p) in atlas.pages.iter().enumerate() {
            check_cancel(cx)?;
            cx.progress
                .set(0.4 + 0.5 * i as f32 / n as f32, "PNG を作っています");
            // Names are data: only letters and digits (kana and kanji too) go in a file name.
            let safe: String = format!("{}_{}", p.code, p.name)
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { '_' })
                .collect();
            let name = format!("{:02}_{safe}.png", i + 1);
            staged.add(dir.join(name), &atlas.png(i, a.dpi)?)?;
        }
    }
    check_cancel(cx)?;
    cx.progress.set(0.95, "ファイルを書いています");
    Ok(ExportDone {
        format: "atlas",
        files: staged.commit()?,
        rows: atlas.pages.len(),
        personal: false,
        caution: false,
        substitutions: vec![],
        unplaced: 0,
    })
}

/// An export's files written together (all or none) as they are made: each goes to its
/// temporary file at once (its bytes then freed), making a missing folder inside an
/// allowed one (the gate checked the paths); [`Staged::commit`] renames them all.
#[derive(Default)]
pub(crate) struct Staged {
    staging: export::atomic::Staging,
    out: Vec<FileOut>,
}

impl Staged {
    pub(crate) fn add(&mut self, path: PathBuf, bytes: &[u8]) -> Result<(), AppError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| ExportError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        self.staging.add(&path, bytes)?;
        self.out.push(FileOut {
            sha256: export::atomic::sha256(bytes),
            bytes: bytes.len() as u64,
            path,
        });
        Ok(())
    }

    /// The files in place, with their checksums.
    pub(crate) fn commit(self) -> Result<Vec<FileOut>, AppError> {
        self.staging.commit()?;
        Ok(self.out)
    }
}

/// Writes an export's files together (all or none); returns them with their checksums.
fn write_files(files: &[(PathBuf, Vec<u8>)]) -> Result<Vec<FileOut>, AppError> {
    let mut s = Staged::default();
    for (path, bytes) in files {
        s.add(path.clone(), bytes)?;
    }
    s.commit()
}

/// Slides are for meetings: a longer table goes to Excel.
const MAX_SLIDE_ROWS: usize = 1500;

fn run(cx: &mut Cx<'_>, job: &ExportJob) -> Result<ExportDone, AppError> {
    check_extension(job)?;
    cx.progress.set(0.05, "結果を集めています");
    let mut r = result_of(cx, job)?;
    if r.meta.personal && !job.confirm_personal {
        return Err(ExportError::Unconfirmed.into());
    }
    r.meta.exported_by = cx.user();
    r.meta.exported_at = now_text(cx);
    r.meta.source = source_text(cx);
    if job.preset.is_some() && job.format != Format::Csv {
        return Err(ExportError::Unsupported(Preset::KenkoRenkei.label(), "CSV 以外").into());
    }
    if job.format == Format::Pptx && r.table.rows() > MAX_SLIDE_ROWS {
        return Err(ExportError::TooLarge(format!(
            "{} 行あります。PowerPoint には {MAX_SLIDE_ROWS} 行（{} 枚）まで出力できます。Excel で出力してください。",
            r.table.rows(),
            MAX_SLIDE_ROWS / export::pptx::ROWS_PER_SLIDE
        ))
        .into());
    }
    check_cancel(cx)?;
    cx.progress.set(0.3, "ファイルを作っています");
    let store = cx.store;
    let encoding = if job.preset.is_some() {
        Encoding::Cp932
    } else {
        job.encoding
    };
    // The map is loaded and styled once (layers, uptake, classes), then painted at each
    // size the export needs.
    let mut prepared: Option<crate::render::export::PreparedMap> = None;
    let mut draw = |format: MapFormat, dpi: u32| -> Result<DrawnMap, AppError> {
        let map = match prepared.take() {
            Some(m) => m,
            None => crate::render::export::prepare_map(store, &map_spec(&r, job))?,
        };
        let drawn = map.paint_at(format, dpi as f32 / 72.0);
        prepared = Some(map);
        Ok(drawn?)
    };
    // Every file of the export is made in memory first, then written together.
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut substitutions = Vec::new();
    let mut unplaced = 0;
    let out = job.out.clone();
    match job.format {
        Format::Csv => {
            let (bytes, subs) = export::csv::to_bytes(&r.table, encoding);
            files.push((out, bytes));
            substitutions = subs;
        }
        Format::Xlsx => {
            let map = if job.bundle {
                Some(draw(MapFormat::Png, job.dpi.min(EMBEDDED_DPI))?.bytes)
            } else {
                None
            };
            files.push((
                out,
                export::xlsx::to_bytes(&r.table, &r.meta, map.as_deref())?,
            ));
        }
        Format::Shp | Format::GeoJson => {
            let features = features_of(store, &r, job.format)?;
            unplaced = features.unplaced();
            if job.format == Format::Shp {
                let (parts, subs) =
                    export::shapefile::files(&features, &job.out, job.crs, encoding)?;
                files.extend(parts);
                substitutions = subs;
            } else {
                files.push((out, export::geojson::to_bytes(&features)));
            }
        }
        Format::Pptx => {
            let map = draw(MapFormat::Png, job.dpi.min(EMBEDDED_DPI))?;
            let pic = export::pptx::Picture {
                png: &map.bytes,
                width: map.size[0],
                height: map.size[1],
            };
            let bytes = export::pptx::to_bytes(
                &r.table,
                &r.meta,
                Some(&pic),
                export::pptx::ROWS_PER_SLIDE,
            )?;
            files.push((out, bytes));
        }
        Format::Pdf | Format::Png | Format::Jpeg => {
            let f = match job.format {
                Format::Pdf => MapFormat::Pdf,
                Format::Png => MapFormat::Png,
                _ => MapFormat::Jpeg,
            };
            files.push((out, draw(f, job.dpi)?.bytes));
        }
    }
    if job.bundle {
        cx.progress.set(0.7, "地図と条件を作っています");
        bundle(&r, job, encoding, &mut draw, &mut files)?;
    }
    check_cancel(cx)?;
    cx.progress.set(0.9, "ファイルを書いています");
    Ok(ExportDone {
        format: job.format.key(),
        files: write_files(&files)?,
        rows: r.table.rows(),
        personal: r.meta.personal,
        caution: r.meta.caution,
        substitutions,
        unplaced,
    })
}

/// The rest of a bundle beside the main file: the map (PNG), or the table (Excel) when the
/// main file is a map; and 条件.txt.
fn bundle(
    r: &Result_,
    job: &ExportJob,
    encoding: Encoding,
    draw: &mut dyn FnMut(MapFormat, u32) -> Result<DrawnMap, AppError>,
    files: &mut Vec<(PathBuf, Vec<u8>)>,
) -> Result<(), AppError> {
    if !job.format.is_map() {
        let path = beside(&job.out, "_地図", "png");
        files.push((path, draw(MapFormat::Png, job.dpi)?.bytes));
    } else {
        let path = beside(&job.out, "", "xlsx");
        files.push((path, export::xlsx::to_bytes(&r.table, &r.meta, None)?));
    }
    let path = beside(&job.out, "_条件", "txt");
    let text = r.meta.text();
    let bytes = match encoding {
        Encoding::Utf8 => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        Encoding::Cp932 => export::cp932::encode(&text).0,
    };
    files.push((path, bytes));
    Ok(())
}

/// A result as features: its points, or the level's areas joined by code.
fn features_of(
    store: &crate::store::Store,
    r: &Result_,
    format: Format,
) -> Result<Features, AppError> {
    let fmt = format.label();
    if let Some((lon, lat)) = r.lonlat {
        return Ok(Features::from_lonlat(r.table.clone(), lon, lat, fmt)?);
    }
    let Some((level, _)) = r.level else {
        return Err(ExportError::NoLocation {
            table: r.table.title.clone(),
            format: fmt,
        }
        .into());
    };
    let layers = crate::map::load_layers(store, &crate::paths::reference_dir())?;
    let (name, field) = crate::map::choropleth::level_layer(level);
    let (_, layer) = layers.find(name).ok_or(ExportError::NoLocation {
        table: r.table.title.clone(),
        format: fmt,
    })?;
    let codes = layer.index.column_text(field).unwrap_or_default();
    let by_code: std::collections::HashMap<&str, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let table_codes = match r.table.column("コード").map(|c| &c.values) {
        Some(Values::Text(v)) => v.clone(),
        _ => vec![],
    };
    let geoms = table_codes
        .iter()
        .map(|c| {
            c.as_deref()
                .and_then(|c| by_code.get(c))
                .map(|i| layer.index.features[*i].geom.clone())
        })
        .collect();
    Ok(Features {
        table: r.table.clone(),
        geoms,
    })
}
