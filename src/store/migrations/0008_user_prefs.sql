-- Per-user preferences (the screen's light or dark look, ...): small key-value pairs kept
-- with the account, set by the user, read at login. No personal data.
CREATE TABLE user_prefs (
    user_id VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    PRIMARY KEY (user_id, key)
);
COMMENT ON TABLE user_prefs IS '利用者ごとの表示設定';
