//! `eval mentions|pronouns`: the extractor against gold entity mentions and coreference.

use super::*;

/// Gold mentions that are names: of a scored type, and every word capitalised
/// (or a name connector), so that nominals ("the president") and pronouns,
/// which GUM also marks, are left out.
pub(super) fn is_gold_name(text: &str) -> bool {
    const CONNECTORS: &[&str] = &[
        "of", "the", "de", "von", "van", "der", "and", "for", "on", "in", "al", "bin", "'s",
    ];
    let mut words = text.split_whitespace();
    let first_ok = words.next().is_some_and(|w| {
        w.chars().next().is_some_and(char::is_uppercase)
            && !["The", "A", "An", "He", "She", "It", "They", "We", "I"].contains(&w)
    });
    first_ok
        && words.all(|w| {
            CONNECTORS.contains(&w) || w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
}

/// `eval entities`: the extractor's JSON output (or `pred`) against GUM-format gold.
pub(super) fn eval_entities(
    gold: &std::path::Path,
    conllu_dir: &std::path::Path,
    pred: Option<&std::path::Path>,
    by_genre: bool,
    json_out: Option<&std::path::Path>,
) -> Result<Outcome> {
    use textkg::entity_eval::{self, Report};
    let gold_docs =
        entity_eval::read_gold(&read_text_file(gold)?).with_context(|| format!("reading {}", gold.display()))?;
    // Predictions by document name: read from `pred`, or extracted now as `extract --format json` would.
    let mut predictions: std::collections::HashMap<String, serde_json::Value> = std::collections::HashMap::new();
    if let Some(path) = pred {
        for (n, line) in read_text_file(path)?.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_str(line).with_context(|| format!("{}:{}", path.display(), n + 1))?;
            let name = v["document"]["name"]
                .as_str()
                .or_else(|| v["document"]["id"].as_str())
                .unwrap_or("");
            let base = std::path::Path::new(name)
                .file_name()
                .map_or(name.to_string(), |b| b.to_string_lossy().into_owned());
            predictions.insert(base, v);
        }
    } else {
        let sources: Vec<SourceDocument> = gold_docs
            .iter()
            .map(|g| SourceDocument {
                id: Some(g.doc_id.clone()),
                name: g.doc_id.clone(),
                title: g.title.clone(),
                date: g.date.clone(),
                url: None,
                text: g.text.clone(),
            })
            .collect();
        let (extractor, options) = (Extractor::default(), MappingOptions::default());
        for batch in pipeline::batches(&sources) {
            for p in pipeline::process_batch(batch.to_vec(), &extractor, &options) {
                predictions.insert(p.source.name.clone(), serde_json::to_value(p.json(&options))?);
            }
        }
    }
    let mut report = Report::default();
    let empty = serde_json::json!({"entities": []});
    for g in &gold_docs {
        let plain = conllu_dir.join(format!("{}.conllu", g.doc_id));
        let path = if plain.exists() {
            plain
        } else {
            conllu_dir.join(format!("{}.conllu.gz", g.doc_id))
        };
        let conllu = read_text_file(&path)?;
        let prediction = predictions.get(&g.doc_id).unwrap_or_else(|| {
            eprintln!("missing prediction for {}", g.doc_id);
            &empty
        });
        let scores = entity_eval::score_document(g, &conllu, prediction)?;
        report.add(g.genre(), &scores);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<10} {:>4}  {:>21}  {:>21}  {:>21}  {:>7} {:>7}",
        "", "docs", "typed names P/R/F1", "untyped names P/R/F1", "coref pairs P/R/F1", "linked", "label"
    )?;
    let prf = |c: entity_eval::Counts| format!("{:.3}/{:.3}/{:.3}", c.precision(), c.recall(), c.f1());
    let mut json = serde_json::Map::new();
    for (key, s) in &report.by_key {
        if key != "all" && !by_genre {
            continue;
        }
        json.insert(key.clone(), serde_json::to_value(s)?);
        writeln!(
            out,
            "{:<10} {:>4}  {:>21}  {:>21}  {:>21}  {:>7.3} {:>7.3}",
            key,
            s.docs,
            prf(s.named_typed),
            prf(s.named_untyped),
            prf(s.coref_pairs),
            s.linked_share(),
            s.label_share()
        )?;
    }
    if let Some(path) = json_out {
        std::fs::write(path, serde_json::to_string_pretty(&json)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(Outcome::Success)
}

pub(super) fn eval_pronouns(gold: &[PathBuf]) -> Result<Outcome> {
    use textkg::extract::pronouns;
    let extractor = Extractor::default();
    let mut total = pronouns::PronounScore::default();
    let mut out = std::io::stdout().lock();
    for path in gold {
        let text = read_text_file(path)?;
        let sentences = textkg::nlp::conllu::parse(&text).with_context(|| format!("reading {}", path.display()))?;
        let mut score = pronouns::PronounScore::default();
        for doc in pronouns::documents(sentences) {
            score.add(pronouns::score_document(&doc, &extractor));
        }
        writeln!(
            out,
            "  {:<40} gold {:4}  attached {:4}  correct {:4}",
            path.file_name()
                .map_or(String::new(), |n| n.to_string_lossy().to_string()),
            score.gold,
            score.attached,
            score.correct
        )?;
        total.add(score);
    }
    writeln!(
        out,
        "  overall: {} gold pronouns with a named entity; attached {} ; correct {}; accuracy {:.2}, precision {:.2}",
        total.gold,
        total.attached,
        total.correct,
        total.accuracy(),
        total.precision()
    )?;
    Ok(Outcome::Success)
}

pub(super) fn eval_mentions(gold: &std::path::Path, use_ner: bool) -> Result<Outcome> {
    use std::collections::{BTreeMap, HashSet};
    let text = read_text_file(gold)?;
    let extractor = Extractor::default();
    let coarse = |t: &str| -> Option<&'static str> {
        match t {
            "Person" => Some("person"),
            "Organization" => Some("organization"),
            "Place" | "Country" | "City" | "AdministrativeArea" => Some("place"),
            _ => None,
        }
    };
    // per type: (gold, predicted, exact span + type match, span match ignoring type)
    let mut counts: BTreeMap<&str, (usize, usize, usize, usize)> = BTreeMap::new();
    // Linking: gold mentions whose Wikipedia identity is a gazetteer name
    // (Wikidata ids of that name), found by an extracted name mention, and
    // found with one of those ids.
    let lexicon = textkg::lexicon::Lexicon::embedded();
    let (mut linkable, mut found, mut linked) = (0usize, 0usize, 0usize);
    for (line_no, line) in text.lines().enumerate() {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{}:{}", gold.display(), line_no + 1))?;
        let body = v["text"].as_str().unwrap_or_default().to_string();
        let date = v["date"].as_str().map(str::to_string);
        let doc = textkg::ner::stage::analyze_for_extraction(body.clone());
        let x = extractor.extract(&doc, date.as_deref());
        let offsets = textkg::document::CharOffsets::new(&body);
        let mut predicted: HashSet<(usize, usize, &str)> = HashSet::new();
        if use_ner {
            let model = textkg::ner::stage::embedded()?;
            let words: Vec<Vec<&str>> = doc
                .sentences
                .iter()
                .map(|s| s.tokens.clone().map(|i| doc.token_text(i)).collect())
                .collect();
            for (s, spans) in doc.sentences.iter().zip(model.predict_document(&words)) {
                for sp in spans {
                    let t = match sp.label {
                        textkg::ner::conll::EntityLabel::Per => "person",
                        textkg::ner::conll::EntityLabel::Org => "organization",
                        textkg::ner::conll::EntityLabel::Loc => "place",
                        _ => continue,
                    };
                    let (Some(first), Some(last)) = (
                        doc.tokens.get(s.tokens.start + sp.start),
                        doc.tokens.get(s.tokens.start + sp.end - 1),
                    ) else {
                        continue;
                    };
                    let (b, e) = offsets.chars(textkg::document::Span::new(first.start, last.end));
                    predicted.insert((b, e, t));
                }
            }
        }
        for m in x
            .mentions
            .iter()
            .filter(|m| !use_ner && m.kind == textkg::extract::MentionKind::Name)
        {
            if let Some(t) = coarse(x.entities[m.entity].entity_type.class_name()) {
                let (b, e) = offsets.chars(m.span);
                predicted.insert((b, e, t));
            }
        }
        let mut gold_set: HashSet<(usize, usize, &str)> = HashSet::new();
        for m in v["mentions"].as_array().into_iter().flatten() {
            let t = match m["etype"].as_str() {
                Some("person") => "person",
                Some("organization") => "organization",
                Some("place") => "place",
                _ => continue,
            };
            if is_gold_name(m["text"].as_str().unwrap_or_default()) {
                let (Some(b), Some(e)) = (m["start"].as_u64(), m["end"].as_u64()) else {
                    continue;
                };
                gold_set.insert((b as usize, e as usize, t));
            }
        }
        if !use_ner {
            for m in v["mentions"].as_array().into_iter().flatten() {
                if !matches!(m["etype"].as_str(), Some("person" | "organization" | "place")) {
                    continue;
                }
                let name = m["identity"].as_str().unwrap_or_default().replace('_', " ");
                let qids: HashSet<&str> = lexicon
                    .lookup(&name)
                    .into_iter()
                    .flatten()
                    .filter(|g| g.canonical == name)
                    .filter_map(|g| g.qid.as_deref())
                    .collect();
                let (Some(b), Some(e)) = (m["start"].as_u64(), m["end"].as_u64()) else {
                    continue;
                };
                if qids.is_empty() {
                    continue;
                }
                linkable += 1;
                let ours: Vec<Option<&str>> = x
                    .mentions
                    .iter()
                    .filter(|p| p.kind == textkg::extract::MentionKind::Name)
                    .filter(|p| {
                        let (pb, pe) = offsets.chars(p.span);
                        pb < e as usize && (b as usize) < pe
                    })
                    .map(|p| x.entities[p.entity].wikidata.as_deref())
                    .collect();
                if !ours.is_empty() {
                    found += 1;
                }
                if ours.iter().flatten().any(|q| qids.contains(q)) {
                    linked += 1;
                }
            }
        }
        let gold_spans: HashSet<(usize, usize)> = gold_set.iter().map(|&(b, e, _)| (b, e)).collect();
        for &(_, _, t) in &gold_set {
            counts.entry(t).or_default().0 += 1;
        }
        for p in &predicted {
            let c = counts.entry(p.2).or_default();
            c.1 += 1;
            if gold_set.contains(p) {
                c.2 += 1;
            }
            if gold_spans.contains(&(p.0, p.1)) {
                c.3 += 1;
            }
        }
    }
    let mut out = std::io::stdout().lock();
    let mut total = (0, 0, 0, 0);
    for (t, (g, p, ok, span_ok)) in &counts {
        let (pr, rc, f) = textkg::nlp::eval::prf(*ok, *g, *p);
        writeln!(
            out,
            "  {t:<13} P {pr:6.2}  R {rc:6.2}  F1 {f:6.2}  (gold {g}, predicted {p}, correct {ok}; span right, type wrong {})",
            span_ok - ok
        )?;
        total = (total.0 + g, total.1 + p, total.2 + ok, total.3 + span_ok);
    }
    let (pr, rc, f) = textkg::nlp::eval::prf(total.2, total.0, total.1);
    writeln!(
        out,
        "  {:<13} P {pr:6.2}  R {rc:6.2}  F1 {f:6.2}  (gold {}, predicted {}, correct {})",
        "overall", total.0, total.1, total.2
    )?;
    let (pr, rc, f) = textkg::nlp::eval::prf(total.3, total.0, total.1);
    writeln!(
        out,
        "  {:<13} P {pr:6.2}  R {rc:6.2}  F1 {f:6.2}  (spans only, type ignored)",
        "untyped"
    )?;
    if !use_ner {
        let pct = |a: usize, b: usize| if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 };
        writeln!(
            out,
            "  linking: {linkable} gold mentions of entities in the gazetteer; {found} overlapped by a name mention; \
             {linked} linked to the right Wikidata id (accuracy {:.2}; {:.2} of those found)",
            pct(linked, linkable),
            pct(linked, found)
        )?;
    }
    Ok(Outcome::Success)
}

