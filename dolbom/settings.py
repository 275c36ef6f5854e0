"""Django settings for dolbom.

Everything that differs between a laptop demo and a city's servers comes from the environment, and this
module is the one place that reads it: every variable is listed in the README's Configuration table, and
domain code reads ``django.conf.settings`` (the DOLBOM_* names below), never ``os.environ``. Without keys a
development key file is created under the data directory so that the demo runs with no setup; production
refuses to start without them (see dolbom.lib.keys).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import warnings
from pathlib import Path

import dj_database_url

from dolbom.lib import keys

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DOLBOM_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = os.environ.get("DOLBOM_DEBUG", "0") == "1"
PRODUCTION = os.environ.get("DOLBOM_ENV", "development") == "production"


def _seconds(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


# Keys from the environment, else from DOLBOM_KEYS_FILE (a secrets store's file), else (development only) the
# key file created under the data directory (dolbom/lib/keys.py).
DOLBOM_KEYS_FILE = os.environ.get("DOLBOM_KEYS_FILE", "").strip() or None
SECRET_KEY = keys.secret_key(os.environ.get("DOLBOM_SECRET_KEY"), DATA_DIR, production=PRODUCTION,
                             keys_file=DOLBOM_KEYS_FILE)
# Separate keys: one encrypts resident registration numbers (AES-GCM), the other builds the
# blind index that allows exact-match search without decrypting every row. Leaking the index
# key alone reveals nothing; rotating the encryption key does not break search. Each is a ring: the
# current key and the extra keys still accepted while and after they rotate (`dolbom ops rotate-keys`).
RRN_KEYS = keys.rrn_key_ring(os.environ.get("DOLBOM_RRN_KEY"), os.environ.get("DOLBOM_RRN_EXTRA_KEYS"), DATA_DIR,
                             production=PRODUCTION, keys_file=DOLBOM_KEYS_FILE)
RRN_INDEX_KEYS = keys.rrn_index_key_ring(os.environ.get("DOLBOM_RRN_INDEX_KEY"),
                                         os.environ.get("DOLBOM_RRN_INDEX_EXTRA_KEYS"), DATA_DIR,
                                         production=PRODUCTION, keys_file=DOLBOM_KEYS_FILE)
RRN_ENCRYPTION_KEY = RRN_KEYS.current
RRN_INDEX_KEY = RRN_INDEX_KEYS.current

ALLOWED_HOSTS = [h for h in os.environ.get("DOLBOM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Listed so the API docs use the swagger-ui files bundled in the package, not its CDN template.
    "ninja",
    # Sign-in: lockout after repeated failures (and the record of every sign-in), TOTP second factor with
    # recovery codes (accounts/lockout.py, accounts/second_factor.py).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "dolbom.integrations.messaging",
    "dolbom.areas",
    "dolbom.verification",
    "dolbom.accounts",
    "dolbom.registry",
    "dolbom.cases",
    "dolbom.audit",
    "dolbom.referrals",
    "dolbom.meetings",
    "dolbom.visits",
    "dolbom.checkins",
    "dolbom.discovery",
    "dolbom.safety",
    "dolbom.inspections",
    "dolbom.programmes",
    "dolbom.subsidies",
    "dolbom.reports",
    "dolbom.web",
    "dolbom.ops",  # the server, the scheduler, retention, backups, key rotation (top layer: touches every app)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # CSP, Permissions-Policy, no-store: on every answer, static files included (web/security.py).
    "dolbom.web.security.SecurityHeadersMiddleware",
    # Static files from the app itself: a city server may have no separate web server, and no CDN is reachable.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dolbom.web.middleware.ChosenLanguageMiddleware",  # Korean unless the user switched (not Accept-Language)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor of this session
    "django.contrib.messages.middleware.MessageMiddleware",
    "dolbom.web.security.SessionTimeoutMiddleware",  # idle and absolute session limits
    "dolbom.web.security.SecondFactorMiddleware",  # enrolment and verification before any page
    "dolbom.web.security.AnonymousRateLimitMiddleware",  # the login and the public pages, per address
    "dolbom.web.security.InputHygieneMiddleware",  # NFC Hangul, no NUL, body size (every app at once)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dolbom.web.middleware.DatabaseRefusalMiddleware",
    "dolbom.audit.middleware.AccessContextMiddleware",
    # Last: turns a sign-in refused for a lockout into the lockout page (accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dolbom.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "dolbom.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'dolbom.sqlite3'}"),
        conn_max_age=60,
        # A kept connection is tested before a request uses it: after a PostgreSQL restart or failover the
        # first request on each server thread gets a fresh connection instead of an error.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the demo server read while the generator or a command writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        # A deferred transaction that reads and then writes cannot wait for another writer's lock: SQLite
        # answers "database is locked" at once (it cannot wait without risking a deadlock). BEGIN IMMEDIATE
        # takes the write lock up front and waits up to the busy timeout, so twenty clicks on one case queue
        # and the losers see the row already moved and get the service's own refusal.
        "transaction_mode": "IMMEDIATE",
        "timeout": _seconds("DOLBOM_SQLITE_TIMEOUT", 20.0),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests run on a file too, not the shared in-memory database, so that a live server's threads each hold
    # their own connection and lock as a real server's would (dolbom/tests/test_security_concurrency.py).
    # In memory-backed /dev/shm where there is one: a file's locking without a disk's fsync.
    _test_dir = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    DATABASES["default"]["TEST"] = {"NAME": str(_test_dir / f"dolbom-test-{os.getpid()}.sqlite3")}
    # The file holds every resident's record: owner-only, like the key file (created before SQLite does).
    keys.private_file(Path(DATABASES["default"]["NAME"]))
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT: dolbom's queries are short page queries; one whose estimate passes jit_above_cost (a search by the
    # end of a name, expected in thousands over a million residents) spent 40 ms compiling for a 30 ms scan
    # (bench/load.py). Set per connection so that every installation gets it, not only a tuned server; options
    # given in DATABASE_URL come first.
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["options"] = " ".join(filter(None, ["-c jit=off", _pg_options.get("options", "")]))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords (안전성 확보조치 기준 §5; ASVS 2.1): at least 10 characters, not like the user's ID or name, not one of
# the 20,000 passwords of Django's leaked-password list, strong enough by zxcvbn (whose 30,000-password list
# also comes from leaked passwords; both ship in their packages, nothing is asked of an outside service), and
# none of the last DOLBOM_PASSWORD_HISTORY passwords again. Run on every password a person sets: the
# create-staff command, the password page (accounts/services.py).
DOLBOM_PASSWORD_MIN_SCORE = int(_seconds("DOLBOM_PASSWORD_MIN_SCORE", 4))
DOLBOM_PASSWORD_HISTORY = int(_seconds("DOLBOM_PASSWORD_HISTORY", 5))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "dolbom.accounts.passwords.GuessablePasswordValidator"},
    {"NAME": "dolbom.accounts.passwords.NoReuseValidator"},
]

# Sign-in lockout (django-axes, accounts/lockout.py): an account is locked after DOLBOM_LOCKOUT_ACCOUNT_FAILURES
# wrong passwords, an address after DOLBOM_LOCKOUT_ADDRESS_FAILURES (a dong office's PCs share one address),
# for DOLBOM_LOCKOUT_MINUTES or until an auditor lifts it (/audit/lockouts/). Every sign-in and every failure
# is recorded.
DOLBOM_LOCKOUT_ACCOUNT_FAILURES = int(_seconds("DOLBOM_LOCKOUT_ACCOUNT_FAILURES", 5))
DOLBOM_LOCKOUT_ADDRESS_FAILURES = int(_seconds("DOLBOM_LOCKOUT_ADDRESS_FAILURES", 20))
DOLBOM_LOCKOUT_MINUTES = _seconds("DOLBOM_LOCKOUT_MINUTES", 30)
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "dolbom.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = DOLBOM_LOCKOUT_ACCOUNT_FAILURES
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = dt.timedelta(minutes=DOLBOM_LOCKOUT_MINUTES) if DOLBOM_LOCKOUT_MINUTES > 0 else None
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "dolbom.lib.access.client_ip"
AXES_LOCKOUT_CALLABLE = "dolbom.web.views.auth.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# The login page and the public pages (programmes, subsidies: no sign-in) are rate-limited per address on top
# (web/security.py AnonymousRateLimitMiddleware): requests per 10 minutes.
DOLBOM_ANONYMOUS_REQUESTS_PER_10_MIN = int(_seconds("DOLBOM_ANONYMOUS_REQUESTS_PER_10_MIN", 600))
DOLBOM_LOGIN_POSTS_PER_10_MIN = int(_seconds("DOLBOM_LOGIN_POSTS_PER_10_MIN", 60))

# Second factor (django-otp, accounts/second_factor.py): a TOTP app with recovery codes, required for the roles
# that can reveal an RRN, export people or administer accounts (accounts/scope.py SECOND_FACTOR_ROLES), optional
# for the others; enrolment at first sign-in. API bearer tokens are not asked, but making one needs a verified
# session.
OTP_TOTP_ISSUER = os.environ.get("DOLBOM_TOTP_ISSUER", "전주 통합돌봄")
OTP_TOTP_THROTTLE_FACTOR = 1

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Until someone runs collectstatic (production does), STATIC_ROOT does not exist and the finders
# serve everything; WhiteNoise's warning about the missing directory would only be noise.
warnings.filterwarnings("ignore", message=r"No directory at: .*static", category=UserWarning)
# Serve straight from the app directories (no collectstatic step needed for the demo or tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Sessions (안전성 확보조치 기준 §5: sign-in controls; shared office PCs are common in dong offices): a session
# ends after DOLBOM_SESSION_IDLE_MINUTES without a request and DOLBOM_SESSION_MAX_HOURS after the sign-in
# however busy it is (web/security.py SessionTimeoutMiddleware), and with the browser.
DOLBOM_SESSION_IDLE_MINUTES = int(_seconds("DOLBOM_SESSION_IDLE_MINUTES", 30))
DOLBOM_SESSION_MAX_HOURS = _seconds("DOLBOM_SESSION_MAX_HOURS", 8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(DOLBOM_SESSION_MAX_HOURS * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True  # forms and htmx carry the token in the page; no script reads the cookie
if PRODUCTION:
    # The __Host- prefix: browsers keep these cookies only from HTTPS, for this host alone, on path /.
    SESSION_COOKIE_NAME = "__Host-dolbom-session"
    CSRF_COOKIE_NAME = "__Host-dolbom-csrf"

# Transport and headers. Reverse proxies whose X-Forwarded-For (the client's address in the access log,
# the lockout and the rate limits: lib/access.py client_ip) and X-Forwarded-Proto are believed: addresses
# or networks, comma-separated. Empty: the connecting address is the client, and the headers are ignored.
DOLBOM_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("DOLBOM_TRUSTED_PROXIES", "").split(",") if p.strip()]
if DOLBOM_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = PRODUCTION and os.environ.get("DOLBOM_SSL_REDIRECT", "1") != "0"
SECURE_HSTS_SECONDS = int(_seconds("DOLBOM_HSTS_SECONDS", 365 * 24 * 3600)) if PRODUCTION else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The visit planner's solver holds a server worker while it runs: the most one request may ask for (seconds).
DOLBOM_PLANNER_MAX_SECONDS = _seconds("DOLBOM_PLANNER_MAX_SECONDS", 30)
# Request bodies without files (forms, JSON) up to 512 KiB: the longest legitimate text (meeting minutes) is a
# few tens of KiB; uploads are counted by their own limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
# The longest text one form field may carry (forms with a max_length of their own keep it; web/security.py).
DOLBOM_FORM_FIELD_MAX_CHARS = 20_000

# The access log must be kept at least two years (개인정보의 안전성 확보조치 기준 §8): a longer period may be set,
# never a shorter one (the trigger of audit/0002 refuses to delete younger rows anyway).
ACCESS_LOG_RETENTION_DAYS = max(730, int(_seconds("DOLBOM_ACCESS_LOG_RETENTION_DAYS", 730)))

# Retention of welfare case information (dolbom/ops/retention.py, `dolbom ops purge`): closed cases are destroyed
# this many years after closure unless held (사회보장급여법에 따른 통합사례관리 기록: 종결 후 5년; 개인정보 보호법 §21).
# DOLBOM_CASE_PURGE_BY_JOB=0 leaves the cases to `dolbom ops purge` run after the records officer's review.
DOLBOM_CASE_RETENTION_YEARS = max(1, int(_seconds("DOLBOM_CASE_RETENTION_YEARS", 5)))
DOLBOM_CASE_PURGE_BY_JOB = os.environ.get("DOLBOM_CASE_PURGE_BY_JOB", "1") != "0"
# Whether the RRN keys come from the environment (rotation then asks the operator to set the next keys on every
# node; otherwise `dolbom ops rotate-keys --new-keys` may write them into the key file).
RRN_KEYS_FROM_ENV = bool(os.environ.get("DOLBOM_RRN_KEY") or os.environ.get("DOLBOM_RRN_INDEX_KEY"))

# Running in production (dolbom/ops, docs/DEPLOYMENT.md). `dolbom serve`: gunicorn's address(es), processes,
# threads per process (each holds one database connection), and the seconds after which a silent worker is
# replaced (above DOLBOM_PLANNER_MAX_SECONDS). `dolbom worker`: how many jobs may run at once on one node.
DOLBOM_SERVE_BIND = os.environ.get("DOLBOM_SERVE_BIND", "127.0.0.1:8000")
DOLBOM_SERVE_WORKERS = max(1, int(_seconds("DOLBOM_SERVE_WORKERS", 2 * (os.cpu_count() or 1) + 1)))
DOLBOM_SERVE_THREADS = max(1, int(_seconds("DOLBOM_SERVE_THREADS", 4)))
DOLBOM_SERVE_TIMEOUT = _seconds("DOLBOM_SERVE_TIMEOUT", 60)
DOLBOM_WORKER_THREADS = max(1, int(_seconds("DOLBOM_WORKER_THREADS", 4)))
# The cache (rate limits, shared reads): Redis when several nodes serve (redis://host:6379/0), else each
# process's own memory, which is right for one node only.
DOLBOM_CACHE_URL = os.environ.get("DOLBOM_CACHE_URL", "").strip()
if DOLBOM_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DOLBOM_CACHE_URL,
                          "KEY_PREFIX": "dolbom"}}
elif DOLBOM_CACHE_URL:
    raise ValueError(f"DOLBOM_CACHE_URL must be a redis:// address, not {DOLBOM_CACHE_URL!r}")
# collectstatic (run by `dolbom serve`) writes compressed copies that WhiteNoise serves to browsers that take them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Every handler masks resident registration numbers (dolbom/lib/logs.py): the server's request log writes
# query strings, and error messages may quote a value. Django's own loggers are named here so that they
# write through these handlers rather than Django's unfiltered defaults.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_rrns": {"()": "dolbom.lib.logs.MaskRRNs"}},
    "formatters": {"server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                              "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_rrns"]},
        "server": {"class": "logging.StreamHandler", "formatter": "server", "filters": ["mask_rrns"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DOLBOM_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": [], "level": os.environ.get("DOLBOM_LOG_LEVEL", "WARNING"), "propagate": True},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}


# Crisis discovery's engine (no Django inside; the discovery app hands these over, see discovery/apps.py).
# Compiled trees (lleaves, the "fast" extra) are used when installed, unless DOLBOM_COMPILED_TREES=0.
DOLBOM_COMPILED_TREES = os.environ.get("DOLBOM_COMPILED_TREES", "auto") != "0"
# Where compiled models are kept, by model version (compiling one takes seconds).
DOLBOM_CACHE_DIR = Path(os.environ.get("DOLBOM_CACHE_DIR") or Path(tempfile.gettempdir()) / "dolbom-discovery")
DOLBOM_SPARK_MASTER = os.environ.get("DOLBOM_SPARK_MASTER", "local[2]")
DOLBOM_SPARK_DRIVER_MEMORY = os.environ.get("DOLBOM_SPARK_DRIVER_MEMORY", "2g")

# Check-in calls: an optional OpenAI-compatible endpoint that rephrases the caller's lines and writes the
# summary (checkins/dialogue/llm.py); off unless both the URL and the model are set.
DOLBOM_LLM_URL = os.environ.get("DOLBOM_LLM_URL", "").strip()
DOLBOM_LLM_MODEL = os.environ.get("DOLBOM_LLM_MODEL", "").strip()
DOLBOM_LLM_KEY = os.environ.get("DOLBOM_LLM_KEY", "")
DOLBOM_LLM_TIMEOUT = _seconds("DOLBOM_LLM_TIMEOUT", 4.0)

# Home visits: how long the morning plan's solver may think, in seconds (1 to 120). The server's setting,
# not a field of the planning form: a click must not hold a worker for minutes.
DOLBOM_VISITS_TIME_LIMIT = min(max(_seconds("DOLBOM_VISITS_TIME_LIMIT", 10.0), 1.0), 120.0)

# Outbound text messages (SMS / LMS / 카카오 알림톡), dolbom/integrations/messaging. Production sends through
# the city's gateway only: the other backends print or keep the text, one-time codes included.
DOLBOM_MESSAGE_BACKEND = os.environ.get("DOLBOM_MESSAGE_BACKEND", "http" if PRODUCTION else "console")
DOLBOM_MESSAGE_FILE = Path(os.environ.get("DOLBOM_MESSAGE_FILE") or DATA_DIR / "messages.jsonl")
# The registered sender number (발신번호 사전등록, 전기통신사업법 §84-2); the gateway's own default if empty.
DOLBOM_MESSAGE_SENDER = os.environ.get("DOLBOM_MESSAGE_SENDER", "")
DOLBOM_MESSAGE_HTTP_URL = os.environ.get("DOLBOM_MESSAGE_HTTP_URL", "")
DOLBOM_MESSAGE_HTTP_KEY = os.environ.get("DOLBOM_MESSAGE_HTTP_KEY", "")
DOLBOM_MESSAGE_HTTP_TIMEOUT = _seconds("DOLBOM_MESSAGE_HTTP_TIMEOUT", 5.0)
# High check-in alerts texted to the case manager (checkins/services/alerts.py): the approved 알림톡
# template code; empty sends an SMS/LMS.
DOLBOM_ALERT_MESSAGE_TEMPLATE = os.environ.get("DOLBOM_ALERT_MESSAGE_TEMPLATE", "").strip()

# Subsidy programmes (dolbom/subsidies): documents applicants send are kept here, outside the web root,
# under random names; the size limit is per file. The virus scan is off (no-op) unless a scanner is named:
# a command with {path} (e.g. "clamdscan --no-summary --fdpass {path}", exit 0 = clean) or a dotted path to
# a callable taking the file's path and returning True when clean.
DOLBOM_SUBSIDY_DOCUMENT_DIR = Path(os.environ.get("DOLBOM_SUBSIDY_DOCUMENT_DIR") or DATA_DIR / "subsidies")
DOLBOM_SUBSIDY_UPLOAD_MAX_MB = _seconds("DOLBOM_SUBSIDY_UPLOAD_MAX_MB", 10.0)
DOLBOM_SUBSIDY_VIRUS_SCAN = os.environ.get("DOLBOM_SUBSIDY_VIRUS_SCAN", "").strip()
# The font family of the notice letters (WeasyPrint finds it through fontconfig; Debian: fonts-noto-cjk).
DOLBOM_SUBSIDY_NOTICE_FONT = os.environ.get("DOLBOM_SUBSIDY_NOTICE_FONT", "Noto Sans CJK KR")

# Community programmes and consultations (dolbom/programmes): the address residents reach the public pages at,
# for the links in confirmation, offer and reminder texts.
DOLBOM_PUBLIC_URL = os.environ.get("DOLBOM_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# Emergency safety service (dolbom/safety): the MQTT broker gateways publish to, and the ingest worker's
# persistent session. The worker acknowledges an event only after it is committed; with a fixed client id
# and a session that outlives a crash, the broker keeps what was not acknowledged and sends it again.
DOLBOM_MQTT_HOST = os.environ.get("DOLBOM_MQTT_HOST", "127.0.0.1")
DOLBOM_MQTT_PORT = int(os.environ.get("DOLBOM_MQTT_PORT", "1883"))
DOLBOM_MQTT_USERNAME = os.environ.get("DOLBOM_MQTT_USERNAME", "")
DOLBOM_MQTT_PASSWORD = os.environ.get("DOLBOM_MQTT_PASSWORD", "")
DOLBOM_MQTT_TLS_CA = os.environ.get("DOLBOM_MQTT_TLS_CA", "")  # a CA file: connect with TLS
DOLBOM_MQTT_CLIENT_ID = os.environ.get("DOLBOM_MQTT_CLIENT_ID", "dolbom-safety-ingest")
DOLBOM_MQTT_TOPIC_PREFIX = os.environ.get("DOLBOM_MQTT_TOPIC_PREFIX", "dolbom/safety/v1/gw").rstrip("/")
# Several ingest workers split the stream through an MQTT 5 shared subscription of this group; empty: one.
DOLBOM_MQTT_SHARE_GROUP = os.environ.get("DOLBOM_MQTT_SHARE_GROUP", "")
# How long the broker keeps the worker's session (and its unacknowledged events) while it is away.
DOLBOM_MQTT_SESSION_EXPIRY = int(os.environ.get("DOLBOM_MQTT_SESSION_EXPIRY", str(7 * 24 * 3600)))
# One database transaction takes at most this many events, or waits at most this long for more.
DOLBOM_SAFETY_BATCH = int(os.environ.get("DOLBOM_SAFETY_BATCH", "1000"))
DOLBOM_SAFETY_BATCH_MS = _seconds("DOLBOM_SAFETY_BATCH_MS", 25.0)
DOLBOM_SAFETY_EVENT_RETENTION_DAYS = int(os.environ.get("DOLBOM_SAFETY_EVENT_RETENTION_DAYS", "180"))


# Reports (dolbom/reports): a count under this is never shown, and no published figure lets one be recovered
# (secondary suppression); the months a full refresh keeps; how often the refresh job recomputes the current
# and previous month (the dashboards follow the data within that, plus one run).
DOLBOM_REPORTS_MIN_CELL = int(os.environ.get("DOLBOM_REPORTS_MIN_CELL", "5"))
DOLBOM_REPORTS_MONTHS = int(os.environ.get("DOLBOM_REPORTS_MONTHS", "36"))
DOLBOM_REPORTS_REFRESH_MINUTES = _seconds("DOLBOM_REPORTS_REFRESH_MINUTES", 5.0)
# The Korean font of the report PDFs (WeasyPrint finds it through fontconfig; Debian: fonts-noto-cjk).
DOLBOM_REPORTS_FONT = os.environ.get("DOLBOM_REPORTS_FONT", "Noto Sans CJK KR")


# Production refuses to start on an unsafe key or setting, and says which (dolbom/lib/keys.py). Kept last
# so that it sees every setting above.
if PRODUCTION:
    keys.refuse_unsafe_production(
        secret_key=SECRET_KEY, rrn_encryption_key=RRN_ENCRYPTION_KEY, rrn_index_key=RRN_INDEX_KEY, debug=DEBUG,
        allowed_hosts=ALLOWED_HOSTS, message_backend=DOLBOM_MESSAGE_BACKEND, ssl_redirect=SECURE_SSL_REDIRECT,
        trusted_proxies=DOLBOM_TRUSTED_PROXIES,
    )
