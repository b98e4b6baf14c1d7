from django.urls import path

from stats import views

urlpatterns = [
    path("stats/", views.stats, name="stats"),
    path("stats/rapport/<int:year>/", views.stats_annual_report, name="stats_annual_report"),
    path(
        "stats/rapport/<int:year>/rapport.pdf",
        views.stats_annual_report_pdf,
        name="stats_annual_report_pdf",
    ),
    path("stats/ambassadeurs/", views.stats_ambassadors, name="stats_ambassadors"),
    path("stats/export/<slug:table>.<str:extension>", views.stats_export, name="stats_export"),
]
