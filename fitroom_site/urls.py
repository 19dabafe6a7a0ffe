from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/", include("tryon.api.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("tryon.urls")),
]
