#!/usr/bin/env python3
"""k-fold label cleaning of an IOB2 NER training file (UNER's draft EWT train file).

The training documents are split into K folds (document i in fold i % K). For each fold and each
seed, `textkg train ner` trains a model on the other folds (no dev set, the last of --epochs kept)
and `textkg ner` tags the held-out fold. A span is then relabelled PER/ORG/LOC where

  * every held-out model predicts exactly that typed span,
  * the file has O or OTH there (only OTH spans with the same extent), or another type on exactly
    the same span where the predicted type is more frequent for that string in the file, and
  * the same string carries the predicted type elsewhere in the file (it is labelled
    inconsistently), so that only labels the annotation itself contradicts are changed.

No dev or test data is read. Writes OUT_DIR/train.relabel.iob2.gz and lists the changes on stdout.
Deterministic for fixed seeds (textkg training is).

  scripts/ner_relabel.py --textkg target/release/textkg \
      --train ../shared/data/uner_english_ewt/en_ewt-ud-train.DRAFT-2022-12-02.iob2.gz \
      --out-dir /tmp/relabel -- --beam 4 --left-to-right --beam-gap 50
"""
import argparse
import collections
import gzip
import os
import subprocess
import sys


def split_docs(lines):
    docs, cur = [], []
    for line in lines:
        if line.startswith('# newdoc') and cur:
            docs.append(cur)
            cur = []
        cur.append(line)
    if cur:
        docs.append(cur)
    return docs


def sentences(doc_lines):
    out, s = [], []
    for line in doc_lines:
        if not line.strip():
            if s:
                out.append(s)
                s = []
            continue
        if line.startswith('#'):
            continue
        s.append(line.split('\t'))
    if s:
        out.append(s)
    return out


def spans(tags):
    out, start, label = [], None, None
    for i, t in enumerate(tags + ['O']):
        if t.startswith('B-') or t == 'O' or (t.startswith('I-') and t[2:] != label):
            if start is not None:
                out.append((start, i, label))
            start, label = None, None
            if t.startswith('B-') or t.startswith('I-'):
                start, label = i, t[2:]
    return out


def norm(tag):
    return 'O' if tag in ('B-O', 'I-O') else tag


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--textkg', required=True)
    ap.add_argument('--train', required=True)
    ap.add_argument('--out-dir', required=True)
    ap.add_argument('--folds', type=int, default=5)
    ap.add_argument('--seeds', default='1,2')
    ap.add_argument('--epochs', default='8')
    ap.add_argument('--clusters', default='models/lexicon/clusters.tsv.gz')
    ap.add_argument('extra', nargs='*', help='more `train ner` options (after --)')
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    opener = gzip.open if a.train.endswith('.gz') else open
    with opener(a.train, 'rt', encoding='utf8') as f:
        docs = split_docs(f.read().split('\n'))
    typecount = collections.defaultdict(collections.Counter)
    for d in docs:
        for s in sentences(d):
            w = [f[1] for f in s]
            for x, y, label in spans([norm(f[2]) for f in s]):
                typecount[' '.join(w[x:y])][label] += 1
    preds = {}
    for fold in range(a.folds):
        held = [i for i in range(len(docs)) if i % a.folds == fold]
        rest = [i for i in range(len(docs)) if i % a.folds != fold]
        tp = os.path.join(a.out_dir, f'train{fold}.iob2')
        hp = os.path.join(a.out_dir, f'held{fold}.iob2')
        with open(tp, 'w', encoding='utf8') as f:
            f.write('\n'.join(line for i in rest for line in docs[i]) + '\n')
        with open(hp, 'w', encoding='utf8') as f:
            f.write('\n'.join(line for i in held for line in docs[i]) + '\n')
        for seed in a.seeds.split(','):
            md = os.path.join(a.out_dir, f'm{fold}-{seed}')
            subprocess.run([a.textkg, 'train', 'ner', '--clusters', a.clusters, '--seed', seed,
                            '--epochs', a.epochs, '--train', tp, '--out', md] + a.extra,
                           check=True, stderr=subprocess.DEVNULL)
            out = subprocess.run([a.textkg, 'ner', '--model', os.path.join(md, 'ner.bin'),
                                  '--input-format', 'iob2', '--format', 'iob2', hp],
                                 check=True, capture_output=True, text=True).stdout
            pdocs = split_docs(out.split('\n'))
            if len(pdocs) != len(held):
                sys.exit(f'fold {fold}: {len(pdocs)} tagged documents, expected {len(held)}')
            for i, dl in zip(held, pdocs):
                preds.setdefault(i, []).append([[g[2] for g in s] for s in sentences(dl)])
    changes = collections.Counter()
    new_lines = []
    for i, d in enumerate(docs):
        ss = sentences(d)
        by_sent = collections.defaultdict(list)
        for si, s in enumerate(ss):
            w = [f[1] for f in s]
            gs = spans([norm(f[2]) for f in s])
            agree = set.intersection(*[
                {x for x in spans(p[si]) if x[2] in ('PER', 'ORG', 'LOC')} for p in preds[i]])
            for x, y, label in sorted(agree):
                if (x, y, label) in gs:
                    continue
                over = [g for g in gs if g[0] < y and x < g[1]]
                string = ' '.join(w[x:y])
                tc = typecount[string]
                if all(g[2] == 'OTH' for g in over):
                    if tc[label] >= 1 and all((g[0], g[1]) == (x, y) for g in over):
                        by_sent[si].append((x, y, label, 'add', string))
                elif len(over) == 1 and (over[0][0], over[0][1]) == (x, y) and tc[label] > tc[over[0][2]]:
                    by_sent[si].append((x, y, label, 'type', string))
        si, tok, in_sent = -1, 0, False
        for line in d:
            if not line.strip() or line.startswith('#'):
                if not line.strip():
                    in_sent = False
                new_lines.append(line)
                continue
            if not in_sent:
                si, tok, in_sent = si + 1, 0, True
            f = line.split('\t')
            for x, y, label, kind, string in by_sent.get(si, []):
                if x <= tok < y:
                    f[2] = ('B-' if tok == x else 'I-') + label
                    if tok == x:
                        changes[(kind, string, label)] += 1
            new_lines.append('\t'.join(f))
            tok += 1
    with gzip.open(os.path.join(a.out_dir, 'train.relabel.iob2.gz'), 'wt', encoding='utf8') as f:
        f.write('\n'.join(new_lines))
    print(sum(changes.values()), 'changes')
    for (kind, string, label), n in changes.most_common():
        print(f'{n}\t{kind}\t{label}\t{string}')


if __name__ == '__main__':
    main()
