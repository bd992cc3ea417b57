from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api_urls import urlpatterns as accounts_api
from booking.api_urls import urlpatterns as booking_api
from facilities.api_urls import urlpatterns as facilities_api
from statements.api import urlpatterns as statements_api
from tracker.api_urls import urlpatterns as tracker_api
from vouchers.api_audits import urlpatterns as audits_api
from vouchers.api_claims import urlpatterns as claims_api
from vouchers.api_notices import urlpatterns as notices_api
from vouchers.api_urls import urlpatterns as vouchers_api
from vouchers.api_uses import urlpatterns as uses_api

# One flat list, booking routes first: when a nested include() fails to match, Django builds
# the list of every route it tried inside it, which cost a tenth of a booking's request time.
api_v1 = [*booking_api, *facilities_api, *accounts_api, *vouchers_api, *claims_api, *audits_api,
          *notices_api, *uses_api, *tracker_api, *statements_api]  # fmt: skip

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("frontend.urls")),
]

# The site's own error pages, in its layout and language; JSON under /api/.
handler400 = "frontend.views.errors.bad_request"
handler403 = "frontend.views.errors.permission_denied"
handler404 = "frontend.views.errors.page_not_found"
handler500 = "frontend.views.errors.server_error"
handler429 = "frontend.views.errors.too_many_requests"  # read by allauth's rate limits

if not settings.PRODUCTION:
    # Public media only (instrument photos); reports are served by a checked view.
    urlpatterns += [
        path(
            "media/instruments/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT / "instruments"},
        )
    ]
