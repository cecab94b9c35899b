//! The command line: a thin layer over the library. With no subcommand the window opens
//! (in `main.rs`). Errors are reported in Japanese with the file, line and column.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::analysis::uptake::Level;
use crate::app::{GeocodeCmd, GeocodeReply, ImportCmd, ImportReply, MapCmd, MapReply, Outcome};
use crate::demo::{self, DemoOptions, Scale};
use crate::import::{ImportOptions, Kind, TextEncoding, UserTableOptions};
use crate::job::Progress;

/// `println!` that returns an error instead of panicking when stdout is closed
/// (`kenshin-atlas uptake … | head`); `main` exits quietly on a broken pipe.
macro_rules! out {
    ($($t:tt)*) => {
        writeln!(std::io::stdout().lock(), $($t)*)?
    };
}

mod admin;
mod export;
mod extract;
mod layer;
mod mark;
mod print;
mod render;
mod search;
pub mod session;

use session::Ctx;

#[derive(Debug, Parser)]
#[command(
    name = "kenshin-atlas",
    version,
    about = "健診アトラス: 特定健診の受診率を地図で分析する"
)]
pub struct Cli {
    /// データフォルダ（データベース・プロファイル）。既定: data
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// 利用者 ID（パスワードは入力を求めるか KENSHIN_PASSWORD から読む）
    #[arg(long, global = true, value_name = "ID")]
    pub user: Option<String>,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// 画面を開く（既定）
    Gui,
    /// 奈良県のデモデータ（KDB 形式）を作る
    Demo(DemoArgs),
    /// ファイルを取り込む。`import rejects ID` で除外行を表示
    Import(ImportArgs),
    /// テーブルの件数と取込履歴
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// 受診率（法定報告の定義）。対象者が基準（管理者設定）未満の地域は「少数のため非表示」
    Uptake {
        #[arg(long, value_enum, default_value = "municipality")]
        level: Level,
        #[arg(long)]
        fy: i32,
        #[arg(long)]
        json: bool,
        /// 非表示の地域の数値も表示する（個人情報の閲覧の権限、利用ログに記録）
        #[arg(long)]
        reveal: bool,
    },
    /// 地図レイヤ（境界・施設など）
    Layer {
        #[command(subcommand)]
        what: layer::LayerCmd,
    },
    /// 検索: 条件ファイル（JSON）で被保険者・医療機関・独自データを探す（キーと件数のみ）
    #[command(args_conflicts_with_subcommands = true)]
    Search {
        /// 検索条件のファイル（README の「検索条件」）
        #[arg(long, value_name = "FILE.json")]
        query: Option<PathBuf>,
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<search::SearchAction>,
    },
    /// 抽出: 検索結果を名前付きのリスト（キーのみ）として保存し、開き、組み合わせる
    #[command(args_conflicts_with_subcommands = true)]
    Extract {
        /// 検索条件のファイル（README の「検索条件」）
        #[arg(long, value_name = "FILE.json", requires = "name")]
        query: Option<PathBuf>,
        /// 作るリストの名前
        #[arg(long)]
        name: Option<String>,
        #[command(subcommand)]
        action: Option<extract::ExtractAction>,
    },
    /// 被保険者の印（除外・勧奨対象）と理由・備考
    Mark {
        #[command(subcommand)]
        what: mark::MarkAction,
    },
    /// 最寄りの健診機関（測地線距離の近い順）
    Nearest {
        #[arg(long)]
        lon: f64,
        #[arg(long)]
        lat: f64,
        #[arg(long, default_value_t = 10)]
        n: usize,
        #[arg(long)]
        json: bool,
    },
    /// 住所照合: 被保険者の住所を街区・町丁・字に照合し、市町村別の照合率を表示
    Geocode {
        #[arg(long)]
        json: bool,
        /// 照合できなかった住所をこの件数まで表示（個人情報: 画面にだけ出す）
        #[arg(long, value_name = "N")]
        unmatched: Option<usize>,
    },
    /// 背景地図のタイル
    Tiles {
        #[command(subcommand)]
        what: render::TilesCmd,
    },
    /// 地図を PNG に描く（画面なし）
    Render(render::RenderArgs),
    /// 結果を出力する（CSV・Excel・シェープファイル・GeoJSON・PowerPoint・PDF・PNG・JPEG）
    Export(export::ExportArgs),
    /// 印刷レイアウト: 一覧と PDF・PNG への出力
    Layout {
        #[command(subcommand)]
        what: print::LayoutAction,
    },
    /// 印刷レイアウトを印刷する（印刷の権限。Windows は印刷ダイアログ、ほかは lp）
    Print {
        #[arg(long, value_name = "NAME")]
        layout: String,
        #[arg(long, default_value_t = 1)]
        copies: u32,
    },
    /// 市町村別地図帳: 市町村ごとに A3 横 1 ページ（地図・性別年齢階層別の実績・凡例・出典）の PDF
    Atlas(export::AtlasArgs),
    /// 初期設定: 最初の管理者を作る（パスワードは入力を求めるか KENSHIN_PASSWORD）
    Setup {
        #[arg(long, value_name = "ID")]
        admin: String,
    },
    /// 利用者の管理（許可リスト・登録・停止・再開・ロック解除・再発行・一覧）
    User {
        #[command(subcommand)]
        what: admin::UserCmd,
    },
    /// 利用ログ: 改ざんの検査と書き出し
    Audit {
        #[command(subcommand)]
        what: admin::AuditCmd,
    },
    /// 暗号化バックアップを作る（アプリ鍵と復旧鍵の二つの宛先に age で暗号化、検証してから世代を整理）
    Backup {
        /// 保存先フォルダ（既定: 管理者設定の保存先）
        #[arg(long)]
        out: Option<PathBuf>,
        /// 残す世代数（既定: 設定、なければ 5）
        #[arg(long)]
        keep: Option<usize>,
    },
    /// バックアップの復旧鍵を作り直して一度だけ表示する（なくした・漏れたとき。以前のバックアップは前の鍵で開ける）
    RecoveryKey,
    /// バックアップから復元する（検証してから切り替え。失敗しても今のデータはそのまま）
    Restore {
        file: PathBuf,
        /// 復旧鍵のファイル（別のマシンに復元するとき。省略時はこのマシンのアプリ鍵）
        #[arg(long)]
        recovery_key: Option<PathBuf>,
    },
    /// 性能測定
    Bench {
        #[command(subcommand)]
        what: BenchCmd,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// 取込速度を DuckDB の read_csv と比べる
    Import {
        #[arg(long, default_value_t = 1)]
        months: u32,
        #[arg(long, value_enum, default_value = "spec")]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 生成したファイルを残して次回も使うフォルダ（省略時は一時フォルダを使い、終了時に消す）
        #[arg(long)]
        work: Option<PathBuf>,
        /// 取込と DuckDB の読込を交互に繰り返す回数（最後の行は比の中央値）
        #[arg(long, default_value_t = 1)]
        runs: u32,
    },
    /// 表（結果の DataFrame）への読込時間: 30 万行 × 6 列を、タプルへの読込と比べる
    Frame,
    /// 検索の速さ（奈良規模: 30 万人、健診 5 年度）: 多角形、5 条件の組合せ、最寄りの健診機関
    Search {
        /// 作ったデータを残して次回も使うフォルダ（省略時は一時フォルダ）
        #[arg(long)]
        work: Option<PathBuf>,
        /// レセプトの月数（2022年3月から遡る。12 で 2021 年度）
        #[arg(long, default_value_t = 12)]
        months: u32,
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    /// 地図の描画時間（1920×1080、町丁・字の塗り分け、被保険者の点）と自然分類の計算時間
    Map {
        #[arg(long, default_value_t = 2021)]
        fy: i32,
    },
    /// 出力の速さ: 町丁・字の塗り分けを A3 横の PDF と 300 dpi の PNG に（最後の行 a3_pdf_ms=… a3_png_ms=…）
    Export {
        #[arg(long, default_value_t = 2021)]
        fy: i32,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// 印刷の速さ: 39 市町村の地図帳（A3 横 PDF）を組んで書く時間（最後の行 atlas_ms=…）
    Print {
        #[arg(long, default_value_t = 2021)]
        fy: i32,
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, value_enum, default_value = "small")]
    pub scale: Scale,
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = crate::app::first_start::DEMO_SEED)]
    pub seed: u64,
    /// レセプトの月数（2022年3月から遡る）
    #[arg(long)]
    pub months: Option<u32>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// 取り込むファイル（CSV / Excel）。`rejects ID` で除外行を表示
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// 種類を指定（insured, checkups, claims, …, table）
    #[arg(long)]
    pub kind: Option<String>,
    /// 列の対応（プロファイル名）
    #[arg(long)]
    pub profile: Option<String>,
    #[arg(long, default_value = "auto")]
    pub encoding: String,
    /// 不正な行を除外して残りを取り込む（除外行はデータベースに記録）
    #[arg(long)]
    pub skip_invalid: bool,
    /// 取込済みの期間の行数が 5% を超えて減っても置き換える（既定では取り込まずに終了）
    #[arg(long)]
    pub allow_fewer: bool,
    /// 独自データの名前（--kind table）: 1〜100 文字。同じ名前で取り込むとその独自データを置き換えます
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub sheet: Option<String>,
    /// 見出し行（1から数える）
    #[arg(long)]
    pub header_row: Option<u64>,
    /// 被保険者・医療機関と結びつけるキー列（--kind table）
    #[arg(long)]
    pub key: Option<String>,
    /// キー列の結びつけ先（insured / medical_institutions / checkup_institutions）
    #[arg(long)]
    pub link: Option<String>,
}

