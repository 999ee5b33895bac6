//! `openie`, `eval carb` and `eval conll04` end to end.

use serde_json::Value;

use crate::{ok, repo, shared, textkg};

#[test]
fn openie_writes_carb_lines_keyed_by_the_input_sentence() {
    let input = "The harbour board approved the new ferry terminal in Tromsø on Friday.\nNobody came.\n";
    let out = textkg(&["openie", "--format", "carb"], Some(input.as_bytes()), &repo(""));
    assert!(out.status.success());
    let out = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert!(
        lines.iter().any(|f| f[0] == input.lines().next().unwrap()
            && f[2] == "approved"
            && f[3] == "The harbour board"
            && f[4].starts_with("the new ferry terminal")),
        "{out}"
    );
    for f in &lines {
        assert!(f.len() >= 4, "{f:?}");
        let c: f64 = f[1].parse().unwrap();
        assert!((0.0..=1.0).contains(&c));
    }
}

#[test]
fn openie_json_has_one_object_per_line_with_flags_and_spans() {
    let input = "The mayor did not open the bridge.\n";
    let out = textkg(&["openie", "--format", "json"], Some(input.as_bytes()), &repo(""));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["sentence"], input.trim_end());
    let x = &line["extractions"][0];
    assert_eq!(x["negated"], true);
    assert_eq!(x["relation"]["lemma"], "open");
    assert_eq!(x["arg1"]["text"], "The mayor");
    let span = x["arg1"]["span"].as_array().unwrap();
    assert_eq!((span[0].as_u64(), span[1].as_u64()), (Some(0), Some(9)));
}

#[test]
fn eval_carb_scores_a_perfect_and_an_empty_system() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.tsv");
    std::fs::write(&gold, "Ann saw Bob .\tsaw\tAnn\tBob\nCid ran .\tran\tCid\n").unwrap();
    let perfect = dir.path().join("perfect.tsv");
    std::fs::write(
        &perfect,
        "Ann saw Bob .\t0.9\tsaw\tAnn\tBob\nCid ran .\t0.8\tran\tCid\n",
    )
    .unwrap();
    let g = gold.to_str().unwrap();
    let out = ok(
        &["eval", "carb", "--gold", g, "--system", perfect.to_str().unwrap()],
        &repo(""),
    );
    assert!(out.contains("best F1 1.000"), "{out}");
    let wrong = dir.path().join("wrong.tsv");
    std::fs::write(&wrong, "Ann saw Bob .\t0.9\tate\tDee\tEve\n").unwrap();
    let out = ok(
        &["eval", "carb", "--gold", g, "--system", wrong.to_str().unwrap()],
        &repo(""),
    );
    assert!(out.contains("best F1 0.000"), "{out}");
    let out = textkg(
        &["eval", "carb", "--gold", g, "--system", g, "--format", "nonsense"],
        None,
        &repo(""),
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn eval_conll04_reads_gold_and_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("g.json");
    std::fs::write(
        &gold,
        r#"[{"tokens":["Sergeant","Ola","Hansen","killed","Kari","Berg","."],"entities":[{"type":"Peop","start":1,"end":3},{"type":"Peop","start":4,"end":6}],"relations":[{"type":"Kill","head":0,"tail":1}]}]"#,
    )
    .unwrap();
    let out = ok(&["eval", "conll04", "--gold", gold.to_str().unwrap()], &repo(""));
    assert!(out.lines().any(|l| l.starts_with("Kill")), "{out}");
    assert!(out.contains("micro"), "{out}");
    let bad = dir.path().join("m.tsv");
    std::fs::write(&bad, "only-one-column\n").unwrap();
    let out = textkg(
        &[
            "eval",
            "conll04",
            "--gold",
            gold.to_str().unwrap(),
            "--mapping",
            bad.to_str().unwrap(),
        ],
        None,
        &repo(""),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
}

#[test]
fn carb_dev_reaches_the_floor_when_shared_data_is_present() {
    let (Some(sentences), Some(gold)) = (shared("data/carb/dev.txt"), shared("data/carb/gold/dev.tsv")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let system = dir.path().join("dev.tsv");
    let out = ok(&["openie", "--format", "carb", sentences.to_str().unwrap()], &repo(""));
    std::fs::write(&system, out).unwrap();
    let out = ok(
        &[
            "eval",
            "carb",
            "--gold",
            gold.to_str().unwrap(),
            "--system",
            system.to_str().unwrap(),
        ],
        &repo(""),
    );
    let f1: f64 = out
        .split("best F1 ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert!(f1 >= 0.45, "CaRB dev F1 {f1} below the ClausIE floor\n{out}");
}
