from django.urls import path

from pathway import views

urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/register/", views.processing_register, name="processing_register"),
    # The public guide: no login.
    path("guide/", views.place_list, name="place_list"),
    path("guide/carte/", views.place_map, name="place_map"),
    path("guide/lieux/<int:pk>/", views.place_detail, name="place_detail"),
    path("guide/lieux/<int:pk>/signaler/", views.place_report, name="place_report"),
    path("guide/ateliers/", views.workshop_list, name="workshop_list"),
    path("guide/orientation/", views.orientation_guide, name="orientation"),
    path("guide/taille-du-texte/", views.text_size, name="text_size"),
    path("guide.pdf", views.guide_pdf, name="guide_pdf"),
    # For partners' sites: the only page that may be framed (its own CSP).
    path("widget/", views.widget, name="widget"),
    path("open-data/places.csv", views.open_data_csv, name="open_data_csv"),
    path("open-data/places.json", views.open_data_json, name="open_data_json"),
    # Staff pages that feed the guide.
    path("lieux/", views.place_manage, name="place_manage"),
    path("lieux/<int:pk>/modifier/", views.place_edit, name="place_edit"),
    path("lieux/signalements/", views.place_reports, name="place_reports"),
    path(
        "lieux/signalements/<int:pk>/traite/",
        views.place_report_resolve,
        name="place_report_resolve",
    ),
    path("ateliers/", views.workshop_manage, name="workshop_manage"),
    path("ateliers/nouveau/", views.workshop_create, name="workshop_create"),
    path("ateliers/<int:pk>/modifier/", views.workshop_edit, name="workshop_edit"),
    path("ateliers/<int:pk>/supprimer/", views.workshop_delete, name="workshop_delete"),
]
