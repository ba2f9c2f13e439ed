"""OpenAPI descriptions of the API's authentication, so /api/schema/ says how to authenticate.
Imported by the accounts app's `ready()`, which registers the extensions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "crsv.accounts.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme: dict[str, Any] = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106  (a scheme name, not a secret)
        )
        scheme["description"] = "A token from POST /api/v1/auth/token/ (password and two-factor code)."
        return scheme


class VerifiedSessionScheme(SessionScheme):
    """The browser's session cookie, accepted once the session passed the second factor."""

    target_class = "crsv.accounts.api.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"
