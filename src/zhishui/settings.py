"""Django settings for zhishui. Every setting that varies comes from the environment.

The registered environment variables, their defaults and meaning live in ``zhishui.config``
(one place, documented in docs/settings.md and tested against it).
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from zhishui import config

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = config.var_dir()

SECRET_KEY = config.secret_key()
DEBUG = config.get("ZHISHUI_DEBUG")
ALLOWED_HOSTS = config.get("ZHISHUI_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = config.get("ZHISHUI_CSRF_TRUSTED_ORIGINS")
ZHISHUI_DISTRICT = config.get("ZHISHUI_DISTRICT")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "zhishui.core",
    "zhishui.registry",
    "zhishui.invoicing",
    "zhishui.filing",
    "zhishui.web",
    "zhishui.calc",
    "zhishui.demo",
    "zhishui.reform",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhishui.core.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhishui.urls"
WSGI_APPLICATION = "zhishui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhishui.web.context.shell",
                "zhishui.registry.context.search",
            ],
        },
    },
]

DATABASES = {"default": config.database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": config.get("ZHISHUI_PASSWORD_MIN_LENGTH")}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhishui.core.passwords.ComplexityValidator"},
]
# Password rotation for staff roles (MLPS level 3: periodic change); 0 disables.
ZHISHUI_PASSWORD_MAX_AGE_DAYS = config.get("ZHISHUI_PASSWORD_MAX_AGE_DAYS")
ZHISHUI_PASSWORD_COMPLEXITY = config.get("ZHISHUI_PASSWORD_COMPLEXITY")
ZHISHUI_OTP_REQUIRED = config.get("ZHISHUI_OTP_REQUIRED")
ZHISHUI_AUDIT_RETENTION_DAYS = 180
ZHISHUI_IMPORT_MAX_BYTES = config.get("ZHISHUI_IMPORT_MAX_BYTES")

# Sessions: idle timeout via cookie age renewed on every request; absolute timeout in middleware.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = config.get("ZHISHUI_SESSION_IDLE_MINUTES") * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
ZHISHUI_SESSION_ABSOLUTE_MINUTES = config.get("ZHISHUI_SESSION_ABSOLUTE_MINUTES")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the cookie-free meta tag instead

# Lockout (django-axes): lock the username+address pair after repeated failures.
AXES_FAILURE_LIMIT = config.get("ZHISHUI_LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = config.get("ZHISHUI_LOCKOUT_MINUTES") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhishui.core.views_auth.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# Production hardening, switched on when not in DEBUG (see `zhishui check --deploy`).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if config.get("ZHISHUI_HTTPS"):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is a decision for the operator, not us

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if not DEBUG and not config.testing() else
                    "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = config.get("ZHISHUI_EMAIL_BACKEND")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = config.get("ZHISHUI_EMAIL_FROM")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

NINJA_PAGINATION_PER_PAGE = 50

# Background jobs (django-tasks): queued in the database and run by `zhishui worker`, which
# `zhishui serve` starts next to the web server (docs/decisions/0008-background-jobs.md).
TASKS = config.tasks()
