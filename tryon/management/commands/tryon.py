"""``manage.py tryon MODEL CLOTH --type upper``: one try-on from the terminal, locally or on any FitRoom server.

Also ``--credits`` and ``--cancel TASK_ID`` against a server (with ``--server URL --key KEY``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tryon import client, cloth_types, engine
from tryon.backends import BackendError, LocalBackend, RenderJob

# --out's extension decides the file format.
OUTPUT_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}


class Command(BaseCommand):
    help = (
        "Dress MODEL in CLOTH and write the result image. Runs the local engine, or any "
        "FitRoom-compatible server with --server URL --key KEY. Progress goes to stderr."
    )
    # Touches neither the database nor the URLs; a terminal tool should not wait for every system check.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("model_image", metavar="MODEL", nargs="?", help="photo of the person")
        parser.add_argument(
            "cloth_image", metavar="CLOTH", nargs="?", help="photo of the garment (the upper one for combo)"
        )
        parser.add_argument("--type", dest="cloth_type", choices=cloth_types.ACCEPTED, help="cloth_type")
        parser.add_argument(
            "--auto", action="store_true", help="let the clothes check choose the type (cloth_type auto)"
        )
        parser.add_argument(
            "--idempotency-key", metavar="KEY", help="with --server: a retry with the same key is charged once"
        )
        parser.add_argument("--credits", action="store_true", help="with --server: print the key's credits")
        parser.add_argument("--cancel", metavar="TASK_ID", help="with --server: cancel a task and refund it")
        parser.add_argument("--lower", dest="lower_cloth_image", metavar="LOWER", help="lower garment, for combo")
        parser.add_argument("--hd", action="store_true", help="high-definition mode (slower)")
        parser.add_argument("--out", default="result.png", help="where to write the result (default result.png)")
        parser.add_argument("--server", metavar="URL", help="a FitRoom-compatible server instead of the local engine")
        parser.add_argument("--key", metavar="KEY", help="API key for --server")
        parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for a server's result")

    def handle(self, *args, **options):
        if bool(options["server"]) != bool(options["key"]):
            raise CommandError("--server and --key go together")
        if options["credits"] or options["cancel"]:
            return self._account(options)
        if not options["model_image"] or not options["cloth_image"]:
            raise CommandError("give MODEL and CLOTH images (or --credits / --cancel TASK_ID with --server)")
        if bool(options["cloth_type"]) == options["auto"]:
            raise CommandError("give one of --type TYPE or --auto")
        if options["idempotency_key"] and not options["server"]:
            raise CommandError("--idempotency-key is for --server")
        cloth_type = cloth_types.AUTO if options["auto"] else cloth_types.task_type(options["cloth_type"])
        if cloth_type == "combo" and not options["lower_cloth_image"]:
            raise CommandError("--type combo needs --lower LOWER.jpg")
        if options["lower_cloth_image"] and cloth_type != "combo":
            raise CommandError("--lower is only used with --type combo")
        if options["server"] and not options["server"].startswith(("http://", "https://")):
            raise CommandError("--server must be a URL starting with http:// or https://")
        out = Path(options["out"])
        if out.suffix.lower() not in OUTPUT_FORMATS:
            raise CommandError(f"--out must end in one of {', '.join(OUTPUT_FORMATS)}")

        model = _read(options["model_image"], "model image")
        cloth = _read(options["cloth_image"], "cloth image")
        lower = _read(options["lower_cloth_image"], "lower cloth image") if options["lower_cloth_image"] else None

        bar = ProgressBar(self.stderr)
        try:
            if options["server"]:
                result = self._on_server(options, model, cloth, cloth_type, lower, bar)
            else:
                result = self._locally(options, model, cloth, cloth_type, lower, bar)
            bar.update(1.0, "done")
        finally:
            bar.end_line()  # so an error message starts on a line of its own

        try:
            image = engine.load_image(result, engine.ImageLimits(max_bytes=256 * 1024 * 1024))
        except engine.ImageError as exc:
            raise CommandError(f"the result is not a usable image: {exc}") from exc
        try:
            image.save(out, OUTPUT_FORMATS[out.suffix.lower()])
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
        self.stdout.write(f"Wrote {out} ({image.width}x{image.height})")

    def _locally(self, options, model, cloth, cloth_type, lower, bar) -> bytes:
        limits = engine.ImageLimits(
            max_bytes=settings.TRYON_MAX_UPLOAD_BYTES, max_pixels=settings.TRYON_MAX_IMAGE_PIXELS
        )
        images = {}
        for name, data in (("model_image", model), ("cloth_image", cloth), ("lower_cloth_image", lower)):
            if data is None:
                continue
            try:
                images[name] = engine.load_image(data, limits)
            except engine.ImageError as exc:
                raise CommandError(f"{options[name]}: {exc}") from exc
        bar.update(0.0, "starting")
        backend = LocalBackend()
        try:
            if cloth_type == cloth_types.AUTO:
                cloth_type = _detect_cloth_type(backend, images["model_image"], images["cloth_image"])
                bar.update(0.0, cloth_type)
            job = RenderJob(
                task_id="terminal",
                model_image=images["model_image"],
                cloth_image=images["cloth_image"],
                cloth_type=cloth_type,
                lower_cloth_image=images.get("lower_cloth_image"),
                hd=options["hd"],
            )
            return backend.render(job, lambda stage, fraction: bar.update(fraction, stage))
        except BackendError as exc:
            raise CommandError(str(exc)) from exc

    def _on_server(self, options, model, cloth, cloth_type, lower, bar) -> bytes:
        def show(task: client.Task) -> None:
            bar.update((task.progress or 0) / 100, task.status.lower())

        try:
            with client.FitRoomClient(options["server"], options["key"]) as server:
                result = server.try_on(
                    model,
                    cloth,
                    cloth_type,
                    lower,
                    options["hd"],
                    on_progress=show,
                    poll_timeout=options["timeout"],
                    idempotency_key=options["idempotency_key"],
                )
        except client.TaskFailed as exc:
            raise CommandError(f"the try-on failed on the server: {exc.message}") from exc
        except client.FitRoomError as exc:
            raise CommandError(f"{options['server']} answered {exc}") from exc
        if result.task.cloth_type:
            self.stderr.write(f"cloth type: {result.task.cloth_type}")
        return result.image

    def _account(self, options) -> None:
        if not options["server"]:
            raise CommandError("--credits and --cancel need --server URL --key KEY")
        try:
            with client.FitRoomClient(options["server"], options["key"]) as server:
                if options["cancel"]:
                    task = server.cancel_task(options["cancel"])
                    self.stdout.write(f"{task.task_id} {task.status}: {task.error}")
                if options["credits"]:
                    self.stdout.write(str(server.credits()))
        except client.FitRoomError as exc:
            raise CommandError(f"{options['server']} answered {exc}") from exc


def _detect_cloth_type(backend, model_image, cloth_image) -> str:
    """--auto locally: the same rule as the server's cloth_type auto (the clothes check, if the photo allows it)."""
    clothes = backend.check_clothes(cloth_image)
    found = cloth_types.task_type(clothes.clothes_type or "") if clothes.is_clothes else None
    if found is None:
        raise CommandError("--auto: the cloth image is not a single garment, so no type can be chosen")
    allowed = cloth_types.wearable(backend.check_model(model_image).good_clothes_types)
    if found not in allowed:
        raise CommandError(f"--auto: the garment is {found}, but the model photo suits {', '.join(allowed) or 'none'}")
    return found


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise CommandError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise CommandError(f"{what} is a directory: {path}") from None
    except OSError as exc:
        raise CommandError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


class ProgressBar:
    """A one-line text bar redrawn with ``\\r``; never moves backwards."""

    width = 30

    def __init__(self, stream):
        self.stream = stream
        self.fraction = 0.0
        self.drawn = False

    def update(self, fraction: float, stage: str = "") -> None:
        self.fraction = max(self.fraction, min(max(fraction, 0.0), 1.0))
        filled = round(self.fraction * self.width)
        line = f"\r[{'#' * filled}{'-' * (self.width - filled)}] {self.fraction * 100:3.0f}% {stage:<16.16}"
        self.stream.write(line, ending="", style_func=lambda text: text)
        self.stream.flush()
        self.drawn = True

    def end_line(self) -> None:
        if self.drawn:
            self.stream.write("", style_func=lambda text: text)
            self.drawn = False
