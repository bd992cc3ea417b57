from django.urls import path

from frontend.views import tracker as views
from frontend.views import tracker_providers, tracker_targets

urlpatterns = [
    path("tracker/", views.dashboard, name="tracker-dashboard"),
    path("tracker/provider-options/", views.provider_options, name="tracker-provider-options"),
    path("tracker/export/", views.dashboard_export, name="tracker-export"),
    path("tracker/targets/", tracker_targets.target_list, name="tracker-targets"),
    path("tracker/targets/add/", tracker_targets.target_add, name="tracker-target-add"),
    path("tracker/targets/<int:pk>/edit/", tracker_targets.target_edit, name="tracker-target-edit"),
    path(
        "tracker/targets/<int:pk>/delete/",
        tracker_targets.target_delete,
        name="tracker-target-delete",
    ),
    path("tracker/providers/", tracker_providers.provider_list, name="tracker-providers"),
    path(
        "tracker/providers/mine/",
        tracker_providers.my_statistics,
        name="tracker-my-statistics",
    ),
    path(
        "tracker/providers/<int:pk>/",
        tracker_providers.provider_statistics_page,
        name="tracker-provider-statistics",
    ),
    path("progress/", views.public_summary_page, name="tracker-public"),
]
