"""The survivor cases permission matrix, pages: every page of the app, per persona and case
position (tests/matrix.py runs it; the API's table, on the same positions, is test_matrix_api.py).

Positions, all in mission MONUSCO, built through the services, named from the point of view of
the Goma WPA (`wpa`); each also holds one recorded consent and one grant to `grantee`, a Goma
reporter who is no persona (what the consent-withdraw and revoke routes name):

- `assigned`     : a Goma case the WPA registered, so assigned to her
- `granted`      : a Bunia case (the Bunia WPA's), granted by the senior WPA to the WPA and to
                   the reporter
- `office`       : a Goma case the reporter registered, not assigned yet (the reporter's own
                   until a WPA takes it; in the WPA's office, not hers)
- `other_office` : a Bunia case the Bunia WPA registered
- `erased`       : a Goma case the WPA registered, erased by the senior WPA
- `other_mission`: a MINUSCA Bangui case the `outsider` (a WPA there) registered, with a consent
                   and a grant given by a Bangui senior WPA to a Bangui reporter
- `referred`     : an `assigned` case (the WPA's own) referred to the organisation the
                   `provider` persona works for ("referred to me": still no case page for her)

Personas: those of tests/conftest.py, `anonymous` and `deactivated` (tests/matrix.py).
"""

from __future__ import annotations

from typing import Any

from crsv.accounts.models import User
from crsv.accounts.roles import Capability, Role
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, Survivor
from survivors.services import (
    SurvivorProfile,
    consent_record,
    survivor_erase,
    survivor_grant,
    survivor_register,
)
from tests.factories import UserFactory
from tests.matrix import Position, Row, Scene, Table, grid, matrix_test
from tests.matrix_positions import (
    case_register,
    consent_give,
    organisation_of,
    other_mission_people,
    referral_sent,
)

REASON = "The survivor's life is at risk: a referral is urgent."


def _case(registrar: str, *, granted_to: tuple[str, ...] = (), erased: bool = False) -> Position:
    def build(scene: Scene) -> dict[str, Any]:
        owner: User = scene.fixture(registrar)
        senior: User = scene.fixture("senior_wpa")
        office = owner.primary_office()
        survivor: Survivor = survivor_register(
            actor=owner,
            field_office=office,
            identity=SurvivorIdentity(name="Esperance Kavira", phone="+243 970 000 001"),
            profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=24),
        )
        values: dict[str, Any] = {"public_id": survivor.public_id}
        if owner.can(Capability.RECORD_CONSENT):  # not the reporter: her case holds no consent
            values["consent_id"] = consent_record(
                actor=owner,
                survivor=survivor,
                purpose=Consent.Purpose.CASE_MANAGEMENT,
                given_by=Consent.GivenBy.SURVIVOR,
                method=Consent.Method.ORAL_WITNESSED,
                explained_in=Consent.Language.SWAHILI,
                consent_text=scene.fixture("consent_text"),
            ).public_id
        grantee = UserFactory(username="grantee", roles=[Role.REPORTER], offices=[scene.fixture("office")])
        for user in (grantee, *(scene.fixture(name) for name in granted_to)):
            survivor_grant(actor=senior, survivor=survivor, grantee=user)
        if erased:
            survivor_erase(actor=senior, survivor=survivor, reason="survivor_request")
        return values | {
            "user_id": grantee.public_id,
            "username": grantee.username,
            "grantee": grantee,
            "assignee": owner if owner.has_role(Role.WPA) else scene.fixture("wpa"),
        }

    return build


def _other_mission(scene: Scene) -> dict[str, Any]:
    people = other_mission_people(scene)
    outsider: User = scene.fixture("outsider")
    survivor = case_register(outsider)
    consent = consent_give(outsider, survivor, Consent.Purpose.CASE_MANAGEMENT)
    grantee = people["grantee"]
    survivor_grant(actor=people["senior"], survivor=survivor, grantee=grantee)
    return {
        "public_id": survivor.public_id,
        "consent_id": consent.public_id,
        "user_id": grantee.public_id,
        "username": grantee.username,
        "grantee": grantee,
        "assignee": outsider,
    }


def _referred(scene: Scene) -> dict[str, Any]:
    values = dict(_case("wpa")(scene))
    survivor = Survivor.objects.get(public_id=values["public_id"])
    organisation = organisation_of(scene.fixture("provider"), survivor.field_office)
    referral_sent(scene.fixture("wpa"), survivor, organisation)
    return values


