from django.urls import path

from frontend.views import claims as views
from frontend.views import claims_exports as files

urlpatterns = [
    path("lab/claims/", views.lab_claims, name="lab-claims"),
    path("lab/claims/build/", views.claim_build, name="claim-build"),
    path("lab/claims/export.<slug:fmt>", files.lab_claims_export, name="lab-claims-export"),
    path("department/claims/", views.dept_claims, name="dept-claims"),
    path(
        "department/claims/export.<slug:fmt>", files.dept_claims_export, name="dept-claims-export"
    ),
    path("department/claims/flags/", files.dept_flagged_lines, name="dept-claims-flags"),
    path("claims/<int:pk>/lines.<slug:fmt>", files.claim_lines_export, name="claim-lines-export"),
    path("claims/<int:pk>/audit-pack.zip", files.claim_audit_pack, name="claim-audit-pack"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/invoice-file/", views.claim_invoice_file, name="claim-invoice-file"),
    path("claims/<int:pk>/proofs/<int:proof_pk>/", views.claim_proof_file, name="claim-proof-file"),
    path("claims/<int:pk>/<slug:action>/", views.claim_act, name="claim-action"),
]
