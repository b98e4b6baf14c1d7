from django.urls import path

from learners import views
from learners.views import workshops

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("login/code/", views.otp_verify, name="otp_verify"),
    path("login/authenticator/", views.otp_setup, name="otp_setup"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/edit/", views.session_update, name="session_update"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/search/", views.resident_search, name="resident_search"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/merge/", views.resident_merge, name="resident_merge"),
    path("residents/<str:reference>/", views.resident_journey, name="resident_journey"),
    path("residents/<str:reference>/edit/", views.resident_update, name="resident_update"),
    path("residents/<str:reference>/erase/", views.resident_erase, name="resident_erase"),
    path("residents/<str:reference>/refer/", views.referral_create, name="referral_create"),
    path(
        "residents/<str:reference>/export.<str:fmt>",
        views.resident_export,
        name="resident_export",
    ),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path(
        "referrals/notifications/",
        views.referral_notifications,
        name="referral_notifications",
    ),
    path("journal/", views.accesslog_list, name="accesslog_list"),
    path("imports/", views.import_start, name="import_start"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/<slug:kind>.<slug:file_format>", views.export_download, name="export_download"),
    path("api-keys/", views.apitoken_list, name="apitoken_list"),
    path("api-keys/<int:pk>/revoke/", views.apitoken_revoke, name="apitoken_revoke"),
    path("me/", views.me, name="me"),
    path("me/access/", views.me_access, name="me_access"),
    path("me/link/<str:token>/", views.me_open, name="me_open"),
    path("me/leave/", views.me_leave, name="me_leave"),
    path("me/data/", views.me_data, name="me_data"),
    path("me/data/export.<str:fmt>", views.me_export, name="me_export"),
    path("me/data/erase/", views.me_erase, name="me_erase"),
    path("residents/<str:reference>/links/", views.resident_links, name="resident_links"),
    path("residents/<str:reference>/links/carnet/", views.resident_carnet, name="resident_carnet"),
    path(
        "residents/<str:reference>/links/email/",
        views.resident_link_send,
        name="resident_link_send",
    ),
    path(
        "residents/<str:reference>/links/<int:pk>/revoke/",
        views.resident_link_revoke,
        name="resident_link_revoke",
    ),
    # Workshop sign-ups: the public page and form (no account), the person's own link, and
    # the staff page of a workshop's sign-ups.
    path("guide/ateliers/<int:pk>/", workshops.workshop_detail, name="workshop_detail"),
    path(
        "guide/ateliers/<int:pk>/inscription/",
        workshops.workshop_signup,
        name="workshop_signup",
    ),
    path("guide/inscription/<str:token>/", workshops.signup_detail, name="signup_detail"),
    path("guide/inscription/<str:token>/annuler/", workshops.signup_cancel, name="signup_cancel"),
    path("ateliers/<int:pk>/inscrits/", workshops.workshop_signups, name="workshop_signups"),
    # The consent text and the privacy notice in the person's language.
    path(
        "consentement/<str:version>/<str:language>/",
        workshops.consent_notice,
        name="consent_notice",
    ),
    path("ateliers/<int:pk>/presence/", workshops.workshop_attendance, name="workshop_attendance"),
    path(
        "ateliers/<int:pk>/inscrits/<int:signup_pk>/annuler/",
        workshops.workshop_signup_cancel,
        name="workshop_signup_cancel",
    ),
]
