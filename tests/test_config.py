"""Settings: defaults, every setting read, every mistake reported at once, the token kept out
of messages and reprs, ``.env`` under the environment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import DEFAULT_BASE_URL, ConfigError, Settings, load_settings, read_environment
from bot.office import OfficeHours

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmno"
SECRET = "webhook-Secret_0123456789"


def load(**env: str) -> Settings:
    return load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **env})


def problems(**env: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **env})
    return caught.value.problems


def only_problem(**env: str) -> str:
    found = problems(**env)
    assert 1 == len(found), found
    return found[0]


# ---------------------------------------------------------------------------------------
# Defaults and values


def test_defaults_with_only_a_token() -> None:
    settings = load()
    assert Settings(token=TOKEN) == settings
    assert TOKEN == settings.token
    assert "https://api.telegram.org/bot" == settings.base_url == DEFAULT_BASE_URL
    assert None is settings.staff_chat_id
    assert frozenset() == settings.staff_user_ids
    assert "cppbot.db" == settings.database_path
    assert None is settings.webhook_url
    assert None is settings.webhook_secret
    assert False is settings.webhook
    assert "127.0.0.1" == settings.webhook_listen
    assert 8443 == settings.webhook_port
    assert OfficeHours.parse("mon-fri", "09:00-18:00", "Asia/Hong_Kong") == settings.office
    assert None is settings.knowledge_dir


def test_empty_values_mean_defaults() -> None:
    names = [
        "TELEGRAM_BASE_URL", "STAFF_CHAT_ID", "STAFF_USER_IDS", "DATABASE_PATH", "WEBHOOK_URL",
        "WEBHOOK_SECRET", "WEBHOOK_LISTEN", "WEBHOOK_PORT", "OFFICE_DAYS", "OFFICE_HOURS",
        "TIME_ZONE", "KNOWLEDGE_DIR",
    ]  # fmt: skip
    assert Settings(token=TOKEN) == load(**{name: "  " for name in names})


def test_every_setting(tmp_path: Path) -> None:
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    (knowledge / "programme.yaml").write_text("{}\n", encoding="utf-8")
    settings = load(
        TELEGRAM_BASE_URL="http://localhost:8081/bot",
        STAFF_CHAT_ID="-1001234567890",
        STAFF_USER_IDS="11111111, 22222222 33333333,",
        DATABASE_PATH=str(tmp_path / "bot.db"),
        WEBHOOK_URL="https://bot.example.org/telegram",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="0.0.0.0",
        WEBHOOK_PORT="8080",
        OFFICE_DAYS="mon-wed,fri",
        OFFICE_HOURS="08:30-17:30",
        TIME_ZONE="Asia/Macau",
        KNOWLEDGE_DIR=str(knowledge),
    )
    expected = Settings(
        token=TOKEN,
        base_url="http://localhost:8081/bot",
        staff_chat_id=-1001234567890,
        staff_user_ids=frozenset({11111111, 22222222, 33333333}),
        database_path=str(tmp_path / "bot.db"),
        webhook_url="https://bot.example.org/telegram",
        webhook_secret=SECRET,
        webhook_listen="0.0.0.0",
        webhook_port=8080,
        office=OfficeHours(
            days=frozenset({0, 1, 2, 4}),
            opens=dt.time(8, 30),
            closes=dt.time(17, 30),
            tz=ZoneInfo("Asia/Macau"),
        ),
        knowledge_dir=knowledge,
    )
    assert expected == settings
    assert True is settings.webhook


def test_staff_users() -> None:
    settings = load(STAFF_USER_IDS="11111111,22222222")
    assert True is settings.is_staff_user(22222222)
    assert False is settings.is_staff_user(33333333)
    assert False is settings.is_staff_user(None)
    assert False is load().is_staff_user(11111111)


def test_http_webhook_on_localhost() -> None:
    for url in ("http://127.0.0.1:8443/hook", "http://localhost/hook"):
        assert url == load(WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET).webhook_url


def test_memory_database_allowed() -> None:
    assert ":memory:" == load(DATABASE_PATH=":memory:").database_path


@pytest.mark.parametrize(
    ("expected", "value"),
    [
        (DEFAULT_BASE_URL, ""),
        ("http://localhost:8081/bot", "http://localhost:8081"),
        ("http://localhost:8081/bot", "http://localhost:8081/"),
        ("http://localhost:8081/bot", "http://localhost:8081/bot"),
        ("http://localhost:8081/bot", "http://localhost:8081/bot/"),
        ("https://bots.example.org/telegram/bot", "https://bots.example.org/telegram/bot"),
        ("https://api.telegram.org/bot", "https://api.telegram.org"),
    ],
)
def test_base_url_normalised(expected: str, value: str) -> None:
    assert expected == load(TELEGRAM_BASE_URL=value).base_url


# ---------------------------------------------------------------------------------------
# Mistakes


def test_token_missing() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({})
    assert ["TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env."] == caught.value.problems  # fmt: skip


@pytest.mark.parametrize(
    "token",
    [
        "123456789",
        "123456789:short",
        "abc:AAFakeTokenForTestsOnly_abcdefghijklmno",
        "123456789:AAFakeTokenForTests Only_abcdefghijklmno",
        "123456789:AAFakeTokenForTestsOnly_abcdefghijklmno/",
        "bot123456789:AAFakeTokenForTestsOnly_abcdefghijklmno",
    ],
)
def test_bad_token_never_repeated(token: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"TELEGRAM_BOT_TOKEN": token})
    assert 1 == len(caught.value.problems)
    message = str(caught.value)
    assert message.startswith("TELEGRAM_BOT_TOKEN does not look like a token from @BotFather")
    assert token not in message
    tail = token.partition(":")[2]
    assert not tail or tail not in message


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("TELEGRAM_BASE_URL", "localhost:8081"),
        ("TELEGRAM_BASE_URL", "ftp://example.org/bot"),
        ("TELEGRAM_BASE_URL", "https://"),
        ("TELEGRAM_BASE_URL", "http://localhost:99999/bot"),
        ("TELEGRAM_BASE_URL", "http://localhost:8081/bot?x=1"),
        ("STAFF_CHAT_ID", "staff"),
        ("STAFF_CHAT_ID", "-100 123"),
        ("STAFF_CHAT_ID", "0"),
        ("STAFF_USER_IDS", "11111111,alice"),
        ("STAFF_USER_IDS", "-5"),
        ("STAFF_USER_IDS", "0"),
        ("STAFF_USER_IDS", "1.5"),
        ("DATABASE_PATH", "/no/such/directory/cppbot.db"),
        ("WEBHOOK_URL", "http://bot.example.org/hook"),
        ("WEBHOOK_URL", "bot.example.org/hook"),
        ("WEBHOOK_LISTEN", "every interface"),
        ("WEBHOOK_PORT", "http"),
        ("WEBHOOK_PORT", "0"),
        ("WEBHOOK_PORT", "65536"),
        ("OFFICE_DAYS", "weekdays"),
        ("OFFICE_DAYS", "mon-fri,"),
        ("OFFICE_HOURS", "9am-6pm"),
        ("OFFICE_HOURS", "18:00-09:00"),
        ("TIME_ZONE", "Hong Kong"),
        ("KNOWLEDGE_DIR", "/no/such/knowledge"),
    ],
)
def test_each_bad_value_named(setting: str, value: str) -> None:
    extra = {"WEBHOOK_SECRET": SECRET} if setting == "WEBHOOK_URL" else {}
    problem = only_problem(**{setting: value}, **extra)
    assert problem.startswith(setting + " ")
    assert problem.endswith(".")


def test_webhook_url_needs_secret() -> None:
    problem = only_problem(WEBHOOK_URL="https://bot.example.org/hook")
    assert problem.startswith("WEBHOOK_SECRET must be set when WEBHOOK_URL is")


@pytest.mark.parametrize("secret", ["has space", "semi;colon", "x" * 257, "密碼"])
def test_bad_webhook_secret_not_repeated(secret: str) -> None:
    problem = only_problem(WEBHOOK_URL="https://bot.example.org/hook", WEBHOOK_SECRET=secret)
    assert problem.startswith("WEBHOOK_SECRET must be 1 to 256 characters")
    assert secret not in problem


def test_webhook_secret_longest_allowed() -> None:
    assert "x" * 256 == load(WEBHOOK_SECRET="x" * 256).webhook_secret


def test_knowledge_dir_without_programme(tmp_path: Path) -> None:
    problem = only_problem(KNOWLEDGE_DIR=str(tmp_path))
    assert f"KNOWLEDGE_DIR {str(tmp_path)!r} has no programme.yaml" in problem


def test_knowledge_dir_a_file(tmp_path: Path) -> None:
    file = tmp_path / "programme.yaml"
    file.write_text("{}\n", encoding="utf-8")
    assert f"KNOWLEDGE_DIR {str(file)!r} is not a directory." == only_problem(
        KNOWLEDGE_DIR=str(file)
    )


def test_office_problem_says_what_works() -> None:
    problem = only_problem(OFFICE_DAYS="weekdays")
    assert problem.startswith("OFFICE_DAYS is not valid: 'weekdays' is not a day of the week")
    assert "mon-fri" in problem


def test_several_problems_together() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {
                "TELEGRAM_BOT_TOKEN": "123:nope",
                "STAFF_CHAT_ID": "staff",
                "WEBHOOK_PORT": "99999",
                "OFFICE_HOURS": "9-6",
                "TIME_ZONE": "Mars/Olympus",
            }
        )
    found = caught.value.problems
    assert [
        "TELEGRAM_BOT_TOKEN",
        "STAFF_CHAT_ID",
        "WEBHOOK_PORT",
        "OFFICE_HOURS",
        "TIME_ZONE",
    ] == [problem.split()[0] for problem in found]
    assert "\n".join(found) == str(caught.value)


def test_token_never_in_error_or_repr() -> None:
    # The token pasted into the wrong setting is not echoed either.
    with pytest.raises(ConfigError) as caught:
        load(TELEGRAM_BASE_URL=f"api.telegram.org/bot{TOKEN}", STAFF_CHAT_ID=TOKEN)
    assert 2 == len(caught.value.problems)
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value)
    assert "[REDACTED]" in str(caught.value)

    settings = load(WEBHOOK_URL="https://bot.example.org/hook", WEBHOOK_SECRET=SECRET)
    for text in (repr(settings), str(settings), f"{settings}"):
        assert TOKEN not in text
        assert TOKEN.partition(":")[2] not in text
        assert SECRET not in text
        assert "https://bot.example.org/hook" in text


# ---------------------------------------------------------------------------------------
# Environment and .env


def test_dotenv_read_and_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(
        "# comment\n"
        f"TELEGRAM_BOT_TOKEN={TOKEN}\n"
        "STAFF_CHAT_ID=-1001111111111\n"
        "OFFICE_HOURS = 10:00-19:00  \n"
        'WEBHOOK_LISTEN="  0.0.0.0  "\n'
        "EMPTY_NO_VALUE\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("OFFICE_HOURS", raising=False)
    monkeypatch.delenv("WEBHOOK_LISTEN", raising=False)
    monkeypatch.delenv("EMPTY_NO_VALUE", raising=False)
    monkeypatch.setenv("STAFF_CHAT_ID", " -1002222222222 ")
    env = read_environment(tmp_path)
    assert TOKEN == env["TELEGRAM_BOT_TOKEN"]
    assert "-1002222222222" == env["STAFF_CHAT_ID"]
    assert "10:00-19:00" == env["OFFICE_HOURS"]
    assert "0.0.0.0" == env["WEBHOOK_LISTEN"]
    assert "EMPTY_NO_VALUE" not in env

    settings = load_settings(env)
    assert -1002222222222 == settings.staff_chat_id
    assert dt.time(10) == settings.office.opens


def test_dotenv_does_not_change_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.delenv("CPPBOT_TEST_ONLY_SETTING", raising=False)
    (tmp_path / ".env").write_text("CPPBOT_TEST_ONLY_SETTING=1\n", encoding="utf-8")
    assert "1" == read_environment(tmp_path)["CPPBOT_TEST_ONLY_SETTING"]
    assert "CPPBOT_TEST_ONLY_SETTING" not in os.environ


def test_no_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPPBOT_TEST_ONLY_SETTING", "from the environment")
    monkeypatch.chdir(tmp_path)
    assert "from the environment" == read_environment()["CPPBOT_TEST_ONLY_SETTING"]


def test_staff_language_defaults_to_english_and_rejects_unknown_codes() -> None:
    base = {"TELEGRAM_BOT_TOKEN": "123456:" + "a" * 35}
    assert "en" == load_settings(base).staff_language
    assert "yue" == load_settings({**base, "STAFF_LANGUAGE": "yue"}).staff_language
    with pytest.raises(ConfigError) as caught:
        load_settings({**base, "STAFF_LANGUAGE": "fr"})
    assert any("STAFF_LANGUAGE" in p for p in caught.value.problems)
