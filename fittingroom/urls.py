"""Top-level URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve



def serve_media(request, path):
    """Serve an uploaded file from MEDIA_ROOT when FITTINGROOM_SERVE_MEDIA is on (checked per request)."""
    if not settings.FITTINGROOM_SERVE_MEDIA:
        raise Http404("Media are served by the web server.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)


admin.site.site_header = "FittingRoom store admin"
admin.site.site_title = "FittingRoom admin"
admin.site.index_title = "Store management"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("catalog.urls")),
    path("", include("tryon.urls")),
]

urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve_media)]
