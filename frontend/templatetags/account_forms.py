"""Bootstrap classes on form widgets, for the account pages and allauth's forms."""

from django import forms, template

register = template.Library()


def widget_class(field) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        base = "form-check-input"
    elif isinstance(widget, forms.Select):
        base = "form-select"
    else:
        base = "form-control"
    extra = widget.attrs.get("class", "")
    invalid = " is-invalid" if field.errors else ""
    return f"{base} {extra}{invalid}".strip()


@register.filter
def bs_widget(field):
    """Render a bound field's widget with Bootstrap's classes (``is-invalid`` on error)."""
    attrs = {"class": widget_class(field)}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)