/// Runs a CLI command. Returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(crate::paths::default_data_dir);
    match cli.command {
        None | Some(Cmd::Gui) => bail!("画面は main から開きます"),
        Some(Cmd::Demo(args)) => {
            let opts = DemoOptions {
                scale: args.scale,
                seed: args.seed,
                months: args.months.unwrap_or(args.scale.default_months()),
                reference_dir: crate::paths::reference_dir(),
                claims_only: false,
            };
            let summary = demo::generate(&args.out, &opts, &Progress::new())?;
            eprintln!(
                "{} ファイルを {} に書きました",
                summary.files.len() + 1,
                args.out.display()
            );
            Ok(0)
        }
        Some(Cmd::Bench {
            what:
                BenchCmd::Import {
                    months,
                    scale,
                    seed,
                    work,
                    runs,
                },
        }) => crate::bench::import(months, scale, seed, work.as_deref(), runs),
        Some(Cmd::Bench {
            what: BenchCmd::Frame,
        }) => crate::bench::frame(),
        Some(Cmd::Bench {
            what: BenchCmd::Search { work, months, runs },
        }) => crate::bench::search(work.as_deref(), months, runs),
        Some(Cmd::Setup { admin }) => admin::setup(&data_dir, &admin),
        Some(Cmd::Restore { file, recovery_key }) => admin::restore(
            &data_dir,
            cli.user.as_deref(),
            &file,
            recovery_key.as_deref(),
        ),
        Some(cmd) => {
            let mut ctx = Ctx::login(&data_dir, cli.user.as_deref())?;
            logged_in(&mut ctx, cmd)
        }
    }
}

