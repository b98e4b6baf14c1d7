from django.urls import path

from pathway import views

urlpatterns = [
    path("", views.home, name="home"),
    path("stats/", views.stats, name="stats"),
    path("stats/export/<slug:table>.<str:extension>", views.stats_export, name="stats_export"),
    path("privacy/", views.privacy, name="privacy"),
]
