from django.core.files.uploadedfile import SimpleUploadedFile

from tests import images

TASKS = "/api/tryon/v2/tasks"


def upload(data: bytes, name="image.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def task_form(cloth_type="upper", **overrides) -> dict:
    form = {
        "model_image": upload(images.person_photo(), "model.jpg"),
        "cloth_image": upload(images.drawn_tee(), "cloth.jpg"),
        "cloth_type": cloth_type,
    }
    form.update(overrides)
    return {name: value for name, value in form.items() if value is not None}
