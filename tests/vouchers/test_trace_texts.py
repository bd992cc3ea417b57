"""A page renders every hold's trace with its language's templates looked up once
(vouchers.rules.trace_texts): the sentences are the ones a step-by-step lookup gives."""

import pytest

from vouchers.rules import trace_text, trace_texts
from vouchers.selectors.payments import trace_out


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_trace_reads_the_same_with_its_templates_looked_up_once(language):
    from django.utils import translation

    trace = [{"step": "tier", "from_fen": 0, "to_fen": 1_000_000, "ratio_bp": 10_000,
              "portion_fen": 40_000},
             {"step": "tier", "from_fen": 1_000_000, "to_fen": None, "ratio_bp": 5_000,
              "portion_fen": 20_000},
             {"step": "coverage", "amount_fen": 50_000},
             {"step": "balance", "available_fen": 300, "amount_fen": 300}]  # fmt: skip
    with translation.override(language):
        assert trace_out(trace, trace_texts()) == trace_out(trace)
        assert [s["text"] for s in trace_out(trace)] == [trace_text(s) for s in trace]
