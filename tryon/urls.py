from django.urls import path

from tryon import views

app_name = "tryon"

urlpatterns = [
    path("p/<slug:slug>/photo-try-on/", views.photo_tryon_view, name="photo"),
    path("p/<slug:slug>/size-advice/", views.size_advice_view, name="size-advice"),
    path("p/<slug:slug>/try/", views.live_tryon_view, name="live"),
    path("sw.js", views.service_worker_view, name="service-worker"),
]
