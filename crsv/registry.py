"""What the apps add to the platform's pages and commands, registered from their AppConfig.ready().

The platform (`crsv/`) imports no app (an import-linter contract in pyproject.toml checks it): the
home page shows the panels and the to-do lines ("What needs you now") registered here, and
`manage.py bootstrap --demo` loads the demo data registered here; the survivor case page shows
the sections registered here by the apps above survivors; the access review shows the columns
registered here (per-case grants, provider organisations). Each app's URLs are included by dotted
path in `crsv/urls.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class HomePanel:
    """A section of the home page, below the user's roles and offices.

    `context(request)` returns the template's `panel` variable, or None when the section is not
    for this user (then the template is not rendered at all).
    """

    name: str
    template_name: str
    context: Callable[[HttpRequest], Mapping[str, object] | None]


@dataclass(frozen=True)
class DemoData:
    """Demo records an app adds in development (`bootstrap --demo`, after the demo users).

    `ensure()` creates what is missing and returns how many records it created (0: present);
    `usernames` are the demo users it adds, whose authenticators bootstrap prints.
    """

    name: str
    ensure: Callable[[], int]
    usernames: Sequence[str] = ()


@dataclass(frozen=True)
class CasePageSection:
    """A section of the survivor case page added by an app above survivors (which may not
    import it): referrals shows the case's referrals and its "Refer" button.

    `context(request, survivor)` returns the template's `section` variable, or None when the
    section is not for this user and case (then the template is not rendered at all).
    """

    name: str
    template_name: str
    context: Callable[[HttpRequest, Any], Mapping[str, object] | None]


@dataclass(frozen=True)
class TodoLine:
    """One line of the home page's "What needs you now": how many rows wait for the user, and
    the address of the list that shows exactly those rows (the same filter, the same scope)."""

    name: str  # stable, "<app>.<what>" (tests and the page's markup refer to it)
    label: str  # translated, without the count: "Referrals waiting for an answer"
    count: int
    url: str
    urgent: bool = False  # shown first and marked: something is late or at risk


@dataclass(frozen=True)
class HomeLines:
    """An app's to-do lines on the home page (crsv.accounts.home_lines shows them).

    `lines(user)` returns the lines of the user's roles, zero counts included (the page hides
    those), in the order to show them; [] when none is for her. It counts through the app's
    `visible_to(user)`, so a row she may not see is never counted, and in a number of queries
    that does not grow with the rows (one aggregate per app: `crsv.accounts.home_lines.lines_count`).
    `order` places the app's lines among the others' (lower first).
    """

    name: str
    order: int
    lines: Callable[[Any], Sequence[TodoLine]]


@dataclass(frozen=True)
class AccessReviewColumn:
    """A column an app adds to the access review (/access/review/ and its CSV export): what each
    user holds there that the platform cannot see, e.g. survivors' per-case grants.

    `values(user_ids)` returns {user id: value} for those of the users who hold something, in
    ONE query whatever the number of users (the review's query count must not grow with them);
    the others show `empty`. A value is a number or a short text, never a survivor value.
    `order` places the column among the others' (lower first).
    """

    name: str  # stable, "<app>.<what>"
    label: Any  # a lazy translation
    values: Callable[[Sequence[int]], Mapping[int, object]]
    empty: object = ""
    order: int = 0


# Keyed by name, so that registering twice (ready() run again) replaces rather than repeats.
home_panels: dict[str, HomePanel] = {}
home_lines: dict[str, HomeLines] = {}
demo_data: dict[str, DemoData] = {}
case_page_sections: dict[str, CasePageSection] = {}
access_review_columns: dict[str, AccessReviewColumn] = {}


def home_panel_register(panel: HomePanel) -> None:
    home_panels[panel.name] = panel


def home_lines_register(source: HomeLines) -> None:
    home_lines[source.name] = source


def demo_data_register(demo: DemoData) -> None:
    demo_data[demo.name] = demo


def case_page_section_register(section: CasePageSection) -> None:
    case_page_sections[section.name] = section


def access_review_column_register(column: AccessReviewColumn) -> None:
    access_review_columns[column.name] = column


# --- What happens when a consent is withdrawn ---------------------------------------------------
# The consent ledger (survivors) may not import the apps that rely on a consent (referrals, which
# sits above it): it announces each withdrawal here, in the withdrawing transaction, and the apps
# subscribe from their AppConfig.ready(). Not a model signal: the announcement is part of the
# withdrawal service, and a subscriber that raises rolls the withdrawal back.

# hook(consent=grant withdrawn, actor=user, request=request); its return value is ignored
ConsentWithdrawnHook = Callable[..., object]
consent_withdrawn_hooks: dict[str, ConsentWithdrawnHook] = {}


def consent_withdrawn_subscribe(name: str, hook: ConsentWithdrawnHook) -> None:
    """Call `hook(consent=grant, actor=user, request=request)` on every withdrawal of a grant,
    inside the withdrawing transaction. Keyed by name: subscribing twice replaces."""
    consent_withdrawn_hooks[name] = hook


def consent_withdrawn_announce(*, consent: object, actor: object, request: HttpRequest | None = None) -> None:
    """Tell every subscriber that `consent` (the grant) was withdrawn by `actor`. Call inside
    the withdrawing transaction, after the withdrawal is written."""
    for hook in list(consent_withdrawn_hooks.values()):
        hook(consent=consent, actor=actor, request=request)


ConsentRecordedHook = Callable[..., object]
consent_recorded_hooks: dict[str, ConsentRecordedHook] = {}


def consent_recorded_subscribe(name: str, hook: ConsentRecordedHook) -> None:
    """Call `hook(survivor=survivor)` whenever a consent is recorded or withdrawn for `survivor`,
    inside the recording transaction (reports keeps its statistics flag with it). Keyed by
    name: subscribing twice replaces."""
    consent_recorded_hooks[name] = hook


def consent_recorded_announce(*, survivor: object) -> None:
    """Tell every subscriber that `survivor`'s consent ledger gained an entry. Call inside the
    recording transaction, after the entry is written."""
    for hook in list(consent_recorded_hooks.values()):
        hook(survivor=survivor)
