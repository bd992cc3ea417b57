"""Each existing firm's verification as history: its registration, and the decision on
record (who, when, the note) if a reviewer has decided it. Earlier decisions that a
resubmission erased before history was kept are gone and cannot be recovered."""

from django.db import migrations


def forward(apps, schema_editor):
    FirmProfile = apps.get_model("accounts", "FirmProfile")
    Membership = apps.get_model("accounts", "Membership")
    Change = apps.get_model("accounts", "FirmVerificationChange")
    admins = dict(
        Membership.objects.filter(is_admin=True, organisation__kind="firm")
        .order_by("-created_at")
        .values_list("organisation_id", "user_id")
    )  # the earliest administrator wins: presumably the one who registered the firm
    rows = []
    firms = FirmProfile.objects.select_related("organisation").iterator(chunk_size=2000)
    for firm in firms:
        registered_at = firm.organisation.created_at
        rows.append(
            Change(
                firm_id=firm.pk,
                from_status="",
                to_status="pending",
                actor_id=admins.get(firm.pk),
                reason="",
                at=registered_at,
            )
        )
        if firm.verification != "pending":
            rows.append(
                Change(
                    firm_id=firm.pk,
                    from_status="pending",
                    to_status=firm.verification,
                    actor_id=firm.verified_by_id,
                    reason=firm.verification_note,
                    at=max(firm.verified_at or registered_at, registered_at),
                )
            )
        if len(rows) >= 5000:
            Change.objects.bulk_create(rows)
            rows = []
    Change.objects.bulk_create(rows)


def backward(apps, schema_editor):
    apps.get_model("accounts", "FirmVerificationChange").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_firm_verification_history")]

    operations = [migrations.RunPython(forward, backward)]
