from django.urls import path

from frontend.views import notices as views

urlpatterns = [
    path("department/notices/", views.notice_list, name="notice-list"),
    path("department/notices/publish/", views.notice_publish, name="notice-publish"),
    path("notices/<int:pk>/", views.notice_public, name="notice-public"),
    path("notices/<int:pk>/correct/", views.notice_correct, name="notice-correct"),
]
