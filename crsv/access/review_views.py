"""The access review page and its CSV export: adapters of crsv.access.review and review_export."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crsv.access import review
from crsv.access.review_export import access_review_export
from crsv.access.review_forms import ReviewFilterForm
from crsv.accounts.http import AuthenticatedHttpRequest


@never_cache
@require_GET
def access_review(request: AuthenticatedHttpRequest) -> HttpResponse:
    review.access_review_authorize(request.user)
    form = ReviewFilterForm(request.GET)
    rows = (
        review.access_review_rows(user=request.user, filters=form.review_filter()) if form.is_valid() else []
    )
    return render(
        request,
        "access/review.html",
        {
            "form": form,
            "rows": rows,
            "columns": review.review_columns(),
            "idle_days": settings.ACCESS_IDLE_DAYS,
            "export_query": request.GET.urlencode(),
        },
    )


@never_cache
@require_GET
def access_review_csv(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    review.access_review_authorize(request.user)
    form = ReviewFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid filter.", content_type="text/plain")
    lines = access_review_export(actor=request.user, filters=form.review_filter(), request=request)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"access-review-{timezone.now():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