POSITIONS: dict[str, Position] = {
    "assigned": _case("wpa"),
    "granted": _case("wpa_other", granted_to=("wpa", "reporter")),
    "office": _case("reporter"),
    "other_office": _case("wpa_other"),
    "erased": _case("wpa", erased=True),
    "other_mission": _other_mission,
    "referred": _referred,
}


def _office(scene: Scene) -> Any:
    """The persona's own field office (the reporter's for a persona without one)."""
    return (scene.user and scene.user.primary_office()) or scene.fixture("office")


def _intake(scene: Scene) -> dict[str, Any]:
    """No consent: recording one is a WPA's (the reporter may register, not record consent)."""
    return {
        "field_office": _office(scene).pk,
        "name": "Esperance Kavira",
        "sex": "female",
        "age": "23",
        "age_band": "unknown",
        "disability": "none",
        "displacement_status": "idp",
        "interview_count": "1",
    }


def _api_intake(scene: Scene) -> dict[str, Any]:
    return {"field_office": _office(scene).code, "name": "Esperance Kavira"}


EDIT = {
    "name": "Esperance Kavira",
    "sex": "female",
    "age": "24",
    "age_band": "unknown",
    "disability": "none",
    "displacement_status": "idp",
    "interview_count": "2",
}
CONSENT = {
    "purpose": "case_management",
    "given_by": "survivor",
    "method": "oral_witnessed",
    "explained_in": "sw",
}
API_CONSENT = {**CONSENT, "consent_text_version": "1.0", "consent_text_language": "en"}


def _consent(scene: Scene) -> dict[str, Any]:
    return {**CONSENT, "consent_text": scene.fixture("consent_text").pk}


def _assign(scene: Scene) -> dict[str, Any]:
    return {"assignee": scene.values["assignee"].pk}


def _api_assign(scene: Scene) -> dict[str, Any]:
    return {"assignee": scene.values["assignee"].username}


def _grant(scene: Scene) -> dict[str, Any]:
    return {"grantee": scene.values["grantee"].public_id}


def _api_grant(scene: Scene) -> dict[str, Any]:
    return {"grantee": scene.values["username"]}


SEARCH = {"name": "Esperance Kavira"}

