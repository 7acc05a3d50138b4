"""The migration spec: a YAML file that declares a whole migration, validated by pydantic.

Errors name the YAML path (and line) of the mistake and list the valid choices.
"""

from __future__ import annotations

import difflib
import importlib.resources
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from handover.entities import ENTITIES, FIELD_TYPES, TEXT_TYPES, VIRTUAL_FIELDS, canonical_fields, linked_entity
from handover.spec_entities import (
    ConvertSpec, FromValue, LinkSpec, LinkValue, convert_problems, entity_name_problems, file_columns, file_encodings, file_names,
    link_problems, link_specs,
)
from handover.strict_yaml import StrictYamlError, compose_strict

NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"


class SpecError(Exception):
    """A user's mistake in a spec: printed as is, exit code 2."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


_ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


class EnvRef(_Model):
    """A value read from an environment variable when the migration runs; the spec never holds the secret."""

    env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Name of the environment variable.")

    def value(self) -> str:
        value = os.environ.get(self.env)
        if not value:
            raise SpecError(f"environment variable {self.env} is not set; it holds a connection URL or credential this spec refers to")
        return value


def _env_ref_or_url(value: Any) -> Any:
    if isinstance(value, str):
        match = _ENV_REF.match(value.strip())
        if match:
            return {"env": match.group(1)}
        if urlsplit(value).password:
            raise ValueError("a password written in the spec; put the whole URL in an environment variable and write ${NAME}")
    return value


ConnectionUrl = Annotated[EnvRef | str, BeforeValidator(_env_ref_or_url)]


def resolve_url(url: EnvRef | str) -> str:
    return url.value() if isinstance(url, EnvRef) else url


def redact(text: str) -> str:
    """`text` with the password of any URL in it replaced, for messages and logs."""
    return re.sub(r"(\w+://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)


def _check_zone(value: str) -> str:
    from zoneinfo import ZoneInfo, available_timezones

    try:
        ZoneInfo(value)
    except Exception:
        close = difflib.get_close_matches(value, sorted(available_timezones()), n=3)
        raise ValueError(f"unknown time zone {value!r}" + (f"; did you mean {', '.join(close)}?" if close else ""))
    return value


class _SourceBase(_Model):
    system: str = Field("legacy", pattern=NAME_PATTERN, description="Label of the source system, part of every external id.")
    timezone: str = Field("UTC", description="IANA time zone of naive date-times in the source.")
    date_order: Literal["YMD", "DMY", "MDY"] = Field("YMD", description="How to read slashed dates like 05/01/2023.")
    default_region: str = Field("CN", min_length=2, max_length=2, description="ISO region for phone numbers without a country code.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return _check_zone(value)


class FilesSource(_SourceBase):
    """A folder of CSV/XLSX exports from the old CRM."""

    type: Literal["files"] = "files"
    path: str = Field(description="Folder of export files, relative to the spec file.")
    encoding: str = Field("auto", description="auto, or a Python codec name (utf-8, gb18030, utf-16, ...).")

    @field_validator("encoding")
    @classmethod
    def _known_codec(cls, value: str) -> str:
        import codecs

        if value != "auto":
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding {value!r}; use auto, utf-8, utf-8-sig, gb18030, gbk, utf-16, latin-1, ...")
        return value


class SqlSource(_SourceBase):
    """A self-hosted CRM's database (PostgreSQL, MariaDB/MySQL), read with dlt; incremental where an entity names its modified column."""

    type: Literal["sql"] = "sql"
    url: ConnectionUrl = Field(description="SQLAlchemy URL, as ${ENV_VAR} (required when it holds a password), e.g. mysql+pymysql://user:pw@host/crm.")
    db_schema: str | None = Field(None, alias="schema", description="Database schema of the CRM's tables (PostgreSQL); default: the connection's.")
    chunk_rows: int = Field(50_000, ge=100, description="Rows per extraction batch.")


class _ApiSource(_SourceBase):
    url: ConnectionUrl = Field(description="${ENV_VAR} holding https://:ACCESS_TOKEN@host (add ?refresh_token=&client_id=&client_secret= to refresh an OAuth token).")


class HubSpotSource(_ApiSource):
    """A HubSpot portal read through its CRM API: each entity's `from` names an object (contacts, companies, deals, notes, tasks, owners)."""

    type: Literal["hubspot"] = "hubspot"


class SalesforceSource(_ApiSource):
    """A Salesforce org read through its REST API: each entity's `from` names an sObject (User, Account, Contact, Opportunity, Task, Lead)."""

    type: Literal["salesforce"] = "salesforce"
    version: str = Field("59.0", pattern=r"^\d+\.\d$", description="REST API version.")


class PipedriveSource(_ApiSource):
    """A Pipedrive company account read through its API v2: each entity's `from` names an object (users, organizations, persons, deals, activities)."""

    type: Literal["pipedrive"] = "pipedrive"


