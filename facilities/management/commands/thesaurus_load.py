from django.core.management.base import BaseCommand

from facilities.services.thesaurus import thesaurus_load


class Command(BaseCommand):
    help = "Add the shipped thesaurus entries that are missing (never overwrites an edit)."

    def handle(self, *args, **options):
        added = thesaurus_load()
        self.stdout.write(f"thesaurus: {added} entries added")
