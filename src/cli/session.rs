//! The command line's login: every command but `setup` (and `audit verify` of a closed
//! app) runs as `--user ID`, with the password from a prompt (not echoed) or from
//! `KENSHIN_PASSWORD` for scripts. It takes the single-instance lock first, so a CLI
//! command cannot open the database while the app has it. Rights are checked with the
//! same core call as the window's; commands the engine has run through its gate
//! ([`Ctx::execute`]).

use std::path::Path;

use anyhow::{Context, bail};

use crate::audit::{Action, AuditLog, Draft, Outcome};
use crate::auth::{Right, Security, Session, SystemClock};
use crate::os::InstanceLock;
use crate::store::Store;

pub struct Ctx {
    pub store: Store,
    pub audit: AuditLog,
    pub session: Session,
    clock: SystemClock,
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
        let (store, audit, lock) =
            open_locked(data_dir, &format!("利用者 {user}、コマンドライン"))?;
        let clock = SystemClock;
        let sec = Security {
            conn: store.conn(),
            audit: &audit,
            clock: &clock,
        };
        if !sec.is_set_up()? {
            bail!("{}", crate::auth::AuthError::NotSetUp);
        }
        let pw = password_for(&format!("{user} のパスワード: "))?;
        let session = sec.login(user, &pw)?;
        if session.must_change_password {
            bail!(
                "初期パスワードのままです。画面でログインしてパスワードを変更してから使ってください。"
            );
        }
        Ok(Ctx {
            store,
            audit,
            session,
            clock,
            _lock: lock,
        })
    }

    /// The account checks and the session, borrowed together (admin commands).
    pub fn parts(&mut self) -> (Security<'_>, &mut Session) {
        (
            Security {
                conn: self.store.conn(),
                audit: &self.audit,
                clock: &self.clock,
            },
            &mut self.session,
        )
    }

    pub fn security(&self) -> Security<'_> {
        Security {
            conn: self.store.conn(),
            audit: &self.audit,
            clock: &self.clock,
        }
    }

    /// The session holds `right` (else the refusal is logged and returned).
    pub fn require(&mut self, right: Right, action: Action, target: &str) -> anyhow::Result<()> {
        let sec = Security {
            conn: self.store.conn(),
            audit: &self.audit,
            clock: &self.clock,
        };
        sec.require(&mut self.session, right, action, target)?;
        Ok(())
    }

    /// The destination may be written (外部出力 right, allowed folders).
    pub fn require_export(&mut self, path: &Path) -> anyhow::Result<()> {
        let sec = Security {
            conn: self.store.conn(),
            audit: &self.audit,
            clock: &self.clock,
        };
        sec.require_export(&mut self.session, path)?;
        Ok(())
    }

    /// Runs an engine command as the logged-in user, through the window's gate (session,
    /// right, export folder, audit entry): `Err` with the message when it is refused or
    /// fails.
    pub fn execute(&mut self, command: crate::app::Command) -> anyhow::Result<crate::app::Outcome> {
        use crate::app::Outcome;
        match crate::app::engine::execute_as(
            &self.store,
            &self.audit,
            &self.clock,
            &mut self.session,
            command,
            &crate::job::Progress::new(),
        ) {
            Outcome::Denied(m) | Outcome::Failed(m) | Outcome::SessionEnded(m) => bail!("{m}"),
            Outcome::ScreenLocked => bail!("{}", crate::auth::AuthError::ScreenLocked),
            other => Ok(other),
        }
    }

    /// Records a finished action.
    pub fn log(&self, action: Action, target: &str, rows: Option<u64>, result: Outcome) {
        self.log_detail(action, target, rows, result, "");
    }

    /// [`Ctx::log`] with a note (no personal data).
    pub fn log_detail(
        &self,
        action: Action,
        target: &str,
        rows: Option<u64>,
        result: Outcome,
        detail: &str,
    ) {
        let mut d = Draft::new(&self.session.user_id, action, target, result);
        d.rows = rows;
        d.detail = detail.to_string();
        self.audit.record(d);
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        self.security().logout(&self.session);
    }
}
