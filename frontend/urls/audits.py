from django.urls import path

from frontend.views import audits as views
from frontend.views import claims_exports as files

urlpatterns = [
    path("department/audits/", views.audit_list, name="audit-list"),
    path("department/audits/draw/", views.audit_draw, name="audit-draw"),
    path("department/audits/<int:pk>/", views.audit_detail, name="audit-detail"),
    path(
        "department/audits/<int:pk>/records/<int:record_pk>/",
        views.audit_record,
        name="audit-record",
    ),
    path(
        "department/audits/<int:pk>/records/<int:record_pk>/audit-pack.zip",
        files.audit_record_pack,
        name="audit-record-pack",
    ),
]