SourceSpec = Annotated[FilesSource | SqlSource | HubSpotSource | SalesforceSource | PipedriveSource, Field(discriminator="type")]
API_SOURCES = (HubSpotSource, SalesforceSource, PipedriveSource)


class _TargetBase(_Model):
    production: bool = Field(False, description="A production target: loads need approvals bound to the data, and no entity is written unless every gate passed.")
    batch_size: int | None = Field(None, ge=1, description="Records per call; default and maximum: the target's own limit.")


class DuckDBTarget(_TargetBase):
    """The embedded DuckDB "new CRM": the default target, no server needed."""

    type: Literal["duckdb"] = "duckdb"
    path: str = Field(description="DuckDB file of the new CRM, relative to the spec file.")


class PostgresTarget(_TargetBase):
    """An in-house CRM in PostgreSQL: upsert by external id, constraint violations rejected row by row."""

    type: Literal["postgres"] = "postgres"
    url: ConnectionUrl = Field(description="postgresql:// URL, as ${ENV_VAR} when it holds a password.")
    db_schema: str = Field("crm", alias="schema", pattern=NAME_PATTERN, description="Schema holding the CRM's tables.")


class FilesTarget(_TargetBase):
    """Import-ready files for a CRM without an API: per entity a CSV (UTF-8 with BOM) and an XLSX, plus an id crosswalk."""

    type: Literal["files"] = "files"
    path: str = Field(description="Folder the import files are written to, relative to the spec file.")
    template: Literal["generic", "hubspot", "salesforce"] = Field("generic", description="Column names of the target CRM's import template.")
    formats: list[Literal["csv", "xlsx"]] = Field(default_factory=lambda: ["csv", "xlsx"], min_length=1)


class HubSpotTarget(_TargetBase):
    """A HubSpot portal: batch upsert by a unique property holding the external id, owners matched to its users by e-mail."""

    type: Literal["hubspot"] = "hubspot"
    url: ConnectionUrl = Field(description="${ENV_VAR} holding https://:ACCESS_TOKEN@api.hubapi.com.")
    objects: dict[str, str] = Field(default_factory=dict, description="Entity -> HubSpot object, over the defaults (account: companies, contact: contacts, deal: deals, activity: notes).")
    id_property: str = Field("handover_external_id", pattern=NAME_PATTERN, description="Unique property holding the external id; created when missing.")


class SalesforceTarget(_TargetBase):
    """A Salesforce org: sObject Collections upsert by an external-id field (200 a call), Bulk API 2.0 above `bulk_above` records."""

    type: Literal["salesforce"] = "salesforce"
    url: ConnectionUrl = Field(description="${ENV_VAR} holding https://:ACCESS_TOKEN@MyDomain.my.salesforce.com.")
    version: str = Field("59.0", pattern=r"^\d+\.\d$", description="REST API version.")
    objects: dict[str, str] = Field(default_factory=dict, description="Entity -> sObject, over the defaults (owner: User, account: Account, contact: Contact, deal: Opportunity, activity: Task).")
    fields: dict[str, dict[str, str]] = Field(default_factory=dict, description="Entity -> {Handover field: Salesforce field}, over the defaults (e.g. contact.last_name: LastName).")
    external_id_field: str = Field("Handover_External_Id__c", description="External-id field holding each record's external id; created when missing.")
    bulk_above: int = Field(2000, ge=1, description="An entity with more records to send than this is loaded with Bulk API 2.0.")


class PipedriveTarget(_TargetBase):
    """A Pipedrive company account: lookup-then-write through the ledger (Pipedrive has no upsert by external id), owners by e-mail."""

    type: Literal["pipedrive"] = "pipedrive"
    url: ConnectionUrl = Field(description="${ENV_VAR} holding https://:API_TOKEN@COMPANY.pipedrive.com.")
    objects: dict[str, str] = Field(default_factory=dict, description="Entity -> Pipedrive object, over the defaults (account: organizations, contact: persons, deal: deals, activity: activities).")


TargetSpec = Annotated[DuckDBTarget | PostgresTarget | FilesTarget | HubSpotTarget | SalesforceTarget | PipedriveTarget, Field(discriminator="type")]


class TableStream(_Model):
    """Where a database source's entity is read from."""

    table: str = Field(description="Table holding the entity's records.")
    modified: str | None = Field(None, description="Modified-time column: later runs read only records changed since the last one.")
    deleted: str | None = Field(None, description="Column flagging soft-deleted records (1/true): they are excluded and reported.")
    join: dict[str, str] = Field(default_factory=dict, description="Tables to add, in order, e.g. custom fields: {accounts_cstm: id_c} joins accounts_cstm.id_c = <table>.<id>; "
                                 "{email_addresses: id = email_addr_bean_rel.email_address_id} joins on an earlier table. Rows flagged deleted are left out; "
                                 "of several rows per record (a many-to-many link) the primary-flagged, then the latest modified, is taken.")
    union: list[str] = Field(default_factory=list, description="More tables holding the same entity (e.g. meetings and notes beside calls), read as one stream; "
                             "column source_table names each row's table, and the record key is table:id.")
    split: dict[str, str] = Field(default_factory=dict, description="Polymorphic references: {parent_id: parent_type} adds parent_id_<type> columns "
                                  "(parent_id_accounts, parent_id_contacts, ...) holding the id where parent_type is that type.")


