"""Demo catalogue for seed_demo (filled by the catalogue work)."""


def seed() -> None:
    return None
