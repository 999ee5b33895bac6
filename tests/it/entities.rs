//! `eval entities` against the reference GUM scorer (`../shared/tools/gum_entities_score.py`).

use serde_json::Value;

use crate::{ok, repo, shared};

/// The two scorers read the same prediction file and must agree within 0.005
/// on every metric (issue 13). Skips without `../shared` or Python 3.
#[test]
fn eval_entities_agrees_with_the_reference_scorer() {
    let (Some(scorer), Some(gold), Some(conllu)) = (
        shared("tools/gum_entities_score.py"),
        shared("data/gum_entities/gum_dev.entities.jsonl"),
        shared("data/gum_entities/conllu"),
    ) else {
        return;
    };
    let python = |args: &[&std::ffi::OsStr]| std::process::Command::new("python3").args(args).output();
    let Ok(docs) = python(&[scorer.as_os_str(), "docs".as_ref(), gold.as_os_str()]) else {
        eprintln!("skipped: python3 not available");
        return;
    };
    assert!(docs.status.success(), "{}", String::from_utf8_lossy(&docs.stderr));
    let dir = tempfile::tempdir().unwrap();
    let docs_path = dir.path().join("docs.jsonl");
    std::fs::write(&docs_path, &docs.stdout).unwrap();
    let pred = ok(
        &[
            "extract",
            docs_path.to_str().unwrap(),
            "--input-format",
            "jsonl",
            "--format",
            "json",
        ],
        &repo(""),
    );
    let pred_path = dir.path().join("pred.jsonl");
    std::fs::write(&pred_path, pred).unwrap();
    // The reference scorer wants uncompressed CoNLL-U.
    let plain = dir.path().join("conllu");
    std::fs::create_dir(&plain).unwrap();
    for line in std::fs::read_to_string(&gold).unwrap().lines() {
        let id = serde_json::from_str::<Value>(line).unwrap()["doc_id"]
            .as_str()
            .unwrap()
            .to_string();
        let gz = std::fs::File::open(conllu.join(format!("{id}.conllu.gz"))).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz), &mut text).unwrap();
        std::fs::write(plain.join(format!("{id}.conllu")), text).unwrap();
    }
    let reference_json = dir.path().join("reference.json");
    let reference = python(&[
        scorer.as_os_str(),
        "score".as_ref(),
        gold.as_os_str(),
        plain.as_os_str(),
        pred_path.as_os_str(),
        "--json".as_ref(),
        reference_json.as_os_str(),
    ])
    .unwrap();
    assert!(
        reference.status.success(),
        "{}",
        String::from_utf8_lossy(&reference.stderr)
    );
    let ours_json = dir.path().join("ours.json");
    // Our scorer reads the gzipped CoNLL-U directly.
    ok(
        &[
            "eval",
            "entities",
            "--gold",
            gold.to_str().unwrap(),
            "--conllu-dir",
            conllu.to_str().unwrap(),
            "--pred",
            pred_path.to_str().unwrap(),
            "--json",
            ours_json.to_str().unwrap(),
        ],
        &repo(""),
    );
    let reference: Value = serde_json::from_str(&std::fs::read_to_string(reference_json).unwrap()).unwrap();
    let ours: Value = serde_json::from_str(&std::fs::read_to_string(ours_json).unwrap()).unwrap();
    let (r, o) = (&reference["all"], &ours["all"]);
    let f1 = |c: &Value| {
        let (tp, pred, gold) = (
            c["tp"].as_f64().unwrap(),
            c["pred"].as_f64().unwrap(),
            c["gold"].as_f64().unwrap(),
        );
        let (p, r) = (
            if pred > 0.0 { tp / pred } else { 0.0 },
            if gold > 0.0 { tp / gold } else { 0.0 },
        );
        if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 }
    };
    for metric in ["named_typed", "named_untyped", "coref_pairs"] {
        let (theirs, mine) = (r[metric]["F1"].as_f64().unwrap(), f1(&o[metric]));
        assert!(
            (theirs - mine).abs() < 0.005,
            "{metric}: reference {theirs}, ours {mine}"
        );
    }
    let linked = o["linked"].as_f64().unwrap() / o["with_identity"].as_f64().unwrap().max(1.0);
    let theirs = r["linked"]["linked"].as_f64().unwrap();
    assert!(
        (theirs - linked).abs() < 0.005,
        "linked: reference {theirs}, ours {linked}"
    );
}
