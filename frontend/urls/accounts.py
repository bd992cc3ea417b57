from django.urls import path

from frontend.views import accounts as views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("acting-as/", views.switch_acting_as, name="switch-acting-as"),
    path("firm/", views.firm_detail, name="firm-detail"),
    path("firm/register/", views.firm_register, name="firm-register"),
    path("firms/<int:pk>/resubmit/", views.firm_resubmit, name="firm-resubmit"),
    path("firms/<int:pk>/", views.firm_show, name="firm-show"),
    path("review/firms/", views.firm_verification_queue, name="firm-verification-queue"),
    path(
        "review/firms/<int:pk>/verify/",
        views.firm_decide,
        {"outcome": "verify"},
        name="firm-verify",
    ),
    path(
        "review/firms/<int:pk>/reject/",
        views.firm_decide,
        {"outcome": "reject"},
        name="firm-reject",
    ),
    path("account/tokens/", views.api_tokens, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("account/profile/", views.profile, name="profile"),
]