/// The commands that run as a logged-in user, each behind the right it needs.
fn logged_in(ctx: &mut Ctx, cmd: Cmd) -> anyhow::Result<i32> {
    match cmd {
        Cmd::Import(args) => import(ctx, args),
        Cmd::Stats { json } => {
            let Outcome::Import(ImportReply::Stats(stats)) = ctx.execute(ImportCmd::Stats)? else {
                bail!("内部エラー: 件数の集計から予期しない結果が返りました");
            };
            if json {
                let imports: Vec<serde_json::Value> = stats
                    .imports
                    .iter()
                    .map(|r| serde_json::json!({"id": r.id, "file": r.file, "sha256": r.sha256, "kind": r.kind, "rows": r.rows, "result": r.result.as_str()}))
                    .collect();
                out!(
                    "{}",
                    serde_json::json!({
                        "tables": stats.tables,
                        "user_tables": stats.user_tables,
                        "imports": imports,
                        "fiscal_years": stats.fiscal_years,
                        "institution_match": stats.institution_match,
                    })
                );
            } else {
                for t in &stats.labelled {
                    out!("{:<28} {:>12}  {}", t.table, t.rows, t.label);
                }
                out!("取込履歴 {} 件", stats.imports.len());
                if let Some(s) = stats.institution_match.summary() {
                    out!("{s}");
                }
            }
            Ok(0)
        }
        Cmd::Uptake {
            level,
            fy,
            json,
            reveal,
        } => uptake(ctx, level, fy, json, reveal),
        Cmd::Layer { what } => layer::run(ctx, what),
        Cmd::Search {
            query,
            json,
            action,
        } => search::run(ctx, query, json, action),
        Cmd::Nearest { lon, lat, n, json } => search::nearest(ctx, lon, lat, n, json),
        Cmd::Extract {
            query,
            name,
            action,
        } => extract::run(ctx, query, name, action),
        Cmd::Mark { what } => mark::run(ctx, what),
        Cmd::Tiles { what } => render::tiles(ctx, what),
        Cmd::Render(args) => render::render(ctx, args),
        Cmd::Export(args) => export::run(ctx, args),
        Cmd::Atlas(args) => export::atlas(ctx, args),
        Cmd::Layout { what } => print::layout(ctx, what),
        Cmd::Print { layout, copies } => print::print(ctx, &layout, copies),
        Cmd::Geocode { json, unmatched } => geocode(ctx, json, unmatched),
        // A measurement, outside the engine (as `bench import`), but only for a user.
        Cmd::Bench {
            what: BenchCmd::Map { fy },
        } => crate::bench::map(&ctx.engine.store, fy),
        Cmd::Bench {
            what: BenchCmd::Export { fy, runs },
        } => crate::bench::export(&ctx.engine.store, fy, runs),
        Cmd::Bench {
            what: BenchCmd::Print { fy, runs },
        } => crate::bench::print(&ctx.engine.store, fy, runs),
        Cmd::User { what } => admin::user(ctx, what),
        Cmd::Backup { out, keep } => admin::backup(ctx, out, keep),
        Cmd::RecoveryKey => admin::recovery_key(ctx),
        Cmd::Audit { what } => admin::audit(ctx, what),
        Cmd::Demo(_)
        | Cmd::Gui
        | Cmd::Setup { .. }
        | Cmd::Restore { .. }
        | Cmd::Bench {
            what: BenchCmd::Import { .. } | BenchCmd::Frame | BenchCmd::Search { .. },
        } => bail!("このコマンドはここでは実行しません"),
    }
}

