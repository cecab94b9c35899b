//! `extract`: a search's result kept as a named list (keys only), the lists, a list's
//! keys, lists combined into new ones, a list matched with the recommendation list or a
//! user table (with the match report), and rows taken out of a list with a reason.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;

use super::session::Ctx;
use crate::app::Outcome;
use crate::app::domain::extract::{ExtractCmd, ExtractReply, Keep, SetOp};
use crate::search::Query;
use crate::search::match_sides::{self, Partner};
use crate::search::matching::{MatchKey, MatchOutcome};
use crate::store::extractions::Extraction;

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
    /// リストを受診勧奨対象者リストまたは独自データと突合し、一致（または不一致）を新しいリストにする
    Match {
        name: String,
        /// recommendation または table:独自データ名
        #[arg(long)]
        with: String,
        /// insured_id, kigo_bango, name_birth, kana_birth（カンマ区切りで AND）
        #[arg(long)]
        keys: String,
        /// match（一致を残す）または nonmatch（不一致を残す）
        #[arg(long, default_value = "match")]
        keep: String,
        /// 独自データの列: kigo_bango=記号番号, kana=フリガナ, name=氏名, birth=生年月日, insured_id=…
        #[arg(long = "column", value_name = "FIELD=列名")]
        columns: Vec<String>,
        /// 新しいリストの名前
        #[arg(long = "name")]
        result: String,
        #[arg(long)]
        json: bool,
    },
    /// リストから行を除外する（理由つき）
    Exclude {
        name: String,
        /// 除外する被保険者ID（カンマ区切り）
        #[arg(long)]
        keys: String,
        #[arg(long)]
        reason: String,
    },
}

fn partner(with: &str, columns: &[String]) -> anyhow::Result<Partner> {
    if with == "recommendation" {
        if !columns.is_empty() {
            bail!("--column は独自データとの突合（--with table:名前）でだけ使えます");
        }
        return Ok(Partner::Recommendation);
    }
    let Some(name) = with.strip_prefix("table:") else {
        bail!("--with には recommendation か table:独自データ名 を指定してください（「{with}」）");
    };
    let mut chosen = BTreeMap::new();
    for c in columns {
        let (field, header) = c
            .split_once('=')
            .with_context(|| format!("--column は FIELD=列名 の形にしてください（「{c}」）"))?;
        let f = match_sides::field_from_key(field).with_context(|| {
            format!(
                "--column の「{field}」はありません。insured_id, kigo_bango, name, kana, birth のどれかです"
            )
        })?;
        chosen.insert(f, header.to_string());
    }
    Ok(Partner::UserTable {
        name: name.to_string(),
        columns: chosen,
    })
}

fn report_json(list: &Extraction, keys: &[String], r: &MatchOutcome) -> serde_json::Value {
    serde_json::json!({
        "name": list.name,
        "count": keys.len(),
        "matched": r.matched.len(),
        "unmatched_left": r.unmatched_left.len(),
        "unmatched_right": r.unmatched_right.len(),
        "incomplete_left": r.incomplete_left,
        "incomplete_right": r.incomplete_right,
        "ambiguous": r.ambiguous.iter().map(|a| serde_json::json!({
            "key": a.key,
            "candidates": a.candidates,
            "left": a.left.iter().map(|x| x.id.clone()).collect::<Vec<_>>(),
            "right": a.right.iter().map(|x| x.id.clone()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn print_list(
    list: &Extraction,
    keys: &[String],
    excluded: &[crate::store::extractions::Excluded],
) -> anyhow::Result<()> {
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::json!({"name": list.name, "fy": list.fy, "count": keys.len(), "keys": keys,
                           "excluded": excluded})
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
        (
            None,
            None,
            Some(ExtractAction::Match {
                name,
                with,
                keys,
                keep,
                columns,
                result,
                json,
            }),
        ) => {
            let keep = match keep.as_str() {
                "match" => Keep::Match,
                "nonmatch" => Keep::NonMatch,
                k => bail!("--keep には match か nonmatch を指定してください（「{k}」）"),
            };
            let cmd = ExtractCmd::Match {
                name,
                with: partner(&with, &columns)?,
                keys: MatchKey::parse_list(&keys).map_err(anyhow::Error::msg)?,
                keep,
                result,
            };
            let Outcome::Extract(ExtractReply::Matched {
                list, keys, report, ..
            }) = ctx.execute(cmd)?
            else {
                bail!("内部エラー: 突合から予期しない結果が返りました");
            };
            if json {
                writeln!(out, "{}", report_json(&list, &keys, &report))?;
            } else {
                writeln!(
                    out,
                    "「{}」に {} 件を残しました（一致 {}、リスト側の不一致 {}、相手側の不一致 {}、あいまい {}）",
                    list.name,
                    keys.len(),
                    report.matched.len(),
                    report.unmatched_left.len(),
                    report.unmatched_right.len(),
                    report.ambiguous.len()
                )?;
                for a in &report.ambiguous {
                    writeln!(out, "あいまい: {}（候補 {}）", a.key, a.candidates)?;
                }
            }
            return Ok(0);
        }
        (None, None, Some(ExtractAction::Exclude { name, keys, reason })) => ExtractCmd::Exclude {
            name,
            keys: keys
                .split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
            reason,
        },
        _ => bail!(
            "--query FILE.json --name NAME か、操作（list, show, rename, delete, combine, match, exclude）を指定してください"
        ),
    };
    match ctx.execute(cmd)? {
        Outcome::Extract(ExtractReply::Made { list, keys }) => print_list(&list, &keys, &[])?,
        Outcome::Extract(ExtractReply::Shown {
            list,
            keys,
            excluded,
            ..
        }) => print_list(&list, &keys, &excluded)?,
        Outcome::Extract(ExtractReply::Excluded { list, taken }) => writeln!(
            out,
            "「{}」から {taken} 件を除外しました（残り {} 件）",
            list.name, list.count
        )?,
        Outcome::Extract(ExtractReply::Renamed(to)) => writeln!(out, "「{to}」に変えました")?,
        Outcome::Extract(ExtractReply::Deleted(name)) => writeln!(out, "「{name}」を削除しました")?,
        other => bail!("内部エラー: 抽出から予期しない結果 {other:?}"),
    }
    Ok(0)
}
