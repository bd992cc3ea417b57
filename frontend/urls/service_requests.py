from django.urls import path

from frontend.views import service_requests as views

urlpatterns = [
    path("services/<int:service_pk>/order/", views.order, name="service-request-create"),
    path("services/<int:service_pk>/quote/", views.quote, name="service-request-quote"),
    path("testing-requests/", views.my_requests, name="my-service-requests"),
    path("testing-requests/<int:pk>/", views.detail, name="service-request-detail"),
    path(
        "testing-requests/<int:pk>/report-file/",
        views.report_download,
        name="service-request-report",
    ),
    path(
        "testing-requests/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="service-request-attachment",
    ),
    path(
        "testing-requests/<int:pk>/<slug:action>/",
        views.act,
        name="service-request-action",
    ),
    path("lab/testing-queue/", views.lab_queue, name="lab-service-queue"),
]
