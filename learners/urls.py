from django.urls import path

from learners import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("login/code/", views.otp_verify, name="otp_verify"),
    path("login/authenticator/", views.otp_setup, name="otp_setup"),
    path("sessions/", views.session_list, name="session_list"),
    path("me/", views.me, name="me"),
    path("me/access/", views.me_access, name="me_access"),
    path("me/link/<str:token>/", views.me_open, name="me_open"),
    path("me/leave/", views.me_leave, name="me_leave"),
]
