from django.urls import path

from learners import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("sessions/", views.session_list, name="session_list"),
    path("me/", views.me, name="me"),
    path("me/access/", views.me_access, name="me_access"),
    path("me/link/<str:token>/", views.me_open, name="me_open"),
    path("me/leave/", views.me_leave, name="me_leave"),
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
