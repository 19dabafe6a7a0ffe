"""fitroom settings. The environment is read here and nowhere else.

Out of the box: SQLite (WAL) and django-q2's ORM broker, no other service.
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis for scale-out.
"""

import os
from pathlib import Path

import dj_database_url
from environs import Env

BASE_DIR = Path(__file__).resolve().parent.parent


# environs reads every variable: booleans in the usual spellings (true/false, 1/0, yes/no, on/off, any
# case), anything else stops start-up with the variable's name. An empty value counts as unset.
env = Env()


def env_bool(name: str, default: bool) -> bool:
    return env.bool(name) if os.environ.get(name, "").strip() else default


def env_int(name: str, default: int) -> int:
    return env.int(name) if os.environ.get(name, "").strip() else default


def env_str(name: str, default: str = "") -> str:
    return env.str(name, "") or default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env.list(name, default.split(",")) if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The development key only works with DEBUG on or on the embedded default; set SECRET_KEY in production.
SECRET_KEY = env_str("SECRET_KEY") or "django-insecure-dev-only-key-change-me-" + "x" * 32
# Earlier keys, comma-separated, still accepted for signatures (download links, sessions) after a rotation.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_q",
    "tryon",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tryon.api.middleware.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "fitroom_site.urls"
WSGI_APPLICATION = "fitroom_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data --------------------------------------------------------------------------------------
VAR_DIR = Path(env_str("FITROOM_VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # A file (not :memory:) so worker subprocesses in tests can share it; one per test run.
            "TEST": {"NAME": VAR_DIR / f"test-db-{os.getpid()}.sqlite3"},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each web thread and worker keeps its connection: opening one costs a connect and the PRAGMAs,
    # and closing the last one checkpoints the WAL into the file, about 10 ms a request in all.
    DATABASES["default"]["CONN_MAX_AGE"] = None
    # Web and worker processes share this file: WAL lets readers run beside a writer,
    # IMMEDIATE takes the write lock up front and the timeout waits for it instead of
    # failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The rate-limit counts live in a file of their own beside it (tryon/ratelimit.py): an API request's
    # count then never waits for the database's one write lock, held by queue workers and creates.
    TRYON_RATE_LIMIT_FILE = env_str(
        "TRYON_RATE_LIMIT_FILE", str(Path(DATABASES["default"]["NAME"]).with_suffix(".ratelimit.sqlite3"))
    )
else:
    TRYON_RATE_LIMIT_FILE = ""
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # django-q2's monitor needs a cache shared between processes; the rate limiter does not use it.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "fitroom_cache"}}

# --- Queue -------------------------------------------------------------------------------------
TRYON_WORKERS = env_int("TRYON_WORKERS", 2)
TRYON_TASK_TIMEOUT = env_int("TRYON_TASK_TIMEOUT", 120)  # seconds a single try-on may run
# Seconds before the broker delivers an unacknowledged task again (the ORM broker's redelivery of a
# dead worker's task). It must exceed the timeout plus the time a task can wait in the cluster's own
# queue, or a running task is delivered a second time.
TRYON_QUEUE_RETRY = env_int("TRYON_QUEUE_RETRY", TRYON_TASK_TIMEOUT * 2 + 30)
Q_CLUSTER = {
    "name": "fitroom",
    "workers": TRYON_WORKERS,
    "queue_limit": TRYON_WORKERS,
    "timeout": TRYON_TASK_TIMEOUT,
    "retry": TRYON_QUEUE_RETRY,
    # One attempt per delivery: our own task row records the failure and refunds credits.
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 100,
    "sync": env_bool("TRYON_QUEUE_SYNC", False),
    # The ORM broker sleeps this long after finding its queue empty, so it bounds the pickup
    # delay of a new try-on; each poll is one indexed SELECT. (Redis blocks on BLPOP instead.)
    "poll": 0.05,
}
# Queue workers yield the CPU to web requests: in Linux's SCHED_IDLE class they run only on a core nothing
# else wants; the niceness is the fallback where that class is off or missing (see tryon/worker.py).
TRYON_WORKER_IDLE = env_bool("TRYON_WORKER_IDLE", True)
TRYON_WORKER_NICE = env_int("TRYON_WORKER_NICE", 10)
# The web processes' photo checks go to ``manage.py runchecker`` (the Procfile's checker line) on this
# Unix socket, so the engine never loads in a web process; empty: every process runs checks itself.
TRYON_CHECKER_SOCKET = env_str("TRYON_CHECKER_SOCKET", str(VAR_DIR / "checker.sock"))
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Files -------------------------------------------------------------------------------------
# Uploads and results are never served from a public MEDIA_URL: results go out through
# signed, expiring download URLs handled by a view.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))  # collectstatic writes here
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    # Shared media for several machines (requires django-storages[s3]; see README "Running at scale").
    # django-storages reads the bucket from settings, not the environment; credentials come from
    # boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or an instance role).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,  # MinIO, R2, Ceph...
            "file_overwrite": False,
        },
    }

