"""The search page's fast <select> renders exactly what Django's Select would."""

import pytest
from django import forms

from frontend.views.catalogue.helpers import QuickSelect

CHOICES = [
    ("", "All"),
    ("1", "光谱"),
    ("2", "\u3000<b>红外</b> & co"),
    ("Group", [("3", "a"), ("4", "b")]),
]


@pytest.mark.parametrize("value", [None, "", "2", "4", "missing"])
def test_same_markup_as_djangos_select(value):
    attrs = {"class": "form-select", "id": "id_category"}
    slow = forms.Select(attrs=attrs, choices=CHOICES).render("category", value)
    fast = QuickSelect(attrs=attrs, choices=CHOICES).render("category", value)
    assert "".join(fast.split()) == "".join(slow.split())
    assert "<b>" not in fast
