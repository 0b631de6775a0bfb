"""foundation: companies, users, ledger, periods, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-23 18:54:25.120163
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("base_currency", sa.String(length=3), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("fiscal_year_start", sa.Integer(), server_default="1", nullable=False),
        sa.Column("allow_combined_duties", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("settings", sa.Text(), server_default="{}", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("code", name=op.f("uq_companies_code")),
    )
    op.create_table(
        "id_counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("next_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_id_counters")),
    )
    op.create_table(
        "accounts",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_accounts_company_id_companies")
        ),
        sa.UniqueConstraint("company_id", "code", name=op.f("uq_accounts_company_id_code")),
        sa.UniqueConstraint("company_id", "role", name=op.f("uq_accounts_company_id_role")),
    )
    op.create_table(
        "audit_heads",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_audit_heads_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_audit_heads")),
    )
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=80), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_audit_log_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("company_id", "seq", name=op.f("uq_audit_log_company_id_seq")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_log_object", ["company_id", "object_type", "object_id"], unique=False
        )

    op.create_table(
        "fiscal_periods",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_fiscal_periods_company_id_companies")
        ),
        sa.UniqueConstraint(
            "company_id", "period", name=op.f("uq_fiscal_periods_company_id_period")
        ),
    )
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source_type", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=True),
        sa.Column("reverses_id", sa.BigInteger(), nullable=True),
        sa.Column("posted_by", sa.String(length=64), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_journal_entries_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["journal_entries.id"],
            name=op.f("fk_journal_entries_reverses_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
    )
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journal_entries_company_date", ["company_id", "entry_date"], unique=False
        )
        batch_op.create_index(
            "ix_journal_entries_source", ["company_id", "source_type", "source_id"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_users_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("company_id", "username", name=op.f("uq_users_company_id_username")),
    )
    op.create_table(
        "journal_lines",
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("document_type", sa.String(length=20), nullable=True),
        sa.Column("document_id", sa.BigInteger(), nullable=True),
        sa.Column("memo", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_journal_lines_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name="fk_journal_lines_entry_id_journal_entries",
            initially="DEFERRED",
            deferrable=True,
        ),
    )
    with op.batch_alter_table("journal_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journal_lines_account", ["company_id", "account_code", "entry_date"], unique=False
        )
        batch_op.create_index(
            "ix_journal_lines_customer", ["company_id", "customer_id", "entry_date"], unique=False
        )
        batch_op.create_index(
            "ix_journal_lines_document",
            ["company_id", "document_type", "document_id"],
            unique=False,
        )
        batch_op.create_index("ix_journal_lines_entry", ["entry_id", "line_no"], unique=True)

    install_guards()


# The ledger and the audit log are guarded by the database itself:
# - a journal entry header can only be inserted when its lines (inserted first)
#   balance per currency and number at least two;
# - no entry may be dated inside a closed period;
# - lines cannot be added to an entry that is already posted;
# - posted entries, lines and audit records can never be updated or deleted.
SQLITE_GUARDS = [
    """CREATE TRIGGER journal_entry_balanced BEFORE INSERT ON journal_entries
    BEGIN
      SELECT RAISE(ABORT, 'owed: unbalanced journal entry')
      WHERE (SELECT COUNT(*) FROM journal_lines WHERE entry_id = NEW.id) < 2
         OR EXISTS (SELECT 1 FROM journal_lines WHERE entry_id = NEW.id
                    GROUP BY currency HAVING SUM(amount_minor) <> 0);
      SELECT RAISE(ABORT, 'owed: journal lines disagree with their entry (date or company)')
      WHERE EXISTS (SELECT 1 FROM journal_lines WHERE entry_id = NEW.id
                    AND (entry_date <> NEW.entry_date OR company_id <> NEW.company_id));
      SELECT RAISE(ABORT, 'owed: period is closed')
      WHERE EXISTS (SELECT 1 FROM fiscal_periods WHERE company_id = NEW.company_id
                    AND NEW.entry_date BETWEEN start_date AND end_date
                    AND status = 'closed');
    END""",
    """CREATE TRIGGER journal_line_append_only BEFORE INSERT ON journal_lines
    WHEN EXISTS (SELECT 1 FROM journal_entries WHERE id = NEW.entry_id)
    BEGIN SELECT RAISE(ABORT, 'owed: journal entry already posted'); END""",
]
for _table in ("journal_entries", "journal_lines", "audit_log"):
    for _op in ("UPDATE", "DELETE"):
        SQLITE_GUARDS.append(
            f"CREATE TRIGGER {_table}_no_{_op.lower()} BEFORE {_op} ON {_table} "
            f"BEGIN SELECT RAISE(ABORT, 'owed: {_table} is append-only'); END"
        )

POSTGRES_GUARDS = [
    "CREATE SEQUENCE journal_entries_id_seq",
    """CREATE FUNCTION owed_journal_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT COUNT(*) FROM journal_lines WHERE entry_id = NEW.id) < 2
         OR EXISTS (SELECT 1 FROM journal_lines WHERE entry_id = NEW.id
                    GROUP BY currency HAVING SUM(amount_minor) <> 0) THEN
        RAISE EXCEPTION 'owed: unbalanced journal entry %', NEW.id
          USING ERRCODE = 'check_violation';
      END IF;
      IF EXISTS (SELECT 1 FROM journal_lines WHERE entry_id = NEW.id
                 AND (entry_date <> NEW.entry_date OR company_id <> NEW.company_id)) THEN
        RAISE EXCEPTION 'owed: journal lines disagree with their entry % (date or company)', NEW.id
          USING ERRCODE = 'check_violation';
      END IF;
      IF EXISTS (SELECT 1 FROM fiscal_periods WHERE company_id = NEW.company_id
                 AND NEW.entry_date BETWEEN start_date AND end_date
                 AND status = 'closed') THEN
        RAISE EXCEPTION 'owed: period % is closed', to_char(NEW.entry_date, 'YYYY-MM')
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER journal_entry_balanced BEFORE INSERT ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION owed_journal_entry_guard()""",
    """CREATE FUNCTION owed_journal_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM journal_entries WHERE id = NEW.entry_id) THEN
        RAISE EXCEPTION 'owed: journal entry % already posted', NEW.entry_id
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER journal_line_append_only BEFORE INSERT ON journal_lines
    FOR EACH ROW EXECUTE FUNCTION owed_journal_line_guard()""",
    """CREATE FUNCTION owed_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'owed: % is append-only', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
    END $$""",
]
for _table in ("journal_entries", "journal_lines", "audit_log"):
    POSTGRES_GUARDS.append(
        f"CREATE TRIGGER {_table}_append_only BEFORE UPDATE OR DELETE ON {_table} "
        "FOR EACH ROW EXECUTE FUNCTION owed_append_only()"
    )


def install_guards() -> None:
    dialect = op.get_bind().dialect.name
    statements = POSTGRES_GUARDS if dialect == "postgresql" else SQLITE_GUARDS
    for sql in statements:
        op.execute(sql)


def downgrade() -> None:
    raise NotImplementedError(
        "the foundation schema cannot be downgraded: the ledger is append-only"
    )
