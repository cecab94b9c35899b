//! User tables (独自データ) under hostile names, through the engine the window uses and
//! through the real binary: a user with only the import right imports tables called
//! `user_rights`, `users`, `insured`, `schema_version`, `main.users` and an SQL injection,
//! with a hostile header too. Each becomes a user table of that display name; every other
//! table keeps its row count and checksum (computed here, table by table, from DuckDB's
//! catalogue), the user gains no right and everyone can still log in. Also: the same name
//! again replaces only that table, names are checked by length only, and a binary file is
//! refused with its name and line.

use kenshin_atlas::app::{AccountCmd, AccountReply, AdminCmd, ImportCmd, ImportReply};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command as Proc;

use duckdb::Connection;
use kenshin_atlas::app::{Command, Engine, Outcome, Secret};
use kenshin_atlas::audit::AuditLog;
use kenshin_atlas::auth::{Right, Role, Security, SystemClock};
use kenshin_atlas::import::{ImportOptions, UserTableOptions, import_file, import_user_table};
use kenshin_atlas::job::Progress;
use kenshin_atlas::store::Store;

use super::common::{ADMIN, ADMIN_PASSWORD, admin_engine, demo};

const IMPORTER: &str = "kato";
const IMPORTER_PASSWORD: &str = "秋の田のかりほの庵の苫をあらみ 1";

/// The tables an import of a user table may change.
const CATALOGUE: [&str; 3] = ["import_history", "user_tables", "user_table_columns"];

/// (display name, CSV text, data rows): each file is what would do harm if its name
/// became a table name in the main schema.
fn hostile() -> Vec<(&'static str, String, u64)> {
    let grant: String = Right::ALL
        .iter()
        .map(|r| format!("{IMPORTER},{}\n", r.key()))
        .collect();
    vec![
        (
            "user_rights",
            format!("user_id,right_key\n{grant}"),
            Right::ALL.len() as u64,
        ),
        (
            "users",
            "user_id,password_hash,must_change,failed_count,suspended,session_epoch,created_at\nkato,x,false,0,false,0,0\n".into(),
            1,
        ),
        ("insured", "insured_id,name\n1,山田\n2,佐藤\n".into(), 2),
        (
            "schema_version",
            "version,name,applied_at\n99,future,2020-01-01\n".into(),
            1,
        ),
        ("main.users", "user_id\nkato\nadmin\n".into(), 2),
        (
            "\"x\"; DROP TABLE users; --",
            "\"x\"\"); DROP TABLE users; --\",b\n1,2\n3,4\n5,6\n".into(),
            3,
        ),
    ]
}

/// Row count and checksum of every table of the main schema. The accounts' last login
/// time is left out: logging in changes it.
fn sums(conn: &Connection) -> BTreeMap<String, (i64, String)> {
    let mut stmt = conn
        .prepare(
            "SELECT table_name FROM duckdb_tables()
             WHERE database_name = current_database() AND schema_name = 'main' ORDER BY 1",
        )
        .unwrap();
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let exclude = if t == "users" {
                "EXCLUDE (last_login_at)"
            } else {
                ""
            };
            let sql = format!(
                "SELECT count(*), coalesce(bit_xor(hash(x)), 0)::VARCHAR FROM (SELECT * {exclude} FROM \"{}\") x",
                t.replace('"', "\"\"")
            );
            let sum = conn
                .query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap();
            (t, sum)
        })
        .collect()
}

/// Every table of `before` but the catalogue has the same rows and checksum in `after`;
/// the new tables are all `ut_<digits>` and there are `new` of them.
fn only_user_tables_changed(
    before: &BTreeMap<String, (i64, String)>,
    after: &BTreeMap<String, (i64, String)>,
    new: usize,
) {
    for (t, sum) in before {
        if CATALOGUE.contains(&t.as_str()) {
            continue;
        }
        assert_eq!(after.get(t), Some(sum), "table {t} changed");
    }
    let added: Vec<&String> = after.keys().filter(|t| !before.contains_key(*t)).collect();
    assert_eq!(added.len(), new, "{added:?}");
    for t in added {
        let digits = t
            .strip_prefix("ut_")
            .unwrap_or_else(|| panic!("new table {t}"));
        assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{t}");
    }
}

fn security<'a>(store: &'a Store, log: &'a AuditLog, clock: &'a SystemClock) -> Security<'a> {
    Security {
        conn: store.conn(),
        audit: log,
        clock,
    }
}

/// Makes `kato`, a user with the import right only, with a changed password.
fn make_importer(sec: &Security) {
    let mut a = sec.login(ADMIN, ADMIN_PASSWORD).unwrap();
    sec.allow_id(&mut a, IMPORTER, None, "").unwrap();
    let initial = sec.register(&mut a, IMPORTER, Role::ViewOnly).unwrap();
    sec.set_user_rights(&mut a, IMPORTER, &[Right::Import].into_iter().collect())
        .unwrap();
    let mut k = sec.login(IMPORTER, &initial).unwrap();
    sec.change_password(&mut k, &initial, IMPORTER_PASSWORD)
        .unwrap();
}

