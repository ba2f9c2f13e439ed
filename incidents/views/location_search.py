"""The location type-ahead's answers: POST /incidents/locations/search/ with `q`, JSON
`{"results": [{"pcode": ..., "label": ...}]}`, at most 20, best first (selectors.location_search).

For static/js/location_search.js on the intake page. POST, not GET: what is typed is where an
incident happened, and a query string would carry it into the server's and the proxy's access
logs. Login required (the login middleware sends anyone else to sign in); the roles that see
incidents only (403 for the others), each within the places the selectors let them choose (an
analyst: provinces and territories). Two queries whatever the text; the script asks at most once
per pause in typing and keeps the answers it had.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from crsv.accounts.http import AuthenticatedHttpRequest
from incidents import permissions
from incidents.selectors.location_search import location_search


@never_cache
@sensitive_post_parameters()
@require_POST
def location_search_json(request: AuthenticatedHttpRequest) -> JsonResponse:
    permissions.list_authorize(request.user)  # 403 for a role that sees no incident
    matches = location_search(user=request.user, text=request.POST.get("q", ""))
    return JsonResponse({"results": [{"pcode": match.pcode, "label": match.label} for match in matches]})
