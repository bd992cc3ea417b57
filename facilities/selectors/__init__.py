"""Reads of the catalogue. Browsing is public; managing goes through the actor's Scope."""

from facilities.selectors.calendars import blackout_calendar_list
from facilities.selectors.enquiries import instrument_enquiry_list_for_manager
from facilities.selectors.filters import SORTS, CatalogueFilters, filters_from_query
from facilities.selectors.instruments import (
    instrument_get,
    instrument_get_for_manage,
    instrument_get_for_page,
    instrument_list_for_manager,
    instrument_next_free,
    instrument_page_details_load,
    instrument_search,
)
from facilities.selectors.providers import provider_get, provider_list
from facilities.selectors.testing_services import (
    service_get,
    service_get_for_manage,
    service_list_for_manager,
    service_search,
)

__all__ = [
    "SORTS",
    "blackout_calendar_list",
    "filters_from_query",
    "CatalogueFilters",
    "instrument_enquiry_list_for_manager",
    "instrument_get",
    "instrument_get_for_manage",
    "instrument_get_for_page",
    "instrument_list_for_manager",
    "instrument_next_free",
    "instrument_page_details_load",
    "instrument_search",
    "provider_get",
    "provider_list",
    "service_get",
    "service_get_for_manage",
    "service_list_for_manager",
    "service_search",
]
