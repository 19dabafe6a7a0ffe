from django.urls import path

from tryon import views

urlpatterns = [
    path("", views.studio, name="studio"),
    path("healthz", views.healthz, name="healthz"),
]
