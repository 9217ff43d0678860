"""Top-level URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "FittingRoom store admin"
admin.site.site_title = "FittingRoom admin"
admin.site.index_title = "Store management"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("catalog.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
