"""Settings: read once from the environment; production refuses to start without a secret key."""

import pytest

from civic.settings import SettingsError, load_settings


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(SettingsError, match="CIVIC_SECRET_KEY"):
        load_settings({"CIVIC_ENV": "production", "CIVIC_VAR_DIR": str(tmp_path)}, env_file=tmp_path / "none")


def test_development_generates_a_secret_once_and_keeps_it(tmp_path):
    first = load_settings({"CIVIC_VAR_DIR": str(tmp_path)}, env_file=tmp_path / "none")
    second = load_settings({"CIVIC_VAR_DIR": str(tmp_path)}, env_file=tmp_path / "none")
    assert len(first.secret_key) >= 40
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_defaults_are_sqlite_under_var_and_chinese(tmp_path):
    settings = load_settings({"CIVIC_VAR_DIR": str(tmp_path)}, env_file=tmp_path / "none")
    assert settings.database_url == f"sqlite:///{tmp_path / 'civic.sqlite3'}"
    assert settings.default_locale == "zh-Hans"
    assert not settings.production and not settings.oidc_enabled


def test_env_file_is_read_and_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("CIVIC_DATABASE_URL=postgresql+psycopg://from-file/civic\nCIVIC_SECRET_KEY=from-file\n")
    settings = load_settings({"CIVIC_SECRET_KEY": "from-env", "CIVIC_VAR_DIR": str(tmp_path)}, env_file=env_file)
    assert settings.database_url == "postgresql+psycopg://from-file/civic"
    assert settings.secret_key == "from-env"


def test_secret_key_is_not_shown_in_repr(tmp_path):
    settings = load_settings({"CIVIC_SECRET_KEY": "s3cret-value", "CIVIC_VAR_DIR": str(tmp_path)},
                             env_file=tmp_path / "none")
    assert "s3cret-value" not in repr(settings)
