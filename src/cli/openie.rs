//! `textkg openie`: clause-based open IE, one sentence per input line.

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::ValueEnum;
use rayon::prelude::*;
use textkg::document::{CharOffsets, Document};
use textkg::openie::{self, ArgRole, Options, Tuple, TupleKind, carb};

/// Output formats of `openie`.
#[derive(Clone, Copy, ValueEnum)]
pub enum OpenieFormat {
    /// CaRB's tab format: sentence⇥confidence⇥relation⇥arg1⇥arg2…
    Carb,
    /// One JSON object per input line, with roles, flags and code-point offsets.
    Json,
}

/// Lines processed in parallel per batch (bounded memory on any input size).
const BATCH: usize = 2048;

/// Runs open IE over every line of the inputs (stdin when none), writing in input order.
pub fn run(paths: Vec<PathBuf>, format: OpenieFormat) -> Result<super::Outcome> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        paths
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let opts = Options::default();
    for path in &paths {
        let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            Box::new(std::io::BufReader::new(file))
        };
        let mut batch: Vec<String> = Vec::with_capacity(BATCH);
        for (k, line) in reader.lines().enumerate() {
            let line = line.with_context(|| format!("{}: line {} is not UTF-8 text", path.display(), k + 1))?;
            batch.push(line);
            if batch.len() == BATCH {
                write_batch(&mut out, &batch, format, &opts)?;
                batch.clear();
            }
        }
        write_batch(&mut out, &batch, format, &opts)?;
    }
    out.flush()?;
    Ok(super::Outcome::Success)
}

fn write_batch(out: &mut impl Write, lines: &[String], format: OpenieFormat, opts: &Options) -> Result<()> {
    let rendered: Vec<String> = lines.par_iter().map(|l| render(l, format, opts)).collect();
    for r in rendered {
        out.write_all(r.as_bytes())?;
    }
    Ok(())
}

fn render(line: &str, format: OpenieFormat, opts: &Options) -> String {
    let doc = textkg::nlp::analyze(line.to_string());
    let tuples = openie::extract_document(&doc, opts);
    let mut s = String::new();
    match format {
        OpenieFormat::Carb => {
            for t in &tuples {
                s.push_str(&carb::format_line(line, &doc, t));
                s.push('\n');
            }
        }
        OpenieFormat::Json => {
            let offsets = CharOffsets::new(&doc.text);
            let extractions: Vec<serde_json::Value> = tuples.iter().map(|t| tuple_json(&doc, &offsets, t)).collect();
            s.push_str(&serde_json::json!({ "sentence": line, "extractions": extractions }).to_string());
            s.push('\n');
        }
    }
    s
}

fn tuple_json(doc: &Document, offsets: &CharOffsets, t: &Tuple) -> serde_json::Value {
    let span = |tokens: &[usize]| -> serde_json::Value {
        match (tokens.first(), tokens.last()) {
            (Some(&a), Some(&b)) => {
                let (start, _) = offsets.chars(doc.tokens[a]);
                let (_, end) = offsets.chars(doc.tokens[b]);
                serde_json::json!([start, end])
            }
            _ => serde_json::Value::Null,
        }
    };
    let role = |r: ArgRole| match r {
        ArgRole::Object => "object",
        ArgRole::IndirectObject => "indirect-object",
        ArgRole::Clause => "clause",
        ArgRole::Oblique => "oblique",
    };
    let args: Vec<serde_json::Value> = t
        .args
        .iter()
        .map(|a| serde_json::json!({ "text": Tuple::arg_text(doc, a), "role": role(a.role), "span": span(&a.tokens) }))
        .collect();
    let relation = t.relation_text(doc);
    serde_json::json!({
        "confidence": (f64::from(t.confidence) * 1000.0).round() / 1000.0,
        "kind": match t.kind {
            TupleKind::Verbal => "verbal",
            TupleKind::Copular => "copular",
            TupleKind::Apposition => "apposition",
            TupleKind::Possessive => "possessive",
            TupleKind::NounModifier => "noun-modifier",
        },
        "arg1": { "text": Tuple::arg_text(doc, &t.subject), "span": span(&t.subject.tokens) },
        "relation": { "text": relation, "lemma": doc.lemma(t.predicate), "span": span(&t.relation) },
        "args": args,
        "negated": t.negated,
        "modal": t.modal,
        "passive": t.passive,
    })
}

