from django.urls import path

from certificates import views

urlpatterns = [
    # The public check: anyone, no login; lookups are rate limited per client.
    path("verify/", views.certificate_verify_index, name="certificate_verify_index"),
    path("verify/check/", views.certificate_check, name="certificate_check"),
    path("verify/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("verify/<str:code>/pdf/", views.certificate_verify_pdf, name="certificate_verify_pdf"),
    path(
        "verify/<str:code>/credential.json",
        views.certificate_verify_credential,
        name="certificate_verify_credential",
    ),
    path("verify/<str:code>/badge.png", views.certificate_badge_png, name="certificate_badge_png"),
    path("verify/<str:code>/badge.svg", views.certificate_badge_svg, name="certificate_badge_svg"),
    # The issuer: profile, keys (verificationMethod URLs) and revocation status lists.
    path("issuer/", views.issuer_profile, name="issuer_profile"),
    path("issuer/keys/<str:key_id>/", views.issuer_key, name="issuer_key"),
    path("issuer/status/<int:number>/", views.status_list, name="status_list"),
    # The same for the network of each town but the first: its credentials' issuer.
    path("issuer/towns/<str:insee_code>/", views.issuer_profile, name="town_issuer_profile"),
    path(
        "issuer/towns/<str:insee_code>/keys/<str:key_id>/",
        views.issuer_key,
        name="town_issuer_key",
    ),
    path(
        "issuer/towns/<str:insee_code>/status/<int:number>/",
        views.status_list,
        name="town_status_list",
    ),
    # Partners' endorsements: their profiles, keys held for them, and the credentials.
    path("issuer/endorsers/<slug:slug>/", views.endorser_profile, name="endorser_profile"),
    path(
        "issuer/endorsers/<slug:slug>/keys/<str:key_id>/",
        views.endorser_key,
        name="endorser_key",
    ),
    path(
        "issuer/endorsements/<str:public_id>/",
        views.endorsement_credential,
        name="endorsement_credential",
    ),
    # Mediators and the network admin.
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/eligible/", views.certificate_eligible, name="certificate_eligible"),
    path("certificates/issue/", views.certificate_issue, name="certificate_issue"),
    path("certificates/endorsements/", views.endorsement_list, name="endorsement_list"),
    path("pix/", views.pix_import, name="pix_import"),
    path("pix/<int:pk>/confirm/", views.pix_import_confirm, name="pix_import_confirm"),
    path("certificates/<str:code>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<str:code>/pdf/", views.certificate_download, name="certificate_download"),
    path(
        "certificates/<str:code>/revoke/",
        views.certificate_revoke_view,
        name="certificate_revoke",
    ),
    # The resident's own space.
    path("me/certificates/", views.me_certificates, name="me_certificates"),
    path("me/passeport/", views.me_record, name="me_record"),
    path("me/passeport/pdf/", views.me_record_pdf, name="me_record_pdf"),
    path("me/passeport/credential.json", views.me_record_credential, name="me_record_credential"),
    path("me/certificates/<str:code>/", views.me_certificate, name="me_certificate"),
    path("me/certificates/<str:code>/pdf/", views.me_certificate_pdf, name="me_certificate_pdf"),
]
