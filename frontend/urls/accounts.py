from django.urls import path

from frontend.views import accounts as views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("acting-as/", views.switch_acting_as, name="switch-acting-as"),
]
