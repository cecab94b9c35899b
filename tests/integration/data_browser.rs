//! The data browser (データの検索・追加・削除) on the demo's real files: filters and sorts
//! against the raw CSV; a row typed by hand is read as an import reads it and refused
//! with the column named when it does not read; a hand-added row survives a re-import
//! (of a keyed master and of a period); a hand edit of an imported row is replaced by the
//! re-import and the history shows both; a deletion is counted against its import; a row
//! changed since it was shown is not overwritten.

use std::collections::HashMap;
use std::path::Path;

use kenshin_atlas::app::domain::data::{DataCmd, DataReply};
use kenshin_atlas::app::{Command, Engine, Outcome};
use kenshin_atlas::auth::SystemClock;
use kenshin_atlas::import::{ImportOptions, import_file};
use kenshin_atlas::job::Progress;
use kenshin_atlas::store::data_rows::{Browse, DataRow, DataTable, Page};
use kenshin_atlas::store::kinds::Kind;
use kenshin_atlas::store::{ImportResult, Store};

use super::common::{admin_engine, demo};
use super::raw_demo;

fn exec(e: &mut Engine, c: DataCmd) -> Outcome {
    e.execute(Command::from(c), &Progress::new())
}

fn page(e: &mut Engine, t: DataTable, b: Browse) -> Page {
    match exec(
        e,
        DataCmd::Browse {
            table: t,
            browse: b,
        },
    ) {
        Outcome::Data(DataReply::Page { page, .. }) => page,
        o => panic!("{o:?}"),
    }
}

fn all(e: &mut Engine, t: DataTable) -> Vec<DataRow> {
    page(
        e,
        t,
        Browse {
            limit: 10_000,
            ..Default::default()
        },
    )
    .rows
}

