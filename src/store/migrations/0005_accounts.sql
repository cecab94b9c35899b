-- Accounts and rights (利用者・権限). Times are Unix seconds (UTC). Passwords are argon2id
-- PHC strings; no plaintext password is ever stored.
CREATE TABLE allowed_ids (
    user_id VARCHAR PRIMARY KEY,
    valid_until VARCHAR,
    note VARCHAR,
    created_at BIGINT NOT NULL
);
COMMENT ON TABLE allowed_ids IS '登録を許可する ID（許可リスト）と利用期間';
COMMENT ON COLUMN allowed_ids.valid_until IS '利用期間の終了日（YYYY-MM-DD、空欄は無期限）';

CREATE TABLE users (
    user_id VARCHAR PRIMARY KEY,
    password_hash VARCHAR NOT NULL,
    must_change BOOLEAN NOT NULL,
    password_expires_at BIGINT,
    failed_count INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT,
    suspended BOOLEAN NOT NULL DEFAULT false,
    session_epoch INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    last_login_at BIGINT
);
COMMENT ON TABLE users IS '利用者';
COMMENT ON COLUMN users.password_hash IS 'パスワードのハッシュ（argon2id）';
COMMENT ON COLUMN users.password_expires_at IS '初期パスワードの有効期限（72時間）';
COMMENT ON COLUMN users.session_epoch IS '停止・再発行で増やし、古いセッションを終わらせる';

CREATE TABLE user_groups (
    group_name VARCHAR PRIMARY KEY,
    created_at BIGINT NOT NULL
);
COMMENT ON TABLE user_groups IS 'グループ';

CREATE TABLE group_members (
    group_name VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL,
    PRIMARY KEY (group_name, user_id)
);

CREATE TABLE user_rights (
    user_id VARCHAR NOT NULL,
    right_key VARCHAR NOT NULL,
    PRIMARY KEY (user_id, right_key)
);
COMMENT ON TABLE user_rights IS '利用者ごとの権限';

CREATE TABLE group_rights (
    group_name VARCHAR NOT NULL,
    right_key VARCHAR NOT NULL,
    PRIMARY KEY (group_name, right_key)
);
COMMENT ON TABLE group_rights IS 'グループごとの権限';

CREATE TABLE app_settings (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
COMMENT ON TABLE app_settings IS '管理者設定（画面ロックの分数、出力先フォルダなど）';
