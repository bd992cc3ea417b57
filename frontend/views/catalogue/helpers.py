"""Small helpers shared by the catalogue pages."""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.forms.utils import flatatt
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from accounts.acting import acting_organisation
from accounts.models import Organisation, Region
from config.errors import NotFound
from facilities.models import Category

INDENT = "\u3000"  # an ideographic space indents sub-items in a <select>


def url_or_none(name: str, *args) -> str | None:
    """A url of another area if it exists yet (pages are built in parallel)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def category_choices() -> list[tuple[str, str]]:
    """The category tree as indented select options (cached: it changes rarely)."""
    key = "catalogue:category-choices"
    choices = cache.get(key)
    if choices is None:
        rows = Category.objects.order_by("path").values_list("pk", "path", "name_zh")
        choices = [(str(pk), f"{INDENT * path.count('/')}{name}") for pk, path, name in rows]
        cache.set(key, choices, 300)
    return choices


def region_choices() -> list:
    """Zhejiang cities, each followed by its counties, as select options (cached)."""
    key = "catalogue:region-choices"
    choices = cache.get(key)
    if choices is None:
        rows = Region.objects.filter(code__startswith="33").exclude(level=Region.Level.PROVINCE)
        rows = list(rows.order_by("code").values_list("code", "name_zh", "level"))
        choices = [
            (code, name if level == Region.Level.CITY else f"{INDENT}{name}")
            for code, name, level in rows
        ]
        cache.set(key, choices, 300)
    return choices


def managed_provider(request) -> Organisation:
    """The provider the lab manager acts for (accounts.acting); NotFound for someone who
    manages none. An ambiguous hat raises, and frontend.middleware shows the chooser."""
    provider = acting_organisation(request, kind=Organisation.Kind.PROVIDER)
    if provider is None:
        raise NotFound(code="not_a_lab_manager")
    return provider


def query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in (*names, "page"):
        params.pop(name, None)
    return params.urlencode()


class QuickSelect(forms.Select):
    """A <select> written directly, not through one template per <option>: the category
    tree and the ~100 cities and counties cost the search page more CPU than the search
    itself. Same markup as Django's Select (attributes, ``selected``, optgroups)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        parts = [format_html('<select name="{}"{}>', name, flatatt(attrs))]
        for group, options in self._groups():
            if group is not None:
                parts.append(f'<optgroup label="{escape(group)}">')
            for option_value, label in options:
                mark = " selected" if option_value in chosen else ""
                parts.append(
                    f'<option value="{escape(option_value)}"{mark}>{escape(label)}</option>'
                )
            if group is not None:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 — every value and label is escaped

    def _groups(self):
        """``(group label or None, [(value, label), ...])`` like Select.optgroups, as str."""
        plain: list = []
        for value, label in self.choices:
            if isinstance(label, list | tuple):
                if plain:
                    yield None, plain
                    plain = []
                yield str(value), [("" if v is None else str(v), str(lbl)) for v, lbl in label]
            else:
                plain.append(("" if value is None else str(value), str(label)))
        if plain:
            yield None, plain


def quick_selects(form, *names: str):
    """Swap the named fields' Select widgets for QuickSelect, keeping attrs and choices."""
    for name in names:
        old = form.fields[name].widget
        form.fields[name].widget = QuickSelect(attrs=old.attrs, choices=old.choices)
    return form
