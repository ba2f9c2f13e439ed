"""Demo referrals: a dozen fictional providers in Goma, Bunia and Bukavu, their users, and
referrals in every state (development).

`referrals_demo_ensure()` is called by `manage.py bootstrap --demo` after the survivors' demo
(the registry keeps the order of INSTALLED_APPS: incidents, survivors, referrals), whose cases
it refers. The providers are directory data, which admins manage in the admin site (no use-case
service): they are created here by name, like the incidents' locations and parties. Everything
about a case goes through the real services: the consents naming a provider
(`consent_record(provider=...)`, which survivors' demo may not do), `referral_create`, every move
through `referral_transition` by the right user, and a revocation by a real consent withdrawal.

Overdue: the services send a referral now and set its due time from now, and offer no way to
send one in the past. So, once sent and moved through the services, a few referrals have their
created, sent and due times moved back together by one UPDATE (`plan.referral_backdate`): the
due time stays what the urgency gives after sending, and is now in the past. Their history
events (append-only) and audit rows keep the moment the demo really wrote them.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from crsv.accounts.models import FieldOffice, Mission
from referrals.demo.directory import EXTRA_USERNAMES, PROVIDERS, provider_users_ensure, providers_ensure
from referrals.demo.plan import REFERRALS, DemoCases, referral_backdate, referral_play
from referrals.models import Referral
from survivors.demo import MISSION
from survivors.demo import OFFICES as CASE_OFFICES

__all__ = ["EXTRA_USERNAMES", "PROVIDERS", "REFERRALS", "referrals_demo_ensure"]


@transaction.atomic
def referrals_demo_ensure() -> int:
    """Create the missing demo providers, the provider users' memberships, and the demo
    referrals unless the demo mission has referrals already. Returns how many providers and
    referrals were created (0: all present)."""
    mission = Mission.objects.filter(code=MISSION).first()
    if mission is None:
        raise ImproperlyConfigured("The demo mission is missing: run manage.py bootstrap --demo.")
    offices = {o.code: o for o in FieldOffice.objects.filter(mission=mission, code__in=CASE_OFFICES)}
    created = providers_ensure(offices)
    users = provider_users_ensure(offices)
    if Referral.objects.filter(survivor__mission=mission).exists():
        return created
    cases = DemoCases(mission)
    for spec in REFERRALS:
        referral = referral_play(spec, cases.next(spec.office, spec.who), users)
        assert referral.state == spec.state, (referral.reference, referral.state, spec.state)
        if spec.overdue_hours:
            referral_backdate(referral, overdue_hours=spec.overdue_hours)
    return created + len(REFERRALS)
