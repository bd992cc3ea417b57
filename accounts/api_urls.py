from django.urls import path

from accounts import api
from config.routers import ApiRouter

router = ApiRouter()
router.include_root_view = False
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("firms", api.FirmViewSet, basename="firm")
router.register("tokens", api.ApiTokenViewSet, basename="token")

urlpatterns = [
    path("auth/token/", api.TokenObtainView.as_view(), name="api-token-obtain"),
    path("me/", api.MeView.as_view(), name="api-me"),
    *router.urls,
]
