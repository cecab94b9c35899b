//! First setup, login with lockout, screen unlock, logout and password change.
//!
//! Lockout: 5 failures in a row lock the ID for 15 minutes (or until an admin unlocks
//! it); counted per ID. While locked even the right password is refused. An unknown ID
//! is checked against a decoy hash so it takes as long as a wrong password, and it gets
//! the same message.

use std::collections::BTreeSet;

use duckdb::{OptionalExt, params};

use super::rights::{Right, Role};
use super::session::Session;
use super::{AuthError, Security, password, valid_id};
use crate::audit::{Action, Draft, Outcome};

pub const MAX_FAILURES: i64 = 5;
pub const LOCK_SECS: i64 = 15 * 60;
/// Initial passwords set by an admin expire after 72 hours.
pub const INITIAL_SECS: i64 = 72 * 3600;

struct UserRow {
    hash: String,
    must_change: bool,
    expires_at: Option<i64>,
    failed: i64,
    locked_until: Option<i64>,
    suspended: bool,
    epoch: i64,
    valid_until: Option<String>,
}

impl Security<'_> {
    /// Whether the first admin exists.
    pub fn is_set_up(&self) -> Result<bool, AuthError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        Ok(n > 0)
    }

    /// Creates the first admin (allow-listed, every right) with the password they chose.
    pub fn setup(&self, admin_id: &str, new_password: &str) -> Result<(), AuthError> {
        if !valid_id(admin_id) {
            return Err(AuthError::BadId);
        }
        if self.is_set_up()? {
            return Err(AuthError::AlreadySetUp);
        }
        password::check_policy(new_password, admin_id)?;
        let hash = password::hash(new_password)?;
        let now = self.clock.now();
        crate::store::in_transaction(self.conn, || -> Result<(), AuthError> {
            self.conn.execute(
                "INSERT INTO allowed_ids (user_id, valid_until, note, created_at) VALUES (?, NULL, '初期設定', ?)",
                params![admin_id, now],
            )?;
            self.conn.execute(
                "INSERT INTO users (user_id, password_hash, must_change, created_at) VALUES (?, ?, false, ?)",
                params![admin_id, hash, now],
            )?;
            for r in Role::Admin.rights() {
                self.conn.execute(
                    "INSERT INTO user_rights (user_id, right_key) VALUES (?, ?)",
                    params![admin_id, r.key()],
                )?;
            }
            Ok(())
        })?;
        self.log(Draft::new(admin_id, Action::Setup, admin_id, Outcome::Ok));
        Ok(())
    }

    fn user_row(&self, id: &str) -> Result<Option<UserRow>, AuthError> {
        Ok(self
            .conn
            .query_row(
                "SELECT u.password_hash, u.must_change, u.password_expires_at, u.failed_count,
                        u.locked_until, u.suspended, u.session_epoch, a.valid_until
                 FROM users u LEFT JOIN allowed_ids a USING (user_id) WHERE u.user_id = ?",
                params![id],
                |r| {
                    Ok(UserRow {
                        hash: r.get(0)?,
                        must_change: r.get(1)?,
                        expires_at: r.get(2)?,
                        failed: r.get(3)?,
                        locked_until: r.get(4)?,
                        suspended: r.get(5)?,
                        epoch: r.get(6)?,
                        valid_until: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    /// Effective rights: the user's own plus those of every group they are in that is not
    /// suspended.
    pub fn effective_rights(&self, id: &str) -> Result<BTreeSet<Right>, AuthError> {
        let mut stmt = self.conn.prepare(
            "SELECT right_key FROM user_rights WHERE user_id = ?
             UNION SELECT g.right_key FROM group_rights g
                   JOIN group_members m USING (group_name)
                   JOIN user_groups ug USING (group_name)
                   WHERE m.user_id = ? AND NOT coalesce(ug.suspended, false)",
        )?;
        let keys = stmt.query_map(params![id, id], |r| r.get::<_, String>(0))?;
        let mut out = BTreeSet::new();
        for k in keys {
            if let Some(r) = Right::from_key(&k?) {
                out.insert(r);
            }
        }
        Ok(out)
    }

    /// Logs in. The same error for an unknown ID and a wrong password.
    pub fn login(&self, id: &str, pw: &str) -> Result<Session, AuthError> {
        let now = self.clock.now();
        let id = id.trim();
        let Some(u) = (if valid_id(id) {
            self.user_row(id)?
        } else {
            None
        }) else {
            let _ = password::verify(pw, password::decoy_hash());
            self.log(Draft::new("", Action::LoginFailed, "", Outcome::Denied).detail("unknown_id"));
            return Err(AuthError::BadCredentials);
        };
        if let Some(until) = u.locked_until
            && until > now
        {
            self.log(Draft::new(id, Action::LoginFailed, id, Outcome::Denied).detail("locked"));
            return Err(AuthError::Locked {
                minutes: ((until - now) + 59) / 60,
            });
        }
        if !password::verify(pw, &u.hash) {
            let failed = u.failed + 1;
            if failed >= MAX_FAILURES {
                self.conn.execute(
                    "UPDATE users SET failed_count = 0, locked_until = ? WHERE user_id = ?",
                    params![now + LOCK_SECS, id],
                )?;
                self.log(
                    Draft::new(id, Action::LoginFailed, id, Outcome::Denied)
                        .detail("wrong_password"),
                );
                self.log(Draft::new(id, Action::AccountLocked, id, Outcome::Ok));
            } else {
                self.conn.execute(
                    "UPDATE users SET failed_count = ? WHERE user_id = ?",
                    params![failed, id],
                )?;
                self.log(
                    Draft::new(id, Action::LoginFailed, id, Outcome::Denied)
                        .detail("wrong_password"),
                );
            }
            return Err(AuthError::BadCredentials);
        }
        // The password is right: now the account's state may be told.
        let refuse = |e: AuthError, why: &str| {
            self.log(Draft::new(id, Action::LoginFailed, id, Outcome::Denied).detail(why));
            Err(e)
        };
        if u.suspended {
            return refuse(AuthError::Suspended, "suspended");
        }
        let today = super::session::local_day(now);
        if let Some(until) = &u.valid_until
            && until.as_str() < today.as_str()
        {
            return refuse(AuthError::PeriodOver(until.clone()), "period_over");
        }
        if u.must_change && u.expires_at.is_some_and(|t| t <= now) {
            return refuse(AuthError::InitialExpired, "initial_expired");
        }
        self.conn.execute(
            "UPDATE users SET failed_count = 0, locked_until = NULL, last_login_at = ? WHERE user_id = ?",
            params![now, id],
        )?;
        self.log(Draft::new(id, Action::Login, id, Outcome::Ok));
        Ok(Session {
            user_id: id.to_string(),
            rights: self.effective_rights(id)?,
            must_change_password: u.must_change,
            started_at: now,
            last_activity: now,
            epoch: u.epoch,
            locked: false,
        })
    }

    /// Unlocks an idle-locked screen with the user's password; the session resumes where
    /// it was. Failures count toward the lockout like a login.
    pub fn resume(&self, session: &mut Session, pw: &str) -> Result<(), AuthError> {
        let fresh = self.login(&session.user_id, pw)?;
        if fresh.epoch != session.epoch {
            return Err(AuthError::SessionEnded("パスワードの再発行".into()));
        }
        session.locked = false;
        session.last_activity = self.clock.now();
        session.rights = fresh.rights;
        self.alive(session)
    }

    pub fn logout(&self, session: &Session) {
        self.log(Draft::new(
            &session.user_id,
            Action::Logout,
            &session.user_id,
            Outcome::Ok,
        ));
    }

    /// Changes the session user's password (the old one is checked again).
    pub fn change_password(
        &self,
        session: &mut Session,
        old: &str,
        new: &str,
    ) -> Result<(), AuthError> {
        let Some(u) = self.user_row(&session.user_id)? else {
            return Err(AuthError::NotFound(session.user_id.clone()));
        };
        if !password::verify(old, &u.hash) {
            self.log(
                Draft::new(
                    &session.user_id,
                    Action::PasswordChanged,
                    &session.user_id,
                    Outcome::Denied,
                )
                .detail("wrong_password"),
            );
            return Err(AuthError::BadCredentials);
        }
        password::check_policy(new, &session.user_id)?;
        if password::verify(new, &u.hash) {
            return Err(password::PolicyError::Common.into());
        }
        let hash = password::hash(new)?;
        self.conn.execute(
            "UPDATE users SET password_hash = ?, must_change = false, password_expires_at = NULL WHERE user_id = ?",
            params![hash, session.user_id],
        )?;
        session.must_change_password = false;
        session.last_activity = self.clock.now();
        self.log(Draft::new(
            &session.user_id,
            Action::PasswordChanged,
            &session.user_id,
            Outcome::Ok,
        ));
        Ok(())
    }
}
