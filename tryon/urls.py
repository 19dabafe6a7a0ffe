from django.urls import path

from tryon import views

urlpatterns = [
    path("", views.studio, name="studio"),
    path("studio/check/model/", views.check_model, name="check_model"),
    path("studio/check/clothes/", views.check_clothes, name="check_clothes"),
    path("tries/<str:public_id>/", views.task, name="task"),
    path("tries/<str:public_id>/retry/", views.retry, name="retry"),
    path("tries/<str:public_id>/delete/", views.delete, name="delete"),
    path("tries/<str:public_id>/submit/", views.submit, name="submit"),
    path("tries/<str:public_id>/<str:kind>.jpg", views.task_image, name="task_image"),
    path("gallery/", views.gallery, name="gallery"),
    path("gallery/public/", views.public_gallery, name="public_gallery"),
    path("staff/moderation/", views.moderation, name="moderation"),
    path("healthz", views.healthz, name="healthz"),
]
