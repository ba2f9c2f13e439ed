"""`POST /api/v1/auth/token/`: exchange credentials for a bearer token."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from crsv.accounts import two_factor
from crsv.accounts.services import api_token_issue
from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.CharField(max_length=32, required=False, allow_blank=True)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


def _unauthorized(message: str) -> Response:
    return Response(
        {"detail": message}, status=status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"}
    )


class TokenObtainView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenInputSerializer,
        responses={201: TokenOutputSerializer},
        auth=[],
        summary="Obtain an API token",
    )
    def post(self, request: Request) -> Response:
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
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
        if not two_factor.verify_for_token(user=user, token=otp_token):
            audit_record(
                actor=user, action=AuditEvent.Action.TOKEN_REFUSED, obj=user, request=request._request
            )
            return _unauthorized(_("Wrong, expired or already used two-factor code."))
        raw, token = api_token_issue(user=user, request=request._request)
        body = TokenOutputSerializer({"token": raw, "expires_at": token.expires_at}).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})
