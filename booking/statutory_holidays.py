"""The statutory public holidays of a year, as the law fixes them, for a year whose
State Council schedule is not announced yet.

Since 2025 (全国年节及纪念日放假办法, revised 2024) the statutory days off are: 元旦 1 January;
春节 New Year's Eve to the third day of the first lunar month (4 days); 清明 the day of the
Qingming solar term; 劳动节 1–2 May; 端午 5th of the 5th lunar month; 中秋 15th of the 8th
lunar month; 国庆 1–3 October. The lunar dates and the solar term come from
``lunar_python``. The State Council's extra bridging days and 调休 cannot be predicted,
which is why a due date counted with these is marked provisional.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from lunar_python import Lunar, Solar

from booking.models.holidays import Festival


def _solar(lunar_year: int, month: int, day: int) -> dt.date:
    s = Lunar.fromYmd(lunar_year, month, day).getSolar()
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


def _qingming(year: int) -> dt.date:
    term = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"]
    return dt.date(term.getYear(), term.getMonth(), term.getDay())


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """{date: Festival} of the statutory days off of ``year`` (Gregorian)."""
    days: dict[dt.date, str] = {dt.date(year, 1, 1): Festival.NEW_YEAR}
    new_year = _solar(year, 1, 1)  # 正月初一 falls in late January or February of ``year``
    for offset in range(-1, 3):  # 除夕 … 初三
        days[new_year + dt.timedelta(days=offset)] = Festival.SPRING_FESTIVAL
    days[_qingming(year)] = Festival.TOMB_SWEEPING
    days[dt.date(year, 5, 1)] = Festival.LABOUR_DAY
    days[dt.date(year, 5, 2)] = Festival.LABOUR_DAY
    days[_solar(year, 5, 5)] = Festival.DRAGON_BOAT
    days[_solar(year, 8, 15)] = Festival.MID_AUTUMN
    for day in (1, 2, 3):
        days[dt.date(year, 10, day)] = Festival.NATIONAL_DAY
    return days
