from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = _("Facilities")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.models import Organisation
        from facilities.regions import provider_saved

        # Items carry a copy of their provider's region code (facilities.regions).
        post_save.connect(provider_saved, sender=Organisation, dispatch_uid="facilities-region")

        from facilities.page_cache import connect_instrument_page_invalidation

        connect_instrument_page_invalidation()

        from django.db.models.signals import post_delete

        from facilities.models import ThesaurusEntry
        from facilities.services.thesaurus import thesaurus_entry_saved

        # An admin edit of the thesaurus applies to every process's next search.
        for signal in (post_save, post_delete):
            signal.connect(thesaurus_entry_saved, sender=ThesaurusEntry,
                           dispatch_uid=f"facilities-thesaurus-{signal is post_save}")  # fmt: skip
