"""Precision and recall at 10 over the evaluation set (tests/search/queries.py) against the
demo catalogue. Fails when a figure falls below the one recorded in recorded.json; when the
search gets better, record the new figures there (the report prints them)."""

import json
from pathlib import Path

import pytest

from facilities.selectors import CatalogueFilters, instrument_search
from tests.search.queries import QUERIES

RECORDED = json.loads((Path(__file__).parent / "recorded.json").read_text())
K = 10


def first_page(query: str, k: int = K) -> list[str]:
    rows = instrument_search(filters=CatalogueFilters(q=query))
    return [row.name for row in rows[:k]]


def scores(found: list[str], relevant: set[str]) -> tuple[float, float, bool]:
    """Precision and recall at k, and whether the first result is relevant. No result is
    right exactly when nothing is relevant."""
    hits = len(set(found) & relevant)
    if not found:
        return (1.0, 1.0, True) if not relevant else (0.0, 0.0, False)
    precision = hits / len(found)
    recall = hits / min(len(relevant), K) if relevant else 0.0
    first = (found[0] in relevant) if relevant else False
    return precision, recall, first


def test_evaluation_set_has_at_least_forty_queries():
    assert len(QUERIES) >= 40
    assert len({q for q, _ in QUERIES}) == len(QUERIES)


@pytest.mark.django_db
def test_precision_and_recall_at_ten_stay_at_their_recorded_values(catalogue, capsys):
    rows, totals = [], [0.0, 0.0, 0]
    for query, relevant in QUERIES:
        found = first_page(query)
        p, r, first = scores(found, relevant)
        totals[0] += p
        totals[1] += r
        totals[2] += first
        if p < 1 or r < 1 or not first:
            rows.append(f"  {query!r}: P@10 {p:.2f} R@10 {r:.2f} first {'ok' if first else 'MISS'} "
                        f"got {found[:5]} missing {sorted(relevant - set(found))}")  # fmt: skip
    n = len(QUERIES)
    precision, recall, first_hit = totals[0] / n, totals[1] / n, totals[2] / n
    with capsys.disabled():
        print(f"\nsearch evaluation over {n} queries: P@10 {precision:.3f}, R@10 {recall:.3f}, "
              f"first result relevant {first_hit:.3f}")  # fmt: skip
        print("\n".join(rows))
    assert precision >= RECORDED["precision_at_10"]
    assert recall >= RECORDED["recall_at_10"]
    assert first_hit >= RECORDED["first_hit"]
