"""Settings for Parcours numérique, read from environment variables only.

Every variable is documented in .env.example. Defaults give a working demo on SQLite;
production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


REQUIRED = object()


def env(name, default=REQUIRED):
    value = os.environ.get(name, "")
    if value == "":
        if default is REQUIRED:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name, default):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The development key only works with DEBUG on; production must set its own.
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key" if DEBUG else REQUIRED)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Absolute address of the site, used in certificates, QR codes and emails.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "import_export",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "pathway",
    "learners",
    "certificates",
    "stats",
    "network",
]

MIDDLEWARE = [
    # First: the load balancer's health checks (/sante/vivant, /sante/pret) are answered
    # before host checks, HTTPS redirects, sessions and sign-in (config.health).
    "config.health.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which database this request reads (config.replica): the primary unless a replica is set.
    "config.replica.ReplicaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "learners.middleware.SessionLifetimeMiddleware",
    "learners.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes requires: it turns lockouts into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "pathway.views.town",
                "learners.notifications.new_referrals",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo server and a management command share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# A PostgreSQL streaming replica for the pages that only read (statistics, public guide, open
# data, exports): config.replica says when it is used and when the primary is read instead.
if env("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    # A replica that does not answer must not hold the page: the primary is read instead.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    # The test database is the primary's, seen through the replica (made once, on the primary).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
# Reads go back to the primary while the replica is this many seconds behind, or more.
REPLICA_MAX_LAG = float(env("DATABASE_REPLICA_MAX_LAG", "5"))
# How long each process keeps the replica's measured lag before measuring it again.
REPLICA_CHECK_SECONDS = float(env("DATABASE_REPLICA_CHECK_SECONDS", "2"))
# After a person's write, their reads stay on the primary this long (a cookie): longer than
# the largest lag accepted plus the time the lag is kept.
REPLICA_PIN_SECONDS = int(env("DATABASE_REPLICA_PIN_SECONDS", "10"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "learners.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTHENTICATION_BACKENDS = [
    # django-axes counts failed logins and locks an account out for a while.
    "axes.backends.AxesStandaloneBackend",
    # Django's, with the account's town and territory loaded with it (the page header).
    "learners.permissions.StaffBackend",
]
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(env("LOGIN_COOLOFF_MINUTES", "15")))
# Lock the account from the address that failed, so nobody can lock a colleague out from
# elsewhere; never permanently (cool-off above), and failures during a lockout do not make
# it longer. The address is the client's, as for the rate limits (behind the TLS proxy, the
# one it appended), not the proxy's.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "learners.permissions.axes_client_address"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "learners/login_locked.html"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "learners.permissions.axes_username"
# Sign-in attempts from one address, whatever the accounts tried (password spraying).
LOGIN_RATE_LIMIT = int(env("LOGIN_RATE_LIMIT", "30"))
# Personal links opened from one address in an hour (guessing links).
RESIDENT_LINK_RATE_LIMIT = int(env("RESIDENT_LINK_RATE_LIMIT", "30"))
# Second factor (TOTP): compulsory for network admins, optional for everyone else.
OTP_REQUIRED_FOR_ADMINS = env_bool("OTP_REQUIRED_FOR_ADMINS", True)
OTP_TOTP_ISSUER = env("OTP_ISSUER", "Parcours numérique")
# The admin lists authenticator apps without their secret keys: nobody reads another
# person's codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
MEDIA_URL = "media/"
# Signed certificate PDFs and import files waiting to be confirmed live here; back this
# folder up with the database. They are private: no URL serves the folder and a file's .url
# raises (learners.storage); the views that check permission hand each file out.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# In development the files are served from the source folders; production runs collectstatic.
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "learners.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# With several app servers the files must be shared: an S3-compatible object store (any
# provider, or MinIO / Garage on your own servers) when STORAGE_S3_BUCKET is set; it needs
# the s3 extra (pip install 'parcours-numerique[s3]', django-storages and boto3). Private
# as the folder: no public ACL, no address printed (learners.storage_s3).
if env("STORAGE_S3_BUCKET", ""):
    STORAGES["default"] = {
        "BACKEND": "learners.storage_s3.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": env("STORAGE_S3_BUCKET"),
            "endpoint_url": env("STORAGE_S3_ENDPOINT_URL", "") or None,
            "region_name": env("STORAGE_S3_REGION", "") or None,
            "access_key": env("STORAGE_S3_ACCESS_KEY", "") or None,
            "secret_key": env("STORAGE_S3_SECRET_KEY", "") or None,
            "location": env("STORAGE_S3_PREFIX", ""),
            "default_acl": "private",
            "file_overwrite": False,
        },
    }

# The cache is shared by every gunicorn worker and every server, since rate limits count in
# it: Redis when REDIS_URL is set, a table of the database otherwise (made by a migration).
REDIS_URL = env("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "learners.cache.DatabaseCache",
            "LOCATION": "shared_cache",
            # Past this many rows, expired ones are deleted (then a third of the others):
            # far more than the live counters of an hour. Django's 300 could drop some.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    )
}

# Security: production values unless DEBUG is on (see README, "Production").
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A session ends after SESSION_IDLE_SECONDS without activity, and in any case
# SESSION_COOKIE_AGE seconds after signing in (learners.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_IDLE_SECONDS = int(env("SESSION_IDLE_SECONDS", str(30 * 60)))

# Content Security Policy: scripts and styles only from this site, inline ones only with
# the per-request nonce ({{ csp_nonce }} in templates).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Mail (magic links to residents): printed on the console unless EMAIL_HOST is set.
SMTP_HOST = env("EMAIL_HOST", "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": int(env("EMAIL_PORT", "587")),
                "username": env("EMAIL_HOST_USER", ""),
                "password": env("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
        if SMTP_HOST
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "parcours-numerique@localhost")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # API keys first: a request without credentials then gets 401 and a WWW-Authenticate
    # header naming the scheme; the browser's session works too (with its CSRF check).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "learners.permissions.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["learners.permissions.ApiAccess"],
    "DEFAULT_PAGINATION_CLASS": "learners.serializers.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    "EXCEPTION_HANDLER": "learners.api.exception_handler",
    # Counted in the shared cache, per client address as the other rate limits.
    "DEFAULT_THROTTLE_CLASSES": [
        "learners.permissions.AnonymousRateThrottle",
        "learners.permissions.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_RATE_ANONYMOUS", "60/hour"),
        "user": env("API_RATE_USER", "5000/hour"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "PAGE_SIZE": 50,
    "DATE_INPUT_FORMATS": ["iso-8601", "%d/%m/%Y"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Parcours numérique — API",
    "DESCRIPTION": (
        "L'API du réseau : structures et lieux, thématiques, compétences et modules, "
        "habitants, accompagnements et leurs participants, orientations, évaluations de "
        "compétences. Authentification : la session du navigateur, ou une clé d'API "
        "(`Authorization: Bearer pn_…`) émise par la coordination du réseau. Les erreurs "
        "sont en JSON : `message` (en français) et `errors` (les messages par champ)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PoleEnum": "pathway.models.Pole",
        "SessionFormatEnum": "learners.models.SessionFormat",
        "ReferralStatusEnum": "learners.models.ReferralStatus",
        "TokenScopeEnum": "learners.models.TokenScope",
        "LevelEnum": "pathway.models.Level.CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "learners.api.add_error_responses",
        "learners.api.lift_blank_defaults",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    # Without deep links, an operation's path is text inside its button, not a link nested
    # in it (axe-core: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Background jobs (big imports): Django's tasks framework, stored in the database and run by
# `python manage.py db_worker` (make run starts one).
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}
# Statistics summaries are refreshed by the worker after each change (true), or inside the
# request that made the change (false: no worker needed, slower saves).
STATS_REFRESH_IN_WORKER = env_bool("STATS_REFRESH_IN_WORKER", True)
# Files with more rows than this are checked and imported by the worker, not in the request.
IMPORT_BACKGROUND_ROWS = int(env("IMPORT_BACKGROUND_ROWS", "2000"))
# Largest file accepted for an import (bytes).
IMPORT_MAX_BYTES = int(env("IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
# Most lines (blank ones included) and cells (rows × columns) an import file may hold:
# checked while it is read, before anything is kept (learners/sheets.py).
IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "200000"))
IMPORT_MAX_CELLS = int(env("IMPORT_MAX_CELLS", "5000000"))
# A running import with no sign of life for this long has lost its worker (crash, restart):
# it is marked failed, so that it can be cancelled or sent again (learners/imports.py).
IMPORT_LOST_MINUTES = int(env("IMPORT_LOST_MINUTES", "10"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in at INFO; failures and lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}

# What makes this deployment a given town's: shown on pages, PDFs and certificate codes.
TOWN_NAME = env("TOWN_NAME", "Miramas")
NETWORK_NAME = env("NETWORK_NAME", "Réseau Parcours numérique de Miramas")
TOWN_POSTCODE = env("TOWN_POSTCODE", "13140")
TOWN_INSEE_CODE = env("TOWN_INSEE_CODE", "13063")
# An installation that serves several towns (pathway.Town): who runs it, e.g. "Métropole
# Aix-Marseille-Provence". Named where a page is about no one town (the public pages
# without ?ville=, the superuser's) and where the installation signs for the towns (the
# partners' profiles, new signing keys). Unset: "Parcours numérique" alone there.
INSTALLATION_NAME = env("INSTALLATION_NAME", "")
CERTIFICATE_CODE_PREFIX = env("CERTIFICATE_CODE_PREFIX", "MRM")
# The town's logo printed on certificates: a PNG or JPEG file (a neutral mark by default).
TOWN_LOGO = Path(env("TOWN_LOGO", str(BASE_DIR / "static" / "img" / "town-logo.png")))
# The public map's background (any tile server in the {z}/{x}/{y} scheme); the guide stays a
# plain list when the tiles do not load.
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">les contributeurs OpenStreetMap</a>',
)
# Statistics shown to officials hide any count below this threshold.
STATS_MIN_COUNT = int(env("STATS_MIN_COUNT", "5"))
# Visits of a mediator's statistics share link allowed per client and per hour, so that
# tokens cannot be guessed.
STATS_SHARE_RATE_LIMIT = int(env("STATS_SHARE_RATE_LIMIT", "60"))
# Certificates: the issuer's signing keys (python manage.py create_issuer_keys) live in this
# folder, outside the database and never in git; back it up apart from the database.
ISSUER_KEYS_DIR = Path(env("ISSUER_KEYS_DIR", str(BASE_DIR / "var" / "keys")))
# Certificate lookups (check page, its PDF and credential, file checks) allowed per client
# and per hour, so that codes cannot be enumerated.
VERIFY_RATE_LIMIT = int(env("VERIFY_RATE_LIMIT", "60"))
# The network's LinkedIn organisation id (the number in its page's admin address): "Ajouter à
# LinkedIn" then names that page; unset, it names the network in plain text.
LINKEDIN_ORGANIZATION_ID = env("LINKEDIN_ORGANIZATION_ID", "")
# Residents' personal links: printed on the carnet, or sent by email.
RESIDENT_LINK_DAYS = int(env("RESIDENT_LINK_DAYS", "365"))
RESIDENT_EMAIL_LINK_DAYS = int(env("RESIDENT_EMAIL_LINK_DAYS", "7"))
# Referrals nobody acted upon for this many days are flagged.
REFERRAL_FLAG_DAYS = int(env("REFERRAL_FLAG_DAYS", "14"))
# Residents without any session for this many days are anonymised (anonymize_inactive).
RESIDENT_INACTIVITY_DAYS = int(env("RESIDENT_INACTIVITY_DAYS", str(3 * 365)))
# Rows of the access journal are kept this many days.
JOURNAL_RETENTION_DAYS = int(env("JOURNAL_RETENTION_DAYS", "365"))
# Mediators may edit or delete their own sessions for this many days.
SESSION_EDIT_DAYS = int(env("SESSION_EDIT_DAYS", "30"))

# The map's tiles come from another server: allow its images, and nothing else from it.
_tiles = urlsplit(MAP_TILE_URL.replace("{s}.", "*."))
SECURE_CSP["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")

# Workshop sign-ups (learners/signups.py). Text messages (reminders the day before, the
# cancel link) go through this backend: the console one prints them, so that the demo needs
# no account; a town sets its provider's class (see learners/sms.py) and its options.
SMS_BACKEND = env("SMS_BACKEND", "learners.sms.ConsoleBackend")
SMS_SENDER = env("SMS_SENDER", "Parcours")
SMS_API_URL = env("SMS_API_URL", "")
SMS_API_KEY = env("SMS_API_KEY", "")
# Sign-ups never turned into a session (no-shows, cancelled, or the attendance never taken)
# are deleted this many days after their workshop (purge_workshop_signups, nightly).
SIGNUP_RETENTION_DAYS = int(env("SIGNUP_RETENTION_DAYS", "30"))
# Sign-ups accepted per visitor and per hour (the public form).
SIGNUP_RATE_LIMIT = int(env("SIGNUP_RATE_LIMIT", "20"))

# The widget partners embed in their sites (/widget/): the only pages that may be framed,
# by these origins ("*": any site; or e.g. "https://www.ville.fr https://ccas.example"),
# with their own Content-Security-Policy; every other page keeps X-Frame-Options: DENY.
WIDGET_FRAME_ANCESTORS = env("WIDGET_FRAME_ANCESTORS", "*").split()
WIDGET_CSP = {
    **SECURE_CSP,
    "frame-ancestors": WIDGET_FRAME_ANCESTORS,
    "form-action": [CSP.NONE],  # the widget has no form: its links open the full guide
}
# A parent ambassador's sign-in link (sent by email, used once) works this many days.
AMBASSADOR_LINK_DAYS = int(env("AMBASSADOR_LINK_DAYS", "7"))
# Invitations to a team: the link works this many days, once.
INVITATION_DAYS = int(env("INVITATION_DAYS", "7"))
# Staff accounts without a sign-in for this many days are switched off (manage.py
# network_inactive_accounts, daily), after a warning email this many days before.
STAFF_INACTIVE_DAYS = int(env("STAFF_INACTIVE_DAYS", "180"))
STAFF_INACTIVE_WARNING_DAYS = int(env("STAFF_INACTIVE_WARNING_DAYS", "14"))
