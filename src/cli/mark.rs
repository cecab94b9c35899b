//! `mark`: set, change or clear the mark (除外 / 勧奨対象) of insured persons with a reason
//! category and a comment, and show a person's mark with its history.

use std::io::Write;

use anyhow::{Context, bail};
use clap::Subcommand;

use super::session::Ctx;
use crate::app::Outcome;
use crate::app::domain::marks::{MarkCmd, MarkReply};
use crate::store::marks::{MarkKind, NewMark, Reason};

#[derive(Debug, Subcommand)]
pub enum MarkAction {
    /// 被保険者に印をつける・外す（IDはいくつでも）
    Insured {
        #[arg(required = true)]
        ids: Vec<String>,
        /// 除外（受診勧奨から外す）
        #[arg(long, group = "what")]
        exclude: bool,
        /// 勧奨対象
        #[arg(long, group = "what")]
        target: bool,
        /// 印を外す
        #[arg(long, group = "what")]
        clear: bool,
        /// hospital（入院中）, facility（施設入所）, moving（転出予定）, elsewhere（職場等で受診）, refused（本人の希望）, other（その他）
        #[arg(long)]
        reason: Option<String>,
        /// 備考
        #[arg(long)]
        comment: Option<String>,
    },
    /// 被保険者の印と変更履歴（JSON）
    Show {
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

pub fn run(ctx: &mut Ctx, action: MarkAction) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    match action {
        MarkAction::Insured {
            ids,
            exclude,
            target,
            clear,
            reason,
            comment,
        } => {
            let mark = match (exclude, target, clear) {
                (true, false, false) => Some(MarkKind::Excluded),
                (false, true, false) => Some(MarkKind::Recommend),
                (false, false, true) => None,
                _ => bail!("--exclude、--target、--clear のどれか一つを指定してください"),
            };
            let new = match mark {
                Some(mark) => {
                    let r = reason.context(
                        "--reason で理由を指定してください（hospital, facility, moving, elsewhere, refused, other）",
                    )?;
                    let reason = Reason::from_id(&r).with_context(|| {
                        format!(
                            "理由「{r}」はありません。hospital, facility, moving, elsewhere, refused, other のどれかです"
                        )
                    })?;
                    Some(NewMark {
                        mark,
                        reason,
                        note: comment,
                    })
                }
                None => None,
            };
            let Outcome::Mark(MarkReply::Set {
                what,
                changed,
                asked,
            }) = ctx.execute(MarkCmd::Set { ids, mark: new })?
            else {
                bail!("内部エラー: 印から予期しない結果が返りました");
            };
            writeln!(
                out,
                "{what}: {asked} 人のうち {} 人を変えました",
                changed.len()
            )?;
        }
        MarkAction::Show { ids } => {
            let Outcome::Mark(MarkReply::Shown { marks, history }) =
                ctx.execute(MarkCmd::Show { ids })?
            else {
                bail!("内部エラー: 印から予期しない結果が返りました");
            };
            writeln!(
                out,
                "{}",
                serde_json::json!({"marks": marks, "history": history})
            )?;
        }
    }
    Ok(0)
}
