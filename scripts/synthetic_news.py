#!/usr/bin/env python3
"""Synthetic news articles for scale tests (issue 17): JSON Lines on stdout.

    scripts/synthetic_news.py --documents 1000 --seed 1 > /tmp/news-1000.jsonl
    textkg ingest /tmp/news-1000.jsonl --store /tmp/kg-1000
    /usr/bin/time -v textkg export --store /tmp/kg-1000 --format dot -o /dev/null

Every article draws people, organisations and places from small pools, so the
same entities recur across many documents (the case that made `export` blow
up), with varied verbs, titles, quotes and dates. Deterministic for a seed.
Nothing here is real text; no corpus is copied.

`--census-names` draws the pool of people from the US Census 1990 name lists in
../shared/data/names instead of the 20 x 20 names below, so a large `--people`
gives that many distinct people (a store with 100k+ entities for the explorer):

    scripts/synthetic_news.py --documents 40000 --people 400000 --census-names > /tmp/many.jsonl
"""

import argparse
import gzip
import json
import random
from pathlib import Path

NAMES = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "names"

FIRST = ["Anna", "Boris", "Carla", "Daniel", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas",
         "Kira", "Luis", "Maya", "Nils", "Olga", "Pavel", "Rosa", "Sven", "Tara", "Viktor"]
LAST = ["Keller", "Novak", "Diaz", "Okafor", "Lund", "Sato", "Ruiz", "Brandt", "Costa", "Haddad",
        "Ivanova", "Jensen", "Kowalski", "Moreau", "Nakamura", "Petrov", "Quinn", "Rossi", "Silva", "Weber"]
TITLES = ["President", "Prime Minister", "Foreign Minister", "Chancellor", "Mayor", "Senator", "Governor"]
ORGS = ["NATO", "the United Nations", "the European Union", "the World Bank", "Reuters",
        "the Red Cross", "the African Union", "Interpol"]
PLACES = ["Paris", "Oslo", "Berlin", "Madrid", "Lisbon", "Warsaw", "Vienna", "Rome", "Helsinki",
          "Prague", "Canada", "Mexico", "Brazil", "Japan", "Kenya", "Norway", "Chile", "Peru"]
VERBS = ["met", "thanked", "criticized", "praised", "visited", "called", "accused", "invited", "warned"]
EVENTS = ["summit", "talks", "conference", "meeting"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def census_names():
    """Given names and surnames of the census lists, title-cased, in rank order."""

    def first_column(lines):
        return [line.split()[0].title() for line in lines if line.strip()]

    first = first_column(open(NAMES / "dist.male.first")) + first_column(open(NAMES / "dist.female.first"))
    with gzip.open(NAMES / "dist.all.last.gz", "rt") as f:
        last = first_column(f)
    # "Mc" and "O" prefixes would come out as "Mcdonald"; keep the simple names.
    return sorted(set(first)), [n for n in last if n.isalpha()]


def person(rng, pool):
    first, last = rng.choice(pool)
    return f"{first} {last}", last


def article(rng, pool):
    (a, a_last), (b, b_last) = person(rng, pool), person(rng, pool)
    title_a, title_b = rng.choice(TITLES), rng.choice(TITLES)
    place, org = rng.choice(PLACES), rng.choice(ORGS)
    day, month = rng.randint(1, 28), rng.choice(MONTHS)
    sentences = [
        f"{title_a} {a} {rng.choice(VERBS)} {title_b} {b} in {place} on {day} {month}.",
        f"The {rng.choice(EVENTS)} between {a_last} and {b_last} was hosted by {org}.",
        f"{a_last} said, \u201cWe want a fair agreement for {rng.choice(PLACES)}.\u201d",
        f"{b_last} {rng.choice(VERBS)} {rng.choice(ORGS)} and {rng.choice(VERBS)} {rng.choice(PLACES)}.",
        f"Later, {a_last} {rng.choice(VERBS)} {rng.choice(PLACES)} with a delegation.",
        f"Observers from {org} said the {rng.choice(EVENTS)} in {place} went well.",
    ]
    rest = sentences[1:]
    rng.shuffle(rest)
    return " ".join([sentences[0]] + rest[: rng.randint(2, len(rest))])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--people", type=int, default=60, help="size of the pool of recurring people")
    parser.add_argument("--census-names", action="store_true",
                        help="draw the people from the census name lists (distinct full names)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.census_names:
        first, last = census_names()
        names = set()
        while len(names) < min(args.people, len(first) * len(last)):
            names.add((rng.choice(first), rng.choice(last)))
        pool = sorted(names)
        rng.shuffle(pool)
    else:
        pool = [(rng.choice(FIRST), rng.choice(LAST)) for _ in range(args.people)]
    for i in range(args.documents):
        record = {
            "id": f"synthetic-{args.seed}-{i}",
            "date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "text": " ".join(article(rng, pool) for _ in range(rng.randint(1, 4))),
        }
        print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main()