# --- Auth, sessions, security ------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "studio"
LOGOUT_REDIRECT_URL = "studio"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
HTTPS = env_bool("HTTPS", False)  # behind TLS in production: secure cookies, HSTS, redirects
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {"django-q": {"level": LOG_LEVEL}},
}

# --- fitroom -----------------------------------------------------------------------------------
TRYON_MAINTENANCE_MODE = env_bool("TRYON_MAINTENANCE_MODE", False)
# The Retry-After of the maintenance 503: how soon clients should come back (FitRoom's answer says 30).
TRYON_MAINTENANCE_RETRY_AFTER = env_int("TRYON_MAINTENANCE_RETRY_AFTER", 30)
TRYON_RATE_LIMIT_PER_MINUTE = env_int("TRYON_RATE_LIMIT_PER_MINUTE", 60)  # requests per key per window
TRYON_RATE_LIMIT_WINDOW = env_int("TRYON_RATE_LIMIT_WINDOW", 60)  # seconds; FitRoom's contract says a minute
# Studio posts (live checks and try-ons) per visitor (signed-in user, else IP address) per window.
TRYON_STUDIO_RATE_LIMIT_PER_MINUTE = env_int("TRYON_STUDIO_RATE_LIMIT_PER_MINUTE", 30)
# Wrong or missing API keys per client address per window; past it the address gets 429 until the window ends.
TRYON_AUTH_FAILURES_PER_MINUTE = env_int("TRYON_AUTH_FAILURES_PER_MINUTE", 20)
# Proxies in front of the web processes that append to X-Forwarded-For; 0 trusts only REMOTE_ADDR.
TRYON_PROXY_COUNT = env_int("TRYON_PROXY_COUNT", 0)
TRYON_DOWNLOAD_URL_TTL = env_int("TRYON_DOWNLOAD_URL_TTL", 3600)  # seconds
TRYON_MAX_UPLOAD_BYTES = env_int("TRYON_MAX_UPLOAD_BYTES", 15 * 1024 * 1024)
# Larger photos are shrunk to the engine's working size; past this many pixels they are refused as absurd.
TRYON_MAX_IMAGE_PIXELS = env_int("TRYON_MAX_IMAGE_PIXELS", 80_000_000)
TRYON_RESULT_MAX_SIDE = 2048  # the FitRoom contract's maximum output resolution
TRYON_TASK_CREDITS = env_int("TRYON_TASK_CREDITS", 1)  # credits one try-on costs
TRYON_STALE_AFTER = env_int("TRYON_STALE_AFTER", TRYON_TASK_TIMEOUT * 3)  # seconds without progress
TRYON_RETENTION_DAYS = env_int("TRYON_RETENTION_DAYS", 30)
TRYON_QUEUE_TIMEOUT = env_int("TRYON_QUEUE_TIMEOUT", 1800)  # seconds a task may wait to start
# Garments from a product page's image address: fetched by the server, public addresses only
# (allowing private ones is for tests on loopback), within TRYON_MAX_UPLOAD_BYTES and this many seconds.
TRYON_IMAGE_URL_ALLOW_PRIVATE = env_bool("TRYON_IMAGE_URL_ALLOW_PRIVATE", False)
TRYON_IMAGE_URL_TIMEOUT = env_int("TRYON_IMAGE_URL_TIMEOUT", 10)
TRYON_REQUEUE_AFTER = env_int("TRYON_REQUEUE_AFTER", 300)  # seconds unclaimed before a task is queued again
TRYON_PUBLIC_BASE_URL = env_str("TRYON_PUBLIC_BASE_URL")  # e.g. https://tryon.example.com
# "local", "remote", or the dotted path of a backend class (README "Writing a try-on backend").
TRYON_BACKEND = env_str("TRYON_BACKEND", "local")
TRYON_REMOTE_URL = env_str("TRYON_REMOTE_URL")
TRYON_REMOTE_API_KEY = env_str("TRYON_REMOTE_API_KEY")
# Webhook URLs that resolve to private, loopback or link-local addresses are refused unless this is
# true (tests, LAN installs): otherwise a key holder could make the server call into its own network.
TRYON_WEBHOOK_ALLOW_PRIVATE = env_bool("TRYON_WEBHOOK_ALLOW_PRIVATE", False)
TRYON_WEBHOOK_TIMEOUT = 10  # seconds for one delivery attempt
# Seconds before the first retry of a failed delivery; each later one waits four times longer (at most 6 h).
TRYON_WEBHOOK_FIRST_RETRY_DELAY = env_int("TRYON_WEBHOOK_FIRST_RETRY_DELAY", 5)
