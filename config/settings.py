"""Parcours settings: one file, driven by the environment (see .env.example)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import ConfigError, database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("PARCOURS_TESTING", False) or "pytest" in sys.modules
# The demo (`make demo`) runs with DEBUG off, so that people see the branded error pages;
# runserver --insecure serves the static files and config/urls.py the media.
DEMO = env_bool("PARCOURS_DEMO", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING or env_bool("PARCOURS_DEMO", False):
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ConfigError("SECRET_KEY must be set (or DEBUG=true for local development)")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "ninja",  # Swagger UI served from its static files (no CDN)
    "django_tasks",
    "django_tasks_db",
    "parcours.lib",
    "parcours.accounts",
    "parcours.catalogue",
    "parcours.pathways",
    "parcours.scheduling",
    "parcours.enrolment",
    "parcours.documents",
    "parcours.credentials",
    "parcours.candidates",
    "parcours.events",
    "parcours.webinars",
    "parcours.assessments",
    "parcours.integrations",
    "parcours.careers",
    "parcours.privacy",
    "parcours.reporting",
    "parcours.orientation",
    "parcours.timetabling",
    "parcours.portfolio",
    "parcours.demo",
    # Sign-up, login, e-mail confirmation, password reset, MFA, sessions (django-allauth). After
    # the project's apps so that parcours/accounts/templates/account/ overrides allauth's pages.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "parcours.accounts.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "parcours.lib.urls.RequestOriginMiddleware",  # demo: links name the address served
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parcours.lib.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "parcours.accounts.middleware.CurrentOrganisationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "parcours.accounts.middleware.StaffMfaMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parcours.accounts.context_processors.membership",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL"), BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests that are about hashing use it explicitly.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "catalogue:public_list"

# --- The front door: django-allauth (docs/architecture.md, "Sign-up, login and MFA") -----------
# E-mail and password, no username; a new address must be confirmed before the first login (the
# link logs the person in and brings them back to the page they came from). Accounts created by
# staff, imports, invitations or commands have no allauth address row: they are taken as
# verified at their first login (parcours.accounts.adapters.LegacyAwareEmailVerificationStage).
ACCOUNT_ADAPTER = "parcours.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "parcours.accounts.auth_forms.LoginForm",
    "signup": "parcours.accounts.auth_forms.SignupForm",
    "reset_password": "parcours.accounts.auth_forms.ResetPasswordForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a mail scanner opening the link confirms nothing
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_PREVENT_ENUMERATION = True  # same answers for known and unknown addresses
ACCOUNT_CHANGE_EMAIL = True  # one address; a change is confirmed on the new one
ACCOUNT_EMAIL_NOTIFICATIONS = True  # the old address hears of a change, of a new password…
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Parcours] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None  # "Se souvenir de moi" on the login form
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
ACCOUNT_LOGOUT_REDIRECT_URL = "catalogue:public_list"
# Rate limits (one mechanism for the whole front door, counted in the default cache: with more
# than one worker process the cache must be shared, see CACHE_BACKEND). "ip" counts per client
# address, "key" per account (the e-mail, lowercased and stripped), "user" per signed-in person.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_IP = env_int("LOGIN_FAILURES_PER_IP", 30)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
PARCOURS_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": (
        f"{LOGIN_FAILURES_PER_IP}/{LOGIN_LOCKOUT_MINUTES}m/ip,"
        f"{LOGIN_FAILURES_PER_ACCOUNT}/{LOGIN_LOCKOUT_MINUTES}m/key"
    ),
    "signup": "10/m/ip,50/h/ip",
    "reset_password": "10/m/ip,3/15m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key,10/h/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    # Ours, through parcours.accounts.throttle.consume_or_429 (invitation links): accepting one
    # (key: the link's hash) and asking for a new one (key: the e-mail address).
    "accept_invitation": "20/m/ip,10/h/key",
    "request_invitation_link": "5/m/ip,3/h/key",
    # Pupils joining a class visit by its code: a class behind one school address joins at
    # once; guessing codes (21^6) stays hopeless at this pace.
    "orientation_join": "60/m/ip,300/h/ip",
    # Applications to a call without an account: a person may correct and resend a form, a
    # robot may not fill the selection board (nor the mailbox with acknowledgements).
    "candidates_apply": "10/m/ip,60/h/ip",
    # The public open-data figures of an organisation (GET, answered from the cache).
    "reports_open_data": "30/m/ip,300/h/ip",
    # Visitors registering for an event's workshops without an account, and their links.
    "events_register": "20/m/ip,200/h/ip",
    "events_confirm": "20/m/ip",
}
# The client address: REMOTE_ADDR, unless the site runs behind that many trusted proxies that
# append to X-Forwarded-For (TRUSTED_PROXY_COUNT=1 behind one nginx/Caddy).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Off in tests (hundreds of logins a minute from 127.0.0.1); the tests about rate limits switch
# them on with settings.ACCOUNT_RATE_LIMITS = settings.PARCOURS_RATE_LIMITS.
RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED", not TESTING)
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = PARCOURS_RATE_LIMITS if RATE_LIMIT_ENABLED else False

# Second factors: authenticator apps (TOTP), passkeys and security keys (WebAuthn), recovery
# codes. A passkey signs in without a password. WebAuthn needs HTTPS, except on localhost.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Parcours"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING or DEMO  # http://localhost
USERSESSIONS_TRACK_ACTIVITY = False

# Shared cache (rate-limit counters). locmem is per process: fine for one process (runserver,
# tests, a single worker); with several workers use "database" (after `manage.py
# createcachetable`) so that every process counts the same attempts.
CACHE_BACKEND = env_str("CACHE_BACKEND", "locmem")
if CACHE_BACKEND == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "parcours_cache",
        }
    }
elif CACHE_BACKEND == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ConfigError(f"CACHE_BACKEND must be locmem or database, not {CACHE_BACKEND!r}")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# --- Security headers and cookies (docs/deployment.md) ----------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool(
    "SECURE_COOKIES", not DEBUG and not TESTING and not env_bool("PARCOURS_DEMO")
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind a reverse proxy that terminates TLS and sets "X-Forwarded-Proto: https" (and strips it
# from clients' requests): SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto. Never set it otherwise.
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _proxy_ssl_header.upper().replace("-", "_"),
        "https",
    )
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# HSTS, sent on HTTPS responses only: start low (300), then 31536000 once HTTPS is sure.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Origins allowed to show framed pages (parcours.accounts.security.frameable, e.g. the lobby
# screen inside a digital-signage player). Empty: no page may be framed.
FRAME_ANCESTORS = env_list("FRAME_ANCESTORS", [])
# Permissions-Policy: the platform uses no camera, microphone, geolocation or payment API;
# publickey-credentials-get/create stay allowed on our own origin (passkeys).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "publickey-credentials-create=(self), publickey-credentials-get=(self)"
)
# Content-Security-Policy (django-csp): scripts only from our own static files, no inline script,
# no eval (htmx works without: no hx-on, no js: values; page behaviours are data attributes read
# by static/js/parcours.js). Styles allow inline style attributes (a few templates use them;
# they cannot run code). QR codes are data: images. On by default except in DEBUG and tests
# (those about it switch it on: parcours/accounts/tests/test_auth_security.py, the browser
# journeys of tests/browser/test_access_journeys.py); the demo runs with it.
# tests/test_templates_csp.py keeps inline scripts and on…= attributes out of every template.
CSP_ENABLED = env_bool("CSP_ENABLED", not DEBUG and not TESTING)
CSP_POLICY: dict[str, object] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CONTENT_SECURITY_POLICY = CSP_POLICY if CSP_ENABLED else None
# Replays (parcours/webinars/players.py): PeerTube instances whose videos are embedded, and
# hosts of video files the replay page plays itself; the replay page alone adds the one origin
# it needs to frame-src / media-src. YouTube (youtube-nocookie.com) and Vimeo are built in.
WEBINARS_PEERTUBE_HOSTS = env_list("WEBINARS_PEERTUBE_HOSTS", [])
WEBINARS_VIDEO_FILE_HOSTS = env_list("WEBINARS_VIDEO_FILE_HOSTS", [])

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Parcours <noreply@parcours.local>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Where the reference data lives beside a checkout (tests may read it; the app uses its fixtures).
SHARED_DATA_DIR = Path(env_str("PARCOURS_SHARED_DATA", str(BASE_DIR.parent / "shared" / "data")))

CATALOGUE_PAGE_SIZE = 20

# Open Badges: the secret that encrypts issuers' private keys at rest (comma-separated to rotate:
# the first encrypts, all decrypt; then `manage.py reencrypt_signing_keys`), the host used in
# did:web identifiers (defaults to SITE_URL's), and the processes used to sign bulk issuance.
CREDENTIALS_KEY = env_str("CREDENTIALS_KEY")
CREDENTIALS_DID_HOST = env_str("CREDENTIALS_DID_HOST")
CREDENTIALS_SIGNING_PROCESSES = env_int("CREDENTIALS_SIGNING_PROCESSES", 2)

# Background work: Django's tasks framework (django-tasks backport) with the database backend.
# Run workers with `manage.py task_worker` (db_worker that re-queues the tasks of dead workers,
# parcours/lib/tasks.py). TASKS_IMMEDIATE=true runs tasks inline (demo, tests).
TASKS_STALE_AFTER = env_int("TASKS_STALE_AFTER", 3600)  # s: a claim older than this is stale
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 3)  # dead workers before a task fails
TASKS_RECOVERY_INTERVAL = env_int("TASKS_RECOVERY_INTERVAL", 60)  # s between recovery sweeps
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("TASKS_IMMEDIATE", TESTING or env_bool("PARCOURS_DEMO"))
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# LTI: the platform's URLs (Dynamic Registration, services) may resolve to private, loopback,
# link-local or reserved addresses only when this is true (a Moodle on the local network).
LTI_ALLOW_PRIVATE_ADDRESSES = env_bool("LTI_ALLOW_PRIVATE_ADDRESSES", False)

# Events: a registration without an account holds its seats this many hours (or until the
# event's first workshop, if sooner) while its e-mail address is not confirmed.
EVENTS_PENDING_HOURS = env_int("EVENTS_PENDING_HOURS", 48)

# Periodic jobs (parcours.lib.periodic) the task workers do not run, by name, comma-separated
# (e.g. integrations.moodle); and how often a worker looks for due jobs, in seconds.
PERIODIC_DISABLED = env_list("PERIODIC_DISABLED", [])
PERIODIC_INTERVAL = env_int("PERIODIC_INTERVAL", 60)

if os.environ.get("PARCOURS_FORCE_SQLITE_MEMORY"):  # pragma: no cover - debugging aid
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
