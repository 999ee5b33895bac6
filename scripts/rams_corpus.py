#!/usr/bin/env python3
"""Detokenise the RAMS 1.0 documents (../shared/data/rams_1.0/*.jsonlines.gz) into textkg JSONL.

Usage: rams_corpus.py OUT.jsonl [FILE.jsonlines.gz ...]

Each RAMS document (five tokenised sentences of a news article) becomes one record
{"id": doc_key, "text": ...}. Used to measure `textkg analyze`
against networkx on a corpus of more than 1,000 documents (issue 16); the texts
stay in ../shared and are not copied into the repository.
"""

import gzip
import json
import re
import sys
from pathlib import Path

NO_SPACE_BEFORE = re.compile(r" ([,.;:!?%)\]}]|'s|'S|n't|'re|'ve|'ll|'d|'m)(?=\s|$)")
NO_SPACE_AFTER = re.compile(r"([(\[{$]) ")


def detokenise(tokens):
    text = " ".join(tokens)
    text = NO_SPACE_BEFORE.sub(r"\1", text)
    text = NO_SPACE_AFTER.sub(r"\1", text)
    text = re.sub(r'" (.*?) "', r'"\1"', text)
    return text.replace("`` ", '"').replace(" ''", '"')


def main():
    out = Path(sys.argv[1])
    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "rams_1.0"
    inputs = [Path(p) for p in sys.argv[2:]] or sorted(shared.glob("*.jsonlines.gz"))
    n = 0
    with out.open("w") as w:
        for path in inputs:
            with gzip.open(path, "rt") as f:
                for line in f:
                    doc = json.loads(line)
                    text = " ".join(detokenise(s) for s in doc["sentences"])
                    # No url: several RAMS documents are snippets of one article, and
                    # textkg keeps only the first record of a repeated url.
                    record = {"id": doc["doc_key"], "text": text}
                    w.write(json.dumps(record, ensure_ascii=False) + "\n")
                    n += 1
    print(f"{n} documents -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
