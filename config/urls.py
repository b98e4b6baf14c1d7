from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from certificates import api as certificates_api
from learners import api as learners_api
from pathway import api as pathway_api
from pathway.admin import keep_for_the_superuser
from stats import api as stats_api

admin.site.site_header = _("Parcours numérique — administration")
admin.site.site_title = "Parcours numérique"
admin.site.index_title = _("Administration du réseau")
# Pages of the whole installation (sign-in attempts, authenticator devices): its
# superuser's, not a town's network admin's.
keep_for_the_superuser(
    admin.site,
    [
        "axes.AccessAttempt",
        "axes.AccessLog",
        "axes.AccessFailureLog",
        "otp_totp.TOTPDevice",
    ],
)

# The REST API, version 1: each app lists its endpoints in its api.py.
api_v1 = DefaultRouter()
api_v1.include_format_suffixes = False
for prefix, viewset, basename in [
    *pathway_api.ROUTES,
    *learners_api.ROUTES,
    *certificates_api.ROUTES,
    *stats_api.ROUTES,
]:
    api_v1.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("", include("pathway.urls")),
    path("", include("learners.urls")),
    path("", include("certificates.urls")),
    path("", include("stats.urls")),
    path("", include("network.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The translations of the interface's scripts (static/js), in the visitor's language.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript_catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1.urls, "v1"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    # Anything else under /api/v1/ answers the API's JSON 404, not an HTML page.
    re_path(r"^api/v1/", learners_api.not_found),
]
