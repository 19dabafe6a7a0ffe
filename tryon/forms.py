"""Forms shared by the FitRoom API and the studio; field names are the FitRoom docs' own."""

from django import forms
from django.conf import settings

from tryon import cloth_types, engine
from tryon.models import TryOnTask


class UploadedImageField(forms.FileField):
    """A file that must decode as an image we accept; cleans to an RGB ``PIL.Image``."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        if upload.size > settings.TRYON_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"is larger than {engine.describe_bytes(settings.TRYON_MAX_UPLOAD_BYTES)}", code="too_large"
            )
        limits = engine.ImageLimits(
            max_bytes=settings.TRYON_MAX_UPLOAD_BYTES, max_pixels=settings.TRYON_MAX_IMAGE_PIXELS
        )
        try:
            return engine.load_image(upload.read(), limits)
        except engine.ImageError as exc:
            raise forms.ValidationError(str(exc), code="invalid_image") from exc


def _required(name):
    return {"required": f"{name} is required", "empty": f"{name} is empty"}


class InputImageForm(forms.Form):
    input_image = UploadedImageField(error_messages=_required("input_image"))


CLOTH_TYPE_CHOICES = [(c, c) for c in (*cloth_types.ACCEPTED, cloth_types.AUTO)]


class TryOnTaskForm(forms.Form):
    model_image = UploadedImageField(error_messages=_required("model_image"))
    cloth_image = UploadedImageField(error_messages=_required("cloth_image"))
    lower_cloth_image = UploadedImageField(required=False, error_messages=_required("lower_cloth_image"))
    cloth_type = forms.ChoiceField(
        choices=CLOTH_TYPE_CHOICES,
        error_messages={
            "required": "cloth_type is required",
            "invalid_choice": f"cloth_type must be one of {', '.join((*cloth_types.TASK_TYPES, cloth_types.AUTO))}",
        },
    )
    hd_mode = forms.CharField(required=False)
    # API only: where to POST the task's final state (the key's default URL when absent).
    webhook_url = forms.URLField(
        required=False,
        max_length=2000,
        assume_scheme="https",
        error_messages={"invalid": "webhook_url: enter a valid URL"},
    )

    def clean_cloth_type(self):
        value = self.cleaned_data["cloth_type"]
        # "full" (the checks' word) -> "full_set"; "auto" is left for the service to resolve.
        return value if value == cloth_types.AUTO else cloth_types.task_type(value)

    def clean_webhook_url(self):
        from tryon.webhooks import refusal

        url = self.cleaned_data.get("webhook_url") or ""
        problem = refusal(url) if url else None
        if problem:
            raise forms.ValidationError(f"webhook_url {problem}", code="refused")
        return url

    def clean_hd_mode(self):
        return self.cleaned_data.get("hd_mode", "").strip().lower() == "true"

    def clean(self):
        cleaned = super().clean()
        combo = cleaned.get("cloth_type") == TryOnTask.ClothType.COMBO
        if combo and not cleaned.get("lower_cloth_image") and "lower_cloth_image" not in self.errors:
            self.add_error("lower_cloth_image", "lower_cloth_image is required when cloth_type is combo")
        return cleaned


def first_error(form: forms.Form) -> str:
    """The first error as one line, naming the field ("model_image: the file is empty")."""
    for field, errors in form.errors.items():
        message = errors[0]
        if field == "__all__" or message.startswith(field):
            return message
        return f"{field}: {message}"
    return "invalid request"
