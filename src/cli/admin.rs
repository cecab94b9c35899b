//! `setup`, `user …` and `audit …`: first setup, the admin's user management for scripts,
//! and the audit log's verification and export.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::bail;
use clap::Subcommand;

use super::session::{Ctx, open_locked, password_for};
use crate::app::{AdminCmd, AdminOp, AdminReply, Outcome};
use crate::audit::Action;
use crate::auth::{Right, Role, Security, SystemClock};

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// 許可リストに ID を登録する（利用期間は YYYY-MM-DD、省略で無期限）
    Allow {
        id: String,
        #[arg(long)]
        until: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 許可リストの ID を利用者として登録し、初期パスワードを表示する
    Register {
        id: String,
        /// admin / analyst / viewer
        #[arg(long, default_value = "analyst")]
        role: String,
    },
    /// 利用を停止する（ログイン中なら直ちに終了）
    Suspend { id: String },
    /// 停止を解除する
    Resume { id: String },
    /// ロックを解除する
    Unlock { id: String },
    /// 初期パスワードを再発行する
    Reset { id: String },
    /// 利用者を削除する
    Delete { id: String },
    /// 利用者の権限を置き換える（view_personal,import,edit,export,export_removable,print,manage_layers,manage_users,backup,view_audit）
    Rights {
        id: String,
        #[arg(long, value_delimiter = ',')]
        rights: Vec<String>,
    },
    /// グループを作る・変える（権限と所属者。利用者の実効権限は本人とグループの和）
    Group {
        name: String,
        #[arg(long, value_delimiter = ',')]
        rights: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        members: Vec<String>,
    },
    /// グループを停止する（再開するまで、そのグループの権限は働かない）
    GroupSuspend { name: String },
    /// グループの停止を解除する
    GroupResume { name: String },
    /// グループを削除する（利用者は残る）
    GroupDelete { name: String },
    /// グループの一覧（名前で検索）
    Groups {
        #[arg(long, default_value = "")]
        search: String,
    },
    /// 利用者の一覧
    List {
        #[arg(long, default_value = "")]
        search: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// 利用ログの改ざんを検査する（鍵とヘッドで連鎖を確かめ、最初に壊れた記録を示す）
    Verify,
    /// 利用ログを CSV に書き出す（外部出力として記録）
    Export {
        #[arg(long)]
        out: PathBuf,
        /// この利用者の記録だけ
        #[arg(long)]
        of: Option<String>,
        /// 期間（YYYY-MM-DD、現地時刻）
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
}

/// `setup --admin ID`: the first admin, with a password typed twice (or
/// `KENSHIN_PASSWORD`).
pub fn setup(data_dir: &Path, admin: &str) -> anyhow::Result<i32> {
    let (store, audit, _lock) = open_locked(data_dir, "初期設定、コマンドライン")?;
    let clock = SystemClock;
    let sec = Security {
        conn: store.conn(),
        audit: &audit,
        clock: &clock,
    };
    if sec.is_set_up()? {
        bail!("{}", crate::auth::AuthError::AlreadySetUp);
    }
    let pw = password_for(&format!("管理者 {admin} のパスワード（13 文字以上）: "))?;
    if std::env::var_os("KENSHIN_PASSWORD").is_none() {
        let again = password_for("もう一度: ")?;
        if again != pw {
            bail!("二つのパスワードが違います。もう一度やり直してください。");
        }
    }
    sec.setup(admin, &pw)?;
    if let Err(e) = crate::os::restrict_dir(data_dir) {
        eprintln!("注意: {e}");
    }
    eprintln!("管理者 {admin} を作りました。");
    if let Some(recovery) = crate::backup::keys::init(data_dir)? {
        eprintln!(
            "バックアップの復旧鍵です。この一度しか表示しません。印刷して金庫などに保管してください（別のマシンへの復元と、標準の age での復号に使います）:"
        );
        writeln!(std::io::stdout().lock(), "{recovery}")?;
    }
    Ok(0)
}

/// `backup [--out DIR] [--keep N]` (the 「バックアップ・復元」 right, through the engine).
pub fn backup(ctx: &mut Ctx, out: Option<PathBuf>, keep: Option<usize>) -> anyhow::Result<i32> {
    let Outcome::Admin(AdminReply::BackupDone(rep)) =
        ctx.execute(AdminCmd::Backup { dir: out, keep })?
    else {
        bail!("内部エラー: バックアップから予期しない結果が返りました");
    };
    writeln!(
        std::io::stdout().lock(),
        "{}（{} バイト、{} テーブル {} 行、検証済み）。古い世代を {} 件削除しました。",
        rep.file.display(),
        rep.bytes,
        rep.tables,
        rep.rows,
        rep.removed.len()
    )?;
    if rep.recovery_missing {
        eprintln!(
            "注意: 復旧鍵がないため、このバックアップはこのマシンでしか復元できません。`kenshin-atlas recovery-key` で作ってください。"
        );
    }
    Ok(0)
}

/// `recovery-key`: a new backup recovery key (「バックアップ・復元」 right, through the
/// engine's gate), printed once on stdout.
pub fn recovery_key(ctx: &mut Ctx) -> anyhow::Result<i32> {
    match ctx.execute(AdminCmd::RenewRecoveryKey)? {
        Outcome::Admin(AdminReply::RecoveryKey(k)) => {
            eprintln!(
                "新しい復旧鍵です。この一度しか表示しません。印刷して金庫などに保管してください（別のマシンへの復元と、標準の age での復号に使います）:"
            );
            writeln!(std::io::stdout().lock(), "{k}")?;
            Ok(0)
        }
        _ => bail!("内部エラー: 復旧鍵の作成から予期しない結果が返りました"),
    }
}

/// `restore FILE [--recovery-key FILE] --user ID`: decrypt, check, authenticate the user
/// against the accounts inside the backup (「バックアップ・復元」 right), then switch over.
/// Works on an empty data folder. The restore is written to this folder's audit log,
/// which is never rolled back.
pub fn restore(
    data_dir: &Path,
    user: Option<&str>,
    file: &Path,
    recovery: Option<&Path>,
) -> anyhow::Result<i32> {
    use crate::backup::restore;
    let Some(user) = user else {
        bail!(
            "--user ID（バックアップの中の、バックアップ・復元の権限を持つ利用者）を指定してください。"
        );
    };
    let _lock = crate::os::InstanceLock::acquire(data_dir, &format!("利用者 {user}、復元"))?;
    std::fs::create_dir_all(data_dir)?;
    let audit = crate::audit::AuditLog::open(data_dir)?;
    let target = file.display().to_string();
    let fail = |why: &str| {
        audit.record(
            crate::audit::Draft::new(user, Action::Restore, &target, crate::audit::Outcome::Error)
                .detail(why),
        );
    };
    let started = std::time::Instant::now();
    let staged = match restore::stage(file, data_dir, recovery) {
        Ok(s) => s,
        Err(e) => {
            fail("verify");
            return Err(e.into());
        }
    };
    {
        let conn = duckdb::Connection::open(staged.db_path())?;
        let clock = SystemClock;
        let sec = Security {
            conn: &conn,
            audit: &audit,
            clock: &clock,
        };
        let pw = password_for(&format!("{user} のパスワード（バックアップ時点のもの）: "))?;
        let mut s = match sec.login(user, &pw) {
            Ok(s) => s,
            Err(e) => {
                fail("login");
                return Err(e.into());
            }
        };
        if let Err(e) = sec.require(&mut s, Right::Backup, Action::Restore, &target) {
            return Err(e.into());
        }
    }
    let manifest = staged.commit()?;
    let rows: i64 = manifest.tables.values().map(|t| t.rows).sum();
    audit.record(
        crate::audit::Draft::new(user, Action::Restore, &target, crate::audit::Outcome::Ok)
            .rows(rows as u64)
            .detail(format!(
                "backup {} by {}; audit head then seq {}",
                manifest.created_utc, manifest.created_by, manifest.audit_head.seq
            )),
    );
    eprintln!(
        "復元しました: {}（{} 作成、{} テーブル {} 行を目録と照合済み、{:.1} 秒）",
        file.display(),
        manifest.created_utc,
        manifest.tables.len(),
        rows,
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

fn rights(keys: &[String]) -> anyhow::Result<std::collections::BTreeSet<Right>> {
    keys.iter()
        .filter(|k| !k.trim().is_empty())
        .map(|k| {
            Right::from_key(k.trim()).ok_or_else(|| {
                let all: Vec<&str> = Right::ALL.iter().map(|r| r.key()).collect();
                anyhow::anyhow!(
                    "権限「{k}」はありません。次から選んでください: {}",
                    all.join(", ")
                )
            })
        })
        .collect()
}

fn role(s: &str) -> anyhow::Result<Role> {
    Ok(match s {
        "admin" => Role::Admin,
        "analyst" => Role::Analyst,
        "viewer" => Role::ViewOnly,
        _ => bail!("--role は admin / analyst / viewer のいずれかです"),
    })
}

/// `user …`: the admin's changes, each an [`AdminOp`] through the engine (利用者の管理).
pub fn user(ctx: &mut Ctx, cmd: UserCmd) -> anyhow::Result<i32> {
    let op = match cmd {
        UserCmd::Allow { id, until, note } => AdminOp::Allow {
            id,
            valid_until: until,
            note,
        },
        UserCmd::Register { id, role: r } => AdminOp::Register {
            id,
            role: role(&r)?,
        },
        UserCmd::Suspend { id } => AdminOp::Suspend(id),
        UserCmd::Resume { id } => AdminOp::Resume(id),
        UserCmd::Unlock { id } => AdminOp::Unlock(id),
        UserCmd::Reset { id } => AdminOp::ResetPassword(id),
        UserCmd::Delete { id } => AdminOp::Delete(id),
        UserCmd::Rights { id, rights: r } => AdminOp::SetRights {
            id,
            rights: rights(&r)?,
        },
        UserCmd::Group {
            name,
            rights: r,
            members,
        } => AdminOp::SetGroup {
            name,
            rights: rights(&r)?,
            members,
        },
        UserCmd::GroupSuspend { name } => AdminOp::SuspendGroup(name),
        UserCmd::GroupResume { name } => AdminOp::ResumeGroup(name),
        UserCmd::GroupDelete { name } => AdminOp::DeleteGroup(name),
        UserCmd::Groups { search } => {
            let Outcome::Admin(AdminReply::Groups(groups)) =
                ctx.execute(AdminCmd::Groups { search })?
            else {
                bail!("内部エラー: グループの一覧から予期しない結果が返りました");
            };
            let mut out = std::io::stdout().lock();
            writeln!(out, "グループ\t状態\t権限\t所属")?;
            for g in groups {
                let rights: Vec<&str> = g.rights.iter().map(|r| r.key()).collect();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    g.name,
                    if g.suspended { "停止中" } else { "有効" },
                    rights.join(","),
                    g.members.join(",")
                )?;
            }
            return Ok(0);
        }
        UserCmd::List { search } => {
            let Outcome::Admin(AdminReply::Users(users)) =
                ctx.execute(AdminCmd::Users { search })?
            else {
                bail!("内部エラー: 利用者の一覧から予期しない結果が返りました");
            };
            let mut out = std::io::stdout().lock();
            writeln!(out, "ID\t状態\t権限\tグループ\t利用期間")?;
            for u in users {
                let state = u.state_label();
                let rights: Vec<&str> = u.rights.iter().map(|r| r.key()).collect();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    u.user_id,
                    state,
                    rights.join(","),
                    u.groups.join(","),
                    u.valid_until.unwrap_or_default()
                )?;
            }
            return Ok(0);
        }
    };
    let Outcome::Admin(AdminReply::Done { message, .. }) = ctx.execute(AdminCmd::Op(op))? else {
        bail!("内部エラー: 管理者設定から予期しない結果が返りました");
    };
    writeln!(std::io::stdout().lock(), "{message}")?;
    Ok(0)
}

pub fn audit(ctx: &mut Ctx, cmd: AuditCmd) -> anyhow::Result<i32> {
    match cmd {
        AuditCmd::Verify => {
            let Outcome::Admin(AdminReply::AuditVerified(report)) =
                ctx.execute(AdminCmd::VerifyAudit)?
            else {
                bail!("内部エラー: 利用ログの検査から予期しない結果が返りました");
            };
            if report.ok() {
                writeln!(std::io::stdout().lock(), "{}", report.message())?;
                Ok(0)
            } else {
                eprintln!("{}", report.message());
                Ok(1)
            }
        }
        AuditCmd::Export { out, of, from, to } => {
            let filter = crate::audit::Filter {
                user: of,
                from,
                to,
                ..Default::default()
            };
            // The engine checks 利用ログの閲覧, 外部出力 and the folder, and logs the export.
            match ctx.execute(AdminCmd::ExportAudit { filter, path: out })? {
                Outcome::Admin(AdminReply::Exported { path, rows }) => {
                    eprintln!("{rows} 件を {} に書き出しました", path.display());
                    Ok(0)
                }
                other => bail!("内部エラー: 予期しない結果 {other:?}"),
            }
        }
    }
}