/// Imports `file` again as another export of it (one more line end, so not skipped).
fn reimport(store: &Store, file: &Path, dir: &Path) -> String {
    let again = dir.join(file.file_name().unwrap());
    let mut bytes = std::fs::read(file).unwrap();
    bytes.extend_from_slice(b"\r\n");
    std::fs::write(&again, bytes).unwrap();
    let r = import_file(store, &again, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    r.message
}

#[test]
fn hand_rows_survive_imports_hand_edits_do_not_and_the_history_shows_both() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let insurers_file = demo().file("保険者情報.csv");
    let checkups_file = demo().file("健診結果_2021.csv");
    for f in [&insurers_file, &checkups_file] {
        let r = import_file(&store, f, &ImportOptions::default(), &Progress::new()).unwrap();
        assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    }
    let mut e = admin_engine(store, Box::new(SystemClock));
    let ins = DataTable::Kind(Kind::Insurers);
    let raw = raw_demo::rows(&insurers_file, "保険者番号");

    // Filter and sort, against the raw file.
    let tables = match exec(&mut e, DataCmd::Tables) {
        Outcome::Data(DataReply::Tables(t)) => t,
        o => panic!("{o:?}"),
    };
    let listed = tables.iter().find(|t| t.table == ins).unwrap();
    assert_eq!(listed.rows as usize, raw.len());
    let p = page(
        &mut e,
        ins,
        Browse {
            filter: Some((1, "町".into())),
            limit: 5,
            ..Default::default()
        },
    );
    let want = raw.iter().filter(|r| r["保険者名"].contains('町')).count();
    assert_eq!(p.total as usize, want);
    assert_eq!(p.rows.len(), want.min(5));
    let p = page(
        &mut e,
        ins,
        Browse {
            sort: Some((0, true)),
            limit: 1,
            ..Default::default()
        },
    );
    let max = raw.iter().map(|r| r["保険者番号"].clone()).max().unwrap();
    assert_eq!(p.rows[0].values[0].as_deref(), Some(max.as_str()));

    // A row typed by hand: full-width digits read as the importer reads them; a bad
    // value names its column.
    let add = |e: &mut Engine, values: &[&str]| {
        exec(
            e,
            DataCmd::Add {
                table: ins,
                values: values.iter().map(|s| s.to_string()).collect(),
            },
        )
    };
    match add(&mut e, &["９９９９９９", "手入力の保険者", "29999"]) {
        Outcome::Data(DataReply::Changed { .. }) => {}
        o => panic!("{o:?}"),
    }
    match add(&mut e, &["", "名前だけ", "29201"]) {
        Outcome::Failed(err) => assert!(err.to_string().contains("「保険者番号」"), "{err}"),
        o => panic!("{o:?}"),
    }
    // A hand row holding the key of another row: refused (two rows of one key).
    let first = &raw[0];
    match add(
        &mut e,
        &[
            &first["保険者番号"],
            "手で直した名前",
            &first["市町村コード"],
        ],
    ) {
        Outcome::Failed(err) => assert!(err.to_string().contains("同じキー"), "{err}"),
        o => panic!("{o:?}"),
    }
    // Edit an imported row (the second of the file).
    let second = raw[1]["保険者番号"].clone();
    let rows = all(&mut e, ins);
    let row = rows
        .iter()
        .find(|r| r.values[0].as_deref() == Some(second.as_str()) && !r.manual)
        .unwrap()
        .clone();
    let mut values: Vec<String> = row
        .values
        .iter()
        .map(|v| v.clone().unwrap_or_default())
        .collect();
    values[1] = "修正した名前".into();
    // Shown with other values (a stale screen): refused, nothing changed.
    let mut stale = row.values.clone();
    stale[1] = Some("別の名前".into());
    match exec(
        &mut e,
        DataCmd::Edit {
            table: ins,
            rowid: row.rowid,
            expected: stale,
            values: values.clone(),
        },
    ) {
        Outcome::Failed(err) => assert!(err.to_string().contains("表示し直して"), "{err}"),
        o => panic!("{o:?}"),
    }
    match exec(
        &mut e,
        DataCmd::Edit {
            table: ins,
            rowid: row.rowid,
            expected: row.values.clone(),
            values,
        },
    ) {
        Outcome::Data(DataReply::Changed { .. }) => {}
        o => panic!("{o:?}"),
    }
    // Delete an imported row (the third).
    let third = raw[2]["保険者番号"].clone();
    let del = all(&mut e, ins)
        .into_iter()
        .find(|r| r.values[0].as_deref() == Some(third.as_str()))
        .unwrap();
    match exec(
        &mut e,
        DataCmd::Delete {
            table: ins,
            rowid: del.rowid,
            expected: del.values.clone(),
        },
    ) {
        Outcome::Data(DataReply::Changed { .. }) => {}
        o => panic!("{o:?}"),
    }
    let deleted_from = del.import_id.unwrap();

    // The history before the re-import: the deletion counts against its import.
    let (edits, imports) = match exec(&mut e, DataCmd::History { table: ins }) {
        Outcome::Data(DataReply::History { edits, imports, .. }) => (edits, imports),
        o => panic!("{o:?}"),
    };
    let ops: Vec<&str> = edits.iter().map(|x| x.op.as_str()).collect();
    assert_eq!(ops, ["add", "edit", "delete"]);
    assert!(
        edits[1]
            .old_values
            .as_deref()
            .unwrap()
            .contains(&raw[1]["保険者名"])
    );
    assert!(
        edits[1]
            .new_values
            .as_deref()
            .unwrap()
            .contains("修正した名前")
    );
    let from = imports.iter().find(|r| r.id == deleted_from).unwrap();
    assert_eq!(from.deleted_by_hand, 1);
    assert_eq!(imports.iter().filter(|r| r.source == "manual").count(), 1);

    // Re-import the file, which now holds the hand row's key too: the hand row stays.
    let mut bytes = std::fs::read(&insurers_file).unwrap();
    let (line, _, bad) = encoding_rs::SHIFT_JIS.encode("999999,ファイルの保険者,29999\r\n");
    assert!(!bad);
    bytes.extend_from_slice(&line);
    let again = dir.path().join("保険者情報.csv");
    std::fs::write(&again, bytes).unwrap();
    let r = import_file(
        &e.store,
        &again,
        &ImportOptions::default(),
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    let msg = r.message;
    assert!(msg.contains("手入力の行と同じキーの 1 行"), "{msg}");
    let after: HashMap<String, (String, bool)> = all(&mut e, ins)
        .into_iter()
        .map(|r| {
            (
                r.values[0].clone().unwrap(),
                (r.values[1].clone().unwrap(), r.manual),
            )
        })
        .collect();
    assert_eq!(
        after.len(),
        raw.len() + 1,
        "the file's rows and one hand row"
    );
    assert_eq!(
        after["999999"],
        ("手入力の保険者".to_string(), true),
        "a hand row is never replaced"
    );
    assert_eq!(
        after[&first["保険者番号"]],
        (first["保険者名"].clone(), false)
    );
    assert_eq!(
        after[&second].0, raw[1]["保険者名"],
        "the hand edit gave way to the import"
    );
    assert_eq!(
        after[&third].0, raw[2]["保険者名"],
        "the deleted row came back"
    );
    // The history still shows the edit, and both imports.
    let (edits, imports) = match exec(&mut e, DataCmd::History { table: ins }) {
        Outcome::Data(DataReply::History { edits, imports, .. }) => (edits, imports),
        o => panic!("{o:?}"),
    };
    assert_eq!(edits.len(), 3);
    assert_eq!(
        imports
            .iter()
            .filter(|r| r.source == "file" && r.result == ImportResult::Ok)
            .count(),
        2
    );

    // A period kind: a checkup added by hand to FY2021 survives the re-import of FY2021.
    let chk = DataTable::Kind(Kind::Checkups);
    let before = page(
        &mut e,
        chk,
        Browse {
            limit: 1,
            ..Default::default()
        },
    )
    .total;
    let mut values = vec![String::new(); Kind::Checkups.def().fields.len()];
    values[0] = "2900000001".into();
    values[1] = raw[0]["保険者番号"].clone();
    values[2] = "R03.10.01".into();
    values[3] = "令和3年度".into();
    match exec(&mut e, DataCmd::Add { table: chk, values }) {
        Outcome::Data(DataReply::Changed { .. }) => {}
        o => panic!("{o:?}"),
    }
    let msg = reimport(&e.store, &checkups_file, dir.path());
    assert!(
        msg.contains("この期間の手入力の行 1 行は残しました"),
        "{msg}"
    );
    let p = page(
        &mut e,
        chk,
        Browse {
            filter: Some((2, "2021-10-01".into())),
            limit: 10_000,
            ..Default::default()
        },
    );
    assert!(
        p.rows
            .iter()
            .any(|r| r.manual && r.values[0].as_deref() == Some("2900000001"))
    );
    let total = page(
        &mut e,
        chk,
        Browse {
            limit: 1,
            ..Default::default()
        },
    )
    .total;
    assert_eq!(total, before + 1);
}