/// `uptake`: the table as the window shows it, suppressed at the admin's threshold; with
/// `--reveal` (個人情報の閲覧) the suppressed figures too, marked, and logged as a view.
fn uptake(ctx: &mut Ctx, level: Level, fy: i32, json: bool, reveal: bool) -> anyhow::Result<i32> {
    let Outcome::Map(MapReply::Uptake(table)) =
        ctx.execute(MapCmd::Uptake { level, fy, reveal })?
    else {
        bail!("内部エラー: 受診率の集計から予期しない結果が返りました");
    };
    let threshold = ctx.engine.security().suppression_threshold();
    if json {
        out!("{}", serde_json::to_string(&table.rows())?);
        return Ok(0);
    }
    out!(
        "{fy}年度 受診率（法定報告の定義）。対象者 {threshold} 人未満の地域とその補完は「{}」",
        crate::analysis::suppression::LABEL
    );
    for r in &table.rows() {
        match (r.targets, r.attendees, r.rate) {
            (Some(t), Some(a), Some(rate)) => out!(
                "{} {:<8} 対象者 {:>7}  受診者 {:>7}  受診率 {:>5.1}%{}",
                r.code,
                r.name,
                t,
                a,
                rate * 100.0,
                if r.revealed {
                    format!("  {}", crate::analysis::suppression::REVEALED_LABEL)
                } else {
                    String::new()
                }
            ),
            _ => out!(
                "{} {:<8} {}",
                r.code,
                r.name,
                crate::analysis::suppression::LABEL
            ),
        }
    }
    Ok(0)
}

fn geocode(ctx: &mut Ctx, json: bool, unmatched: Option<usize>) -> anyhow::Result<i32> {
    // Without 個人情報の閲覧 the listing is refused (and logged) by the engine before the
    // matching runs, as it was when the CLI checked its rights itself.
    if let Some(limit) = unmatched
        && !ctx.holds(crate::auth::Right::ViewPersonal)
    {
        ctx.execute(GeocodeCmd::Unmatched { limit })?;
    }
    let Outcome::Geocode(GeocodeReply::Geocoded(report)) = ctx.execute(GeocodeCmd::Geocode)? else {
        bail!("内部エラー: 住所照合から予期しない結果が返りました");
    };
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string(&report)?)?;
    } else {
        writeln!(
            out,
            "住所照合（小地域レイヤ「{}」、街区 {} 件）",
            report.layer, report.reference_blocks
        )?;
        writeln!(
            out,
            "市町村コード\t市町村名\t街区\t町丁・字\t曖昧\t不明\t街区率"
        )?;
        for r in report.rows.iter().chain(std::iter::once(&report.total)) {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}\t{:.2}%",
                r.municipality_code,
                r.municipality_name,
                r.block,
                r.town,
                r.ambiguous,
                r.none,
                r.block_rate() * 100.0
            )?;
        }
    }
    if let Some(limit) = unmatched {
        let Outcome::Geocode(GeocodeReply::Unmatched(list)) =
            ctx.execute(GeocodeCmd::Unmatched { limit })?
        else {
            bail!("内部エラー: 未照合住所の表示から予期しない結果が返りました");
        };
        writeln!(out, "被保険者ID\t市町村コード\t一致\t住所\t候補")?;
        for u in list {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                u.insured_id,
                u.municipality_code,
                u.level.label(),
                u.address,
                u.candidates.join(",")
            )?;
        }
    }
    Ok(0)
}