/// Arguments of `eval judged`.
#[derive(clap::Args)]
pub(super) struct JudgedArgs {
    /// The judged sample (JSONL; see eval/relations/PROTOCOL.md). Not needed with --draw.
    pub file: Option<PathBuf>,
    /// The documents (JSONL with `id` or `doc_id`, and `text`; GUM entity files work as they
    /// are). Repeat for several files.
    #[arg(long, required = true)]
    pub docs: Vec<PathBuf>,
    /// Only these documents (one name per line, `#` comments), e.g. a held-out list.
    #[arg(long)]
    pub only: Option<PathBuf>,
    /// Leave out these documents (same format as --only).
    #[arg(long)]
    pub exclude: Option<PathBuf>,
    /// Confidence threshold of the "confident" row.
    #[arg(long, default_value_t = 0.7)]
    pub threshold: f64,
    /// Draw a sample of this many asserted relations instead of scoring.
    #[arg(long, requires = "out")]
    pub draw: Option<usize>,
    /// Seed of the draw.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where --draw writes the sample (the evidence text is included for the reviewer).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the calibration table of the judged FILE (models/lexicon/confidence.tsv).
    #[arg(long, value_name = "TSV")]
    pub calibrate: Option<PathBuf>,
}

/// Document names listed one per line (`#` comments, blank lines skipped).
fn name_list(path: &std::path::Path) -> Result<HashSet<String>> {
    Ok(read_text_file(path)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// `eval judged`: re-score a judged relation sample, or draw a new one.
pub(super) fn eval_judged(a: JudgedArgs) -> Result<Outcome> {
    use textkg::relation_eval::{self, JudgedRelation};
    let only = a.only.as_deref().map(name_list).transpose()?;
    let exclude = a.exclude.as_deref().map(name_list).transpose()?.unwrap_or_default();
    let judged = match &a.file {
        Some(f) => {
            relation_eval::read_judged(&read_text_file(f)?).with_context(|| format!("reading {}", f.display()))?
        }
        None if a.draw.is_some() => Vec::new(),
        None => bail!("eval judged: give the judged FILE to score, or --draw N --out FILE to draw a sample"),
    };
    let judged_docs: HashSet<&str> = judged.iter().map(|j| j.doc.as_str()).collect();
    let mut sources = Vec::new();
    for docs in &a.docs {
        for (n, line) in read_text_file(docs)?.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_str(line).with_context(|| format!("{}:{}: not JSON", docs.display(), n + 1))?;
            let name = v["doc_id"]
                .as_str()
                .or_else(|| v["id"].as_str())
                .with_context(|| format!("{}:{}: a document needs `id` or `doc_id`", docs.display(), n + 1))?;
            let text = v["text"]
                .as_str()
                .with_context(|| format!("{}:{}: a document needs `text`", docs.display(), n + 1))?;
            let wanted = if a.draw.is_some() {
                only.as_ref().is_none_or(|o| o.contains(name)) && !exclude.contains(name)
            } else {
                judged_docs.contains(name)
            };
            if wanted {
                sources.push(SourceDocument {
                    id: Some(name.to_string()),
                    name: name.to_string(),
                    title: v["title"].as_str().map(str::to_string),
                    date: None,
                    url: None,
                    text: text.to_string(),
                });
            }
        }
    }
    let (extractor, options) = (Extractor::default(), MappingOptions::default());
    let mut current: Vec<JudgedRelation> = Vec::new();
    let mut texts: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut words = 0usize;
    for batch in pipeline::batches(&sources) {
        for p in pipeline::process_batch(batch.to_vec(), &extractor, &options) {
            let v = serde_json::to_value(p.json(&options))?;
            current.extend(relation_eval::asserted_relations(&p.source.name, &v));
            words += p.source.text.split_whitespace().count();
            texts.insert(p.source.name.clone(), p.source.text.clone());
        }
    }
    let mut out = std::io::stdout().lock();
    if let Some(n) = a.draw {
        let path = a.out.as_deref().context("--draw needs --out")?;
        let sample = relation_eval::draw(&current, n, a.seed);
        let mut f =
            BufWriter::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?);
        for r in &sample {
            let mut v = serde_json::to_value(r)?;
            // The reviewer's copy carries the evidence sentence; strip `evidence_text`
            // before committing (the corpus texts stay in ../shared).
            if let Some(t) = texts.get(&r.doc) {
                let ev: String = t
                    .chars()
                    .skip(r.evidence[0])
                    .take(r.evidence[1] - r.evidence[0])
                    .collect();
                v["evidence_text"] = serde_json::Value::String(ev);
            }
            writeln!(f, "{}", serde_json::to_string(&v)?)?;
        }
        f.flush()?;
        writeln!(
            out,
            "{} documents, {} words, {} asserted relations ({:.2} per 1,000 words); drew {} (seed {}) into {}",
            sources.len(),
            words,
            current.len(),
            1000.0 * current.len() as f64 / words.max(1) as f64,
            sample.len(),
            a.seed,
            path.display()
        )?;
        return Ok(Outcome::Success);
    }
    if let (Some(out), Some(file)) = (&a.calibrate, &a.file) {
        // Calibrate on what the rules produce now, not on relations since dropped.
        let rows = relation_eval::calibration(&relation_eval::still_produced(&judged, &current));
        let source = file.display().to_string();
        std::fs::write(out, relation_eval::calibration_tsv(&rows, &source))
            .with_context(|| format!("writing {}", out.display()))?;
        eprintln!("wrote {} ({} groups)", out.display(), rows.len());
    }
    let report = relation_eval::rescore(&judged, &current, a.threshold);
    writeln!(
        out,
        "{} judged relations in {} documents; {} still produced, {} no longer produced; {} current relations, {} without a verdict",
        report.in_file,
        judged_docs.len(),
        report.still_produced.get("all").map_or(0, |v| v.judged),
        report.no_longer_produced,
        report.current,
        report.unjudged
    )?;
    writeln!(
        out,
        "{:<22} {:>5} {:>9} {:>9} {:>9} {:>9}",
        "", "n", "relation", "arguments", "types", "all right"
    )?;
    let row = |out: &mut std::io::StdoutLock, name: &str, v: &relation_eval::Verdicts| -> std::io::Result<()> {
        let pct = |x: usize| 100.0 * x as f64 / v.judged.max(1) as f64;
        writeln!(
            out,
            "{:<22} {:>5} {:>8.1}% {:>8.1}% {:>8.1}% {:>8.1}%",
            name,
            v.judged,
            pct(v.relation),
            pct(v.arguments),
            pct(v.types),
            pct(v.all_right)
        )
    };
    for (k, v) in &report.still_produced {
        row(&mut out, k, v)?;
    }
    row(&mut out, &format!("confidence >= {}", a.threshold), &report.confident)?;
    row(&mut out, "no longer produced", &report.dropped)?;
    Ok(Outcome::Success)
}
