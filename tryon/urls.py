from django.urls import path

from tryon.views import accounts, gallery, health, moderation, studio

urlpatterns = [
    path("", studio.studio, name="studio"),
    path("studio/check/model/", studio.check_model, name="check_model"),
    path("studio/check/clothes/", studio.check_clothes, name="check_clothes"),
    path("studio/people/", studio.save_person, name="save_person"),
    path("studio/people/<str:pk>.jpg", studio.saved_person_image, name="saved_person_image"),
    path("studio/people/<str:pk>/delete/", studio.delete_saved_person, name="delete_saved_person"),
    path("tries/<str:public_id>/", studio.task, name="task"),
    path("tries/<str:public_id>/retry/", studio.retry, name="retry"),
    path("tries/<str:public_id>/delete/", gallery.delete, name="delete"),
    path("tries/<str:public_id>/submit/", gallery.submit, name="submit"),
    path("tries/<str:public_id>/withdraw/", gallery.withdraw, name="withdraw"),
    path("tries/<str:public_id>/share/", gallery.share, name="share"),
    path("tries/<str:public_id>/unshare/", gallery.unshare, name="unshare"),
    path("shared/<str:share_token>/", gallery.shared, name="shared"),
    path("shared/<str:share_token>/result.jpg", gallery.shared, name="shared_image"),
    path("tries/<str:public_id>/<str:kind>.jpg", gallery.task_image, name="task_image"),
    path("gallery/", gallery.gallery, name="gallery"),
    path("compare/", gallery.compare, name="compare"),
    path("compare/outfit/", gallery.outfit, name="outfit"),
    path("gallery/public/", gallery.public_gallery, name="public_gallery"),
    path("staff/moderation/", moderation.moderation, name="moderation"),
    path("staff/invitations/", accounts.invitations, name="invitations"),
    path("join/<str:token>/", accounts.join, name="join"),
    path("healthz", health.healthz, name="healthz"),
]
