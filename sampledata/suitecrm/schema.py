"""A SuiteCRM 7 database, trimmed to the tables a migration reads, in SQLAlchemy Core.

Table and column names follow SuiteCRM's vardefs (`modules/*/vardefs.php`, `metadata/*MetaData.php`): char(36)
GUID ids, `deleted` flags instead of deletes, `date_entered`/`date_modified` in UTC, e-mail addresses in
`email_addresses` linked through `email_addr_bean_rel`, many-to-many link tables with their own `deleted`, custom
fields in `<module>_cstm` keyed by `id_c`, and activities pointing at any record through `parent_type`/`parent_id`.
`python -m sampledata.suitecrm --ddl mysql` prints the DDL for one dialect.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Float, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeEngine

metadata = MetaData()

# SuiteCRM keeps booleans as tinyint(1) in MySQL and as booleans elsewhere; 1/0 reads the same in both.
Flag = Integer().with_variant(mysql.TINYINT(1), "mysql", "mariadb").with_variant(postgresql.SMALLINT(), "postgresql")
# `text` in MySQL, `text` in PostgreSQL (SuiteCRM's `text` vardef type).
LongText: TypeEngine = Text()


def _id(name: str = "id", primary: bool = False) -> Column:
    return Column(name, String(36), primary_key=primary, nullable=not primary)


def _bean(name: str, *columns: Column, assigned: bool = True) -> Table:
    """A SugarBean table: id, audit columns, description, deleted, assigned user."""
    audit = [
        _id(primary=True), Column("date_entered", DateTime), Column("date_modified", DateTime, index=True),
        _id("modified_user_id"), _id("created_by"), Column("description", LongText), Column("deleted", Flag, nullable=False, server_default="0"),
    ]
    if assigned:
        audit.append(_id("assigned_user_id"))
    return Table(name, metadata, *audit, *columns)


def _link(name: str, left: str, right: str, *extra: Column) -> Table:
    """A many-to-many relationship table (`metadata/<name>MetaData.php`)."""
    return Table(name, metadata, _id(primary=True), _id(left), _id(right), *extra,
                 Column("date_modified", DateTime), Column("deleted", Flag, nullable=False, server_default="0"))


def _address(prefix: str) -> list[Column]:
    return [Column(f"{prefix}_street", String(150)), Column(f"{prefix}_city", String(100)), Column(f"{prefix}_state", String(100)),
            Column(f"{prefix}_postalcode", String(20)), Column(f"{prefix}_country", String(255))]


def _maps_cstm(name: str, *custom: Column) -> Table:
    """Custom fields of a module; SuiteCRM's Google-Maps fields are in every install."""
    return Table(f"{name}_cstm", metadata, _id("id_c", primary=True),
                 Column("jjwg_maps_lng_c", Float), Column("jjwg_maps_lat_c", Float),
                 Column("jjwg_maps_geocode_status_c", String(255)), Column("jjwg_maps_address_c", String(255)), *custom)


def _person() -> list[Column]:
    return [
        Column("salutation", String(255)), Column("first_name", String(100)), Column("last_name", String(100)),
        Column("title", String(100)), Column("department", String(255)), Column("do_not_call", Flag, server_default="0"),
        Column("phone_home", String(100)), Column("phone_mobile", String(100)), Column("phone_work", String(100)),
        Column("phone_other", String(100)), Column("phone_fax", String(100)), *_address("primary_address"), *_address("alt_address"),
        Column("assistant", String(75)), Column("assistant_phone", String(100)), Column("lead_source", String(255)),
        _id("reports_to_id"), Column("birthdate", Date), _id("campaign_id"),
    ]


users = Table(
    "users", metadata,
    _id(primary=True), Column("user_name", String(60)), Column("user_hash", String(255)), Column("system_generated_password", Flag),
    Column("first_name", String(255)), Column("last_name", String(255)), _id("reports_to_id"), Column("is_admin", Flag, server_default="0"),
    Column("title", String(50)), Column("department", String(50)), Column("phone_work", String(50)), Column("phone_mobile", String(50)),
    Column("status", String(100)), Column("employee_status", String(100)), Column("date_entered", DateTime),
    Column("date_modified", DateTime, index=True), Column("deleted", Flag, nullable=False, server_default="0"),
)