ROWS: list[Row] = [
    *grid(
        "/survivors/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  200  200  200  200  403  403  403  403  403  200
        """,
    ),
    *grid(
        "/survivors/new/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  200  200  200  200  403  403  403  403  403  200
        POST   -              302   302  302  302  302  302  403  403  403  403  403  302
        """,
        body=_intake,
    ),
    *grid(
        "/survivors/search/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302   302  200  200  200  200  403  403  403  403  403  200
        POST   -              302   302  200  200  200  200  403  403  403  403  403  200
        """,
        body=SEARCH,
        query=SEARCH,
    ),
    *grid(
        "/survivors/{public_id}/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    assigned       302   302  404  200  404  200  404  404  404  404  404  404
        GET    granted          .     .  200  200  200  200    .    .    .    .    .    .
        GET    office           .     .  200  404  404  200    .    .    .    .    .    .
        GET    other_office     .     .  404  404  200  200    .    .    .    .    .    .
        GET    erased           .     .  404  200  404  200    .    .    .    .    .    .
        GET    other_mission    .     .  404  404  404  404    .  404    .    .    .  200
        GET    referred         .     .    .  200    .  200    .  404    .    .    .    .
        """,
    ),
    *grid(
        "/survivors/{public_id}/edit/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    assigned       302   302  404  200  404  403  404  404  404  404  404  404
        POST   assigned       302   302  404  302  404  403  404  404  404  404  404  404
        GET    granted          .     .  200  200  200  403    .    .    .    .    .    .
        POST   granted          .     .  302  302  302  403    .    .    .    .    .    .
        GET    office           .     .  200  404  404  403    .    .    .    .    .    .
        POST   office           .     .  302  404  404  403    .    .    .    .    .    .
        GET    other_office     .     .  404  404  200  403    .    .    .    .    .    .
        POST   other_office     .     .  404  404  302  403    .    .    .    .    .    .
        GET    erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        GET    other_mission    .     .  404  404  404  404    .  404    .    .    .  200
        GET    referred         .     .    .  200    .  403    .  404    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  302
        POST   referred         .     .    .  302    .  403    .  404    .    .    .    .
        """,
        body=EDIT,
    ),
    *grid(
        "/survivors/{public_id}/assign/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   assigned       302   302  404  403  404  302  404  404  404  404  404  404
        POST   granted          .     .  403  403  403  302    .    .    .    .    .    .
        POST   office           .     .  403  404  404  302    .    .    .    .    .    .
        POST   other_office     .     .  404  404  403  302    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  403
        POST   referred         .     .    .  403    .  302    .  404    .    .    .    .
        """,
        body=_assign,
    ),
    *grid(
        "/survivors/{public_id}/grants/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   assigned       302   302  404  403  404  302  404  404  404  404  404  404
        POST   granted          .     .  403  403  403  302    .    .    .    .    .    .
        POST   office           .     .  403  404  404  302    .    .    .    .    .    .
        POST   other_office     .     .  404  404  403  302    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  403
        POST   referred         .     .    .  403    .  302    .  404    .    .    .    .
        """,
        body=_grant,
    ),
    *grid(
        "/survivors/{public_id}/grants/{user_id}/revoke/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   assigned       302   302  404  403  404  302  404  404  404  404  404  404
        POST   granted          .     .  403  403  403  302    .    .    .    .    .    .
        POST   office           .     .  403  404  404  302    .    .    .    .    .    .
        POST   other_office     .     .  404  404  403  302    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  403
        POST   referred         .     .    .  403    .  302    .  404    .    .    .    .
        """,
    ),
    *grid(
        "/survivors/{public_id}/break-glass/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   assigned       302   302  404  403  404  302  404  404  404  404  404  404
        POST   granted          .     .  403  403  403  302    .    .    .    .    .    .
        POST   office           .     .  403  404  404  302    .    .    .    .    .    .
        POST   other_office     .     .  404  404  403  302    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  403
        POST   referred         .     .    .  403    .  302    .  404    .    .    .    .
        """,
        body={"reason": REASON},
    ),
    *grid(
        "/survivors/{public_id}/erase/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   assigned       302   302  404  403  404  302  404  404  404  404  404  404
        POST   granted          .     .  403  403  403  302    .    .    .    .    .    .
        POST   office           .     .  403  404  404  302    .    .    .    .    .    .
        POST   other_office     .     .  404  404  403  302    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  403
        POST   referred         .     .    .  403    .  302    .  404    .    .    .    .
        """,
        body={"reason": "survivor_request", "confirm": "on"},
    ),
    *grid(
        "/survivors/{public_id}/consents/new/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    assigned       302   302  404  200  404  403  404  404  404  404  404  404
        POST   assigned       302   302  404  302  404  403  404  404  404  404  404  404
        GET    granted          .     .  403  200  200  403    .    .    .    .    .    .
        POST   granted          .     .  403  302  302  403    .    .    .    .    .    .
        GET    office           .     .  403  404  404  403    .    .    .    .    .    .
        POST   office           .     .  403  404  404  403    .    .    .    .    .    .
        GET    other_office     .     .  404  404  200  403    .    .    .    .    .    .
        POST   other_office     .     .  404  404  302  403    .    .    .    .    .    .
        GET    erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        GET    other_mission    .     .  404  404  404  404    .  404    .    .    .  200
        GET    referred         .     .    .  200    .  403    .  404    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  302
        POST   referred         .     .    .  302    .  403    .  404    .    .    .    .
        """,
        body=_consent,
    ),
    *grid(
        "/survivors/{public_id}/consents/{consent_id}/withdraw/",
        """
                             anon  deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   assigned       302   302  404  302  404  403  404  404  404  404  404  404
        POST   granted          .     .  403  302  302  403    .    .    .    .    .    .
        POST   other_office     .     .  404  404  302  403    .    .    .    .    .    .
        POST   erased           .     .  404  403  404  403    .    .    .    .    .    .
        POST   other_mission    .     .  404  404  404  404    .  404    .    .    .  302
        POST   referred         .     .    .  302    .  403    .  404    .    .    .    .
        """,
    ),
]

TABLE = Table(rows=ROWS, positions=POSITIONS)
test_matrix = matrix_test(TABLE)