fn import(ctx: &mut Ctx, args: ImportArgs) -> anyhow::Result<i32> {
    if args.files.len() == 2 && args.files[0].as_os_str() == "rejects" {
        let import_id: i64 = args.files[1]
            .to_string_lossy()
            .parse()
            .context("取込ID は数字で指定してください")?;
        // Rejected values may be personal data: 個人情報の閲覧, logged.
        let Outcome::Import(ImportReply::Rejects { rejects, .. }) =
            ctx.execute(ImportCmd::Rejects { import_id })?
        else {
            bail!("内部エラー: 除外行の表示から予期しない結果が返りました");
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "行\t列\t値\t理由")?;
        for r in &rejects {
            writeln!(
                out,
                "{}\t{}\t{}\t{}",
                r.line,
                r.column.as_deref().unwrap_or(""),
                r.value.as_deref().unwrap_or(""),
                r.reason
            )?;
        }
        eprintln!("取込ID {import_id}: 除外・拒否した行 {} 件", rejects.len());
        return Ok(0);
    }
    let encoding = TextEncoding::parse(&args.encoding).map_err(anyhow::Error::msg)?;
    if args.kind.as_deref() == Some("table") {
        let name = args
            .name
            .clone()
            .context("--kind table には --name（独自データの表示名、1〜100 文字）が必要です")?;
        let mut code = 0;
        for file in &args.files {
            let opts = UserTableOptions {
                name: name.clone(),
                sheet: args.sheet.clone(),
                header_row: args.header_row,
                encoding,
                key_column: args.key.clone(),
                link_to: args.link.clone(),
            };
            let cmd = ImportCmd::ImportTable {
                file: file.clone(),
                opts,
            };
            match ctx.execute(cmd) {
                Ok(Outcome::Import(ImportReply::TableImported(r))) => out!("{}", r.message),
                Ok(other) => bail!("内部エラー: 予期しない結果 {other:?}"),
                Err(e) => {
                    eprintln!("{e:#}");
                    code = 1;
                }
            }
        }
        return Ok(code);
    }
    let kind = match &args.kind {
        Some(k) => Some(Kind::from_id(k).with_context(|| {
            let ids: Vec<&str> = crate::store::kinds::KINDS.iter().map(|d| d.id).collect();
            format!(
                "種類「{k}」はありません。次のいずれかを指定してください: {}, table",
                ids.join(", ")
            )
        })?),
        None => None,
    };
    let opts = ImportOptions {
        kind,
        profile: args.profile.clone(),
        encoding,
        skip_invalid: args.skip_invalid,
        sheet: args.sheet.clone(),
        custom_profile: None,
        allow_fewer: args.allow_fewer,
    };
    let cmd = ImportCmd::Import {
        files: args.files.clone(),
        opts,
    };
    let Outcome::Import(ImportReply::Imported {
        reports,
        failed,
        geocode,
    }) = ctx.execute(cmd)?
    else {
        bail!("内部エラー: 取込から予期しない結果が返りました");
    };
    let mut code = 0;
    for r in &reports {
        if r.is_success() {
            out!("{}", r.message);
        } else {
            eprintln!("{}", r.message);
            for rej in r.rejects.iter().take(20) {
                eprintln!("  {}", crate::import::describe_reject(&r.file, rej));
            }
            code = 1;
        }
        for w in &r.warnings {
            eprintln!("注意: {w}");
        }
    }
    for e in &failed {
        eprintln!("{e}");
        code = 1;
    }
    match geocode {
        Some(Ok(r)) => out!(
            "住所照合: 街区 {:.2}%（{} 人中 {} 人）、町丁・字 {}、曖昧 {}、不明 {}",
            r.total.block_rate() * 100.0,
            r.total.total(),
            r.total.block,
            r.total.town,
            r.total.ambiguous,
            r.total.none
        ),
        Some(Err(e)) => {
            eprintln!("{e}");
            code = 1;
        }
        None => {}
    }
    Ok(code)
}
