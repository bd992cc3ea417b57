"""Demo bookings and service requests for seed_demo."""


def seed() -> None:
    return None
