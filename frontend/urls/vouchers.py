"""Voucher pages: the firm's wallet and applications; the department's programmes,
applications queue and bulk issue."""

from django.urls import path

from frontend.views import voucher_uses, vouchers, vouchers_issue, vouchers_review

urlpatterns = [
    path("vouchers/", vouchers.wallet, name="voucher-wallet"),
    path("vouchers/<int:pk>/", vouchers.voucher_detail, name="voucher-detail"),
    path("vouchers/<int:pk>/timeline/", vouchers.voucher_timeline, name="voucher-timeline"),
    path("vouchers/uses/", voucher_uses.my_uses, name="voucher-uses"),
    path("vouchers/uses/export.<slug:fmt>", voucher_uses.my_uses_export, name="voucher-uses-export"),
    path("vouchers/programmes/<int:programme_pk>/apply/", vouchers.apply, name="voucher-apply"),
    path("review/programmes/", vouchers_review.programme_list, name="programme-list"),
    path("review/programmes/new/", vouchers_review.programme_create, name="programme-create"),
    path("review/programmes/<int:pk>/", vouchers_review.programme_detail, name="programme-detail"),
    path("review/programmes/<int:pk>/edit/", vouchers_review.programme_edit, name="programme-edit"),
    path("review/programmes/<int:pk>/issue/", vouchers_issue.bulk_issue, name="voucher-bulk-issue"),
    path("review/programmes/<int:pk>/issue/preview/", vouchers_issue.bulk_preview,
         name="voucher-bulk-preview"),
    path("review/programmes/<int:pk>/issue/confirm/", vouchers_issue.bulk_confirm,
         name="voucher-bulk-confirm"),
    path("review/voucher-applications/", vouchers_review.application_queue,
         name="voucher-application-queue"),
    path("review/voucher-applications/<int:pk>/<slug:outcome>/", vouchers_review.application_decide,
         name="voucher-application-decide"),
    path("review/programmes/<int:pk>/<slug:action>/", vouchers_review.programme_move,
         name="programme-move"),
]  # fmt: skip