DATE_TYPES = ("date", "datetime")


class FieldSpec(_Model):
    from_: str = Field(alias="from", description="Column of the source file.")
    type: str | None = Field(None, description=f"One of: {', '.join(FIELD_TYPES)}. Default: the canonical field's type, else string.")
    target: str | None = Field(None, pattern=NAME_PATTERN, description="Field name in the target, when it differs.")
    date_order: Literal["YMD", "DMY", "MDY"] | None = Field(
        None, description="For a date or datetime field: how to read 05/01/2023 in this column, overriding the source's date_order.",
    )

    def cleaning_options(self) -> dict[str, str]:
        """Options this field sets for its cleaner, over the source's."""
        return {"date_order": self.date_order} if self.date_order else {}

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        if value is not None and value not in FIELD_TYPES:
            raise ValueError(f"unknown type {value!r}; valid: {', '.join(FIELD_TYPES)}")
        return value


class Exclusion(_Model):
    when: str = Field(description="DuckDB SQL condition over the source columns; matching rows are excluded.")
    reason: str = Field(min_length=1)


SurvivorRule = Literal["most_recent", "most_complete", "oldest", "longest", "source_priority"]


class Survivorship(_Model):
    """How a golden record takes each field from the records merged into it."""

    default: SurvivorRule = Field("most_recent", description="Rule for fields not named in `fields`.")
    fields: dict[str, SurvivorRule] = Field(default_factory=dict, description="Field -> rule.")
    source_priority: list[str] = Field(default_factory=list, description="Export files, most trusted first (rule source_priority).")


class ProbabilisticSpec(_Model):
    review_between: tuple[float, float] = Field(
        (0.80, 0.95), description="[lower, upper] match probability: pairs at or above upper merge, pairs in between go to review.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> "ProbabilisticSpec":
        low, high = self.review_between
        if not 0 < low <= high <= 1:
            raise ValueError(f"review_between must be two probabilities with 0 < lower <= upper <= 1, got {list(self.review_between)}")
        return self


GuardName = Literal["shared_values", "names", "shared_evidence", "weak_links"]


class DedupSpec(_Model):
    rules: list[str] = Field(default_factory=list, description="Exact-match rules: canonical fields joined by '+', e.g. email, phone+name.")
    guards: dict[GuardName, bool] = Field(
        default_factory=dict,
        description="Guards that may stop a pair at or above the match threshold from merging, all on by default; "
                    "false switches one off. shared_values: identifiers held by 20+ records ignored; names: contradicting "
                    "names do not merge on an e-mail, phone or probability alone; shared_evidence: company, office and "
                    "switchboard count once; weak_links: clusters join only on average support.",
    )
    probabilistic: ProbabilisticSpec | None = Field(None, description="Probabilistic matching (Splink) on top of the rules; contacts and accounts only.")
    survivorship: Survivorship = Field(default_factory=Survivorship)
    decisions: str | None = Field(None, description="CSV of reviewer decisions (left_id, right_id, decision), relative to the spec. Default: <work>/review/<entity>.decisions.csv")


# Built-in entities (handover.entities.ENTITIES) or custom objects: any lower_snake_case name.
EntityName = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]


