"""`/api/v1/auth/token/`: `POST` exchanges credentials for a bearer token; `DELETE` ends the token
the request is authenticated with."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from crsv.accounts import two_factor
from crsv.accounts.api.authentication import BearerTokenAuthentication
from crsv.accounts.models import ApiToken
from crsv.accounts.services import api_token_issue
from crsv.accounts.tokens import api_token_revoke
from crsv.api_schema import ApiAutoSchema
from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.CharField(max_length=32, required=False, allow_blank=True)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


def _unauthorized(message: str) -> Response:
    return Response(
        {"detail": message}, status=status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"}
    )


class TokenObtainView(APIView):
    """`POST` is public (password and second factor, throttled per client address, counted by the
    sign-in lockout); `DELETE` is authenticated by the bearer token it ends, and by nothing else
    (a browser session cannot end an API client's token)."""

    throttle_scope = "token"
    schema = ApiAutoSchema()

    def _deleting(self) -> bool:
        request = getattr(self, "request", None)  # None while the schema generator looks around
        return request is not None and request.method == "DELETE"

    def get_authenticators(self) -> list[BaseAuthentication]:
        return [BearerTokenAuthentication()] if self._deleting() else []

    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated()] if self._deleting() else [AllowAny()]

    def get_throttles(self) -> list[BaseThrottle]:
        return [] if self._deleting() else [ScopedRateThrottle()]

    @extend_schema(
        request=TokenInputSerializer,
        responses={
            201: TokenOutputSerializer,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT, description='Field errors: `{"field": ["message"]}`.'
            ),
            401: OpenApiResponse(
                response=DetailSerializer,
                description="Wrong username or password (or locked out: the same answer), no second "
                "factor set up, or a missing or wrong two-factor code.",
            ),
            429: OpenApiResponse(
                response=DetailSerializer,
                description="Too many requests from this address; `Retry-After` says when to retry.",
            ),
        },
        auth=[],
        summary="Obtain an API token",
    )
    def post(self, request: Request) -> Response:
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # A locked-out username and address is refused here, like a wrong password (lockout backend).
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            return _unauthorized(_("Wrong username or password."))
        otp_token = data.validated_data.get("otp_token", "")
        if not two_factor.has_two_factor(user):
            return _unauthorized(_("Set up two-factor sign-in in the web app first."))
        if not otp_token:
            return _unauthorized(_("A two-factor code is required (otp_token)."))
        if not two_factor.verify_for_token(request=request._request, user=user, token=otp_token):
            audit_record(
                actor=user, action=AuditEvent.Action.TOKEN_REFUSED, obj=user, request=request._request
            )
            return _unauthorized(_("Wrong, expired or already used two-factor code."))
        raw, token = api_token_issue(user=user, request=request._request)
        body = TokenOutputSerializer({"token": raw, "expires_at": token.expires_at}).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="The token is revoked: refused from its next use."),
            401: OpenApiResponse(response=DetailSerializer, description="No valid bearer token."),
        },
        summary="Revoke the API token this request is authenticated with",
    )
    def delete(self, request: Request) -> Response:
        token: Any = request.auth
        assert isinstance(token, ApiToken)  # BearerTokenAuthentication is the only authenticator here
        api_token_revoke(actor=request.user, token=token, request=request._request)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT, headers={"Cache-Control": "no-store"})
