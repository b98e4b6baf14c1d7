from django.urls import path

from stats import views

urlpatterns = [
    path("stats/", views.stats, name="stats"),
    path("stats/ambassadeurs/", views.stats_ambassadors, name="stats_ambassadors"),
    path("stats/export/<slug:table>.<str:extension>", views.stats_export, name="stats_export"),
]
