//! The command line's login: every command but `setup` (and `audit verify` of a closed
//! app) runs as `--user ID`, with the password from a prompt (not echoed) or from
//! `KENSHIN_PASSWORD` for scripts. It takes the single-instance lock first, so a CLI
//! command cannot open the database while the app has it. Rights are checked with the
//! same engine as the window's ([`Ctx::execute`]), which checks the right and writes the
//! audit entry.

use std::path::Path;

use anyhow::{Context, bail};

use crate::app::{AccountCmd, AccountReply, Command, Engine, Outcome, Secret};
use crate::audit::AuditLog;
use crate::auth::SystemClock;
use crate::os::InstanceLock;
use crate::store::Store;

pub struct Ctx {
    /// The same engine the window's worker owns: every command goes through its gate and
    /// its audit entry.
    pub engine: Engine,
    _lock: InstanceLock,
}

/// The password for `user`: `KENSHIN_PASSWORD`, else a prompt on the terminal.
pub fn password_for(prompt: &str) -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("KENSHIN_PASSWORD") {
        return Ok(p);
    }
    rpassword::prompt_password(prompt)
        .context("パスワードを読めません（端末がないときは KENSHIN_PASSWORD を使ってください）")
}

/// Opens the store and the audit log under the single-instance lock.
pub fn open_locked(data_dir: &Path, what: &str) -> anyhow::Result<(Store, AuditLog, InstanceLock)> {
    let lock = InstanceLock::acquire(data_dir, what)?;
    let store = Store::open(data_dir)?;
    crate::import::profile::install_defaults(&crate::import::profile::profiles_dir(data_dir))
        .with_context(|| format!("{} に既定のプロファイルを書けません", data_dir.display()))?;
    let audit = AuditLog::open(data_dir)?;
    Ok((store, audit, lock))
}

impl Ctx {
    /// Logs `user` in (the ID is required).
    pub fn login(data_dir: &Path, user: Option<&str>) -> anyhow::Result<Ctx> {
        let Some(user) = user else {
            bail!(
                "--user ID（利用者 ID）を指定してください。パスワードは入力を求めるか、KENSHIN_PASSWORD から読みます。"
            );
        };
        let (store, _audit, lock) =
            open_locked(data_dir, &format!("利用者 {user}、コマンドライン"))?;
        let mut ctx = Ctx {
            engine: Engine::with_store(store, Box::new(SystemClock))?,
            _lock: lock,
        };
        if !ctx.engine.security().is_set_up()? {
            bail!("{}", crate::auth::AuthError::NotSetUp);
        }
        let pw = password_for(&format!("{user} のパスワード: "))?;
        let login = AccountCmd::Login {
            user: user.to_string(),
            password: Secret(pw),
        };
        match ctx.execute(login)? {
            Outcome::Account(AccountReply::LoggedIn(info)) if info.must_change_password => bail!(
                "初期パスワードのままです。画面でログインしてパスワードを変更してから使ってください。"
            ),
            Outcome::Account(AccountReply::LoggedIn(_)) => Ok(ctx),
            Outcome::Account(AccountReply::AuthFailed(e)) => Err(e.into()),
            other => bail!("内部エラー: ログインから予期しない結果 {other:?}"),
        }
    }

    /// Whether the logged-in user holds `right` (the engine checks again).
    pub fn holds(&self, right: crate::auth::Right) -> bool {
        self.engine
            .session()
            .is_some_and(|s| s.rights.contains(&right))
    }

    /// Runs a command as the logged-in user, through the engine's gate (session, right,
    /// export folder) and audit entry: `Err` with the message (and the place in a file)
    /// when it is refused or fails.
    pub fn execute(&mut self, command: impl Into<Command>) -> anyhow::Result<Outcome> {
        match self.engine.execute(command, &crate::job::Progress::new()) {
            // The message only: it already names the cause (main prints an error's
            // chain, which would repeat it).
            Outcome::Failed(e) => bail!("{}", e.with_location()),
            o @ (Outcome::Denied(_) | Outcome::SessionEnded(_) | Outcome::ScreenLocked) => {
                bail!("{}", o.problem().unwrap_or_default())
            }
            other => Ok(other),
        }
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        let _ = self
            .engine
            .execute(AccountCmd::Logout, &crate::job::Progress::new());
    }
}
