from django.urls import path

from pathway import views

urlpatterns = [
    path("", views.home, name="home"),
    path("stats/", views.stats, name="stats"),
    path("privacy/", views.privacy, name="privacy"),
]
