//! `search` and `nearest`: searches from a query file (keys and count only, never names or
//! addresses), saved searches, ICD-10 groups, and the nearest checkup institutions.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;

use super::session::Ctx;
use crate::app::Outcome;
use crate::app::domain::search::{SearchCmd, SearchReply};
use crate::search::Query;

#[derive(Debug, Subcommand)]
pub enum SearchAction {
    /// 検索条件を名前を付けて保存する
    Save {
        name: String,
        #[arg(long, value_name = "FILE.json")]
        query: PathBuf,
        /// 全員が使えるようにする（共有）
        #[arg(long)]
        shared: bool,
    },
    /// 自分の検索と共有された検索の一覧
    List,
    /// 保存した検索を実行する（キーと件数）
    Run {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// 保存した検索の名前を変える
    Rename { name: String, to: String },
    /// 保存した検索を削除する
    Delete { name: String },
    /// 傷病グループ（ICD-10）の一覧。--set NAME --prefixes E10,E11 で追加・変更
    IcdGroups {
        #[arg(long, requires = "prefixes")]
        set: Option<String>,
        #[arg(long)]
        prefixes: Option<String>,
    },
}

fn read_query(path: &Path) -> anyhow::Result<Query> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("検索条件のファイル {} を読めません", path.display()))?;
    Query::parse(&text).with_context(|| format!("{}", path.display()))
}

fn print_keys(ctx: &mut Ctx, query: Query, json: bool) -> anyhow::Result<i32> {
    let Outcome::Search(SearchReply::Keys { description, keys }) =
        ctx.execute(SearchCmd::Keys { query })?
    else {
        bail!("内部エラー: 検索から予期しない結果が返りました");
    };
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(
            out,
            "{}",
            serde_json::json!({"description": description, "count": keys.len(), "keys": keys})
        )?;
    } else {
        writeln!(out, "{description}")?;
        for k in keys {
            writeln!(out, "{k}")?;
        }
    }
    Ok(0)
}

/// `search --query FILE [--json]` or one of the actions.
pub fn run(
    ctx: &mut Ctx,
    query: Option<PathBuf>,
    json: bool,
    action: Option<SearchAction>,
) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    match (query, action) {
        (Some(path), None) => print_keys(ctx, read_query(&path)?, json),
        (None, Some(SearchAction::Run { name, json })) => {
            let Outcome::Search(SearchReply::Opened { query, .. }) =
                ctx.execute(SearchCmd::Open { name })?
            else {
                bail!("内部エラー: 保存した検索から予期しない結果が返りました");
            };
            print_keys(ctx, query, json)
        }
        (
            None,
            Some(SearchAction::Save {
                name,
                query,
                shared,
            }),
        ) => {
            let query = read_query(&query)?;
            ctx.execute(SearchCmd::Save {
                name: name.clone(),
                query,
                shared,
            })?;
            writeln!(
                out,
                "検索「{name}」を保存しました{}",
                if shared { "（共有）" } else { "" }
            )?;
            Ok(0)
        }
        (None, Some(SearchAction::List)) => {
            let Outcome::Search(SearchReply::Saved(list)) = ctx.execute(SearchCmd::Saved)? else {
                bail!("内部エラー: 保存した検索の一覧から予期しない結果が返りました");
            };
            writeln!(out, "名前\t作成者\t共有\t保存日時\t条件")?;
            for s in list {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    s.name,
                    s.owner,
                    if s.shared { "共有" } else { "" },
                    s.saved_at,
                    s.query
                )?;
            }
            Ok(0)
        }
        (None, Some(SearchAction::Rename { name, to })) => {
            ctx.execute(SearchCmd::Rename {
                name: name.clone(),
                to: to.clone(),
            })?;
            writeln!(out, "検索「{name}」を「{to}」に変えました")?;
            Ok(0)
        }
        (None, Some(SearchAction::Delete { name })) => {
            ctx.execute(SearchCmd::Delete { name: name.clone() })?;
            writeln!(out, "検索「{name}」を削除しました")?;
            Ok(0)
        }
        (None, Some(SearchAction::IcdGroups { set, prefixes })) => {
            if let (Some(name), Some(prefixes)) = (set, prefixes) {
                ctx.execute(SearchCmd::SetIcdGroup { name, prefixes })?;
            }
            let Outcome::Search(SearchReply::Choices(c)) = ctx.execute(SearchCmd::Choices)? else {
                bail!("内部エラー: 傷病グループの一覧から予期しない結果が返りました");
            };
            for (name, prefixes) in &c.icd_groups {
                writeln!(out, "{name}\t{}", prefixes.join(","))?;
            }
            Ok(0)
        }
        (Some(_), Some(_)) => bail!("--query と操作（save, run など）は一緒に使えません"),
        (None, None) => bail!(
            "--query FILE.json か、操作（save, list, run, rename, delete, icd-groups）を指定してください"
        ),
    }
}

/// `nearest --lon X --lat Y [--n 10] [--json]`.
pub fn nearest(ctx: &mut Ctx, lon: f64, lat: f64, n: usize, json: bool) -> anyhow::Result<i32> {
    if !(lon.is_finite()
        && lat.is_finite()
        && (-180.0..=180.0).contains(&lon)
        && (-90.0..=90.0).contains(&lat))
    {
        bail!("経度・緯度が正しくありません（例 --lon 135.8048 --lat 34.6851）");
    }
    let Outcome::Search(SearchReply::Nearest { list, .. }) =
        ctx.execute(SearchCmd::Nearest { lon, lat, n })?
    else {
        bail!("内部エラー: 最寄りの健診機関から予期しない結果が返りました");
    };
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string(&list)?)?;
    } else {
        writeln!(
            out,
            "距離(m)\t機関コード\t名称\t所在地\t電話番号\tがん検診\t検査項目"
        )?;
        for r in list {
            writeln!(
                out,
                "{:.0}\t{}\t{}\t{}\t{}\t{}\t{}",
                r.distance_m,
                r.code,
                r.name,
                r.address,
                r.phone,
                if r.cancer_screening { "○" } else { "" },
                r.test_items.join("・")
            )?;
        }
    }
    Ok(0)
}
