"""Catalogue pages (public browsing and lab managers' editing)."""

from django.urls import path

from frontend.views.catalogue import enquiries, manage, manage_services, public

urlpatterns = [
    path("instruments/", public.instrument_list, name="instrument-list"),
    path("instruments/<int:pk>/", public.instrument_detail, name="instrument-detail"),
    path("instruments/ask/", enquiries.enquiry_create, name="instrument-enquiry-create"),
    path("lab/enquiries/", enquiries.lab_enquiries, name="lab-enquiries"),
    path("services/", public.service_list, name="service-list"),
    path("services/<int:pk>/", public.service_detail, name="service-detail"),
    path("providers/", public.provider_list, name="provider-list"),
    path("providers/<int:pk>/", public.provider_detail, name="provider-detail"),
    path("lab/instruments/", manage.lab_instruments, name="lab-instruments"),
    path("lab/instruments/new/", manage.instrument_create, name="lab-instrument-create"),
    path("lab/instruments/<int:pk>/", manage.instrument_edit, name="lab-instrument-edit"),
    path("lab/instruments/<int:pk>/retire/", manage.instrument_retire, name="lab-instrument-retire"),
    path("lab/instruments/<int:pk>/prices/", manage.instrument_prices, name="lab-instrument-prices"),
    path("lab/instruments/<int:pk>/hours/", manage.instrument_hours, name="lab-instrument-hours"),
    path("lab/instruments/<int:pk>/hours/exception/", manage.instrument_exception_add,
         name="lab-instrument-exception-add"),
    path("lab/instruments/<int:pk>/hours/exception/<int:exception_pk>/delete/",
         manage.instrument_exception_delete, name="lab-instrument-exception-delete"),
    path("lab/instruments/<int:pk>/blackouts/", manage.instrument_blackouts, name="lab-instrument-blackouts"),
    path("lab/instruments/<int:pk>/blackouts/<int:blackout_pk>/delete/", manage.instrument_blackout_delete,
         name="lab-instrument-blackout-delete"),
    path("lab/instruments/<int:pk>/qualifications/", manage.instrument_qualifications,
         name="lab-instrument-qualifications"),
    path("lab/instruments/<int:pk>/qualifications/<int:qualification_pk>/revoke/",
         manage.instrument_qualification_revoke, name="lab-instrument-qualification-revoke"),
    path("lab/services/", manage_services.lab_services, name="lab-services"),
    path("lab/services/new/", manage_services.service_create, name="lab-service-create"),
    path("lab/services/<int:pk>/", manage_services.service_edit, name="lab-service-edit"),
    path("lab/services/<int:pk>/withdraw/", manage_services.service_withdraw, name="lab-service-withdraw"),
    path("lab/import/", manage_services.import_upload, name="lab-import"),
    path("lab/import/<int:pk>/", manage_services.import_preview, name="lab-import-preview"),
    path("lab/categories/", manage_services.category_codes, name="lab-category-codes"),
    path("lab/import/<int:pk>/confirm/", manage_services.import_confirm, name="lab-import-confirm"),
    path("lab/import/template/<slug:kind>.<slug:fmt>", manage_services.import_template,
         name="lab-import-template"),
    path("lab/export/<slug:kind>.<slug:fmt>", manage_services.export, name="lab-export"),
]  # fmt: skip