accounts = _bean(
    "accounts",
    Column("name", String(150)), Column("account_type", String(50)), Column("industry", String(50)), Column("annual_revenue", String(100)),
    Column("phone_fax", String(100)), *_address("billing_address"), Column("rating", String(100)), Column("phone_office", String(100)),
    Column("phone_alternate", String(100)), Column("website", String(255)), Column("ownership", String(100)), Column("employees", String(10)),
    Column("ticker_symbol", String(10)), *_address("shipping_address"), _id("parent_id"), Column("sic_code", String(10)), _id("campaign_id"),
)
accounts_cstm = _maps_cstm("accounts", Column("tax_id_c", String(32)), Column("customer_tier_c", String(20)))

contacts = _bean("contacts", *_person(), Column("portal_account_name", String(255)))
contacts_cstm = _maps_cstm("contacts", Column("wechat_c", String(64)), Column("preferred_language_c", String(20)))

leads = _bean(
    "leads", *_person(), Column("converted", Flag, server_default="0"), Column("refered_by", String(100)), Column("lead_source_description", LongText),
    Column("status", String(100)), Column("status_description", LongText), _id("account_id"), _id("contact_id"), _id("opportunity_id"),
    Column("account_name", String(255)), Column("account_description", LongText), Column("opportunity_name", String(255)),
    Column("opportunity_amount", String(50)), Column("website", String(255)),
)

opportunities = _bean(
    "opportunities",
    Column("name", String(50)), Column("opportunity_type", String(255)), _id("campaign_id"), Column("lead_source", String(50)),
    Column("amount", Float), Column("amount_usdollar", Float), _id("currency_id"), Column("date_closed", Date), Column("next_step", String(100)),
    Column("sales_stage", String(255)), Column("probability", Float),
)

currencies = Table(
    "currencies", metadata,
    _id(primary=True), Column("name", String(36)), Column("symbol", String(36)), Column("iso4217", String(3)), Column("conversion_rate", Float),
    Column("status", String(100)), Column("deleted", Flag, nullable=False, server_default="0"), Column("date_entered", DateTime),
    Column("date_modified", DateTime), _id("created_by"),
)



def _parent() -> list[Column]:
    return [Column("parent_type", String(255)), _id("parent_id")]


calls = _bean(
    "calls",
    Column("name", String(50)), Column("duration_hours", Integer), Column("duration_minutes", Integer), Column("date_start", DateTime),
    Column("date_end", DateTime), *_parent(), Column("status", String(100)), Column("direction", String(100)), Column("reminder_time", Integer),
    Column("outlook_id", String(255)),
)
meetings = _bean(
    "meetings",
    Column("name", String(50)), Column("location", String(50)), Column("password", String(50)), Column("join_url", String(200)),
    Column("duration_hours", Integer), Column("duration_minutes", Integer), Column("date_start", DateTime), Column("date_end", DateTime),
    *_parent(), Column("status", String(100)), Column("type", String(255)), Column("reminder_time", Integer),
)
notes = _bean(
    "notes",
    Column("name", String(255)), Column("file_mime_type", String(100)), Column("filename", String(255)), *_parent(), _id("contact_id"),
    Column("portal_flag", Flag, server_default="0"), Column("embed_flag", Flag, server_default="0"),
)

accounts_contacts = _link("accounts_contacts", "contact_id", "account_id")
accounts_opportunities = _link("accounts_opportunities", "opportunity_id", "account_id")
opportunities_contacts = _link("opportunities_contacts", "contact_id", "opportunity_id", Column("contact_role", String(50)))

email_addresses = Table(
    "email_addresses", metadata,
    _id(primary=True), Column("email_address", String(255)), Column("email_address_caps", String(255)),
    Column("invalid_email", Flag, server_default="0"), Column("opt_out", Flag, server_default="0"),
    Column("date_created", DateTime), Column("date_modified", DateTime), Column("deleted", Flag, nullable=False, server_default="0"),
)
email_addr_bean_rel = Table(
    "email_addr_bean_rel", metadata,
    _id(primary=True), _id("email_address_id"), _id("bean_id"), Column("bean_module", String(100)),
    Column("primary_address", Flag, server_default="0"), Column("reply_to_address", Flag, server_default="0"),
    Column("date_created", DateTime), Column("date_modified", DateTime), Column("deleted", Flag, nullable=False, server_default="0"),
)

# Indexes SuiteCRM creates on the relationship tables (the reads join on them).
for _table, _columns in ((accounts_contacts, ("contact_id", "deleted", "account_id")), (accounts_opportunities, ("opportunity_id", "deleted", "account_id")),
                         (opportunities_contacts, ("opportunity_id", "deleted", "contact_id")), (email_addr_bean_rel, ("bean_id", "bean_module"))):
    Index(f"idx_{_table.name}_{_columns[0]}", *(_table.c[c] for c in _columns))
