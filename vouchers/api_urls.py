from django.urls import path

from config.routers import ApiRouter
from vouchers.api.views import (
    ApplicationViewSet,
    ProgrammeViewSet,
    QuoteView,
    RelatedPartyViewSet,
    VoucherViewSet,
)

router = ApiRouter()
router.include_root_view = False
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("voucher-applications", ApplicationViewSet, basename="voucher-application")
router.register("vouchers", VoucherViewSet, basename="voucher")
router.register("related-parties", RelatedPartyViewSet, basename="related-party")

urlpatterns = [
    path("voucher-quote/", QuoteView.as_view(), name="voucher-quote"),
    *router.urls,
]
