"""Forms shared by the FitRoom API and the studio; field names are the FitRoom docs' own."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core import signing

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
        # A larger photo (a 48 MP phone photo) is shrunk to the engine's largest working size, not refused.
        limits = engine.ImageLimits(
            max_bytes=settings.TRYON_MAX_UPLOAD_BYTES,
            max_pixels=settings.TRYON_MAX_IMAGE_PIXELS,
            max_side=engine.WORKING_MAX_SIDE,
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


# A studio upload reference: the stored photo's name and its check, signed for one visitor, for a day.
UPLOAD_SALT = "fitroom.studio-upload"
UPLOAD_MAX_AGE = 24 * 3600
STUDIO_SLOTS = ("model", "cloth", "lower_cloth")


@dataclass(frozen=True)
class StoredUpload:
    name: str
    check: dict  # what the live check found, so the try-on need not run it again


def sign_upload(upload: StoredUpload, visitor: str) -> str:
    return signing.dumps({"n": upload.name, "v": visitor, "c": upload.check}, salt=UPLOAD_SALT, compress=True)


def unsign_upload(reference: str, visitor: str) -> StoredUpload | None:
    """The upload a reference names, if it was signed for this visitor and is fresh; else None."""
    try:
        value = signing.loads(reference, salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("v") != visitor or not visitor:
        return None
    return StoredUpload(value["n"], value.get("c") or {})


class StudioTryOnForm(TryOnTaskForm):
    """The studio's try-on: each photo either uploaded now or a reference to the one its live check stored.

    A reference signed for another visitor (or expired) is refused, so nobody can dress someone
    else's photo by copying a form field.
    """

    model_upload = forms.CharField(required=False)
    cloth_upload = forms.CharField(required=False)
    lower_cloth_upload = forms.CharField(required=False)

    def __init__(self, *args, visitor: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.visitor = visitor
        for slot in STUDIO_SLOTS:
            if self.data.get(f"{slot}_upload"):
                self.fields[f"{slot}_image"].required = False

    def _clean_upload(self, slot):
        reference = self.cleaned_data.get(f"{slot}_upload")
        if not reference:
            return None
        upload = unsign_upload(reference, self.visitor)
        if upload is None:
            raise forms.ValidationError("the stored photo has expired", code="expired")
        return upload

    def clean_model_upload(self):
        return self._clean_upload("model")

    def clean_cloth_upload(self):
        return self._clean_upload("cloth")

    def clean_lower_cloth_upload(self):
        return self._clean_upload("lower_cloth")

    def clean(self):
        from tryon import services

        for slot in STUDIO_SLOTS:
            upload = self.cleaned_data.get(f"{slot}_upload")
            # A photo chosen again after its check wins over the stored one.
            if upload is not None and not self.cleaned_data.get(f"{slot}_image"):
                try:
                    self.cleaned_data[f"{slot}_image"] = services.load_studio_upload(upload.name)
                except services.ServiceError:
                    self.add_error(f"{slot}_upload", forms.ValidationError("expired", code="expired"))
        return super().clean()

    def stored_check(self, slot) -> dict | None:
        """The live check's findings for a photo taken from its stored upload, else None."""
        upload = self.cleaned_data.get(f"{slot}_upload")
        if upload is None or self.files.get(f"{slot}_image"):
            return None
        return upload.check


def first_error(form: forms.Form) -> str:
    """The first error as one line, naming the field ("model_image: the file is empty")."""
    for field, errors in form.errors.items():
        message = errors[0]
        if field == "__all__" or message.startswith(field):
            return message
        return f"{field}: {message}"
    return "invalid request"
