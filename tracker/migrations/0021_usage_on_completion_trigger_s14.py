"""The usage event of a completed order written by a deferred constraint trigger at the
completion's COMMIT (PostgreSQL only; tracker.usage_trigger explains why). The SQL is
frozen here as tracker.usage_trigger built it on 8 Dec 2026; when that module builds
something else, tests/tracker/test_usage_trigger.py fails and a new migration re-creates
the functions."""

from django.db import migrations

BOOKING = [
    'CREATE OR REPLACE FUNCTION tracker_usage_on_booking_completed() RETURNS trigger LANGUAGE plpgsql AS $body$\nDECLARE inserted int;\nBEGIN\n  WITH ev AS (INSERT INTO tracker_usageevent ("order_kind", "order_id", "kind", "completed_at", "completed_on", "month", "provider_id", "provider_county", "provider_city", "firm_id", "firm_county", "firm_city", "instrument_id", "service_id", "category_id", "firm_size", "is_outside", "minutes", "samples", "on_time", "fee_fen", "voucher_fen", "recorded_at") SELECT \'booking\'::varchar, o.id, \'use\', NEW.updated_at::timestamptz, (NEW.updated_at AT TIME ZONE \'Asia/Shanghai\')::date::date, date_trunc(\'month\', (NEW.updated_at AT TIME ZONE \'Asia/Shanghai\'))::date::date, i.provider_id, COALESCE(p.region_id, \'\'), CASE WHEN p.region_id IS NULL THEN \'\' WHEN p.region_id LIKE \'%0000\' THEN p.region_id ELSE SUBSTR(p.region_id, 1, 4) || \'00\' END, o.firm_id, COALESCE(f.region_id, \'\'), CASE WHEN f.region_id IS NULL THEN \'\' WHEN f.region_id LIKE \'%0000\' THEN f.region_id ELSE SUBSTR(f.region_id, 1, 4) || \'00\' END, o.instrument_id, NULL::bigint, i.category_id, COALESCE(fp.size_class, \'\'), o.client_group IS DISTINCT FROM \'internal\', CASE WHEN s.actual_start_at IS NULL OR s.actual_end_at IS NULL THEN 0 ELSE GREATEST(0, CEIL(EXTRACT(EPOCH FROM s.actual_end_at - s.actual_start_at) / 60))::int END, 0, NULL::boolean, COALESCE(NEW.fee_fen, NEW.quote_fen)::bigint, LEAST(COALESCE(NEW.fee_fen, NEW.quote_fen)::bigint, COALESCE((SELECT SUM(h.captured_fen) FROM vouchers_ordervoucherhold h WHERE h.order_kind = \'booking\'::varchar AND h.order_id = o.id AND h.state = \'captured\'::varchar), 0)), clock_timestamp()::timestamptz FROM (SELECT NEW.*) o JOIN facilities_instrument i ON i.id = o.instrument_id LEFT JOIN booking_session s ON s.booking_id = o.id JOIN accounts_organisation p ON p.id = i.provider_id JOIN accounts_organisation f ON f.id = o.firm_id LEFT JOIN accounts_firmprofile fp ON fp.organisation_id = o.firm_id ON CONFLICT (order_kind, order_id) DO NOTHING RETURNING id), queued AS (INSERT INTO tracker_unfoldedevent (event_id) SELECT id FROM ev) SELECT COUNT(*) INTO inserted FROM ev;\n  RETURN NULL;\nEND\n$body$',
    "DROP TRIGGER IF EXISTS tracker_usage_on_booking_completed ON booking_booking",
    "CREATE CONSTRAINT TRIGGER tracker_usage_on_booking_completed AFTER UPDATE OF status ON booking_booking DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status = 'completed' AND OLD.status IS DISTINCT FROM 'completed') EXECUTE FUNCTION tracker_usage_on_booking_completed()",
]
BOOKING_UNDO = [
    "DROP TRIGGER IF EXISTS tracker_usage_on_booking_completed ON booking_booking",
    "DROP FUNCTION IF EXISTS tracker_usage_on_booking_completed()",
]
SERVICE_REQUEST = [
    'CREATE OR REPLACE FUNCTION tracker_usage_on_service_request_completed() RETURNS trigger LANGUAGE plpgsql AS $body$\nDECLARE inserted int;\nBEGIN\n  WITH ev AS (INSERT INTO tracker_usageevent ("order_kind", "order_id", "kind", "completed_at", "completed_on", "month", "provider_id", "provider_county", "provider_city", "firm_id", "firm_county", "firm_city", "instrument_id", "service_id", "category_id", "firm_size", "is_outside", "minutes", "samples", "on_time", "fee_fen", "voucher_fen", "recorded_at") SELECT \'service_request\'::varchar, o.id, \'batch\', NEW.updated_at::timestamptz, (NEW.updated_at AT TIME ZONE \'Asia/Shanghai\')::date::date, date_trunc(\'month\', (NEW.updated_at AT TIME ZONE \'Asia/Shanghai\'))::date::date, i.provider_id, COALESCE(p.region_id, \'\'), CASE WHEN p.region_id IS NULL THEN \'\' WHEN p.region_id LIKE \'%0000\' THEN p.region_id ELSE SUBSTR(p.region_id, 1, 4) || \'00\' END, o.firm_id, COALESCE(f.region_id, \'\'), CASE WHEN f.region_id IS NULL THEN \'\' WHEN f.region_id LIKE \'%0000\' THEN f.region_id ELSE SUBSTR(f.region_id, 1, 4) || \'00\' END, NULL::bigint, o.service_id, i.category_id, COALESCE(fp.size_class, \'\'), o.firm_id <> i.provider_id, 0, o.sample_count, CASE WHEN o.due_on IS NULL OR o.reported_at IS NULL THEN NULL ELSE (o.reported_at AT TIME ZONE \'Asia/Shanghai\'::text)::date <= o.due_on END, COALESCE(NEW.fee_fen, NEW.quote_fen)::bigint, LEAST(COALESCE(NEW.fee_fen, NEW.quote_fen)::bigint, COALESCE((SELECT SUM(h.captured_fen) FROM vouchers_ordervoucherhold h WHERE h.order_kind = \'service_request\'::varchar AND h.order_id = o.id AND h.state = \'captured\'::varchar), 0)), clock_timestamp()::timestamptz FROM (SELECT NEW.*) o JOIN facilities_testingservice i ON i.id = o.service_id JOIN accounts_organisation p ON p.id = i.provider_id JOIN accounts_organisation f ON f.id = o.firm_id LEFT JOIN accounts_firmprofile fp ON fp.organisation_id = o.firm_id ON CONFLICT (order_kind, order_id) DO NOTHING RETURNING id), queued AS (INSERT INTO tracker_unfoldedevent (event_id) SELECT id FROM ev) SELECT COUNT(*) INTO inserted FROM ev;\n  RETURN NULL;\nEND\n$body$',
    "DROP TRIGGER IF EXISTS tracker_usage_on_service_request_completed ON booking_servicerequest",
    "CREATE CONSTRAINT TRIGGER tracker_usage_on_service_request_completed AFTER UPDATE OF status ON booking_servicerequest DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status = 'completed' AND OLD.status IS DISTINCT FROM 'completed') EXECUTE FUNCTION tracker_usage_on_service_request_completed()",
]
SERVICE_REQUEST_UNDO = [
    "DROP TRIGGER IF EXISTS tracker_usage_on_service_request_completed ON booking_servicerequest",
    "DROP FUNCTION IF EXISTS tracker_usage_on_service_request_completed()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite: the tracker.usage subscriber writes the event itself
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0020_firms_served_category_year_s13"),
        ("booking", "0008_merge_20261202_1057"),
        ("vouchers", "0012_ledger_drop_actor_version_indexes_s12"),
    ]

    operations = [
        migrations.RunPython(
            _run(BOOKING + SERVICE_REQUEST), _run(BOOKING_UNDO + SERVICE_REQUEST_UNDO)
        ),
    ]
