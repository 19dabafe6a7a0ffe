from django.urls import path

from tryon.views import gallery, health, moderation, studio

urlpatterns = [
    path("", studio.studio, name="studio"),
    path("studio/check/model/", studio.check_model, name="check_model"),
    path("studio/check/clothes/", studio.check_clothes, name="check_clothes"),
    path("tries/<str:public_id>/", studio.task, name="task"),
    path("tries/<str:public_id>/retry/", studio.retry, name="retry"),
    path("tries/<str:public_id>/delete/", gallery.delete, name="delete"),
    path("tries/<str:public_id>/submit/", gallery.submit, name="submit"),
    path("tries/<str:public_id>/<str:kind>.jpg", gallery.task_image, name="task_image"),
    path("gallery/", gallery.gallery, name="gallery"),
    path("gallery/public/", gallery.public_gallery, name="public_gallery"),
    path("staff/moderation/", moderation.moderation, name="moderation"),
    path("healthz", health.healthz, name="healthz"),
]