/// `textkg eval carb`: prints AUC, best F1 and the operating point.
pub fn eval_carb(
    gold_path: &std::path::Path,
    gold_text: &str,
    system_text: &str,
    format: carb::SystemFormat,
) -> Result<super::Outcome> {
    let gold = carb::read_gold(gold_text).with_context(|| format!("cannot read gold file {}", gold_path.display()))?;
    let system = carb::read_system(format, system_text).context("cannot read the system output")?;
    let r = carb::score(&gold, &system);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "CaRB  AUC {:.3}  best F1 {:.3}  (P {:.3}  R {:.3}  at confidence ≥ {})",
        r.auc,
        r.best_f1,
        r.precision_at_best,
        r.recall_at_best,
        r.threshold_at_best.map_or("-".to_string(), |t| format!("{t:.3}"))
    )?;
    writeln!(
        out,
        "      {} gold tuples, {} system tuples on gold sentences ({} on other sentences, ignored)",
        r.n_gold, r.n_system, r.n_system_ignored
    )?;
    Ok(super::Outcome::Success)
}

/// `textkg eval conll04`: P/R/F1 per relation type, micro and macro averages.
pub fn eval_conll04(gold: &std::path::Path, mapping: &std::path::Path, errors: bool) -> Result<super::Outcome> {
    use textkg::relation_eval::conll04;
    let gold_text = std::fs::read_to_string(gold).with_context(|| format!("cannot read {}", gold.display()))?;
    let examples = conll04::read_gold(&gold_text).with_context(|| format!("in {}", gold.display()))?;
    let mapping_text = std::fs::read_to_string(mapping).with_context(|| {
        format!(
            "cannot read mapping {} (run from the repository root or pass --mapping)",
            mapping.display()
        )
    })?;
    let mapping = conll04::Mapping::parse(&mapping_text).with_context(|| format!("in {}", mapping.display()))?;
    let extractor = textkg::extract::Extractor::default();
    let scores = conll04::evaluate(&extractor, &mapping, &textkg::iri::Namespace::default(), &examples);
    let mut out = std::io::stdout().lock();
    if errors {
        let namespace = textkg::iri::Namespace::default();
        for (k, e) in examples.iter().enumerate() {
            let predicted = conll04::predict(&extractor, &mapping, &namespace, &e.tokens);
            if predicted == e.relations {
                continue;
            }
            let words = |(a, b): (usize, usize)| e.tokens.get(a..b).map_or("?".to_string(), |t| t.join(" "));
            writeln!(out, "#{k} {}", e.tokens.join(" "))?;
            for (mark, set, other) in [("-", &e.relations, &predicted), ("+", &predicted, &e.relations)] {
                for (kind, h, t) in set.difference(other) {
                    writeln!(out, "  {mark} {kind} [{}] [{}]", words(*h), words(*t))?;
                }
            }
        }
    }
    writeln!(
        out,
        "{} sentences, boundaries setting (entity types not checked)",
        examples.len()
    )?;
    writeln!(
        out,
        "{:<12} {:>6} {:>6} {:>6}   {:>5} {:>5} {:>5}",
        "type", "P", "R", "F1", "tp", "fp", "fn"
    )?;
    let row = |name: &str, c: conll04::Counts| {
        let (p, r, f) = c.prf();
        format!(
            "{name:<12} {:>6.2} {:>6.2} {:>6.2}   {:>5} {:>5} {:>5}",
            100.0 * p,
            100.0 * r,
            100.0 * f,
            c.tp,
            c.fp,
            c.fn_
        )
    };
    for (kind, c) in &scores.by_type {
        writeln!(out, "{}", row(kind, *c))?;
    }
    writeln!(out, "{}", row("micro", scores.micro()))?;
    let (p, r, f) = scores.macro_prf();
    writeln!(
        out,
        "{:<12} {:>6.2} {:>6.2} {:>6.2}",
        "macro",
        100.0 * p,
        100.0 * r,
        100.0 * f
    )?;
    Ok(super::Outcome::Success)
}
