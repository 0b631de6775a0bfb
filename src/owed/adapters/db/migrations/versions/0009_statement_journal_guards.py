"""journal guards on PostgreSQL: per statement, set-based

Revision ID: 0009
Revises: 0008

The foundation's per-row INSERT triggers on ``journal_entries`` and
``journal_lines`` ran one plpgsql call and several index probes per row,
about half the cost of a bulk posting. They are replaced by AFTER INSERT
... FOR EACH STATEMENT triggers reading the statement's transition table,
which make the same checks once per statement with joins and GROUP BY:

* headers: every new entry has at least two lines, its lines balance per
  currency, carry the entry's date and company, and the date is not inside
  a closed period (messages unchanged: ``owed: unbalanced journal entry``,
  ``owed: journal lines disagree ...``, ``owed: period YYYY-MM is closed``);
* lines: no new line may belong to an entry whose header already exists.
  Lines are inserted before their header, so after the lines' statement
  ``journal_entries`` holds only entries posted earlier.

An AFTER trigger that raises aborts the statement just as a BEFORE trigger
does. SQLite keeps its row triggers (it has no statement-level triggers).
The UPDATE/DELETE guards are unchanged.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ENTRY_GUARD = """CREATE OR REPLACE FUNCTION owed_journal_entries_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  bad_id bigint;
  unbalanced boolean;
  bad_day date;
BEGIN
  -- One index probe per new entry (LATERAL keeps it a nested loop over the
  -- entry's own lines), aggregated per currency, then per entry.
  SELECT e.id, (s.n IS NULL OR s.n < 2 OR s.off) INTO bad_id, unbalanced
    FROM owed_new_entries e CROSS JOIN LATERAL (
      SELECT SUM(c.n) AS n, bool_or(c.total <> 0) AS off, bool_or(c.mismatch) AS mismatch
        FROM (SELECT COUNT(*) AS n, SUM(l.amount_minor) AS total,
                     bool_or(l.entry_date <> e.entry_date
                             OR l.company_id <> e.company_id) AS mismatch
                FROM journal_lines l WHERE l.entry_id = e.id
               GROUP BY l.currency) c) s
   WHERE s.n IS NULL OR s.n < 2 OR s.off OR s.mismatch
   LIMIT 1;
  IF bad_id IS NOT NULL AND unbalanced THEN
    RAISE EXCEPTION 'owed: unbalanced journal entry %', bad_id
      USING ERRCODE = 'check_violation';
  END IF;
  IF bad_id IS NOT NULL THEN
    RAISE EXCEPTION 'owed: journal lines disagree with their entry % (date or company)', bad_id
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT e.entry_date INTO bad_day
    FROM owed_new_entries e JOIN fiscal_periods p
      ON p.company_id = e.company_id
     AND e.entry_date BETWEEN p.start_date AND p.end_date
     AND p.status = 'closed'
   LIMIT 1;
  IF bad_day IS NOT NULL THEN
    RAISE EXCEPTION 'owed: period % is closed', to_char(bad_day, 'YYYY-MM')
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$"""

_LINE_GUARD = """CREATE OR REPLACE FUNCTION owed_journal_lines_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  bad_id bigint;
BEGIN
  SELECT n.entry_id INTO bad_id
    FROM owed_new_lines n JOIN journal_entries e ON e.id = n.entry_id
   LIMIT 1;
  IF bad_id IS NOT NULL THEN
    RAISE EXCEPTION 'owed: journal entry % already posted', bad_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$"""

UPGRADE = [
    "DROP TRIGGER journal_entry_balanced ON journal_entries",
    "DROP TRIGGER journal_line_append_only ON journal_lines",
    _ENTRY_GUARD,
    _LINE_GUARD,
    """CREATE TRIGGER journal_entries_guard AFTER INSERT ON journal_entries
    REFERENCING NEW TABLE AS owed_new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION owed_journal_entries_guard()""",
    """CREATE TRIGGER journal_lines_guard AFTER INSERT ON journal_lines
    REFERENCING NEW TABLE AS owed_new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION owed_journal_lines_guard()""",
]

DOWNGRADE = [
    "DROP TRIGGER journal_entries_guard ON journal_entries",
    "DROP TRIGGER journal_lines_guard ON journal_lines",
    "DROP FUNCTION owed_journal_entries_guard()",
    "DROP FUNCTION owed_journal_lines_guard()",
    """CREATE TRIGGER journal_entry_balanced BEFORE INSERT ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION owed_journal_entry_guard()""",
    """CREATE TRIGGER journal_line_append_only BEFORE INSERT ON journal_lines
    FOR EACH ROW EXECUTE FUNCTION owed_journal_line_guard()""",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for sql in UPGRADE:
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for sql in DOWNGRADE:
            op.execute(sql)