class EntitySpec(_Model):
    from_: str | list[FromValue] | TableStream = Field(
        alias="from",
        description="Files source: export file (CSV or XLSX) in the folder, or several files (e.g. an acquired company's export); "
        "a file whose headers differ is {file, columns: {column the spec names: its header}}. "
        "SQL source: the table, or {table, modified, deleted, join}.",
    )
    sheet: str | None = Field(None, description="Worksheet of an XLSX file (default: the first).")
    encoding: str | None = Field(None, description="Overrides the source's encoding for this file.")
    id: str = Field(description="Column holding the record's id in the old CRM.")
    owner: str | LinkSpec | None = Field(None, description="Column holding the owner's id (a row of the owner entity), or {from: COLUMN, by: name|email} to match owners by another unique field.")
    fields: dict[str, str | FieldSpec] = Field(description="Canonical (or custom) field -> source column.")
    links: dict[str, LinkValue] = Field(
        default_factory=dict, description="Relationship -> column holding the related record's id, or {from, by, entity} to match any unique "
        "field(s) of the related entity (account by name, or [name, domain]; contact by email), or a list of those tried in order.",
    )
    convert: ConvertSpec | None = Field(None, description="Leads only: for a target that keeps no leads, convert each into a contact, an account and (with an amount) a deal.")
    picklists: dict[str, dict[str, str | None]] = Field(
        default_factory=dict,
        description="Field -> {source value: target value}. Key '*' says what to do with other values: keep, null, quarantine (default) or a fixed value.",
    )
    required: list[str] = Field(default_factory=list, description="Fields that must have a value; 'a|b' means at least one of them.")
    exclude: list[Exclusion] = Field(default_factory=list)
    fill: list[str] = Field(default_factory=list, description="Derivation rules for empty values, in order (e.g. country_from_phone); each filled value is logged with its rule.")
    dedup: DedupSpec | None = None
    keep_unmapped: bool = Field(True, description="Keep source columns no field maps in an 'extras' JSON field.")
    custom: bool = Field(False, description="A custom object (tickets, products, projects, ...): fields, types and links are all the spec's.")

    @property
    def files(self) -> list[str]:
        """The export files of a files source's entity (or the table of a SQL source's)."""
        if isinstance(self.from_, TableStream):
            return [self.from_.table]
        return file_names(self.from_)

    @property
    def file_columns(self) -> dict[str, dict[str, str]]:
        """file -> {column the spec names: the file's own header}, for files whose headers differ."""
        return {} if isinstance(self.from_, TableStream) else file_columns(self.from_)

    @property
    def file_encodings(self) -> dict[str, str]:
        """file -> its own encoding, for files of one entity in different encodings."""
        return {} if isinstance(self.from_, TableStream) else file_encodings(self.from_)

    @property
    def owner_column(self) -> str | None:
        return self.owner.columns[0] if isinstance(self.owner, LinkSpec) else self.owner

    def link_specs(self) -> dict[str, list[LinkSpec]]:
        return {link: link_specs(value) for link, value in self.links.items()}

    @property
    def table(self) -> TableStream:
        """The table of a SQL source's entity, in long form."""
        return self.from_ if isinstance(self.from_, TableStream) else TableStream(table=self.files[0])

    def derived_fields(self, entity: str) -> dict[str, str]:
        """Fields no column maps but a fill rule writes: field -> type."""
        from handover.cleaning.fill import FILL_RULES

        mapped = set(self.fields)
        written = [FILL_RULES[r].writes for r in self.fill if r in FILL_RULES]
        return {f: canonical_fields(entity).get(f, "string") for f in written if f not in mapped}

    def field_specs(self, entity: str) -> dict[str, FieldSpec]:
        canonical = canonical_fields(entity)
        result = {}
        for name, value in self.fields.items():
            spec = FieldSpec(**{"from": value}) if isinstance(value, str) else value
            if spec.type is None:
                spec = spec.model_copy(update={"type": canonical.get(name, "string")})
            result[name] = spec
        return result


class DepartedOwners(_Model):
    policy: Literal["successor", "fallback", "keep"] = Field(
        "successor", description="successor: reassign to successor_of[id], else fallback; fallback: always fallback; keep: load departed owners as inactive users and keep their records.",
    )
    successor_of: dict[str, str] = Field(default_factory=dict)
    fallback: str | None = Field(None, description="Owner id that receives records of departed or unknown owners.")


class OwnerSpec(_Model):
    match_by: Literal["email", "id"] = "email"
    departed: DepartedOwners = Field(default_factory=DepartedOwners)


class GateSpec(_Model):
    expectations: str | None = Field(None, description="Folder of hand-written GX suites (<stage>/<entity>.json) that add to the suites generated from this spec, relative to the spec file. Default: the project's expectations/.")
    max_quarantined: float | dict[str, float] = Field(
        0.05, description="Largest share (0..1) of an entity's extracted rows that may be quarantined before its gate fails: "
        "one number for every entity, or per entity with a default, e.g. {default: 0.05, contact: 0.10}.",
    )

    @field_validator("max_quarantined", mode="before")
    @classmethod
    def _shares(cls, value: Any) -> Any:
        shares = value if isinstance(value, dict) else {"": value}
        for key, share in shares.items():
            where = f"{key}: " if key else ""
            if isinstance(share, bool) or not isinstance(share, (int, float)):
                raise ValueError(f"{where}{share!r} is not a share: write a number between 0 and 1 (0.05 = 5%)")
            if not 0 <= share <= 1:
                raise ValueError(f"{where}{share!r} is not between 0 and 1 (0.05 = 5%)")
        if isinstance(value, dict) and not all(isinstance(k, str) for k in value):
            raise ValueError("keys are entity names or default")
        return value


