"""A browser without JavaScript for the production smoke test: `requests` over HTTPS, checking
the server's certificate against the test's CA, keeping cookies, and filling in the pages' own
forms (hidden fields, CSRF token, formset counts and preselected values come from the page, as a
browser sends them), with the Origin and Referer headers a browser sends, which Django's CSRF
check demands over HTTPS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

_BUTTON_TYPES = {"submit", "button", "image", "reset"}


@dataclass
class Form:
    """One <form> of a page: what a browser would post unchanged, and what could be chosen."""

    action: str
    method: str
    values: list[tuple[str, str]] = field(default_factory=list)  # without any button
    choices: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # name -> (value, label)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    def choice(self, name: str, label_part: str) -> str:
        """The value of the option, radio or checkbox of `name` whose label contains `label_part`."""
        found = [value for value, label in self.choices.get(name, []) if label_part in label]
        assert len(found) == 1, f"{name!r}: {label_part!r} is not one choice of {self.choices.get(name)}"
        return found[0]

    def first_choice(self, name: str) -> str:
        """The first choice of `name` that is not empty (a select's "---------" is)."""
        return next(value for value, _label in self.choices[name] if value)

    def data(
        self, changes: dict[str, str | list[str]], button: tuple[str, str] | None
    ) -> list[tuple[str, str]]:
        unknown = set(changes) - self.names
        assert not unknown, f"the form has no field {sorted(unknown)}; it has {sorted(self.names)}"
        kept = [(name, value) for name, value in self.values if name not in changes]
        for name, value in changes.items():
            kept += [(name, item) for item in ([value] if isinstance(value, str) else value)]
        if button is not None:
            assert button in self.buttons, f"no button {button} in {self.buttons}"
            kept.append(button)
        return kept


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, bool, list[tuple[str, str, bool]]] | None = None
        self._option: list[str] | None = None  # value, then text parts
        self._option_selected = False
        self._textarea: tuple[str, list[str]] | None = None
        self._label: tuple[str | None, list[str], list[tuple[str, str]]] | None = None
        self._by_id: dict[str, tuple[str, str]] = {}
        self._labels: list[tuple[str | None, str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "label":
            self._label = (a.get("for"), [], [])
        if self._form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            self._input(a, name)
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            self._form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._form.names.add(name)
            self._select = (name, "multiple" in a, [])
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value", "")]
            self._option_selected = "selected" in a
        elif tag == "textarea" and name:
            self._form.names.add(name)
            self._textarea = (name, [])

    def _input(self, a: dict[str, str], name: str) -> None:
        assert self._form is not None
        kind = a.get("type", "text").lower()
        if kind in _BUTTON_TYPES:
            if kind == "submit":
                self._form.buttons.append((name, a.get("value", "")))
            return
        self._form.names.add(name)
        value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
        if kind in ("checkbox", "radio"):
            self._form.choices.setdefault(name, [])
            if "id" in a:
                self._by_id[a["id"]] = (name, value)
            if self._label is not None:
                self._label[2].append((name, value))
            if "checked" in a:
                self._form.values.append((name, value))
        else:
            self._form.values.append((name, value))

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option.append(data)
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._label is not None:
            self._label[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value, *text = self._option
            self._select[2].append((value, " ".join("".join(text).split()), self._option_selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, multiple, options = self._select
            self._form.choices[name] = [(value, label) for value, label, _ in options]
            chosen = [value for value, _, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]  # a browser sends the first option
            self._form.values += [(name, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            self._form.values.append((name, "".join(parts).removeprefix("\n")))  # as browsers read it
            self._textarea = None
        elif tag == "label" and self._label is not None:
            target, parts, inside = self._label
            self._labels.append((target, " ".join("".join(parts).split()), inside))
            self._label = None
        elif tag == "form":
            self._form = None

    def close(self) -> None:
        super().close()
        for target, text, inside in self._labels:
            targets = [*inside, *([self._by_id[target]] if target in self._by_id else [])]
            for name, value in targets:
                for form in self.forms:
                    if name in form.choices and all(v != value for v, _ in form.choices[name]):
                        form.choices[name].append((value, text))


def form_with(
    page: requests.Response, field_name: str, *, action: str | None = None, value: str | None = None
) -> Form:
    """The one form of `page` that has a field named `field_name` (posting to `action`, with
    `value` in that field)."""
    parser = _FormParser()
    parser.feed(page.text)
    parser.close()
    forms = [
        form
        for form in parser.forms
        if field_name in form.names
        and (action is None or urlsplit(form.action).path == action)
        and (value is None or (field_name, value) in form.values)
    ]
    assert len(forms) == 1, f"{len(forms)} forms with a field {field_name!r} on {page.url}"
    return forms[0]


def totp(secret_base32: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows for this secret (RFC 6238, HMAC-SHA1)."""
    secret = secret_base32.replace(" ", "").upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


class Browser:
    """One person's browser: a cookie jar, the test CA as the only trusted root."""

    def __init__(self, base_url: str, ca: Path) -> None:
        self.base_url = base_url
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
        self.session = requests.Session()
        self.session.verify = str(ca)
        # Only that CA and no proxy: requests would otherwise let REQUESTS_CA_BUNDLE or
        # CURL_CA_BUNDLE from the environment replace `verify`, and HTTPS_PROXY route localhost.
        self.session.trust_env = False
        self.session.headers["Accept-Language"] = "en"

    def get(self, path: str, *, status: int = 200) -> requests.Response:
        response = self.session.get(urljoin(self.base_url, path), timeout=30)
        assert response.status_code == status, (path, response.status_code, response.text[:2000])
        return response

    def submit(
        self,
        page: requests.Response,
        form: Form,
        changes: dict[str, str | list[str]] | None = None,
        *,
        button: tuple[str, str] | None = None,
        status: int = 200,
    ) -> requests.Response:
        """Post `form` of `page` with `changes`, as the browser does on a click of `button`."""
        assert form.method == "post"
        response = self.session.post(
            urljoin(page.url, form.action or page.url),
            data=form.data(changes or {}, button),
            headers={"Referer": page.url, "Origin": self.origin},
            timeout=30,
        )
        assert response.status_code == status, (response.url, response.status_code, response.text[:3000])
        return response


def text_of(page: requests.Response, pattern: str) -> str:
    """The first group of `pattern` found in the page (fails if absent)."""
    found = re.search(pattern, page.text, re.S)
    assert found, f"{pattern!r} not on {page.url}"
    return found.group(1)
