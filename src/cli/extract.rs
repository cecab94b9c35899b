//! `extract`: a search's result kept as a named list (keys only), the lists, a list's
//! keys, and lists combined into new ones.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;

use super::session::Ctx;
use crate::app::Outcome;
use crate::app::domain::extract::{ExtractCmd, ExtractReply, SetOp};
use crate::search::Query;

#[derive(Debug, Subcommand)]
pub enum ExtractAction {
    /// 抽出リストの一覧
    List {
        #[arg(long)]
        json: bool,
    },
    /// 抽出リストのキー（{"name", "fy", "count", "keys"}）
    Show { name: String },
    /// 抽出リストの名前を変える
    Rename { name: String, to: String },
    /// 抽出リストを削除する
    Delete { name: String },
    /// 二つのリストを組み合わせて新しいリストにする（A ∩ B、A − B、A ∪ B）
    Combine {
        a: String,
        #[arg(long, group = "op", value_name = "B")]
        and: Option<String>,
        #[arg(long, group = "op", value_name = "B")]
        minus: Option<String>,
        #[arg(long, group = "op", value_name = "B")]
        or: Option<String>,
        #[arg(long)]
        name: String,
    },
}

fn print_list(list: &crate::store::extractions::Extraction, keys: &[String]) -> anyhow::Result<()> {
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::json!({"name": list.name, "fy": list.fy, "count": keys.len(), "keys": keys})
    )?;
    Ok(())
}

pub fn run(
    ctx: &mut Ctx,
    query: Option<PathBuf>,
    name: Option<String>,
    action: Option<ExtractAction>,
) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    let cmd = match (query, name, action) {
        (Some(path), Some(name), None) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("検索条件のファイル {} を読めません", path.display()))?;
            let query = Query::parse(&text).with_context(|| path.display().to_string())?;
            ExtractCmd::Extract { name, query }
        }
        (None, None, Some(ExtractAction::List { json })) => {
            let Outcome::Extract(ExtractReply::Lists(lists)) = ctx.execute(ExtractCmd::Lists)?
            else {
                bail!("内部エラー: 抽出リストの一覧から予期しない結果が返りました");
            };
            if json {
                writeln!(out, "{}", serde_json::to_string(&lists)?)?;
            } else {
                writeln!(out, "名前\t件数\t年度\t作成者\t作成日時\t作り方")?;
                for l in lists {
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        l.name,
                        l.count,
                        l.fy.map(|y| y.to_string()).unwrap_or_default(),
                        l.made_by,
                        l.made_at,
                        l.origin
                    )?;
                }
            }
            return Ok(0);
        }
        (None, None, Some(ExtractAction::Show { name })) => ExtractCmd::Show { name },
        (None, None, Some(ExtractAction::Rename { name, to })) => ExtractCmd::Rename { name, to },
        (None, None, Some(ExtractAction::Delete { name })) => ExtractCmd::Delete { name },
        (
            None,
            None,
            Some(ExtractAction::Combine {
                a,
                and,
                minus,
                or,
                name,
            }),
        ) => {
            let (op, b) = match (and, minus, or) {
                (Some(b), None, None) => (SetOp::And, b),
                (None, Some(b), None) => (SetOp::Minus, b),
                (None, None, Some(b)) => (SetOp::Or, b),
                _ => bail!("--and、--minus、--or のどれか一つで相手のリストを指定してください"),
            };
            ExtractCmd::Combine { a, op, b, name }
        }
        _ => bail!(
            "--query FILE.json --name NAME か、操作（list, show, rename, delete, combine）を指定してください"
        ),
    };
    match ctx.execute(cmd)? {
        Outcome::Extract(
            ExtractReply::Made { list, keys } | ExtractReply::Shown { list, keys },
        ) => print_list(&list, &keys)?,
        Outcome::Extract(ExtractReply::Renamed(to)) => writeln!(out, "「{to}」に変えました")?,
        Outcome::Extract(ExtractReply::Deleted(name)) => writeln!(out, "「{name}」を削除しました")?,
        other => bail!("内部エラー: 抽出から予期しない結果 {other:?}"),
    }
    Ok(0)
}
