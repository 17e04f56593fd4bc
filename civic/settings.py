"""Settings, read once from the environment (and `.env`), passed explicitly everywhere else."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from starlette.config import Config
from starlette.datastructures import Secret

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the app refuses to start rather than guess."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = ""
    secret_key: str = field(default="", repr=False)
    var_dir: Path = PROJECT_ROOT / "var"
    default_locale: str = "zh-Hans"
    base_url: str = "http://127.0.0.1:8000"
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = field(default="", repr=False)
    oidc_name: str = "Single sign-on"
    smtp_url: str = ""
    mail_from: str = "civic@localhost"
    map_tiles: str = ""
    map_attribution: str = ""
    # "gcj02" when the tiles are drawn in China's GCJ-02 datum (AMap, Tencent): the map shifts what it shows
    # onto them; positions are stored in WGS-84 whatever this says.
    map_display_crs: str = ""
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_seconds: int = 900
    page_size: int = 50
    # How long a worker may reuse a signed-in user it loaded (role and account changes reach other workers
    # within this time; a password change ends sessions at once). 0 = load on every request.
    user_cache_seconds: float = 0.0
    # A covenant keeper is a signer with no recorded or upheld breach in this many days (DOMAIN-RULES §2).
    covenant_keeper_days: int = 365

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)


def load_settings(environ: dict[str, str] | None = None, env_file: str | Path | None = None) -> Settings:
    """Read every CIVIC_* setting; in development create what can be created (var/, a secret key)."""
    env_file = env_file if env_file is not None else PROJECT_ROOT / ".env"
    config = Config(env_file if Path(env_file).exists() else None, environ=environ if environ is not None else os.environ)
    env = config("CIVIC_ENV", default="development")
    var_dir = Path(config("CIVIC_VAR_DIR", default=str(PROJECT_ROOT / "var")))
    database_url = config("CIVIC_DATABASE_URL", default="") or f"sqlite:///{var_dir / 'civic.sqlite3'}"
    secret_key = str(config("CIVIC_SECRET_KEY", cast=Secret, default=""))
    if not secret_key:
        if env == "production":
            raise SettingsError("CIVIC_SECRET_KEY must be set when CIVIC_ENV=production")
        secret_key = _development_secret(var_dir)
    return Settings(
        env=env,
        database_url=database_url,
        secret_key=secret_key,
        var_dir=var_dir,
        default_locale=config("CIVIC_DEFAULT_LOCALE", default="zh-Hans"),
        base_url=config("CIVIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/"),
        oidc_issuer=config("CIVIC_OIDC_ISSUER", default="").rstrip("/"),
        oidc_client_id=config("CIVIC_OIDC_CLIENT_ID", default=""),
        oidc_client_secret=str(config("CIVIC_OIDC_CLIENT_SECRET", cast=Secret, default="")),
        oidc_name=config("CIVIC_OIDC_NAME", default="Single sign-on"),
        smtp_url=config("CIVIC_SMTP_URL", default=""),
        mail_from=config("CIVIC_MAIL_FROM", default="civic@localhost"),
        map_tiles=config("CIVIC_MAP_TILES", default=""),
        map_attribution=config("CIVIC_MAP_ATTRIBUTION", default=""),
        map_display_crs=_display_crs(config("CIVIC_MAP_DISPLAY_CRS", default="")),
        user_cache_seconds=config("CIVIC_USER_CACHE_SECONDS", cast=float, default=2.0),
        covenant_keeper_days=_positive(config("CIVIC_COVENANT_KEEPER_DAYS", cast=int, default=365),
                                       "CIVIC_COVENANT_KEEPER_DAYS"),
    )


def _display_crs(value: str) -> str:
    value = value.strip().lower()
    if value in ("", "wgs84"):
        return ""
    if value != "gcj02":
        raise SettingsError("CIVIC_MAP_DISPLAY_CRS must be wgs84 (the default) or gcj02")
    return value


def _positive(value: int, name: str) -> int:
    if value < 1:
        raise SettingsError(f"{name} must be a whole number of days, 1 or more")
    return value


def _development_secret(var_dir: Path) -> str:
    """Generate the development secret once and keep it, so sessions survive restarts."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
