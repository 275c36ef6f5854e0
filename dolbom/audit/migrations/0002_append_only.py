"""The access log is append-only in the database itself, not just in the ORM.

QuerySet.update() and .delete() bypass model methods, and an operator with a SQL shell bypasses
the ORM entirely; a trigger refuses both. Rows older than the retention period (two years) may be
deleted by the retention job, nothing else.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION audit_accesslog_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.at < now() - interval '730 days' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_accesslog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_accesslog_no_update BEFORE UPDATE ON audit_accesslog
  FOR EACH ROW EXECUTE FUNCTION audit_accesslog_guard();
CREATE TRIGGER audit_accesslog_no_delete BEFORE DELETE ON audit_accesslog
  FOR EACH ROW EXECUTE FUNCTION audit_accesslog_guard();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_accesslog_no_update ON audit_accesslog;
DROP TRIGGER IF EXISTS audit_accesslog_no_delete ON audit_accesslog;
DROP FUNCTION IF EXISTS audit_accesslog_guard();
"""
SQLITE_UP = [
    """CREATE TRIGGER audit_accesslog_no_update BEFORE UPDATE ON audit_accesslog
       BEGIN SELECT RAISE(ABORT, 'audit_accesslog is append-only'); END;""",
    """CREATE TRIGGER audit_accesslog_no_delete BEFORE DELETE ON audit_accesslog
       WHEN OLD.at >= datetime('now', '-730 days')
       BEGIN SELECT RAISE(ABORT, 'audit_accesslog is append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_accesslog_no_update;",
    "DROP TRIGGER IF EXISTS audit_accesslog_no_delete;",
]


def up(apps, schema_editor):
    statements = [PG_UP] if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    for sql in statements:
        schema_editor.execute(sql)


def down(apps, schema_editor):
    statements = [PG_DOWN] if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
