"""`{% partial %}`: the Jinja2 rows of the long lists escape what they print and refuse a name
they were not given."""

from __future__ import annotations

import jinja2
import pytest
from django.template import Context, Template, engines

from crsv.partials import partial


def test_a_partial_escapes_every_value() -> None:
    html = str(
        Template('{% partial "survivors/rows.jinja" rows=rows not_assigned=label %}').render(
            Context(
                {
                    "rows": [
                        {
                            "url": '/x/"><script>',
                            "code": "<b>S-1</b>",
                            "name": "<img src=x onerror=alert(1)>",
                            "note": "",
                            "erased": False,
                            "office": "GOM",
                            "sex": "F",
                            "age_band": "18-25",
                            "assigned": "",
                            "registered": "1/1/2026",
                        }
                    ],
                    "label": "<i>not assigned</i>",
                }
            )
        )
    )
    assert "<script>" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;i&gt;not assigned&lt;/i&gt;" in html


def test_a_partial_refuses_a_value_it_was_not_given() -> None:
    with pytest.raises(jinja2.UndefinedError):
        partial("survivors/rows.jinja", rows=[{"url": "/x/", "code": "S-1"}])


def test_partials_are_not_reachable_from_the_django_engine_by_accident() -> None:
    # A page names a partial only through the tag: the Django engine does not load .jinja files
    # from the partials directory under their partial names.
    from django.template import TemplateDoesNotExist

    with pytest.raises(TemplateDoesNotExist):
        engines["django"].get_template("survivors/rows.jinja")
