from django.urls import path, re_path

from tryon.api import views

urlpatterns = [
    path("tryon/input_check/v1/model", views.check_model, name="api-check-model"),
    path("tryon/input_check/v1/clothes", views.check_clothes, name="api-check-clothes"),
    path("tryon/v2/tasks", views.create_task, name="api-create-task"),
    path("tryon/v2/tasks/<str:task_id>", views.get_task, name="api-get-task"),
    path("tryon/v2/tasks/<str:task_id>/cancel", views.cancel_task, name="api-cancel-task"),
    path("tryon/v2/credits", views.credits, name="api-credits"),
    path("tryon/v2/results/<str:task_id>", views.download_result, name="api-result-download"),
    path("openapi.json", views.openapi, name="api-openapi"),
    # Any other /api/ path is our JSON 404, never Django's HTML 404 page (which needs the static files).
    re_path(r"", views.not_found),
]