fn only_import() -> BTreeSet<Right> {
    [Right::Import].into_iter().collect()
}

/// The insured register from the demo, so that `insured` holds real rows.
fn import_insured(store: &Store) -> i64 {
    let r = import_file(
        store,
        &demo().file("被保険者台帳.csv"),
        &ImportOptions::default(),
        &Progress::new(),
    )
    .unwrap();
    assert!(r.is_success(), "{}", r.message);
    assert!(r.rows > 100);
    r.rows as i64
}

fn run(e: &mut Engine, c: Command) -> Outcome {
    e.execute(c, &Progress::new())
}

#[test]
fn hostile_table_names_in_the_core_change_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let insured = import_insured(&store);
    let mut e = admin_engine(store, Box::new(SystemClock));
    let clock = SystemClock;
    make_importer(&security(&e.store, &e.audit, &clock));
    match run(
        &mut e,
        Command::from(AccountCmd::Login {
            user: IMPORTER.into(),
            password: Secret(IMPORTER_PASSWORD.into()),
        }),
    ) {
        Outcome::Account(AccountReply::LoggedIn(_)) => {}
        o => panic!("{o:?}"),
    }
    let sec = security(&e.store, &e.audit, &clock);
    assert_eq!(sec.effective_rights(IMPORTER).unwrap(), only_import());
    let before = sums(e.store.conn());
    assert_eq!(before["insured"].0, insured);

    let cases = hostile();
    for (i, (name, text, rows)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("表{i}.csv"));
        std::fs::write(&file, text).unwrap();
        match run(
            &mut e,
            Command::from(ImportCmd::ImportTable {
                file,
                opts: UserTableOptions {
                    name: name.to_string(),
                    ..Default::default()
                },
            }),
        ) {
            Outcome::Import(ImportReply::TableImported(r)) => {
                assert_eq!(r.table, *name);
                assert_eq!(r.rows, *rows, "{name}");
            }
            o => panic!("{name}: {o:?}"),
        }
    }
    let last = &cases[5];
    // The hostile header is a column's name as data.
    let header: String = e
        .store
        .conn()
        .query_row(
            "SELECT c.name FROM user_table_columns c JOIN user_tables t USING (table_id)
             WHERE t.name = ? AND c.col_no = 1",
            [last.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(header, "x\"); DROP TABLE users; --");

    let after = sums(e.store.conn());
    only_user_tables_changed(&before, &after, cases.len());
    // No right gained: not in the tables, not in a running session.
    assert_eq!(
        security(&e.store, &e.audit, &clock)
            .effective_rights(IMPORTER)
            .unwrap(),
        only_import()
    );
    assert!(matches!(
        run(
            &mut e,
            Command::from(AdminCmd::Users {
                search: String::new()
            })
        ),
        Outcome::Denied(_)
    ));
    // Listed by display name, apart from the data tables.
    let stats = e.store.stats().unwrap();
    let want: BTreeMap<String, i64> = cases
        .iter()
        .map(|(n, _, r)| (n.to_string(), *r as i64))
        .collect();
    assert_eq!(stats.user_tables, want);
    assert_eq!(stats.tables["insured"], insured);
    // Everyone can still log in, and the database opens at its own schema version.
    let sec = security(&e.store, &e.audit, &clock);
    sec.login(ADMIN, ADMIN_PASSWORD).unwrap();
    sec.login(IMPORTER, IMPORTER_PASSWORD).unwrap();
    drop(e);
    let store = Store::open(&dir.path().join("data")).unwrap();
    assert_eq!(
        kenshin_atlas::store::schema_version(store.conn()).unwrap(),
        kenshin_atlas::store::LATEST_VERSION
    );
}

#[test]
fn the_same_name_again_replaces_that_table_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let import = |file: &Path, name: &str| {
        import_user_table(
            &store,
            file,
            &UserTableOptions {
                name: name.into(),
                ..Default::default()
            },
            &Progress::new(),
        )
    };
    let first = write(
        "会場1.csv",
        "会場,定員\n中央公民館,40\n西小学校,30\n東体育館,120\n",
    );
    let other = write("機関.csv", "機関,電話\n奈良病院,0742-00-0000\n");
    import(&first, "健診会場").unwrap();
    import(&other, "機関一覧").unwrap();
    let before = sums(store.conn());
    let second = write(
        "会場2.csv",
        "会場,開設日\n北公民館,2021/04/01\n南集会所,令和3年5月6日\n",
    );
    let r = import(&second, " 健診会場 ").unwrap();
    assert_eq!(r.table, "健診会場");
    assert_eq!(
        r.columns,
        [
            ("会場".to_string(), "VARCHAR".to_string()),
            ("開設日".to_string(), "DATE".to_string())
        ]
    );
    let after = sums(store.conn());
    // One ut_ table went, one came; all else is as it was.
    let gone: Vec<&String> = before.keys().filter(|t| !after.contains_key(*t)).collect();
    assert_eq!(gone.len(), 1, "{gone:?}");
    let kept: BTreeMap<String, (i64, String)> = before
        .iter()
        .filter(|(t, _)| !gone.contains(t))
        .map(|(t, s)| (t.clone(), s.clone()))
        .collect();
    only_user_tables_changed(&kept, &after, 1);
    let stats = store.stats().unwrap();
    assert_eq!(
        stats.user_tables,
        [("健診会場".to_string(), 2), ("機関一覧".to_string(), 1)]
            .into_iter()
            .collect()
    );
    let id: i64 = store
        .conn()
        .query_row(
            "SELECT table_id FROM user_tables WHERE name = '健診会場'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let dates: Vec<String> = store
        .conn()
        .prepare(&format!(
            "SELECT strftime(c2, '%Y-%m-%d') FROM ut_{id} ORDER BY 1"
        ))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(dates, ["2021-04-01", "2021-05-06"]);

    // Names: empty or longer than 100 characters is refused, in Japanese, naming the file.
    for bad in ["", "　 ", &"長".repeat(101)] {
        let e = import(&second, bad).unwrap_err().to_string();
        assert!(
            e.contains("会場2.csv") && e.contains("独自データの名前"),
            "{e}"
        );
    }
    import(&second, &"長".repeat(100)).unwrap();
    assert_eq!(store.stats().unwrap().user_tables.len(), 3);
}

/// A small deterministic generator (xorshift) for the random-bytes fixture.
fn random_bytes(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn a_binary_file_is_refused_as_a_user_table() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let random = dir.path().join("乱数.csv");
    std::fs::write(&random, random_bytes(64 * 1024, 0x9E37_79B9_7F4A_7C15)).unwrap();
    // A font file under a CSV name: a real binary file.
    let font = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts/ipaexg.ttf"))
        .unwrap();
    let renamed = dir.path().join("会場一覧.csv");
    std::fs::write(&renamed, &font[..64 * 1024]).unwrap();
    let before = sums(store.conn());
    for (file, name) in [(&random, "乱数.csv"), (&renamed, "会場一覧.csv")] {
        for header_row in [None, Some(1)] {
            let e = import_user_table(
                &store,
                file,
                &UserTableOptions {
                    name: "会場".into(),
                    header_row,
                    ..Default::default()
                },
                &Progress::new(),
            )
            .unwrap_err()
            .to_string();
            assert!(
                e.contains(name) && e.contains("行目") && e.contains("文字として読めない"),
                "{e}"
            );
        }
    }
    assert_eq!(sums(store.conn()), before);
    assert!(store.stats().unwrap().user_tables.is_empty());
}

fn cli(data: &Path, user: &str, pw: &str, args: &[&str]) -> std::process::Output {
    Proc::new(env!("CARGO_BIN_EXE_kenshin-atlas"))
        .env_remove("KENSHIN_PASSWORD")
        .arg("--data-dir")
        .arg(data)
        .args(["--user", user])
        .env("KENSHIN_PASSWORD", pw)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn hostile_table_names_on_the_cli_change_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let insured;
    let before;
    {
        let store = Store::open(&data).unwrap();
        insured = import_insured(&store);
        let log = AuditLog::open(&data).unwrap();
        let clock = SystemClock;
        let sec = security(&store, &log, &clock);
        sec.setup(ADMIN, ADMIN_PASSWORD).unwrap();
        make_importer(&sec);
        before = sums(store.conn());
    }
    let cases = hostile();
    for (i, (name, text, rows)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("表{i}.csv"));
        std::fs::write(&file, text).unwrap();
        let out = cli(
            &data,
            IMPORTER,
            IMPORTER_PASSWORD,
            &[
                "import",
                file.to_str().unwrap(),
                "--kind",
                "table",
                "--name",
                name,
            ],
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("独自データ「{name}」を {rows} 行で作成")),
            "{stdout}"
        );
    }
    // Refused names, in Japanese.
    let file = dir.path().join("表0.csv");
    for bad in ["", &"長".repeat(101)] {
        let out = cli(
            &data,
            IMPORTER,
            IMPORTER_PASSWORD,
            &[
                "import",
                file.to_str().unwrap(),
                "--kind",
                "table",
                "--name",
                bad,
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("独自データの名前"));
    }
    // The admin can still log in; stats --json lists the user tables by display name.
    let out = cli(&data, ADMIN, ADMIN_PASSWORD, &["stats", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (name, _, rows) in &cases {
        assert_eq!(json["user_tables"][name], *rows, "{name}: {json}");
    }
    assert_eq!(json["tables"]["insured"], insured);

    let store = Store::open(&data).unwrap();
    let after = sums(store.conn());
    only_user_tables_changed(&before, &after, cases.len());
    let log = AuditLog::open(&data).unwrap();
    let clock = SystemClock;
    let sec = security(&store, &log, &clock);
    assert_eq!(sec.effective_rights(IMPORTER).unwrap(), only_import());
    sec.login(IMPORTER, IMPORTER_PASSWORD).unwrap();
}
