from django.urls import path

from learners import views

urlpatterns = [
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
    path("journal/", views.accesslog_list, name="accesslog_list"),
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
]
