from django.urls import path

from network import views

urlpatterns = [
    # Parent ambassadors, on their phone.
    path("ambassadeurs/", views.ambassador_home, name="ambassador_home"),
    path("ambassadeurs/orienter/", views.ambassador_refer, name="ambassador_refer"),
    path("ambassadeurs/ateliers/", views.ambassador_workshops, name="ambassador_workshops"),
    path("ambassadeurs/carte.pdf", views.ambassador_card_pdf, name="ambassador_card_pdf"),
    path("ambassadeurs/connexion/", views.ambassador_sign_in, name="ambassador_sign_in"),
    path("ambassadeurs/lien/<str:token>/", views.ambassador_link, name="ambassador_link"),
    # Staff: the network admin and schools' coordinators invite them.
    path("reseau/ambassadeurs/", views.ambassador_team, name="ambassador_team"),
    path(
        "reseau/ambassadeurs/<int:pk>/compte/",
        views.ambassador_account,
        name="ambassador_account",
    ),
    # The extranet (staff).
    path("reseau/annuaire/", views.directory, name="directory"),
    path("reseau/annuaire/ma-fiche/", views.directory_me, name="directory_me"),
    path("reseau/equipe/", views.team, name="team"),
    path("reseau/equipe/<int:pk>/", views.team_member, name="team_member"),
    path("reseau/invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # The network calendar; the public registration to an event (the assises).
    path("reseau/agenda/", views.calendar, name="calendar"),
    path("reseau/agenda/nouveau/", views.meeting_create, name="meeting_create"),
    path("reseau/agenda/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("reseau/agenda/export/", views.coordination_export, name="coordination_export"),
    path("reseau/agenda/flux/<str:token>.ics", views.calendar_ics, name="calendar_ics"),
    path("evenements/<int:pk>/", views.event_public, name="event_public"),
    # News and shared documents (staff).
    path("reseau/actualites/", views.news, name="news"),
    path("reseau/documents/", views.documents, name="documents"),
    path("reseau/documents/versions/<int:pk>/", views.document_download, name="document_download"),
]
