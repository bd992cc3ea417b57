from django.urls import path

from frontend.views import statements as views

urlpatterns = [
    path("statements/", views.firm_statements, name="statement-list"),
    path("statements/<int:pk>/", views.statement_detail, name="statement-detail"),
    path(
        "statements/<int:pk>/pdf/", views.statement_download, {"kind": "pdf"}, name="statement-pdf"
    ),
    path(
        "statements/<int:pk>/xlsx/",
        views.statement_download,
        {"kind": "xlsx"},
        name="statement-xlsx",
    ),
    path("statements/<int:pk>/invoice/", views.statement_invoice_request, name="statement-invoice"),
    path("lab/statements/", views.lab_statements, name="lab-statements"),
    path("lab/statements/issue/", views.lab_statement_issue, name="lab-statement-issue"),
    path("invoice-requests/<int:pk>/<slug:action>/", views.invoice_act, name="invoice-action"),
]
