from django.urls import path

from stats import views
from stats.coop import views as coop_views

urlpatterns = [
    path("stats/", views.stats, name="stats"),
    path("stats/rapport/<int:year>/", views.stats_annual_report, name="stats_annual_report"),
    path(
        "stats/rapport/<int:year>/rapport.pdf",
        views.stats_annual_report_pdf,
        name="stats_annual_report_pdf",
    ),
    path("stats/ambassadeurs/", views.stats_ambassadors, name="stats_ambassadors"),
    path("stats/territoire/", views.stats_territory, name="stats_territory"),
    path("stats/export/<slug:table>.<str:extension>", views.stats_export, name="stats_export"),
    path("coop/correspondances/", coop_views.coop_mapping, name="coop_mapping"),
    path("coop/export/", coop_views.coop_export, name="coop_export"),
    path("coop/import/", coop_views.coop_import, name="coop_import"),
]

urlpatterns += [
    path("mes-statistiques/", views.my_stats, name="my_stats"),
    path("mes-statistiques/partager/", views.my_stats_share, name="my_stats_share"),
    path(
        "mes-statistiques/partager/<int:pk>/desactiver/",
        views.my_stats_share_revoke,
        name="my_stats_share_revoke",
    ),
    path("statistiques-partagees/<str:token>/", views.my_stats_shared, name="my_stats_shared"),
]
