"""Incident pages. Thin: resolve through selectors, validate a form, call a service.

Every page may show restricted details (a narrative, a perpetrator's name): `never_cache`
(Cache-Control: no-store) on all of them.
"""

from __future__ import annotations

from incidents.views.detail import incident_detail, incident_transition
from incidents.views.intake import incident_create, incident_edit
from incidents.views.listing import incident_list

__all__ = ["incident_create", "incident_detail", "incident_edit", "incident_list", "incident_transition"]
