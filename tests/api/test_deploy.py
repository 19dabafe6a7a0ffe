"""`manage.py check --deploy` is clean under production-like settings (a subprocess, real environment)."""

import os
import secrets
import subprocess
import sys

import pytest

from tests.processes import ROOT


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TRYON_", "HTTPS", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="fitroom_site.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        HTTPS="true",
        ALLOWED_HOSTS="tryon.example.com",
        CSRF_TRUSTED_ORIGINS="https://tryon.example.com",
        FITROOM_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_development_secret_key_is_flagged_in_production(tmp_path):
    """Without SECRET_KEY the deploy check must not pass: the built-in key is for development only."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DEBUG", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(DEBUG="false", HTTPS="true", ALLOWED_HOSTS="tryon.example.com", FITROOM_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr  # SECRET_KEY weak / insecure prefix


def _settings_env(tmp_path, **values) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "TRYON_", "DEBUG"))}
    env.update(DJANGO_SETTINGS_MODULE="fitroom_site.settings", FITROOM_VAR_DIR=str(tmp_path), **values)
    return env


def _python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("spelling", "debug"), [("1", True), ("yes", True), ("True", True), ("0", False), ("off", False)]
)
def test_debug_accepts_the_usual_spellings(tmp_path, spelling, debug):
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    result = _python(code, _settings_env(tmp_path, DEBUG=spelling))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(debug)


def test_a_value_that_is_not_a_boolean_stops_start_up_naming_the_variable(tmp_path):
    result = _python("import django; django.setup()", _settings_env(tmp_path, DEBUG="maybe"))
    assert result.returncode != 0
    assert 'Environment variable "DEBUG" invalid' in result.stderr


def test_web_process_without_collected_static_files_refuses_to_start(tmp_path):
    """Under DEBUG=false every page would answer 500; a clear start-up error instead."""
    env = _settings_env(tmp_path, DEBUG="false", STATIC_ROOT=str(tmp_path / "static"))
    result = _python("import fitroom_site.wsgi", env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: Static files are not collected" in result.stderr
    assert "collectstatic" in result.stderr

    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, timeout=300
    )
    assert collected.returncode == 0
    result = _python("import fitroom_site.wsgi", env)
    assert result.returncode == 0, result.stderr


def test_web_process_loads_its_views_at_start_and_keeps_them_out_of_full_collections(tmp_path):
    """A full garbage collection walked all of start-up's objects (15-30 ms, every thread of the process stopped)."""
    code = (
        "import gc, sys, fitroom_site.wsgi; "
        "print(gc.get_freeze_count(), 'tryon.api.views' in sys.modules, 'tryon.views.studio' in sys.modules)"
    )
    result = _python(code, _settings_env(tmp_path, DEBUG="true"))
    assert result.returncode == 0, result.stderr
    frozen, api_views, studio_views = result.stdout.split()
    assert int(frozen) > 20_000
    assert (api_views, studio_views) == ("True", "True")
