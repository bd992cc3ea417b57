"""The dashboard's provider list is joined in Python (5,000 options at national scale):
escaped, and the chosen provider selected, as the template loop did."""

from frontend.views.tracker_filters import options_html


def test_options_are_escaped_and_the_chosen_one_selected():
    html = options_html([("1", "A&B <实验室>"), ("2", 'say "hi"')], "2")
    assert html == (
        '<option value="1">A&amp;B &lt;实验室&gt;</option>'
        '<option value="2" selected>say &quot;hi&quot;</option>'
    )
    assert "selected" not in options_html([("1", "x")], "")
