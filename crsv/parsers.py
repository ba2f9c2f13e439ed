"""The API's JSON parser: DRF's, refusing bodies nested deeper than `MAX_JSON_DEPTH` with 400.

Python's `json` parses containers recursively: a body of 1,000 `[` (3 kB) raised RecursionError,
a 500, even on the unauthenticated token endpoint. Catching RecursionError would not be enough:
the point where it fires depends on how deep the stack already is, and a body just under it
parses, then recurses again wherever the data is walked (validation, copying, rendering). So
the depth is counted before parsing, without recursion, and anything deeper than any body of
this API (the deepest, an incident with its perpetrators, is 3 levels) is refused.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_JSON_DEPTH = 64

# A JSON string, escapes included (unrolled so a long string is matched without backtracking).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `text` opens more than `limit` arrays or objects inside one another.

    Strings are removed first, so brackets inside them do not count. Malformed text is judged
    on its brackets alone; the parser refuses it afterwards anyway.
    """
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def json_loads_bounded(text: str | bytes, limit: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads` for text from outside: ValueError, never RecursionError, on deep nesting."""
    if isinstance(text, bytes):
        text = text.decode()
    if json_too_deep(text, limit):
        raise ValueError(f"nested deeper than {limit} levels")
    return json.loads(text)


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSONParser (same media type, same strict constants) with the depth refused first."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]  # newer than the stubs
        try:
            text = codecs.getreader(encoding)(stream).read()
        except ValueError as exc:  # UnicodeDecodeError
            raise ParseError(gettext("JSON parse error - %(error)s") % {"error": exc}) from exc
        if json_too_deep(text):
            raise ParseError(
                gettext("JSON parse error - nested deeper than %(limit)d levels.") % {"limit": MAX_JSON_DEPTH}
            )
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(gettext("JSON parse error - %(error)s") % {"error": exc}) from exc
