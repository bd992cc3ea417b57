from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("facilities.api_urls")),
    path("", include("booking.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("frontend.urls")),
]

if not settings.PRODUCTION:
    # Public media only (instrument photos); reports are served by a checked view.
    urlpatterns += [
        path(
            "media/instruments/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT / "instruments"},
        )
    ]
