"""seed_demo sits in config's root and seeds the apps above booking when they are there."""

from config.management.commands import seed_demo


def test_optional_seeders_are_skipped_until_their_module_exists(monkeypatch):
    monkeypatch.setattr(
        seed_demo,
        "OPTIONAL_SEEDERS",
        (("vouchers.no_such_demo", "seed"), ("config.money", "round_fen")),
    )
    from config.money import round_fen

    assert list(seed_demo._optional_seeders()) == [round_fen]


def test_the_command_is_found_by_name():
    from django.core.management import get_commands

    assert get_commands()["seed_demo"] == "config"
