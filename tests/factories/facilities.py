from __future__ import annotations

import datetime as dt

import factory

from facilities.models import Category, Instrument, OpeningHours, Price, TestingService
from tests.factories.accounts import ProviderProfileFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name_zh = factory.Sequence(lambda n: f"分析仪器{n}")
    name_en = factory.Sequence(lambda n: f"Analytical instruments {n}")


class InstrumentFactory(factory.django.DjangoModelFactory):
    """An active instrument open 08:00–20:00 every day, no approval, ¥200/h for firms."""

    class Meta:
        model = Instrument
        skip_postgeneration_save = True

    provider = factory.LazyFunction(lambda: ProviderProfileFactory().organisation)
    name = factory.Sequence(lambda n: f"傅里叶变换红外光谱仪{n}")
    model_number = "Nicolet iS50"
    manufacturer = "Thermo Fisher"
    country_of_origin = "美国"
    original_value_fen = 80_0000_00
    category = factory.SubFactory(CategoryFactory)
    requires_approval = False
    slot_minutes = 30
    min_minutes = 30
    max_minutes = 480
    lead_minutes = 0
    horizon_days = 60
    cancel_cutoff_hours = 24

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        if not create:
            return
        opens, closes = extracted or (dt.time(8), dt.time(20))
        OpeningHours.objects.bulk_create(
            OpeningHours(instrument=self, weekday=d, opens_at=opens, closes_at=closes)
            for d in range(7)
        )
        Price.objects.create(
            instrument=self, client_group=Price.ClientGroup.EXTERNAL_FIRM, per_hour_fen=200_00
        )
        Price.objects.create(
            instrument=self, client_group=Price.ClientGroup.INTERNAL, per_hour_fen=80_00
        )


class TestingServiceFactory(factory.django.DjangoModelFactory):
    __test__ = False  # not a pytest class despite its name

    class Meta:
        model = TestingService

    provider = factory.LazyFunction(lambda: ProviderProfileFactory().organisation)
    name = factory.Sequence(lambda n: f"金属材料拉伸试验{n}")
    category = factory.SubFactory(CategoryFactory)
    standards = "GB/T 228.1-2021"
    sample_requirements = "试样长度不小于 200 mm"
    price_fen = 300_00
    price_unit = TestingService.PriceUnit.PER_SAMPLE
    turnaround_days = 5