def _maintainer(value: str) -> str:
    if not re.fullmatch(r"team:\S+|[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise ValueError(f"{value!r} is neither an email address nor a team name written team:<name>")
    return value


class AlertSpec(_Model):
    file: str | None = Field(None, description="JSON-lines file each failed step is appended to, relative to the spec. Default: <work>/alerts/failures.jsonl.")
    webhook: ConnectionUrl | None = Field(None, description="URL each failure is POSTed to as JSON, as ${ENV_VAR}.")


class AutomationSpec(_Model):
    sensor: bool = Field(True, description="Watch the export folder (files source): a changed export, once it has stopped changing, starts the migration job.")
    schedule: str | None = Field(None, description="Cron expression on which the migration job runs, e.g. '0 2 * * *'.")
    timezone: str = Field("UTC", description="IANA time zone of the schedule.")
    alerts: AlertSpec = Field(default_factory=AlertSpec)

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None and len(value.split()) != 5:
            raise ValueError(f"{value!r} is not a cron expression of five fields (minute hour day month weekday), e.g. '0 2 * * *'")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return _check_zone(value)


class ApprovalSpec(_Model):
    required: list[str] = Field(default_factory=list, description="Roles that must each approve the mapped data before a production load (one approval per role), e.g. [data_owner, sales_ops]. Empty: any one approval.")


class EncryptionSpec(_Model):
    key_file: str | None = Field(None, description="File holding the encryption key, relative to the spec file; else the key comes from HANDOVER_KEY. The key itself never sits in a spec.")


class MigrationSpec(_Model):
    migration: str = Field(pattern=NAME_PATTERN, description="Name of the migration: first part of every asset key.")
    description: str = ""
    source: SourceSpec
    target: TargetSpec
    work: str | None = Field(None, description="Folder for staging, backups, reports and Data Docs, relative to the spec file. Default: .handover/<migration> next to the spec.")
    owners: OwnerSpec = Field(default_factory=OwnerSpec)
    entities: dict[EntityName, EntitySpec]
    gates: GateSpec = Field(default_factory=GateSpec)
    maintainers: list[Annotated[str, AfterValidator(_maintainer)]] = Field(
        default_factory=list, description="Who answers for this migration, shown as the owners of its assets: emails or team:<name>.")
    automation: AutomationSpec = Field(default_factory=AutomationSpec)
    approvals: ApprovalSpec = Field(default_factory=ApprovalSpec)
    encryption: EncryptionSpec = Field(default_factory=EncryptionSpec)
    pii: list[str] = Field(default_factory=list, description="Target fields holding personal data (email, phone, ...): masked in reports and review exports, with a stable hash so equal values stay visibly equal.")

    # Set by load_spec: the folder relative paths are resolved against.
    base_dir: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _default_kinds(cls, data: Any) -> Any:
        """`type` may be left out: a folder of files is the default source, the embedded DuckDB the default target."""
        if isinstance(data, dict):
            data = dict(data)
            for key, default in (("source", "files"), ("target", "duckdb")):
                if isinstance(data.get(key), dict) and "type" not in data[key]:
                    data[key] = {"type": default, **data[key]}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> "MigrationSpec":
        problems: list[tuple[tuple, str]] = []
        for name, entity in self.entities.items():
            problems += _entity_problems(name, entity, self.entities)
            problems += _stream_problems(name, entity, self.source)
        departed = self.owners.departed
        if "owner" not in self.entities and any(e.owner for e in self.entities.values()):
            problems.append((("entities",), "entities name an owner column but there is no 'owner' entity to resolve it against"))
        if departed.policy in ("successor", "fallback") and not departed.fallback and "owner" in self.entities:
            problems.append((("owners", "departed", "fallback"), f"policy {departed.policy!r} needs a fallback owner id"))
        if problems:
            raise _SpecProblems(problems)
        return self

    def resolve(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else (self.base_dir / path).resolve()

    @property
    def source_dir(self) -> Path:
        """The export folder of a files source."""
        if not isinstance(self.source, FilesSource):
            raise AttributeError(f"a {self.source.type} source has no folder")
        return self.resolve(self.source.path)

    @property
    def target_path(self) -> Path | None:
        """The target's file or folder, for targets that live on disk."""
        path = getattr(self.target, "path", None)
        return self.resolve(path) if path else None

    @property
    def source_label(self) -> str:
        """Where the source is, for messages and reports: the export folder, or a server URL without its password."""
        if isinstance(self.source, FilesSource):
            return str(self.source_dir)
        url = self.source.url
        return f"${{{url.env}}}" if isinstance(url, EnvRef) else redact(str(url))

    @property
    def target_label(self) -> str:
        """Where the target is, for messages: a path, or a server URL without its password."""
        if self.target_path is not None:
            return str(self.target_path)
        url = getattr(self.target, "url", None)
        return f"${{{url.env}}}" if isinstance(url, EnvRef) else redact(str(url))

    @property
    def work_dir(self) -> Path:
        """Staging, backups, reports and Data Docs of this migration."""
        return self.resolve(self.work) if self.work else self.base_dir / ".handover" / self.migration

    @property
    def staging_path(self) -> Path:
        return self.work_dir / "staging.duckdb"

    @property
    def expectations_dir(self) -> Path:
        if self.gates.expectations:
            return self.resolve(self.gates.expectations)
        return Path(str(importlib.resources.files("expectations")))

    def linked(self, name: str, link: str) -> str:
        """The entity link `link` of entity `name` points at."""
        return linked_entity(name, link, next((s.entity for s in self.entities[name].link_specs().get(link, []) if s.entity), None))

    def links_of(self, name: str) -> dict[str, str]:
        """link -> entity it points at, for entity `name`."""
        return {link: self.linked(name, link) for link in self.entities[name].links}

    def key_fields_into(self, name: str) -> list[str]:
        """Fields of entity `name` that links from any entity match on (its business keys)."""
        fields: dict[str, None] = {}
        for other, entity in self.entities.items():
            for link, specs in entity.link_specs().items():
                if self.linked(other, link) == name:
                    fields.update(dict.fromkeys(f for s in specs for f in s.key_fields))
            if name == "owner" and isinstance(entity.owner, LinkSpec):
                fields.update(dict.fromkeys(entity.owner.key_fields))
        return list(fields)

    def converts_into(self, name: str) -> dict[str, dict[str, str]]:
        """entity -> {its field: lead field}: what `name` (a lead) is converted into; empty when it is loaded as it is."""
        entity = self.entities[name]
        if not entity.convert:
            return {}
        return entity.convert.targets(set(entity.fields), lambda e: set(self.entities[e].fields) if e in self.entities else set())

    def ordered_entities(self) -> list[str]:
        """Entities in an order where every entity comes after those it links to (and leads before what they become):
        the built-ins in their usual order, custom objects after the entities they need."""
        needs = {name: {e for e in self.links_of(name).values() if e != name and e in self.entities} for name in self.entities}
        for name in self.entities:
            for target in self.converts_into(name):
                needs.setdefault(target, set()).add(name)
        if any(isinstance(e.owner, LinkSpec) for e in self.entities.values()) and "owner" in self.entities:
            for name, entity in self.entities.items():
                if isinstance(entity.owner, LinkSpec) and name != "owner":
                    needs[name].add("owner")
        rank = {e: i for i, e in enumerate(dict.fromkeys([*ENTITIES, *self.entities]))}
        ordered: list[str] = []
        pending = sorted(self.entities, key=lambda e: rank[e])
        while pending:
            ready = next((e for e in pending if needs.get(e, set()) <= set(ordered)), pending[0])  # a cycle: keep the usual order
            ordered.append(ready)
            pending.remove(ready)
        return ordered


class _SpecProblems(ValueError):
    def __init__(self, problems: list[tuple[tuple, str]]):
        super().__init__("; ".join(m for _, m in problems))
        self.problems = problems


def _choices(valid: list[str] | set[str]) -> str:
    return ", ".join(sorted(valid))


def _entity_problems(name: str, entity: EntitySpec, entities: dict[str, EntitySpec]) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    base = ("entities", name)
    fields = entity.field_specs(name)
    problems += entity_name_problems(name, entity.custom)
    fields_of = lambda other: key_fields(other, entities[other])  # noqa: E731
    problems += link_problems(name, entity.links, entities, fields_of)
    if isinstance(entity.owner, LinkSpec):
        owner_problems = link_problems(name, {"owner": entity.owner.model_copy(update={"entity": "owner"})}, entities, fields_of)
        problems += [(base + ("owner",) + loc[4:], message) for loc, message in owner_problems]
    problems += convert_problems(name, entity.convert, set(fields), entities, fields_of)
    for field in entity.picklists:
        if field not in fields:
            problems.append((base + ("picklists", field), f"picklist for unmapped field {field!r}; mapped fields: {_choices(fields)}"))
    for requirement in entity.required:
        for field in requirement.split("|"):
            if field.strip() not in fields:
                problems.append((base + ("required",), f"required field {field.strip()!r} is not mapped; mapped fields: {_choices(fields)}"))
    problems += _fill_problems(name, entity, fields)
    if entity.dedup and entity.dedup.probabilistic and name not in ("contact", "account"):
        problems.append((base + ("dedup", "probabilistic"), f"probabilistic matching is for contact and account; {name} merges by exact rules only"))
    if entity.dedup:
        survivorship = entity.dedup.survivorship
        for field in survivorship.fields:
            if field not in fields:
                problems.append((base + ("dedup", "survivorship", "fields", field), f"survivorship for unmapped field {field!r}; mapped fields: {_choices(fields)}"))
        for file in survivorship.source_priority:
            if file not in entity.files:
                problems.append((base + ("dedup", "survivorship", "source_priority"), f"{file!r} is not one of this entity's files: {', '.join(entity.files)}"))
        uses_priority = survivorship.default == "source_priority" or "source_priority" in survivorship.fields.values()
        if uses_priority and not survivorship.source_priority:
            problems.append((base + ("dedup", "survivorship", "source_priority"), "rule source_priority needs the files in order of trust"))
    if entity.dedup:
        usable = set(fields) | {v for v, parts in VIRTUAL_FIELDS.get(name, {}).items() if all(p in fields for p in parts.split("+"))}
        for i, rule in enumerate(entity.dedup.rules):
            for part in rule.split("+"):
                if part.strip() not in usable:
                    problems.append((base + ("dedup", "rules", i), f"rule {rule!r}: unknown field {part.strip()!r}; usable: {_choices(usable)}"))
    for field, spec in fields.items():
        if not re.match(NAME_PATTERN, field):
            problems.append((base + ("fields", field), f"field name {field!r} must be lower_snake_case"))
        if spec.date_order and spec.type not in DATE_TYPES:
            problems.append((base + ("fields", field, "date_order"), f"date_order is for date and datetime fields; {field} is a {spec.type} field"))
        canonical_type = canonical_fields(name).get(field)
        if canonical_type and spec.type != canonical_type and {spec.type, canonical_type} - TEXT_TYPES:
            problems.append((base + ("fields", field), f"{name}.{field} is a {canonical_type} field; type {spec.type!r} does not fit"))
    return problems


_FILE_KEYS = ("sheet", "encoding")


def _stream_problems(name: str, entity: EntitySpec, source: Any) -> list[tuple[tuple, str]]:
    """Keys of `from` and the entity that only one kind of source understands."""
    base = ("entities", name)
    if isinstance(source, FilesSource):
        if isinstance(entity.from_, TableStream):
            return [(base + ("from",), "a files source reads export files: write the file name, not a table")]
        return []
    problems = [(base + (key,), f"{key!r} is for export files; a {source.type} source reads tables") for key in _FILE_KEYS if getattr(entity, key)]
    if isinstance(source, API_SOURCES) and isinstance(entity.from_, TableStream):
        problems.append((base + ("from",), f"a {source.type} source reads an object: write its name (its modified field is the API's own)"))
    if isinstance(entity.from_, list):
        problems.append((base + ("from",), f"a {source.type} source reads one table per entity; name it, with join for one-to-one tables"))
    return problems


def _fill_problems(name: str, entity: EntitySpec, fields: dict) -> list[tuple[tuple, str]]:
    from handover.cleaning.fill import FILL_RULES

    problems = []
    available = set(fields)
    for i, rule_name in enumerate(entity.fill):
        rule = FILL_RULES.get(rule_name)
        loc = ("entities", name, "fill", i)
        if rule is None:
            fitting = sorted(n for n, r in FILL_RULES.items() if not r.entities or name in r.entities)
            close = difflib.get_close_matches(rule_name, list(FILL_RULES), n=1)
            problems.append((loc, f"unknown fill rule {rule_name!r}; valid for {name}: {', '.join(fitting)}" + (f" (did you mean {close[0]!r}?)" if close else "")))
            continue
        if rule.entities and name not in rule.entities:
            problems.append((loc, f"fill rule {rule_name!r} is for {', '.join(rule.entities)}, not {name}"))
        missing = [f for f in rule.reads if f not in available]
        if missing:
            problems.append((loc, f"fill rule {rule_name!r} reads {', '.join(missing)}, which {name} does not map; mapped fields: {_choices(fields)}"))
        available.add(rule.writes)
    return problems


def key_fields(name: str, entity: EntitySpec) -> set[str]:
    """Fields of an entity a link may match on: mapped, derived by fill rules, or virtual (an account's domain from its website)."""
    fields = set(entity.fields) | set(entity.derived_fields(name))
    return fields | {v for v, parts in VIRTUAL_FIELDS.get(name, {}).items() if all(p in fields for p in parts.split("+"))}


def source_columns(entity: EntitySpec, name: str) -> dict[tuple, str]:
    """Every source column the entity spec references, keyed by its YAML path."""
    base = ("entities", name)
    columns = {base + ("id",): entity.id}
    if entity.owner_column:
        columns[base + ("owner",)] = entity.owner_column
    for field, spec in entity.field_specs(name).items():
        columns[base + ("fields", field)] = spec.from_
    for link, value in entity.links.items():
        for i, link_spec in enumerate(link_specs(value)):
            for j, column in enumerate(link_spec.columns):
                loc = base + ("links", link) + ((i,) if isinstance(value, list) else ()) + (("from", j) if len(link_spec.columns) > 1 else ())
                columns[loc] = column
    return columns


# --- loading -------------------------------------------------------------------------------------


def _line_index(node: yaml.Node, path: tuple = ()) -> dict[tuple, int]:
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines.update(_line_index(value, path + (key.value,)))
            lines[path + (key.value,)] = key.start_mark.line + 1  # a key's line, not its block value's first line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(_line_index(item, path + (i,)))
    return lines


_UNION_TAGS = {"str", "none", "FieldSpec", "DedupSpec", "TableStream", "EnvRef", "LinkSpec", "SourceFile", "ConvertSpec"}
_KIND_TAGS = {"source": {"files", "sql", "hubspot", "salesforce", "pipedrive"}, "target": {"duckdb", "postgres", "files", "hubspot", "salesforce", "pipedrive"}}


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-member tags (and the source's or target's kind) from an error location."""
    if len(loc) > 1 and loc[1] in _KIND_TAGS.get(loc[0], ()):
        loc = loc[:1] + loc[2:]
    return tuple(p for p in loc if not (isinstance(p, str) and (p in _UNION_TAGS or "[" in p)))


def _where(file: Path, lines: dict[tuple, int], loc: tuple) -> str:
    shown = ".".join(str(p) for p in loc)
    line = next((lines[loc[:cut]] for cut in range(len(loc), -1, -1) if loc[:cut] in lines), None)
    return f"{file}:{line}: {shown or '(top level)'}" if line else f"{file}: {shown or '(top level)'}"


def _readable(error: dict) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "literal_error":
        return message.replace("Input should be", "must be one of:")
    if error["type"] == "missing":
        return "required key is missing"
    return message


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The spec model that holds the key at loc[-1]; `loc` as pydantic gives it, with union tags."""
    model: type[BaseModel] | None = MigrationSpec
    parts = list(loc[:-1])
    while parts and model is not None:
        part = parts.pop(0)
        if isinstance(part, str) and (part in _UNION_TAGS or "[" in part):
            continue
        if (model, part) in ((MigrationSpec, "entities"), (EntitySpec, "fields")):
            if not parts:
                return None
            parts.pop(0)
            model = EntitySpec if model is MigrationSpec else FieldSpec
            continue
        field = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        tag = parts[0] if parts else None
        model = _model_in(field.annotation, tag) if field else None
        if model is not None and tag is not None and tag in (_kind_of(model), model.__name__):
            parts.pop(0)
    return model


def _kind_of(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("type")
    return field.default if field is not None and isinstance(field.default, str) else None


def _suggest_keys(error: dict, raw_loc: tuple) -> str:
    loc = _clean_loc(raw_loc)
    if error["type"] != "extra_forbidden" or not loc:
        return ""
    model = _model_at(raw_loc)
    if model is None:
        return ""
    valid = [f.alias or n for n, f in model.model_fields.items() if n != "base_dir"]
    close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
    return f"; valid keys: {', '.join(valid)}" + (f" (did you mean {close[0]!r}?)" if close else "")


def _model_in(annotation: Any, tag: Any = None) -> type[BaseModel] | None:
    """The model in a (possibly union) annotation: the member `tag` names, else the first."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    members = [m for arg in getattr(annotation, "__args__", ()) or () if (m := _model_in(arg))]
    return next((m for m in members if tag in (_kind_of(m), m.__name__)), members[0] if members else None)


def load_spec(path: str | Path) -> MigrationSpec:
    """Read and validate a spec file. Raises SpecError with every problem, each naming its YAML path and line."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{file}: spec file not found")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{file}: cannot read spec file: {exc}")
    try:
        node = compose_strict(text)
        data = yaml.safe_load(text)
    except StrictYamlError as exc:
        raise SpecError(f"{file}:{exc.line}: {exc}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else str(file)
        raise SpecError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}")
    if not isinstance(data, dict):
        raise SpecError(f"{file}: a spec is a YAML mapping with keys migration, source, target, entities")
    lines = _line_index(node) if node is not None else {}
    try:
        spec = MigrationSpec.model_validate(data)
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            if "str" in error["loc"] and isinstance(error.get("input"), dict):
                continue  # the long form of a field failed; its own errors say why
            loc = _clean_loc(tuple(error["loc"]))
            if isinstance(error.get("ctx", {}).get("error"), _SpecProblems):
                for problem_loc, problem in error["ctx"]["error"].problems:
                    messages.append(f"{_where(file, lines, problem_loc)}: {problem}")
                continue
            messages.append(f"{_where(file, lines, loc)}: {_readable(error)}{_suggest_keys(error, tuple(error['loc']))}")
        raise SpecError("invalid spec:\n  " + "\n  ".join(messages))
    spec.base_dir = file.resolve().parent
    spec._lines = lines  # type: ignore[attr-defined]
    spec._file = file  # type: ignore[attr-defined]
    return spec


def where_in_spec(spec: MigrationSpec, loc: tuple) -> str:
    """'file:line: a.b.c' for a YAML path of a loaded spec."""
    return _where(getattr(spec, "_file", Path("spec")), getattr(spec, "_lines", {}), loc)


def json_schema() -> dict:
    schema = MigrationSpec.model_json_schema(by_alias=True)
    schema["properties"].pop("base_dir", None)  # set by load_spec, not a key users write
    return schema
