from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Parcours numérique — administration"
admin.site.site_title = "Parcours numérique"
admin.site.index_title = "Administration du réseau"

urlpatterns = [
    path("", include("pathway.urls")),
    path("", include("learners.urls")),
    path("", include("certificates.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
