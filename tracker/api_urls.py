from django.urls import path

from tracker import api

urlpatterns = [
    path("tracker/progress/", api.ProgressView.as_view(), name="tracker-progress"),
    path("tracker/usage/", api.UsageView.as_view(), name="tracker-usage"),
    path("tracker/usage/series/", api.UsageSeriesView.as_view(), name="tracker-usage-series"),
    path(
        "tracker/providers/<int:pk>/statistics/",
        api.ProviderStatisticsView.as_view(),
        name="tracker-provider-statistics",
    ),
    path("tracker/targets/", api.TargetListView.as_view(), name="tracker-targets"),
    path("tracker/targets/<int:pk>/", api.TargetDetailView.as_view(), name="tracker-target"),
    path("tracker/public/", api.PublicSummaryView.as_view(), name="tracker-public"),
]
