from django.urls import path

from frontend.views import claims as views

urlpatterns = [
    path("lab/claims/", views.lab_claims, name="lab-claims"),
    path("lab/claims/build/", views.claim_build, name="claim-build"),
    path("department/claims/", views.dept_claims, name="dept-claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/invoice-file/", views.claim_invoice_file, name="claim-invoice-file"),
    path("claims/<int:pk>/proofs/<int:proof_pk>/", views.claim_proof_file, name="claim-proof-file"),
    path("claims/<int:pk>/<slug:action>/", views.claim_act, name="claim-action"),
]
