"""The API of a user's own notifications: list them, mark them read.

`GET /api/v1/notifications/`: her notifications, newest first, keyset paged (`next`).
`POST /api/v1/notifications/read/` with `{"public_ids": [...]}` (or `{}`: all) marks them read;
ids that are not hers are ignored (never an error that would tell they exist).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from crsv.api import PrivateAPIView, StrictInput, actor
from crsv.notifications import selectors
from crsv.notifications.services import notifications_mark_read
from crsv.pagination import BadCursor, cursor_error

TAGS = ["notifications"]
R400 = OpenApiResponse(response=OpenApiTypes.OBJECT, description='Field errors: `{"field": ["message"]}`.')
R401 = OpenApiResponse(description="Not signed in (send `Authorization: Bearer <token>`).")


class NotificationListQuery(StrictInput):
    cursor = serializers.CharField(required=False, max_length=200)


class NotificationOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    kind = serializers.CharField()
    text = serializers.CharField(source="label")  # the kind's line ("label" is a Field attribute)
    link = serializers.CharField()
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()


class NotificationReadInput(StrictInput):
    public_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=500)


class NotificationCollectionView(PrivateAPIView):
    http_method_names = ["get", "options"]

    @extend_schema(
        operation_id="notifications_list",
        summary="List my notifications",
        description=f"Newest first, {selectors.PAGE_SIZE} per page; follow `next`.",
        parameters=[NotificationListQuery],
        responses={
            200: inline_serializer(
                "NotificationPage",
                {"next": serializers.URLField(allow_null=True), "results": NotificationOutput(many=True)},
            ),
            400: R400,
            401: R401,
        },
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = NotificationListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            rows, next_cursor = selectors.notification_list(
                user=actor(request), cursor=query.validated_data.get("cursor")
            )
        except BadCursor as error:
            raise cursor_error() from error
        next_url = (
            replace_query_param(request.build_absolute_uri(), "cursor", next_cursor) if next_cursor else None
        )
        return Response({"next": next_url, "results": NotificationOutput(rows, many=True).data})


class NotificationReadView(PrivateAPIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="notifications_read",
        summary="Mark my notifications read",
        description="The notifications named by `public_ids`, or all of mine when it is absent.",
        request=NotificationReadInput,
        responses={
            200: inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()}),
            400: R400,
            401: R401,
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = NotificationReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        marked = notifications_mark_read(
            user=actor(request), public_ids=data.validated_data.get("public_ids")
        )
        return Response({"marked": marked})
